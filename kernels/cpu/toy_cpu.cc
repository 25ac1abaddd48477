// The toy model's cpu kernels: one fused pass per sample computes the forward
// pass, the loss, and accumulates the backward pass, so x, the hidden vector
// and the output gradient never leave L1; W and dW of an instance (m·n floats
// each, 48 KiB at 400 x 30) stay in L2 for the whole batch. Inner loops run
// along n and are vectorized for AVX2/FMA (-mavx2 -mfma, see BUILD.bazel);
// instances are split across threads with OpenMP, each thread owning whole
// instances so there is no reduction across threads and results do not depend
// on the thread count. Per sample b (p = pre-activation, g = dL/dp):
//   h = W x;  p = b + Σ_k h_k W_k;  g = (2/B) I (y − x) [p > 0];
//   dh = W g;  dW_k += h_k g + dh_k x;  db += g
#include <algorithm>
#include <vector>

#include "monosem/models/toy/toy_kernels.h"

namespace monosem {
namespace {

inline float Dot(const float* __restrict a, const float* __restrict b, int64_t n) {
  float acc = 0.0f;
#pragma omp simd reduction(+ : acc)
  for (int64_t i = 0; i < n; ++i) acc += a[i] * b[i];
  return acc;
}

void Instance(int64_t B, int64_t n, int64_t m, bool relu, const float* __restrict X,
              const float* __restrict W, const float* __restrict bias,
              const float* __restrict imp, float* loss, float* __restrict dW,
              float* __restrict db) {
  const bool grad = dW != nullptr;
  std::vector<float> buf(2 * m + 2 * n);
  float* __restrict h = buf.data();
  float* __restrict dh = h + m;
  float* __restrict p = dh + m;
  float* __restrict g = p + n;
  if (grad) {
    std::fill(dW, dW + m * n, 0.0f);
    std::fill(db, db + n, 0.0f);
  }
  const float coef = 2.0f / static_cast<float>(B);
  double total = 0.0;
  for (int64_t s = 0; s < B; ++s) {
    const float* __restrict x = X + s * n;
    for (int64_t k = 0; k < m; ++k) h[k] = Dot(W + k * n, x, n);
    std::copy(bias, bias + n, p);
    for (int64_t k = 0; k < m; ++k) {
      const float hk = h[k];
      const float* __restrict wk = W + k * n;
#pragma omp simd
      for (int64_t i = 0; i < n; ++i) p[i] += hk * wk[i];
    }
    float sample = 0.0f;
#pragma omp simd reduction(+ : sample)
    for (int64_t i = 0; i < n; ++i) {
      const bool active = !relu || p[i] > 0.0f;
      const float y = active ? p[i] : 0.0f;
      const float e = y - x[i];
      sample += imp[i] * e * e;
      g[i] = active ? coef * imp[i] * e : 0.0f;
    }
    total += sample;
    if (!grad) continue;
#pragma omp simd
    for (int64_t i = 0; i < n; ++i) db[i] += g[i];
    for (int64_t k = 0; k < m; ++k) dh[k] = Dot(W + k * n, g, n);
    for (int64_t k = 0; k < m; ++k) {
      const float hk = h[k], dhk = dh[k];
      float* __restrict dwk = dW + k * n;
#pragma omp simd
      for (int64_t i = 0; i < n; ++i) dwk[i] += hk * g[i] + dhk * x[i];
    }
  }
  *loss = static_cast<float>(total / static_cast<double>(B));
}

class CpuToyKernels : public ToyKernels {
 public:
  std::string name() const override { return "cpu"; }

 protected:
  absl::Status ForwardBackwardImpl(const ToyDims& d, bool relu, const Tensor& x, const Tensor& w,
                                   const Tensor& b, const Tensor& importance, Tensor* loss,
                                   Tensor* dw, Tensor* db) override {
    const int64_t n = d.n, m = d.m, B = d.batch;
#pragma omp parallel for schedule(static) if (d.instances > 1 && B * m * n * d.instances > 4096)
    for (int64_t j = 0; j < d.instances; ++j) {
      Instance(B, n, m, relu, x.data() + j * B * n, w.data() + j * m * n, b.data() + j * n,
               importance.data() + j * n, loss->data() + j,
               dw != nullptr ? dw->data() + j * m * n : nullptr,
               db != nullptr ? db->data() + j * n : nullptr);
    }
    return absl::OkStatus();
  }
};

MONOSEM_REGISTER_TOY_KERNELS("cpu", CpuToyKernels);

}  // namespace
}  // namespace monosem
