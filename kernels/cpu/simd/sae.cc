// The SAE kernels' scans over pre-activation rows [F]: the TopK candidate
// search, the positive-entry count and compression (CSR), and relu_l1's
// fused epilogues. At a trained SAE's sparsity almost every 8 or 16 lanes
// hold nothing to keep, so each loop compares a vector and does scalar work
// only for the lanes that pass; the scalar work runs in index order, so the
// sums it makes are those of a plain sequential loop, on every path.
#include <cstring>

#include "kernels/cpu/simd/unit.h"

#if defined(__AVX2__)
#include <immintrin.h>
#endif

namespace monosem::cpu::simd::MONOSEM_SIMD_ISA {
namespace {

inline bool DeadBit(const uint8_t* dead, int64_t i) { return (dead[i >> 3] >> (i & 7)) & 1; }

// The lanes of the block at i (width W) where the scalar loop must look, as a
// bit mask, or 0 where it need not.
#if defined(__AVX512F__)
constexpr int64_t kW = 16;
inline unsigned AboveMask(const float* v, const float* b, int64_t i, float bar,
                          const uint8_t* dead, float bar_dead) {
  const __m512 x = _mm512_add_ps(_mm512_loadu_ps(v + i), _mm512_loadu_ps(b + i));
  unsigned m = _mm512_cmp_ps_mask(x, _mm512_set1_ps(bar), _CMP_GT_OQ);
  if (dead != nullptr) {
    uint16_t bits;
    std::memcpy(&bits, dead + (i >> 3), 2);
    if (bits != 0) m |= _mm512_mask_cmp_ps_mask(bits, x, _mm512_set1_ps(bar_dead), _CMP_GT_OQ);
  }
  return m;
}
inline unsigned PositiveMask(const float* v, int64_t i) {
  return _mm512_cmp_ps_mask(_mm512_loadu_ps(v + i), _mm512_setzero_ps(), _CMP_GT_OQ);
}
#elif defined(__AVX2__)
constexpr int64_t kW = 8;
inline unsigned AboveMask(const float* v, const float* b, int64_t i, float bar,
                          const uint8_t* dead, float bar_dead) {
  const __m256 x = _mm256_add_ps(_mm256_loadu_ps(v + i), _mm256_loadu_ps(b + i));
  unsigned m = _mm256_movemask_ps(_mm256_cmp_ps(x, _mm256_set1_ps(bar), _CMP_GT_OQ));
  if (dead != nullptr && dead[i >> 3] != 0) {
    m |= _mm256_movemask_ps(_mm256_cmp_ps(x, _mm256_set1_ps(bar_dead), _CMP_GT_OQ)) &
         dead[i >> 3];
  }
  return m;
}
inline unsigned PositiveMask(const float* v, int64_t i) {
  return _mm256_movemask_ps(_mm256_cmp_ps(_mm256_loadu_ps(v + i), _mm256_setzero_ps(), _CMP_GT_OQ));
}
#else
constexpr int64_t kW = 8;
inline unsigned AboveMask(const float* v, const float* b, int64_t i, float bar,
                          const uint8_t* dead, float bar_dead) {
  unsigned m = 0;
  for (int l = 0; l < kW; ++l) {
    const float x = v[i + l] + b[i + l];
    const bool hit = x > bar || (dead != nullptr && DeadBit(dead, i + l) && x > bar_dead);
    m |= static_cast<unsigned>(hit) << l;
  }
  return m;
}
inline unsigned PositiveMask(const float* v, int64_t i) {
  unsigned m = 0;
  for (int l = 0; l < kW; ++l) m |= static_cast<unsigned>(v[i + l] > 0.0f) << l;
  return m;
}
#endif

}  // namespace

int64_t NextAbove(const float* v, const float* b, int64_t from, int64_t F, float bar,
                  const uint8_t* dead, float bar_dead) {
  int64_t i = from;
  // Scalar up to a block boundary (the dead bits come a byte per 8 lanes).
  for (; i < F && (i % kW) != 0; ++i) {
    const float x = v[i] + b[i];
    if (x > bar || (dead != nullptr && DeadBit(dead, i) && x > bar_dead)) return i;
  }
  for (; i + kW <= F; i += kW) {
    const unsigned m = AboveMask(v, b, i, bar, dead, bar_dead);
    if (m != 0) return i + __builtin_ctz(m);
  }
  for (; i < F; ++i) {
    const float x = v[i] + b[i];
    if (x > bar || (dead != nullptr && DeadBit(dead, i) && x > bar_dead)) return i;
  }
  return F;
}

int64_t BiasCountPositive(float* __restrict row, const float* __restrict b, int64_t F) {
  int64_t cnt = 0;
#pragma omp simd reduction(+ : cnt)
  for (int64_t i = 0; i < F; ++i) {
    row[i] += b[i];
    cnt += row[i] > 0.0f;
  }
  return cnt;
}

int64_t CountPositive(const float* __restrict row, int64_t F) {
  int64_t cnt = 0;
#pragma omp simd reduction(+ : cnt)
  for (int64_t i = 0; i < F; ++i) cnt += row[i] > 0.0f;
  return cnt;
}

void CompressPositive(const float* __restrict row, int64_t F, int32_t* __restrict idx,
                      float* __restrict val) {
  int64_t o = 0, i = 0;
  for (; i + kW <= F; i += kW) {
    for (unsigned m = PositiveMask(row, i); m != 0; m &= m - 1) {
      const int64_t j = i + __builtin_ctz(m);
      idx[o] = static_cast<int32_t>(j);
      val[o++] = row[j];
    }
  }
  for (; i < F; ++i) {
    if (row[i] > 0.0f) {
      idx[o] = static_cast<int32_t>(i);
      val[o++] = row[i];
    }
  }
}

int64_t ReluL1Row(float* __restrict row, const float* __restrict b,
                  const float* __restrict norm, int64_t F, int64_t* __restrict fired,
                  double* __restrict fsum, float* penalty, float* l0, int32_t* __restrict idx,
                  float* __restrict val) {
  // f = max(row + b, 0) vectorized; the sums (in index order, as a
  // sequential loop makes them) only over the entries that fire: adding the
  // others' zeros would change nothing. The row is in L1 for the second
  // loop, so emitting the firing entries here saves the CSR conversion its
  // two passes over [B, F] in memory.
#pragma omp simd
  for (int64_t i = 0; i < F; ++i) {
    const float v = row[i] + b[i];
    row[i] = v > 0.0f ? v : 0.0f;
  }
  float sp = *penalty, cnt = *l0;
  int64_t o = 0;
  auto fire = [&](int64_t j) {
    fired[j] += 1;
    fsum[j] += row[j];
    cnt += 1.0f;
    sp += row[j] * norm[j];
    if (idx != nullptr) {
      idx[o] = static_cast<int32_t>(j);
      val[o] = row[j];
    }
    ++o;
  };
  int64_t i = 0;
  for (; i + kW <= F; i += kW) {
    for (unsigned m = PositiveMask(row, i); m != 0; m &= m - 1) fire(i + __builtin_ctz(m));
  }
  for (; i < F; ++i) {
    if (row[i] > 0.0f) fire(i);
  }
  *penalty = sp;
  *l0 = cnt;
  return o;
}

void ReluL1DpreRow(const float* __restrict f, float* __restrict dp, const float* __restrict norm,
                   float l1b, int64_t F, double* __restrict db) {
#pragma omp simd
  for (int64_t i = 0; i < F; ++i) dp[i] = f[i] > 0.0f ? dp[i] + l1b * norm[i] : 0.0f;
  int64_t i = 0;
  for (; i + kW <= F; i += kW) {
    for (unsigned m = PositiveMask(f, i); m != 0; m &= m - 1) {
      const int64_t j = i + __builtin_ctz(m);
      db[j] += dp[j];
    }
  }
  for (; i < F; ++i) {
    if (f[i] > 0.0f) db[i] += dp[i];
  }
}

}  // namespace monosem::cpu::simd::MONOSEM_SIMD_ISA
