// The transformer kernels of the cpu backend: OpenMP over rows or (batch,
// head) pairs, inner loops GCC vectorizes for AVX2/FMA, and fusion where it
// saves a pass over memory:
//   - attention: per (batch, head), Q/K/V are packed once into contiguous
//     tiles (K and V transposed so the key loop is the vector loop); the
//     scores, causal mask, softmax and P V run on one row in L1, and only the
//     lower triangle is ever computed;
//   - layer norm: forward in one read of the row (kept in registers/L1);
//     backward computes dx and the per-thread dw/db partials in one pass;
//   - MLP input: bias and ReLU fused into one pass after the GEMM.
// Reductions across threads (dw, db, embedding gradients) combine per-thread
// partials in thread order, so a run is bitwise reproducible for a fixed
// thread count.
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "monosem/models/transformer/transformer_kernels.h"
#include "monosem/status.h"

namespace monosem {
namespace {

constexpr int64_t kParallelMin = 1 << 14;

class CpuTransformerKernels : public TransformerKernels {
 public:
  using TransformerKernels::TransformerKernels;

 protected:
  absl::Status EmbeddingForwardImpl(absl::Span<const int32_t> tokens, int64_t ctx,
                                    const Tensor& w_e, const Tensor& w_pos, Tensor* x) override {
    const int64_t n = static_cast<int64_t>(tokens.size()), d = w_e.dim(1);
    const float* __restrict E = w_e.data();
    const float* __restrict Pp = w_pos.data();
    float* __restrict X = x->data();
#pragma omp parallel for schedule(static) if (n * d >= kParallelMin)
    for (int64_t r = 0; r < n; ++r) {
      const float* __restrict e = E + tokens[r] * d;
      const float* __restrict p = Pp + (r % ctx) * d;
      float* __restrict o = X + r * d;
#pragma omp simd
      for (int64_t j = 0; j < d; ++j) o[j] = e[j] + p[j];
    }
    return absl::OkStatus();
  }

  absl::Status EmbeddingBackwardImpl(absl::Span<const int32_t> tokens, int64_t ctx,
                                     const Tensor& dx, Tensor* dw_e, Tensor* dw_pos) override {
    const int64_t n = static_cast<int64_t>(tokens.size()), d = dw_e->dim(1);
    const int64_t vocab = dw_e->dim(0);
    const float* __restrict DX = dx.data();
    float* __restrict GE = dw_e->data();
    float* __restrict GP = dw_pos->data();
    // Each thread owns a band of vocabulary rows and scans all tokens: no
    // atomics, and each row's sum is in token order.
#pragma omp parallel if (n * d >= kParallelMin)
    {
      const int nt = omp_get_num_threads(), t = omp_get_thread_num();
      const int64_t lo = vocab * t / nt, hi = vocab * (t + 1) / nt;
      std::memset(GE + lo * d, 0, sizeof(float) * (hi - lo) * d);
      for (int64_t r = 0; r < n; ++r) {
        const int64_t tok = tokens[r];
        if (tok < lo || tok >= hi) continue;
        float* __restrict g = GE + tok * d;
        const float* __restrict s = DX + r * d;
#pragma omp simd
        for (int64_t j = 0; j < d; ++j) g[j] += s[j];
      }
      const int64_t npos = dw_pos->dim(0);
#pragma omp for schedule(static)
      for (int64_t p = 0; p < npos; ++p) {
        float* __restrict g = GP + p * d;
        std::fill(g, g + d, 0.0f);
        if (p >= ctx) continue;
        for (int64_t r = p; r < n; r += ctx) {
          const float* __restrict s = DX + r * d;
#pragma omp simd
          for (int64_t j = 0; j < d; ++j) g[j] += s[j];
        }
      }
    }
    return absl::OkStatus();
  }

  absl::Status LayerNormForwardImpl(const Tensor& x, const Tensor& w, const Tensor& b, Tensor* y,
                                    Tensor* mean, Tensor* rstd) override {
    const int64_t n = x.dim(0), d = x.dim(1);
    const float* __restrict X = x.data();
    const float* __restrict W = w.data();
    const float* __restrict B = b.data();
    float* __restrict Y = y->data();
#pragma omp parallel for schedule(static) if (n * d >= kParallelMin)
    for (int64_t r = 0; r < n; ++r) {
      const float* __restrict row = X + r * d;
      float s = 0.0f;
#pragma omp simd reduction(+ : s)
      for (int64_t j = 0; j < d; ++j) s += row[j];
      const float mu = s / static_cast<float>(d);
      float v = 0.0f;
#pragma omp simd reduction(+ : v)
      for (int64_t j = 0; j < d; ++j) v += (row[j] - mu) * (row[j] - mu);
      const float rs = 1.0f / std::sqrt(v / static_cast<float>(d) + kLayerNormEps);
      float* __restrict o = Y + r * d;
#pragma omp simd
      for (int64_t j = 0; j < d; ++j) o[j] = (row[j] - mu) * rs * W[j] + B[j];
      (*mean)[r] = mu;
      (*rstd)[r] = rs;
    }
    return absl::OkStatus();
  }

  absl::Status LayerNormBackwardImpl(const Tensor& x, const Tensor& w, const Tensor& mean,
                                     const Tensor& rstd, const Tensor& dy, Tensor* dx,
                                     Tensor* dw, Tensor* db) override {
    const int64_t n = x.dim(0), d = x.dim(1);
    const float* __restrict X = x.data();
    const float* __restrict W = w.data();
    const float* __restrict DY = dy.data();
    float* __restrict DX = dx->data();
    const int max_threads = n * d >= kParallelMin ? omp_get_max_threads() : 1;
    std::vector<float> partial(static_cast<size_t>(max_threads) * 2 * d, 0.0f);
    int used = 1;
#pragma omp parallel num_threads(max_threads)
    {
      const int t = omp_get_thread_num();
#pragma omp single
      used = omp_get_num_threads();
      float* __restrict pw = partial.data() + static_cast<size_t>(t) * 2 * d;
      float* __restrict pb = pw + d;
#pragma omp for schedule(static)
      for (int64_t r = 0; r < n; ++r) {
        const float* __restrict xr = X + r * d;
        const float* __restrict g = DY + r * d;
        const float mu = mean[r], rs = rstd[r];
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
        float* __restrict o = DX + r * d;
#pragma omp simd
        for (int64_t j = 0; j < d; ++j) {
          const float xh = (xr[j] - mu) * rs;
          o[j] = rs * (g[j] * W[j] - mg - xh * mgx);
        }
      }
    }
    for (int64_t j = 0; j < d; ++j) {
      float sw = 0.0f, sb = 0.0f;
      for (int t = 0; t < used; ++t) {
        sw += partial[static_cast<size_t>(t) * 2 * d + j];
        sb += partial[static_cast<size_t>(t) * 2 * d + d + j];
      }
      (*dw)[j] = sw;
      (*db)[j] = sb;
    }
    return absl::OkStatus();
  }

  absl::Status AttentionForwardImpl(const Tensor& qkv, int64_t batch, int64_t ctx, int64_t heads,
                                    Tensor* z, Tensor* probs) override {
    const int64_t d = qkv.dim(1) / 3, dh = d / heads, ld = 3 * d;
    const float scale = 1.0f / std::sqrt(static_cast<float>(dh));
    const float* __restrict QKV = qkv.data();
    float* __restrict Z = z->data();
    float* __restrict PR = probs->data();
#pragma omp parallel if (batch * heads > 1 && batch * ctx * d >= kParallelMin)
    {
      std::vector<float> kt(dh * ctx), vt(ctx * dh), s(ctx), acc(dh);
#pragma omp for schedule(dynamic, 1)
      for (int64_t bh = 0; bh < batch * heads; ++bh) {
        const int64_t b = bh / heads, h = bh % heads;
        const float* base = QKV + b * ctx * ld;
        for (int64_t j = 0; j < ctx; ++j) {
          const float* kr = base + j * ld + d + h * dh;
          const float* vr = base + j * ld + 2 * d + h * dh;
          for (int64_t e = 0; e < dh; ++e) kt[e * ctx + j] = kr[e];
          std::memcpy(&vt[j * dh], vr, sizeof(float) * dh);
        }
        for (int64_t i = 0; i < ctx; ++i) {
          const float* __restrict q = base + i * ld + h * dh;
          float* __restrict sr = s.data();
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
          float* __restrict prow = PR + (bh * ctx + i) * ctx;
#pragma omp simd
          for (int64_t j = 0; j < len; ++j) prow[j] = sr[j] * inv;
          std::fill(prow + len, prow + ctx, 0.0f);
          float* __restrict a = acc.data();
          std::fill(a, a + dh, 0.0f);
          for (int64_t j = 0; j < len; ++j) {
            const float p = prow[j];
            const float* __restrict vr = &vt[j * dh];
#pragma omp simd
            for (int64_t e = 0; e < dh; ++e) a[e] += p * vr[e];
          }
          std::memcpy(Z + (b * ctx + i) * d + h * dh, a, sizeof(float) * dh);
        }
      }
    }
    return absl::OkStatus();
  }

  absl::Status AttentionBackwardImpl(const Tensor& qkv, const Tensor& probs, const Tensor& dz,
                                     int64_t batch, int64_t ctx, int64_t heads,
                                     Tensor* dqkv) override {
    const int64_t d = qkv.dim(1) / 3, dh = d / heads, ld = 3 * d;
    const float scale = 1.0f / std::sqrt(static_cast<float>(dh));
    const float* __restrict QKV = qkv.data();
    const float* __restrict PR = probs.data();
    const float* __restrict DZ = dz.data();
    float* __restrict DQKV = dqkv->data();
#pragma omp parallel if (batch * heads > 1 && batch * ctx * d >= kParallelMin)
    {
      std::vector<float> vt(dh * ctx), kk(ctx * dh), dk(ctx * dh), dv(ctx * dh), ds(ctx), dq(dh);
#pragma omp for schedule(dynamic, 1)
      for (int64_t bh = 0; bh < batch * heads; ++bh) {
        const int64_t b = bh / heads, h = bh % heads;
        const float* base = QKV + b * ctx * ld;
        for (int64_t j = 0; j < ctx; ++j) {
          const float* vr = base + j * ld + 2 * d + h * dh;
          for (int64_t e = 0; e < dh; ++e) vt[e * ctx + j] = vr[e];
          std::memcpy(&kk[j * dh], base + j * ld + d + h * dh, sizeof(float) * dh);
        }
        std::fill(dk.begin(), dk.end(), 0.0f);
        std::fill(dv.begin(), dv.end(), 0.0f);
        for (int64_t i = 0; i < ctx; ++i) {
          const int64_t len = i + 1;
          const float* __restrict prow = PR + (bh * ctx + i) * ctx;
          const float* __restrict dzi = DZ + (b * ctx + i) * d + h * dh;
          const float* __restrict qi = base + i * ld + h * dh;
          float* __restrict dsr = ds.data();
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
          float* __restrict dqi = dq.data();
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
          std::memcpy(DQKV + (b * ctx + i) * ld + h * dh, dqi, sizeof(float) * dh);
        }
        for (int64_t j = 0; j < ctx; ++j) {
          std::memcpy(DQKV + (b * ctx + j) * ld + d + h * dh, &dk[j * dh], sizeof(float) * dh);
          std::memcpy(DQKV + (b * ctx + j) * ld + 2 * d + h * dh, &dv[j * dh], sizeof(float) * dh);
        }
      }
    }
    return absl::OkStatus();
  }

  absl::Status CrossEntropyForwardImpl(const Tensor& logits, absl::Span<const int32_t> targets,
                                       Tensor* losses) override {
    const int64_t n = logits.dim(0), v = logits.dim(1);
    const float* __restrict L = logits.data();
#pragma omp parallel for schedule(static) if (n * v >= kParallelMin)
    for (int64_t r = 0; r < n; ++r) {
      const float* __restrict row = L + r * v;
      float mx = row[0];
      for (int64_t j = 1; j < v; ++j) mx = std::max(mx, row[j]);
      float sum = 0.0f;
      for (int64_t j = 0; j < v; ++j) sum += std::exp(row[j] - mx);
      (*losses)[r] = mx + std::log(sum) - row[targets[r]];
    }
    return absl::OkStatus();
  }

  absl::Status CrossEntropyBackwardImpl(const Tensor& logits, absl::Span<const int32_t> targets,
                                        float scale, Tensor* dlogits) override {
    const int64_t n = logits.dim(0), v = logits.dim(1);
    const float* __restrict L = logits.data();
    float* __restrict D = dlogits->data();
#pragma omp parallel for schedule(static) if (n * v >= kParallelMin)
    for (int64_t r = 0; r < n; ++r) {
      const float* __restrict row = L + r * v;
      float* __restrict o = D + r * v;
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
      o[targets[r]] -= scale;
    }
    return absl::OkStatus();
  }

  absl::Status MlpInImpl(const Tensor& x, const Tensor& w_in, const Tensor& b_in,
                         Tensor* acts) override {
    MONOSEM_RETURN_IF_ERROR(backend().Gemm(Trans::kNo, Trans::kNo, 1.0f, x, w_in, 0.0f, acts));
    const int64_t n = acts->dim(0), m = acts->dim(1);
    const float* __restrict B = b_in.data();
    float* __restrict A = acts->data();
#pragma omp parallel for schedule(static) if (n * m >= kParallelMin)
    for (int64_t r = 0; r < n; ++r) {
      float* __restrict a = A + r * m;
#pragma omp simd
      for (int64_t j = 0; j < m; ++j) a[j] = std::max(a[j] + B[j], 0.0f);
    }
    return absl::OkStatus();
  }
};

}  // namespace

MONOSEM_REGISTER_KERNEL_SET(TransformerKernels, "cpu", CpuTransformerKernels);

}  // namespace monosem
