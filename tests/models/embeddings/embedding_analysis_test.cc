#include "monosem/models/embeddings/embedding_analysis.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace monosem {
namespace {

using ::testing::ElementsAre;

TEST(EmbeddingAnalysis, DimensionWordsRankByCosineWithTheAxis) {
  // Word 0 is along x, word 1 along y, word 2 at 45°, word 3 a long vector
  // mostly along x (norm must not matter), word 4 zero (never chosen).
  Tensor v = *Tensor::FromValues({5, 2}, {1, 0, 0, 1, 1, 1, 10, 1, 0, 0});
  const auto dw = DimensionWords(v, 2);
  ASSERT_EQ(dw.size(), 2u);
  EXPECT_THAT(dw[0], ElementsAre(0, 3));
  EXPECT_THAT(dw[1], ElementsAre(1, 2));
  EXPECT_THAT(DistinctWords(dw), ElementsAre(0, 1, 2, 3));
  EXPECT_EQ(WithinModelDuplicates(dw), 0);
  EXPECT_EQ(WithinModelDuplicates({{1, 2}, {2, 3}, {1, 4}}), 2);
  EXPECT_NEAR(Cosine(v.data(), v.data() + 4, 2), 1 / std::sqrt(2.0), 1e-12);
}

TEST(EmbeddingAnalysis, Overlap) {
  const Overlap o = SetOverlap({1, 2, 3, 4}, {3, 4, 5});
  EXPECT_EQ(o.shared, 2);
  EXPECT_DOUBLE_EQ(o.jaccard, 2.0 / 5);
  EXPECT_DOUBLE_EQ(o.coefficient, 2.0 / 3);
  EXPECT_EQ(SetOverlap({}, {1}).coefficient, 0.0);
}

TEST(EmbeddingAnalysis, RandomRotationIsOrthogonalAndKeepsCosines) {
  for (int64_t d : {1, 3, 17, 60}) {
    const auto q = RandomRotation(d, 9, d);
    for (int64_t i = 0; i < d; ++i) {
      for (int64_t j = 0; j < d; ++j) {
        double dot = 0;
        for (int64_t k = 0; k < d; ++k) dot += q[i * d + k] * q[j * d + k];
        EXPECT_NEAR(dot, i == j ? 1.0 : 0.0, 1e-12);
      }
    }
  }
  Tensor v = *Tensor::FromValues({2, 3}, {1, 2, 3, -1, 0.5, 2});
  const Tensor r = Rotate(v, RandomRotation(3, 1, 2));
  EXPECT_NEAR(Cosine(r.data(), r.data() + 3, 3), Cosine(v.data(), v.data() + 3, 3), 1e-6);
  EXPECT_NE(r[0], v[0]);
}

TEST(EmbeddingAnalysis, FrequencyMatchedDrawStaysInTheBand) {
  // Counts 100..1 by id: bands are quarter-octaves of the count.
  std::vector<int64_t> counts;
  for (int c = 100; c >= 1; --c) counts.push_back(c);
  const std::vector<int32_t> ids = {0, 50, 98, 99};  // counts 100, 50, 2, 1
  const auto drawn = FrequencyMatchedDraw(ids, counts, 3, 1);
  ASSERT_EQ(drawn.size(), 4u);
  auto band = [](int64_t c) { return std::floor(4 * std::log2(double(c))); };
  std::vector<double> want, got;
  for (int32_t id : ids) want.push_back(band(counts[id]));
  for (int32_t id : drawn) got.push_back(band(counts[id]));
  std::sort(want.begin(), want.end());
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, want);
  EXPECT_EQ(FrequencyMatchedDraw(ids, counts, 3, 1), drawn);  // reproducible
}

}  // namespace
}  // namespace monosem
