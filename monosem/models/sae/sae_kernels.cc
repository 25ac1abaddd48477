#include "monosem/models/sae/sae_kernels.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "monosem/status.h"

namespace monosem::sae {
namespace {

absl::Status CheckShape(const char* what, const Tensor& t, const Shape& want) {
  if (t.shape() != want) {
    return absl::InvalidArgumentError(absl::StrCat("sae: ", what, " has shape ",
                                                   ShapeToString(t.shape()), ", expected ",
                                                   ShapeToString(want)));
  }
  return absl::OkStatus();
}

// Prefix widths: strictly increasing, from >= 1, ending at F.
absl::Status ValidateWidths(const SaeSpec& s) {
  const std::vector<int64_t>& w = s.prefix_widths;
  if (s.arch != Arch::kMatryoshkaBatchTopK) {
    if (w.empty()) return absl::OkStatus();
    return absl::InvalidArgumentError(absl::StrCat(
        "sae: prefix widths (matryoshka_widths) are set but ", ArchName(s.arch),
        " has no nested dictionary"));
  }
  if (w.empty()) {
    return absl::InvalidArgumentError(
        "sae: matryoshka_batch_topk needs its prefix widths (matryoshka_widths), e.g. [F/4, F/2, F]");
  }
  for (size_t l = 0; l < w.size(); ++l) {
    const int64_t lo = l == 0 ? 1 : w[l - 1] + 1;
    if (w[l] < lo || w[l] > s.f) {
      return absl::InvalidArgumentError(absl::StrCat(
          "sae: matryoshka_widths[", l, "] = ", w[l], " must be in [", lo, ", F = ", s.f,
          "] (strictly increasing, each >= 1)"));
    }
  }
  if (w.back() != s.f) {
    return absl::InvalidArgumentError(absl::StrCat("sae: the last matryoshka width is ", w.back(),
                                                   "; it must be the dictionary size F = ", s.f));
  }
  return absl::OkStatus();
}

absl::Status CheckGatedShapes(const SaeSpec& s, const SaeParams& p) {
  if (s.arch == Arch::kGated) {
    MONOSEM_RETURN_IF_ERROR(CheckShape("r_mag", p.r_mag, {s.f}));
    return CheckShape("b_mag", p.b_mag, {s.f});
  }
  if (!p.r_mag.empty() || !p.b_mag.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "sae: r_mag / b_mag are set but ", ArchName(s.arch), " has no magnitude path (gated only)"));
  }
  return absl::OkStatus();
}

}  // namespace

bool IsBatchTopK(Arch a) { return a == Arch::kBatchTopK || a == Arch::kMatryoshkaBatchTopK; }
bool UsesK(Arch a) { return a == Arch::kTopK || IsBatchTopK(a); }

const char* ArchName(Arch a) {
  switch (a) {
    case Arch::kReluL1: return "relu_l1";
    case Arch::kTopK: return "topk";
    case Arch::kBatchTopK: return "batch_topk";
    case Arch::kJumpReLU: return "jumprelu";
    case Arch::kGated: return "gated";
    case Arch::kMatryoshkaBatchTopK: return "matryoshka_batch_topk";
  }
  return "?";
}

absl::StatusOr<Arch> ParseArch(const std::string& name) {
  for (Arch a : {Arch::kReluL1, Arch::kTopK, Arch::kBatchTopK, Arch::kJumpReLU, Arch::kGated,
                 Arch::kMatryoshkaBatchTopK}) {
    if (name == ArchName(a)) return a;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("sae: unknown architecture '", name,
                   "' (relu_l1, topk, batch_topk, jumprelu, gated, matryoshka_batch_topk)"));
}

bool TrainsThreshold(Arch a) { return a == Arch::kJumpReLU; }

absl::Status ValidateSpec(const SaeSpec& s) {
  if (s.d <= 0) return absl::InvalidArgumentError(absl::StrCat("sae: d_in must be > 0, got ", s.d));
  if (s.f <= 0) return absl::InvalidArgumentError(absl::StrCat("sae: d_sae (F) must be > 0, got ", s.f));
  if (s.f > (int64_t{1} << 31) - 1) return absl::InvalidArgumentError("sae: d_sae (F) too large");
  if (UsesK(s.arch)) {
    if (s.k <= 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("sae: k must be >= 1 for ", ArchName(s.arch), ", got k = ", s.k));
    }
    if (s.k > s.f) {
      return absl::InvalidArgumentError(absl::StrCat("sae: k = ", s.k,
                                                     " exceeds the dictionary size F = ", s.f));
    }
    if (s.k_aux < 0 || s.k_aux > s.f) {
      return absl::InvalidArgumentError(
          absl::StrCat("sae: k_aux must be in [0, F = ", s.f, "], got ", s.k_aux));
    }
    if (!(s.aux_coef >= 0) || !std::isfinite(s.aux_coef)) {
      return absl::InvalidArgumentError(
          absl::StrCat("sae: aux coefficient must be finite and >= 0, got ", s.aux_coef));
    }
  }
  if (!(s.l1 >= 0) || !std::isfinite(s.l1)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "sae: ", s.arch == Arch::kJumpReLU ? "L0 coefficient" : "lambda (l1 coefficient)",
        " must be finite and >= 0, got ", s.l1));
  }
  MONOSEM_RETURN_IF_ERROR(ValidateWidths(s));
  if (s.arch == Arch::kJumpReLU && !(s.bandwidth > 0)) {
    return absl::InvalidArgumentError(
        absl::StrCat("sae: jumprelu bandwidth must be > 0, got ", s.bandwidth));
  }
  return absl::OkStatus();
}

SaeParams SaeParams::Zeros(const SaeSpec& s) {
  SaeParams p;
  p.w_enc = Tensor({s.f, s.d});
  p.b_enc = Tensor({s.f});
  p.w_dec = Tensor({s.f, s.d});
  p.b_dec = Tensor({s.d});
  p.threshold = Tensor({s.f});
  if (s.arch == Arch::kGated) {
    p.r_mag = Tensor({s.f});
    p.b_mag = Tensor({s.f});
  }
  return p;
}

SaeParams SaeParams::Clone() const {
  SaeParams p;
  p.w_enc = w_enc.Clone();
  p.b_enc = b_enc.Clone();
  p.w_dec = w_dec.Clone();
  p.b_dec = b_dec.Clone();
  p.threshold = threshold.Clone();
  // (Cloning a default Tensor would give a one-element scalar.)
  if (!r_mag.empty()) p.r_mag = r_mag.Clone();
  if (!b_mag.empty()) p.b_mag = b_mag.Clone();
  return p;
}

std::vector<std::pair<std::string, Tensor*>> SaeParams::Named() {
  std::vector<std::pair<std::string, Tensor*>> n = {
      {"W_enc", &w_enc}, {"b_enc", &b_enc}, {"W_dec", &w_dec}, {"b_dec", &b_dec}, {"threshold", &threshold}};
  if (!r_mag.empty() || !b_mag.empty()) {
    n.push_back({"r_mag", &r_mag});
    n.push_back({"b_mag", &b_mag});
  }
  return n;
}
std::vector<std::pair<std::string, const Tensor*>> SaeParams::Named() const {
  std::vector<std::pair<std::string, const Tensor*>> n;
  for (const auto& [name, t] : const_cast<SaeParams*>(this)->Named()) n.push_back({name, t});
  return n;
}

absl::Status ValidateParams(const SaeSpec& s, const SaeParams& p) {
  MONOSEM_RETURN_IF_ERROR(CheckShape("W_enc", p.w_enc, {s.f, s.d}));
  MONOSEM_RETURN_IF_ERROR(CheckShape("b_enc", p.b_enc, {s.f}));
  MONOSEM_RETURN_IF_ERROR(CheckShape("W_dec", p.w_dec, {s.f, s.d}));
  MONOSEM_RETURN_IF_ERROR(CheckShape("b_dec", p.b_dec, {s.d}));
  MONOSEM_RETURN_IF_ERROR(CheckShape("threshold", p.threshold, {s.f}));
  return CheckGatedShapes(s, p);
}

Tensor SaeCodes::ToDense() const {
  if (!sparse) return dense.Clone();
  Tensor t({rows, f});
  for (int64_t n = 0; n < rows; ++n) {
    for (int64_t j = row_ptr[n]; j < row_ptr[n + 1]; ++j) t[n * f + idx[j]] = val[j];
  }
  return t;
}

absl::Status SaeKernels::Forward(const SaeSpec& spec, const SaeParams& p, const Tensor& x,
                                 SaeCodes* codes, Tensor* x_hat) {
  MONOSEM_RETURN_IF_ERROR(ValidateSpec(spec));
  MONOSEM_RETURN_IF_ERROR(ValidateParams(spec, p));
  if (x.rank() != 2 || x.dim(1) != spec.d) {
    return absl::InvalidArgumentError(absl::StrCat("sae: input has shape ",
                                                   ShapeToString(x.shape()), ", expected [B, ",
                                                   spec.d, "] (d_in of the SAE)"));
  }
  MONOSEM_RETURN_IF_ERROR(CheckShape("x_hat", *x_hat, x.shape()));
  return ForwardImpl(spec, p, x, codes, x_hat);
}

absl::Status SaeKernels::LossAndGrad(const SaeSpec& spec, const SaeParams& p, const Tensor& x,
                                     const std::vector<uint8_t>& dead, SaeStepOut* out,
                                     SaeCodes* codes) {
  MONOSEM_RETURN_IF_ERROR(ValidateSpec(spec));
  MONOSEM_RETURN_IF_ERROR(ValidateParams(spec, p));
  if (x.rank() != 2 || x.dim(1) != spec.d || x.dim(0) == 0) {
    return absl::InvalidArgumentError(absl::StrCat("sae: training batch has shape ",
                                                   ShapeToString(x.shape()),
                                                   ", expected [B >= 1, ", spec.d, "]"));
  }
  if (!dead.empty() && static_cast<int64_t>(dead.size()) != spec.f) {
    return absl::InvalidArgumentError(absl::StrCat("sae: dead mask has ", dead.size(),
                                                   " entries, expected F = ", spec.f));
  }
  if (out->grad.w_enc.shape() != Shape{spec.f, spec.d} ||
      out->grad.b_dec.shape() != Shape{spec.d} ||
      out->grad.r_mag.empty() != (spec.arch != Arch::kGated)) {
    out->grad = SaeParams::Zeros(spec);
  }
  out->fired.assign(spec.f, 0);
  out->prefix_recon = 0;
  // Null codes are passed on: a training step that does not read them must
  // not pay for them (dense relu_l1 codes are B x F floats, 64 MiB at
  // B = F = 4,096, freshly allocated and copied every step).
  return LossAndGradImpl(spec, p, x, dead, out, codes);
}

absl::Status SaeKernels::ProjectDecoderGrad(const Tensor& w_dec, Tensor* g) {
  MONOSEM_RETURN_IF_ERROR(CheckShape("decoder gradient", *g, w_dec.shape()));
  if (w_dec.rank() != 2) return absl::InvalidArgumentError("sae: W_dec must be [F, d]");
  return ProjectDecoderGradImpl(w_dec, g);
}

absl::Status SaeKernels::NormalizeDecoderRows(Tensor* w_dec) {
  if (w_dec->rank() != 2) return absl::InvalidArgumentError("sae: W_dec must be [F, d]");
  return NormalizeDecoderRowsImpl(w_dec);
}

absl::Status SaeKernels::Adam(const AdamConfig& c, int64_t step, const SaeSpec& spec,
                              const SaeParams& grad, SaeParams* p, SaeParams* m, SaeParams* v) {
  if (step < 1) return absl::InvalidArgumentError("sae: Adam step must be >= 1");
  MONOSEM_RETURN_IF_ERROR(ValidateParams(spec, *p));
  MONOSEM_RETURN_IF_ERROR(ValidateParams(spec, grad));
  MONOSEM_RETURN_IF_ERROR(ValidateParams(spec, *m));
  MONOSEM_RETURN_IF_ERROR(ValidateParams(spec, *v));
  std::vector<AdamSlot> slots = {{&p->w_enc, &grad.w_enc, &m->w_enc, &v->w_enc},
                                 {&p->b_enc, &grad.b_enc, &m->b_enc, &v->b_enc},
                                 {&p->w_dec, &grad.w_dec, &m->w_dec, &v->w_dec},
                                 {&p->b_dec, &grad.b_dec, &m->b_dec, &v->b_dec}};
  if (TrainsThreshold(spec.arch)) {
    slots.push_back({&p->threshold, &grad.threshold, &m->threshold, &v->threshold});
  }
  if (spec.arch == Arch::kGated) {
    slots.push_back({&p->r_mag, &grad.r_mag, &m->r_mag, &v->r_mag});
    slots.push_back({&p->b_mag, &grad.b_mag, &m->b_mag, &v->b_mag});
  }
  return AdamImpl(c, step, slots);
}

}  // namespace monosem::sae
