#include "monosem/report/unit_stats.h"

#include "gtest/gtest.h"

namespace monosem::report {
namespace {

LabelledStream Stream() {
  LabelledStream s;
  s.bytes = {'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'};
  s.genre = {0, 0, 1, 1, 1, 2, 2, 2};
  s.genre_names = {"x", "y", "z"};
  return s;
}

TEST(Summarize, DensityLabelSpecificityHistogramTop) {
  UnitActs a;
  a.token = {1, 2, 3, 6};
  a.value = {1.0f, 4.0f, 2.0f, 1.0f};
  const UnitSummary s = Summarize(a, Stream(), 4, 2);
  EXPECT_EQ(s.fired, 4);
  EXPECT_DOUBLE_EQ(s.density, 0.5);
  EXPECT_DOUBLE_EQ(s.max_act, 4.0);
  EXPECT_EQ(s.label, 1);                      // genre y holds 6 of the 8 units of mass
  EXPECT_DOUBLE_EQ(s.specificity, 6.0 / 8.0);
  EXPECT_EQ(s.genre_count, (std::vector<int64_t>{1, 2, 1}));
  // Bins of width 1 on (0, 4]: 1, 1 -> bin 0; 2 -> bin 1; 4 -> bin 3.
  EXPECT_EQ(s.histogram, (std::vector<int64_t>{2, 1, 0, 1}));
  EXPECT_EQ(s.top_tokens, (std::vector<int64_t>{2, 3}));
  EXPECT_FLOAT_EQ(a.At(3), 2.0f);
  EXPECT_FLOAT_EQ(a.At(4), 0.0f);
}

TEST(Summarize, DeadUnit) {
  const UnitSummary s = Summarize(UnitActs{}, Stream(), 4, 3);
  EXPECT_EQ(s.fired, 0);
  EXPECT_EQ(s.label, -1);
  EXPECT_TRUE(s.top_tokens.empty());
}

TEST(NearestByCosine, FindsTheParallelRowFirstAndSkipsZeroRows) {
  // Rows: e0, 2*e0 + tiny e1, e1, zero.
  const std::vector<float> rows = {1, 0, 2, 0.1f, 0, 1, 0, 0};
  const auto near = NearestByCosine(rows, 4, 2, 2);
  ASSERT_EQ(near[0].size(), 2u);
  EXPECT_EQ(near[0][0].first, 1);
  EXPECT_EQ(near[0][1].first, 2);
  EXPECT_NEAR(near[0][1].second, 0.0f, 1e-6);
  EXPECT_TRUE(near[3].empty());
}

TEST(TopAndBottom, LargestAndSmallest) {
  const float e[] = {0.5f, -2.0f, 3.0f, 0.0f};
  const auto [up, down] = TopAndBottom(e, 4, 2);
  EXPECT_EQ(up[0].first, 2);
  EXPECT_EQ(up[1].first, 0);
  EXPECT_EQ(down[0].first, 1);
  EXPECT_EQ(down[1].first, 3);
}

}  // namespace
}  // namespace monosem::report
