// Golden cases for the SAEs: for every architecture, the training loss terms,
// codes, reconstruction and every parameter gradient of one batch, and a
// 200-step training run on synthetic ground truth (loss, L0 and dead count
// at fixed steps). Inputs are Philox draws; outputs are the reference's.
// Every backend with SAE kernels is checked against them by golden_test.
#include <cmath>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "golden/golden_sets.h"
#include "monosem/golden.h"
#include "monosem/models/sae/sae.h"
#include "monosem/models/sae/sae_kernels.h"
#include "monosem/models/sae/synthetic.h"
#include "monosem/status.h"

namespace monosem {
namespace {

using sae::Arch;

absl::StatusOr<sae::SaeSpec> SpecFromCase(const GoldenCase& c) {
  sae::SaeSpec s;
  MONOSEM_ASSIGN_OR_RETURN(std::string arch, ParamString(c, "arch"));
  MONOSEM_ASSIGN_OR_RETURN(s.arch, sae::ParseArch(arch));
  MONOSEM_ASSIGN_OR_RETURN(double d, ParamDouble(c, "d"));
  MONOSEM_ASSIGN_OR_RETURN(double f, ParamDouble(c, "f"));
  MONOSEM_ASSIGN_OR_RETURN(double k, ParamDouble(c, "k"));
  MONOSEM_ASSIGN_OR_RETURN(double k_aux, ParamDouble(c, "k_aux"));
  MONOSEM_ASSIGN_OR_RETURN(double l1, ParamDouble(c, "l1"));
  MONOSEM_ASSIGN_OR_RETURN(double bw, ParamDouble(c, "bandwidth"));
  s.d = static_cast<int64_t>(d);
  s.f = static_cast<int64_t>(f);
  s.k = static_cast<int64_t>(k);
  s.k_aux = static_cast<int64_t>(k_aux);
  s.l1 = static_cast<float>(l1);
  s.bandwidth = static_cast<float>(bw);
  // matryoshka_batch_topk's prefixes, "w1 w2 ... F" (sae_variants.textproto).
  if (c.params().count("widths")) {
    for (absl::string_view w : absl::StrSplit(c.params().at("widths"), ' ', absl::SkipEmpty())) {
      int64_t v = 0;
      if (!absl::SimpleAtoi(w, &v)) {
        return absl::InvalidArgumentError(absl::StrCat("golden case '", c.name(), "': bad width '", w, "'"));
      }
      s.prefix_widths.push_back(v);
    }
  }
  MONOSEM_RETURN_IF_ERROR(sae::ValidateSpec(s));
  return s;
}

absl::StatusOr<std::unique_ptr<sae::SaeKernels>> KernelsFor(Backend& b) {
  return sae::SaeKernelRegistry::Create(b);
}

Tensor Take(TensorMap& in, const std::string& name) { return std::move(in.at(name)); }

absl::StatusOr<TensorMap> LossAndGradOp(Backend& b, const GoldenCase& c, TensorMap& in) {
  MONOSEM_ASSIGN_OR_RETURN(sae::SaeSpec s, SpecFromCase(c));
  MONOSEM_ASSIGN_OR_RETURN(auto k, KernelsFor(b));
  for (const char* name : {"x", "W_enc", "b_enc", "W_dec", "b_dec", "threshold", "dead_u"}) {
    if (in.find(name) == in.end()) {
      return absl::InvalidArgumentError(absl::StrCat("golden case '", c.name(), "': missing input '", name, "'"));
    }
  }
  sae::SaeParams p;
  p.w_enc = Take(in, "W_enc");
  p.b_enc = Take(in, "b_enc");
  p.w_dec = Take(in, "W_dec");
  p.b_dec = Take(in, "b_dec");
  p.threshold = Take(in, "threshold");
  if (s.arch == Arch::kGated) {  // the magnitude path (sae_variants.textproto)
    for (const char* name : {"r_mag", "b_mag"}) {
      if (in.find(name) == in.end()) {
        return absl::InvalidArgumentError(absl::StrCat("golden case '", c.name(), "': missing input '", name, "'"));
      }
    }
    p.r_mag = Take(in, "r_mag");
    p.b_mag = Take(in, "b_mag");
  }
  const Tensor& x = in.at("x");
  const Tensor& du = in.at("dead_u");
  std::vector<uint8_t> dead(s.f);
  for (int64_t i = 0; i < s.f; ++i) dead[i] = du[i] < 0.5f;
  sae::SaeStepOut out;
  sae::SaeCodes codes;
  MONOSEM_RETURN_IF_ERROR(k->LossAndGrad(s, p, x, dead, &out, &codes));
  TensorMap r;
  r.emplace("loss_recon_aux_l0", *Tensor::FromValues({4}, {static_cast<float>(out.loss),
                                                           static_cast<float>(out.recon),
                                                           static_cast<float>(out.aux),
                                                           static_cast<float>(out.l0)}));
  r.emplace("train_codes", codes.ToDense());
  for (auto& [name, t] : out.grad.Named()) r.emplace("grad_" + name, std::move(*t));
  Tensor xh = Tensor::Filled(x.shape(), NAN);
  sae::SaeCodes fc;
  MONOSEM_RETURN_IF_ERROR(k->Forward(s, p, x, &fc, &xh));
  r.emplace("x_hat", std::move(xh));
  r.emplace("codes", fc.ToDense());
  return r;
}

absl::StatusOr<TensorMap> TrainOp(Backend& b, const GoldenCase& c, TensorMap&) {
  MONOSEM_ASSIGN_OR_RETURN(sae::SaeSpec s, SpecFromCase(c));
  MONOSEM_ASSIGN_OR_RETURN(double steps, ParamDouble(c, "steps"));
  MONOSEM_ASSIGN_OR_RETURN(double batch, ParamDouble(c, "batch"));
  MONOSEM_ASSIGN_OR_RETURN(double n_gt, ParamDouble(c, "n_gt"));
  sae::SyntheticOptions so;
  so.n_gt = static_cast<int64_t>(n_gt);
  so.d = s.d;
  so.expected_active = 3;
  so.seed = 3;
  MONOSEM_ASSIGN_OR_RETURN(sae::SyntheticData data, sae::SyntheticData::Create(so));
  sae::TrainOptions opt;
  opt.steps = static_cast<int64_t>(steps);
  opt.batch = static_cast<int64_t>(batch);
  opt.geometric_median_sample = 256;
  opt.resample_pool = 256;
  MONOSEM_ASSIGN_OR_RETURN(auto t, sae::SaeTrainer::Create(s, opt, b.name()));
  MONOSEM_RETURN_IF_ERROR(t->Init(data));
  std::vector<int64_t> at;
  for (int q = 0; q <= 4; ++q) at.push_back(std::max<int64_t>(1, opt.steps * q / 4));
  MONOSEM_RETURN_IF_ERROR(t->Train(data, at));
  std::vector<float> v;
  for (const sae::StepLog& l : t->log()) {
    v.push_back(static_cast<float>(l.loss));
    v.push_back(static_cast<float>(l.l0));
    v.push_back(static_cast<float>(l.dead) / s.f);
  }
  TensorMap r;
  MONOSEM_ASSIGN_OR_RETURN(Tensor curve, Tensor::FromValues({static_cast<int64_t>(t->log().size()), 3}, v));
  r.emplace("loss_l0_deadfrac_at_steps", std::move(curve));
  return r;
}

MONOSEM_REGISTER_GOLDEN_OP(sae_loss_and_grad, "sae_loss_and_grad", LossAndGradOp);
MONOSEM_REGISTER_GOLDEN_OP(sae_train, "sae_train", TrainOp);

void SetSpecParams(GoldenCase* c, Arch a, int64_t d, int64_t f, int64_t k, int64_t k_aux, double l1,
                   double bw) {
  auto& p = *c->mutable_params();
  p["arch"] = sae::ArchName(a);
  p["d"] = absl::StrCat(d);
  p["f"] = absl::StrCat(f);
  p["k"] = absl::StrCat(k);
  p["k_aux"] = absl::StrCat(k_aux);
  p["l1"] = absl::StrCat(l1);
  p["bandwidth"] = absl::StrCat(bw);
}

// One training batch's inputs: x, the parameters and the dead-mask draws.
void AddBatchInputs(GoldenCase* c, int64_t B, int64_t d, int64_t F, uint64_t seed) {
  *c->add_inputs() = UniformInput("x", {B, d}, seed, 1, -1, 1);
  *c->add_inputs() = UniformInput("W_enc", {F, d}, seed, 2, -0.5f, 0.5f);
  *c->add_inputs() = UniformInput("b_enc", {F}, seed, 3, -0.2f, 0.3f);
  *c->add_inputs() = UniformInput("W_dec", {F, d}, seed, 4, -0.5f, 0.5f);
  *c->add_inputs() = UniformInput("b_dec", {d}, seed, 5, -0.3f, 0.3f);
  *c->add_inputs() = UniformInput("threshold", {F}, seed, 6, 0.0f, 0.3f);
  *c->add_inputs() = UniformInput("dead_u", {F}, seed, 7, 0.0f, 1.0f);
}

// 200 optimizer steps amplify float32 rounding: a training curve is
// compared at 1% of its scale, not at kernel precision.
ToleranceSpec CurveTolerance() {
  ToleranceSpec t;
  t.set_atol(0.02);
  t.set_rtol(0.01);
  t.set_mean_rtol(0.01);
  t.set_depth(1);
  return t;
}

GoldenFile SaeCases() {
  GoldenFile f;
  f.set_description(
      "SAEs (relu_l1, topk, batch_topk, jumprelu): loss terms, codes, x_hat and every "
      "parameter gradient of one batch (W_enc/W_dec [F, d]), and 200-step training runs on "
      "synthetic ground truth (loss, L0, dead fraction at steps 1, 50, 100, 150, 200). "
      "Regenerate with: bazel run //golden:regen");
  uint64_t seed = 500;
  const int64_t B = 6, d = 7, F = 11;
  for (Arch a : {Arch::kReluL1, Arch::kTopK, Arch::kBatchTopK, Arch::kJumpReLU}) {
    const bool sparse = a == Arch::kTopK || a == Arch::kBatchTopK;
    GoldenCase* c = f.add_cases();
    c->set_name(absl::StrCat("sae_loss_and_grad_", sae::ArchName(a)));
    c->set_op("sae_loss_and_grad");
    SetSpecParams(c, a, d, F, sparse ? 3 : 0, sparse ? 4 : 0, a == Arch::kJumpReLU ? 0.3 : 0.7,
                  0.2);
    ++seed;
    AddBatchInputs(c, B, d, F, seed);
    *c->mutable_tolerance() = ToSpec(Float32Tolerance(4 * (B + d + F)));
  }
  for (Arch a : {Arch::kReluL1, Arch::kTopK, Arch::kBatchTopK, Arch::kJumpReLU}) {
    const bool sparse = a == Arch::kTopK || a == Arch::kBatchTopK;
    GoldenCase* c = f.add_cases();
    c->set_name(absl::StrCat("sae_train_200_", sae::ArchName(a)));
    c->set_op("sae_train");
    SetSpecParams(c, a, 8, 16, sparse ? 3 : 0, sparse ? 8 : 0, a == Arch::kJumpReLU ? 0.01 : 0.05,
                  0.001);
    (*c->mutable_params())["steps"] = "200";
    (*c->mutable_params())["batch"] = "32";
    (*c->mutable_params())["n_gt"] = "12";
    *c->mutable_tolerance() = CurveTolerance();
  }
  return f;
}

MONOSEM_REGISTER_GOLDEN_SET(sae, "sae.textproto", SaeCases);

// The gated and Matryoshka BatchTopK SAEs, in a file of their own so that
// sae.textproto stays as it was: the same two ops, with the magnitude path's
// inputs and the prefix widths.
GoldenFile SaeVariantCases() {
  GoldenFile f;
  f.set_description(
      "Gated and Matryoshka BatchTopK SAEs: loss terms, codes, x_hat and every parameter "
      "gradient of one batch (W_enc/W_dec [F, d]; gated adds r_mag, b_mag), and 200-step "
      "training runs on synthetic ground truth (loss, L0, dead fraction at steps 1, 50, 100, "
      "150, 200). Regenerate with: bazel run //golden:regen");
  uint64_t seed = 600;
  const int64_t B = 6, d = 7, F = 11;
  for (Arch a : {Arch::kGated, Arch::kMatryoshkaBatchTopK}) {
    const bool nested = a == Arch::kMatryoshkaBatchTopK;
    GoldenCase* c = f.add_cases();
    c->set_name(absl::StrCat("sae_loss_and_grad_", sae::ArchName(a)));
    c->set_op("sae_loss_and_grad");
    SetSpecParams(c, a, d, F, nested ? 3 : 0, nested ? 4 : 0, 0.7, 0.2);
    if (nested) (*c->mutable_params())["widths"] = "1 4 11";
    ++seed;
    AddBatchInputs(c, B, d, F, seed);
    if (!nested) {
      *c->add_inputs() = UniformInput("r_mag", {F}, seed, 8, -0.5f, 0.5f);
      *c->add_inputs() = UniformInput("b_mag", {F}, seed, 9, -0.2f, 0.3f);
    }
    *c->mutable_tolerance() = ToSpec(Float32Tolerance(4 * (B + d + F)));
  }
  for (Arch a : {Arch::kGated, Arch::kMatryoshkaBatchTopK}) {
    const bool nested = a == Arch::kMatryoshkaBatchTopK;
    GoldenCase* c = f.add_cases();
    c->set_name(absl::StrCat("sae_train_200_", sae::ArchName(a)));
    c->set_op("sae_train");
    SetSpecParams(c, a, 8, 16, nested ? 3 : 0, nested ? 8 : 0, 0.05, 0.001);
    if (nested) (*c->mutable_params())["widths"] = "2 4 8 16";
    (*c->mutable_params())["steps"] = "200";
    (*c->mutable_params())["batch"] = "32";
    (*c->mutable_params())["n_gt"] = "12";
    *c->mutable_tolerance() = CurveTolerance();
  }
  return f;
}

MONOSEM_REGISTER_GOLDEN_SET(sae_variants, "sae_variants.textproto", SaeVariantCases);

}  // namespace
}  // namespace monosem
