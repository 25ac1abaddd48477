// The LibTorch peer for SAEs, written as a good PyTorch user would: the loss
// as torch ops (dense topk + scatter, dense decode), gradients by autograd.
// Tests also call it in float64 to check every hand-written backward pass.
#ifndef MONOSEM_KERNELS_TORCH_SAE_TORCH_H_
#define MONOSEM_KERNELS_TORCH_SAE_TORCH_H_

#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "monosem/models/sae/sae_kernels.h"

namespace monosem::sae {

// The training loss and its autograd gradients (in float64 when asked; the
// results are returned as float32 tensors, the loss terms as double).
absl::Status TorchAutogradLossAndGrad(const SaeSpec& spec, const SaeParams& p, const Tensor& x,
                                      const std::vector<uint8_t>& dead, bool float64,
                                      SaeStepOut* out, SaeCodes* codes);

}  // namespace monosem::sae

#endif  // MONOSEM_KERNELS_TORCH_SAE_TORCH_H_
