#include "monosem/models/sae/sae.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "monosem/philox.h"
#include "monosem/status.h"

namespace monosem::sae {

absl::StatusOr<SaeSpec> SpecFromConfig(const SaeConfig& c) {
  SaeSpec s;
  switch (c.architecture()) {
    case SaeConfig::RELU_L1: s.arch = Arch::kReluL1; break;
    case SaeConfig::TOPK: s.arch = Arch::kTopK; break;
    case SaeConfig::BATCH_TOPK: s.arch = Arch::kBatchTopK; break;
    case SaeConfig::JUMPRELU: s.arch = Arch::kJumpReLU; break;
    case SaeConfig::GATED: s.arch = Arch::kGated; break;
    case SaeConfig::MATRYOSHKA_BATCH_TOPK: s.arch = Arch::kMatryoshkaBatchTopK; break;
    default:
      return absl::InvalidArgumentError(
          "sae config: architecture must be RELU_L1, TOPK, BATCH_TOPK, JUMPRELU, GATED or "
          "MATRYOSHKA_BATCH_TOPK");
  }
  s.d = c.d_in();
  s.f = c.d_sae();
  s.k = c.k();
  s.l1 = c.l1_coefficient();
  s.k_aux = c.k_aux();
  if (c.aux_coefficient() != 0) s.aux_coef = c.aux_coefficient();
  if (c.jumprelu_bandwidth() != 0) s.bandwidth = c.jumprelu_bandwidth();
  s.prefix_widths.assign(c.matryoshka_widths().begin(), c.matryoshka_widths().end());
  // As SAELens: a list that stops short of d_sae gets d_sae as its last level.
  if (s.arch == Arch::kMatryoshkaBatchTopK && !s.prefix_widths.empty() && s.prefix_widths.back() < s.f) {
    s.prefix_widths.push_back(s.f);
  }
  if (s.arch == Arch::kMatryoshkaBatchTopK && s.prefix_widths.empty()) {
    return absl::InvalidArgumentError(
        "sae config: MATRYOSHKA_BATCH_TOPK needs matryoshka_widths (e.g. d_sae/8, d_sae/4, d_sae/2)");
  }
  MONOSEM_RETURN_IF_ERROR(ValidateSpec(s));
  return s;
}

absl::Status ApplyTrainConfig(const SaeConfig& c, const TrainConfig& t, TrainOptions* opt) {
  auto bad = [](const std::string& field, double v, const std::string& range) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, " is ", v, "; it must be ", range));
  };
  if (t.has_steps()) {
    if (t.steps() < 1) return bad("train.steps", t.steps(), ">= 1");
    opt->steps = t.steps();
  }
  if (t.has_batch_size()) {
    if (t.batch_size() < 1) return bad("train.batch_size", t.batch_size(), ">= 1");
    opt->batch = t.batch_size();
  }
  if (t.has_lr()) {
    if (!(std::isfinite(t.lr()) && t.lr() > 0)) return bad("train.lr", t.lr(), "finite and > 0");
    opt->adam.lr = t.lr();
  }
  if (t.has_beta1()) {
    if (!(t.beta1() >= 0 && t.beta1() < 1)) return bad("train.beta1", t.beta1(), "in [0, 1)");
    opt->adam.beta1 = t.beta1();
  }
  if (t.has_beta2()) {
    if (!(t.beta2() >= 0 && t.beta2() < 1)) return bad("train.beta2", t.beta2(), "in [0, 1)");
    opt->adam.beta2 = t.beta2();
  }
  if (t.has_eps()) {
    if (!(std::isfinite(t.eps()) && t.eps() > 0)) return bad("train.eps", t.eps(), "finite and > 0");
    opt->adam.eps = t.eps();
  }
  if (t.has_seed()) opt->seed = t.seed();
  for (const auto& [field, set] : {std::pair<const char*, bool>{"weight_decay", t.has_weight_decay()},
                                   {"warmup_steps", t.has_warmup_steps()},
                                   {"grad_clip", t.has_grad_clip()},
                                   {"min_lr_fraction", t.has_min_lr_fraction()}}) {
    if (set) {
      return absl::InvalidArgumentError(absl::StrCat(
          "train.", field, " is not used by SAE training (Adam at a constant learning rate, "
          "no clipping or decay); remove it"));
    }
  }
  if (c.dead_tokens() < 0) return bad("sae.dead_tokens", static_cast<double>(c.dead_tokens()), ">= 0 (0: steps/8 x batch)");
  if (c.dead_tokens() > 0) opt->dead_tokens = c.dead_tokens();
  opt->resample = !c.disable_resampling();
  opt->geometric_median_init = !c.disable_geometric_median_init();
  opt->encoder_from_decoder = !c.disable_encoder_from_decoder();
  return absl::OkStatus();
}

absl::Status BatchSource::Skip(int64_t n) {
  if (n < 0) return absl::InvalidArgumentError(absl::StrCat("batch source: cannot skip ", n, " vectors"));
  // Bounded memory: at most ~1M floats per chunk whatever n is.
  const int64_t chunk = std::max<int64_t>(1, (int64_t{1} << 20) / std::max<int64_t>(dim(), 1));
  Tensor scratch;
  while (n > 0) {
    const int64_t b = std::min(n, chunk);
    if (scratch.rank() != 2 || scratch.dim(0) != b) scratch = Tensor({b, dim()});
    MONOSEM_RETURN_IF_ERROR(Next(b, &scratch));
    n -= b;
  }
  return absl::OkStatus();
}

Tensor GeometricMedian(const Tensor& sample, int max_iter, double tol) {
  const int64_t N = sample.dim(0), d = sample.dim(1);
  std::vector<double> y(d, 0.0), next(d);
  for (int64_t n = 0; n < N; ++n) {
    for (int64_t j = 0; j < d; ++j) y[j] += sample[n * d + j];
  }
  for (double& v : y) v /= std::max<int64_t>(N, 1);
  for (int it = 0; it < max_iter && N > 0; ++it) {
    std::fill(next.begin(), next.end(), 0.0);
    double wsum = 0, dist_sum = 0;
    for (int64_t n = 0; n < N; ++n) {
      double dd = 0;
      for (int64_t j = 0; j < d; ++j) {
        const double t = sample[n * d + j] - y[j];
        dd += t * t;
      }
      dd = std::sqrt(dd);
      dist_sum += dd;
      const double w = 1.0 / std::max(dd, 1e-12);
      wsum += w;
      for (int64_t j = 0; j < d; ++j) next[j] += w * sample[n * d + j];
    }
    double step = 0;
    for (int64_t j = 0; j < d; ++j) {
      next[j] /= wsum;
      step += (next[j] - y[j]) * (next[j] - y[j]);
    }
    y = next;
    if (std::sqrt(step) <= tol * (dist_sum / N + 1e-30)) break;
  }
  Tensor out({d});
  for (int64_t j = 0; j < d; ++j) out[j] = static_cast<float>(y[j]);
  return out;
}

SaeTrainer::SaeTrainer(SaeSpec spec, TrainOptions opt, std::unique_ptr<SaeKernels> k)
    : spec_(spec), opt_(opt), kernels_(std::move(k)) {}

absl::StatusOr<std::unique_ptr<SaeTrainer>> SaeTrainer::Create(const SaeSpec& spec,
                                                               const TrainOptions& opt,
                                                               const std::string& backend) {
  MONOSEM_RETURN_IF_ERROR(ValidateSpec(spec));
  if (opt.steps < 0 || opt.batch <= 0) {
    return absl::InvalidArgumentError(absl::StrCat("sae training: steps must be >= 0 and batch > 0, got steps = ",
                                                   opt.steps, ", batch = ", opt.batch));
  }
  if (!(opt.adam.lr > 0) || !std::isfinite(opt.adam.lr)) {
    return absl::InvalidArgumentError(absl::StrCat("sae training: learning rate must be > 0, got ", opt.adam.lr));
  }
  MONOSEM_ASSIGN_OR_RETURN(std::unique_ptr<SaeKernels> k,
                           SaeKernelRegistry::Create(BackendRegistry::Create(backend)));
  MONOSEM_RETURN_IF_ERROR(k->Available());
  return std::unique_ptr<SaeTrainer>(new SaeTrainer(spec, opt, std::move(k)));
}

int64_t SaeTrainer::DeadTokens() const {
  if (opt_.dead_tokens > 0) return opt_.dead_tokens;
  return std::max<int64_t>(1, opt_.steps / 8) * opt_.batch;
}

std::vector<int64_t> SaeTrainer::ResampleSteps() const {
  std::vector<int64_t> s;
  if (spec_.arch != Arch::kReluL1 || !opt_.resample) return s;
  for (int q = 1; q <= 4; ++q) {
    const int64_t at = opt_.steps * q / 8;
    if (at >= 1 && (s.empty() || s.back() != at)) s.push_back(at);
  }
  return s;
}

absl::Status SaeTrainer::SetParams(SaeParams p) {
  MONOSEM_RETURN_IF_ERROR(ValidateParams(spec_, p));
  params_ = std::move(p);
  m_ = SaeParams::Zeros(spec_);
  v_ = SaeParams::Zeros(spec_);
  since_fired_.assign(spec_.f, 0);
  step_ = 0;
  initialised_ = true;
  return absl::OkStatus();
}

absl::Status SaeTrainer::Init(BatchSource& src) {
  if (src.dim() != spec_.d) {
    return absl::InvalidArgumentError(absl::StrCat("sae: the data has d = ", src.dim(),
                                                   " but the SAE's d_in is ", spec_.d));
  }
  SaeParams p = SaeParams::Zeros(spec_);
  const int64_t F = spec_.f, d = spec_.d;
  // Kaiming-uniform (gain sqrt(2), fan_in): W_enc fan_in = d; W_dec (the
  // linear map F -> d) fan_in = F; decoder rows are then normalised.
  const float be = std::sqrt(6.0f / d), bd = std::sqrt(6.0f / F);
  Philox enc(opt_.seed, 101), dec(opt_.seed, 102);
  for (int64_t t = 0; t < F * d; ++t) {
    p.w_enc[t] = -be + 2 * be * enc.UniformAt(t);
    p.w_dec[t] = -bd + 2 * bd * dec.UniformAt(t);
  }
  if (opt_.unit_norm_decoder) MONOSEM_RETURN_IF_ERROR(kernels_->NormalizeDecoderRows(&p.w_dec));
  if (UsesK(spec_.arch) && opt_.encoder_from_decoder) {
    std::copy(p.w_dec.data(), p.w_dec.data() + F * d, p.w_enc.data());
  }
  if (spec_.arch == Arch::kJumpReLU) p.threshold.Fill(opt_.jumprelu_init_threshold);
  if (opt_.geometric_median_init && opt_.geometric_median_sample > 0) {
    Tensor sample({opt_.geometric_median_sample, d});
    MONOSEM_RETURN_IF_ERROR(Draw(src, opt_.geometric_median_sample, &sample));
    p.b_dec = GeometricMedian(sample);
  }
  return SetParams(std::move(p));
}

absl::Status SaeTrainer::Step(BatchSource& src) {
  if (!initialised_) return absl::FailedPreconditionError("sae: Init() before Step()");
  if (src.dim() != spec_.d) {
    return absl::InvalidArgumentError(absl::StrCat("sae: the data has d = ", src.dim(),
                                                   " but the SAE's d_in is ", spec_.d));
  }
  if (batch_.shape() != Shape{opt_.batch, spec_.d}) batch_ = Tensor({opt_.batch, spec_.d});
  MONOSEM_RETURN_IF_ERROR(Draw(src, opt_.batch, &batch_));
  ++step_;
  std::vector<uint8_t> dead;
  if (UsesK(spec_.arch) && spec_.k_aux > 0) {
    dead.resize(spec_.f);
    const int64_t limit = DeadTokens();
    for (int64_t i = 0; i < spec_.f; ++i) dead[i] = since_fired_[i] >= limit;
  }
  MONOSEM_RETURN_IF_ERROR(kernels_->LossAndGrad(spec_, params_, batch_, dead, &out_));
  if (!std::isfinite(out_.loss)) {
    int64_t bad = 0;
    for (int64_t t = 0; t < batch_.size(); ++t) bad += !std::isfinite(batch_[t]);
    return absl::InternalError(absl::StrCat(
        "sae training diverged: the loss is ", out_.loss, " at step ", step_, " (",
        ArchName(spec_.arch), ", lr ", opt_.adam.lr, ", reconstruction term ", out_.recon, "); ",
        bad > 0 ? absl::StrCat("the input batch holds ", bad, " non-finite values")
                : "the inputs are finite: lower the learning rate or check the input scale"));
  }
  for (int64_t i = 0; i < spec_.f; ++i) {
    since_fired_[i] = out_.fired[i] > 0 ? 0 : since_fired_[i] + opt_.batch;
  }
  if (opt_.unit_norm_decoder) {
    MONOSEM_RETURN_IF_ERROR(kernels_->ProjectDecoderGrad(params_.w_dec, &out_.grad.w_dec));
  }
  MONOSEM_RETURN_IF_ERROR(kernels_->Adam(opt_.adam, step_, spec_, out_.grad, &params_, &m_, &v_));
  if (opt_.unit_norm_decoder) MONOSEM_RETURN_IF_ERROR(kernels_->NormalizeDecoderRows(&params_.w_dec));
  if (spec_.arch == Arch::kJumpReLU) {
    for (int64_t i = 0; i < spec_.f; ++i) params_.threshold[i] = std::max(params_.threshold[i], 0.0f);
  }
  if (IsBatchTopK(spec_.arch)) {
    const double a = opt_.batch_topk_threshold_decay;
    const double old = params_.threshold[0];
    const double th = step_ == 1 ? out_.min_kept : a * old + (1 - a) * out_.min_kept;
    params_.threshold.Fill(static_cast<float>(th));
  }
  for (int64_t at : ResampleSteps()) {
    if (at == step_) MONOSEM_RETURN_IF_ERROR(Resample(src));
  }
  return absl::OkStatus();
}

absl::Status SaeTrainer::Draw(BatchSource& src, int64_t n, Tensor* out) {
  MONOSEM_RETURN_IF_ERROR(src.Next(n, out));
  drawn_ += n;
  return absl::OkStatus();
}

absl::Status SaeTrainer::Train(BatchSource& src, const std::vector<int64_t>& log_steps) {
  return TrainUntil(src, opt_.steps, log_steps);
}

absl::Status SaeTrainer::TrainUntil(BatchSource& src, int64_t until,
                                    const std::vector<int64_t>& log_steps) {
  until = std::min(until, opt_.steps);
  while (step_ < until) {
    MONOSEM_RETURN_IF_ERROR(Step(src));
    if (std::find(log_steps.begin(), log_steps.end(), step_) != log_steps.end()) {
      StepLog l;
      l.step = step_;
      l.loss = out_.loss;
      l.recon = out_.recon;
      l.l0 = out_.l0;
      const int64_t limit = DeadTokens();
      for (int64_t s : since_fired_) l.dead += s >= limit;
      log_.push_back(l);
    }
  }
  return absl::OkStatus();
}

absl::Status SaeTrainer::Resample(BatchSource& src) {
  const int64_t F = spec_.f, d = spec_.d;
  const int64_t window = std::max<int64_t>(1, opt_.steps / 16) * opt_.batch;
  std::vector<int64_t> dead;
  for (int64_t i = 0; i < F; ++i) {
    if (since_fired_[i] >= window) dead.push_back(i);
  }
  if (dead.empty()) return absl::OkStatus();
  // Score a pool of inputs by their reconstruction loss.
  const int64_t pool = std::max<int64_t>(opt_.resample_pool, 1);
  Tensor xs({pool, d}), xh({pool, d});
  MONOSEM_RETURN_IF_ERROR(Draw(src, pool, &xs));
  MONOSEM_RETURN_IF_ERROR(kernels_->Forward(spec_, params_, xs, nullptr, &xh));
  std::vector<double> cum(pool);
  double total = 0;
  for (int64_t n = 0; n < pool; ++n) {
    double l = 0;
    for (int64_t j = 0; j < d; ++j) {
      const double e = static_cast<double>(xh[n * d + j]) - xs[n * d + j];
      l += e * e;
    }
    total += l * l;  // probability proportional to loss^2
    cum[n] = total;
  }
  // Mean norm of live encoder rows.
  std::vector<uint8_t> is_dead(F, 0);
  for (int64_t i : dead) is_dead[i] = 1;
  double live_norm = 0;
  int64_t live = 0;
  for (int64_t i = 0; i < F; ++i) {
    if (is_dead[i]) continue;
    double nn = 0;
    for (int64_t j = 0; j < d; ++j) nn += static_cast<double>(params_.w_enc[i * d + j]) * params_.w_enc[i * d + j];
    live_norm += std::sqrt(nn);
    ++live;
  }
  live_norm = live > 0 ? live_norm / live : 1.0;
  Philox rng(opt_.seed, 1000 + static_cast<uint64_t>(step_));
  for (size_t r = 0; r < dead.size(); ++r) {
    const int64_t i = dead[r];
    int64_t n;
    if (total > 0) {
      const double u = rng.UniformAt(r) * total;
      n = std::upper_bound(cum.begin(), cum.end(), u) - cum.begin();
      n = std::min(n, pool - 1);
    } else {
      n = static_cast<int64_t>(rng.UniformAt(r) * pool) % pool;
    }
    double nn = 0;
    for (int64_t j = 0; j < d; ++j) nn += static_cast<double>(xs[n * d + j]) * xs[n * d + j];
    const double inv = nn > 0 ? 1.0 / std::sqrt(nn) : 0.0;
    for (int64_t j = 0; j < d; ++j) {
      const double u = xs[n * d + j] * inv;
      params_.w_dec[i * d + j] = static_cast<float>(u);
      params_.w_enc[i * d + j] = static_cast<float>(u * 0.2 * live_norm);
      m_.w_dec[i * d + j] = v_.w_dec[i * d + j] = 0;
      m_.w_enc[i * d + j] = v_.w_enc[i * d + j] = 0;
    }
    params_.b_enc[i] = 0;
    m_.b_enc[i] = v_.b_enc[i] = 0;
    since_fired_[i] = 0;
  }
  resampled_ += static_cast<int64_t>(dead.size());
  return absl::OkStatus();
}

}  // namespace monosem::sae
