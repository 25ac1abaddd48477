// The transformer kernels' specification: plain loops, double accumulation,
// written to be read. Every other backend is checked against these.
#include <algorithm>
#include <cmath>
#include <vector>

#include "monosem/models/transformer/transformer_kernels.h"

namespace monosem {
namespace {

class ReferenceTransformerKernels : public TransformerKernels {
 public:
  using TransformerKernels::TransformerKernels;

 protected:
  absl::Status EmbeddingForwardImpl(absl::Span<const int32_t> tokens, int64_t ctx,
                                    const Tensor& w_e, const Tensor& w_pos, Tensor* x) override {
    const int64_t n = static_cast<int64_t>(tokens.size()), d = w_e.dim(1);
    for (int64_t r = 0; r < n; ++r) {
      const int64_t s = r % ctx;
      for (int64_t j = 0; j < d; ++j) {
        (*x)[r * d + j] = static_cast<float>(static_cast<double>(w_e[tokens[r] * d + j]) +
                                             static_cast<double>(w_pos[s * d + j]));
      }
    }
    return absl::OkStatus();
  }

  absl::Status EmbeddingBackwardImpl(absl::Span<const int32_t> tokens, int64_t ctx,
                                     const Tensor& dx, Tensor* dw_e, Tensor* dw_pos) override {
    const int64_t n = static_cast<int64_t>(tokens.size()), d = dw_e->dim(1);
    std::vector<double> ge(dw_e->size(), 0.0), gp(dw_pos->size(), 0.0);
    for (int64_t r = 0; r < n; ++r) {
      for (int64_t j = 0; j < d; ++j) {
        ge[tokens[r] * d + j] += dx[r * d + j];
        gp[(r % ctx) * d + j] += dx[r * d + j];
      }
    }
    for (int64_t i = 0; i < dw_e->size(); ++i) (*dw_e)[i] = static_cast<float>(ge[i]);
    for (int64_t i = 0; i < dw_pos->size(); ++i) (*dw_pos)[i] = static_cast<float>(gp[i]);
    return absl::OkStatus();
  }

  absl::Status LayerNormForwardImpl(const Tensor& x, const Tensor& w, const Tensor& b, Tensor* y,
                                    Tensor* mean, Tensor* rstd) override {
    const int64_t n = x.dim(0), d = x.dim(1);
    for (int64_t r = 0; r < n; ++r) {
      const float* row = x.data() + r * d;
      double mu = 0.0;
      for (int64_t j = 0; j < d; ++j) mu += row[j];
      mu /= static_cast<double>(d);
      double var = 0.0;
      for (int64_t j = 0; j < d; ++j) var += (row[j] - mu) * (row[j] - mu);
      var /= static_cast<double>(d);
      const double rs = 1.0 / std::sqrt(var + kLayerNormEps);
      for (int64_t j = 0; j < d; ++j) {
        (*y)[r * d + j] = static_cast<float>((row[j] - mu) * rs * w[j] + b[j]);
      }
      (*mean)[r] = static_cast<float>(mu);
      (*rstd)[r] = static_cast<float>(rs);
    }
    return absl::OkStatus();
  }

  // With xhat = (x - mean) * rstd and g = dy * w:
  //   dx = rstd * (g - mean(g) - xhat * mean(g * xhat)),
  //   dw = sum_rows dy * xhat,  db = sum_rows dy.
  absl::Status LayerNormBackwardImpl(const Tensor& x, const Tensor& w, const Tensor& mean,
                                     const Tensor& rstd, const Tensor& dy, Tensor* dx,
                                     Tensor* dw, Tensor* db) override {
    const int64_t n = x.dim(0), d = x.dim(1);
    std::vector<double> gw(d, 0.0), gb(d, 0.0), xhat(d), g(d);
    for (int64_t r = 0; r < n; ++r) {
      double mg = 0.0, mgx = 0.0;
      for (int64_t j = 0; j < d; ++j) {
        xhat[j] = (static_cast<double>(x[r * d + j]) - mean[r]) * rstd[r];
        g[j] = static_cast<double>(dy[r * d + j]) * w[j];
        mg += g[j];
        mgx += g[j] * xhat[j];
        gw[j] += dy[r * d + j] * xhat[j];
        gb[j] += dy[r * d + j];
      }
      mg /= static_cast<double>(d);
      mgx /= static_cast<double>(d);
      for (int64_t j = 0; j < d; ++j) {
        (*dx)[r * d + j] = static_cast<float>(rstd[r] * (g[j] - mg - xhat[j] * mgx));
      }
    }
    for (int64_t j = 0; j < d; ++j) {
      (*dw)[j] = static_cast<float>(gw[j]);
      (*db)[j] = static_cast<float>(gb[j]);
    }
    return absl::OkStatus();
  }

  absl::Status AttentionForwardImpl(const Tensor& qkv, int64_t batch, int64_t ctx, int64_t heads,
                                    Tensor* z, Tensor* probs) override {
    const int64_t d = qkv.dim(1) / 3, dh = d / heads, ld = 3 * d;
    const double scale = 1.0 / std::sqrt(static_cast<double>(dh));
    std::vector<double> p(ctx);
    for (int64_t b = 0; b < batch; ++b) {
      for (int64_t h = 0; h < heads; ++h) {
        for (int64_t i = 0; i < ctx; ++i) {
          const float* q = qkv.data() + (b * ctx + i) * ld + h * dh;
          double mx = -INFINITY;
          for (int64_t j = 0; j <= i; ++j) {
            const float* k = qkv.data() + (b * ctx + j) * ld + d + h * dh;
            double s = 0.0;
            for (int64_t e = 0; e < dh; ++e) s += static_cast<double>(q[e]) * k[e];
            p[j] = s * scale;
            mx = std::max(mx, p[j]);
          }
          double sum = 0.0;
          for (int64_t j = 0; j <= i; ++j) {
            p[j] = std::exp(p[j] - mx);
            sum += p[j];
          }
          float* prow = probs->data() + ((b * heads + h) * ctx + i) * ctx;
          for (int64_t j = 0; j < ctx; ++j) prow[j] = j <= i ? static_cast<float>(p[j] / sum) : 0.0f;
          for (int64_t e = 0; e < dh; ++e) {
            double acc = 0.0;
            for (int64_t j = 0; j <= i; ++j) {
              acc += p[j] / sum * qkv[(b * ctx + j) * ld + 2 * d + h * dh + e];
            }
            (*z)[(b * ctx + i) * d + h * dh + e] = static_cast<float>(acc);
          }
        }
      }
    }
    return absl::OkStatus();
  }

  // dP = dz V^T; dS = P * (dP - rowsum(dP * P)); dQ = scale dS K; dK = scale dS^T Q;
  // dV = P^T dz.
  absl::Status AttentionBackwardImpl(const Tensor& qkv, const Tensor& probs, const Tensor& dz,
                                     int64_t batch, int64_t ctx, int64_t heads,
                                     Tensor* dqkv) override {
    const int64_t d = qkv.dim(1) / 3, dh = d / heads, ld = 3 * d;
    const double scale = 1.0 / std::sqrt(static_cast<double>(dh));
    std::vector<double> g(dqkv->size(), 0.0), ds(ctx);
    for (int64_t b = 0; b < batch; ++b) {
      for (int64_t h = 0; h < heads; ++h) {
        for (int64_t i = 0; i < ctx; ++i) {
          const float* prow = probs.data() + ((b * heads + h) * ctx + i) * ctx;
          const float* dzi = dz.data() + (b * ctx + i) * d + h * dh;
          double dot = 0.0;
          for (int64_t j = 0; j <= i; ++j) {
            const float* v = qkv.data() + (b * ctx + j) * ld + 2 * d + h * dh;
            double dp = 0.0;
            for (int64_t e = 0; e < dh; ++e) dp += static_cast<double>(dzi[e]) * v[e];
            ds[j] = dp;
            dot += dp * prow[j];
            for (int64_t e = 0; e < dh; ++e) {
              g[(b * ctx + j) * ld + 2 * d + h * dh + e] += static_cast<double>(prow[j]) * dzi[e];
            }
          }
          for (int64_t j = 0; j <= i; ++j) {
            const double s = prow[j] * (ds[j] - dot) * scale;
            for (int64_t e = 0; e < dh; ++e) {
              g[(b * ctx + i) * ld + h * dh + e] += s * qkv[(b * ctx + j) * ld + d + h * dh + e];
              g[(b * ctx + j) * ld + d + h * dh + e] += s * qkv[(b * ctx + i) * ld + h * dh + e];
            }
          }
        }
      }
    }
    for (int64_t i = 0; i < dqkv->size(); ++i) (*dqkv)[i] = static_cast<float>(g[i]);
    return absl::OkStatus();
  }

  absl::Status CrossEntropyForwardImpl(const Tensor& logits, absl::Span<const int32_t> targets,
                                       Tensor* losses) override {
    const int64_t n = logits.dim(0), v = logits.dim(1);
    for (int64_t r = 0; r < n; ++r) {
      const float* row = logits.data() + r * v;
      double mx = -INFINITY;
      for (int64_t j = 0; j < v; ++j) mx = std::max(mx, static_cast<double>(row[j]));
      double sum = 0.0;
      for (int64_t j = 0; j < v; ++j) sum += std::exp(row[j] - mx);
      (*losses)[r] = static_cast<float>(mx + std::log(sum) - row[targets[r]]);
    }
    return absl::OkStatus();
  }

  absl::Status CrossEntropyBackwardImpl(const Tensor& logits, absl::Span<const int32_t> targets,
                                        float scale, Tensor* dlogits) override {
    const int64_t n = logits.dim(0), v = logits.dim(1);
    for (int64_t r = 0; r < n; ++r) {
      const float* row = logits.data() + r * v;
      double mx = -INFINITY;
      for (int64_t j = 0; j < v; ++j) mx = std::max(mx, static_cast<double>(row[j]));
      double sum = 0.0;
      for (int64_t j = 0; j < v; ++j) sum += std::exp(row[j] - mx);
      for (int64_t j = 0; j < v; ++j) {
        const double p = std::exp(row[j] - mx) / sum - (j == targets[r] ? 1.0 : 0.0);
        (*dlogits)[r * v + j] = static_cast<float>(scale * p);
      }
    }
    return absl::OkStatus();
  }
};

}  // namespace

MONOSEM_REGISTER_KERNEL_SET(TransformerKernels, "reference", ReferenceTransformerKernels);

}  // namespace monosem
