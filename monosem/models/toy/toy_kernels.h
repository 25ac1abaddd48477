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
// its backend name with MONOSEM_REGISTER_KERNEL_SET(ToyKernels, ...); the
// model, the training loop, the tests and the benchmark create it from the
// Backend they run on (ToyKernelsRegistry::Create(backend), monosem/kernel_set.h).
#ifndef MONOSEM_MODELS_TOY_TOY_KERNELS_H_
#define MONOSEM_MODELS_TOY_TOY_KERNELS_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "monosem/kernel_set.h"
#include "monosem/tensor.h"

namespace monosem {

struct ToyDims {
  int64_t instances = 0;  // I
  int64_t batch = 0;      // B
  int64_t n = 0;          // features
  int64_t m = 0;          // hidden dimensions
};

class ToyKernels : public KernelSet {
 public:
  static constexpr char kRegistryKind[] = "toy kernels";
  explicit ToyKernels(Backend& backend) : KernelSet(backend) {}

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

using ToyKernelsRegistry = KernelSetRegistry<ToyKernels>;

}  // namespace monosem

#endif  // MONOSEM_MODELS_TOY_TOY_KERNELS_H_
