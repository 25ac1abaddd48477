// Mann-Whitney U against values computed by hand (the working is in the
// comments), exact and normal-approximation branches.
#include "ci/gate/mann_whitney.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "gtest/gtest.h"

namespace monosem::gate {
namespace {

TEST(MannWhitneyTest, ExactCompleteSeparationOfThree) {
  // x all below y: R1 = 1+2+3 = 6, U1 = 6 - 3*4/2 = 0. Of C(6,3) = 20
  // equally likely orderings exactly one has U = 0, so p = 2 * 1/20.
  MannWhitneyResult r = MannWhitneyU({1, 2, 3}, {4, 5, 6});
  EXPECT_TRUE(r.exact);
  EXPECT_DOUBLE_EQ(r.u, 0);
  EXPECT_DOUBLE_EQ(r.p, 0.1);
}

TEST(MannWhitneyTest, ExactCompleteSeparationOfFive) {
  // U1 = n1*n2 = 25 (x all above y): one ordering of C(10,5) = 252, p = 2/252.
  MannWhitneyResult r = MannWhitneyU({6, 7, 8, 9, 10}, {1, 2, 3, 4, 5});
  EXPECT_DOUBLE_EQ(r.u, 25);
  EXPECT_NEAR(r.p, 2.0 / 252, 1e-15);
}

TEST(MannWhitneyTest, ExactInterleaved) {
  // x = {1, 4}, y = {2, 3}: ranks of x are 1 and 4, R1 = 5, U1 = 5 - 3 = 2
  // = n1*n2/2, the centre. The U distribution over C(4,2) = 6 orderings is
  // U = 0,1,2,2,3,4, so P(U <= 2) = 4/6 and P(U >= 2) = 4/6: p = min(1, 8/6) = 1.
  MannWhitneyResult r = MannWhitneyU({1, 4}, {2, 3});
  EXPECT_DOUBLE_EQ(r.u, 2);
  EXPECT_DOUBLE_EQ(r.p, 1.0);
  // x = {1, 3}, y = {2, 4}: R1 = 1 + 3 = 4, U1 = 1; P(U <= 1) = 2/6: p = 4/6.
  r = MannWhitneyU({1, 3}, {2, 4});
  EXPECT_DOUBLE_EQ(r.u, 1);
  EXPECT_NEAR(r.p, 4.0 / 6, 1e-15);
}

TEST(MannWhitneyTest, NormalApproximationWithTies) {
  // x = {1,2,2,3}, y = {2,3,4,5}. Sorted: 1x 2x 2x 2y 3x 3y 4y 5y.
  // Ranks: 1 -> 1; the three 2s share (2+3+4)/3 = 3; the two 3s share 5.5;
  // 4 -> 7; 5 -> 8. R1 = 1 + 3 + 3 + 5.5 = 12.5, U1 = 12.5 - 10 = 2.5.
  // mu = 4*4/2 = 8. Ties: (27-3) + (8-2) = 30; n = 8, n(n-1) = 56.
  // sigma^2 = 16/12 * (9 - 30/56) = 11.2857142857, sigma = 3.359421...
  // z = (|2.5 - 8| - 0.5) / sigma = 1.488351..., p = erfc(z / sqrt 2) = 0.13666...
  MannWhitneyResult r = MannWhitneyU({1, 2, 2, 3}, {2, 3, 4, 5});
  EXPECT_FALSE(r.exact);
  EXPECT_DOUBLE_EQ(r.u, 2.5);
  const double sigma = std::sqrt(16.0 / 12 * (9 - 30.0 / 56));
  EXPECT_NEAR(sigma, 3.359421, 1e-6);
  EXPECT_NEAR(r.p, std::erfc(5 / sigma / std::sqrt(2.0)), 1e-12);
  EXPECT_NEAR(r.p, 0.1367, 5e-4);
}

TEST(MannWhitneyTest, LargeSamplesUseNormalApproximation) {
  // 30 vs 30, no ties, complete separation: U1 = 0, mu = 450,
  // sigma^2 = 900*61/12 = 4575, z = 449.5/67.6387 = 6.6457: p ~ 3.0e-11.
  std::vector<double> x, y;
  for (int i = 0; i < 30; ++i) {
    x.push_back(i);
    y.push_back(100 + i);
  }
  MannWhitneyResult r = MannWhitneyU(x, y);
  EXPECT_FALSE(r.exact);
  EXPECT_DOUBLE_EQ(r.u, 0);
  EXPECT_NEAR(r.p, std::erfc(449.5 / std::sqrt(4575.0) / std::sqrt(2.0)), 1e-20);
  EXPECT_LT(r.p, 1e-10);
}

TEST(MannWhitneyTest, DegenerateInputs) {
  EXPECT_DOUBLE_EQ(MannWhitneyU({}, {1, 2}).p, 1.0);
  EXPECT_DOUBLE_EQ(MannWhitneyU({3, 3, 3}, {3, 3}).p, 1.0);  // all tied: sigma = 0
}

TEST(MannWhitneyTest, ExactAgreesWithNormalForModerateSamples) {
  // 20 vs 20, shifted: exact and asymptotic agree to within the normal
  // approximation's tail error (~25% here, far out in the tail).
  std::vector<double> x, y;
  for (int i = 0; i < 20; ++i) {
    x.push_back(i);
    y.push_back(i + 6.5);
  }
  MannWhitneyResult r = MannWhitneyU(x, y);
  ASSERT_TRUE(r.exact);
  // U1: each x_i beats y_j when i > j + 6.5 -> sum over i of max(0, i - 6) = 91.
  EXPECT_DOUBLE_EQ(r.u, 91);
  const double z = (200 - 91 - 0.5) / std::sqrt(400.0 * 41 / 12);
  EXPECT_NEAR(r.p, std::erfc(z / std::sqrt(2.0)), 0.3 * r.p);
}

TEST(MannWhitneyTest, ExactMatchesBruteForceEnumeration) {
  // 6 vs 7: enumerate all C(13,6) = 1716 ways to choose which ranks belong
  // to x and count those at least as extreme as the observed U1.
  const std::vector<double> x = {1, 2, 5, 9, 11, 12};
  const std::vector<double> y = {3, 4, 6, 7, 8, 10, 13};
  MannWhitneyResult r = MannWhitneyU(x, y);
  ASSERT_TRUE(r.exact);
  // R1 = 1+2+5+9+11+12 = 40 (the values are their ranks), U1 = 40 - 21 = 19.
  EXPECT_DOUBLE_EQ(r.u, 19);
  int total = 0, le = 0, ge = 0;
  for (int mask = 0; mask < (1 << 13); ++mask) {
    if (__builtin_popcount(mask) != 6) continue;
    int rank_sum = 0;
    for (int b = 0; b < 13; ++b)
      if (mask & (1 << b)) rank_sum += b + 1;
    const int u = rank_sum - 21;
    ++total;
    le += u <= 19;
    ge += u >= 19;
  }
  EXPECT_EQ(total, 1716);
  EXPECT_NEAR(r.p, std::min(1.0, 2.0 * std::min(le, ge) / total), 1e-15);
}

}  // namespace
}  // namespace monosem::gate
