// Launchers for the transformer kernels of the cuda backend
// (kernels/cuda/transformer.cu; driver transformer_cuda.cc; math and layouts
// in monosem/models/transformer/transformer_kernels.h). As cuda_kernels.h:
// enqueue on `stream`, return cudaGetLastError() after the launch; device
// pointers; row-major. Every output element is written by exactly one thread
// with a fixed summation order: deterministic, no float atomics.
#ifndef MONOSEM_KERNELS_CUDA_TRANSFORMER_CUDA_H_
#define MONOSEM_KERNELS_CUDA_TRANSFORMER_CUDA_H_

#include <cstdint>

#include <cuda_runtime.h>

namespace monosem::cuda {

// x[r] = W_E[tokens[r]] + W_pos[r % ctx].
cudaError_t LaunchEmbeddingForward(const int32_t* tokens, int64_t n, int64_t ctx, int64_t d,
                                   const float* w_e, const float* w_pos, float* x,
                                   cudaStream_t stream);
// counts[tokens[r]] += 1 (integer atomics; order-free).
cudaError_t LaunchTokenCounts(const int32_t* tokens, int64_t n, uint32_t* counts,
                              cudaStream_t stream);
// dW_E[v] = sum over rows[start[v] .. start[v+1]) of dx[row] (rows sorted
// stably by token, so the order is the row order); every vocab row written.
cudaError_t LaunchEmbeddingGather(const int32_t* start, const int32_t* rows, const float* dx,
                                  int64_t vocab, int64_t d, float* dw_e, cudaStream_t stream);
// dW_pos[s] = sum_b dx[b*ctx + s] for s < ctx, 0 for ctx <= s < positions.
cudaError_t LaunchPositionGrad(const float* dx, int64_t batch, int64_t ctx, int64_t positions,
                               int64_t d, float* dw_pos, cudaStream_t stream);

cudaError_t LaunchLayerNormForward(const float* x, const float* w, const float* b, float* y,
                                   float* mean, float* rstd, int64_t n, int64_t d, float eps,
                                   cudaStream_t stream);
// dx (one block per row) and dw, db (column blocks over the rows).
cudaError_t LaunchLayerNormBackward(const float* x, const float* w, const float* mean,
                                    const float* rstd, const float* dy, float* dx, float* dw,
                                    float* db, int64_t n, int64_t d, cudaStream_t stream);

// Causal attention, one warp per (batch, head, query row); softmax in fp32.
cudaError_t LaunchAttentionForward(const float* qkv, int64_t batch, int64_t ctx, int64_t heads,
                                   int64_t d, float* z, float* probs, cudaStream_t stream);
// Two passes: per query row (dS into `ds` [batch, heads, ctx, ctx], dQ), then
// per key row (dK, dV); every dqkv element owned by one thread.
cudaError_t LaunchAttentionBackward(const float* qkv, const float* probs, const float* dz,
                                    int64_t batch, int64_t ctx, int64_t heads, int64_t d,
                                    float* ds, float* dqkv, cudaStream_t stream);

// One block per row.
cudaError_t LaunchCrossEntropyForward(const float* logits, const int32_t* targets, int64_t n,
                                      int64_t v, float* losses, cudaStream_t stream);
cudaError_t LaunchCrossEntropyBackward(const float* logits, const int32_t* targets, int64_t n,
                                       int64_t v, float scale, float* dlogits,
                                       cudaStream_t stream);

// y = relu(y + b) per row (MLP in), and dh = acts > 0 ? dpre : 0.
cudaError_t LaunchBiasRelu(const float* b, float* y, int64_t rows, int64_t cols,
                           cudaStream_t stream);

}  // namespace monosem::cuda

#endif  // MONOSEM_KERNELS_CUDA_TRANSFORMER_CUDA_H_
