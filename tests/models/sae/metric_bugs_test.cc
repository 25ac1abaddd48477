// A museum of SAE metric bugs other libraries have shipped: one test per
// bug, each computing the buggy variant on a case built so that it differs
// from the correct value, and asserting that monosem's metric
// (monosem/models/sae/sae_metrics.h, the kernels) gives the correct one.
//   1. explained variance about zero instead of about the mean (SAELens
//      until v6.45.1, SAEBench v0.6.0);
//   2. per-batch ratios averaged instead of numerator and denominator summed
//      (SAELens before its PR 443; dictionary_learning's per-batch variance);
//   3. MSE that scales with the evaluation batch (SAELens v6.45.2);
//   4. BatchTopK's L0 miscounted for 3-D [batch, seq, d] inputs (SAELens
//      PR 570): k x batch kept instead of k x batch x seq;
//   5. top-k taken per chunk of latents instead of across the full width
//      (SAEDashboard PR 33);
//   6. dead-latent counters disagreeing with density (SAELens issues 197,
//      543).
#include <cmath>
#include <memory>
#include <string>

#include "gtest/gtest.h"
#include "tests/models/sae/small_codes.h"
#include "monosem/models/sae/sae.h"
#include "monosem/models/sae/sae_metrics.h"
#include "monosem/models/sae/sae_sources.h"
#include "tests/testing/backends.h"

namespace monosem::sae {
namespace {

using testing::Dense;
using testing::T;

// Bug 1. x = (10, 1), (12, 3); the reconstruction is the mean (11, 2) for
// both. sse = 4; sum ||x - mean||^2 = 4, so the correct explained variance is
// exactly 0 (the mean explains nothing). About zero: sum ||x||^2 = 254, and
// 1 - 4/254 = 0.984 looks like a near-perfect SAE.
TEST(MetricBugs, ExplainedVarianceIsAboutTheMeanNotZero) {
  SaeMetricsAccumulator acc(2, 1);
  ASSERT_TRUE(acc.Add(T(2, 2, {10, 1, 12, 3}), T(2, 2, {11, 2, 11, 2}), Dense(2, 1, {0, 0})).ok());
  const SaeMetrics m = acc.Finish();
  const double buggy = 1.0 - 4.0 / 254.0;
  EXPECT_DOUBLE_EQ(m.explained_variance, 0.0);
  EXPECT_GT(std::fabs(buggy - m.explained_variance), 0.9);
}

// Bug 2. Batch A: x = (0,0), (2,0), x_hat = (1,0), (1,0): sse 2, variance
// about A's mean 2, EV_A = 0. Batch B: x = (0,0), (0,10), x_hat = (0,0),
// (0,9): sse 1, variance 50, EV_B = 0.98. Averaged: 0.49. Pooled: sse 3,
// mean of all four (0.5, 2.5), sum of squares 78: EV = 1 - 3/78 = 75/78.
TEST(MetricBugs, RatiosAreOfSumsNotMeansOfPerBatchRatios) {
  SaeMetricsAccumulator acc(2, 1);
  ASSERT_TRUE(acc.Add(T(2, 2, {0, 0, 2, 0}), T(2, 2, {1, 0, 1, 0}), Dense(2, 1, {0, 0})).ok());
  ASSERT_TRUE(acc.Add(T(2, 2, {0, 0, 0, 10}), T(2, 2, {0, 0, 0, 9}), Dense(2, 1, {0, 0})).ok());
  const double buggy = 0.5 * ((1 - 2.0 / 2.0) + (1 - 1.0 / 50.0));
  const double correct = 75.0 / 78.0;
  const SaeMetrics m = acc.Finish();
  EXPECT_NEAR(m.explained_variance, correct, 1e-15);
  EXPECT_DOUBLE_EQ(m.fvu, 3.0 / 78.0);
  EXPECT_GT(std::fabs(buggy - correct), 0.4);
}

// An SAE whose reconstruction is b_dec for every input (W_enc = 0,
// b_enc = 0: every code is 0), created on `backend`.
struct ConstantSae {
  std::unique_ptr<SaeTrainer> trainer;
  SaeSpec spec;
};
absl::StatusOr<ConstantSae> MakeConstantSae(const std::string& backend, const SaeSpec& spec,
                                            const std::vector<float>& b_dec) {
  ConstantSae s;
  s.spec = spec;
  auto t = SaeTrainer::Create(spec, TrainOptions{}, backend);
  if (!t.ok()) return t.status();
  SaeParams p = SaeParams::Zeros(spec);
  for (int64_t j = 0; j < spec.d; ++j) p.b_dec[j] = b_dec[j];
  for (int64_t t2 = 0; t2 < spec.f * spec.d; ++t2) p.w_dec[t2] = (t2 % (spec.d + 1) == 0) ? 1.0f : 0.0f;
  if (absl::Status st = (*t)->SetParams(std::move(p)); !st.ok()) return st;
  s.trainer = std::move(*t);
  return s;
}

class MetricBugsOnBackends : public ::testing::TestWithParam<std::string> {};

#define MONOSEM_SAE_OR_SKIP(var, expr)                                   \
  auto var##_or = (expr);                                                \
  if (absl::IsUnavailable(var##_or.status())) GTEST_SKIP() << var##_or.status(); \
  ASSERT_TRUE(var##_or.ok()) << var##_or.status();                       \
  auto& var = *var##_or

// Bug 3. x = (1,2), (3,4), (5,6), (7,8), reconstruction (0,0): sse = 204,
// mse = 204 / (4 * 2) = 25.5 whatever the evaluation batch. Dividing each
// batch's per-element mean once more by its token count B gives 25.5 / B.
TEST_P(MetricBugsOnBackends, MseDoesNotScaleWithTheEvaluationBatch) {
  SaeSpec spec;
  spec.arch = Arch::kReluL1;
  spec.d = 2;
  spec.f = 3;
  MONOSEM_SAE_OR_SKIP(sae, MakeConstantSae(GetParam(), spec, {0, 0}));
  for (int64_t batch : {1, 2, 4}) {
    auto src = TensorSource::Create(T(4, 2, {1, 2, 3, 4, 5, 6, 7, 8}));
    ASSERT_TRUE(src.ok());
    auto m = Evaluate(sae.trainer->kernels(), spec, sae.trainer->params(), **src, 4, batch);
    ASSERT_TRUE(m.ok()) << m.status();
    EXPECT_DOUBLE_EQ(m->mse, 25.5) << "batch " << batch;
    const double buggy = 25.5 / batch;
    if (batch > 1) {
      EXPECT_GT(std::fabs(buggy - m->mse), 10.0);
    }
  }
}

// Bug 4. A [2 sequences, 3 positions, d] batch: BatchTopK keeps the k * 6
// largest over all 6 tokens (L0 = k per token). Counting the batch as 2
// rows keeps k * 2 (L0 = k / 3). The kernels refuse 3-D input with a clear
// error, so it cannot be miscounted; flattened, L0 is k.
TEST_P(MetricBugsOnBackends, BatchTopKL0CountsEveryTokenOfA3DBatch) {
  SaeSpec spec;
  spec.arch = Arch::kBatchTopK;
  spec.d = 4;
  spec.f = 8;
  spec.k = 2;
  MONOSEM_SAE_OR_SKIP(sae, MakeConstantSae(GetParam(), spec, {0, 0, 0, 0}));
  SaeParams p = sae.trainer->params().Clone();
  for (int64_t i = 0; i < spec.f; ++i) p.b_enc[i] = 1.0f + 0.1f * i;  // every pre-activation > 0
  Tensor x3({2, 3, 4});
  for (int64_t t = 0; t < x3.size(); ++t) x3[t] = 0.01f * (t % 5);
  SaeStepOut out;
  const absl::Status bad = sae.trainer->kernels().LossAndGrad(spec, p, x3, {}, &out);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.message().find("[2, 3, 4]"), std::string::npos) << bad;
  Tensor xh3({2, 3, 4});
  EXPECT_FALSE(sae.trainer->kernels().Forward(spec, p, x3, nullptr, &xh3).ok());

  ASSERT_TRUE(x3.Reshape({6, 4}).ok());
  ASSERT_TRUE(sae.trainer->kernels().LossAndGrad(spec, p, x3, {}, &out).ok());
  const double buggy = static_cast<double>(spec.k * 2) / 6;
  EXPECT_DOUBLE_EQ(out.l0, static_cast<double>(spec.k));
  EXPECT_GT(std::fabs(buggy - out.l0), 1.0);
}

// Bug 5. TopK over F = 40 latents with pre-activations = b_enc (W_enc = 0):
// the three largest (9, 8, 7 at latents 2, 5, 17) all sit in the first half.
// Top-3 per chunk of 20 latents would also keep 3, 2, 1 at latents 21, 30,
// 39 (L0 6); across the full width only 2, 5, 17 survive.
TEST_P(MetricBugsOnBackends, TopKIsAcrossTheFullWidthNotPerChunk) {
  SaeSpec spec;
  spec.arch = Arch::kTopK;
  spec.d = 2;
  spec.f = 40;
  spec.k = 3;
  MONOSEM_SAE_OR_SKIP(sae, MakeConstantSae(GetParam(), spec, {0, 0}));
  SaeParams p = sae.trainer->params().Clone();
  for (int64_t i = 0; i < spec.f; ++i) p.b_enc[i] = 0.01f * i / spec.f;  // small, positive
  p.b_enc[2] = 9;
  p.b_enc[5] = 8;
  p.b_enc[17] = 7;
  p.b_enc[21] = 3;
  p.b_enc[30] = 2;
  p.b_enc[39] = 1;
  const Tensor x = T(1, 2, {0.5f, -0.5f});
  Tensor xh({1, 2});
  SaeCodes codes;
  ASSERT_TRUE(sae.trainer->kernels().Forward(spec, p, x, &codes, &xh).ok());
  const Tensor f = codes.ToDense();
  int64_t l0 = 0;
  for (int64_t i = 0; i < spec.f; ++i) l0 += f[i] > 0;
  const int64_t buggy_l0 = 6;
  EXPECT_EQ(l0, 3);
  EXPECT_NE(l0, buggy_l0);
  EXPECT_FLOAT_EQ(f[2], 9);
  EXPECT_FLOAT_EQ(f[5], 8);
  EXPECT_FLOAT_EQ(f[17], 7);
  EXPECT_EQ(f[21], 0);
}

// Bug 6. The trainer's per-latent fired counts (what its dead counter uses)
// and the metrics' density must agree on the same batch: relu_l1 codes are
// the same in training and inference. Latents 0..3 fire on 2, 1, 0 and 3 of
// the 3 vectors.
TEST_P(MetricBugsOnBackends, DeadCountersAgreeWithDensity) {
  SaeSpec spec;
  spec.arch = Arch::kReluL1;
  spec.d = 4;
  spec.f = 4;
  spec.l1 = 0.1f;
  MONOSEM_SAE_OR_SKIP(sae, MakeConstantSae(GetParam(), spec, {0, 0, 0, 0}));
  SaeParams p = sae.trainer->params().Clone();
  for (int64_t i = 0; i < 4; ++i) p.w_enc[i * 4 + i] = 1;  // pre_i = x_i
  const Tensor x = T(3, 4, {1, 1, -1, 1,  //
                            1, -1, -2, 1,  //
                            -1, -1, 0, 1});
  SaeStepOut out;
  ASSERT_TRUE(sae.trainer->kernels().LossAndGrad(spec, p, x, {}, &out).ok());
  Tensor xh({3, 4});
  SaeCodes codes;
  ASSERT_TRUE(sae.trainer->kernels().Forward(spec, p, x, &codes, &xh).ok());
  SaeMetricsAccumulator acc(4, 4);
  ASSERT_TRUE(acc.Add(x, xh, codes).ok());
  const SaeMetrics m = acc.Finish();
  LatentFiringLog log(4);
  ASSERT_TRUE(log.Add(codes).ok());
  const std::vector<int64_t> expect = {2, 1, 0, 3};
  for (int64_t i = 0; i < 4; ++i) {
    EXPECT_EQ(out.fired[i], expect[i]) << "latent " << i;
    EXPECT_DOUBLE_EQ(m.density[i], out.fired[i] / 3.0) << "latent " << i;
  }
  EXPECT_DOUBLE_EQ(m.dead_fraction, 0.25);
  EXPECT_DOUBLE_EQ(*DeadFraction(log, DeadDefinition::kNeverFired), m.dead_fraction);
}

INSTANTIATE_TEST_SUITE_P(AllBackends, MetricBugsOnBackends,
                         ::testing::ValuesIn(monosem::testing::AllBackends()),
                         monosem::testing::BackendParamName);

// Bug 6, the counting rule: a latent is alive when its code is > 0. A
// latent with only negative codes and one with only tiny positive codes:
// density and dead_fraction agree with each other and with the never-fired
// log; counting "!= 0" (as an "any" over the codes does) would call the
// negative one alive.
TEST(MetricBugs, DensityAndDeadFractionUseOneFiringRule) {
  SaeMetricsAccumulator acc(1, 3);
  LatentFiringLog log(3);
  const SaeCodes c = Dense(2, 3, {-0.5f, 1e-7f, 0, -0.25f, 1e-7f, 0});
  ASSERT_TRUE(acc.Add(T(2, 1, {1, 2}), T(2, 1, {1, 2}), c).ok());
  ASSERT_TRUE(log.Add(c).ok());
  const SaeMetrics m = acc.Finish();
  EXPECT_DOUBLE_EQ(m.density[0], 0.0);
  EXPECT_DOUBLE_EQ(m.density[1], 1.0);
  int64_t zero_density = 0;
  for (double d : m.density) zero_density += d == 0;
  EXPECT_DOUBLE_EQ(m.dead_fraction, zero_density / 3.0);
  EXPECT_DOUBLE_EQ(*DeadFraction(log, DeadDefinition::kNeverFired), 2.0 / 3);
  EXPECT_DOUBLE_EQ(*DeadFraction(log, DeadDefinition::kDictionaryLearningEval), 1.0 / 3);
}

}  // namespace
}  // namespace monosem::sae
