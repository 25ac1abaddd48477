// The transformer's row and head kernels: layer norm (one read of the row for
// the forward; dx and the dw/db partials in one pass for the backward),
// causal attention per (batch, head) with Q/K/V packed once into contiguous
// tiles (K and V transposed so the key loop is the vector loop, only the
// lower triangle computed), and the cross-entropy rows. Loops the compiler
// vectorizes for this unit's ISA level.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "kernels/cpu/simd/unit.h"

namespace monosem::cpu::simd::MONOSEM_SIMD_ISA {

void LayerNormRow(const float* __restrict row, const float* __restrict W,
                  const float* __restrict B, int64_t d, float eps, float* __restrict o,
                  float* mean, float* rstd) {
  float s = 0.0f;
#pragma omp simd reduction(+ : s)
  for (int64_t j = 0; j < d; ++j) s += row[j];
  const float mu = s / static_cast<float>(d);
  float v = 0.0f;
#pragma omp simd reduction(+ : v)
  for (int64_t j = 0; j < d; ++j) v += (row[j] - mu) * (row[j] - mu);
  const float rs = 1.0f / std::sqrt(v / static_cast<float>(d) + eps);
#pragma omp simd
  for (int64_t j = 0; j < d; ++j) o[j] = (row[j] - mu) * rs * W[j] + B[j];
  *mean = mu;
  *rstd = rs;
}

void LayerNormBackwardRow(const float* __restrict xr, const float* __restrict W,
                          const float* __restrict g, float mu, float rs, int64_t d,
                          float* __restrict pw, float* __restrict pb, float* __restrict o) {
  float mg = 0.0f, mgx = 0.0f;
#pragma omp simd reduction(+ : mg, mgx)
  for (int64_t j = 0; j < d; ++j) {
    const float xh = (xr[j] - mu) * rs;
    const float gw = g[j] * W[j];
    mg += gw;
    mgx += gw * xh;
    pw[j] += g[j] * xh;
    pb[j] += g[j];
  }
  mg /= static_cast<float>(d);
  mgx /= static_cast<float>(d);
#pragma omp simd
  for (int64_t j = 0; j < d; ++j) {
    const float xh = (xr[j] - mu) * rs;
    o[j] = rs * (g[j] * W[j] - mg - xh * mgx);
  }
}

int64_t AttentionScratchFloats(int64_t ctx, int64_t dh) { return 4 * ctx * dh + ctx + dh; }

void AttentionForwardHead(const float* base, int64_t ctx, int64_t d, int64_t dh, int64_t h,
                          float scale, float* PR, float* Z, float* scratch) {
  const int64_t ld = 3 * d;
  float* kt = scratch;          // [dh, ctx]
  float* vt = kt + dh * ctx;    // [ctx, dh]
  float* s = vt + ctx * dh;     // [ctx]
  float* acc = s + ctx;         // [dh]
  for (int64_t j = 0; j < ctx; ++j) {
    const float* kr = base + j * ld + d + h * dh;
    const float* vr = base + j * ld + 2 * d + h * dh;
    for (int64_t e = 0; e < dh; ++e) kt[e * ctx + j] = kr[e];
    std::memcpy(&vt[j * dh], vr, sizeof(float) * dh);
  }
  for (int64_t i = 0; i < ctx; ++i) {
    const float* __restrict q = base + i * ld + h * dh;
    float* __restrict sr = s;
    const int64_t len = i + 1;
    std::fill(sr, sr + len, 0.0f);
    for (int64_t e = 0; e < dh; ++e) {
      const float qe = q[e] * scale;
      const float* __restrict kr = &kt[e * ctx];
#pragma omp simd
      for (int64_t j = 0; j < len; ++j) sr[j] += qe * kr[j];
    }
    float mx = sr[0];
    for (int64_t j = 1; j < len; ++j) mx = std::max(mx, sr[j]);
    float sum = 0.0f;
    for (int64_t j = 0; j < len; ++j) {
      sr[j] = std::exp(sr[j] - mx);
      sum += sr[j];
    }
    const float inv = 1.0f / sum;
    float* __restrict prow = PR + i * ctx;
#pragma omp simd
    for (int64_t j = 0; j < len; ++j) prow[j] = sr[j] * inv;
    std::fill(prow + len, prow + ctx, 0.0f);
    float* __restrict a = acc;
    std::fill(a, a + dh, 0.0f);
    for (int64_t j = 0; j < len; ++j) {
      const float p = prow[j];
      const float* __restrict vr = &vt[j * dh];
#pragma omp simd
      for (int64_t e = 0; e < dh; ++e) a[e] += p * vr[e];
    }
    std::memcpy(Z + i * d + h * dh, a, sizeof(float) * dh);
  }
}

void AttentionBackwardHead(const float* base, const float* PR, const float* DZ, int64_t ctx,
                           int64_t d, int64_t dh, int64_t h, float scale, float* DQKV,
                           float* scratch) {
  const int64_t ld = 3 * d;
  float* vt = scratch;        // [dh, ctx]
  float* kk = vt + dh * ctx;  // [ctx, dh]
  float* dk = kk + ctx * dh;  // [ctx, dh]
  float* dv = dk + ctx * dh;  // [ctx, dh]
  float* ds = dv + ctx * dh;  // [ctx]
  float* dq = ds + ctx;       // [dh]
  for (int64_t j = 0; j < ctx; ++j) {
    const float* vr = base + j * ld + 2 * d + h * dh;
    for (int64_t e = 0; e < dh; ++e) vt[e * ctx + j] = vr[e];
    std::memcpy(&kk[j * dh], base + j * ld + d + h * dh, sizeof(float) * dh);
  }
  std::fill(dk, dk + ctx * dh, 0.0f);
  std::fill(dv, dv + ctx * dh, 0.0f);
  for (int64_t i = 0; i < ctx; ++i) {
    const int64_t len = i + 1;
    const float* __restrict prow = PR + i * ctx;
    const float* __restrict dzi = DZ + i * d + h * dh;
    const float* __restrict qi = base + i * ld + h * dh;
    float* __restrict dsr = ds;
    std::fill(dsr, dsr + len, 0.0f);
    for (int64_t e = 0; e < dh; ++e) {
      const float g = dzi[e];
      const float* __restrict vr = &vt[e * ctx];
#pragma omp simd
      for (int64_t j = 0; j < len; ++j) dsr[j] += g * vr[j];
    }
    float dot = 0.0f;
#pragma omp simd reduction(+ : dot)
    for (int64_t j = 0; j < len; ++j) dot += dsr[j] * prow[j];
#pragma omp simd
    for (int64_t j = 0; j < len; ++j) dsr[j] = prow[j] * (dsr[j] - dot) * scale;
    float* __restrict dqi = dq;
    std::fill(dqi, dqi + dh, 0.0f);
    for (int64_t j = 0; j < len; ++j) {
      const float sj = dsr[j], pj = prow[j];
      const float* __restrict kj = &kk[j * dh];
      float* __restrict dkj = &dk[j * dh];
      float* __restrict dvj = &dv[j * dh];
#pragma omp simd
      for (int64_t e = 0; e < dh; ++e) {
        dqi[e] += sj * kj[e];
        dkj[e] += sj * qi[e];
        dvj[e] += pj * dzi[e];
      }
    }
    std::memcpy(DQKV + i * ld + h * dh, dqi, sizeof(float) * dh);
  }
  for (int64_t j = 0; j < ctx; ++j) {
    std::memcpy(DQKV + j * ld + d + h * dh, &dk[j * dh], sizeof(float) * dh);
    std::memcpy(DQKV + j * ld + 2 * d + h * dh, &dv[j * dh], sizeof(float) * dh);
  }
}

float CrossEntropyRow(const float* __restrict row, int64_t v, int32_t target) {
  float mx = row[0];
  for (int64_t j = 1; j < v; ++j) mx = std::max(mx, row[j]);
  float sum = 0.0f;
  for (int64_t j = 0; j < v; ++j) sum += std::exp(row[j] - mx);
  return mx + std::log(sum) - row[target];
}

void CrossEntropyBackwardRow(const float* __restrict row, int64_t v, int32_t target, float scale,
                             float* __restrict o) {
  float mx = row[0];
  for (int64_t j = 1; j < v; ++j) mx = std::max(mx, row[j]);
  float sum = 0.0f;
  for (int64_t j = 0; j < v; ++j) {
    o[j] = std::exp(row[j] - mx);
    sum += o[j];
  }
  const float k = scale / sum;
#pragma omp simd
  for (int64_t j = 0; j < v; ++j) o[j] *= k;
  o[target] -= scale;
}

}  // namespace monosem::cpu::simd::MONOSEM_SIMD_ISA
