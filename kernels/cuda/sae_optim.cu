// The SAE's optimizer kernels on the cuda backend (launchers declared in
// kernels/cuda/sae_cuda.h, driven by sae_cuda_optim.cc): the decoder-norm
// steps (project the decoder gradient off its rows, renormalize the rows) and
// one fused Adam step over every parameter tensor in a single launch.
//
// Each decoder row is one warp with a butterfly sum (fixed order); Adam is
// elementwise, the same float formula as the cpu kernels.
#include "kernels/cuda/reduce.cuh"
#include "kernels/cuda/sae_cuda.h"

namespace monosem::cuda {
namespace {

__global__ void ProjectDecoderGradKernel(const float* __restrict__ w, float* __restrict__ g,
                                         int64_t rows, int64_t d) {
  const int lane = threadIdx.x & 31;
  for (int64_t r = (blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x) >> 5; r < rows;
       r += (static_cast<int64_t>(gridDim.x) * blockDim.x) >> 5) {
    const float* wr = w + r * d;
    float* gr = g + r * d;
    float dot = 0.0f, nn = 0.0f;
    for (int64_t j = lane; j < d; j += 32) {
      dot += wr[j] * gr[j];
      nn += wr[j] * wr[j];
    }
    for (int o = 16; o > 0; o >>= 1) {
      dot += __shfl_xor_sync(kFullMask, dot, o);
      nn += __shfl_xor_sync(kFullMask, nn, o);
    }
    if (nn == 0.0f) continue;  // uniform across the warp
    const float c = dot / nn;
    for (int64_t j = lane; j < d; j += 32) gr[j] -= c * wr[j];
  }
}

__global__ void NormalizeRowsKernel(float* __restrict__ w, int64_t rows, int64_t d) {
  const int lane = threadIdx.x & 31;
  for (int64_t r = (blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x) >> 5; r < rows;
       r += (static_cast<int64_t>(gridDim.x) * blockDim.x) >> 5) {
    float* wr = w + r * d;
    float nn = 0.0f;
    for (int64_t j = lane; j < d; j += 32) nn += wr[j] * wr[j];
    for (int o = 16; o > 0; o >>= 1) nn += __shfl_xor_sync(kFullMask, nn, o);
    if (nn == 0.0f) continue;
    const float inv = 1.0f / sqrtf(nn);
    for (int64_t j = lane; j < d; j += 32) wr[j] *= inv;
  }
}

__global__ void AdamKernel(SaeAdamSlots s, float b1, float b2, float eps, float step_size,
                           float bc2_sqrt) {
  const int64_t total = s.end[s.count - 1];
  for (int64_t t = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; t < total;
       t += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    int k = 0;
    while (t >= s.end[k]) ++k;
    const int64_t i = t - (k > 0 ? s.end[k - 1] : 0);
    const float g = s.g[k][i];
    const float m = b1 * s.m[k][i] + (1.0f - b1) * g;
    const float v = b2 * s.v[k][i] + (1.0f - b2) * g * g;
    s.m[k][i] = m;
    s.v[k][i] = v;
    s.p[k][i] -= step_size * m / (sqrtf(v) / bc2_sqrt + eps);
  }
}

}  // namespace

cudaError_t LaunchSaeProjectDecoderGrad(const float* w, float* g, int64_t rows, int64_t d,
                                        cudaStream_t stream) {
  ProjectDecoderGradKernel<<<WarpRowBlocks(rows), 256, 0, stream>>>(w, g, rows, d);
  return cudaGetLastError();
}

cudaError_t LaunchSaeNormalizeRows(float* w, int64_t rows, int64_t d, cudaStream_t stream) {
  NormalizeRowsKernel<<<WarpRowBlocks(rows), 256, 0, stream>>>(w, rows, d);
  return cudaGetLastError();
}

cudaError_t LaunchSaeAdam(const SaeAdamSlots& s, float beta1, float beta2, float eps,
                          float step_size, float bc2_sqrt, cudaStream_t stream) {
  if (s.count <= 0 || s.end[s.count - 1] == 0) return cudaSuccess;
  AdamKernel<<<GridFor(s.end[s.count - 1], 256), 256, 0, stream>>>(s, beta1, beta2, eps,
                                                                  step_size, bc2_sqrt);
  return cudaGetLastError();
}

}  // namespace monosem::cuda
