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

bool UsesK(Arch a) { return a == Arch::kTopK || a == Arch::kBatchTopK; }

}  // namespace

const char* ArchName(Arch a) {
  switch (a) {
    case Arch::kReluL1: return "relu_l1";
    case Arch::kTopK: return "topk";
    case Arch::kBatchTopK: return "batch_topk";
    case Arch::kJumpReLU: return "jumprelu";
  }
  return "?";
}

absl::StatusOr<Arch> ParseArch(const std::string& name) {
  for (Arch a : {Arch::kReluL1, Arch::kTopK, Arch::kBatchTopK, Arch::kJumpReLU}) {
    if (name == ArchName(a)) return a;
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "sae: unknown architecture '", name, "' (relu_l1, topk, batch_topk, jumprelu)"));
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
  return p;
}

SaeParams SaeParams::Clone() const {
  SaeParams p;
  p.w_enc = w_enc.Clone();
  p.b_enc = b_enc.Clone();
  p.w_dec = w_dec.Clone();
  p.b_dec = b_dec.Clone();
  p.threshold = threshold.Clone();
  return p;
}

std::vector<std::pair<std::string, Tensor*>> SaeParams::Named() {
  return {{"W_enc", &w_enc}, {"b_enc", &b_enc}, {"W_dec", &w_dec}, {"b_dec", &b_dec},
          {"threshold", &threshold}};
}
std::vector<std::pair<std::string, const Tensor*>> SaeParams::Named() const {
  return {{"W_enc", &w_enc}, {"b_enc", &b_enc}, {"W_dec", &w_dec}, {"b_dec", &b_dec},
          {"threshold", &threshold}};
}

absl::Status ValidateParams(const SaeSpec& s, const SaeParams& p) {
  MONOSEM_RETURN_IF_ERROR(CheckShape("W_enc", p.w_enc, {s.f, s.d}));
  MONOSEM_RETURN_IF_ERROR(CheckShape("b_enc", p.b_enc, {s.f}));
  MONOSEM_RETURN_IF_ERROR(CheckShape("W_dec", p.w_dec, {s.f, s.d}));
  MONOSEM_RETURN_IF_ERROR(CheckShape("b_dec", p.b_dec, {s.d}));
  MONOSEM_RETURN_IF_ERROR(CheckShape("threshold", p.threshold, {s.f}));
  return absl::OkStatus();
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
      out->grad.b_dec.shape() != Shape{spec.d}) {
    out->grad = SaeParams::Zeros(spec);
  }
  out->fired.assign(spec.f, 0);
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
  return AdamImpl(c, step, slots);
}

}  // namespace monosem::sae
