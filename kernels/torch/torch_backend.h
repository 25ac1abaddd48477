// The LibTorch peer: the same math written the way a good PyTorch user would
// write it (torch ops on tensors that alias monosem's buffers, out= variants
// where they exist). It is what users would otherwise pick, so benchmarks
// measure monosem against it, and its autograd checks hand-written gradients.
#ifndef MONOSEM_KERNELS_TORCH_TORCH_BACKEND_H_
#define MONOSEM_KERNELS_TORCH_TORCH_BACKEND_H_

#include <torch/torch.h>

#include <exception>
#include <string>

#include "monosem/backend.h"

namespace monosem {

// A torch::Tensor that aliases a monosem host tensor (no copy).
torch::Tensor AsTorch(const Tensor& t);

// LibTorch reports errors by exception; monosem uses Status. Runs f (under
// NoGradGuard unless autograd is wanted) and turns an exception into an
// Internal error naming the op.
template <typename F>
absl::Status TorchGuard(const std::string& op, F&& f, bool no_grad = true) {
  try {
    if (no_grad) {
      torch::NoGradGuard guard;
      f();
    } else {
      f();
    }
    return absl::OkStatus();
  } catch (const std::exception& e) {
    return absl::InternalError("torch " + op + ": " + e.what());
  }
}

class TorchBackend : public Backend {
 public:
  std::string name() const override { return "torch"; }

 protected:
  MONOSEM_BACKEND_KERNEL_OVERRIDES;
};

}  // namespace monosem

#endif  // MONOSEM_KERNELS_TORCH_TORCH_BACKEND_H_
