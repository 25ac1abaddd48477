#include "reference/reference_backend.h"

#include <cmath>

namespace monosem {

absl::Status ReferenceBackend::GemmImpl(Trans ta, Trans tb, const GemmShape& s, float alpha,
                                        const Tensor& a, const Tensor& b, float beta,
                                        Tensor* c) {
  const float* A = a.data();
  const float* B = b.data();
  float* C = c->data();
  for (int64_t i = 0; i < s.m; ++i) {
    for (int64_t j = 0; j < s.n; ++j) {
      double acc = 0.0;
      for (int64_t p = 0; p < s.k; ++p) {
        double av = ta == Trans::kNo ? A[i * s.k + p] : A[p * s.m + i];
        double bv = tb == Trans::kNo ? B[p * s.n + j] : B[j * s.k + p];
        acc += av * bv;
      }
      double out = static_cast<double>(alpha) * acc;
      if (beta != 0.0f) out += static_cast<double>(beta) * C[i * s.n + j];
      C[i * s.n + j] = static_cast<float>(out);
    }
  }
  return absl::OkStatus();
}

absl::Status ReferenceBackend::AddRowBiasImpl(const Tensor& bias, Tensor* x) {
  const int64_t rows = x->dim(0), cols = x->dim(1);
  for (int64_t i = 0; i < rows; ++i) {
    for (int64_t j = 0; j < cols; ++j) {
      float& v = (*x)[i * cols + j];
      v = static_cast<float>(static_cast<double>(v) + bias[j]);
    }
  }
  return absl::OkStatus();
}

absl::Status ReferenceBackend::SumRowsImpl(const Tensor& x, Tensor* out) {
  const int64_t rows = x.dim(0), cols = x.dim(1);
  for (int64_t j = 0; j < cols; ++j) {
    double acc = 0.0;
    for (int64_t i = 0; i < rows; ++i) acc += x[i * cols + j];
    (*out)[j] = static_cast<float>(acc);
  }
  return absl::OkStatus();
}

absl::Status ReferenceBackend::ReluImpl(const Tensor& x, Tensor* y) {
  for (int64_t i = 0; i < x.size(); ++i) (*y)[i] = x[i] > 0.0f ? x[i] : 0.0f;
  return absl::OkStatus();
}

absl::Status ReferenceBackend::ReluBackwardImpl(const Tensor& y, const Tensor& dy, Tensor* dx) {
  for (int64_t i = 0; i < y.size(); ++i) (*dx)[i] = y[i] > 0.0f ? dy[i] : 0.0f;
  return absl::OkStatus();
}

absl::Status ReferenceBackend::AxpbyImpl(float alpha, const Tensor& x, float beta, Tensor* y) {
  for (int64_t i = 0; i < x.size(); ++i) {
    double out = static_cast<double>(alpha) * x[i];
    if (beta != 0.0f) out += static_cast<double>(beta) * (*y)[i];
    (*y)[i] = static_cast<float>(out);
  }
  return absl::OkStatus();
}

absl::Status ReferenceBackend::MulImpl(const Tensor& a, const Tensor& b, Tensor* out) {
  for (int64_t i = 0; i < a.size(); ++i) {
    (*out)[i] = static_cast<float>(static_cast<double>(a[i]) * b[i]);
  }
  return absl::OkStatus();
}

// PyTorch's torch.optim.AdamW update, in double:
//   p <- p * (1 - lr * wd)
//   m <- b1 m + (1 - b1) g;  v <- b2 v + (1 - b2) g^2
//   p <- p - lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)
absl::Status ReferenceBackend::AdamWImpl(const AdamWParams& p, int64_t step, const Tensor& grad,
                                         Tensor* param, Tensor* m, Tensor* v) {
  const double b1 = p.beta1, b2 = p.beta2, lr = p.lr;
  const double bc1 = 1.0 - std::pow(b1, static_cast<double>(step));
  const double bc2 = 1.0 - std::pow(b2, static_cast<double>(step));
  for (int64_t i = 0; i < grad.size(); ++i) {
    const double g = grad[i];
    double w = static_cast<double>((*param)[i]) * (1.0 - lr * p.weight_decay);
    const double mi = b1 * (*m)[i] + (1.0 - b1) * g;
    const double vi = b2 * (*v)[i] + (1.0 - b2) * g * g;
    w -= lr * (mi / bc1) / (std::sqrt(vi / bc2) + p.eps);
    (*m)[i] = static_cast<float>(mi);
    (*v)[i] = static_cast<float>(vi);
    (*param)[i] = static_cast<float>(w);
  }
  return absl::OkStatus();
}

MONOSEM_REGISTER_BACKEND("reference", ReferenceBackend);

}  // namespace monosem
