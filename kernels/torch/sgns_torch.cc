// Skip-gram with negative sampling through LibTorch, with autograd: each
// target's loss term −log σ(±l·o) is differentiated by autograd and the step
// −lr·grad applied, which is the update sgns_kernels.h writes out by hand
// (g·o for the input vector, g·l for the target's output vector). So this
// backend is the autograd check of that update. It keeps the contract's
// order (pairs in sequence; within a pair the targets in sequence, each seeing
// the output rows as the previous targets left them, the input vector fixed
// until the pair ends), which makes it a row-at-a-time loop of small tensor
// ops: a peer for correctness, far too slow to train Brown with.
#include <exception>

#include "absl/strings/str_cat.h"
#include "kernels/torch/torch_backend.h"
#include "monosem/models/embeddings/sgns_kernels.h"

namespace monosem {
namespace {

class TorchSgnsKernels : public SgnsKernels {
 public:
  using SgnsKernels::SgnsKernels;

 protected:
  absl::Status TrainImpl(const SgnsBatch& batch, Tensor* in_vectors, Tensor* out_vectors,
                         double* loss) override {
    try {
      torch::Tensor in = AsTorch(*in_vectors), out = AsTorch(*out_vectors);
      const int K = batch.negatives_per_pair;
      double total = 0.0;
      for (int64_t p = 0; p < batch.pairs(); ++p) {
        torch::Tensor row = in[batch.input[p]];
        const torch::Tensor l0 = row.detach().clone();
        torch::Tensor e = torch::zeros_like(l0);
        const double lr = batch.lr[p];
        for (int k = -1; k < K; ++k) {
          const int64_t t = k < 0 ? batch.output[p] : batch.negatives[p * K + k];
          if (k >= 0 && t == batch.output[p]) continue;
          torch::Tensor l = l0.clone().requires_grad_(true);
          torch::Tensor o = out[t].detach().clone().requires_grad_(true);
          torch::Tensor f = (l * o).sum();
          torch::Tensor term = -torch::log_sigmoid(k < 0 ? f : -f);
          term.backward();
          total += term.item<double>();
          e.sub_(l.grad(), lr);
          out[t].sub_(o.grad(), lr);
        }
        row.add_(e);
      }
      if (loss != nullptr) *loss += total;
      return absl::OkStatus();
    } catch (const std::exception& ex) {
      return absl::InternalError(absl::StrCat("torch skip-gram kernels: ", ex.what()));
    }
  }
};

MONOSEM_REGISTER_KERNEL_SET(SgnsKernels, "torch", TorchSgnsKernels);

}  // namespace
}  // namespace monosem
