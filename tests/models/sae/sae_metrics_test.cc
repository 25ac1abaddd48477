// Every SAE metric of METRICS.md pinned by a small hand-computed example.
#include <cmath>

#include "gtest/gtest.h"
#include "monosem/models/sae/sae_metrics.h"

namespace monosem::sae {
namespace {

SaeCodes Dense(int64_t rows, int64_t f, std::vector<float> v) {
  SaeCodes c;
  c.rows = rows;
  c.f = f;
  c.sparse = false;
  c.dense = *Tensor::FromValues({rows, f}, v);
  return c;
}

// x = [[1, 0], [3, 2]], x_hat = [[1, 1], [2, 2]], F = 4:
//   sse = 1 + 1 = 2; mse = 2 / (2 * 2) = 0.5; sum ||x||^2 = 14, nmse = 1/7;
//   mean = (2, 1), sum ||x - mean||^2 = 2 + 2 = 4, fvu = 0.5, EV = 0.5;
//   shrinkage = (1/1 + 10/13) / 2 = 23/26;
//   f = [[0.5, 0, 0, 0], [0, 2, 1, 0]]: l0 = 1.5, l1 = 1.75,
//   density = [0.5, 0.5, 0.5, 0], dead_fraction = 0.25.
void ExpectHandExample(const SaeMetrics& m) {
  EXPECT_EQ(m.window, 2);
  EXPECT_DOUBLE_EQ(m.mse, 0.5);
  EXPECT_DOUBLE_EQ(m.nmse, 2.0 / 14.0);
  EXPECT_DOUBLE_EQ(m.fvu, 0.5);
  EXPECT_DOUBLE_EQ(m.explained_variance, 0.5);
  EXPECT_DOUBLE_EQ(m.shrinkage, 23.0 / 26.0);
  EXPECT_DOUBLE_EQ(m.l0, 1.5);
  EXPECT_DOUBLE_EQ(m.l1, 1.75);
  ASSERT_EQ(m.density.size(), 4u);
  EXPECT_DOUBLE_EQ(m.density[0], 0.5);
  EXPECT_DOUBLE_EQ(m.density[3], 0.0);
  EXPECT_DOUBLE_EQ(m.dead_fraction, 0.25);
  EXPECT_DOUBLE_EQ(m.ultralow_fraction_1e6, 0.0);
  EXPECT_DOUBLE_EQ(m.ultralow_fraction_1e5, 0.0);
}

TEST(SaeMetrics, HandComputedExampleInOneBatch) {
  SaeMetricsAccumulator acc(2, 4);
  ASSERT_TRUE(acc.Add(*Tensor::FromValues({2, 2}, {1, 0, 3, 2}),
                      *Tensor::FromValues({2, 2}, {1, 1, 2, 2}),
                      Dense(2, 4, {0.5f, 0, 0, 0, 0, 2, 1, 0}))
                  .ok());
  ExpectHandExample(acc.Finish());
}

// One vector per batch: a per-batch variance would be 0 (fvu undefined) and
// a mean of per-batch ratios would differ; sums over the window do not.
TEST(SaeMetrics, AccumulatesNumeratorsAndDenominatorsAcrossBatches) {
  SaeMetricsAccumulator acc(2, 4);
  ASSERT_TRUE(acc.Add(*Tensor::FromValues({1, 2}, {1, 0}), *Tensor::FromValues({1, 2}, {1, 1}),
                      Dense(1, 4, {0.5f, 0, 0, 0}))
                  .ok());
  ASSERT_TRUE(acc.Add(*Tensor::FromValues({1, 2}, {3, 2}), *Tensor::FromValues({1, 2}, {2, 2}),
                      Dense(1, 4, {0, 2, 1, 0}))
                  .ok());
  ExpectHandExample(acc.Finish());
}

TEST(SaeMetrics, SparseCodesGiveTheSameSparsityFigures) {
  SaeCodes c;
  c.rows = 2;
  c.f = 4;
  c.sparse = true;
  c.row_ptr = {0, 1, 3};
  c.idx = {0, 1, 2};
  c.val = {0.5f, 2, 1};
  SaeMetricsAccumulator acc(2, 4);
  ASSERT_TRUE(acc.Add(*Tensor::FromValues({2, 2}, {1, 0, 3, 2}),
                      *Tensor::FromValues({2, 2}, {1, 1, 2, 2}), c)
                  .ok());
  ExpectHandExample(acc.Finish());
}

// 200,000 vectors; feature 0 fires on all, feature 1 once (density 5e-6),
// feature 2 never: ultralow < 1e-5 is 1 of 2 live, < 1e-6 is 0; dead 1/3.
TEST(SaeMetrics, UltralowCountsLiveFeaturesOnly) {
  const int64_t N = 200000;
  SaeCodes c;
  c.rows = N;
  c.f = 3;
  c.sparse = true;
  c.row_ptr.push_back(0);
  for (int64_t n = 0; n < N; ++n) {
    c.idx.push_back(0);
    c.val.push_back(1);
    if (n == 7) {
      c.idx.push_back(1);
      c.val.push_back(1);
    }
    c.row_ptr.push_back(static_cast<int64_t>(c.idx.size()));
  }
  Tensor x = Tensor::Filled({N, 1}, 1.0f), xh = Tensor::Filled({N, 1}, 1.0f);
  x[0] = 2;
  SaeMetricsAccumulator acc(1, 3);
  ASSERT_TRUE(acc.Add(x, xh, c).ok());
  const SaeMetrics m = acc.Finish();
  EXPECT_DOUBLE_EQ(m.density[1], 5e-6);
  EXPECT_DOUBLE_EQ(m.dead_fraction, 1.0 / 3);
  EXPECT_DOUBLE_EQ(m.ultralow_fraction_1e5, 0.5);
  EXPECT_DOUBLE_EQ(m.ultralow_fraction_1e6, 0.0);
  EXPECT_DOUBLE_EQ(m.l0, 1.0 + 1.0 / N);
}

TEST(SaeMetrics, ZeroVectorsAreSkippedByShrinkageAndCounted) {
  SaeMetricsAccumulator acc(2, 1);
  ASSERT_TRUE(acc.Add(*Tensor::FromValues({2, 2}, {0, 0, 2, 0}),
                      *Tensor::FromValues({2, 2}, {0, 0, 1, 0}), Dense(2, 1, {0, 1}))
                  .ok());
  const SaeMetrics m = acc.Finish();
  EXPECT_DOUBLE_EQ(m.shrinkage, 0.5);
  EXPECT_EQ(m.shrinkage_skipped, 1);
}

// gt = e0, e1; dictionary = e0, (0.6, 0.8): max cos 1 and 0.8.
TEST(SaeMetrics, MmcsAndFracRecovered) {
  auto r = MeasureRecovery(*Tensor::FromValues({2, 2}, {1, 0, 0, 1}),
                           *Tensor::FromValues({2, 2}, {2, 0, 0.6f, 0.8f}));
  ASSERT_TRUE(r.ok());
  EXPECT_NEAR(r->mmcs, 0.9, 1e-7);
  EXPECT_DOUBLE_EQ(r->FracRecovered(0.9), 0.5);
  EXPECT_DOUBLE_EQ(r->FracRecovered(0.99), 0.5);
  EXPECT_DOUBLE_EQ(r->FracRecovered(0.5), 1.0);
  EXPECT_FALSE(MeasureRecovery(Tensor({2, 3}), Tensor({2, 2})).ok());
}

TEST(SaeMetrics, DensityHistogramCsv) {
  const std::string csv = DensityHistogramCsv({0, 1e-3, 0.5, 0.6}, 1000, -4, 1);
  EXPECT_NE(csv.find("log10_density_lo,log10_density_hi,count\ndead,dead,1\n"), std::string::npos) << csv;
  EXPECT_NE(csv.find("-3.00,-2.00,1\n"), std::string::npos) << csv;
  EXPECT_NE(csv.find("-1.00,0.00,2\n"), std::string::npos) << csv;
  EXPECT_NE(csv.find("window of 1000"), std::string::npos);
}

// The named dead-latent definitions on one hand-built log where they all
// disagree: 12 batches of 1,000,000 vectors (12M tokens), five latents.
//   0: never fires;             1: fires (code 1) in batch 1 only;
//   2: code 5e-4 in every batch (positive, below openai's 1e-3);
//   3: code -1 in every batch;  4: fires (code 1) in batch 2 only.
// tokens since a firing batch: 12M, 11M, 0, 12M, 10M; steps: 12, 11, 0, 12,
// 10; openai's counter (reset by a code > 1e-3, then + 1): 12, 12, 12, 12,
// 11 against a limit of 10M // 1M = 10 steps.
//   never_fired               0, 3                -> 2/5
//   saelens (> 1,000 steps)   none                -> 0
//   sparsify (> 10M tokens)   0, 1, 3             -> 3/5
//   dictionary_learning (>=)  0, 1, 3, 4          -> 4/5
//   dictionary_learning_eval  0 (no code != 0)    -> 1/5
//   openai (> 10 steps)       all                 -> 1
//   anthropic_2024 (>= 1e7)   0, 1, 3, 4          -> 4/5
TEST(DeadDefinitions, HandBuiltLogWhereTheyDisagree) {
  const int64_t B = 1000000;
  LatentFiringLog log(5);
  for (int step = 1; step <= 12; ++step) {
    SaeCodes c;
    c.rows = B;
    c.f = 5;
    c.sparse = true;
    c.row_ptr.assign(B + 1, 0);
    auto put = [&](int32_t i, float v) {
      c.idx.push_back(i);
      c.val.push_back(v);
    };
    if (step == 1) put(1, 1.0f);
    put(2, 5e-4f);
    put(3, -1.0f);
    if (step == 2) put(4, 1.0f);
    for (int64_t r = 1; r <= B; ++r) c.row_ptr[r] = static_cast<int64_t>(c.idx.size());  // all in row 0
    ASSERT_TRUE(log.Add(c).ok());
  }
  EXPECT_EQ(log.tokens(), 12 * B);
  EXPECT_EQ(log.steps(), 12);
  const std::vector<std::pair<std::string, double>> expect = {
      {"never_fired", 0.4},         {"saelens", 0.0}, {"sparsify", 0.6},
      {"dictionary_learning", 0.8}, {"dictionary_learning_eval", 0.2},
      {"openai", 1.0},              {"anthropic_2024", 0.8}};
  for (const auto& [name, value] : expect) {
    auto def = ParseDeadDefinition(name);
    ASSERT_TRUE(def.ok()) << def.status();
    EXPECT_EQ(DeadDefinitionName(*def), name);
    auto f = DeadFraction(log, *def);
    ASSERT_TRUE(f.ok()) << name << ": " << f.status();
    EXPECT_DOUBLE_EQ(*f, value) << name;
  }
}

// saelens counts steps: a latent silent for 1,001 one-vector batches is dead
// there, while never_fired (it fired once) calls it alive.
TEST(DeadDefinitions, SaeLensCountsStepsNotTokens) {
  LatentFiringLog log(2);
  ASSERT_TRUE(log.Add(Dense(1, 2, {1, 0})).ok());
  for (int s = 0; s < 1001; ++s) ASSERT_TRUE(log.Add(Dense(1, 2, {0, 0})).ok());
  EXPECT_DOUBLE_EQ(*DeadFraction(log, DeadDefinition::kSaeLens), 1.0);
  EXPECT_DOUBLE_EQ(*DeadFraction(log, DeadDefinition::kNeverFired), 0.5);
}

TEST(DeadDefinitions, UndecidableLogsAndBadNamesAreRefused) {
  LatentFiringLog log(2);
  EXPECT_FALSE(DeadFraction(log, DeadDefinition::kNeverFired).ok());  // empty
  ASSERT_TRUE(log.Add(Dense(1, 2, {1, 0})).ok());
  ASSERT_TRUE(log.Add(Dense(2, 2, {0, 0, 0, 0})).ok());
  auto openai = DeadFraction(log, DeadDefinition::kOpenAi);
  ASSERT_FALSE(openai.ok());
  EXPECT_NE(openai.status().message().find("batches differ"), std::string::npos);
  auto anthropic = DeadFraction(log, DeadDefinition::kAnthropic2024);
  ASSERT_FALSE(anthropic.ok());
  EXPECT_NE(anthropic.status().message().find("1e7 tokens"), std::string::npos);
  auto bad = ParseDeadDefinition("zombie");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("never_fired"), std::string::npos);
  EXPECT_FALSE(log.Add(Dense(1, 3, {0, 0, 0})).ok());
}

}  // namespace
}  // namespace monosem::sae
