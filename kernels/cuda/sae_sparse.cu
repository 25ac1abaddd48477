// The SAE's sparse decode and backward on the cuda backend (launchers
// declared in kernels/cuda/sae_cuda.h, driven by sae_cuda_sparse.cc): the
// decode over the selected entries with its residual and AuxK terms, the
// per-entry d loss / d pre, the stable per-feature sort of the entries, and
// the per-feature gather of the weight gradients. The dense path's residual
// is here too: it is the same per-row reduction as the sparse decode's, so
// the two paths' reconstruction losses are summed in the same order.
//
// Determinism: every float reduction has a fixed order (per-thread loops over
// a fixed range, then warp butterflies or BlockSum). The weight-gradient
// scatter goes through the per-feature list sorted stably by feature, so each
// gradient row is owned by one block and no float atomics are needed.
#include <cub/device/device_radix_sort.cuh>

#include "kernels/cuda/reduce.cuh"
#include "kernels/cuda/sae_cuda.h"

namespace monosem::cuda {
namespace {

// Per-row / per-feature d-wide blocks. BlockSum's order depends on it: the
// recon / aux row sums are bitwise those of this block size.
constexpr int kColThreads = 128;

// ---------------------------------------------------------------- scan, iota

// One block of 1024: each thread sums a contiguous chunk, the block scans the
// chunk sums, each thread writes its chunk's prefixes.
template <typename In>
__global__ void ExclusiveScanKernel(const In* __restrict__ in, int32_t* __restrict__ out,
                                    int64_t n) {
  __shared__ long long scan[32];
  const int64_t per = (n + blockDim.x - 1) / blockDim.x;
  const int64_t lo = threadIdx.x * per;
  const int64_t hi = lo + per < n ? lo + per : n;
  long long s = 0;
  for (int64_t t = lo; t < hi; ++t) s += static_cast<long long>(in[t]);
  long long total;
  long long run = BlockExclusiveScan<long long>(s, &total, scan);
  for (int64_t t = lo; t < hi; ++t) {
    out[t] = static_cast<int32_t>(run);
    run += static_cast<long long>(in[t]);
  }
  if (threadIdx.x == 0) out[n] = static_cast<int32_t>(total);
}

__global__ void IotaKernel(int32_t* out, int64_t n) {
  for (int64_t t = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; t < n;
       t += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    out[t] = static_cast<int32_t>(t);
  }
}

// ------------------------------------------------------------ decode, residual

__global__ void SparseDecodeKernel(SaeDecodeArgs a) {
  __shared__ double scan[32];
  const int64_t d = a.d;
  for (int64_t n = blockIdx.x; n < a.rows; n += gridDim.x) {
    const int32_t b0 = a.main_begin[n], b1 = a.main_end[n];
    const int64_t ab = a.aux_base + n * a.k_aux;
    const int32_t na = a.aux_cnt != nullptr ? a.aux_cnt[n] : 0;
    double rs = 0.0, as = 0.0;
    for (int64_t j = threadIdx.x; j < d; j += blockDim.x) {
      float acc = a.b_dec[j];
      for (int32_t e = b0; e < b1; ++e) {
        acc += a.val[e] * a.w_dec[static_cast<int64_t>(a.feat[e]) * d + j];
      }
      if (a.x == nullptr) {
        a.out[n * d + j] = acc;
        continue;
      }
      const float err = acc - a.x[n * d + j];
      rs += static_cast<double>(err) * err;
      a.out[n * d + j] = a.two_over_b * err;
      if (a.aux_cnt != nullptr) {
        float eh = 0.0f;
        for (int32_t t = 0; t < na; ++t) {
          eh += a.val[ab + t] * a.w_dec[static_cast<int64_t>(a.feat[ab + t]) * d + j];
        }
        const float diff = eh + err;  // ehat - (x - x_hat)
        as += static_cast<double>(diff) * diff;
        a.dehat[n * d + j] = a.aux_coef * a.two_over_b * diff;
      }
    }
    if (a.x != nullptr) {
      rs = BlockSum(rs, scan);
      as = BlockSum(as, scan);
      if (threadIdx.x == 0) {
        a.recon_row[n] = rs;
        if (a.aux_row != nullptr) a.aux_row[n] = as;
      }
    }
  }
}

__global__ void ResidualKernel(const float* __restrict__ xhat, const float* __restrict__ x,
                               float* __restrict__ dxhat, double* __restrict__ recon_row,
                               int64_t rows, int64_t d, float two_over_b) {
  __shared__ double scan[32];
  for (int64_t n = blockIdx.x; n < rows; n += gridDim.x) {
    double rs = 0.0;
    for (int64_t j = threadIdx.x; j < d; j += blockDim.x) {
      const float err = xhat[n * d + j] - x[n * d + j];
      rs += static_cast<double>(err) * err;
      dxhat[n * d + j] = two_over_b * err;
    }
    rs = BlockSum(rs, scan);
    if (threadIdx.x == 0) recon_row[n] = rs;
  }
}

// ------------------------------------------------------------ sparse backward

__global__ void EntryDotsKernel(int64_t entries, int64_t main_count, int64_t F, int64_t d,
                                const int32_t* __restrict__ feat, const int32_t* __restrict__ row,
                                const float* __restrict__ w, const float* __restrict__ dxhat,
                                const float* __restrict__ dehat, float* __restrict__ dp) {
  const int lane = threadIdx.x & 31;
  for (int64_t e = (blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x) >> 5;
       e < entries; e += (static_cast<int64_t>(gridDim.x) * blockDim.x) >> 5) {
    const int32_t f = feat[e];
    if (f >= F) {
      if (lane == 0) dp[e] = 0.0f;
      continue;
    }
    const float* up = (e < main_count ? dxhat : dehat) + static_cast<int64_t>(row[e]) * d;
    const float* wr = w + static_cast<int64_t>(f) * d;
    float s = 0.0f;
    for (int64_t j = lane; j < d; j += 32) s += up[j] * wr[j];
    for (int o = 16; o > 0; o >>= 1) s += __shfl_xor_sync(kFullMask, s, o);
    if (lane == 0) dp[e] = s;
  }
}

__global__ void FeatureGatherKernel(SaeGatherArgs a) {
  __shared__ double scan[32];
  const int64_t d = a.d;
  for (int64_t i = blockIdx.x; i < a.f; i += gridDim.x) {
    const int32_t t0 = a.start[i], t1 = a.start[i + 1];
    for (int64_t j = threadIdx.x; j < d; j += blockDim.x) {
      float gd = 0.0f, ge = 0.0f;
      for (int32_t t = t0; t < t1; ++t) {
        const int32_t e = a.perm[t];
        const int64_t r = a.row[e];
        const float* up = e < a.main_count ? a.dxhat : a.dehat;
        gd += a.val[e] * up[r * d + j];
        ge += a.dp[e] * a.xc[r * d + j];
      }
      a.g_w_dec[i * d + j] = gd;
      a.g_w_enc[i * d + j] = ge;
    }
    // db_enc[i]: the list split over the threads, then a fixed-order sum.
    double db = 0.0;
    for (int32_t t = t0 + threadIdx.x; t < t1; t += blockDim.x) db += a.dp[a.perm[t]];
    db = BlockSum(db, scan);
    if (threadIdx.x == 0) a.g_b_enc[i] = static_cast<float>(db);
  }
}

}  // namespace

cudaError_t LaunchSaeExclusiveScan(const int32_t* in, int32_t* out, int64_t n,
                                   cudaStream_t stream) {
  ExclusiveScanKernel<int32_t><<<1, 1024, 0, stream>>>(in, out, n);
  return cudaGetLastError();
}

cudaError_t LaunchSaeExclusiveScanU32(const uint32_t* in, int32_t* out, int64_t n,
                                      cudaStream_t stream) {
  ExclusiveScanKernel<uint32_t><<<1, 1024, 0, stream>>>(in, out, n);
  return cudaGetLastError();
}

cudaError_t LaunchSaeIota(int32_t* out, int64_t n, cudaStream_t stream) {
  IotaKernel<<<GridFor(n, 256), 256, 0, stream>>>(out, n);
  return cudaGetLastError();
}

cudaError_t LaunchSaeSparseDecode(const SaeDecodeArgs& a, cudaStream_t stream) {
  SparseDecodeKernel<<<BlocksFor(a.rows), kColThreads, 0, stream>>>(a);
  return cudaGetLastError();
}

cudaError_t LaunchSaeResidual(const float* xhat, const float* x, float* dxhat, double* recon_row,
                              int64_t rows, int64_t d, float two_over_b, cudaStream_t stream) {
  ResidualKernel<<<BlocksFor(rows), kColThreads, 0, stream>>>(xhat, x, dxhat, recon_row, rows, d,
                                                              two_over_b);
  return cudaGetLastError();
}

cudaError_t LaunchSaeEntryDots(int64_t entries, int64_t main_count, int64_t f, int64_t d,
                               const int32_t* feat, const int32_t* row, const float* w_dec,
                               const float* dxhat, const float* dehat, float* dp,
                               cudaStream_t stream) {
  EntryDotsKernel<<<WarpRowBlocks(entries), 256, 0, stream>>>(entries, main_count, f, d, feat,
                                                              row, w_dec, dxhat, dehat, dp);
  return cudaGetLastError();
}

cudaError_t LaunchSaeSortByFeature(void* temp, size_t* temp_bytes, const int32_t* keys_in,
                                   int32_t* keys_out, const int32_t* vals_in, int32_t* vals_out,
                                   int64_t n, int end_bit, cudaStream_t stream) {
  // LSD radix sort: stable, so entries of one feature keep their entry order
  // (row order) and the gather's summation order is fixed.
  const cudaError_t e = cub::DeviceRadixSort::SortPairs(temp, *temp_bytes, keys_in, keys_out,
                                                        vals_in, vals_out, static_cast<int>(n),
                                                        0, end_bit, stream);
  if (e != cudaSuccess) return e;
  return cudaGetLastError();
}

cudaError_t LaunchSaeFeatureGather(const SaeGatherArgs& a, cudaStream_t stream) {
  FeatureGatherKernel<<<BlocksFor(a.f), kColThreads, 0, stream>>>(a);
  return cudaGetLastError();
}

}  // namespace monosem::cuda
