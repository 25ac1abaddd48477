// The transformer kernels of the cpu backend: OpenMP over rows or (batch,
// head) pairs, the rows and heads on the SIMD path this CPU supports
// (kernels/cpu/simd/transformer.cc), and fusion where it saves a pass over
// memory:
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

#include "kernels/cpu/simd/kernels.h"
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
    const auto add = cpu::simd::Active().add;
#pragma omp parallel for schedule(static) if (n * d >= kParallelMin)
    for (int64_t r = 0; r < n; ++r) {
      add(E + tokens[r] * d, Pp + (r % ctx) * d, X + r * d, d);
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
    const auto axpy = cpu::simd::Active().axpy;
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
        axpy(1.0f, DX + r * d, GE + tok * d, d);
      }
      const int64_t npos = dw_pos->dim(0);
#pragma omp for schedule(static)
      for (int64_t p = 0; p < npos; ++p) {
        float* __restrict g = GP + p * d;
        std::fill(g, g + d, 0.0f);
        if (p >= ctx) continue;
        for (int64_t r = p; r < n; r += ctx) axpy(1.0f, DX + r * d, g, d);
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
    const auto row = cpu::simd::Active().layer_norm_row;
#pragma omp parallel for schedule(static) if (n * d >= kParallelMin)
    for (int64_t r = 0; r < n; ++r) {
      row(X + r * d, W, B, d, kLayerNormEps, Y + r * d, &(*mean)[r], &(*rstd)[r]);
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
    const auto row = cpu::simd::Active().layer_norm_backward_row;
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
        row(X + r * d, W, DY + r * d, mean[r], rstd[r], d, pw, pb, DX + r * d);
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
    const cpu::simd::Kernels& k = cpu::simd::Active();
#pragma omp parallel if (batch * heads > 1 && batch * ctx * d >= kParallelMin)
    {
      std::vector<float> scratch(k.attention_scratch_floats(ctx, dh));
#pragma omp for schedule(dynamic, 1)
      for (int64_t bh = 0; bh < batch * heads; ++bh) {
        const int64_t b = bh / heads, h = bh % heads;
        k.attention_forward_head(QKV + b * ctx * ld, ctx, d, dh, h, scale, PR + bh * ctx * ctx,
                                 Z + b * ctx * d, scratch.data());
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
    const cpu::simd::Kernels& k = cpu::simd::Active();
#pragma omp parallel if (batch * heads > 1 && batch * ctx * d >= kParallelMin)
    {
      std::vector<float> scratch(k.attention_scratch_floats(ctx, dh));
#pragma omp for schedule(dynamic, 1)
      for (int64_t bh = 0; bh < batch * heads; ++bh) {
        const int64_t b = bh / heads, h = bh % heads;
        k.attention_backward_head(QKV + b * ctx * ld, PR + bh * ctx * ctx, DZ + b * ctx * d, ctx,
                                  d, dh, h, scale, DQKV + b * ctx * ld, scratch.data());
      }
    }
    return absl::OkStatus();
  }

  absl::Status CrossEntropyForwardImpl(const Tensor& logits, absl::Span<const int32_t> targets,
                                       Tensor* losses) override {
    const int64_t n = logits.dim(0), v = logits.dim(1);
    const float* __restrict L = logits.data();
    const auto row = cpu::simd::Active().cross_entropy_row;
#pragma omp parallel for schedule(static) if (n * v >= kParallelMin)
    for (int64_t r = 0; r < n; ++r) (*losses)[r] = row(L + r * v, v, targets[r]);
    return absl::OkStatus();
  }

  absl::Status CrossEntropyBackwardImpl(const Tensor& logits, absl::Span<const int32_t> targets,
                                        float scale, Tensor* dlogits) override {
    const int64_t n = logits.dim(0), v = logits.dim(1);
    const float* __restrict L = logits.data();
    float* __restrict D = dlogits->data();
    const auto row = cpu::simd::Active().cross_entropy_backward_row;
#pragma omp parallel for schedule(static) if (n * v >= kParallelMin)
    for (int64_t r = 0; r < n; ++r) row(L + r * v, v, targets[r], scale, D + r * v);
    return absl::OkStatus();
  }

  absl::Status MlpInImpl(const Tensor& x, const Tensor& w_in, const Tensor& b_in,
                         Tensor* acts) override {
    MONOSEM_RETURN_IF_ERROR(backend().Gemm(Trans::kNo, Trans::kNo, 1.0f, x, w_in, 0.0f, acts));
    const int64_t n = acts->dim(0), m = acts->dim(1);
    const float* __restrict B = b_in.data();
    float* __restrict A = acts->data();
    const auto bias_relu = cpu::simd::Active().bias_relu;
#pragma omp parallel for schedule(static) if (n * m >= kParallelMin)
    for (int64_t r = 0; r < n; ++r) bias_relu(B, A + r * m, m);
    return absl::OkStatus();
  }
};

}  // namespace

MONOSEM_REGISTER_KERNEL_SET(TransformerKernels, "cpu", CpuTransformerKernels);

}  // namespace monosem
