// The one-layer transformer's kernels for the cuda backend (launchers in
// kernels/cuda/transformer_cuda.h). The model's shapes are small (d_model
// 64-512, context up to a few hundred), so these favour simple, exactly
// reproducible schedules: one warp or block per row, fixed-order sums, fp32
// softmax with double accumulation where the reference's tolerance is tight.
#include "kernels/cuda/reduce.cuh"
#include "kernels/cuda/transformer_cuda.h"

namespace monosem::cuda {
namespace {


#define MONOSEM_GRID_STRIDE(i, n)                                                         \
  for (int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; i < (n); \
       i += static_cast<int64_t>(gridDim.x) * blockDim.x)

// Warp index over the grid, and its stride, for warp-per-item kernels.
#define MONOSEM_WARP_STRIDE(w, n)                                                                \
  for (int64_t w = (blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x) >> 5; w < (n); \
       w += (static_cast<int64_t>(gridDim.x) * blockDim.x) >> 5)

__global__ void EmbeddingForwardKernel(const int32_t* __restrict__ tok, int64_t n, int64_t ctx,
                                       int64_t d, const float* __restrict__ we,
                                       const float* __restrict__ wp, float* __restrict__ x) {
  MONOSEM_GRID_STRIDE(t, n * d) {
    const int64_t r = t / d, j = t % d;
    x[t] = we[static_cast<int64_t>(tok[r]) * d + j] + wp[(r % ctx) * d + j];
  }
}

__global__ void TokenCountsKernel(const int32_t* __restrict__ tok, int64_t n,
                                  uint32_t* __restrict__ counts) {
  MONOSEM_GRID_STRIDE(r, n) { atomicAdd(&counts[tok[r]], 1u); }
}

__global__ void EmbeddingGatherKernel(const int32_t* __restrict__ start,
                                      const int32_t* __restrict__ rows,
                                      const float* __restrict__ dx, int64_t vocab, int64_t d,
                                      float* __restrict__ dwe) {
  for (int64_t v = blockIdx.x; v < vocab; v += gridDim.x) {
    const int32_t t0 = start[v], t1 = start[v + 1];
    for (int64_t j = threadIdx.x; j < d; j += blockDim.x) {
      float acc = 0.0f;
      for (int32_t t = t0; t < t1; ++t) acc += dx[static_cast<int64_t>(rows[t]) * d + j];
      dwe[v * d + j] = acc;
    }
  }
}

__global__ void PositionGradKernel(const float* __restrict__ dx, int64_t batch, int64_t ctx,
                                   int64_t positions, int64_t d, float* __restrict__ dwp) {
  MONOSEM_GRID_STRIDE(t, positions * d) {
    const int64_t s = t / d, j = t % d;
    float acc = 0.0f;
    if (s < ctx) {
      for (int64_t b = 0; b < batch; ++b) acc += dx[(b * ctx + s) * d + j];
    }
    dwp[t] = acc;
  }
}

// One block per row; mean and variance in double (two passes over the row,
// which is in L1/L2), as the reference.
__global__ void LayerNormForwardKernel(const float* __restrict__ x, const float* __restrict__ w,
                                       const float* __restrict__ b, float* __restrict__ y,
                                       float* __restrict__ mean, float* __restrict__ rstd,
                                       int64_t n, int64_t d, float eps) {
  __shared__ double sh[32];
  for (int64_t r = blockIdx.x; r < n; r += gridDim.x) {
    const float* row = x + r * d;
    double s = 0.0;
    for (int64_t j = threadIdx.x; j < d; j += blockDim.x) s += row[j];
    const double mu = BlockSum(s, sh) / static_cast<double>(d);
    double v = 0.0;
    for (int64_t j = threadIdx.x; j < d; j += blockDim.x) {
      const double c = row[j] - mu;
      v += c * c;
    }
    const double var = BlockSum(v, sh) / static_cast<double>(d);
    const double rs = 1.0 / sqrt(var + static_cast<double>(eps));
    for (int64_t j = threadIdx.x; j < d; j += blockDim.x) {
      y[r * d + j] = static_cast<float>((row[j] - mu) * rs * w[j] + b[j]);
    }
    if (threadIdx.x == 0) {
      mean[r] = static_cast<float>(mu);
      rstd[r] = static_cast<float>(rs);
    }
  }
}

// dx = rstd * (g - mean(g) - xhat * mean(g * xhat)), g = dy * w.
__global__ void LayerNormBackwardDxKernel(const float* __restrict__ x,
                                          const float* __restrict__ w,
                                          const float* __restrict__ mean,
                                          const float* __restrict__ rstd,
                                          const float* __restrict__ dy, float* __restrict__ dx,
                                          int64_t n, int64_t d) {
  __shared__ double sh[32];
  for (int64_t r = blockIdx.x; r < n; r += gridDim.x) {
    const double mu = mean[r], rs = rstd[r];
    double mg = 0.0, mgx = 0.0;
    for (int64_t j = threadIdx.x; j < d; j += blockDim.x) {
      const double xh = (x[r * d + j] - mu) * rs;
      const double g = static_cast<double>(dy[r * d + j]) * w[j];
      mg += g;
      mgx += g * xh;
    }
    mg = BlockSum(mg, sh) / static_cast<double>(d);
    mgx = BlockSum(mgx, sh) / static_cast<double>(d);
    for (int64_t j = threadIdx.x; j < d; j += blockDim.x) {
      const double xh = (x[r * d + j] - mu) * rs;
      const double g = static_cast<double>(dy[r * d + j]) * w[j];
      dx[r * d + j] = static_cast<float>(rs * (g - mg - xh * mgx));
    }
  }
}

// Column blocks (32 columns x 8 row phases), fixed-order tree over the phases.
__global__ void LayerNormBackwardDwKernel(const float* __restrict__ x,
                                          const float* __restrict__ mean,
                                          const float* __restrict__ rstd,
                                          const float* __restrict__ dy, float* __restrict__ dw,
                                          float* __restrict__ db, int64_t n, int64_t d) {
  __shared__ double sw[8][33], sb[8][33];
  const int64_t j = blockIdx.x * 32 + threadIdx.x;
  double aw = 0.0, ab = 0.0;
  if (j < d) {
    for (int64_t r = threadIdx.y; r < n; r += 8) {
      const double g = dy[r * d + j];
      aw += g * ((static_cast<double>(x[r * d + j]) - mean[r]) * rstd[r]);
      ab += g;
    }
  }
  sw[threadIdx.y][threadIdx.x] = aw;
  sb[threadIdx.y][threadIdx.x] = ab;
  __syncthreads();
  for (int s = 4; s > 0; s >>= 1) {
    if (threadIdx.y < s) {
      sw[threadIdx.y][threadIdx.x] += sw[threadIdx.y + s][threadIdx.x];
      sb[threadIdx.y][threadIdx.x] += sb[threadIdx.y + s][threadIdx.x];
    }
    __syncthreads();
  }
  if (threadIdx.y == 0 && j < d) {
    dw[j] = static_cast<float>(sw[0][threadIdx.x]);
    db[j] = static_cast<float>(sb[0][threadIdx.x]);
  }
}

// One warp per (b, h, i). Scores go straight into the probs row (an output),
// which the warp then normalizes and reads back for z; __syncwarp orders the
// lanes' global writes before the reads.
__global__ void AttentionForwardKernel(const float* __restrict__ qkv, int64_t batch, int64_t ctx,
                                       int64_t heads, int64_t d, float* __restrict__ z,
                                       float* __restrict__ probs) {
  const int lane = threadIdx.x & 31;
  const int64_t dh = d / heads, ld = 3 * d;
  const float scale = static_cast<float>(1.0 / sqrt(static_cast<double>(dh)));
  MONOSEM_WARP_STRIDE(w, batch * heads * ctx) {
    const int64_t i = w % ctx, bh = w / ctx, h = bh % heads, b = bh / heads;
    const float* q = qkv + (b * ctx + i) * ld + h * dh;
    float* prow = probs + w * ctx;
    float mx = -INFINITY;
    for (int64_t j = lane; j <= i; j += 32) {
      const float* k = qkv + (b * ctx + j) * ld + d + h * dh;
      float s = 0.0f;
      for (int64_t e = 0; e < dh; ++e) s += q[e] * k[e];
      s *= scale;
      prow[j] = s;
      mx = fmaxf(mx, s);
    }
    mx = WarpMax(mx);
    double sum = 0.0;
    for (int64_t j = lane; j <= i; j += 32) {
      const float p = expf(prow[j] - mx);
      prow[j] = p;
      sum += p;
    }
    sum = WarpSum(sum);
    const float inv = static_cast<float>(1.0 / sum);
    for (int64_t j = lane; j < ctx; j += 32) prow[j] = j <= i ? prow[j] * inv : 0.0f;
    __syncwarp();
    for (int64_t e = lane; e < dh; e += 32) {
      float acc = 0.0f;
      for (int64_t j = 0; j <= i; ++j) acc += prow[j] * qkv[(b * ctx + j) * ld + 2 * d + h * dh + e];
      z[(b * ctx + i) * d + h * dh + e] = acc;
    }
  }
}

// Per query row i: dP_ij = dz_i . v_j, dS_ij = scale P_ij (dP_ij - sum_j' dP P),
// dQ_i = sum_j dS_ij k_j.
__global__ void AttentionBackwardQKernel(const float* __restrict__ qkv,
                                         const float* __restrict__ probs,
                                         const float* __restrict__ dz, int64_t batch,
                                         int64_t ctx, int64_t heads, int64_t d,
                                         float* __restrict__ ds, float* __restrict__ dqkv) {
  const int lane = threadIdx.x & 31;
  const int64_t dh = d / heads, ld = 3 * d;
  const float scale = static_cast<float>(1.0 / sqrt(static_cast<double>(dh)));
  MONOSEM_WARP_STRIDE(w, batch * heads * ctx) {
    const int64_t i = w % ctx, bh = w / ctx, h = bh % heads, b = bh / heads;
    const float* prow = probs + w * ctx;
    const float* dzi = dz + (b * ctx + i) * d + h * dh;
    float* dsrow = ds + w * ctx;
    double dot = 0.0;
    for (int64_t j = lane; j <= i; j += 32) {
      const float* v = qkv + (b * ctx + j) * ld + 2 * d + h * dh;
      float dp = 0.0f;
      for (int64_t e = 0; e < dh; ++e) dp += dzi[e] * v[e];
      dsrow[j] = dp;
      dot += static_cast<double>(dp) * prow[j];
    }
    const float rowdot = static_cast<float>(WarpSum(dot));
    for (int64_t j = lane; j < ctx; j += 32) {
      dsrow[j] = j <= i ? prow[j] * (dsrow[j] - rowdot) * scale : 0.0f;
    }
    __syncwarp();
    for (int64_t e = lane; e < dh; e += 32) {
      float acc = 0.0f;
      for (int64_t j = 0; j <= i; ++j) acc += dsrow[j] * qkv[(b * ctx + j) * ld + d + h * dh + e];
      dqkv[(b * ctx + i) * ld + h * dh + e] = acc;
    }
  }
}

// Per key row j: dK_j = sum_{i >= j} dS_ij q_i, dV_j = sum_{i >= j} P_ij dz_i.
__global__ void AttentionBackwardKVKernel(const float* __restrict__ qkv,
                                          const float* __restrict__ probs,
                                          const float* __restrict__ dz,
                                          const float* __restrict__ ds, int64_t batch,
                                          int64_t ctx, int64_t heads, int64_t d,
                                          float* __restrict__ dqkv) {
  const int lane = threadIdx.x & 31;
  const int64_t dh = d / heads, ld = 3 * d;
  MONOSEM_WARP_STRIDE(w, batch * heads * ctx) {
    const int64_t j = w % ctx, bh = w / ctx, h = bh % heads, b = bh / heads;
    const float* pcol = probs + bh * ctx * ctx + j;
    const float* dscol = ds + bh * ctx * ctx + j;
    for (int64_t e = lane; e < dh; e += 32) {
      float ak = 0.0f, av = 0.0f;
      for (int64_t i = j; i < ctx; ++i) {
        ak += dscol[i * ctx] * qkv[(b * ctx + i) * ld + h * dh + e];
        av += pcol[i * ctx] * dz[(b * ctx + i) * d + h * dh + e];
      }
      dqkv[(b * ctx + j) * ld + d + h * dh + e] = ak;
      dqkv[(b * ctx + j) * ld + 2 * d + h * dh + e] = av;
    }
  }
}

__global__ void CrossEntropyKernel(const float* __restrict__ logits,
                                   const int32_t* __restrict__ targets, int64_t n, int64_t v,
                                   bool backward, float scale, float* __restrict__ out) {
  __shared__ float shf[32];
  __shared__ double shd[32];
  for (int64_t r = blockIdx.x; r < n; r += gridDim.x) {
    const float* row = logits + r * v;
    float mx = -INFINITY;
    for (int64_t j = threadIdx.x; j < v; j += blockDim.x) mx = fmaxf(mx, row[j]);
    mx = BlockMax(mx, shf);
    double s = 0.0;
    for (int64_t j = threadIdx.x; j < v; j += blockDim.x) s += exp(static_cast<double>(row[j]) - mx);
    s = BlockSum(s, shd);
    const int32_t t = targets[r];
    if (!backward) {
      if (threadIdx.x == 0) {
        out[r] = static_cast<float>(static_cast<double>(mx) + log(s) - row[t]);
      }
    } else {
      const double inv = 1.0 / s;
      for (int64_t j = threadIdx.x; j < v; j += blockDim.x) {
        const double p = exp(static_cast<double>(row[j]) - mx) * inv - (j == t ? 1.0 : 0.0);
        out[r * v + j] = static_cast<float>(scale * p);
      }
    }
  }
}

__global__ void BiasReluKernel(const float* __restrict__ b, float* __restrict__ y, int64_t total,
                               int64_t cols) {
  MONOSEM_GRID_STRIDE(t, total) {
    const float v = y[t] + b[t % cols];
    y[t] = v > 0.0f ? v : 0.0f;
  }
}

}  // namespace

cudaError_t LaunchEmbeddingForward(const int32_t* tokens, int64_t n, int64_t ctx, int64_t d,
                                   const float* w_e, const float* w_pos, float* x,
                                   cudaStream_t stream) {
  EmbeddingForwardKernel<<<GridFor(n * d, 256), 256, 0, stream>>>(tokens, n, ctx, d, w_e, w_pos,
                                                                   x);
  return cudaGetLastError();
}

cudaError_t LaunchTokenCounts(const int32_t* tokens, int64_t n, uint32_t* counts,
                              cudaStream_t stream) {
  TokenCountsKernel<<<GridFor(n, 256), 256, 0, stream>>>(tokens, n, counts);
  return cudaGetLastError();
}

cudaError_t LaunchEmbeddingGather(const int32_t* start, const int32_t* rows, const float* dx,
                                  int64_t vocab, int64_t d, float* dw_e, cudaStream_t stream) {
  EmbeddingGatherKernel<<<BlocksFor(vocab), 128, 0, stream>>>(start, rows, dx, vocab, d, dw_e);
  return cudaGetLastError();
}

cudaError_t LaunchPositionGrad(const float* dx, int64_t batch, int64_t ctx, int64_t positions,
                               int64_t d, float* dw_pos, cudaStream_t stream) {
  PositionGradKernel<<<GridFor(positions * d, 256), 256, 0, stream>>>(dx, batch, ctx, positions,
                                                                      d, dw_pos);
  return cudaGetLastError();
}

cudaError_t LaunchLayerNormForward(const float* x, const float* w, const float* b, float* y,
                                   float* mean, float* rstd, int64_t n, int64_t d, float eps,
                                   cudaStream_t stream) {
  LayerNormForwardKernel<<<BlocksFor(n), 128, 0, stream>>>(x, w, b, y, mean, rstd, n, d, eps);
  return cudaGetLastError();
}

cudaError_t LaunchLayerNormBackward(const float* x, const float* w, const float* mean,
                                    const float* rstd, const float* dy, float* dx, float* dw,
                                    float* db, int64_t n, int64_t d, cudaStream_t stream) {
  LayerNormBackwardDxKernel<<<BlocksFor(n), 128, 0, stream>>>(x, w, mean, rstd, dy, dx, n, d);
  cudaError_t e = cudaGetLastError();
  if (e != cudaSuccess) return e;
  LayerNormBackwardDwKernel<<<BlocksFor((d + 31) / 32), dim3(32, 8), 0, stream>>>(
      x, mean, rstd, dy, dw, db, n, d);
  return cudaGetLastError();
}

cudaError_t LaunchAttentionForward(const float* qkv, int64_t batch, int64_t ctx, int64_t heads,
                                   int64_t d, float* z, float* probs, cudaStream_t stream) {
  AttentionForwardKernel<<<GridFor(batch * heads * ctx * 32, 256), 256, 0, stream>>>(
      qkv, batch, ctx, heads, d, z, probs);
  return cudaGetLastError();
}

cudaError_t LaunchAttentionBackward(const float* qkv, const float* probs, const float* dz,
                                    int64_t batch, int64_t ctx, int64_t heads, int64_t d,
                                    float* ds, float* dqkv, cudaStream_t stream) {
  const unsigned grid = GridFor(batch * heads * ctx * 32, 256);
  AttentionBackwardQKernel<<<grid, 256, 0, stream>>>(qkv, probs, dz, batch, ctx, heads, d, ds,
                                                     dqkv);
  cudaError_t e = cudaGetLastError();
  if (e != cudaSuccess) return e;
  AttentionBackwardKVKernel<<<grid, 256, 0, stream>>>(qkv, probs, dz, ds, batch, ctx, heads, d,
                                                      dqkv);
  return cudaGetLastError();
}

cudaError_t LaunchCrossEntropyForward(const float* logits, const int32_t* targets, int64_t n,
                                      int64_t v, float* losses, cudaStream_t stream) {
  CrossEntropyKernel<<<BlocksFor(n), 256, 0, stream>>>(logits, targets, n, v, false, 0.0f,
                                                       losses);
  return cudaGetLastError();
}

cudaError_t LaunchCrossEntropyBackward(const float* logits, const int32_t* targets, int64_t n,
                                       int64_t v, float scale, float* dlogits,
                                       cudaStream_t stream) {
  CrossEntropyKernel<<<BlocksFor(n), 256, 0, stream>>>(logits, targets, n, v, true, scale,
                                                       dlogits);
  return cudaGetLastError();
}

cudaError_t LaunchBiasRelu(const float* b, float* y, int64_t rows, int64_t cols,
                           cudaStream_t stream) {
  BiasReluKernel<<<GridFor(rows * cols, 256), 256, 0, stream>>>(b, y, rows * cols, cols);
  return cudaGetLastError();
}

}  // namespace monosem::cuda
