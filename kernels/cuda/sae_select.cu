// The SAE's sparse selections on the cuda backend (launchers declared in
// kernels/cuda/sae_cuda.h, driven by sae_cuda_select.cc): fused per-row TopK
// with the AuxK selection among dead latents, the global BatchTopK threshold
// with its per-row tie quota, and batch_topk's per-feature-threshold
// inference. All of them compact into the "entry" space that sae_sparse.cu
// decodes and differentiates.
//
// Determinism: ties at the threshold are kept in index order, and the only
// atomics are on integers (histograms, firing counters), whose sums do not
// depend on the order.
#include "kernels/cuda/reduce.cuh"
#include "kernels/cuda/sae_cuda.h"

namespace monosem::cuda {
namespace {

constexpr int kRowThreads = 256;  // selection / compaction blocks

// The sort key of a candidate: its bits when positive (positive floats order
// like their bit patterns), 0 = not a candidate (<= 0 or NaN).
__device__ __forceinline__ uint32_t PosKey(float v) { return v > 0.0f ? __float_as_uint(v) : 0u; }

struct Selection {
  uint32_t thresh;  // keep keys > thresh ...
  uint32_t ties;    // ... and the first `ties` keys == thresh in index order
};

// Shared scratch of one selecting block.
struct SelectShared {
  unsigned hist[256];
  int scan[32];
  unsigned pick[3];  // all, bin, count above the bin
};

// Picks, from a 256-bin histogram of the current digit, the bin holding the
// need-th largest key (warp 0; each lane owns 8 bins, highest first).
// first_pass: if the histogram total <= need every candidate is kept.
__device__ void PickBin(SelectShared& sh, unsigned need, bool first_pass) {
  if (threadIdx.x >= 32) return;
  const int lane = threadIdx.x;
  unsigned s = 0;
  for (int j = 0; j < 8; ++j) s += sh.hist[255 - lane * 8 - j];
  unsigned incl = s;
  for (int o = 1; o < 32; o <<= 1) {
    const unsigned y = __shfl_up_sync(kFullMask, incl, o);
    if (lane >= o) incl += y;
  }
  const unsigned total = __shfl_sync(kFullMask, incl, 31);
  if (first_pass && total <= need) {
    if (lane == 0) sh.pick[0] = 1;
    return;
  }
  const unsigned ballot = __ballot_sync(kFullMask, incl >= need);
  const int first = __ffs(ballot) - 1;
  if (lane == first) {
    unsigned cum = incl - s;
    for (int j = 0; j < 8; ++j) {
      const int b = 255 - lane * 8 - j;
      if (cum + sh.hist[b] >= need) {
        sh.pick[0] = 0;
        sh.pick[1] = b;
        sh.pick[2] = cum;
        break;
      }
      cum += sh.hist[b];
    }
  }
}

// The `want` largest nonzero keys of key(0..n): 4 passes of 8 bits, MSB first.
template <typename KeyFn>
__device__ Selection BlockRadixSelect(KeyFn key, int n, unsigned want, SelectShared& sh) {
  uint32_t prefix = 0, mask = 0;
  unsigned need = want;
  for (int shift = 24; shift >= 0; shift -= 8) {
    for (int b = threadIdx.x; b < 256; b += blockDim.x) sh.hist[b] = 0;
    if (threadIdx.x == 0) sh.pick[0] = 0;
    __syncthreads();
    for (int i = threadIdx.x; i < n; i += blockDim.x) {
      const uint32_t k = key(i);
      if (k != 0 && (k & mask) == prefix) atomicAdd(&sh.hist[(k >> shift) & 255u], 1u);
    }
    __syncthreads();
    PickBin(sh, need, shift == 24);
    __syncthreads();
    if (sh.pick[0]) return {0u, 0u};  // uniform: every thread read the same flag
    prefix |= sh.pick[1] << shift;
    mask |= 255u << shift;
    need -= sh.pick[2];
    __syncthreads();  // before the next pass clears hist
  }
  return {prefix, need};
}

// Index-ordered compaction: classify(i) is 0 (drop), 1 (keep), 2 (keep while
// fewer than `ties` of the 2s before it were kept). emit(slot, i) for each
// kept i, slots 0, 1, ... in index order. Returns the count (all threads).
template <typename ClassFn, typename EmitFn>
__device__ int BlockCompact(ClassFn classify, int n, unsigned ties, EmitFn emit, int* scan) {
  int base = 0;
  unsigned ties_left = ties;
  for (int start = 0; start < n; start += blockDim.x) {
    const int i = start + threadIdx.x;
    const int c = i < n ? classify(i) : 0;
    int eq_total;
    const int eq_rank = BlockExclusiveScan<int>(c == 2 ? 1 : 0, &eq_total, scan);
    const int keep = c == 1 || (c == 2 && static_cast<unsigned>(eq_rank) < ties_left);
    int kept_total;
    const int pos = BlockExclusiveScan<int>(keep, &kept_total, scan);
    if (keep) emit(base + pos, i);
    base += kept_total;
    const unsigned used = static_cast<unsigned>(eq_total) < ties_left ? eq_total : ties_left;
    ties_left -= used;
  }
  return base;
}

// ------------------------------------------------------------ TopK selection

// One block per row. With kCache the biased row sits in dynamic shared
// memory (read 4 + 2 times per selection from there); otherwise every pass
// recomputes pre + bias from global memory (L2-resident for moderate F).
template <bool kCache>
__global__ void RowSelectKernel(SaeSelectArgs a) {
  extern __shared__ float s_row[];
  __shared__ SelectShared sh;
  const int F = static_cast<int>(a.f);
  for (int64_t n = blockIdx.x; n < a.rows; n += gridDim.x) {
    const float* pre = a.pre + n * a.f;
    if (kCache) {
      for (int i = threadIdx.x; i < F; i += blockDim.x) {
        s_row[i] = pre[i] + (a.bias != nullptr ? a.bias[i] : 0.0f);
      }
      __syncthreads();
    }
    auto value = [&](int i) -> float {
      if (kCache) return s_row[i];
      return pre[i] + (a.bias != nullptr ? a.bias[i] : 0.0f);
    };
    if (a.k > 0) {
      auto key = [&](int i) { return PosKey(value(i)); };
      const Selection sel = BlockRadixSelect(key, F, static_cast<unsigned>(a.k), sh);
      const int64_t base = n * a.k;
      auto classify = [&](int i) {
        const uint32_t k = key(i);
        if (k == 0) return 0;
        return k > sel.thresh ? 1 : (k == sel.thresh ? 2 : 0);
      };
      auto emit = [&](int slot, int i) {
        a.feat[base + slot] = i;
        a.val[base + slot] = value(i);
        a.row[base + slot] = static_cast<int32_t>(n);
        if (a.fired != nullptr) atomicAdd(&a.fired[i], 1u);
        if (a.feat_count != nullptr) atomicAdd(&a.feat_count[i], 1u);
      };
      const int c = BlockCompact(classify, F, sel.ties, emit, sh.scan);
      for (int64_t j = c + threadIdx.x; j < a.k; j += blockDim.x) {
        a.feat[base + j] = F;  // unused slot: sorts after every feature
        a.val[base + j] = 0.0f;
        a.row[base + j] = static_cast<int32_t>(n);
      }
      if (threadIdx.x == 0) {
        a.cnt[n] = c;
        if (a.main_begin != nullptr) a.main_begin[n] = static_cast<int32_t>(base);
        if (a.main_end != nullptr) a.main_end[n] = static_cast<int32_t>(base + c);
      }
    }
    if (a.k_aux > 0) {
      auto key = [&](int i) { return a.dead[i] ? PosKey(value(i)) : 0u; };
      const Selection sel = BlockRadixSelect(key, F, static_cast<unsigned>(a.k_aux), sh);
      const int64_t base = a.aux_base + n * a.k_aux;
      auto classify = [&](int i) {
        const uint32_t k = key(i);
        if (k == 0) return 0;
        return k > sel.thresh ? 1 : (k == sel.thresh ? 2 : 0);
      };
      auto emit = [&](int slot, int i) {
        a.feat[base + slot] = i;
        a.val[base + slot] = value(i);
        a.row[base + slot] = static_cast<int32_t>(n);
        if (a.feat_count != nullptr) atomicAdd(&a.feat_count[i], 1u);
      };
      const int c = BlockCompact(classify, F, sel.ties, emit, sh.scan);
      for (int64_t j = c + threadIdx.x; j < a.k_aux; j += blockDim.x) {
        a.feat[base + j] = F;
        a.val[base + j] = 0.0f;
        a.row[base + j] = static_cast<int32_t>(n);
      }
      if (threadIdx.x == 0) a.aux_cnt[n] = c;
    }
    __syncthreads();  // s_row / sh are reused by the next row
  }
}

// ------------------------------------------------------- BatchTopK selection

__global__ void BatchInitKernel(SaeBatchState* st, unsigned long long want) {
  st->prefix = 0;
  st->mask = 0;
  st->need = want;
  st->all = 0;
  st->pad = 0;
}

__global__ void BatchHistKernel(const float* __restrict__ pre, int64_t total,
                                const SaeBatchState* __restrict__ st, int shift,
                                unsigned long long* __restrict__ hist) {
  if (st->all) return;
  __shared__ unsigned h[256];
  for (int b = threadIdx.x; b < 256; b += blockDim.x) h[b] = 0;
  __syncthreads();
  const uint32_t prefix = st->prefix, mask = st->mask;
  for (int64_t t = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; t < total;
       t += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    const uint32_t k = PosKey(pre[t]);
    if (k != 0 && (k & mask) == prefix) atomicAdd(&h[(k >> shift) & 255u], 1u);
  }
  __syncthreads();
  for (int b = threadIdx.x; b < 256; b += blockDim.x) {
    if (h[b] != 0) atomicAdd(&hist[b], static_cast<unsigned long long>(h[b]));
  }
}

// One thread: 256 bins, 4 times per batch. Clears the histogram for the next pass.
__global__ void BatchPickKernel(SaeBatchState* st, unsigned long long* hist, int shift) {
  if (st->all) return;
  if (shift == 24) {
    unsigned long long total = 0;
    for (int b = 0; b < 256; ++b) total += hist[b];
    if (total <= st->need) {
      st->all = 1;
      st->prefix = 0;
      st->need = 0;
      for (int b = 0; b < 256; ++b) hist[b] = 0;
      return;
    }
  }
  unsigned long long cum = 0;
  int bin = 0;
  for (int b = 255; b >= 0; --b) {
    if (cum + hist[b] >= st->need) {
      bin = b;
      break;
    }
    cum += hist[b];
  }
  st->prefix |= static_cast<uint32_t>(bin) << shift;
  st->mask |= 255u << shift;
  st->need -= cum;
  for (int b = 0; b < 256; ++b) hist[b] = 0;
}

__global__ void BatchRowCountsKernel(const float* __restrict__ pre, int64_t rows, int64_t F,
                                     const SaeBatchState* __restrict__ st, int32_t* gt,
                                     int32_t* eq) {
  __shared__ int scan[32];
  const uint32_t T = st->all ? 0u : st->prefix;
  for (int64_t n = blockIdx.x; n < rows; n += gridDim.x) {
    const float* row = pre + n * F;
    int g = 0, e = 0;
    for (int64_t i = threadIdx.x; i < F; i += blockDim.x) {
      const uint32_t k = PosKey(row[i]);
      g += k != 0 && k > T;
      e += k != 0 && k == T;
    }
    g = BlockSum(g, scan);
    e = BlockSum(e, scan);
    if (threadIdx.x == 0) {
      gt[n] = g;
      eq[n] = e;
    }
  }
}

__global__ void BatchQuotaKernel(const SaeBatchState* __restrict__ st,
                                 const int32_t* __restrict__ eq_before,
                                 const int32_t* __restrict__ gt, const int32_t* __restrict__ eq,
                                 int32_t* quota, int32_t* cnt, int64_t rows) {
  const long long ties = st->all ? 0 : static_cast<long long>(st->need);
  for (int64_t n = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; n < rows;
       n += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    long long left = ties - eq_before[n];
    if (left < 0) left = 0;
    const int32_t q = static_cast<int32_t>(left < eq[n] ? left : eq[n]);
    quota[n] = q;
    cnt[n] = gt[n] + q;
  }
}

__global__ void BatchCompactKernel(const float* __restrict__ pre, int64_t rows, int64_t F,
                                   const SaeBatchState* __restrict__ st,
                                   const int32_t* __restrict__ quota,
                                   const int32_t* __restrict__ row_ptr, int32_t* feat,
                                   float* val, int32_t* rowv, uint32_t* fired,
                                   uint32_t* feat_count) {
  __shared__ int scan[32];
  const uint32_t T = st->all ? 0u : st->prefix;
  for (int64_t n = blockIdx.x; n < rows; n += gridDim.x) {
    const float* row = pre + n * F;
    const int64_t base = row_ptr[n];
    auto classify = [&](int i) {
      const uint32_t k = PosKey(row[i]);
      if (k == 0) return 0;
      return k > T ? 1 : (k == T ? 2 : 0);
    };
    auto emit = [&](int slot, int i) {
      feat[base + slot] = i;
      val[base + slot] = row[i];
      rowv[base + slot] = static_cast<int32_t>(n);
      if (fired != nullptr) atomicAdd(&fired[i], 1u);
      if (feat_count != nullptr) atomicAdd(&feat_count[i], 1u);
    };
    BlockCompact(classify, static_cast<int>(F), static_cast<unsigned>(quota[n]), emit, scan);
    __syncthreads();
  }
}

__global__ void ThresholdCountKernel(const float* __restrict__ pre, const float* __restrict__ th,
                                     int64_t rows, int64_t F, int32_t* cnt) {
  __shared__ int scan[32];
  for (int64_t n = blockIdx.x; n < rows; n += gridDim.x) {
    const float* row = pre + n * F;
    int c = 0;
    for (int64_t i = threadIdx.x; i < F; i += blockDim.x) c += row[i] > th[i] && row[i] > 0.0f;
    c = BlockSum(c, scan);
    if (threadIdx.x == 0) cnt[n] = c;
  }
}

__global__ void ThresholdCompactKernel(const float* __restrict__ pre,
                                       const float* __restrict__ th, int64_t rows, int64_t F,
                                       const int32_t* __restrict__ row_ptr, int32_t* feat,
                                       float* val, int32_t* rowv) {
  __shared__ int scan[32];
  for (int64_t n = blockIdx.x; n < rows; n += gridDim.x) {
    const float* row = pre + n * F;
    const int64_t base = row_ptr[n];
    auto classify = [&](int i) { return row[i] > th[i] && row[i] > 0.0f ? 1 : 0; };
    auto emit = [&](int slot, int i) {
      feat[base + slot] = i;
      val[base + slot] = row[i];
      rowv[base + slot] = static_cast<int32_t>(n);
    };
    BlockCompact(classify, static_cast<int>(F), 0u, emit, scan);
    __syncthreads();
  }
}

}  // namespace

cudaError_t LaunchSaeRowSelect(const SaeSelectArgs& a, cudaStream_t stream) {
  const int64_t row_bytes = a.f * static_cast<int64_t>(sizeof(float));
  // Leave room for the static shared memory (SelectShared, ~1.2 KB).
  const bool cache = row_bytes + 4096 <= a.smem_optin;
  if (cache) {
    const cudaError_t e = cudaFuncSetAttribute(
        RowSelectKernel<true>, cudaFuncAttributeMaxDynamicSharedMemorySize,
        static_cast<int>(row_bytes));
    if (e != cudaSuccess) return e;
    RowSelectKernel<true><<<BlocksFor(a.rows), kRowThreads, row_bytes, stream>>>(a);
  } else {
    RowSelectKernel<false><<<BlocksFor(a.rows), kRowThreads, 0, stream>>>(a);
  }
  return cudaGetLastError();
}

cudaError_t LaunchSaeBatchThreshold(const float* pre, int64_t total, int64_t want,
                                    SaeBatchState* state, unsigned long long* hist,
                                    cudaStream_t stream) {
  BatchInitKernel<<<1, 1, 0, stream>>>(state, static_cast<unsigned long long>(want));
  cudaError_t e = cudaGetLastError();
  if (e != cudaSuccess) return e;
  e = cudaMemsetAsync(hist, 0, 256 * sizeof(unsigned long long), stream);
  if (e != cudaSuccess) return e;
  for (int shift = 24; shift >= 0; shift -= 8) {
    BatchHistKernel<<<GridFor(total, 256, 132 * 16), 256, 0, stream>>>(pre, total, state, shift,
                                                                        hist);
    e = cudaGetLastError();
    if (e != cudaSuccess) return e;
    BatchPickKernel<<<1, 1, 0, stream>>>(state, hist, shift);
    e = cudaGetLastError();
    if (e != cudaSuccess) return e;
  }
  return cudaSuccess;
}

cudaError_t LaunchSaeBatchRowCounts(const float* pre, int64_t rows, int64_t f,
                                    const SaeBatchState* state, int32_t* gt, int32_t* eq,
                                    cudaStream_t stream) {
  BatchRowCountsKernel<<<BlocksFor(rows), kRowThreads, 0, stream>>>(pre, rows, f, state, gt, eq);
  return cudaGetLastError();
}

cudaError_t LaunchSaeBatchQuota(const SaeBatchState* state, const int32_t* eq_before,
                                const int32_t* gt, const int32_t* eq, int32_t* quota,
                                int32_t* cnt, int64_t rows, cudaStream_t stream) {
  BatchQuotaKernel<<<GridFor(rows, 256), 256, 0, stream>>>(state, eq_before, gt, eq, quota, cnt,
                                                           rows);
  return cudaGetLastError();
}

cudaError_t LaunchSaeBatchCompact(const float* pre, int64_t rows, int64_t f,
                                  const SaeBatchState* state, const int32_t* quota,
                                  const int32_t* row_ptr, int32_t* feat, float* val,
                                  int32_t* row, uint32_t* fired, uint32_t* feat_count,
                                  cudaStream_t stream) {
  BatchCompactKernel<<<BlocksFor(rows), kRowThreads, 0, stream>>>(
      pre, rows, f, state, quota, row_ptr, feat, val, row, fired, feat_count);
  return cudaGetLastError();
}

cudaError_t LaunchSaeThresholdCount(const float* pre, const float* th, int64_t rows, int64_t f,
                                    int32_t* cnt, cudaStream_t stream) {
  ThresholdCountKernel<<<BlocksFor(rows), kRowThreads, 0, stream>>>(pre, th, rows, f, cnt);
  return cudaGetLastError();
}

cudaError_t LaunchSaeThresholdCompact(const float* pre, const float* th, int64_t rows,
                                      int64_t f, const int32_t* row_ptr, int32_t* feat,
                                      float* val, int32_t* row, cudaStream_t stream) {
  ThresholdCompactKernel<<<BlocksFor(rows), kRowThreads, 0, stream>>>(pre, th, rows, f, row_ptr,
                                                                      feat, val, row);
  return cudaGetLastError();
}

}  // namespace monosem::cuda
