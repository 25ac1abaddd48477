// The SAE's dense kernels on the cuda backend (launchers declared in
// kernels/cuda/sae_cuda.h, driven by sae_cuda_dense.cc): the elementwise
// steps every architecture uses (centering, the b_dec broadcast, decoder row
// norms) and the column-blocked epilogues around relu_l1's and jumprelu's
// cuBLAS GEMMs, forward (activation, firing counts, penalty sums) and
// backward (dpre, db_enc, the JumpReLU STE threshold gradient, the decoder
// L1 term).
//
// Determinism: the per-feature sums run over 8 fixed row phases and a fixed
// tree over them; row norms are warp butterflies. No float atomics.
#include "kernels/cuda/reduce.cuh"
#include "kernels/cuda/sae_cuda.h"

namespace monosem::cuda {
namespace {

// ---------------------------------------------------------------- elementwise

__global__ void CenterKernel(const float* __restrict__ x, const float* __restrict__ b,
                             float* __restrict__ xc, int64_t total, int64_t d) {
  for (int64_t t = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; t < total;
       t += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    xc[t] = x[t] - b[t % d];
  }
}

__global__ void BroadcastRowsKernel(const float* __restrict__ b, float* __restrict__ out,
                                    int64_t total, int64_t d) {
  for (int64_t t = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; t < total;
       t += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    out[t] = b[t % d];
  }
}

// One warp per row; lanes stride over d, butterfly sum (fixed order).
__global__ void RowNormsKernel(const float* __restrict__ w, float* __restrict__ norm,
                               int64_t rows, int64_t d) {
  const int lane = threadIdx.x & 31;
  for (int64_t r = (blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x) >> 5; r < rows;
       r += (static_cast<int64_t>(gridDim.x) * blockDim.x) >> 5) {
    const float* wr = w + r * d;
    float s = 0.0f;
    for (int64_t j = lane; j < d; j += 32) s += wr[j] * wr[j];
    for (int o = 16; o > 0; o >>= 1) s += __shfl_xor_sync(kFullMask, s, o);
    if (lane == 0) norm[r] = sqrtf(s);
  }
}

// ------------------------------------------------------------- dense encoder

// Column blocks: threadIdx.x = one of 32 features (coalesced 128-byte rows),
// threadIdx.y = 8 row phases; per-feature sums reduced over y in fixed order.
__global__ void DenseEncodeKernel(bool jump, float* __restrict__ pre,
                                  const float* __restrict__ b_enc, const float* __restrict__ th,
                                  float* __restrict__ f_out, int64_t rows, int64_t F,
                                  uint32_t* __restrict__ fired, double* __restrict__ fsum,
                                  uint32_t* __restrict__ on) {
  __shared__ double s_sum[8][33];
  __shared__ unsigned s_fired[8][33], s_on[8][33];
  const int64_t i = blockIdx.x * 32 + threadIdx.x;
  double acc = 0.0;
  unsigned nf = 0, non = 0;
  if (i < F) {
    const float b = b_enc[i];
    const float t = jump ? th[i] : 0.0f;
    for (int64_t n = threadIdx.y; n < rows; n += 8) {
      const int64_t at = n * F + i;
      const float v = pre[at] + b;
      float f;
      if (jump) {
        const bool is_on = v > t;
        f = is_on ? v : 0.0f;
        pre[at] = v;
        f_out[at] = f;
        non += is_on;
      } else {
        f = v > 0.0f ? v : 0.0f;
        pre[at] = f;
      }
      nf += f > 0.0f;
      acc += f;
    }
  }
  s_sum[threadIdx.y][threadIdx.x] = acc;
  s_fired[threadIdx.y][threadIdx.x] = nf;
  s_on[threadIdx.y][threadIdx.x] = non;
  __syncthreads();
  for (int s = 4; s > 0; s >>= 1) {
    if (threadIdx.y < s) {
      s_sum[threadIdx.y][threadIdx.x] += s_sum[threadIdx.y + s][threadIdx.x];
      s_fired[threadIdx.y][threadIdx.x] += s_fired[threadIdx.y + s][threadIdx.x];
      s_on[threadIdx.y][threadIdx.x] += s_on[threadIdx.y + s][threadIdx.x];
    }
    __syncthreads();
  }
  if (threadIdx.y == 0 && i < F) {
    if (fired != nullptr) fired[i] = s_fired[0][threadIdx.x];
    if (fsum != nullptr) fsum[i] = s_sum[0][threadIdx.x];
    if (on != nullptr) on[i] = s_on[0][threadIdx.x];
  }
}

// ------------------------------------------------------------- dense backward

__global__ void DecoderL1GradKernel(float* __restrict__ g, const float* __restrict__ w,
                                    const double* __restrict__ fsum,
                                    const float* __restrict__ norm, double coef, int64_t F,
                                    int64_t d) {
  for (int64_t t = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; t < F * d;
       t += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    const int64_t i = t / d;
    if (norm[i] == 0.0f) continue;
    const float c = static_cast<float>(coef * fsum[i] / norm[i]);
    g[t] += c * w[t];
  }
}

__global__ void DenseBackwardKernel(bool jump, const float* __restrict__ pre,
                                    float* __restrict__ dpre, const float* __restrict__ th,
                                    const float* __restrict__ norm, int64_t rows, int64_t F,
                                    float l1_over_b, float inv_bw, float* __restrict__ g_b_enc,
                                    float* __restrict__ g_th) {
  __shared__ double s_db[8][33], s_dt[8][33];
  const int64_t i = blockIdx.x * 32 + threadIdx.x;
  double db = 0.0, dt = 0.0;
  if (i < F) {
    const float t = jump ? th[i] : 0.0f;
    const float l1n = jump ? 0.0f : l1_over_b * norm[i];
    for (int64_t n = threadIdx.y; n < rows; n += 8) {
      const int64_t at = n * F + i;
      const float z = pre[at], df = dpre[at];
      float v;
      if (jump) {
        v = z > t ? df : 0.0f;
        if (fabsf((z - t) * inv_bw) < 0.5f) dt += -(t * inv_bw) * df - l1_over_b * inv_bw;
      } else {
        v = z > 0.0f ? df + l1n : 0.0f;
      }
      dpre[at] = v;
      db += v;
    }
  }
  s_db[threadIdx.y][threadIdx.x] = db;
  s_dt[threadIdx.y][threadIdx.x] = dt;
  __syncthreads();
  for (int s = 4; s > 0; s >>= 1) {
    if (threadIdx.y < s) {
      s_db[threadIdx.y][threadIdx.x] += s_db[threadIdx.y + s][threadIdx.x];
      s_dt[threadIdx.y][threadIdx.x] += s_dt[threadIdx.y + s][threadIdx.x];
    }
    __syncthreads();
  }
  if (threadIdx.y == 0 && i < F) {
    g_b_enc[i] = static_cast<float>(s_db[0][threadIdx.x]);
    g_th[i] = jump ? static_cast<float>(s_dt[0][threadIdx.x]) : 0.0f;
  }
}

}  // namespace

cudaError_t LaunchSaeCenter(const float* x, const float* b_dec, float* xc, int64_t rows,
                            int64_t d, cudaStream_t stream) {
  CenterKernel<<<GridFor(rows * d, 256), 256, 0, stream>>>(x, b_dec, xc, rows * d, d);
  return cudaGetLastError();
}

cudaError_t LaunchSaeBroadcastRows(const float* b, float* out, int64_t rows, int64_t d,
                                   cudaStream_t stream) {
  BroadcastRowsKernel<<<GridFor(rows * d, 256), 256, 0, stream>>>(b, out, rows * d, d);
  return cudaGetLastError();
}

cudaError_t LaunchSaeRowNorms(const float* w, float* norm, int64_t rows, int64_t d,
                              cudaStream_t stream) {
  RowNormsKernel<<<WarpRowBlocks(rows), 256, 0, stream>>>(w, norm, rows, d);
  return cudaGetLastError();
}

cudaError_t LaunchSaeDenseEncode(bool jump, float* pre, const float* b_enc,
                                 const float* threshold, float* f_out, int64_t rows, int64_t f,
                                 uint32_t* fired, double* fsum, uint32_t* on,
                                 cudaStream_t stream) {
  const dim3 block(32, 8);
  DenseEncodeKernel<<<BlocksFor((f + 31) / 32), block, 0, stream>>>(
      jump, pre, b_enc, threshold, f_out, rows, f, fired, fsum, on);
  return cudaGetLastError();
}

cudaError_t LaunchSaeDecoderL1Grad(float* g_w_dec, const float* w_dec, const double* fsum,
                                   const float* norm, double coef, int64_t f, int64_t d,
                                   cudaStream_t stream) {
  DecoderL1GradKernel<<<GridFor(f * d, 256), 256, 0, stream>>>(g_w_dec, w_dec, fsum, norm, coef,
                                                               f, d);
  return cudaGetLastError();
}

cudaError_t LaunchSaeDenseBackward(bool jump, const float* pre, float* dpre, const float* th,
                                   const float* norm, int64_t rows, int64_t f, float l1_over_b,
                                   float inv_bw, float* g_b_enc, float* g_th,
                                   cudaStream_t stream) {
  const dim3 block(32, 8);
  DenseBackwardKernel<<<BlocksFor((f + 31) / 32), block, 0, stream>>>(
      jump, pre, dpre, th, norm, rows, f, l1_over_b, inv_bw, g_b_enc, g_th);
  return cudaGetLastError();
}

}  // namespace monosem::cuda
