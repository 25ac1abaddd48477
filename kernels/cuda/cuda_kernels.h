// Launchers for the hand-written CUDA kernels (elementwise.cu, toy.cu,
// philox.cu). Each enqueues on `stream` and returns the launch status
// (cudaGetLastError right after the launch), so callers turn it into an
// absl::Status with their file:line (cuda_check.h). Pointers are device
// pointers; sizes are element counts.
#ifndef MONOSEM_KERNELS_CUDA_CUDA_KERNELS_H_
#define MONOSEM_KERNELS_CUDA_CUDA_KERNELS_H_

#include <cstdint>

#include <cuda_runtime.h>

namespace monosem::cuda {

// x[r, c] += bias[c] for x of rows x cols.
cudaError_t LaunchAddRowBias(const float* bias, float* x, int64_t rows, int64_t cols,
                             cudaStream_t stream);
// out[c] = sum_r x[r, c]; deterministic (fixed reduction order, no atomics).
cudaError_t LaunchSumRows(const float* x, float* out, int64_t rows, int64_t cols,
                          cudaStream_t stream);
cudaError_t LaunchRelu(const float* x, float* y, int64_t n, cudaStream_t stream);
cudaError_t LaunchReluBackward(const float* y, const float* dy, float* dx, int64_t n,
                               cudaStream_t stream);
// y = alpha x + beta y; with beta == 0, y is write-only (NaN does not propagate).
cudaError_t LaunchAxpby(float alpha, const float* x, float beta, float* y, int64_t n,
                        cudaStream_t stream);
// y = beta * y, or y = 0 when beta == 0 (GEMM with k == 0).
cudaError_t LaunchScale(float beta, float* y, int64_t n, cudaStream_t stream);
cudaError_t LaunchMul(const float* a, const float* b, float* out, int64_t n,
                      cudaStream_t stream);
// Fused AdamW (PyTorch's update order); bc1 = 1 - beta1^t, bc2 = 1 - beta2^t
// are computed on the host in double.
cudaError_t LaunchAdamW(float lr, float beta1, float beta2, float eps, float weight_decay,
                        double bc1, double bc2, const float* grad, float* param, float* m,
                        float* v, int64_t n, cudaStream_t stream);

// Philox4x32-10 fills, element i exactly as monosem/philox.h addresses it:
//   uniform: lo + (hi - lo) * UniformAt(i);  normal: mean + stddev * NormalAt(i);
//   words:   WordAt(i) (raw 32-bit words, for the known-answer tests).
cudaError_t LaunchPhiloxUniform(uint64_t seed, uint64_t stream_id, float lo, float hi,
                                float* out, int64_t n, cudaStream_t stream);
cudaError_t LaunchPhiloxNormal(uint64_t seed, uint64_t stream_id, float mean, float stddev,
                               float* out, int64_t n, cudaStream_t stream);
cudaError_t LaunchPhiloxWords(uint64_t seed, uint64_t stream_id, uint32_t* out, int64_t n,
                              cudaStream_t stream);
// The raw bijection on explicit counters/keys: out[4j..4j+3] = Philox4x32_10(
// ctr[4j..4j+3], key[2j..2j+1]) (Random123 known-answer vectors).
cudaError_t LaunchPhiloxRaw(const uint32_t* ctr, const uint32_t* key, uint32_t* out,
                            int64_t count, cudaStream_t stream);

// The toy model's fused forward/backward, one thread block per instance
// (monosem/models/toy/toy_kernels.h layouts). dw and db both null: forward only.
cudaError_t LaunchToyForwardBackward(bool relu, const float* x, const float* w,
                                     const float* b, const float* importance, float* loss,
                                     float* dw, float* db, int64_t instances, int64_t batch,
                                     int64_t n, int64_t m, cudaStream_t stream);

}  // namespace monosem::cuda

#endif  // MONOSEM_KERNELS_CUDA_CUDA_KERNELS_H_
