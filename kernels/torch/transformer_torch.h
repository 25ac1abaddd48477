// The transformer on LibTorch: the kernel set of the torch backend (written as
// a good PyTorch user would, on tensors aliasing monosem's buffers) and the
// whole model through autograd, which the hand-written backward is checked
// against (tests/models/transformer/transformer_gradient_test.cc).
#ifndef MONOSEM_KERNELS_TORCH_TRANSFORMER_TORCH_H_
#define MONOSEM_KERNELS_TORCH_TRANSFORMER_TORCH_H_

#include "absl/status/statusor.h"
#include "monosem/models/transformer/transformer.h"

namespace monosem {

struct AutogradResult {
  double loss = 0.0;
  NamedTensors grads;
};

// Mean next-token loss and d loss / d every parameter, by torch autograd, in
// float32 (double_precision: in float64, then rounded to float32).
absl::StatusOr<AutogradResult> TorchAutogradLossAndGrads(const TransformerDims& dims,
                                                         const NamedTensors& params,
                                                         const TokenBatch& batch,
                                                         bool double_precision = false);

}  // namespace monosem

#endif  // MONOSEM_KERNELS_TORCH_TRANSFORMER_TORCH_H_
