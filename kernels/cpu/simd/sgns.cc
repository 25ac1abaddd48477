// Skip-gram with negative sampling over one batch of pairs. The pairs are
// sequential by contract (sgns_kernels.h), so the parallelism is within a
// pair: the dot products and the two axpy updates are SIMD loops over d.
// Everything is float32, σ uses expf; one thread, so the result is bitwise
// reproducible run to run (for one ISA level: the dot's reduction order is
// the compiled loop's).
//
// On a real vocabulary the rows a pair touches are scattered over megabytes
// (Brown at d = 50: 2 x 11 MB), so the loop is bound by cache misses, not
// arithmetic: the rows of the pair kPrefetchAhead ahead are prefetched while
// this one is computed.
#include <cmath>

#include "kernels/cpu/simd/unit.h"

namespace monosem::cpu::simd::MONOSEM_SIMD_ISA {
namespace {

constexpr int64_t kPrefetchAhead = 2;

inline void PrefetchRow(const float* row, int64_t d) {
  for (int64_t i = 0; i < d; i += 16) __builtin_prefetch(row + i, 1, 1);  // 64-byte lines
  __builtin_prefetch(row + d - 1, 1, 1);
}

inline float DotD(const float* __restrict a, const float* __restrict b, int64_t d) {
  float acc = 0.0f;
#pragma omp simd reduction(+ : acc)
  for (int64_t i = 0; i < d; ++i) acc += a[i] * b[i];
  return acc;
}

// log σ(x) in float, stable for large |x|.
inline float LogSigmoid(float x) {
  return x >= 0 ? -std::log1p(std::exp(-x)) : x - std::log1p(std::exp(x));
}

}  // namespace

void SgnsTrain(int64_t P, int K, int64_t d, const int32_t* input, const int32_t* output,
               const int32_t* negatives, const float* lrs, float* in, float* out,
               float* __restrict e, double* loss) {
  double total = 0.0;
  for (int64_t p = 0; p < P; ++p) {
    if (p + kPrefetchAhead < P) {
      const int64_t q = p + kPrefetchAhead;
      PrefetchRow(in + static_cast<int64_t>(input[q]) * d, d);
      PrefetchRow(out + static_cast<int64_t>(output[q]) * d, d);
      for (int k = 0; k < K; ++k) PrefetchRow(out + static_cast<int64_t>(negatives[q * K + k]) * d, d);
    }
    float* __restrict l = in + static_cast<int64_t>(input[p]) * d;
    const float lr = lrs[p];
    const int32_t positive = output[p];
    for (int64_t i = 0; i < d; ++i) e[i] = 0.0f;
    for (int k = -1; k < K; ++k) {
      const int32_t t = k < 0 ? positive : negatives[p * K + k];
      if (k >= 0 && t == positive) continue;
      float* __restrict o = out + static_cast<int64_t>(t) * d;
      const float f = DotD(l, o, d);
      if (loss != nullptr) total -= LogSigmoid(k < 0 ? f : -f);
      const float g = lr * ((k < 0 ? 1.0f : 0.0f) - 1.0f / (1.0f + std::exp(-f)));
#pragma omp simd
      for (int64_t i = 0; i < d; ++i) {
        e[i] += g * o[i];
        o[i] += g * l[i];
      }
    }
#pragma omp simd
    for (int64_t i = 0; i < d; ++i) l[i] += e[i];
  }
  if (loss != nullptr) *loss += total;
}

}  // namespace monosem::cpu::simd::MONOSEM_SIMD_ISA
