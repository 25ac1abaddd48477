// The toy model's reference kernels: the specification. One instance and one
// sample at a time, every sum in double, the backward pass written out from
// the chain rule (and checked against finite differences and LibTorch
// autograd in tests/models/toy/toy_model_test.cc).
//
//   h = W x,  p = Wᵀh + b,  y = ReLU(p) (linear model: y = p)
//   L = (1/B) Σ_b Σ_i I_i (y_i − x_i)²
//   g_i  = dL/dp_i = (2/B) I_i (y_i − x_i) · [p_i > 0 or linear]
//   db   = Σ_b g
//   dh   = W g
//   dW   = Σ_b (h gᵀ + dh xᵀ)     (W appears twice: in Wᵀh and in W x)
#include <algorithm>
#include <vector>

#include "monosem/models/toy/toy_kernels.h"

namespace monosem {
namespace {

class ReferenceToyKernels : public ToyKernels {
 public:
  using ToyKernels::ToyKernels;

 protected:
  absl::Status ForwardBackwardImpl(const ToyDims& d, bool relu, const Tensor& x, const Tensor& w,
                                   const Tensor& b, const Tensor& importance, Tensor* loss,
                                   Tensor* dw, Tensor* db) override {
    const int64_t n = d.n, m = d.m, B = d.batch;
    std::vector<double> h(m), p(n), g(n), dh(m), gw(m * n), gb(n);
    for (int64_t j = 0; j < d.instances; ++j) {
      const float* W = w.data() + j * m * n;
      const float* bias = b.data() + j * n;
      const float* imp = importance.data() + j * n;
      std::fill(gw.begin(), gw.end(), 0.0);
      std::fill(gb.begin(), gb.end(), 0.0);
      double total = 0.0;
      for (int64_t s = 0; s < B; ++s) {
        const float* xs = x.data() + (j * B + s) * n;
        for (int64_t k = 0; k < m; ++k) {
          double acc = 0.0;
          for (int64_t i = 0; i < n; ++i) acc += static_cast<double>(W[k * n + i]) * xs[i];
          h[k] = acc;
        }
        for (int64_t i = 0; i < n; ++i) {
          double acc = bias[i];
          for (int64_t k = 0; k < m; ++k) acc += static_cast<double>(W[k * n + i]) * h[k];
          p[i] = acc;
          const double y = relu ? (acc > 0.0 ? acc : 0.0) : acc;
          const double e = y - xs[i];
          total += imp[i] * e * e;
          g[i] = (relu && !(acc > 0.0)) ? 0.0 : 2.0 * imp[i] * e / static_cast<double>(B);
        }
        if (dw == nullptr) continue;
        for (int64_t k = 0; k < m; ++k) {
          double acc = 0.0;
          for (int64_t i = 0; i < n; ++i) acc += static_cast<double>(W[k * n + i]) * g[i];
          dh[k] = acc;
        }
        for (int64_t i = 0; i < n; ++i) gb[i] += g[i];
        for (int64_t k = 0; k < m; ++k) {
          for (int64_t i = 0; i < n; ++i) gw[k * n + i] += h[k] * g[i] + dh[k] * xs[i];
        }
      }
      (*loss)[j] = static_cast<float>(total / static_cast<double>(B));
      if (dw != nullptr) {
        for (int64_t e = 0; e < m * n; ++e) (*dw)[j * m * n + e] = static_cast<float>(gw[e]);
        for (int64_t i = 0; i < n; ++i) (*db)[j * n + i] = static_cast<float>(gb[i]);
      }
    }
    return absl::OkStatus();
  }
};

MONOSEM_REGISTER_KERNEL_SET(ToyKernels, "reference", ReferenceToyKernels);

}  // namespace
}  // namespace monosem
