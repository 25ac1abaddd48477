// The SAE specification: plain loops, dense, double accumulation, written to
// be obviously right (see monosem/models/sae/sae_kernels.h for the math).
#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include "monosem/models/sae/sae_kernels.h"

namespace monosem::sae {
namespace {

using Mat = std::vector<double>;  // row-major

// Indices of the `k` largest positive values of v (ties: the lower index
// first), restricted to `allowed` when it is not empty.
std::vector<int64_t> TopPositive(const double* v, int64_t n, int64_t k,
                                 const std::vector<uint8_t>* allowed) {
  std::vector<int64_t> cand;
  for (int64_t i = 0; i < n; ++i) {
    if (v[i] > 0 && (allowed == nullptr || (*allowed)[i])) cand.push_back(i);
  }
  std::stable_sort(cand.begin(), cand.end(), [&](int64_t a, int64_t b) { return v[a] > v[b]; });
  if (static_cast<int64_t>(cand.size()) > k) cand.resize(k);
  return cand;
}

class ReferenceSaeKernels : public SaeKernels {
 public:
  using SaeKernels::SaeKernels;

 protected:
  // pre [B, F] and xc [B, d] in double.
  static void Encode(const SaeSpec& s, const SaeParams& p, const Tensor& x, Mat* xc, Mat* pre) {
    const int64_t B = x.dim(0), d = s.d, F = s.f;
    xc->assign(B * d, 0);
    pre->assign(B * F, 0);
    for (int64_t n = 0; n < B; ++n) {
      for (int64_t j = 0; j < d; ++j) {
        (*xc)[n * d + j] = static_cast<double>(x[n * d + j]) - p.b_dec[j];
      }
      for (int64_t i = 0; i < F; ++i) {
        double acc = p.b_enc[i];
        for (int64_t j = 0; j < d; ++j) acc += static_cast<double>(p.w_enc[i * d + j]) * (*xc)[n * d + j];
        (*pre)[n * F + i] = acc;
      }
    }
  }

  static void Decode(const SaeSpec& s, const SaeParams& p, int64_t B, const Mat& f, Mat* xhat) {
    const int64_t d = s.d, F = s.f;
    xhat->assign(B * d, 0);
    for (int64_t n = 0; n < B; ++n) {
      for (int64_t j = 0; j < d; ++j) {
        double acc = p.b_dec[j];
        for (int64_t i = 0; i < F; ++i) acc += f[n * F + i] * p.w_dec[i * d + j];
        (*xhat)[n * d + j] = acc;
      }
    }
  }

  static void ToCodes(const SaeSpec& s, int64_t B, const Mat& f, SaeCodes* codes) {
    const int64_t F = s.f;
    codes->rows = B;
    codes->f = F;
    codes->sparse = s.arch == Arch::kTopK || IsBatchTopK(s.arch);
    codes->row_ptr.clear();
    codes->idx.clear();
    codes->val.clear();
    if (!codes->sparse) {
      codes->dense = Tensor::Uninitialized({B, F});
      for (int64_t i = 0; i < B * F; ++i) codes->dense[i] = static_cast<float>(f[i]);
      return;
    }
    codes->dense = Tensor();
    codes->row_ptr.push_back(0);
    for (int64_t n = 0; n < B; ++n) {
      for (int64_t i = 0; i < F; ++i) {
        if (f[n * F + i] > 0) {
          codes->idx.push_back(static_cast<int32_t>(i));
          codes->val.push_back(static_cast<float>(f[n * F + i]));
        }
      }
      codes->row_ptr.push_back(static_cast<int64_t>(codes->idx.size()));
    }
  }

  absl::Status ForwardImpl(const SaeSpec& s, const SaeParams& p, const Tensor& x, SaeCodes* codes,
                           Tensor* x_hat) override {
    if (s.arch == Arch::kGated) return GatedLossAndGrad(s, p, x, nullptr, codes, x_hat);
    const int64_t B = x.dim(0), F = s.f;
    Mat xc, pre, f(B * F, 0.0), xhat;
    Encode(s, p, x, &xc, &pre);
    for (int64_t n = 0; n < B; ++n) {
      const double* row = &pre[n * F];
      switch (s.arch) {
        case Arch::kReluL1:
          for (int64_t i = 0; i < F; ++i) f[n * F + i] = std::max(row[i], 0.0);
          break;
        case Arch::kTopK:
          for (int64_t i : TopPositive(row, F, s.k, nullptr)) f[n * F + i] = row[i];
          break;
        case Arch::kBatchTopK:
        case Arch::kMatryoshkaBatchTopK:
          for (int64_t i = 0; i < F; ++i) {
            if (row[i] > p.threshold[i] && row[i] > 0) f[n * F + i] = row[i];
          }
          break;
        case Arch::kJumpReLU:
          for (int64_t i = 0; i < F; ++i) {
            if (row[i] > p.threshold[i]) f[n * F + i] = row[i];
          }
          break;
        case Arch::kGated:
          break;  // handled above
      }
    }
    Decode(s, p, B, f, &xhat);
    for (int64_t i = 0; i < x_hat->size(); ++i) (*x_hat)[i] = static_cast<float>(xhat[i]);
    if (codes != nullptr) ToCodes(s, B, f, codes);
    return absl::OkStatus();
  }

  absl::Status LossAndGradImpl(const SaeSpec& s, const SaeParams& p, const Tensor& x,
                               const std::vector<uint8_t>& dead, SaeStepOut* out,
                               SaeCodes* codes) override {
    if (s.arch == Arch::kGated) return GatedLossAndGrad(s, p, x, out, codes, nullptr);
    const int64_t B = x.dim(0), d = s.d, F = s.f;
    Mat xc, pre, f(B * F, 0.0), a(B * F, 0.0), xhat;
    Encode(s, p, x, &xc, &pre);
    out->min_kept = 0;
    // Activations.
    if (s.arch == Arch::kReluL1) {
      for (int64_t i = 0; i < B * F; ++i) f[i] = std::max(pre[i], 0.0);
    } else if (s.arch == Arch::kJumpReLU) {
      for (int64_t n = 0; n < B; ++n) {
        for (int64_t i = 0; i < F; ++i) {
          if (pre[n * F + i] > p.threshold[i]) f[n * F + i] = pre[n * F + i];
        }
      }
    } else if (s.arch == Arch::kTopK) {
      for (int64_t n = 0; n < B; ++n) {
        for (int64_t i : TopPositive(&pre[n * F], F, s.k, nullptr)) f[n * F + i] = pre[n * F + i];
      }
    } else {  // (matryoshka) batch_topk: the k*B largest positive entries of the whole batch
      std::vector<int64_t> kept = TopPositive(pre.data(), B * F, s.k * B, nullptr);
      for (int64_t t : kept) f[t] = pre[t];
      if (!kept.empty()) out->min_kept = pre[kept.back()];
    }
    Decode(s, p, B, f, &xhat);
    Mat e(B * d), dxhat(B * d);
    double recon = 0;
    for (int64_t t = 0; t < B * d; ++t) {
      e[t] = xhat[t] - static_cast<double>(x[t]);
      recon += e[t] * e[t];
      dxhat[t] = 2.0 * e[t] / B;
    }
    // Matryoshka: up[n, i] = d loss / d x_hat-contribution of feature i, the
    // sum of 2 e_w / B over every prefix w that holds i; else dxhat.
    Mat up;
    std::vector<int64_t> band(F, 0);
    out->prefix_recon = PrefixUpstream(s, p, x, f, dxhat, &up, &band);
    auto U = [&](int64_t n, int64_t i) {
      return up.empty() ? &dxhat[n * d] : &up[(band[i] * B + n) * d];
    };
    std::vector<double> norm(F, 0.0);
    for (int64_t i = 0; i < F; ++i) {
      double ss = 0;
      for (int64_t j = 0; j < d; ++j) ss += static_cast<double>(p.w_dec[i * d + j]) * p.w_dec[i * d + j];
      norm[i] = std::sqrt(ss);
    }
    double sparsity = 0, l0 = 0;
    for (int64_t n = 0; n < B; ++n) {
      for (int64_t i = 0; i < F; ++i) {
        if (f[n * F + i] > 0) {
          l0 += 1;
          out->fired[i] += 1;
        }
        if (s.arch == Arch::kReluL1) sparsity += f[n * F + i] * norm[i];
        if (s.arch == Arch::kJumpReLU && pre[n * F + i] > p.threshold[i]) sparsity += 1;
      }
    }
    // AuxK.
    double aux = 0;
    Mat dehat(B * d, 0.0);
    const bool use_aux = UsesK(s.arch) && s.k_aux > 0 &&
                         !dead.empty() && std::any_of(dead.begin(), dead.end(), [](uint8_t v) { return v != 0; });
    if (use_aux) {
      for (int64_t n = 0; n < B; ++n) {
        for (int64_t i : TopPositive(&pre[n * F], F, s.k_aux, &dead)) a[n * F + i] = pre[n * F + i];
        for (int64_t j = 0; j < d; ++j) {
          double ehat = 0;
          for (int64_t i = 0; i < F; ++i) ehat += a[n * F + i] * p.w_dec[i * d + j];
          const double diff = ehat - (-e[n * d + j]);  // residual x - x_hat = -e
          aux += diff * diff;
          dehat[n * d + j] = s.aux_coef * 2.0 * diff / B;
        }
      }
    }
    out->recon = recon / B;
    out->sparsity = sparsity / B;
    out->aux = aux / B;
    out->l0 = l0 / B;
    out->loss = out->recon + (s.arch == Arch::kReluL1 || s.arch == Arch::kJumpReLU ? s.l1 * out->sparsity : 0.0) +
                (use_aux ? s.aux_coef * out->aux : 0.0) + out->prefix_recon;
    // Backward.
    Mat dpre(B * F, 0.0), dtheta(F, 0.0);
    for (int64_t n = 0; n < B; ++n) {
      for (int64_t i = 0; i < F; ++i) {
        double df = 0, daux = 0;
        const double* u = U(n, i);
        for (int64_t j = 0; j < d; ++j) {
          df += u[j] * p.w_dec[i * d + j];
          daux += dehat[n * d + j] * p.w_dec[i * d + j];
        }
        const double z = pre[n * F + i];
        switch (s.arch) {
          case Arch::kReluL1:
            if (f[n * F + i] > 0) dpre[n * F + i] = df + s.l1 * norm[i] / B;
            break;
          case Arch::kTopK:
          case Arch::kBatchTopK:
          case Arch::kMatryoshkaBatchTopK:
            if (f[n * F + i] > 0) dpre[n * F + i] += df;
            if (a[n * F + i] > 0) dpre[n * F + i] += daux;
            break;
          case Arch::kJumpReLU: {
            const double th = p.threshold[i];
            if (z > th) dpre[n * F + i] = df;
            const double u = (z - th) / s.bandwidth;
            if (std::fabs(u) < 0.5) {
              dtheta[i] += -(th / s.bandwidth) * df - s.l1 / B / s.bandwidth;
            }
            break;
          }
          case Arch::kGated:
            break;  // handled above
        }
      }
    }
    SaeParams& g = out->grad;
    for (int64_t i = 0; i < F; ++i) {
      double fsum = 0;
      for (int64_t n = 0; n < B; ++n) fsum += f[n * F + i];
      for (int64_t j = 0; j < d; ++j) {
        double acc = 0, acc_enc = 0;
        for (int64_t n = 0; n < B; ++n) {
          acc += f[n * F + i] * U(n, i)[j] + a[n * F + i] * dehat[n * d + j];
          acc_enc += dpre[n * F + i] * xc[n * d + j];
        }
        if (s.arch == Arch::kReluL1 && norm[i] > 0) acc += s.l1 / B * fsum * p.w_dec[i * d + j] / norm[i];
        g.w_dec[i * d + j] = static_cast<float>(acc);
        g.w_enc[i * d + j] = static_cast<float>(acc_enc);
      }
      double db = 0;
      for (int64_t n = 0; n < B; ++n) db += dpre[n * F + i];
      g.b_enc[i] = static_cast<float>(db);
      g.threshold[i] = static_cast<float>(dtheta[i]);
    }
    for (int64_t j = 0; j < d; ++j) {
      double acc = 0;
      for (int64_t n = 0; n < B; ++n) {
        acc += up.empty() ? dxhat[n * d + j] : up[n * d + j];  // band 0 holds every prefix
        for (int64_t i = 0; i < F; ++i) acc -= dpre[n * F + i] * p.w_enc[i * d + j];
      }
      g.b_dec[j] = static_cast<float>(acc);
    }
    if (codes != nullptr) ToCodes(s, B, f, codes);
    return absl::OkStatus();
  }

  // Matryoshka's nested reconstructions: for each band m (features in
  // [w_{m-1}, w_m)), up[m][n] = sum over prefixes l >= m of 2 (x_hat_l - x) / B,
  // the last prefix being the full width (whose 2 e / B is dxhat). Returns the
  // mean error summed over the proper prefixes. Other archs: up stays empty.
  static double PrefixUpstream(const SaeSpec& s, const SaeParams& p, const Tensor& x, const Mat& f,
                               const Mat& dxhat, Mat* up, std::vector<int64_t>* band) {
    if (s.arch != Arch::kMatryoshkaBatchTopK) return 0;
    const int64_t B = x.dim(0), d = s.d, F = s.f;
    const std::vector<int64_t>& w = s.prefix_widths;
    const int64_t L = static_cast<int64_t>(w.size());
    for (int64_t m = 0, i = 0; i < F; ++i) {
      while (i >= w[m]) ++m;
      (*band)[i] = m;
    }
    up->assign(L * B * d, 0.0);
    double err = 0;
    for (int64_t n = 0; n < B; ++n) {
      for (int64_t j = 0; j < d; ++j) {
        double run = 0;  // suffix sum over l >= m, built from the last band down
        for (int64_t m = L - 1; m >= 0; --m) {
          double g;
          if (m == L - 1) {
            g = dxhat[n * d + j];
          } else {
            double xh = p.b_dec[j];
            for (int64_t i = 0; i < w[m]; ++i) xh += f[n * F + i] * p.w_dec[i * d + j];
            const double e = xh - static_cast<double>(x[n * d + j]);
            err += e * e;
            g = 2.0 * e / B;
          }
          run += g;
          (*up)[(m * B + n) * d + j] = run;
        }
      }
    }
    return err / B;
  }

  // Gated: forward (out == null: inference into x_hat) or loss and gradients.
  absl::Status GatedLossAndGrad(const SaeSpec& s, const SaeParams& p, const Tensor& x,
                                SaeStepOut* out, SaeCodes* codes, Tensor* x_hat) {
    const int64_t B = x.dim(0), d = s.d, F = s.f;
    Mat xc, gate, u(B * F), f(B * F, 0.0), a(B * F, 0.0), xhat, xaux;
    Encode(s, p, x, &xc, &gate);  // gate = pi_gate = u + b_gate
    for (int64_t n = 0; n < B; ++n) {
      for (int64_t i = 0; i < F; ++i) {
        double acc = 0;
        for (int64_t j = 0; j < d; ++j) acc += static_cast<double>(p.w_enc[i * d + j]) * xc[n * d + j];
        u[n * F + i] = acc;
        const double mag = std::exp(static_cast<double>(p.r_mag[i])) * acc + p.b_mag[i];
        if (gate[n * F + i] > 0) {
          f[n * F + i] = std::max(mag, 0.0);
          a[n * F + i] = gate[n * F + i];
        }
      }
    }
    Decode(s, p, B, f, &xhat);
    if (codes != nullptr) ToCodes(s, B, f, codes);
    if (out == nullptr) {
      for (int64_t t = 0; t < x_hat->size(); ++t) (*x_hat)[t] = static_cast<float>(xhat[t]);
      return absl::OkStatus();
    }
    Decode(s, p, B, a, &xaux);  // the frozen decoder on ReLU(pi_gate)
    Mat dxhat(B * d), dxaux(B * d);
    double recon = 0, aux = 0, sparsity = 0, l0 = 0;
    for (int64_t t = 0; t < B * d; ++t) {
      const double e = xhat[t] - static_cast<double>(x[t]);
      const double ea = xaux[t] - static_cast<double>(x[t]);
      recon += e * e;
      aux += ea * ea;
      dxhat[t] = 2.0 * e / B;
      dxaux[t] = 2.0 * ea / B;
    }
    std::vector<double> norm(F, 0.0), asum(F, 0.0);
    for (int64_t i = 0; i < F; ++i) {
      double ss = 0;
      for (int64_t j = 0; j < d; ++j) ss += static_cast<double>(p.w_dec[i * d + j]) * p.w_dec[i * d + j];
      norm[i] = std::sqrt(ss);
    }
    SaeParams& g = out->grad;
    Mat dpre(B * F, 0.0);  // d loss / d (W_enc xc) through both paths
    std::vector<double> db_gate(F, 0.0), db_mag(F, 0.0), dr(F, 0.0);
    for (int64_t n = 0; n < B; ++n) {
      for (int64_t i = 0; i < F; ++i) {
        const int64_t t = n * F + i;
        if (f[t] > 0) {
          l0 += 1;
          out->fired[i] += 1;
        }
        sparsity += a[t] * norm[i];
        asum[i] += a[t];
        if (a[t] <= 0) continue;  // gate closed: no path carries a gradient
        double df = 0, dfa = 0;
        for (int64_t j = 0; j < d; ++j) {
          df += dxhat[n * d + j] * p.w_dec[i * d + j];
          dfa += dxaux[n * d + j] * p.w_dec[i * d + j];
        }
        const double dgate = s.l1 * norm[i] / B + dfa;
        const double scale = std::exp(static_cast<double>(p.r_mag[i]));
        const double dmag = f[t] > 0 ? df : 0.0;  // ReLU of the magnitude path
        db_gate[i] += dgate;
        db_mag[i] += dmag;
        dr[i] += dmag * scale * u[t];
        dpre[t] = dgate + dmag * scale;
      }
    }
    for (int64_t i = 0; i < F; ++i) {
      for (int64_t j = 0; j < d; ++j) {
        double acc = 0, acc_enc = 0;
        for (int64_t n = 0; n < B; ++n) {
          acc += f[n * F + i] * dxhat[n * d + j];
          acc_enc += dpre[n * F + i] * xc[n * d + j];
        }
        if (norm[i] > 0) acc += s.l1 / B * asum[i] * p.w_dec[i * d + j] / norm[i];
        g.w_dec[i * d + j] = static_cast<float>(acc);
        g.w_enc[i * d + j] = static_cast<float>(acc_enc);
      }
      g.b_enc[i] = static_cast<float>(db_gate[i]);
      g.b_mag[i] = static_cast<float>(db_mag[i]);
      g.r_mag[i] = static_cast<float>(dr[i]);
      g.threshold[i] = 0.0f;
    }
    for (int64_t j = 0; j < d; ++j) {
      double acc = 0;
      for (int64_t n = 0; n < B; ++n) {
        acc += dxhat[n * d + j];
        for (int64_t i = 0; i < F; ++i) acc -= dpre[n * F + i] * p.w_enc[i * d + j];
      }
      g.b_dec[j] = static_cast<float>(acc);
    }
    out->recon = recon / B;
    out->aux = aux / B;
    out->sparsity = sparsity / B;
    out->l0 = l0 / B;
    out->min_kept = 0;
    out->loss = out->recon + s.l1 * out->sparsity + out->aux;
    return absl::OkStatus();
  }

  absl::Status ProjectDecoderGradImpl(const Tensor& w, Tensor* g) override {
    const int64_t F = w.dim(0), d = w.dim(1);
    for (int64_t i = 0; i < F; ++i) {
      double dot = 0, nn = 0;
      for (int64_t j = 0; j < d; ++j) {
        dot += static_cast<double>(w[i * d + j]) * (*g)[i * d + j];
        nn += static_cast<double>(w[i * d + j]) * w[i * d + j];
      }
      if (nn == 0) continue;
      for (int64_t j = 0; j < d; ++j) {
        (*g)[i * d + j] = static_cast<float>((*g)[i * d + j] - dot / nn * w[i * d + j]);
      }
    }
    return absl::OkStatus();
  }

  absl::Status NormalizeDecoderRowsImpl(Tensor* w) override {
    const int64_t F = w->dim(0), d = w->dim(1);
    for (int64_t i = 0; i < F; ++i) {
      double nn = 0;
      for (int64_t j = 0; j < d; ++j) nn += static_cast<double>((*w)[i * d + j]) * (*w)[i * d + j];
      if (nn == 0) continue;
      const double inv = 1.0 / std::sqrt(nn);
      for (int64_t j = 0; j < d; ++j) (*w)[i * d + j] = static_cast<float>((*w)[i * d + j] * inv);
    }
    return absl::OkStatus();
  }

  absl::Status AdamImpl(const AdamConfig& c, int64_t step,
                        const std::vector<AdamSlot>& slots) override {
    const double bc1 = 1.0 - std::pow(static_cast<double>(c.beta1), static_cast<double>(step));
    const double bc2 = 1.0 - std::pow(static_cast<double>(c.beta2), static_cast<double>(step));
    for (const AdamSlot& s : slots) {
      for (int64_t i = 0; i < s.p->size(); ++i) {
        const double g = (*s.g)[i];
        const double m = c.beta1 * static_cast<double>((*s.m)[i]) + (1.0 - c.beta1) * g;
        const double v = c.beta2 * static_cast<double>((*s.v)[i]) + (1.0 - c.beta2) * g * g;
        (*s.m)[i] = static_cast<float>(m);
        (*s.v)[i] = static_cast<float>(v);
        const double denom = std::sqrt(v / bc2) + c.eps;
        (*s.p)[i] = static_cast<float>((*s.p)[i] - c.lr * (m / bc1) / denom);
      }
    }
    return absl::OkStatus();
  }
};

MONOSEM_REGISTER_KERNEL_SET(SaeKernels, "reference", ReferenceSaeKernels);

}  // namespace
}  // namespace monosem::sae
