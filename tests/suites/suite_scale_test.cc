// The three reproduce scales: names, and what each one configures. The paper
// scale cannot run here (days on 2 cores), so its configuration is what is
// tested: the papers' shapes and budgets.
#include <cstdint>

#include "gtest/gtest.h"
#include "monosem/suite.h"
#include "monosem/suites/sae/sae_mlp_experiments.h"
#include "monosem/suites/transformer/transformer_suite_config.h"

namespace monosem {
namespace {

TEST(SuiteScaleTest, NamesRoundTripAndBadNamesAreRefused) {
  for (SuiteScale s : {SuiteScale::kQuick, SuiteScale::kDefault, SuiteScale::kPaper}) {
    auto parsed = ParseSuiteScale(SuiteScaleName(s));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, s);
  }
  auto bad = ParseSuiteScale("huge");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("quick, default or paper"), std::string::npos);
}

TEST(SuiteScaleTest, QuickFlagWins) {
  SuiteContext ctx;
  ctx.scale = SuiteScale::kPaper;
  ctx.quick = true;
  EXPECT_EQ(ctx.Scale(), SuiteScale::kQuick);
  ctx.quick = false;
  EXPECT_EQ(ctx.Scale(), SuiteScale::kPaper);
}

TEST(SuiteScaleTest, PaperTransformerTrainsOnOneHundredBillionTokens) {
  const RunConfig c = TransformerSuiteDefaults(SuiteScale::kPaper);
  EXPECT_EQ(c.transformer().d_model(), 128);
  EXPECT_EQ(c.transformer().n_heads(), 4);
  EXPECT_EQ(c.transformer().n_ctx(), 128);
  EXPECT_EQ(c.transformer().d_mlp(), 512);
  const double tokens = static_cast<double>(c.train().steps()) * c.train().batch_size() *
                        c.transformer().n_ctx();
  EXPECT_GE(tokens, 1e11);
  EXPECT_LT(tokens, 1.01e11);
}

TEST(SuiteScaleTest, DefaultHarvestsAMillionVectorsPerTransformer) {
  const TransformerSuiteScale s = TransformerSuiteScaleFor(SuiteScale::kDefault);
  EXPECT_GE(s.harvest_contexts * s.per_context, 1000000);
  EXPECT_TRUE(s.bf16_store);
  const TransformerSuiteScale q = TransformerSuiteScaleFor(SuiteScale::kQuick);
  EXPECT_LT(q.harvest_contexts * q.per_context, s.harvest_contexts * s.per_context);
}

TEST(SuiteScaleTest, PaperSaeLadderIsBrickenEtAlsARuns) {
  const sae::SaeMlpScale p = sae::SaeMlpScaleFor(SuiteScale::kPaper);
  EXPECT_EQ(p.batch, 8192);
  EXPECT_GE(static_cast<double>(p.steps) * p.batch, 8e9);  // ~8B vectors
  // A/0 ... A/5: 512 ... 131,072 features at d_mlp 512; A/1 is 4,096.
  EXPECT_EQ(p.dict_multiples.front() * 512, 512);
  EXPECT_EQ(p.dict_multiples.back() * 512, 131072);
  EXPECT_EQ(p.universality_multiple * 512, 4096);
}

TEST(SuiteScaleTest, DefaultSaeBudgetIsSeveralPassesOverTheHarvest) {
  const sae::SaeMlpScale d = sae::SaeMlpScaleFor(SuiteScale::kDefault);
  const TransformerSuiteScale s = TransformerSuiteScaleFor(SuiteScale::kDefault);
  const int64_t vectors = d.steps * d.batch;
  EXPECT_GE(vectors, 2 * s.harvest_contexts * s.per_context);
  // Far beyond the earlier 1,500 x 256 = 384k vectors per dictionary.
  EXPECT_GE(vectors, 8 * 384000);
}

}  // namespace
}  // namespace monosem
