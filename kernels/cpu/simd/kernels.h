// The cpu backend's SIMD kernels, one table per ISA level. Each level is the
// same sources (kernels/cpu/simd/*.cc) compiled with its own flags into its
// own namespace (MONOSEM_SIMD_ISA: avx512, avx2, portable); nothing else in
// the backend is compiled with wide-ISA flags, so a binary runs on any
// x86-64 CPU and only the path the CPU supports is ever called (Active()).
//
// The entries take raw pointers: the per-ISA units use no std container or
// other shared inline code whose out-of-line copy the linker could pick for
// code outside them (tests/kernels/cpu/isa_confinement_test.sh checks the
// linked binary for wide instructions outside these namespaces).
//
// Threading: entries that say "(OpenMP)" fork their own threads when the
// caller says so or the work is large; every other entry is one thread's
// work (a row, a head), called from the caller's parallel loops.
#ifndef MONOSEM_KERNELS_CPU_SIMD_KERNELS_H_
#define MONOSEM_KERNELS_CPU_SIMD_KERNELS_H_

#include <cstdint>

#include "kernels/cpu/simd/isa.h"

namespace monosem::cpu::simd {

// One Adam step's constants (bc1 = 1 - b1^t, bc2 = 1 - b2^t). Adam (the SAE
// trainer's):  p -= step_size m / (sqrt(v) / sqrt_bc2 + eps).  AdamW (the
// backend's):  p = p decay - step_size m / (sqrt(v) inv_sqrt_bc2 + eps), with
// decay = 1 - lr weight_decay. Both spellings are kept as they were, so the
// results of either are what they were before the dispatch.
struct AdamArgs {
  float b1, b2, eps;
  float step_size;  // lr / bc1
  float sqrt_bc2;   // Adam
  float inv_sqrt_bc2, decay;  // AdamW
  bool adamw;
};

struct Kernels {
  Isa isa;

  // ---- elementwise (OpenMP when large) ----
  void (*add_row_bias)(int64_t rows, int64_t cols, const float* b, float* x);
  void (*sum_rows)(int64_t rows, int64_t cols, const float* x, float* out);
  void (*relu)(int64_t n, const float* x, float* y);
  void (*relu_backward)(int64_t n, const float* y, const float* dy, float* dx);
  void (*axpby)(int64_t n, float alpha, const float* x, float beta, float* y);
  void (*mul)(int64_t n, const float* a, const float* b, float* out);
  // Adam / AdamW over one tensor (OpenMP with `par`).
  void (*adam)(int64_t n, const AdamArgs& a, const float* g, float* p, float* m, float* v,
               bool par);

  // ---- rows (one thread) ----
  float (*dot)(const float* a, const float* b, int64_t n);
  void (*axpy)(float alpha, const float* x, float* y, int64_t n);  // y += alpha x
  void (*scale)(float alpha, float* y, int64_t n);                 // y *= alpha
  void (*add)(const float* a, const float* b, float* out, int64_t n);
  void (*bias_relu)(const float* b, float* y, int64_t n);          // y = max(y + b, 0)

  // ---- toy model: one instance's forward, loss and backward ----
  // Scratch of toy_scratch_floats(n, m) floats (any alignment).
  int64_t (*toy_scratch_floats)(int64_t n, int64_t m);
  void (*toy_instance)(int64_t B, int64_t n, int64_t m, bool relu, const float* X,
                       const float* W, const float* bias, const float* imp, float* loss,
                       float* dW, float* db, float* scratch);

  // ---- SAE ----
  // The first i in [from, F) with v[i] + b[i] > bar, or, when `dead` is not
  // null, with dead bit i set and v[i] + b[i] > bar_dead; F if none.
  int64_t (*next_above)(const float* v, const float* b, int64_t from, int64_t F, float bar,
                        const uint8_t* dead, float bar_dead);
  // row += b; returns how many are then > 0.
  int64_t (*bias_count_positive)(float* row, const float* b, int64_t F);
  // How many of row[0..F) are > 0, and those entries' (index, value) in
  // order (compress_positive writes exactly count_positive's count).
  int64_t (*count_positive)(const float* row, int64_t F);
  void (*compress_positive)(const float* row, int64_t F, int32_t* idx, float* val);
  // relu_l1's fused pass over one row: row = max(row + b, 0); fired[i] +=
  // row[i] > 0; fsum[i] += row[i]; *penalty += sum row[i] norm[i]; *l0 +=
  // the firing count; and, when idx is not null, the firing entries'
  // (index, value) in order into idx / val (room for F). Returns the row's
  // firing count.
  int64_t (*relu_l1_row)(float* row, const float* b, const float* norm, int64_t F,
                         int64_t* fired, double* fsum, float* penalty, float* l0, int32_t* idx,
                         float* val);
  // relu_l1's backward epilogue over one row: dp = f > 0 ? dp + l1b norm : 0;
  // db += dp.
  void (*relu_l1_dpre_row)(const float* f, float* dp, const float* norm, float l1b, int64_t F,
                           double* db);

  // ---- transformer rows / heads ----
  void (*layer_norm_row)(const float* x, const float* w, const float* b, int64_t d, float eps,
                         float* y, float* mean, float* rstd);
  // dx for one row; pw += dy * xhat, pb += dy.
  void (*layer_norm_backward_row)(const float* x, const float* w, const float* dy, float mean,
                                  float rstd, int64_t d, float* pw, float* pb, float* dx);
  // Scratch of attention_scratch_floats(ctx, dh) floats.
  int64_t (*attention_scratch_floats)(int64_t ctx, int64_t dh);
  // One (batch, head): base = the batch's qkv rows [ctx, 3d]; probs [ctx, ctx]
  // of this head; z = the batch's rows of z [ctx, d].
  void (*attention_forward_head)(const float* base, int64_t ctx, int64_t d, int64_t dh,
                                 int64_t h, float scale, float* probs, float* z, float* scratch);
  void (*attention_backward_head)(const float* base, const float* probs, const float* dz,
                                  int64_t ctx, int64_t d, int64_t dh, int64_t h, float scale,
                                  float* dqkv, float* scratch);
  // -log softmax(row)[target].
  float (*cross_entropy_row)(const float* row, int64_t v, int32_t target);
  // o = scale (softmax(row) - onehot(target)).
  void (*cross_entropy_backward_row)(const float* row, int64_t v, int32_t target, float scale,
                                     float* o);

  // ---- skip-gram with negative sampling: one batch of pairs, in order ----
  // err: d floats of scratch; *loss += the batch's loss when not null.
  void (*sgns_train)(int64_t pairs, int negatives_per_pair, int64_t d, const int32_t* input,
                     const int32_t* output, const int32_t* negatives, const float* lr, float* in,
                     float* out, float* err, double* loss);
};

// The table of the path the kernels run now (ActiveIsa()).
const Kernels& Active();
// The table of one path (tests); the caller makes sure the CPU runs it.
const Kernels& ForIsa(Isa isa);

}  // namespace monosem::cpu::simd

#endif  // MONOSEM_KERNELS_CPU_SIMD_KERNELS_H_
