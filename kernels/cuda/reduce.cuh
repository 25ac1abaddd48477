// Device-side helpers every cuda kernel file shares: fixed-order warp and
// block reductions (so that results are bitwise reproducible run to run),
// the block exclusive scan, and launch-grid sizing (GridFor, BlocksFor,
// WarpRowBlocks). Include from .cu files only (nvcc).
#ifndef MONOSEM_KERNELS_CUDA_REDUCE_CUH_
#define MONOSEM_KERNELS_CUDA_REDUCE_CUH_

#include <cstdint>

namespace monosem::cuda {

constexpr unsigned kFullMask = 0xffffffffu;

// Blocks of `threads` covering n items, at least 1 and at most `cap` (the
// kernels loop over the rest with a grid stride).
inline unsigned GridFor(int64_t n, int threads, int64_t cap = int64_t{1} << 20) {
  int64_t b = (n + threads - 1) / threads;
  if (b < 1) b = 1;
  if (b > cap) b = cap;
  return static_cast<unsigned>(b);
}

// Grid of one block per item, capped at the CUDA limit (kernels loop).
inline unsigned BlocksFor(int64_t items) {
  const int64_t cap = 2147483647;
  if (items < 1) return 1;
  return static_cast<unsigned>(items < cap ? items : cap);
}

// Blocks of 256 threads for kernels that give each row one warp (8 rows per
// block), capped like GridFor.
inline unsigned WarpRowBlocks(int64_t rows) { return GridFor(rows * 32, 256); }

// Butterfly sum over the 32 lanes; every lane gets the same result.
template <typename T>
__device__ __forceinline__ T WarpSum(T v) {
  for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(kFullMask, v, o);
  return v;
}

__device__ __forceinline__ float WarpMax(float v) {
  for (int o = 16; o > 0; o >>= 1) v = fmaxf(v, __shfl_xor_sync(kFullMask, v, o));
  return v;
}

// Fixed-order block sum (warp butterflies, then a butterfly over the warp
// sums); the result is valid in every thread. `shared32` is shared scratch of
// 32 T. All threads must call it.
template <typename T>
__device__ T BlockSum(T v, T* shared32) {
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
  const int warps = (blockDim.x + 31) >> 5;
  v = WarpSum(v);
  if (lane == 0) shared32[warp] = v;
  __syncthreads();
  T r = lane < warps ? shared32[lane] : T(0);
  r = WarpSum(r);
  __syncthreads();  // shared32 is reused by the next call
  return r;
}

__device__ __forceinline__ float BlockMax(float v, float* shared32) {
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
  const int warps = (blockDim.x + 31) >> 5;
  v = WarpMax(v);
  if (lane == 0) shared32[warp] = v;
  __syncthreads();
  float r = lane < warps ? shared32[lane] : -INFINITY;
  r = WarpMax(r);
  __syncthreads();
  return r;
}

// Exclusive block scan of one value per thread; *total gets the block's sum.
// `warp_sums` is shared scratch of 32 T. All threads must call it.
template <typename T>
__device__ T BlockExclusiveScan(T v, T* total, T* warp_sums) {
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
  const int warps = (blockDim.x + 31) >> 5;
  T x = v;
  for (int o = 1; o < 32; o <<= 1) {
    const T y = __shfl_up_sync(kFullMask, x, o);
    if (lane >= o) x += y;
  }
  if (lane == 31) warp_sums[warp] = x;
  __syncthreads();
  if (warp == 0) {
    T w = lane < warps ? warp_sums[lane] : T(0);
    for (int o = 1; o < 32; o <<= 1) {
      const T y = __shfl_up_sync(kFullMask, w, o);
      if (lane >= o) w += y;
    }
    if (lane < warps) warp_sums[lane] = w;  // inclusive prefix over warps
  }
  __syncthreads();
  const T before = warp > 0 ? warp_sums[warp - 1] : T(0);
  *total = warp_sums[warps - 1];
  __syncthreads();  // warp_sums is reused by the next call
  return before + x - v;
}

}  // namespace monosem::cuda

#endif  // MONOSEM_KERNELS_CUDA_REDUCE_CUH_
