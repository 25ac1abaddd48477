// The backend interface: every kernel the models are written against.
//
// Models and training loops call these methods and never a backend directly,
// so a new backend (a new CPU kernel set, a GPU) is one new subclass plus one
// registration line, and every cross-backend test and benchmark covers it.
//
// Public methods validate shapes once, here, for every backend (so a shape
// mismatch gives the same clear error everywhere) and then call the protected
// *Impl virtual that a backend overrides. Conventions:
//   - tensors are row-major float32; shapes are checked exactly;
//   - outputs are written, never read, unless the op says otherwise (GEMM with
//     beta != 0, in-place updates), so poisoned outputs must be overwritten;
//   - `reference` accumulates in double and is the specification.
#ifndef MONOSEM_BACKEND_H_
#define MONOSEM_BACKEND_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "monosem/registry.h"
#include "monosem/tensor.h"

namespace monosem {

enum class Trans { kNo, kYes };

// PyTorch's AdamW (decoupled weight decay), one step.
struct AdamWParams {
  float lr = 1e-3f;
  float beta1 = 0.9f;
  float beta2 = 0.999f;
  float eps = 1e-8f;
  float weight_decay = 0.01f;
};

class Backend {
 public:
  static constexpr char kRegistryKind[] = "backend";

  virtual ~Backend() = default;

  virtual std::string name() const = 0;
  // The registered backend this one derives from ("" for none). A backend
  // that subclasses another (say the cpu backend with one kernel replaced)
  // names it here and then runs on its parent's kernel sets, constructed on
  // itself, without registering kernel sets of its own (monosem/kernel_set.h).
  virtual std::string parent() const { return ""; }
  virtual Device device() const { return Device::kHost; }
  // OK when the backend can run here; otherwise why not (no GPU, say). Tests
  // skip an unavailable backend with this message.
  virtual absl::Status Available() const { return absl::OkStatus(); }

  // C[M,N] = alpha * op(A) op(B) + beta * C, op(A) is [M,K] and op(B) is [K,N].
  // A is stored [M,K] (kNo) or [K,M] (kYes); likewise B. With beta == 0, C is
  // write-only (NaN in C does not propagate), as in BLAS.
  absl::Status Gemm(Trans ta, Trans tb, float alpha, const Tensor& a, const Tensor& b,
                    float beta, Tensor* c);

  // x[M,N] += bias[N] on every row.
  absl::Status AddRowBias(const Tensor& bias, Tensor* x);
  // out[N] = sum over rows of x[M,N] (a bias gradient; reduction depth M).
  absl::Status SumRows(const Tensor& x, Tensor* out);
  // y = max(x, 0).
  absl::Status Relu(const Tensor& x, Tensor* y);
  // dx = dy where y > 0, else 0 (y is the ReLU's output).
  absl::Status ReluBackward(const Tensor& y, const Tensor& dy, Tensor* dx);
  // y = alpha * x + beta * y (in place on y).
  absl::Status Axpby(float alpha, const Tensor& x, float beta, Tensor* y);
  // out = a * b elementwise.
  absl::Status Mul(const Tensor& a, const Tensor& b, Tensor* out);
  // One AdamW step at 1-based `step` on param, moment m and second moment v,
  // all of the same shape as grad.
  absl::Status AdamW(const AdamWParams& p, int64_t step, const Tensor& grad, Tensor* param,
                     Tensor* m, Tensor* v);

 protected:
  // Gemm's shapes, resolved: op(A) is m x k, op(B) is k x n.
  struct GemmShape {
    int64_t m, n, k;
  };
  virtual absl::Status GemmImpl(Trans ta, Trans tb, const GemmShape& s, float alpha,
                                const Tensor& a, const Tensor& b, float beta, Tensor* c) = 0;
  virtual absl::Status AddRowBiasImpl(const Tensor& bias, Tensor* x) = 0;
  virtual absl::Status SumRowsImpl(const Tensor& x, Tensor* out) = 0;
  virtual absl::Status ReluImpl(const Tensor& x, Tensor* y) = 0;
  virtual absl::Status ReluBackwardImpl(const Tensor& y, const Tensor& dy, Tensor* dx) = 0;
  virtual absl::Status AxpbyImpl(float alpha, const Tensor& x, float beta, Tensor* y) = 0;
  virtual absl::Status MulImpl(const Tensor& a, const Tensor& b, Tensor* out) = 0;
  virtual absl::Status AdamWImpl(const AdamWParams& p, int64_t step, const Tensor& grad,
                                 Tensor* param, Tensor* m, Tensor* v) = 0;
};

// Declares every *Impl override in a backend class, so that adding a kernel
// to the interface is one line here plus its implementations.
#define MONOSEM_BACKEND_KERNEL_OVERRIDES                                              \
  absl::Status GemmImpl(::monosem::Trans ta, ::monosem::Trans tb, const GemmShape& s,  \
                        float alpha, const ::monosem::Tensor& a,                      \
                        const ::monosem::Tensor& b, float beta, ::monosem::Tensor* c) \
      override;                                                                       \
  absl::Status AddRowBiasImpl(const ::monosem::Tensor& bias, ::monosem::Tensor* x)    \
      override;                                                                       \
  absl::Status SumRowsImpl(const ::monosem::Tensor& x, ::monosem::Tensor* out)        \
      override;                                                                       \
  absl::Status ReluImpl(const ::monosem::Tensor& x, ::monosem::Tensor* y) override;  \
  absl::Status ReluBackwardImpl(const ::monosem::Tensor& y, const ::monosem::Tensor& dy, \
                                ::monosem::Tensor* dx) override;                      \
  absl::Status AxpbyImpl(float alpha, const ::monosem::Tensor& x, float beta,         \
                         ::monosem::Tensor* y) override;                              \
  absl::Status MulImpl(const ::monosem::Tensor& a, const ::monosem::Tensor& b,        \
                       ::monosem::Tensor* out) override;                              \
  absl::Status AdamWImpl(const ::monosem::AdamWParams& p, int64_t step,               \
                         const ::monosem::Tensor& grad, ::monosem::Tensor* param,     \
                         ::monosem::Tensor* m, ::monosem::Tensor* v) override

// Backends register a factory under a unique name at static-initialization
// time (MONOSEM_REGISTER_BACKEND in the backend's .cc, linked with alwayslink).
// Create(name) -> StatusOr<unique_ptr<Backend>>; Names() sorted, "reference"
// first; an unknown name's NotFound lists the registered ones.
using BackendRegistry = Registry<Backend>;

#define MONOSEM_REGISTER_BACKEND(name, cls) \
  MONOSEM_REGISTER(::monosem::BackendRegistry, name, \
                   [] { return std::unique_ptr<::monosem::Backend>(new cls()); })

}  // namespace monosem

#endif  // MONOSEM_BACKEND_H_
