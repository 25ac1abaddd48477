#include "monosem/tensor.h"

#include <cstdint>

#include "gtest/gtest.h"

namespace monosem {
namespace {

TEST(Tensor, ShapeSizeAndZeroFill) {
  Tensor t({3, 5});
  EXPECT_EQ(t.rank(), 2);
  EXPECT_EQ(t.size(), 15);
  EXPECT_EQ(ShapeToString(t.shape()), "[3, 5]");
  for (int64_t i = 0; i < t.size(); ++i) EXPECT_EQ(t[i], 0.0f);
}

TEST(Tensor, IsAligned) {
  for (int64_t n : {1, 3, 17, 1000}) {
    Tensor t({n});
    EXPECT_EQ(reinterpret_cast<uintptr_t>(t.data()) % Tensor::kAlignment, 0u) << n;
  }
}

TEST(Tensor, CloneIsDeepAndReshapeKeepsCount) {
  Tensor t = Tensor::Filled({2, 3}, 1.5f);
  Tensor c = t.Clone();
  c[0] = 7.0f;
  EXPECT_EQ(t[0], 1.5f);
  EXPECT_TRUE(t.Reshape({3, 2}).ok());
  EXPECT_FALSE(t.Reshape({4, 2}).ok());
}

TEST(Tensor, FromValuesChecksCount) {
  EXPECT_TRUE(Tensor::FromValues({2, 2}, {1, 2, 3, 4}).ok());
  auto bad = Tensor::FromValues({2, 2}, {1, 2, 3});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("[2, 2]"), std::string::npos);
}

TEST(Tensor, EmptyShapes) {
  Tensor t({0, 4});
  EXPECT_EQ(t.size(), 0);
  EXPECT_TRUE(t.empty());
  EXPECT_FALSE(ValidateShape({3, -1}).ok());
}

}  // namespace
}  // namespace monosem
