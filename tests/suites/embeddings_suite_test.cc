// The embeddings suite at quick scale: the minimal corpora, the Brown part on
// a small generated corpus in Brown's shape, and the judged row failing when
// the Brown data is missing.
#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "monosem/data/brown_corpus.h"
#include "monosem/philox.h"
#include "monosem/suite.h"
#include "monosem/suites/embeddings/embeddings_experiments.h"
#include "tests/testing/tmp_dir.h"

namespace monosem {
namespace {

const ResultRow* Find(const std::vector<ResultRow>& rows, const std::string& metric) {
  for (const ResultRow& r : rows) {
    if (r.metric() == metric) return &r;
  }
  return nullptr;
}

TEST(EmbeddingsSuite, MinimalCorporaWriteCosineTables) {
  EmbeddingsScale scale;
  scale.quick = true;
  scale.out_dir = testing::TmpDir("emb_toy");
  auto rows = RunToyEmbeddings(scale);
  ASSERT_TRUE(rows.ok()) << rows.status();
  const ResultRow* bark = Find(*rows, "toy_cos[bark,d3,nosub,Dog~Bark]");
  ASSERT_NE(bark, nullptr);
  EXPECT_EQ(bark->status(), REPORT);
  EXPECT_TRUE(std::isfinite(bark->measured()));
  // One-word sentences make no training pairs.
  const ResultRow* numbers = Find(*rows, "toy_mean_1_minus_cos_to_init[numbers,d2,nosub]");
  ASSERT_NE(numbers, nullptr);
  EXPECT_EQ(numbers->measured(), 0.0);
  for (const ResultRow& r : *rows) EXPECT_EQ(r.status(), REPORT) << r.metric();
  EXPECT_TRUE(std::filesystem::exists(scale.out_dir + "/embeddings/toy_capital_d4_cosines.csv"));
  EXPECT_TRUE(
      std::filesystem::exists(scale.out_dir + "/embeddings/toy_translate_d2_nosub_cosines.csv"));
}

TEST(EmbeddingsSuite, JudgedRowFailsWithoutBrown) {
  EmbeddingsScale scale;
  scale.out_dir = testing::TmpDir("emb_missing");
  auto rows = RunBrownEmbeddings(scale, nullptr, "no Brown corpus in /nowhere");
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].status(), FAIL);
  EXPECT_NE((*rows)[0].note().find("/nowhere"), std::string::npos);
}

// 4000 sentences of 4-12 words from a 600-word Zipf-ish vocabulary.
BrownCorpus SyntheticBrown() {
  BrownCorpus corpus;
  Philox rng(17);
  for (int d = 0; d < 20; ++d) {
    BrownDocument doc{"c" + std::string(1, 'a' + d % 15) + std::to_string(10 + d), "news", {}};
    for (int s = 0; s < 200; ++s) {
      BrownSentence sentence;
      const int n = 4 + static_cast<int>(rng.UniformInt(9));
      for (int i = 0; i < n; ++i) {
        const uint32_t w = rng.UniformInt(rng.UniformInt(600) + 1);  // skewed to small ids
        sentence.push_back("w" + std::to_string(w));
      }
      doc.sentences.push_back(sentence);
    }
    corpus.documents.push_back(std::move(doc));
  }
  corpus.categories = {"news"};
  return corpus;
}

TEST(EmbeddingsSuite, BrownPartOnASmallCorpus) {
  EmbeddingsScale scale;
  scale.quick = true;
  scale.out_dir = testing::TmpDir("emb_brown");
  const BrownCorpus corpus = SyntheticBrown();
  auto rows = RunBrownEmbeddings(scale, &corpus, "");
  ASSERT_TRUE(rows.ok()) << rows.status();
  const ResultRow* judged =
      Find(*rows, "brown_overlap_coef_excess_over_rotation[d3 vs d40/d50/d60]");
  ASSERT_NE(judged, nullptr);
  EXPECT_TRUE(std::isfinite(judged->measured()));
  EXPECT_NE(judged->status(), REPORT);
  const ResultRow* distinct = Find(*rows, "brown_distinct_dimension_words[d60_s1]");
  ASSERT_NE(distinct, nullptr);
  EXPECT_GT(distinct->measured(), 0);
  EXPECT_LE(distinct->measured(), 300);
  // Every pair of the five models has its overlap rows.
  EXPECT_NE(Find(*rows, "brown_overlap_jaccard[d50_s1~d50_s2]"), nullptr);
  EXPECT_NE(Find(*rows, "brown_overlap_shared[d3_s1~d60_s1]"), nullptr);
  EXPECT_TRUE(std::filesystem::exists(scale.out_dir + "/embeddings/brown_dimension_words.csv"));
  EXPECT_TRUE(std::filesystem::exists(scale.out_dir + "/embeddings/brown_overlaps.csv"));
}

TEST(EmbeddingsSuite, Registered) {
  const SuiteInfo* info = SuiteRegistry::Find("embeddings");
  ASSERT_NE(info, nullptr);
  SuiteContext ctx;
  ctx.out_dir = testing::TmpDir("emb_registered");
  ctx.quick = true;
  ctx.only = "nonsense";
  EXPECT_FALSE(info->run(ctx).ok());
  ctx.only = "toy";
  auto rows = info->run(ctx);
  ASSERT_TRUE(rows.ok()) << rows.status();
  EXPECT_FALSE(rows->empty());
}

}  // namespace
}  // namespace monosem
