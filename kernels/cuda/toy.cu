// The toy model's fused forward/backward, one thread block per instance (the
// instances are independent and tiny: m x n = 5 x 20 ... 30 x 400). The block
// walks its batch one sample at a time; per sample b (p = pre-activation,
// g = dL/dp, as in kernels/cpu/toy_cpu.cc):
//   h = W x (a warp per row k);  p = b + Wᵀh, loss, g (a thread per feature i);
//   db += g;  dh = W g (a warp per row k);  dW += h gᵀ + dh xᵀ (a thread per element)
// W and the dW accumulator live in shared memory when they fit (2·m·n floats
// plus the vectors: 101 KB at 30 x 400), else in global memory through the
// same generic pointers. Each element of dW/db is owned by one thread for the
// whole batch, so there are no atomics and the result is deterministic.
#include "kernels/cuda/cuda_kernels.h"
#include "kernels/cuda/reduce.cuh"

namespace monosem::cuda {
namespace {

constexpr int kThreads = 256;
constexpr int kWarps = kThreads / 32;
// Opt-in shared memory per block on sm_90 is 227 KB; stay below it.
constexpr size_t kMaxShared = 200 * 1024;

__global__ void __launch_bounds__(kThreads)
    ToyKernel(bool relu, bool grad, bool in_shared, const float* __restrict__ X,
              const float* __restrict__ W_all, const float* __restrict__ b_all,
              const float* __restrict__ imp_all, float* __restrict__ loss,
              float* __restrict__ dW_all, float* __restrict__ db_all, int batch, int n, int m) {
  extern __shared__ float smem[];
  const int64_t j = blockIdx.x;
  const int64_t mn = static_cast<int64_t>(m) * n;
  const float* x_all = X + j * batch * n;
  const float* bias = b_all + j * n;
  const float* imp = imp_all + j * n;
  float* x = smem;        // [n]
  float* g = x + n;       // [n] pre-activation, then g
  float* db = g + n;      // [n]
  float* h = db + n;      // [m]
  float* dh = h + m;      // [m]
  __shared__ double warp_loss[kWarps];
  const float* W;
  float* dW;
  if (in_shared) {
    float* Ws = dh + m;
    for (int64_t e = threadIdx.x; e < mn; e += kThreads) Ws[e] = W_all[j * mn + e];
    W = Ws;
    dW = Ws + mn;
  } else {
    W = W_all + j * mn;
    dW = grad ? dW_all + j * mn : nullptr;
  }
  if (grad) {
    for (int64_t e = threadIdx.x; e < mn; e += kThreads) dW[e] = 0.0f;
    for (int i = threadIdx.x; i < n; i += kThreads) db[i] = 0.0f;
  }
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
  const float coef = 2.0f / static_cast<float>(batch);
  double acc = 0.0;
  for (int s = 0; s < batch; ++s) {
    for (int i = threadIdx.x; i < n; i += kThreads) x[i] = x_all[static_cast<int64_t>(s) * n + i];
    __syncthreads();
    for (int k = warp; k < m; k += kWarps) {
      float t = 0.0f;
      for (int i = lane; i < n; i += 32) t += W[static_cast<int64_t>(k) * n + i] * x[i];
      t = WarpSum(t);
      if (lane == 0) h[k] = t;
    }
    __syncthreads();
    for (int i = threadIdx.x; i < n; i += kThreads) {
      float p = bias[i];
      for (int k = 0; k < m; ++k) p += h[k] * W[static_cast<int64_t>(k) * n + i];
      const bool active = !relu || p > 0.0f;
      const float e = (active ? p : 0.0f) - x[i];
      acc += static_cast<double>(imp[i] * e * e);
      const float gi = active ? coef * imp[i] * e : 0.0f;
      g[i] = gi;
      if (grad) db[i] += gi;
    }
    if (!grad) {
      __syncthreads();
      continue;
    }
    __syncthreads();
    for (int k = warp; k < m; k += kWarps) {
      float t = 0.0f;
      for (int i = lane; i < n; i += 32) t += W[static_cast<int64_t>(k) * n + i] * g[i];
      t = WarpSum(t);
      if (lane == 0) dh[k] = t;
    }
    __syncthreads();
    for (int64_t e = threadIdx.x; e < mn; e += kThreads) {
      const int k = static_cast<int>(e / n), i = static_cast<int>(e % n);
      dW[e] += h[k] * g[i] + dh[k] * x[i];
    }
    __syncthreads();
  }
  acc = WarpSum(acc);
  if (lane == 0) warp_loss[warp] = acc;
  __syncthreads();
  if (threadIdx.x == 0) {
    double total = 0.0;
    for (int w = 0; w < kWarps; ++w) total += warp_loss[w];
    loss[j] = static_cast<float>(total / static_cast<double>(batch));
  }
  if (grad) {
    if (in_shared) {
      for (int64_t e = threadIdx.x; e < mn; e += kThreads) dW_all[j * mn + e] = dW[e];
    }
    for (int i = threadIdx.x; i < n; i += kThreads) db_all[j * n + i] = db[i];
  }
}

}  // namespace

cudaError_t LaunchToyForwardBackward(bool relu, const float* x, const float* w,
                                     const float* b, const float* importance, float* loss,
                                     float* dw, float* db, int64_t instances, int64_t batch,
                                     int64_t n, int64_t m, cudaStream_t stream) {
  if (instances == 0) return cudaSuccess;
  if (instances > 0x7fffffff || batch > 0x7fffffff || n > 0x7fffffff || m > 0x7fffffff) {
    return cudaErrorInvalidValue;
  }
  const bool grad = dw != nullptr && db != nullptr;
  const size_t vectors = sizeof(float) * static_cast<size_t>(3 * n + 2 * m);
  const size_t matrices = sizeof(float) * static_cast<size_t>(2 * m * n);
  const bool in_shared = vectors + matrices <= kMaxShared;
  const size_t shared = in_shared ? vectors + matrices : vectors;
  if (shared > kMaxShared) return cudaErrorInvalidValue;  // n too large for one block
  cudaError_t err = cudaFuncSetAttribute(ToyKernel, cudaFuncAttributeMaxDynamicSharedMemorySize,
                                         static_cast<int>(shared));
  if (err != cudaSuccess) return err;
  ToyKernel<<<static_cast<unsigned>(instances), kThreads, shared, stream>>>(
      relu, grad, in_shared, x, w, b, importance, loss, dw, db, static_cast<int>(batch),
      static_cast<int>(n), static_cast<int>(m));
  return cudaGetLastError();
}

}  // namespace monosem::cuda
