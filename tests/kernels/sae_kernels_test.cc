// Every registered SAE kernel set against the reference (fresh random inputs,
// awkward shapes, k = 1 and k = F, prefixes of width 1, outputs poisoned with
// NaN first), and the reference's hand-written gradients against LibTorch
// autograd in float64.
#include <algorithm>
#include <functional>
#include <cmath>
#include <limits>
#include <string>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gtest/gtest.h"
#ifndef MONOSEM_GPU_LINK_SET
#include "kernels/torch/sae_torch.h"
#endif
#include "monosem/compare.h"
#include "monosem/models/sae/sae_kernels.h"
#include "monosem/random_fill.h"
#include "tests/testing/cross_check.h"

namespace monosem::sae {
namespace {

using ::monosem::testing::Poison;
using ::monosem::testing::TestSeed;

struct Case {
  Arch arch;
  int64_t b, d, f, k, k_aux;
  // relu_l1 with biases set so that a quarter of the features fire on one
  // vector each and the rest never (density 1/(4B)): a trained SAE's regime,
  // where the cpu backend takes its sparse backward.
  bool sparse = false;
  std::vector<int64_t> widths = {};  // matryoshka_batch_topk's prefixes
  std::string Name() const {
    return absl::StrCat(ArchName(arch), "_B", b, "_d", d, "_F", f, "_k", k, "_aux", k_aux,
                        sparse ? "_sparse" : "", widths.empty() ? "" : "_w",
                        absl::StrJoin(widths, "_"));
  }
};

std::vector<Case> Cases() {
  std::vector<Case> cs;
  struct S {
    int64_t b, d, f;
  };
  const std::vector<S> shapes = {{1, 1, 1}, {7, 5, 13}, {3, 17, 31}, {33, 9, 64}, {20, 40, 129}};
  // Gated at B F d >= 2^22 too: the cpu backend's OpenMP path.
  cs.push_back({Arch::kGated, 64, 256, 257, 0, 0});
  for (Arch a : {Arch::kReluL1, Arch::kTopK, Arch::kBatchTopK, Arch::kJumpReLU, Arch::kGated}) {
    for (const S& s : shapes) {
      if (a == Arch::kTopK || a == Arch::kBatchTopK) {
        std::vector<int64_t> ks = {1, std::min<int64_t>(3, s.f), s.f};
        ks.erase(std::unique(ks.begin(), ks.end()), ks.end());
        for (int64_t k : ks) {
          cs.push_back({a, s.b, s.d, s.f, k, 0});
          if (s.f > 1) cs.push_back({a, s.b, s.d, s.f, k, std::min<int64_t>(5, s.f)});
        }
      } else {
        cs.push_back({a, s.b, s.d, s.f, 0, 0});
      }
    }
  }
  for (const S& s : std::vector<S>{{33, 9, 64}, {20, 40, 129}, {64, 24, 300}}) {
    cs.push_back({Arch::kReluL1, s.b, s.d, s.f, 0, 0, /*sparse=*/true});
  }
  // Matryoshka: prefixes of width 1, uneven bands, a single level, k near F.
  struct M {
    int64_t b, d, f;
    std::vector<int64_t> widths;
  };
  for (const M& m : std::vector<M>{{1, 1, 1, {1}},
                                   {7, 5, 13, {1, 4, 13}},
                                   {3, 17, 31, {1, 2, 30, 31}},
                                   {33, 9, 64, {8, 16, 32, 64}},
                                   {20, 40, 129, {1, 64, 129}},
                                   {5, 6, 21, {21}},
                                   // B F d >= 2^22: the cpu backend's OpenMP path
                                   {64, 256, 257, {1, 100, 257}}}) {
    std::vector<int64_t> ks = {1, std::min<int64_t>(3, m.f), std::max<int64_t>(1, m.f - 1), m.f};
    std::sort(ks.begin(), ks.end());
    ks.erase(std::unique(ks.begin(), ks.end()), ks.end());
    for (int64_t k : ks) {
      cs.push_back({Arch::kMatryoshkaBatchTopK, m.b, m.d, m.f, k, 0, false, m.widths});
      if (m.f > 1) {
        cs.push_back({Arch::kMatryoshkaBatchTopK, m.b, m.d, m.f, k, std::min<int64_t>(5, m.f), false,
                      m.widths});
      }
    }
  }
  return cs;
}

SaeSpec SpecOf(const Case& c) {
  SaeSpec s;
  s.arch = c.arch;
  s.d = c.d;
  s.f = c.f;
  s.k = c.k;
  s.k_aux = c.k_aux;
  s.l1 = c.arch == Arch::kJumpReLU ? 0.3f : 0.7f;
  // A wide STE window so that the threshold gradient is exercised.
  s.bandwidth = 0.2f;
  s.prefix_widths = c.widths;
  return s;
}

struct Inputs {
  SaeParams p;
  Tensor x;
  std::vector<uint8_t> dead;
};

Inputs MakeInputs(const Case& c, uint64_t seed) {
  const SaeSpec s = SpecOf(c);
  Inputs in;
  in.p = SaeParams::Zeros(s);
  FillUniform(seed, 1, -0.5f, 0.5f, &in.p.w_enc);
  FillUniform(seed, 2, -0.2f, 0.3f, &in.p.b_enc);
  FillUniform(seed, 3, -0.5f, 0.5f, &in.p.w_dec);
  FillUniform(seed, 4, -0.3f, 0.3f, &in.p.b_dec);
  FillUniform(seed, 5, 0.0f, 0.3f, &in.p.threshold);
  if (c.arch == Arch::kGated) {
    FillUniform(seed, 8, -0.5f, 0.5f, &in.p.r_mag);
    FillUniform(seed, 9, -0.2f, 0.3f, &in.p.b_mag);
  }
  in.x = Tensor::Uninitialized({c.b, c.d});
  FillUniform(seed, 6, -1.0f, 1.0f, &in.x);
  if (c.sparse) {
    // b_enc_i halfway between the largest and second largest pre-bias value of
    // feature i over the batch (every fourth feature, when they are at least
    // 1e-2 apart, so float and double agree on who fires), else below all.
    for (int64_t i = 0; i < c.f; ++i) {
      std::vector<double> z(c.b);
      for (int64_t n = 0; n < c.b; ++n) {
        double acc = 0;
        for (int64_t j = 0; j < c.d; ++j) {
          acc += static_cast<double>(in.p.w_enc[i * c.d + j]) * (in.x[n * c.d + j] - in.p.b_dec[j]);
        }
        z[n] = acc;
      }
      std::sort(z.begin(), z.end(), std::greater<double>());
      const bool fire = i % 4 == 0 && c.b > 1 && z[0] - z[1] > 1e-2;
      in.p.b_enc[i] = static_cast<float>(fire ? -(z[0] + z[1]) / 2 : -z[0] - 1.0);
    }
  }
  Tensor dm({c.f});
  FillUniform(seed, 7, 0.0f, 1.0f, &dm);
  in.dead.resize(c.f);
  for (int64_t i = 0; i < c.f; ++i) in.dead[i] = dm[i] < 0.5f;
  return in;
}

uint64_t CaseSeed(const Case& c) {
  uint64_t w = 0;
  for (int64_t v : c.widths) w = w * 131u + static_cast<uint64_t>(v);
  return TestSeed() * 1000003u + c.b * 7919u + c.d * 104729u + c.f * 13u + c.k * 31u +
         static_cast<uint64_t>(c.arch) * 1299709u + c.k_aux + (c.sparse ? 17u : 0u) + w * 7u;
}

std::vector<std::string> Backends() {
  std::vector<std::string> n;
  for (const std::string& b : SaeKernelRegistry::Names()) {
    if (b != "reference") n.push_back(b);
  }
  return n;
}

void ExpectClose(const Tensor& got, const Tensor& want, int64_t depth, const std::string& what) {
  Comparison cmp = Compare(got, want, Float32Tolerance(depth));
  EXPECT_TRUE(cmp.ok) << what << ": " << cmp.message;
}

class SaeCrossBackend : public ::testing::TestWithParam<std::tuple<std::string, Case>> {};

TEST_P(SaeCrossBackend, LossGradientsAndForwardMatchReference) {
  const auto& [name, c] = GetParam();
  auto k = SaeKernelRegistry::Create(BackendRegistry::Create(name));
  ASSERT_TRUE(k.ok()) << k.status();
  if (absl::Status st = (*k)->Available(); !st.ok()) GTEST_SKIP() << st.message();
  auto ref = SaeKernelRegistry::Create(BackendRegistry::Create("reference"));
  ASSERT_TRUE(ref.ok());
  const SaeSpec s = SpecOf(c);
  Inputs in = MakeInputs(c, CaseSeed(c));
  const std::string where = absl::StrCat(name, " ", c.Name(), " (seed ", TestSeed(), ")");

  SaeStepOut want, got;
  want.grad = SaeParams::Zeros(s);
  got.grad = SaeParams::Zeros(s);
  for (auto& [n, t] : want.grad.Named()) Poison(t);
  for (auto& [n, t] : got.grad.Named()) Poison(t);
  SaeCodes want_codes, got_codes;
  ASSERT_TRUE((*ref)->LossAndGrad(s, in.p, in.x, in.dead, &want, &want_codes).ok());
  absl::Status st = (*k)->LossAndGrad(s, in.p, in.x, in.dead, &got, &got_codes);
  if (name == "cuda" && st.code() == absl::StatusCode::kUnimplemented &&
      (c.arch == Arch::kGated || c.arch == Arch::kMatryoshkaBatchTopK)) {
    GTEST_SKIP() << st.message();  // said plainly, never run as another architecture
  }
  ASSERT_TRUE(st.ok()) << where << ": " << st;
  const int64_t depth = 4 * (c.b + c.d + c.f);
  EXPECT_NEAR(got.loss, want.loss, 1e-5 * (1 + std::fabs(want.loss))) << where;
  EXPECT_NEAR(got.recon, want.recon, 1e-5 * (1 + std::fabs(want.recon))) << where;
  EXPECT_NEAR(got.aux, want.aux, 1e-5 * (1 + std::fabs(want.aux))) << where;
  EXPECT_NEAR(got.sparsity, want.sparsity, 1e-5 * (1 + std::fabs(want.sparsity))) << where;
  EXPECT_NEAR(got.prefix_recon, want.prefix_recon, 1e-5 * (1 + std::fabs(want.prefix_recon))) << where;
  EXPECT_NEAR(got.l0, want.l0, 1e-9) << where;
  EXPECT_EQ(got.fired, want.fired) << where;
  if (IsBatchTopK(c.arch)) {
    EXPECT_NEAR(got.min_kept, want.min_kept, 1e-5) << where;
  }
  ExpectClose(got_codes.ToDense(), want_codes.ToDense(), c.d + 1, where + " codes");
  const auto gn = got.grad.Named();
  const auto wn = want.grad.Named();
  for (size_t t = 0; t < gn.size(); ++t) {
    ExpectClose(*gn[t].second, *wn[t].second, depth, where + " grad " + gn[t].first);
  }

  // Inference forward.
  Tensor want_xh = Tensor::Uninitialized({c.b, c.d}), got_xh = Tensor::Uninitialized({c.b, c.d});
  Poison(&want_xh);
  Poison(&got_xh);
  SaeCodes wc, gc;
  ASSERT_TRUE((*ref)->Forward(s, in.p, in.x, &wc, &want_xh).ok());
  ASSERT_TRUE((*k)->Forward(s, in.p, in.x, &gc, &got_xh).ok());
  ExpectClose(got_xh, want_xh, c.d + c.f, where + " forward x_hat");
  ExpectClose(gc.ToDense(), wc.ToDense(), c.d + 1, where + " forward codes");

  // Decoder-norm projection, normalisation and Adam.
  Tensor wg = in.p.w_enc.Clone(), gg = in.p.w_enc.Clone();
  ASSERT_TRUE((*ref)->ProjectDecoderGrad(in.p.w_dec, &wg).ok());
  ASSERT_TRUE((*k)->ProjectDecoderGrad(in.p.w_dec, &gg).ok());
  {
    // g - (g.w / w.w) w cancels to ~0 when d = 1: bound the error by the
    // input's scale, which is what the rounding is relative to.
    Tolerance t = Float32Tolerance(2 * c.d);
    double scale = 0;
    for (int64_t i = 0; i < in.p.w_enc.size(); ++i) scale = std::max<double>(scale, std::fabs(in.p.w_enc[i]));
    t.atol = 4 * 1.2e-7 * std::sqrt(static_cast<double>(c.d)) * scale;
    Comparison cmp = Compare(gg, wg, t);
    EXPECT_TRUE(cmp.ok) << where << " project: " << cmp.message;
  }
  Tensor wd = in.p.w_dec.Clone(), gd = in.p.w_dec.Clone();
  ASSERT_TRUE((*ref)->NormalizeDecoderRows(&wd).ok());
  ASSERT_TRUE((*k)->NormalizeDecoderRows(&gd).ok());
  ExpectClose(gd, wd, 2 * c.d, where + " normalize");
  SaeParams pw = in.p.Clone(), pg = in.p.Clone();
  SaeParams mw = SaeParams::Zeros(s), vw = SaeParams::Zeros(s), mg = SaeParams::Zeros(s),
            vg = SaeParams::Zeros(s);
  AdamConfig ac;
  ac.lr = 1e-2f;
  for (int step = 1; step <= 3; ++step) {
    ASSERT_TRUE((*ref)->Adam(ac, step, s, want.grad, &pw, &mw, &vw).ok());
    ASSERT_TRUE((*k)->Adam(ac, step, s, want.grad, &pg, &mg, &vg).ok());
  }
  const auto an = pg.Named();
  const auto aw = pw.Named();
  for (size_t t = 0; t < an.size(); ++t) ExpectClose(*an[t].second, *aw[t].second, 12, where + " adam " + an[t].first);
}

INSTANTIATE_TEST_SUITE_P(AllBackends, SaeCrossBackend,
                         ::testing::Combine(::testing::ValuesIn(Backends()),
                                            ::testing::ValuesIn(Cases())),
                         [](const auto& info) {
                           return std::get<0>(info.param) + "_" + std::get<1>(info.param).Name();
                         });

#ifndef MONOSEM_GPU_LINK_SET
// The reference's hand-written backward against autograd in float64.
// (Not in //tests/kernels:cuda_sae_kernels_test: the GPU link set has no LibTorch.)
class SaeAutograd : public ::testing::TestWithParam<Case> {};

TEST_P(SaeAutograd, ReferenceGradientsMatchAutograd) {
  const Case& c = GetParam();
  const SaeSpec s = SpecOf(c);
  Inputs in = MakeInputs(c, CaseSeed(c) + 17);
  auto ref = SaeKernelRegistry::Create(BackendRegistry::Create("reference"));
  ASSERT_TRUE(ref.ok());
  SaeStepOut want, got;
  got.grad = SaeParams::Zeros(s);
  got.fired.assign(s.f, 0);
  ASSERT_TRUE((*ref)->LossAndGrad(s, in.p, in.x, in.dead, &want).ok());
  absl::Status st = TorchAutogradLossAndGrad(s, in.p, in.x, in.dead, /*float64=*/true, &got, nullptr);
  ASSERT_TRUE(st.ok()) << st;
  EXPECT_NEAR(got.loss, want.loss, 1e-9 * (1 + std::fabs(want.loss))) << c.Name();
  EXPECT_NEAR(got.prefix_recon, want.prefix_recon, 1e-9 * (1 + std::fabs(want.prefix_recon))) << c.Name();
  EXPECT_NEAR(got.aux, want.aux, 1e-9 * (1 + std::fabs(want.aux))) << c.Name();
  ASSERT_EQ(got.grad.Named().size(), want.grad.Named().size()) << c.Name();
  const auto gn = got.grad.Named();
  const auto wn = want.grad.Named();
  for (size_t t = 0; t < gn.size(); ++t) {
    // Both accumulate in double and round once to float32.
    ExpectClose(*gn[t].second, *wn[t].second, 4, c.Name() + " autograd grad " + gn[t].first);
  }
}

INSTANTIATE_TEST_SUITE_P(AllArchitectures, SaeAutograd, ::testing::ValuesIn(Cases()),
                         [](const auto& info) { return info.param.Name(); });
#endif  // MONOSEM_GPU_LINK_SET

TEST(SaeKernels, RegistryHasTheThreeBackends) {
  const std::vector<std::string> names = SaeKernelRegistry::Names();
#ifdef MONOSEM_GPU_LINK_SET
  // The GPU link set: reference and cuda only.
  ASSERT_GE(names.size(), 2u);
  EXPECT_NE(std::find(names.begin(), names.end(), "cuda"), names.end());
#else
  ASSERT_GE(names.size(), 3u);
#endif
  EXPECT_EQ(names[0], "reference");
  auto missing = SaeKernelRegistry::Create(BackendRegistry::Create("no-such-backend"));
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("no-such-backend"), std::string::npos);
}

}  // namespace
}  // namespace monosem::sae
