// The SAE kernels of the cuda backend (launchers: kernels/cuda/sae_cuda.h,
// driver: sae_cuda.cc, math: monosem/models/sae/sae_kernels.h).
//
// Determinism: every float reduction has a fixed order (per-thread loops over
// a fixed range, then fixed trees or warp butterflies). Atomics are used only
// on integers (firing counters, histograms), whose sums do not depend on the
// order. The weight-gradient scatter goes through a per-feature list sorted
// stably by feature, so each gradient row is owned by one block.
#include <cub/device/device_radix_sort.cuh>

#include "kernels/cuda/reduce.cuh"
#include "kernels/cuda/sae_cuda.h"

namespace monosem::cuda {
namespace {

constexpr int kRowThreads = 256;   // selection / compaction blocks
constexpr int kColThreads = 128;   // per-row / per-feature d-wide blocks
constexpr unsigned kFull = kFullMask;

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
    const unsigned y = __shfl_up_sync(kFull, incl, o);
    if (lane >= o) incl += y;
  }
  const unsigned total = __shfl_sync(kFull, incl, 31);
  if (first_pass && total <= need) {
    if (lane == 0) sh.pick[0] = 1;
    return;
  }
  const unsigned ballot = __ballot_sync(kFull, incl >= need);
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
    for (int o = 16; o > 0; o >>= 1) s += __shfl_xor_sync(kFull, s, o);
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
    for (int o = 16; o > 0; o >>= 1) s += __shfl_xor_sync(kFull, s, o);
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

// ------------------------------------------------------ decoder rows, Adam

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
      dot += __shfl_xor_sync(kFull, dot, o);
      nn += __shfl_xor_sync(kFull, nn, o);
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
    for (int o = 16; o > 0; o >>= 1) nn += __shfl_xor_sync(kFull, nn, o);
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

// Warp-per-row kernels: 8 warps per block.
inline unsigned WarpRowBlocks(int64_t rows) { return GridFor(rows * 32, 256); }

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
