#include "monosem/models/sae/sae_metrics.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "monosem/status.h"

namespace monosem::sae {

SaeMetricsAccumulator::SaeMetricsAccumulator(int64_t d, int64_t f)
    : d_(d), f_(f), mean_(d, 0.0), m2_(d, 0.0), fired_(f, 0) {}

absl::Status SaeMetricsAccumulator::Add(const Tensor& x, const Tensor& x_hat,
                                        const SaeCodes& codes) {
  if (x.rank() != 2 || x.dim(1) != d_ || x_hat.shape() != x.shape() || codes.rows != x.dim(0) ||
      codes.f != f_) {
    return absl::InvalidArgumentError(absl::StrCat(
        "sae metrics: batch shapes disagree: x ", ShapeToString(x.shape()), ", x_hat ",
        ShapeToString(x_hat.shape()), ", codes [", codes.rows, ", ", codes.f, "], expected d = ",
        d_, ", F = ", f_));
  }
  const int64_t B = x.dim(0), d = d_;
  std::vector<double> bmean(d, 0.0), bm2(d, 0.0);
  for (int64_t n = 0; n < B; ++n) {
    double err = 0, xx = 0, dot = 0;
    for (int64_t j = 0; j < d; ++j) {
      const double xv = x[n * d + j], hv = x_hat[n * d + j];
      err += (xv - hv) * (xv - hv);
      xx += xv * xv;
      dot += xv * hv;
      bmean[j] += xv;
    }
    sse_ += err;
    sx2_ += xx;
    if (xx > 0) {
      shrink_ += dot / xx;
      ++shrink_n_;
    } else {
      ++shrink_skipped_;
    }
  }
  for (int64_t j = 0; j < d; ++j) bmean[j] /= B;
  for (int64_t n = 0; n < B; ++n) {
    for (int64_t j = 0; j < d; ++j) {
      const double t = x[n * d + j] - bmean[j];
      bm2[j] += t * t;
    }
  }
  // Chan et al.'s merge of (n_, mean_, m2_) with the batch's.
  const double na = static_cast<double>(n_), nb = static_cast<double>(B), nt = na + nb;
  for (int64_t j = 0; j < d; ++j) {
    const double delta = bmean[j] - mean_[j];
    mean_[j] += delta * nb / nt;
    m2_[j] += bm2[j] + delta * delta * na * nb / nt;
  }
  n_ += B;
  // Sparsity from the codes.
  codes.ForEachEntry([&](int64_t, int64_t i, float v) {
    if (v > 0) {
      l0_ += 1;
      ++fired_[i];
    }
    l1_ += v;
  });
  return absl::OkStatus();
}

SaeMetrics SaeMetricsAccumulator::Finish() const {
  SaeMetrics m;
  m.window = n_;
  m.d = d_;
  m.f = f_;
  if (n_ == 0) return m;
  const double N = static_cast<double>(n_);
  double var = 0;
  for (double v : m2_) var += v;
  m.mse = sse_ / (N * d_);
  m.nmse = sx2_ > 0 ? sse_ / sx2_ : NAN;
  m.fvu = var > 0 ? sse_ / var : NAN;
  m.explained_variance = 1.0 - m.fvu;
  m.l0 = l0_ / N;
  m.l1 = l1_ / N;
  m.density.resize(f_);
  int64_t dead = 0, live = 0, low6 = 0, low5 = 0;
  for (int64_t i = 0; i < f_; ++i) {
    m.density[i] = fired_[i] / N;
    if (fired_[i] == 0) {
      ++dead;
      continue;
    }
    ++live;
    low6 += m.density[i] < 1e-6;
    low5 += m.density[i] < 1e-5;
  }
  m.dead_fraction = static_cast<double>(dead) / f_;
  m.ultralow_fraction_1e6 = live > 0 ? static_cast<double>(low6) / live : 0.0;
  m.ultralow_fraction_1e5 = live > 0 ? static_cast<double>(low5) / live : 0.0;
  m.shrinkage = shrink_n_ > 0 ? shrink_ / shrink_n_ : NAN;
  m.shrinkage_skipped = shrink_skipped_;
  return m;
}

absl::StatusOr<SaeMetrics> Evaluate(SaeKernels& k, const SaeSpec& spec, const SaeParams& p,
                                    BatchSource& src, int64_t n_eval, int64_t batch) {
  if (src.dim() != spec.d) {
    return absl::InvalidArgumentError(absl::StrCat("sae eval: the data has d = ", src.dim(),
                                                   " but the SAE's d_in is ", spec.d));
  }
  if (n_eval <= 0 || batch <= 0) return absl::InvalidArgumentError("sae eval: empty window");
  SaeMetricsAccumulator acc(spec.d, spec.f);
  for (int64_t done = 0; done < n_eval;) {
    const int64_t b = std::min(batch, n_eval - done);
    Tensor x({b, spec.d}), xh({b, spec.d});
    MONOSEM_RETURN_IF_ERROR(src.Next(b, &x));
    SaeCodes codes;
    MONOSEM_RETURN_IF_ERROR(k.Forward(spec, p, x, &codes, &xh));
    MONOSEM_RETURN_IF_ERROR(acc.Add(x, xh, codes));
    done += b;
  }
  return acc.Finish();
}

const char* DeadDefinitionName(DeadDefinition d) {
  switch (d) {
    case DeadDefinition::kNeverFired: return "never_fired";
    case DeadDefinition::kSaeLens: return "saelens";
    case DeadDefinition::kSparsify: return "sparsify";
    case DeadDefinition::kDictionaryLearning: return "dictionary_learning";
    case DeadDefinition::kDictionaryLearningEval: return "dictionary_learning_eval";
    case DeadDefinition::kOpenAi: return "openai";
    case DeadDefinition::kAnthropic2024: return "anthropic_2024";
  }
  return "?";
}

absl::StatusOr<DeadDefinition> ParseDeadDefinition(const std::string& name) {
  std::string names;
  for (DeadDefinition d :
       {DeadDefinition::kNeverFired, DeadDefinition::kSaeLens, DeadDefinition::kSparsify,
        DeadDefinition::kDictionaryLearning, DeadDefinition::kDictionaryLearningEval,
        DeadDefinition::kOpenAi, DeadDefinition::kAnthropic2024}) {
    if (name == DeadDefinitionName(d)) return d;
    absl::StrAppend(&names, names.empty() ? "" : ", ", DeadDefinitionName(d));
  }
  return absl::InvalidArgumentError(
      absl::StrCat("dead latents: unknown definition '", name, "' (expected one of ", names, ")"));
}

LatentFiringLog::LatentFiringLog(int64_t f)
    : f_(f), positive_(f, 0), nonzero_(f, 0), tokens_since_(f, 0), steps_since_(f, 0),
      openai_steps_(f, 0) {}

absl::Status LatentFiringLog::Add(const SaeCodes& codes) {
  if (codes.f != f_) {
    return absl::InvalidArgumentError(absl::StrCat("dead latents: codes have F = ", codes.f,
                                                   ", the log was made for F = ", f_));
  }
  const int64_t B = codes.rows;
  std::vector<int64_t> pos(f_, 0), nz(f_, 0);
  std::vector<uint8_t> big(f_, 0);
  codes.ForEachEntry([&](int64_t, int64_t i, float v) {
    pos[i] += v > 0;
    nz[i] += v != 0;
    big[i] |= v > 1e-3f;
  });
  for (int64_t i = 0; i < f_; ++i) {
    positive_[i] += pos[i];
    nonzero_[i] += nz[i];
    tokens_since_[i] = pos[i] > 0 ? 0 : tokens_since_[i] + B;
    steps_since_[i] = pos[i] > 0 ? 0 : steps_since_[i] + 1;
    // openai: stats_last_nonzero *= 1 - fired; stats_last_nonzero += 1.
    openai_steps_[i] = (big[i] ? 0 : openai_steps_[i]) + 1;
  }
  tokens_ += B;
  ++steps_;
  batch_ = batch_ == -1 || batch_ == B ? B : -2;
  return absl::OkStatus();
}

absl::StatusOr<double> DeadFraction(const LatentFiringLog& log, DeadDefinition def) {
  if (log.steps_ == 0 || log.f_ == 0) {
    return absl::FailedPreconditionError("dead latents: the log holds no batches");
  }
  constexpr int64_t kTenMillion = 10'000'000;
  int64_t openai_limit = 0;
  if (def == DeadDefinition::kOpenAi) {
    if (log.batch_ < 0) {
      return absl::FailedPreconditionError(
          "dead latents: 'openai' counts steps of one batch size, and the logged batches differ");
    }
    openai_limit = kTenMillion / log.batch_;  // dead_toks_threshold // bs
  }
  if (def == DeadDefinition::kAnthropic2024 && log.tokens_ < kTenMillion) {
    return absl::FailedPreconditionError(absl::StrCat(
        "dead latents: 'anthropic_2024' needs a window of at least 1e7 tokens, the log holds ",
        log.tokens_));
  }
  int64_t dead = 0;
  for (int64_t i = 0; i < log.f_; ++i) {
    switch (def) {
      case DeadDefinition::kNeverFired: dead += log.positive_[i] == 0; break;
      case DeadDefinition::kSaeLens: dead += log.steps_since_[i] > 1000; break;
      case DeadDefinition::kSparsify: dead += log.tokens_since_[i] > kTenMillion; break;
      case DeadDefinition::kDictionaryLearning: dead += log.tokens_since_[i] >= kTenMillion; break;
      case DeadDefinition::kDictionaryLearningEval: dead += log.nonzero_[i] == 0; break;
      case DeadDefinition::kOpenAi: dead += log.openai_steps_[i] > openai_limit; break;
      case DeadDefinition::kAnthropic2024: dead += log.tokens_since_[i] >= kTenMillion; break;
    }
  }
  return static_cast<double>(dead) / log.f_;
}

double Recovery::FracRecovered(double t) const {
  if (max_cos.empty()) return 0;
  int64_t c = 0;
  for (double v : max_cos) c += v > t;
  return static_cast<double>(c) / max_cos.size();
}

absl::StatusOr<Recovery> MeasureRecovery(const Tensor& gt, const Tensor& w) {
  if (gt.rank() != 2 || w.rank() != 2 || gt.dim(1) != w.dim(1) || gt.dim(0) == 0) {
    return absl::InvalidArgumentError(absl::StrCat("mmcs: ground truth ", ShapeToString(gt.shape()),
                                                   " and dictionary ", ShapeToString(w.shape()),
                                                   " must be [n, d] and [F, d]"));
  }
  const int64_t G = gt.dim(0), F = w.dim(0), d = gt.dim(1);
  std::vector<double> wn(F);
  for (int64_t i = 0; i < F; ++i) {
    double nn = 0;
    for (int64_t j = 0; j < d; ++j) nn += static_cast<double>(w[i * d + j]) * w[i * d + j];
    wn[i] = std::sqrt(nn);
  }
  Recovery r;
  r.max_cos.assign(G, -1.0);
#pragma omp parallel for schedule(static)
  for (int64_t g = 0; g < G; ++g) {
    double gn = 0;
    for (int64_t j = 0; j < d; ++j) gn += static_cast<double>(gt[g * d + j]) * gt[g * d + j];
    gn = std::sqrt(gn);
    double best = -1.0;
    for (int64_t i = 0; i < F; ++i) {
      if (wn[i] == 0 || gn == 0) continue;
      double dot = 0;
      for (int64_t j = 0; j < d; ++j) dot += static_cast<double>(gt[g * d + j]) * w[i * d + j];
      best = std::max(best, dot / (gn * wn[i]));
    }
    r.max_cos[g] = best;
  }
  double s = 0;
  for (double v : r.max_cos) s += v;
  r.mmcs = s / G;
  return r;
}

std::string DensityHistogramCsv(const std::vector<double>& density, int64_t window, double lo,
                                double bin) {
  const int nbins = static_cast<int>(std::ceil(-lo / bin));
  std::vector<int64_t> counts(nbins, 0);
  int64_t dead = 0;
  for (double v : density) {
    if (v <= 0) {
      ++dead;
      continue;
    }
    int b = static_cast<int>(std::floor((std::log10(v) - lo) / bin));
    b = std::clamp(b, 0, nbins - 1);
    ++counts[b];
  }
  std::string out = absl::StrCat("# feature density over a window of ", window,
                                 " vectors; the first bin also holds densities below 10^", lo,
                                 "\nlog10_density_lo,log10_density_hi,count\n");
  absl::StrAppend(&out, "dead,dead,", dead, "\n");
  for (int b = 0; b < nbins; ++b) {
    absl::StrAppend(&out, absl::StrFormat("%.2f,%.2f,%d\n", lo + b * bin, lo + (b + 1) * bin,
                                          counts[b]));
  }
  return out;
}

}  // namespace monosem::sae
