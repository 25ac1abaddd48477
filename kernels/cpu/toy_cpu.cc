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

// Small shapes (m·n <= kLaneMaxParams, e.g. 20 x 5, 5 x 2, 2 x 1): vectors
// along n would be mostly padding, so vectorize across the batch instead: 8
// samples ride in the 8 AVX2 lanes, W's entries are broadcast, and dW/db are
// accumulated per lane and reduced once at the end of the batch.
constexpr int kLanes = 8;
constexpr int64_t kLaneMaxParams = 1024;

// out[l] = Σ_i w[i] · v[i][l] for the 8 lanes.
inline void LaneDot(const float* __restrict w, const float* __restrict v, int64_t n,
                    float* __restrict out) {
  float a[kLanes] = {}, b[kLanes] = {};
  int64_t i = 0;
  for (; i + 1 < n; i += 2) {
    const float w0 = w[i], w1 = w[i + 1];
    const float* __restrict v0 = v + i * kLanes;
    const float* __restrict v1 = v0 + kLanes;
    for (int l = 0; l < kLanes; ++l) a[l] += w0 * v0[l];
    for (int l = 0; l < kLanes; ++l) b[l] += w1 * v1[l];
  }
  if (i < n) {
    for (int l = 0; l < kLanes; ++l) a[l] += w[i] * v[i * kLanes + l];
  }
  for (int l = 0; l < kLanes; ++l) out[l] = a[l] + b[l];
}

void InstanceLanes(int64_t B, int64_t n, int64_t m, bool relu, const float* __restrict X,
                   const float* __restrict W, const float* __restrict bias,
                   const float* __restrict imp, float* loss, float* __restrict dW,
                   float* __restrict db) {
  const bool grad = dW != nullptr;
  std::vector<float> buf(kLanes * (2 * n + 2 * m + n + (grad ? m * n + n : 0)) + kLanes, 0.0f);
  float* __restrict xT = buf.data();         // [n][8]
  float* __restrict p = xT + n * kLanes;     // [n][8]  pre-activation, then g
  float* __restrict h = p + n * kLanes;      // [m][8]
  float* __restrict dh = h + m * kLanes;     // [m][8]
  float* __restrict lacc = dh + m * kLanes;  // [8]
  float* __restrict dwacc = lacc + kLanes;   // [m*n][8]
  float* __restrict dbacc = dwacc + (grad ? m * n * kLanes : 0);  // [n][8]
  const float coef = 2.0f / static_cast<float>(B);
  double total = 0.0;
  for (int64_t s0 = 0; s0 < B; s0 += kLanes) {
    const int cnt = static_cast<int>(std::min<int64_t>(kLanes, B - s0));
    for (int l = 0; l < kLanes; ++l) {
      const float* xs = X + (s0 + l) * n;
      for (int64_t i = 0; i < n; ++i) xT[i * kLanes + l] = l < cnt ? xs[i] : 0.0f;
    }
    // Accumulators live in registers (local arrays), two chains to hide the
    // FMA latency.
    for (int64_t k = 0; k < m; ++k) LaneDot(W + k * n, xT, n, h + k * kLanes);
#pragma omp simd
    for (int l = 0; l < kLanes; ++l) lacc[l] = 0.0f;
    for (int64_t i = 0; i < n; ++i) {
      float* __restrict pi = p + i * kLanes;
      const float* __restrict xi = xT + i * kLanes;
      const float bi = bias[i], ii = imp[i];
      float acc[kLanes];
      for (int l = 0; l < kLanes; ++l) acc[l] = bi;
      for (int64_t k = 0; k < m; ++k) {
        const float wki = W[k * n + i];
        const float* __restrict hk = h + k * kLanes;
        for (int l = 0; l < kLanes; ++l) acc[l] += wki * hk[l];
      }
      for (int l = 0; l < kLanes; ++l) pi[l] = acc[l];
#pragma omp simd
      for (int l = 0; l < kLanes; ++l) {
        const bool active = (!relu || pi[l] > 0.0f) && l < cnt;
        const float y = active ? pi[l] : 0.0f;
        const float e = y - xi[l];
        lacc[l] += l < cnt ? ii * e * e : 0.0f;
        pi[l] = active ? coef * ii * e : 0.0f;  // p now holds g
      }
    }
    double group = 0.0;
    for (int l = 0; l < kLanes; ++l) group += lacc[l];
    total += group;
    if (!grad) continue;
    const float* __restrict g = p;
    for (int64_t i = 0; i < n; ++i) {
#pragma omp simd
      for (int l = 0; l < kLanes; ++l) dbacc[i * kLanes + l] += g[i * kLanes + l];
    }
    for (int64_t k = 0; k < m; ++k) LaneDot(W + k * n, g, n, dh + k * kLanes);
    for (int64_t k = 0; k < m; ++k) {
      const float* __restrict hk = h + k * kLanes;
      const float* __restrict dhk = dh + k * kLanes;
      for (int64_t i = 0; i < n; ++i) {
        float* __restrict acc = dwacc + (k * n + i) * kLanes;
        const float* __restrict gi = g + i * kLanes;
        const float* __restrict xi = xT + i * kLanes;
#pragma omp simd
        for (int l = 0; l < kLanes; ++l) acc[l] += hk[l] * gi[l] + dhk[l] * xi[l];
      }
    }
  }
  *loss = static_cast<float>(total / static_cast<double>(B));
  if (!grad) return;
  for (int64_t e = 0; e < m * n; ++e) {
    float t = 0.0f;
    for (int l = 0; l < kLanes; ++l) t += dwacc[e * kLanes + l];
    dW[e] = t;
  }
  for (int64_t i = 0; i < n; ++i) {
    float t = 0.0f;
    for (int l = 0; l < kLanes; ++l) t += dbacc[i * kLanes + l];
    db[i] = t;
  }
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
      (m * n <= kLaneMaxParams ? InstanceLanes : Instance)(B, n, m, relu, x.data() + j * B * n, w.data() + j * m * n, b.data() + j * n,
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
