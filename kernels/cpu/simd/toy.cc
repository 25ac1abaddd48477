// The toy model's kernel for one instance: forward, loss and backward fused
// per block of samples. Per sample (p = pre-activation, g = dL/dp):
//   h = W x;  p = b + Wᵀ h;  g = (2/B) I (y − x) [p > 0];
//   dh = W g;  dW += h gᵀ + dh xᵀ;  db += g
// Work per step: 5 products of 2·B·m·n FLOPs per instance (10·I·B·m·n).
//
// With AVX2 + FMA (the avx2 and avx512 units) two hand-vectorized paths:
//  * Small shapes (m·n <= kLaneMaxParams: 20x5, 5x2, 2x1): 8 samples ride in
//    the 8 AVX2 lanes (vectors along n would be mostly padding); W's entries
//    are broadcast, h and dh live in registers (m <= 8 is a template
//    parameter), dW and db accumulate per lane in L1 and are reduced once per
//    batch.
//  * Large shapes (400x30): vectors along n, samples in blocks of kBlock so
//    that each pass over W (48 KiB at 400x30, L1/L2 resident) serves several
//    samples: h = W x and dh = W g as 4-sample x 3-row register tiles of dot
//    products, p = b + Wᵀh as 4-sample x 24-feature tiles, dW += h gᵀ + dh xᵀ
//    as 4-row x 24-feature tiles accumulated over the whole block (12
//    accumulators each, enough to cover the FMA latency on 2 pipes). This turns
//    the per-sample matrix-vector products into small GEMMs.
// The avx512 unit runs the same 8-lane code (with AVX-512's 32 registers
// available to the compiler); a 16-lane version is not written yet.
// Without AVX2 (the portable unit) a per-sample loop the compiler vectorizes
// for the baseline ISA.
#include <algorithm>
#include <cstring>

#include "kernels/cpu/simd/unit.h"

#if defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>
#define MONOSEM_TOY_AVX2 1
#endif

namespace monosem::cpu::simd::MONOSEM_SIMD_ISA {
namespace {

#ifdef MONOSEM_TOY_AVX2

inline float HSum(__m256 v) {
  __m128 lo = _mm256_castps256_ps128(v);
  __m128 hi = _mm256_extractf128_ps(v, 1);
  lo = _mm_add_ps(lo, hi);
  lo = _mm_add_ps(lo, _mm_movehl_ps(lo, lo));
  lo = _mm_add_ss(lo, _mm_movehdup_ps(lo));
  return _mm_cvtss_f32(lo);
}

// ---------------------------------------------------------------------------
// Small shapes: 8 samples per vector.

constexpr int kLanes = 8;
constexpr int64_t kLaneMaxParams = 1024;

// Carves `count` 32-byte vectors off the scratch pointer.
inline __m256* Take(float*& at, int64_t count) {
  __m256* v = reinterpret_cast<__m256*>(at);
  at += count * kLanes;
  return v;
}

inline int64_t LaneScratchFloats(int64_t n, int64_t m) { return (3 * n + 2 * m + m * n) * kLanes; }

// out[j] = (in[0·ld + j], ..., in[7·ld + j]) for j < 8: an 8x8 transpose.
inline void Transpose8(const float* in, int64_t ld, __m256* out) {
  const __m256 r0 = _mm256_loadu_ps(in), r1 = _mm256_loadu_ps(in + ld),
               r2 = _mm256_loadu_ps(in + 2 * ld), r3 = _mm256_loadu_ps(in + 3 * ld),
               r4 = _mm256_loadu_ps(in + 4 * ld), r5 = _mm256_loadu_ps(in + 5 * ld),
               r6 = _mm256_loadu_ps(in + 6 * ld), r7 = _mm256_loadu_ps(in + 7 * ld);
  const __m256 t0 = _mm256_unpacklo_ps(r0, r1), t1 = _mm256_unpackhi_ps(r0, r1),
               t2 = _mm256_unpacklo_ps(r2, r3), t3 = _mm256_unpackhi_ps(r2, r3),
               t4 = _mm256_unpacklo_ps(r4, r5), t5 = _mm256_unpackhi_ps(r4, r5),
               t6 = _mm256_unpacklo_ps(r6, r7), t7 = _mm256_unpackhi_ps(r6, r7);
  const __m256 u0 = _mm256_shuffle_ps(t0, t2, 0x44), u1 = _mm256_shuffle_ps(t0, t2, 0xEE),
               u2 = _mm256_shuffle_ps(t1, t3, 0x44), u3 = _mm256_shuffle_ps(t1, t3, 0xEE),
               u4 = _mm256_shuffle_ps(t4, t6, 0x44), u5 = _mm256_shuffle_ps(t4, t6, 0xEE),
               u6 = _mm256_shuffle_ps(t5, t7, 0x44), u7 = _mm256_shuffle_ps(t5, t7, 0xEE);
  out[0] = _mm256_permute2f128_ps(u0, u4, 0x20);
  out[1] = _mm256_permute2f128_ps(u1, u5, 0x20);
  out[2] = _mm256_permute2f128_ps(u2, u6, 0x20);
  out[3] = _mm256_permute2f128_ps(u3, u7, 0x20);
  out[4] = _mm256_permute2f128_ps(u0, u4, 0x31);
  out[5] = _mm256_permute2f128_ps(u1, u5, 0x31);
  out[6] = _mm256_permute2f128_ps(u2, u6, 0x31);
  out[7] = _mm256_permute2f128_ps(u3, u7, 0x31);
}

// M > 0: m is a compile-time constant (h, dh in registers); M == 0: runtime m.
template <int M>
void InstanceLanes(int64_t B, int64_t n, int64_t m_rt, bool relu, const float* __restrict X,
                   const float* __restrict W, const float* __restrict bias,
                   const float* __restrict imp, float* loss, float* __restrict dW,
                   float* __restrict db, float* scratch) {
  const int64_t m = M > 0 ? M : m_rt;
  const bool grad = dW != nullptr;
  float* at = scratch;  // 32-byte aligned (ToyInstance)
  __m256* __restrict xT = Take(at, n);
  __m256* __restrict g = Take(at, n);
  __m256* __restrict hv = Take(at, m);
  __m256* __restrict dhv = Take(at, m);
  __m256* __restrict dwacc = Take(at, m * n);
  __m256* __restrict dbacc = Take(at, n);
  if (grad) {
    std::memset(dwacc, 0, sizeof(__m256) * m * n);
    std::memset(dbacc, 0, sizeof(__m256) * n);
  }
  const __m256 zero = _mm256_setzero_ps();
  const __m256 coef = _mm256_set1_ps(2.0f / static_cast<float>(B));
  const __m256i lane_ids = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  double total = 0.0;
  for (int64_t s0 = 0; s0 < B; s0 += kLanes) {
    const int cnt = static_cast<int>(std::min<int64_t>(kLanes, B - s0));
    const __m256 valid =
        _mm256_castsi256_ps(_mm256_cmpgt_epi32(_mm256_set1_epi32(cnt), lane_ids));
    // Transpose 8 samples into lane-major xT[i] (zero for missing samples).
    float* xt = reinterpret_cast<float*>(xT);
    const float* xs = X + s0 * n;
    int64_t t0 = 0;
    if (cnt == kLanes) {
      for (; t0 + 8 <= n; t0 += 8) Transpose8(xs + t0, n, xT + t0);
    }
    for (int l = 0; l < cnt; ++l) {
      for (int64_t i = t0; i < n; ++i) xt[i * kLanes + l] = xs[l * n + i];
    }
    for (int l = cnt; l < kLanes; ++l) {
      for (int64_t i = 0; i < n; ++i) xt[i * kLanes + l] = 0.0f;
    }
    // h = W x.
    __m256 h[M > 0 ? M : 1];
    if constexpr (M > 0) {
      #pragma GCC unroll 8
      for (int k = 0; k < M; ++k) h[k] = zero;
      for (int64_t i = 0; i < n; ++i) {
        const __m256 xi = xT[i];
        #pragma GCC unroll 8
        for (int k = 0; k < M; ++k) h[k] = _mm256_fmadd_ps(_mm256_set1_ps(W[k * n + i]), xi, h[k]);
      }
    } else {
      for (int64_t k = 0; k < m; ++k) {
        __m256 a = zero, c = zero;
        int64_t i = 0;
        for (; i + 1 < n; i += 2) {
          a = _mm256_fmadd_ps(_mm256_set1_ps(W[k * n + i]), xT[i], a);
          c = _mm256_fmadd_ps(_mm256_set1_ps(W[k * n + i + 1]), xT[i + 1], c);
        }
        if (i < n) a = _mm256_fmadd_ps(_mm256_set1_ps(W[k * n + i]), xT[i], a);
        hv[k] = _mm256_add_ps(a, c);
      }
    }
    // p = b + Wᵀ h, the loss and g.
    __m256 lacc = zero;
    for (int64_t i = 0; i < n; ++i) {
      __m256 p = _mm256_set1_ps(bias[i]);
      if constexpr (M > 0) {
        #pragma GCC unroll 8
        for (int k = 0; k < M; ++k) p = _mm256_fmadd_ps(_mm256_set1_ps(W[k * n + i]), h[k], p);
      } else {
        for (int64_t k = 0; k < m; ++k) {
          p = _mm256_fmadd_ps(_mm256_set1_ps(W[k * n + i]), hv[k], p);
        }
      }
      const __m256 ii = _mm256_set1_ps(imp[i]);
      __m256 active = valid;
      __m256 y = p;
      if (relu) {
        y = _mm256_max_ps(p, zero);
        active = _mm256_and_ps(active, _mm256_cmp_ps(p, zero, _CMP_GT_OQ));
      }
      const __m256 e = _mm256_sub_ps(y, xT[i]);
      const __m256 ie = _mm256_mul_ps(ii, e);
      lacc = _mm256_fmadd_ps(_mm256_and_ps(ie, valid), e, lacc);
      const __m256 gi = _mm256_and_ps(_mm256_mul_ps(coef, ie), active);
      g[i] = gi;
      if (grad) dbacc[i] = _mm256_add_ps(dbacc[i], gi);
    }
    total += HSum(lacc);
    if (!grad) continue;
    // dh = W g;  dW += h gᵀ + dh xᵀ.
    if constexpr (M > 0) {
      __m256 dh[M];
      #pragma GCC unroll 8
      for (int k = 0; k < M; ++k) dh[k] = zero;
      for (int64_t i = 0; i < n; ++i) {
        const __m256 gi = g[i];
        #pragma GCC unroll 8
        for (int k = 0; k < M; ++k) dh[k] = _mm256_fmadd_ps(_mm256_set1_ps(W[k * n + i]), gi, dh[k]);
      }
      #pragma GCC unroll 8
      for (int k = 0; k < M; ++k) {
        __m256* __restrict acc = dwacc + k * n;
        for (int64_t i = 0; i < n; ++i) {
          acc[i] = _mm256_fmadd_ps(h[k], g[i], _mm256_fmadd_ps(dh[k], xT[i], acc[i]));
        }
      }
    } else {
      for (int64_t k = 0; k < m; ++k) {
        __m256 a = zero, c = zero;
        int64_t i = 0;
        for (; i + 1 < n; i += 2) {
          a = _mm256_fmadd_ps(_mm256_set1_ps(W[k * n + i]), g[i], a);
          c = _mm256_fmadd_ps(_mm256_set1_ps(W[k * n + i + 1]), g[i + 1], c);
        }
        if (i < n) a = _mm256_fmadd_ps(_mm256_set1_ps(W[k * n + i]), g[i], a);
        dhv[k] = _mm256_add_ps(a, c);
      }
      for (int64_t k = 0; k < m; ++k) {
        __m256* __restrict acc = dwacc + k * n;
        const __m256 hk = hv[k], dhk = dhv[k];
        for (int64_t i = 0; i < n; ++i) {
          acc[i] = _mm256_fmadd_ps(hk, g[i], _mm256_fmadd_ps(dhk, xT[i], acc[i]));
        }
      }
    }
  }
  *loss = static_cast<float>(total / static_cast<double>(B));
  if (!grad) return;
  for (int64_t e = 0; e < m * n; ++e) dW[e] = HSum(dwacc[e]);
  for (int64_t i = 0; i < n; ++i) db[i] = HSum(dbacc[i]);
}

using LaneFn = void (*)(int64_t, int64_t, int64_t, bool, const float*, const float*,
                        const float*, const float*, float*, float*, float*, float*);

LaneFn PickLanes(int64_t m) {
  switch (m) {
    case 1: return InstanceLanes<1>;
    case 2: return InstanceLanes<2>;
    case 3: return InstanceLanes<3>;
    case 4: return InstanceLanes<4>;
    case 5: return InstanceLanes<5>;
    case 6: return InstanceLanes<6>;
    case 7: return InstanceLanes<7>;
    case 8: return InstanceLanes<8>;
    default: return InstanceLanes<0>;
  }
}

// ---------------------------------------------------------------------------
// Large shapes: vectors along n, samples in blocks.

constexpr int kBlock = 8;  // samples per block (dW tiles accumulate over these)
constexpr int kSub = 4;    // samples per register tile

// outk[s·ldo + k] = Σ_i W[k][i] v_s[i] for kSub sample rows v_s and all k.
// n8 = n rounded down to 8; the tail is scalar.
void TileDots(const float* __restrict W, int64_t m, int64_t n, const float* const* v,
              float* __restrict outk, int64_t ldo) {
  const int64_t n8 = n & ~int64_t{7};
  int64_t k = 0;
  for (; k + 3 <= m; k += 3) {
    const float* w0 = W + k * n;
    const float* w1 = w0 + n;
    const float* w2 = w1 + n;
    __m256 a[kSub][3];
    #pragma GCC unroll 8
    for (int s = 0; s < kSub; ++s) a[s][0] = a[s][1] = a[s][2] = _mm256_setzero_ps();
    for (int64_t i = 0; i < n8; i += 8) {
      const __m256 x0 = _mm256_loadu_ps(w0 + i), x1 = _mm256_loadu_ps(w1 + i),
                   x2 = _mm256_loadu_ps(w2 + i);
      #pragma GCC unroll 8
      for (int s = 0; s < kSub; ++s) {
        const __m256 vs = _mm256_loadu_ps(v[s] + i);
        a[s][0] = _mm256_fmadd_ps(x0, vs, a[s][0]);
        a[s][1] = _mm256_fmadd_ps(x1, vs, a[s][1]);
        a[s][2] = _mm256_fmadd_ps(x2, vs, a[s][2]);
      }
    }
    #pragma GCC unroll 8
    for (int s = 0; s < kSub; ++s) {
      float t[3] = {HSum(a[s][0]), HSum(a[s][1]), HSum(a[s][2])};
      for (int64_t i = n8; i < n; ++i) {
        t[0] += w0[i] * v[s][i];
        t[1] += w1[i] * v[s][i];
        t[2] += w2[i] * v[s][i];
      }
      #pragma GCC unroll 8
      for (int r = 0; r < 3; ++r) outk[s * ldo + k + r] = t[r];
    }
  }
  for (; k < m; ++k) {
    const float* w0 = W + k * n;
    __m256 a[kSub];
    #pragma GCC unroll 8
    for (int s = 0; s < kSub; ++s) a[s] = _mm256_setzero_ps();
    for (int64_t i = 0; i < n8; i += 8) {
      const __m256 x0 = _mm256_loadu_ps(w0 + i);
      #pragma GCC unroll 8
      for (int s = 0; s < kSub; ++s) a[s] = _mm256_fmadd_ps(x0, _mm256_loadu_ps(v[s] + i), a[s]);
    }
    #pragma GCC unroll 8
    for (int s = 0; s < kSub; ++s) {
      float t = HSum(a[s]);
      for (int64_t i = n8; i < n; ++i) t += w0[i] * v[s][i];
      outk[s * ldo + k] = t;
    }
  }
}

// p tile: 4 samples x C·8 features; a[s][c] = b + Σ_k W[k][i..] h_s[k], then
// epilogue(s, feature, p) for each vector.
template <int C, typename Epilogue>
inline void PTile(const float* __restrict W, const float* __restrict bias,
                  const float* __restrict hq, int64_t m, int64_t n, int64_t i, Epilogue& epi) {
  __m256 a[kSub][C];
  #pragma GCC unroll 8
  for (int c = 0; c < C; ++c) {
    const __m256 bc = _mm256_loadu_ps(bias + i + 8 * c);
    #pragma GCC unroll 8
    for (int s = 0; s < kSub; ++s) a[s][c] = bc;
  }
  for (int64_t k = 0; k < m; ++k) {
    __m256 w[C];
    #pragma GCC unroll 8
    for (int c = 0; c < C; ++c) w[c] = _mm256_loadu_ps(W + k * n + i + 8 * c);
    #pragma GCC unroll 8
    for (int s = 0; s < kSub; ++s) {
      const __m256 hk = _mm256_broadcast_ss(hq + s * m + k);
      #pragma GCC unroll 8
      for (int c = 0; c < C; ++c) a[s][c] = _mm256_fmadd_ps(w[c], hk, a[s][c]);
    }
  }
  #pragma GCC unroll 8
  for (int s = 0; s < kSub; ++s) {
    #pragma GCC unroll 8
    for (int c = 0; c < C; ++c) epi(s, i + 8 * c, a[s][c]);
  }
}

// dW rows k..k+R-1, features i..i+8C-1: += Σ_s h_s[k] g_s[i] (then the dh xᵀ
// part): R·C accumulators held across the block's samples.
template <int R, int C>
inline void DwTile(float* __restrict dW, const float* __restrict H, const float* __restrict DH,
                   const float* __restrict G, const float* const* xr, int64_t m, int64_t n,
                   int64_t k, int64_t i, int cnt) {
  __m256 a[R][C];
  #pragma GCC unroll 8
  for (int r = 0; r < R; ++r) {
    #pragma GCC unroll 8
    for (int c = 0; c < C; ++c) a[r][c] = _mm256_loadu_ps(dW + (k + r) * n + i + 8 * c);
  }
  #pragma GCC unroll 8
  for (int s = 0; s < cnt; ++s) {
    __m256 v[C];
    #pragma GCC unroll 8
    for (int c = 0; c < C; ++c) v[c] = _mm256_loadu_ps(G + s * n + i + 8 * c);
    #pragma GCC unroll 8
    for (int r = 0; r < R; ++r) {
      const __m256 hk = _mm256_broadcast_ss(H + s * m + k + r);
      #pragma GCC unroll 8
      for (int c = 0; c < C; ++c) a[r][c] = _mm256_fmadd_ps(hk, v[c], a[r][c]);
    }
  }
  #pragma GCC unroll 8
  for (int s = 0; s < cnt; ++s) {
    __m256 v[C];
    #pragma GCC unroll 8
    for (int c = 0; c < C; ++c) v[c] = _mm256_loadu_ps(xr[s] + i + 8 * c);
    #pragma GCC unroll 8
    for (int r = 0; r < R; ++r) {
      const __m256 dk = _mm256_broadcast_ss(DH + s * m + k + r);
      #pragma GCC unroll 8
      for (int c = 0; c < C; ++c) a[r][c] = _mm256_fmadd_ps(dk, v[c], a[r][c]);
    }
  }
  #pragma GCC unroll 8
  for (int r = 0; r < R; ++r) {
    #pragma GCC unroll 8
    for (int c = 0; c < C; ++c) _mm256_storeu_ps(dW + (k + r) * n + i + 8 * c, a[r][c]);
  }
}

template <int R>
void DwRows(float* __restrict dW, const float* __restrict H, const float* __restrict DH,
            const float* __restrict G, const float* const* xr, int64_t m, int64_t n, int64_t k,
            int cnt) {
  const int64_t n8 = n & ~int64_t{7};
  int64_t i = 0;
  for (; i + 24 <= n8; i += 24) DwTile<R, 3>(dW, H, DH, G, xr, m, n, k, i, cnt);
  for (; i < n8; i += 8) DwTile<R, 1>(dW, H, DH, G, xr, m, n, k, i, cnt);
  for (; i < n; ++i) {  // remaining features, scalar
    #pragma GCC unroll 8
    for (int r = 0; r < R; ++r) {
      float t = dW[(k + r) * n + i];
      #pragma GCC unroll 8
      for (int s = 0; s < cnt; ++s) {
        t += H[s * m + k + r] * G[s * n + i] + DH[s * m + k + r] * xr[s][i];
      }
      dW[(k + r) * n + i] = t;
    }
  }
}

inline int64_t BlockScratchFloats(int64_t n, int64_t m) { return n + 2 * kBlock * m + kBlock * n; }

void InstanceBlocked(int64_t B, int64_t n, int64_t m, bool relu, const float* __restrict X,
                     const float* __restrict W, const float* __restrict bias,
                     const float* __restrict imp, float* loss, float* __restrict dW,
                     float* __restrict db, float* scratch) {
  const bool grad = dW != nullptr;
  std::memset(scratch, 0, sizeof(float) * BlockScratchFloats(n, m));
  const float* zeros = scratch;
  float* __restrict H = scratch + n;
  float* __restrict DH = H + kBlock * m;
  float* __restrict G = DH + kBlock * m;
  if (grad) {
    std::fill(dW, dW + m * n, 0.0f);
    std::fill(db, db + n, 0.0f);
  }
  const int64_t n8 = n & ~int64_t{7};
  const float coef_s = 2.0f / static_cast<float>(B);
  const __m256 coef = _mm256_set1_ps(coef_s);
  const __m256 zero = _mm256_setzero_ps();
  double total = 0.0;
  for (int64_t s0 = 0; s0 < B; s0 += kBlock) {
    const int cnt = static_cast<int>(std::min<int64_t>(kBlock, B - s0));
    const float* xr[kBlock];
    for (int s = 0; s < kBlock; ++s) xr[s] = s < cnt ? X + (s0 + s) * n : zeros;
    // h = W x, 4 samples at a time.
    for (int q = 0; q < kBlock; q += kSub) TileDots(W, m, n, xr + q, H + q * m, m);
    // p = b + Wᵀ h (4 samples x 24 features per register tile), then the loss and g.
    float block_loss = 0.0f;
    for (int q = 0; q < kBlock; q += kSub) {
      __m256 lacc[kSub];
      for (int s = 0; s < kSub; ++s) lacc[s] = zero;
      const float* hq = H + q * m;
      auto epilogue = [&](int s, int64_t at, __m256 p) {
        const __m256 xv = _mm256_loadu_ps(xr[q + s] + at);
        __m256 y = p, keep = _mm256_castsi256_ps(_mm256_set1_epi32(-1));
        if (relu) {
          y = _mm256_max_ps(p, zero);
          keep = _mm256_cmp_ps(p, zero, _CMP_GT_OQ);
        }
        const __m256 e = _mm256_sub_ps(y, xv);
        const __m256 ie = _mm256_mul_ps(_mm256_loadu_ps(imp + at), e);
        lacc[s] = _mm256_fmadd_ps(ie, e, lacc[s]);
        _mm256_storeu_ps(G + (q + s) * n + at, _mm256_and_ps(_mm256_mul_ps(coef, ie), keep));
      };
      int64_t i = 0;
      for (; i + 24 <= n8; i += 24) PTile<3>(W, bias, hq, m, n, i, epilogue);
      for (; i < n8; i += 8) PTile<1>(W, bias, hq, m, n, i, epilogue);
      for (int s = 0; s < kSub; ++s) {
        float t = HSum(lacc[s]);
        for (int64_t j = n8; j < n; ++j) {  // scalar tail
          float p = bias[j];
          for (int64_t k = 0; k < m; ++k) p += W[k * n + j] * H[(q + s) * m + k];
          const bool active = !relu || p > 0.0f;
          const float e = (active ? p : 0.0f) - xr[q + s][j];
          t += imp[j] * e * e;
          G[(q + s) * n + j] = active ? coef_s * imp[j] * e : 0.0f;
        }
        if (q + s < cnt) {
          block_loss += t;
        } else {
          std::fill(G + (q + s) * n, G + (q + s + 1) * n, 0.0f);  // padding sample
        }
      }
    }
    total += block_loss;
    if (!grad) continue;
    // db += Σ_s g_s.
    for (int s = 0; s < cnt; ++s) {
      for (int64_t i = 0; i < n; ++i) db[i] += G[s * n + i];
    }
    // dh = W g.
    const float* gr[kBlock];
    for (int s = 0; s < kBlock; ++s) gr[s] = G + s * n;
    for (int q = 0; q < kBlock; q += kSub) TileDots(W, m, n, gr + q, DH + q * m, m);
    // dW += Σ_s h_s g_sᵀ + dh_s x_sᵀ: 4 rows x 24 features per register tile.
    for (int64_t k = 0; k < m; k += 4) {
      const int kr = static_cast<int>(std::min<int64_t>(4, m - k));
      switch (kr) {
        case 4: DwRows<4>(dW, H, DH, G, xr, m, n, k, cnt); break;
        case 3: DwRows<3>(dW, H, DH, G, xr, m, n, k, cnt); break;
        case 2: DwRows<2>(dW, H, DH, G, xr, m, n, k, cnt); break;
        default: DwRows<1>(dW, H, DH, G, xr, m, n, k, cnt); break;
      }
    }
  }
  *loss = static_cast<float>(total / static_cast<double>(B));
}

#else  // portable

// Per sample: h = W x, p = b + Wᵀ h, g, dh = W g, dW += h gᵀ + dh xᵀ.
void InstancePortable(int64_t B, int64_t n, int64_t m, bool relu, const float* __restrict X,
                      const float* __restrict W, const float* __restrict bias,
                      const float* __restrict imp, float* loss, float* __restrict dW,
                      float* __restrict db, float* scratch) {
  const bool grad = dW != nullptr;
  float* __restrict h = scratch;
  float* __restrict dh = h + m;
  float* __restrict g = dh + m;
  if (grad) {
    std::fill(dW, dW + m * n, 0.0f);
    std::fill(db, db + n, 0.0f);
  }
  const float coef = 2.0f / static_cast<float>(B);
  double total = 0.0;
  for (int64_t s = 0; s < B; ++s) {
    const float* __restrict x = X + s * n;
    for (int64_t k = 0; k < m; ++k) {
      float a = 0.0f;
      for (int64_t i = 0; i < n; ++i) a += W[k * n + i] * x[i];
      h[k] = a;
    }
    for (int64_t i = 0; i < n; ++i) g[i] = bias[i];
    for (int64_t k = 0; k < m; ++k) {
      const float hk = h[k];
      for (int64_t i = 0; i < n; ++i) g[i] += W[k * n + i] * hk;
    }
    float t = 0.0f;
    for (int64_t i = 0; i < n; ++i) {
      const float p = g[i];
      const bool active = !relu || p > 0.0f;
      const float e = (active ? p : 0.0f) - x[i];
      t += imp[i] * e * e;
      g[i] = active ? coef * imp[i] * e : 0.0f;
    }
    total += t;
    if (!grad) continue;
    for (int64_t i = 0; i < n; ++i) db[i] += g[i];
    for (int64_t k = 0; k < m; ++k) {
      float a = 0.0f;
      for (int64_t i = 0; i < n; ++i) a += W[k * n + i] * g[i];
      dh[k] = a;
    }
    for (int64_t k = 0; k < m; ++k) {
      const float hk = h[k], dk = dh[k];
      float* __restrict row = dW + k * n;
      for (int64_t i = 0; i < n; ++i) row[i] += hk * g[i] + dk * x[i];
    }
  }
  *loss = static_cast<float>(total / static_cast<double>(B));
}

#endif

}  // namespace

int64_t ToyScratchFloats(int64_t n, int64_t m) {
#ifdef MONOSEM_TOY_AVX2
  return std::max(LaneScratchFloats(n, m), BlockScratchFloats(n, m)) + 8;  // + alignment
#else
  return 2 * m + n;
#endif
}

void ToyInstance(int64_t B, int64_t n, int64_t m, bool relu, const float* X, const float* W,
                 const float* bias, const float* imp, float* loss, float* dW, float* db,
                 float* scratch) {
#ifdef MONOSEM_TOY_AVX2
  // The lane path's vectors are aligned loads: round the scratch up to 32 bytes.
  const auto at = reinterpret_cast<uintptr_t>(scratch);
  float* aligned = reinterpret_cast<float*>((at + 31) & ~uintptr_t{31});
  if (m * n <= kLaneMaxParams) {
    PickLanes(m)(B, n, m, relu, X, W, bias, imp, loss, dW, db, aligned);
  } else {
    InstanceBlocked(B, n, m, relu, X, W, bias, imp, loss, dW, db, aligned);
  }
#else
  InstancePortable(B, n, m, relu, X, W, bias, imp, loss, dW, db, scratch);
#endif
}

}  // namespace monosem::cpu::simd::MONOSEM_SIMD_ISA
