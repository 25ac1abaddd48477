#include "monosem/compare.h"

#include <cmath>
#include <limits>

#include "gtest/gtest.h"

namespace monosem {
namespace {

TEST(Compare, BoundsScaleWithSqrtDepth) {
  Tolerance t{/*atol=*/0.0, /*rtol=*/1e-3, /*mean_rtol=*/1e-3, /*depth=*/100};
  const float want[2] = {2.0f, -1.0f};
  // max|want| = 2, sqrt(100) = 10: bound = 1e-3 * 10 * 2 = 0.02.
  const float ok[2] = {2.019f, -1.0f};
  const float bad[2] = {2.021f, -1.0f};
  Comparison c = Compare(ok, want, 2, t);
  EXPECT_TRUE(c.ok) << c.message;
  EXPECT_NEAR(c.max_bound, 0.02, 1e-12);
  EXPECT_FALSE(Compare(bad, want, 2, t).ok);
  t.depth = 1;  // now the bound is 0.002
  EXPECT_FALSE(Compare(ok, want, 2, t).ok);
}

TEST(Compare, MeanBoundCatchesBiasThatMaxBoundAllows) {
  Tolerance t{0.0, 1e-2, 1e-3, 1};
  std::vector<float> want(1000, 1.0f), got(1000, 1.005f);  // each within 0.01
  Comparison c = Compare(got.data(), want.data(), 1000, t);
  EXPECT_FALSE(c.ok);
  EXPECT_NE(c.message.find("bias"), std::string::npos) << c.message;
}

TEST(Compare, NaNAndInfNeverPass) {
  Tolerance t{1e9, 1e9, 1e9, 1};
  const float want[2] = {1.0f, 1.0f};
  const float nan[2] = {1.0f, std::numeric_limits<float>::quiet_NaN()};
  const float inf[2] = {std::numeric_limits<float>::infinity(), 1.0f};
  EXPECT_FALSE(Compare(nan, want, 2, t).ok);
  EXPECT_FALSE(Compare(inf, want, 2, t).ok);
  EXPECT_EQ(Compare(nan, want, 2, t).nonfinite, 1);
}

TEST(Compare, ShapeMismatchFails) {
  Tensor a({2, 3}), b({3, 2});
  EXPECT_FALSE(Compare(a, b, Float32Tolerance(1)).ok);
}

}  // namespace
}  // namespace monosem
