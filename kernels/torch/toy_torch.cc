// The toy model through LibTorch, the way a PyTorch user writes it: batched
// matrix products over instances and autograd for the gradient (so this
// backend is also the autograd check of the hand-written backward passes).
#include <exception>

#include "absl/strings/str_cat.h"
#include "kernels/torch/torch_backend.h"
#include "monosem/models/toy/toy_kernels.h"

namespace monosem {
namespace {

class TorchToyKernels : public ToyKernels {
 public:
  using ToyKernels::ToyKernels;

 protected:
  absl::Status ForwardBackwardImpl(const ToyDims&, bool relu, const Tensor& x, const Tensor& w,
                                   const Tensor& b, const Tensor& importance, Tensor* loss,
                                   Tensor* dw, Tensor* db) override {
    try {
      const bool grad = dw != nullptr;
      torch::AutoGradMode mode(grad);
      torch::Tensor X = AsTorch(x);
      torch::Tensor W = AsTorch(w).detach().requires_grad_(grad);
      torch::Tensor Bv = AsTorch(b).detach().requires_grad_(grad);
      torch::Tensor I = AsTorch(importance);
      // [I, B, n] x [I, n, m] -> [I, B, m]; then [I, B, m] x [I, m, n] -> [I, B, n].
      torch::Tensor h = torch::bmm(X, W.transpose(1, 2));
      torch::Tensor out = torch::bmm(h, W) + Bv.unsqueeze(1);
      if (relu) out = torch::relu(out);
      torch::Tensor per = (I.unsqueeze(1) * (X - out).pow(2)).sum(-1).mean(-1);  // [I]
      AsTorch(*loss).copy_(per.detach());
      if (grad) {
        per.sum().backward();
        AsTorch(*dw).copy_(W.grad());
        AsTorch(*db).copy_(Bv.grad());
      }
      return absl::OkStatus();
    } catch (const std::exception& e) {
      return absl::InternalError(absl::StrCat("torch toy forward/backward: ", e.what()));
    }
  }
};

MONOSEM_REGISTER_KERNEL_SET(ToyKernels, "torch", TorchToyKernels);

}  // namespace
}  // namespace monosem
