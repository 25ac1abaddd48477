// The toy model of superposition's kernels (Elhage et al., 2022), per backend.
//
// Many independent instances train at once. For instance j:
//   h = W_j x,  x' = ReLU(W_jᵀ h + b_j)  (or without the ReLU: the linear model)
//   loss_j = mean over the batch of Σ_i I_ji (x_i − x'_i)²
// The gradient is that of Σ_j loss_j (each instance's parameters only see their
// own loss, as in the official notebook).
//
// Layouts (row-major float32):
//   x          [I, B, n]   inputs, one batch per instance
//   w          [I, m, n]   W_j; column i of W_j is feature i's direction
//   b          [I, n]
//   importance [I, n]
//   loss       [I]         written
//   dw, db     [I, m, n], [I, n]  written when non-null (both or neither)
//
// A backend adds its kernels by subclassing ToyKernels and registering it under
// its backend name with MONOSEM_REGISTER_TOY_KERNELS; the model, the training
// loop, the tests and the benchmark find it by that name, so a new backend
// (cuda, say) is one file and one registration line.
#ifndef MONOSEM_MODELS_TOY_TOY_KERNELS_H_
#define MONOSEM_MODELS_TOY_TOY_KERNELS_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "monosem/tensor.h"

namespace monosem {

struct ToyDims {
  int64_t instances = 0;  // I
  int64_t batch = 0;      // B
  int64_t n = 0;          // features
  int64_t m = 0;          // hidden dimensions
};

class ToyKernels {
 public:
  virtual ~ToyKernels() = default;
  virtual std::string name() const = 0;
  // Ok where these kernels can run here. A kernel set that needs hardware the
  // machine may lack (cuda) registers unconditionally and says why it cannot
  // run ("no CUDA device: ..."); the toy suites skip it with that message.
  virtual absl::Status Available() const { return absl::OkStatus(); }

  // Forward (loss per instance) and, when dw and db are non-null, the backward
  // pass. Shapes are validated here for every backend.
  absl::Status ForwardBackward(bool relu, const Tensor& x, const Tensor& w, const Tensor& b,
                               const Tensor& importance, Tensor* loss, Tensor* dw, Tensor* db);

 protected:
  virtual absl::Status ForwardBackwardImpl(const ToyDims& d, bool relu, const Tensor& x,
                                           const Tensor& w, const Tensor& b,
                                           const Tensor& importance, Tensor* loss, Tensor* dw,
                                           Tensor* db) = 0;
};

class ToyKernelsRegistry {
 public:
  using Factory = std::function<std::unique_ptr<ToyKernels>()>;
  static bool Register(const std::string& backend, Factory factory);
  // "unknown toy kernels for backend 'x' (have: ...)" when not registered.
  static absl::StatusOr<std::unique_ptr<ToyKernels>> Create(const std::string& backend);
  static std::vector<std::string> Names();  // sorted, "reference" first
};

#define MONOSEM_REGISTER_TOY_KERNELS(name, cls)                           \
  static const bool monosem_toy_kernels_registered_##cls =                \
      ::monosem::ToyKernelsRegistry::Register(name, [] {                  \
        return std::unique_ptr<::monosem::ToyKernels>(new cls());         \
      })

}  // namespace monosem

#endif  // MONOSEM_MODELS_TOY_TOY_KERNELS_H_
