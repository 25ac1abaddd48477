// Elementwise and row-reduction kernels of the cpu backend: each runs the
// SIMD path this CPU supports (kernels/cpu/simd, chosen at run time).
#include <cmath>

#include "kernels/cpu/cpu_backend.h"
#include "kernels/cpu/simd/kernels.h"

namespace monosem {

absl::Status CpuBackend::AddRowBiasImpl(const Tensor& bias, Tensor* x) {
  cpu::simd::Active().add_row_bias(x->dim(0), x->dim(1), bias.data(), x->data());
  return absl::OkStatus();
}

absl::Status CpuBackend::SumRowsImpl(const Tensor& x, Tensor* out) {
  cpu::simd::Active().sum_rows(x.dim(0), x.dim(1), x.data(), out->data());
  return absl::OkStatus();
}

absl::Status CpuBackend::ReluImpl(const Tensor& x, Tensor* y) {
  cpu::simd::Active().relu(x.size(), x.data(), y->data());
  return absl::OkStatus();
}

absl::Status CpuBackend::ReluBackwardImpl(const Tensor& y, const Tensor& dy, Tensor* dx) {
  cpu::simd::Active().relu_backward(y.size(), y.data(), dy.data(), dx->data());
  return absl::OkStatus();
}

absl::Status CpuBackend::AxpbyImpl(float alpha, const Tensor& x, float beta, Tensor* y) {
  cpu::simd::Active().axpby(x.size(), alpha, x.data(), beta, y->data());
  return absl::OkStatus();
}

absl::Status CpuBackend::MulImpl(const Tensor& a, const Tensor& b, Tensor* out) {
  cpu::simd::Active().mul(a.size(), a.data(), b.data(), out->data());
  return absl::OkStatus();
}

absl::Status CpuBackend::AdamWImpl(const AdamWParams& p, int64_t step, const Tensor& grad,
                                   Tensor* param, Tensor* m, Tensor* v) {
  const double bc1 = 1.0 - std::pow(static_cast<double>(p.beta1), static_cast<double>(step));
  const double bc2 = 1.0 - std::pow(static_cast<double>(p.beta2), static_cast<double>(step));
  cpu::simd::AdamArgs a{};
  a.b1 = p.beta1;
  a.b2 = p.beta2;
  a.eps = p.eps;
  a.step_size = static_cast<float>(p.lr / bc1);
  a.inv_sqrt_bc2 = static_cast<float>(1.0 / std::sqrt(bc2));
  a.decay = 1.0f - p.lr * p.weight_decay;
  a.adamw = true;
  const int64_t n = grad.size();
  cpu::simd::Active().adam(n, a, grad.data(), param->data(), m->data(), v->data(),
                           n >= (int64_t{1} << 15));
  return absl::OkStatus();
}

}  // namespace monosem
