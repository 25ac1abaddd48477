// Elementwise kernels, SumRows and fused AdamW. Memory-bound: each is one pass
// over its operands with grid-stride loops (64-bit indices), so the floor is
// bytes moved / DRAM bandwidth (docs/kernels/cuda.md).
#include "kernels/cuda/cuda_kernels.h"

namespace monosem::cuda {
namespace {

constexpr int kThreads = 256;

inline unsigned Blocks(int64_t n) {
  int64_t b = (n + kThreads - 1) / kThreads;
  if (b < 1) b = 1;
  if (b > (int64_t{1} << 20)) b = int64_t{1} << 20;  // grid-stride covers the rest
  return static_cast<unsigned>(b);
}

#define MONOSEM_GRID_STRIDE(i, n)                                                  \
  for (int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; i < (n); \
       i += static_cast<int64_t>(gridDim.x) * blockDim.x)

__global__ void AddRowBiasKernel(const float* __restrict__ bias, float* __restrict__ x,
                                 int64_t total, int64_t cols) {
  MONOSEM_GRID_STRIDE(i, total) { x[i] += bias[i % cols]; }
}

// One block per 32 columns: threadIdx.x picks the column (coalesced rows),
// threadIdx.y strides over rows, then a fixed-order tree over y.
__global__ void SumRowsKernel(const float* __restrict__ x, float* __restrict__ out, int64_t rows,
                              int64_t cols) {
  __shared__ float part[8][33];
  const int64_t c = blockIdx.x * 32 + threadIdx.x;
  float acc = 0.0f;
  if (c < cols) {
    for (int64_t r = threadIdx.y; r < rows; r += 8) acc += x[r * cols + c];
  }
  part[threadIdx.y][threadIdx.x] = acc;
  __syncthreads();
  for (int s = 4; s > 0; s >>= 1) {
    if (threadIdx.y < s) part[threadIdx.y][threadIdx.x] += part[threadIdx.y + s][threadIdx.x];
    __syncthreads();
  }
  if (threadIdx.y == 0 && c < cols) out[c] = part[0][threadIdx.x];
}

__global__ void ReluKernel(const float* __restrict__ x, float* __restrict__ y, int64_t n) {
  MONOSEM_GRID_STRIDE(i, n) { y[i] = x[i] > 0.0f ? x[i] : 0.0f; }
}

__global__ void ReluBackwardKernel(const float* __restrict__ y, const float* __restrict__ dy,
                                   float* __restrict__ dx, int64_t n) {
  MONOSEM_GRID_STRIDE(i, n) { dx[i] = y[i] > 0.0f ? dy[i] : 0.0f; }
}

__global__ void AxpbyKernel(float alpha, const float* __restrict__ x, float beta,
                            float* __restrict__ y, int64_t n) {
  if (beta == 0.0f) {
    MONOSEM_GRID_STRIDE(i, n) { y[i] = alpha * x[i]; }
  } else {
    MONOSEM_GRID_STRIDE(i, n) { y[i] = alpha * x[i] + beta * y[i]; }
  }
}

__global__ void ScaleKernel(float beta, float* __restrict__ y, int64_t n) {
  MONOSEM_GRID_STRIDE(i, n) { y[i] = beta == 0.0f ? 0.0f : beta * y[i]; }
}

__global__ void MulKernel(const float* __restrict__ a, const float* __restrict__ b,
                          float* __restrict__ out, int64_t n) {
  MONOSEM_GRID_STRIDE(i, n) { out[i] = a[i] * b[i]; }
}

__global__ void AdamWKernel(float lr, float beta1, float beta2, float eps, float decay,
                            float bc1, float bc2, const float* __restrict__ grad,
                            float* __restrict__ param, float* __restrict__ m,
                            float* __restrict__ v, int64_t n) {
  MONOSEM_GRID_STRIDE(i, n) {
    const float g = grad[i];
    const float mi = beta1 * m[i] + (1.0f - beta1) * g;
    const float vi = beta2 * v[i] + (1.0f - beta2) * g * g;
    float w = param[i] * decay;
    w -= lr * (mi / bc1) / (sqrtf(vi / bc2) + eps);
    m[i] = mi;
    v[i] = vi;
    param[i] = w;
  }
}

}  // namespace

cudaError_t LaunchAddRowBias(const float* bias, float* x, int64_t rows, int64_t cols,
                             cudaStream_t stream) {
  const int64_t total = rows * cols;
  if (total == 0) return cudaSuccess;
  AddRowBiasKernel<<<Blocks(total), kThreads, 0, stream>>>(bias, x, total, cols);
  return cudaGetLastError();
}

cudaError_t LaunchSumRows(const float* x, float* out, int64_t rows, int64_t cols,
                          cudaStream_t stream) {
  if (cols == 0) return cudaSuccess;
  const unsigned blocks = static_cast<unsigned>((cols + 31) / 32);
  SumRowsKernel<<<blocks, dim3(32, 8), 0, stream>>>(x, out, rows, cols);
  return cudaGetLastError();
}

cudaError_t LaunchRelu(const float* x, float* y, int64_t n, cudaStream_t stream) {
  if (n == 0) return cudaSuccess;
  ReluKernel<<<Blocks(n), kThreads, 0, stream>>>(x, y, n);
  return cudaGetLastError();
}

cudaError_t LaunchReluBackward(const float* y, const float* dy, float* dx, int64_t n,
                               cudaStream_t stream) {
  if (n == 0) return cudaSuccess;
  ReluBackwardKernel<<<Blocks(n), kThreads, 0, stream>>>(y, dy, dx, n);
  return cudaGetLastError();
}

cudaError_t LaunchAxpby(float alpha, const float* x, float beta, float* y, int64_t n,
                        cudaStream_t stream) {
  if (n == 0) return cudaSuccess;
  AxpbyKernel<<<Blocks(n), kThreads, 0, stream>>>(alpha, x, beta, y, n);
  return cudaGetLastError();
}

cudaError_t LaunchScale(float beta, float* y, int64_t n, cudaStream_t stream) {
  if (n == 0) return cudaSuccess;
  ScaleKernel<<<Blocks(n), kThreads, 0, stream>>>(beta, y, n);
  return cudaGetLastError();
}

cudaError_t LaunchMul(const float* a, const float* b, float* out, int64_t n,
                      cudaStream_t stream) {
  if (n == 0) return cudaSuccess;
  MulKernel<<<Blocks(n), kThreads, 0, stream>>>(a, b, out, n);
  return cudaGetLastError();
}

cudaError_t LaunchAdamW(float lr, float beta1, float beta2, float eps, float weight_decay,
                        double bc1, double bc2, const float* grad, float* param, float* m,
                        float* v, int64_t n, cudaStream_t stream) {
  if (n == 0) return cudaSuccess;
  const float decay = static_cast<float>(1.0 - static_cast<double>(lr) * weight_decay);
  AdamWKernel<<<Blocks(n), kThreads, 0, stream>>>(lr, beta1, beta2, eps, decay,
                                                  static_cast<float>(bc1),
                                                  static_cast<float>(bc2), grad, param, m, v, n);
  return cudaGetLastError();
}

}  // namespace monosem::cuda
