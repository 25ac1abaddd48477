#include "kernels/torch/torch_backend.h"

#include <cmath>
#include <exception>

#include "absl/strings/str_cat.h"

namespace monosem {
namespace {

// LibTorch reports errors by exception; the backend interface uses Status.
template <typename F>
absl::Status Guard(const char* op, F&& f) { return TorchGuard(op, f); }

}  // namespace

torch::Tensor AsTorch(const Tensor& t) {
  std::vector<int64_t> sizes(t.shape().begin(), t.shape().end());
  return torch::from_blob(const_cast<float*>(t.data()), sizes,
                          torch::TensorOptions().dtype(torch::kFloat32));
}

absl::Status TorchBackend::GemmImpl(Trans ta, Trans tb, const GemmShape&, float alpha,
                                    const Tensor& a, const Tensor& b, float beta, Tensor* c) {
  return Guard("gemm", [&] {
    torch::Tensor A = AsTorch(a), B = AsTorch(b), C = AsTorch(*c);
    if (ta == Trans::kYes) A = A.t();
    if (tb == Trans::kYes) B = B.t();
    if (beta == 0.0f && alpha == 1.0f) {
      torch::mm_out(C, A, B);
    } else {
      // addmm ignores `self` when beta == 0 (NaN does not propagate).
      torch::addmm_out(C, C, A, B, beta, alpha);
    }
  });
}

absl::Status TorchBackend::AddRowBiasImpl(const Tensor& bias, Tensor* x) {
  return Guard("add_row_bias", [&] { AsTorch(*x).add_(AsTorch(bias)); });
}

absl::Status TorchBackend::SumRowsImpl(const Tensor& x, Tensor* out) {
  return Guard("sum_rows", [&] {
    torch::Tensor o = AsTorch(*out);
    torch::sum_out(o, AsTorch(x), {0});
  });
}

absl::Status TorchBackend::ReluImpl(const Tensor& x, Tensor* y) {
  return Guard("relu", [&] {
    torch::Tensor out = AsTorch(*y);
    torch::clamp_min_out(out, AsTorch(x), 0);
  });
}

absl::Status TorchBackend::ReluBackwardImpl(const Tensor& y, const Tensor& dy, Tensor* dx) {
  return Guard("relu_backward", [&] {
    torch::Tensor out = AsTorch(*dx);
    torch::threshold_backward_out(out, AsTorch(dy), AsTorch(y), 0);
  });
}

absl::Status TorchBackend::AxpbyImpl(float alpha, const Tensor& x, float beta, Tensor* y) {
  return Guard("axpby", [&] {
    torch::Tensor Y = AsTorch(*y);
    if (beta == 0.0f) {
      torch::mul_out(Y, AsTorch(x), alpha);
    } else {
      Y.mul_(beta).add_(AsTorch(x), alpha);
    }
  });
}

absl::Status TorchBackend::MulImpl(const Tensor& a, const Tensor& b, Tensor* out) {
  return Guard("mul", [&] {
    torch::Tensor o = AsTorch(*out);
    torch::mul_out(o, AsTorch(a), AsTorch(b));
  });
}

// torch.optim.AdamW's single-tensor update, op for op.
absl::Status TorchBackend::AdamWImpl(const AdamWParams& p, int64_t step, const Tensor& grad,
                                     Tensor* param, Tensor* m, Tensor* v) {
  return Guard("adamw", [&] {
    torch::Tensor W = AsTorch(*param), M = AsTorch(*m), V = AsTorch(*v), G = AsTorch(grad);
    const double bc1 = 1.0 - std::pow(static_cast<double>(p.beta1), static_cast<double>(step));
    const double bc2 = 1.0 - std::pow(static_cast<double>(p.beta2), static_cast<double>(step));
    W.mul_(1.0 - p.lr * p.weight_decay);
    M.lerp_(G, 1.0 - p.beta1);
    V.mul_(p.beta2).addcmul_(G, G, 1.0 - p.beta2);
    torch::Tensor denom = (V.sqrt() / std::sqrt(bc2)).add_(p.eps);
    W.addcdiv_(M, denom, -p.lr / bc1);
  });
}

MONOSEM_REGISTER_BACKEND("torch", TorchBackend);

}  // namespace monosem
