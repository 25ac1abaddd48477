#include "monosem/models/embeddings/unit_matching.h"

#include <cmath>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "monosem/philox.h"

namespace monosem {
namespace {

using ::testing::ElementsAre;

TEST(UnitMatching, CosineScoresAndTopRows) {
  // Words: along x, along y, 45 degrees, long and mostly x, zero.
  const Tensor v = *Tensor::FromValues({5, 2}, {1, 0, 0, 1, 1, 1, 10, 1, 0, 0});
  const std::vector<int32_t> words = {0, 1, 2, 3, 4};
  // Directions: x (scaled: the norm must not matter) and y.
  const ScoreMatrix m = CosineScores(v, words, {3, 0, 0, 1}, 2);
  ASSERT_EQ(m.rows, 5);
  ASSERT_EQ(m.cols, 2);
  EXPECT_NEAR(m.at(2, 0), 1 / std::sqrt(2.0), 1e-6);
  EXPECT_EQ(m.at(4, 0), 0.0f);
  // Top 2 per direction, mapped through ids and sorted.
  const auto top = TopRowsPerColumn(m, 2, {10, 11, 12, 13, 14});
  EXPECT_THAT(top[0], ElementsAre(10, 13));
  EXPECT_THAT(top[1], ElementsAre(11, 12));
  // Ties go to the lower row: three equal scores, top 2.
  ScoreMatrix tie{3, 1, {0.5f, 0.5f, 0.5f}};
  EXPECT_THAT(TopRowsPerColumn(tie, 2, {7, 8, 9})[0], ElementsAre(7, 8));
}

TEST(UnitMatching, Jaccard) {
  EXPECT_DOUBLE_EQ(ListJaccard({1, 2, 3}, {2, 3, 4}), 0.5);
  EXPECT_DOUBLE_EQ(ListJaccard({}, {}), 0.0);
  const std::vector<std::vector<int32_t>> a = {{1, 2}, {3, 4}, {5, 6}};
  // The same units in another order match perfectly; disjoint ones not at all.
  EXPECT_DOUBLE_EQ(MatchedJaccard(a, {{5, 6}, {1, 2}, {3, 4}}), 1.0);
  EXPECT_DOUBLE_EQ(MatchedJaccard(a, {{7, 8}}), 0.0);
  // One side's unit {1, 2} is found, the other two are not: a side 1/3; the
  // other side's single unit is found: 1. Symmetric mean 2/3.
  EXPECT_NEAR(MatchedJaccard(a, {{1, 2}}), (1.0 / 3 + 1.0) / 2, 1e-12);
}

TEST(UnitMatching, CorrelationFindsPermutedAndNegatedUnits) {
  const Philox rng(5, 0);
  const int64_t n = 200;
  ScoreMatrix a{n, 3, {}}, b{n, 3, {}};
  for (int64_t r = 0; r < n; ++r) {
    const float x = rng.NormalAt(3 * r), y = rng.NormalAt(3 * r + 1), z = rng.NormalAt(3 * r + 2);
    a.v.insert(a.v.end(), {x, y, z});
    b.v.insert(b.v.end(), {2 * z + 1, -y, x});  // permuted, scaled, shifted, one negated
  }
  EXPECT_NEAR(MeanMaxCorrelation(a, b, /*absolute=*/true), 1.0, 1e-5);
  const double signed_r = MeanMaxCorrelation(a, b, /*absolute=*/false);
  EXPECT_LT(signed_r, 0.9);  // y's only partner is -y
  // A constant column (a feature that never fires) is left out of the mean:
  // counted, it would bring c against itself down to 2/3.
  ScoreMatrix c = a;
  for (int64_t r = 0; r < n; ++r) c.v[r * 3 + 1] = 0;
  EXPECT_NEAR(MeanMaxCorrelation(c, c, false), 1.0, 1e-5);
  ScoreMatrix dead{n, 1, std::vector<float>(n, 0.0f)};
  EXPECT_TRUE(std::isnan(MeanMaxCorrelation(dead, a, false)));
}

TEST(UnitMatching, RandomDirectionsAreUnitAndSeeded) {
  const std::vector<float> d = RandomDirections(7, 5, 3, 1);
  for (int u = 0; u < 7; ++u) {
    double s = 0;
    for (int k = 0; k < 5; ++k) s += d[u * 5 + k] * d[u * 5 + k];
    EXPECT_NEAR(s, 1.0, 1e-5);
  }
  EXPECT_EQ(d, RandomDirections(7, 5, 3, 1));
  EXPECT_NE(d, RandomDirections(7, 5, 3, 2));
  EXPECT_THAT(BasisDirections(2), ElementsAre(1, 0, 0, 1));
}

}  // namespace
}  // namespace monosem
