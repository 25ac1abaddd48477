// The toy model's cuda kernels (toy.cu: one thread block per instance).
//
// ToyKernels::ForwardBackward takes host tensors (the registry interface), so
// the registered "cuda" toy kernels stage through device buffers like the
// cuda backend does. CudaToyForwardBackward is the device-resident entry
// point (every tensor Device::kCuda, shapes as in toy_kernels.h), for the
// benchmark and GPU-resident training: no copies, asynchronous.
#ifndef MONOSEM_KERNELS_CUDA_TOY_CUDA_H_
#define MONOSEM_KERNELS_CUDA_TOY_CUDA_H_

#include "absl/status/status.h"
#include "monosem/tensor.h"

namespace monosem {

absl::Status CudaToyForwardBackward(bool relu, const Tensor& x, const Tensor& w,
                                    const Tensor& b, const Tensor& importance, Tensor* loss,
                                    Tensor* dw, Tensor* db);

}  // namespace monosem

#endif  // MONOSEM_KERNELS_CUDA_TOY_CUDA_H_
