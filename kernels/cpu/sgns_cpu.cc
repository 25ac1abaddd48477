// Skip-gram with negative sampling, cpu kernels. The pairs are sequential by
// contract (sgns_kernels.h), so the parallelism is within a pair: the dot
// products and the two axpy updates run as OpenMP SIMD loops over d (AVX2 with
// -mavx2, see BUILD.bazel). Everything is float32, σ uses expf; one thread, so
// the result is bitwise reproducible run to run. The dot's reduction order is
// fixed by the compiled loop, never by the thread count.
//
// On a real vocabulary the rows a pair touches are scattered over megabytes
// (Brown at d = 50: 2 x 11 MB), so the loop is bound by cache misses, not
// arithmetic: the rows of the pair kPrefetchAhead ahead are prefetched while
// this one is computed.
#include <cmath>
#include <vector>

#include "monosem/models/embeddings/sgns_kernels.h"

namespace monosem {
namespace {

constexpr int64_t kPrefetchAhead = 2;

inline void PrefetchRow(const float* row, int64_t d) {
  for (int64_t i = 0; i < d; i += 16) __builtin_prefetch(row + i, 1, 1);  // 64-byte lines
  __builtin_prefetch(row + d - 1, 1, 1);
}

inline float Dot(const float* __restrict a, const float* __restrict b, int64_t d) {
  float acc = 0.0f;
#pragma omp simd reduction(+ : acc)
  for (int64_t i = 0; i < d; ++i) acc += a[i] * b[i];
  return acc;
}

// log σ(x) in float, stable for large |x|.
inline float LogSigmoid(float x) {
  return x >= 0 ? -std::log1p(std::exp(-x)) : x - std::log1p(std::exp(x));
}

class CpuSgnsKernels : public SgnsKernels {
 public:
  using SgnsKernels::SgnsKernels;

 protected:
  absl::Status TrainImpl(const SgnsBatch& batch, Tensor* in_vectors, Tensor* out_vectors,
                         double* loss) override {
    const int64_t d = in_vectors->dim(1);
    const int K = batch.negatives_per_pair;
    std::vector<float> err(d);
    float* __restrict e = err.data();
    float* const in = in_vectors->data();
    float* const out = out_vectors->data();
    double total = 0.0;
    const int64_t P = batch.pairs();
    for (int64_t p = 0; p < P; ++p) {
      if (p + kPrefetchAhead < P) {
        const int64_t q = p + kPrefetchAhead;
        PrefetchRow(in + static_cast<int64_t>(batch.input[q]) * d, d);
        PrefetchRow(out + static_cast<int64_t>(batch.output[q]) * d, d);
        for (int k = 0; k < K; ++k) {
          PrefetchRow(out + static_cast<int64_t>(batch.negatives[q * K + k]) * d, d);
        }
      }
      float* __restrict l = in + static_cast<int64_t>(batch.input[p]) * d;
      const float lr = batch.lr[p];
      const int32_t positive = batch.output[p];
      for (int64_t i = 0; i < d; ++i) e[i] = 0.0f;
      for (int k = -1; k < K; ++k) {
        const int32_t t = k < 0 ? positive : batch.negatives[p * K + k];
        if (k >= 0 && t == positive) continue;
        float* __restrict o = out + static_cast<int64_t>(t) * d;
        const float f = Dot(l, o, d);
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
    return absl::OkStatus();
  }
};

MONOSEM_REGISTER_KERNEL_SET(SgnsKernels, "cpu", CpuSgnsKernels);

}  // namespace
}  // namespace monosem
