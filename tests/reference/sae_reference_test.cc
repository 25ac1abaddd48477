// The reference SAE kernels' hand-written gradients of the gated and
// Matryoshka BatchTopK SAEs against central finite differences of the
// reference's own loss (double), and the properties that pin their
// definitions: Matryoshka selects one global top-(k*B) over the full width
// (never per prefix), a single prefix is plain batch_topk, and a gated SAE
// whose magnitude path equals its gate path is a ReLU SAE.
#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "monosem/backend.h"
#include "monosem/models/sae/sae_kernels.h"
#include "monosem/random_fill.h"
#include "tests/testing/cross_check.h"

namespace monosem::sae {
namespace {

using ::monosem::testing::TestSeed;

std::unique_ptr<SaeKernels> Reference() {
  auto k = SaeKernelRegistry::Create(BackendRegistry::Create("reference"));
  EXPECT_TRUE(k.ok()) << k.status();
  return std::move(*k);
}

SaeSpec Spec(Arch a, int64_t d, int64_t f, int64_t k, std::vector<int64_t> widths = {}) {
  SaeSpec s;
  s.arch = a;
  s.d = d;
  s.f = f;
  s.k = k;
  s.k_aux = a == Arch::kMatryoshkaBatchTopK ? 3 : 0;
  s.l1 = 0.6f;
  s.prefix_widths = std::move(widths);
  return s;
}

struct Inputs {
  SaeParams p;
  Tensor x;
  std::vector<uint8_t> dead;
};

Inputs Make(const SaeSpec& s, int64_t B, uint64_t seed) {
  Inputs in;
  in.p = SaeParams::Zeros(s);
  FillUniform(seed, 1, -0.5f, 0.5f, &in.p.w_enc);
  FillUniform(seed, 2, -0.2f, 0.3f, &in.p.b_enc);
  FillUniform(seed, 3, -0.5f, 0.5f, &in.p.w_dec);
  FillUniform(seed, 4, -0.3f, 0.3f, &in.p.b_dec);
  if (s.arch == Arch::kGated) {
    FillUniform(seed, 5, -0.5f, 0.5f, &in.p.r_mag);
    FillUniform(seed, 6, -0.2f, 0.3f, &in.p.b_mag);
  }
  in.x = Tensor::Uninitialized({B, s.d});
  FillUniform(seed, 7, -1.0f, 1.0f, &in.x);
  in.dead.assign(s.f, 0);
  for (int64_t i = 0; i < s.f; i += 2) in.dead[i] = 1;
  return in;
}

// The loss the gradient is of: for gated, decoder coordinates differentiate
// the loss without its frozen-decoder auxiliary term (no gradient reaches
// W_dec through it by definition).
double Loss(SaeKernels& k, const SaeSpec& s, const SaeParams& p, const Inputs& in, bool frozen_aux) {
  SaeStepOut out;
  absl::Status st = k.LossAndGrad(s, p, in.x, in.dead, &out);
  EXPECT_TRUE(st.ok()) << st;
  return frozen_aux ? out.loss - out.aux : out.loss;
}

// Central differences on every coordinate of `name`; a coordinate where the
// two one-sided slopes disagree sits on a kink (a gate opening, a top-k swap)
// and is skipped. Returns how many coordinates were compared.
int CheckTensor(SaeKernels& k, const SaeSpec& s, const Inputs& in, const SaeStepOut& analytic,
                const std::string& name, bool frozen_aux) {
  SaeParams p = in.p.Clone();
  Tensor* t = nullptr;
  const Tensor* g = nullptr;
  for (auto& [n, pt] : p.Named()) {
    if (n == name) t = pt;
  }
  for (const auto& [n, gt] : analytic.grad.Named()) {
    if (n == name) g = gt;
  }
  EXPECT_TRUE(t != nullptr && g != nullptr) << name;
  if (t == nullptr || g == nullptr) return 0;
  const double l0 = Loss(k, s, p, in, frozen_aux);
  int compared = 0;
  for (int64_t i = 0; i < t->size(); ++i) {
    const float orig = (*t)[i];
    const float hi = orig + 1e-3f, lo = orig - 1e-3f;
    (*t)[i] = hi;
    const double lp = Loss(k, s, p, in, frozen_aux);
    (*t)[i] = lo;
    const double lm = Loss(k, s, p, in, frozen_aux);
    (*t)[i] = orig;
    const double right = (lp - l0) / (static_cast<double>(hi) - orig);
    const double left = (l0 - lm) / (orig - static_cast<double>(lo));
    if (std::fabs(right - left) > 1e-2 * (1 + std::fabs(right))) continue;  // a kink
    const double fd = (lp - lm) / (static_cast<double>(hi) - lo);
    EXPECT_NEAR((*g)[i], fd, 2e-4 * (1 + std::fabs(fd))) << s.f << " " << name << "[" << i << "]";
    ++compared;
  }
  return compared;
}

void CheckAll(const SaeSpec& s, int64_t B, const std::vector<std::string>& names,
              const std::vector<std::string>& frozen_names) {
  auto k = Reference();
  const Inputs in = Make(s, B, TestSeed() * 31 + s.f);
  SaeStepOut out;
  ASSERT_TRUE(k->LossAndGrad(s, in.p, in.x, in.dead, &out).ok());
  int compared = 0, total = 0;
  for (const std::string& n : names) {
    compared += CheckTensor(*k, s, in, out, n, /*frozen_aux=*/false);
    for (const auto& [nm, t] : in.p.Named()) total += nm == n ? static_cast<int>(t->size()) : 0;
  }
  for (const std::string& n : frozen_names) {
    compared += CheckTensor(*k, s, in, out, n, /*frozen_aux=*/true);
    for (const auto& [nm, t] : in.p.Named()) total += nm == n ? static_cast<int>(t->size()) : 0;
  }
  // Kinks are rare: nearly every coordinate must have been compared.
  EXPECT_GE(compared, total * 9 / 10) << compared << " of " << total;
}

TEST(SaeReferenceGradients, GatedMatchesFiniteDifferences) {
  // W_dec through the loss without the frozen-decoder term; b_dec is in both
  // (the encoder's centring is not frozen): it is checked against autograd in
  // tests/kernels/sae_kernels_test.
  CheckAll(Spec(Arch::kGated, 5, 13, 0), 6, {"W_enc", "b_enc", "r_mag", "b_mag"}, {"W_dec"});
}

TEST(SaeReferenceGradients, MatryoshkaMatchesFiniteDifferences) {
  // Without AuxK: its target, the residual x - x_hat, is a constant by
  // definition (batch_topk's AuxK is checked against autograd).
  SaeSpec s = Spec(Arch::kMatryoshkaBatchTopK, 4, 11, 3, {1, 4, 11});
  s.k_aux = 0;
  CheckAll(s, 5, {"W_enc", "b_enc", "W_dec", "b_dec"}, {});
}

TEST(SaeReferenceMatryoshka, SelectsOneGlobalTopKOverTheFullWidth) {
  // The same selection as batch_topk: k*B entries over the whole batch and
  // every latent, whatever the prefixes (a per-prefix top-k would keep up to
  // k*B entries in each band instead).
  auto k = Reference();
  const int64_t B = 9;
  SaeSpec m = Spec(Arch::kMatryoshkaBatchTopK, 6, 24, 2, {1, 3, 12, 24});
  SaeSpec b = m;
  b.arch = Arch::kBatchTopK;
  b.prefix_widths.clear();
  const Inputs in = Make(m, B, TestSeed() + 5);
  SaeStepOut om, ob;
  SaeCodes cm, cb;
  ASSERT_TRUE(k->LossAndGrad(m, in.p, in.x, in.dead, &om, &cm).ok());
  ASSERT_TRUE(k->LossAndGrad(b, in.p, in.x, in.dead, &ob, &cb).ok());
  EXPECT_EQ(cm.row_ptr, cb.row_ptr);
  EXPECT_EQ(cm.idx, cb.idx);
  EXPECT_EQ(cm.val, cb.val);
  EXPECT_EQ(om.l0, 2.0);
  EXPECT_EQ(om.recon, ob.recon);
  EXPECT_GT(om.prefix_recon, 0.0);
  EXPECT_DOUBLE_EQ(om.loss, ob.loss + om.prefix_recon);
}

TEST(SaeReferenceMatryoshka, OnePrefixIsBatchTopK) {
  auto k = Reference();
  SaeSpec m = Spec(Arch::kMatryoshkaBatchTopK, 5, 17, 4, {17});
  SaeSpec b = m;
  b.arch = Arch::kBatchTopK;
  b.prefix_widths.clear();
  const Inputs in = Make(m, 7, TestSeed() + 6);
  SaeStepOut om, ob;
  ASSERT_TRUE(k->LossAndGrad(m, in.p, in.x, in.dead, &om).ok());
  ASSERT_TRUE(k->LossAndGrad(b, in.p, in.x, in.dead, &ob).ok());
  EXPECT_EQ(om.loss, ob.loss);
  EXPECT_EQ(om.prefix_recon, 0.0);
  const auto gm = om.grad.Named();
  const auto gb = ob.grad.Named();
  ASSERT_EQ(gm.size(), gb.size());
  for (size_t t = 0; t < gm.size(); ++t) {
    for (int64_t i = 0; i < gm[t].second->size(); ++i) {
      ASSERT_EQ((*gm[t].second)[i], (*gb[t].second)[i]) << gm[t].first << "[" << i << "]";
    }
  }
}

TEST(SaeReferenceGated, EqualPathsGiveReLUCodes) {
  // r_mag = 0 and b_mag = b_gate make pi_mag = pi_gate: f = ReLU(pi_gate).
  auto k = Reference();
  SaeSpec g = Spec(Arch::kGated, 7, 19, 0);
  SaeSpec r = g;
  r.arch = Arch::kReluL1;
  Inputs in = Make(g, 8, TestSeed() + 7);
  in.p.r_mag.Fill(0.0f);
  for (int64_t i = 0; i < g.f; ++i) in.p.b_mag[i] = in.p.b_enc[i];
  SaeParams pr = in.p.Clone();
  pr.r_mag = Tensor();
  pr.b_mag = Tensor();
  Tensor xg({8, 7}), xr({8, 7});
  SaeCodes cg, cr;
  ASSERT_TRUE(k->Forward(g, in.p, in.x, &cg, &xg).ok());
  ASSERT_TRUE(k->Forward(r, pr, in.x, &cr, &xr).ok());
  const Tensor dg = cg.ToDense(), dr = cr.ToDense();
  int64_t on = 0;
  for (int64_t t = 0; t < dg.size(); ++t) {
    EXPECT_EQ(dg[t], dr[t]) << t;
    on += dg[t] > 0;
  }
  EXPECT_GT(on, 0);
  for (int64_t t = 0; t < xg.size(); ++t) EXPECT_EQ(xg[t], xr[t]) << t;
}

TEST(SaeReferenceSpec, BadWidthsAndMisshapenGateTensorsAreClearErrors) {
  auto k = Reference();
  const int64_t B = 3;
  SaeSpec m = Spec(Arch::kMatryoshkaBatchTopK, 4, 10, 2, {4, 4, 10});
  EXPECT_NE(ValidateSpec(m).message().find("strictly increasing"), std::string::npos)
      << ValidateSpec(m);
  m.prefix_widths = {2, 5};
  EXPECT_NE(ValidateSpec(m).message().find("F = 10"), std::string::npos) << ValidateSpec(m);
  m.prefix_widths = {};
  EXPECT_NE(ValidateSpec(m).message().find("matryoshka_widths"), std::string::npos);
  m.prefix_widths = {0, 10};
  EXPECT_FALSE(ValidateSpec(m).ok());
  SaeSpec r = Spec(Arch::kBatchTopK, 4, 10, 2, {5, 10});
  EXPECT_NE(ValidateSpec(r).message().find("no nested dictionary"), std::string::npos);

  SaeSpec g = Spec(Arch::kGated, 4, 10, 0);
  Inputs in = Make(g, B, 1);
  in.p.r_mag = Tensor({9});
  Tensor xh({B, 4});
  absl::Status st = k->Forward(g, in.p, in.x, nullptr, &xh);
  EXPECT_NE(st.message().find("r_mag"), std::string::npos) << st;
  SaeParams relu = SaeParams::Zeros(Spec(Arch::kReluL1, 4, 10, 0));
  relu.b_mag = Tensor({10});
  st = ValidateParams(Spec(Arch::kReluL1, 4, 10, 0), relu);
  EXPECT_NE(st.message().find("gated only"), std::string::npos) << st;
}

}  // namespace
}  // namespace monosem::sae
