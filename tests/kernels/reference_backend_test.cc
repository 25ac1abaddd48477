// The reference backend against hand-computed values: it is the spec, so it
// is checked by arithmetic, not by another implementation.
#include "reference/reference_backend.h"

#include <cmath>
#include <limits>

#include "gtest/gtest.h"

namespace monosem {
namespace {

Tensor T(Shape s, std::vector<float> v) { return *Tensor::FromValues(std::move(s), v); }

TEST(Reference, GemmAllTransposes) {
  ReferenceBackend ref;
  // op(A) = [[1,2,3],[4,5,6]], op(B) = [[1,0],[0,1],[1,1]] -> [[4,5],[10,11]].
  Tensor a = T({2, 3}, {1, 2, 3, 4, 5, 6});
  Tensor at = T({3, 2}, {1, 4, 2, 5, 3, 6});
  Tensor b = T({3, 2}, {1, 0, 0, 1, 1, 1});
  Tensor bt = T({2, 3}, {1, 0, 1, 0, 1, 1});
  const std::vector<float> want = {4, 5, 10, 11};
  for (Trans ta : {Trans::kNo, Trans::kYes}) {
    for (Trans tb : {Trans::kNo, Trans::kYes}) {
      Tensor c = Tensor::Filled({2, 2}, std::numeric_limits<float>::quiet_NaN());
      ASSERT_TRUE(ref.Gemm(ta, tb, 1.0f, ta == Trans::kNo ? a : at, tb == Trans::kNo ? b : bt,
                           0.0f, &c)
                      .ok());
      for (int i = 0; i < 4; ++i) EXPECT_EQ(c[i], want[i]);
    }
  }
  // alpha and beta: C = 2 * AB + 0.5 * C0.
  Tensor c = T({2, 2}, {2, 2, 2, 2});
  ASSERT_TRUE(ref.Gemm(Trans::kNo, Trans::kNo, 2.0f, a, b, 0.5f, &c).ok());
  EXPECT_EQ(c[0], 9.0f);
  EXPECT_EQ(c[3], 23.0f);
}

TEST(Reference, GemmRejectsShapeMismatchWithAClearMessage) {
  ReferenceBackend ref;
  Tensor a({2, 3}), b({4, 2}), c({2, 2});
  absl::Status s = ref.Gemm(Trans::kNo, Trans::kNo, 1.0f, a, b, 0.0f, &c);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("inner dimensions"), std::string::npos) << s;
  Tensor wrong_c({3, 2});
  Tensor b_ok({3, 2});
  s = ref.Gemm(Trans::kNo, Trans::kNo, 1.0f, a, b_ok, 0.0f, &wrong_c);
  EXPECT_NE(s.message().find("expected [2, 2]"), std::string::npos) << s;
}

TEST(Reference, ElementwiseOps) {
  ReferenceBackend ref;
  Tensor x = T({2, 2}, {-1, 2, 0, 3});
  Tensor y({2, 2});
  ASSERT_TRUE(ref.Relu(x, &y).ok());
  EXPECT_EQ(std::vector<float>(y.data(), y.data() + 4), (std::vector<float>{0, 2, 0, 3}));
  Tensor dy = T({2, 2}, {5, 6, 7, 8}), dx({2, 2});
  ASSERT_TRUE(ref.ReluBackward(y, dy, &dx).ok());
  EXPECT_EQ(std::vector<float>(dx.data(), dx.data() + 4), (std::vector<float>{0, 6, 0, 8}));
  Tensor bias = T({2}, {10, 20});
  ASSERT_TRUE(ref.AddRowBias(bias, &x).ok());
  EXPECT_EQ(std::vector<float>(x.data(), x.data() + 4), (std::vector<float>{9, 22, 10, 23}));
  Tensor sums({2});
  ASSERT_TRUE(ref.SumRows(x, &sums).ok());
  EXPECT_EQ(sums[0], 19.0f);
  EXPECT_EQ(sums[1], 45.0f);
  Tensor z = T({2}, {1, 1});
  ASSERT_TRUE(ref.Axpby(2.0f, sums, 0.5f, &z).ok());
  EXPECT_EQ(z[0], 38.5f);
}

TEST(Reference, AdamWFirstStepMovesByLrTimesSign) {
  // At step 1 with zero moments, m_hat = g and v_hat = g^2, so the Adam step
  // is lr * g / (|g| + eps) ~ lr * sign(g); decay multiplies by (1 - lr*wd).
  ReferenceBackend ref;
  AdamWParams p;
  p.lr = 0.1f;
  p.weight_decay = 0.5f;
  Tensor w = T({2}, {1.0f, -2.0f}), m({2}), v({2});
  Tensor g = T({2}, {3.0f, -0.5f});
  ASSERT_TRUE(ref.AdamW(p, 1, g, &w, &m, &v).ok());
  EXPECT_NEAR(w[0], 1.0 * 0.95 - 0.1 * 3.0 / (3.0 + 1e-8), 1e-7);
  EXPECT_NEAR(w[1], -2.0 * 0.95 + 0.1 * 0.5 / (0.5 + 1e-8), 1e-7);
  // (1 - beta) with beta as the float32 the params hold.
  EXPECT_NEAR(m[0], (1.0 - double{0.9f}) * 3.0, 1e-7);
  EXPECT_NEAR(v[0], (1.0 - double{0.999f}) * 9.0, 1e-9);
  EXPECT_FALSE(ref.AdamW(p, 0, g, &w, &m, &v).ok());  // steps are 1-based
}

}  // namespace
}  // namespace monosem
