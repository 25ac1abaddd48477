// The LibTorch peer: the same math written the way a good PyTorch user would
// write it (torch ops on tensors that alias monosem's buffers, out= variants
// where they exist). It is what users would otherwise pick, so benchmarks
// measure monosem against it, and its autograd checks hand-written gradients.
#ifndef MONOSEM_KERNELS_TORCH_TORCH_BACKEND_H_
#define MONOSEM_KERNELS_TORCH_TORCH_BACKEND_H_

#include <torch/torch.h>

#include "monosem/backend.h"

namespace monosem {

// A torch::Tensor that aliases a monosem host tensor (no copy).
torch::Tensor AsTorch(const Tensor& t);

class TorchBackend : public Backend {
 public:
  std::string name() const override { return "torch"; }

 protected:
  absl::Status GemmImpl(Trans ta, Trans tb, const GemmShape& s, float alpha, const Tensor& a,
                        const Tensor& b, float beta, Tensor* c) override;
  absl::Status AddRowBiasImpl(const Tensor& bias, Tensor* x) override;
  absl::Status SumRowsImpl(const Tensor& x, Tensor* out) override;
  absl::Status ReluImpl(const Tensor& x, Tensor* y) override;
  absl::Status ReluBackwardImpl(const Tensor& y, const Tensor& dy, Tensor* dx) override;
  absl::Status AxpbyImpl(float alpha, const Tensor& x, float beta, Tensor* y) override;
  absl::Status MulImpl(const Tensor& a, const Tensor& b, Tensor* out) override;
  absl::Status AdamWImpl(const AdamWParams& p, int64_t step, const Tensor& grad, Tensor* param,
                         Tensor* m, Tensor* v) override;
};

}  // namespace monosem

#endif  // MONOSEM_KERNELS_TORCH_TORCH_BACKEND_H_
