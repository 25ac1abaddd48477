// Declarations shared by the files of one ISA unit (kernels/cpu/simd/*.cc,
// each compiled once per level into namespace MONOSEM_SIMD_ISA). Not for use
// outside the unit: everything else goes through Kernels (kernels.h).
#ifndef MONOSEM_KERNELS_CPU_SIMD_UNIT_H_
#define MONOSEM_KERNELS_CPU_SIMD_UNIT_H_

#ifndef MONOSEM_SIMD_ISA
#error "kernels/cpu/simd units are compiled with -DMONOSEM_SIMD_ISA=<level> (see BUILD.bazel)"
#endif

#include <cstdint>

#include "kernels/cpu/simd/kernels.h"

// The OpenMP fork threshold of the elementwise kernels (elements).
#define MONOSEM_SIMD_PARALLEL_MIN (int64_t{1} << 15)

namespace monosem::cpu::simd::MONOSEM_SIMD_ISA {

// This unit's table (table.cc).
const Kernels& Table();

// elementwise.cc
void AddRowBias(int64_t rows, int64_t cols, const float* b, float* x);
void SumRows(int64_t rows, int64_t cols, const float* x, float* out);
void Relu(int64_t n, const float* x, float* y);
void ReluBackward(int64_t n, const float* y, const float* dy, float* dx);
void Axpby(int64_t n, float alpha, const float* x, float beta, float* y);
void Mul(int64_t n, const float* a, const float* b, float* out);
void Adam(int64_t n, const AdamArgs& a, const float* g, float* p, float* m, float* v, bool par);
float Dot(const float* a, const float* b, int64_t n);
void Axpy(float alpha, const float* x, float* y, int64_t n);
void Scale(float alpha, float* y, int64_t n);
void Add(const float* a, const float* b, float* out, int64_t n);
void BiasRelu(const float* b, float* y, int64_t n);

// toy.cc
int64_t ToyScratchFloats(int64_t n, int64_t m);
void ToyInstance(int64_t B, int64_t n, int64_t m, bool relu, const float* X, const float* W,
                 const float* bias, const float* imp, float* loss, float* dW, float* db,
                 float* scratch);

// sae.cc
int64_t NextAbove(const float* v, const float* b, int64_t from, int64_t F, float bar,
                  const uint8_t* dead, float bar_dead);
int64_t BiasCountPositive(float* row, const float* b, int64_t F);
int64_t CountPositive(const float* row, int64_t F);
void CompressPositive(const float* row, int64_t F, int32_t* idx, float* val);
int64_t ReluL1Row(float* row, const float* b, const float* norm, int64_t F, int64_t* fired,
                  double* fsum, float* penalty, float* l0, int32_t* idx, float* val);
void ReluL1DpreRow(const float* f, float* dp, const float* norm, float l1b, int64_t F,
                   double* db);

// transformer.cc
void LayerNormRow(const float* x, const float* w, const float* b, int64_t d, float eps, float* y,
                  float* mean, float* rstd);
void LayerNormBackwardRow(const float* x, const float* w, const float* dy, float mean, float rstd,
                          int64_t d, float* pw, float* pb, float* dx);
int64_t AttentionScratchFloats(int64_t ctx, int64_t dh);
void AttentionForwardHead(const float* base, int64_t ctx, int64_t d, int64_t dh, int64_t h,
                          float scale, float* probs, float* z, float* scratch);
void AttentionBackwardHead(const float* base, const float* probs, const float* dz, int64_t ctx,
                           int64_t d, int64_t dh, int64_t h, float scale, float* dqkv,
                           float* scratch);
float CrossEntropyRow(const float* row, int64_t v, int32_t target);
void CrossEntropyBackwardRow(const float* row, int64_t v, int32_t target, float scale, float* o);

// sgns.cc
void SgnsTrain(int64_t pairs, int negatives_per_pair, int64_t d, const int32_t* input,
               const int32_t* output, const int32_t* negatives, const float* lr, float* in,
               float* out, float* err, double* loss);

}  // namespace monosem::cpu::simd::MONOSEM_SIMD_ISA

#endif  // MONOSEM_KERNELS_CPU_SIMD_UNIT_H_
