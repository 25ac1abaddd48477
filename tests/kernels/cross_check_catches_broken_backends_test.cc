// The cross-backend check must fail a backend that is subtly wrong. These
// backends are the cpu backend with one planted defect each; they are built
// here, not registered, so the real suite never sees them.
#include "gtest/gtest.h"
#include "kernels/cpu/cpu_backend.h"
#include "tests/testing/cross_check.h"

namespace monosem::testing {
namespace {

// Leaves the last element of C as it was (NaN-poisoned by the check).
class SkipsOneElement : public CpuBackend {
 protected:
  absl::Status GemmImpl(Trans ta, Trans tb, const GemmShape& s, float alpha, const Tensor& a,
                        const Tensor& b, float beta, Tensor* c) override {
    const float last = (*c)[c->size() - 1];
    absl::Status st = CpuBackend::GemmImpl(ta, tb, s, alpha, a, b, beta, c);
    (*c)[c->size() - 1] = last;
    return st;
  }
};

// Adds +1e-4 * max|C| to every element: a bias far below a single element's
// tolerance at large K, which only the mean-error bound can see.
class AddsSmallBias : public CpuBackend {
 protected:
  absl::Status GemmImpl(Trans ta, Trans tb, const GemmShape& s, float alpha, const Tensor& a,
                        const Tensor& b, float beta, Tensor* c) override {
    absl::Status st = CpuBackend::GemmImpl(ta, tb, s, alpha, a, b, beta, c);
    float max_abs = 0.0f;
    for (int64_t i = 0; i < c->size(); ++i) max_abs = std::max(max_abs, std::fabs((*c)[i]));
    for (int64_t i = 0; i < c->size(); ++i) (*c)[i] += 1e-4f * max_abs;
    return st;
  }
};

// Off by one ulp-ish relative error on ReLU outputs: caught at depth 1.
class ScalesRelu : public CpuBackend {
 protected:
  absl::Status ReluImpl(const Tensor& x, Tensor* y) override {
    absl::Status st = CpuBackend::ReluImpl(x, y);
    for (int64_t i = 0; i < y->size(); ++i) (*y)[i] *= 1.00001f;
    return st;
  }
};

TEST(CrossCheck, CatchesAnUnwrittenGemmElementInEveryCase) {
  SkipsOneElement broken;
  for (const GemmCase& c : GemmCases()) {
    if (c.beta != 0.0f) continue;  // C is an input then; nothing is poisoned
    Comparison cmp = CheckGemm(broken, c, TestSeed());
    EXPECT_FALSE(cmp.ok) << c.Name();
    EXPECT_EQ(cmp.nonfinite, 1) << c.Name();
  }
}

TEST(CrossCheck, CatchesASmallSystematicGemmBiasInEveryCase) {
  AddsSmallBias broken;
  for (const GemmCase& c : GemmCases()) {
    Comparison cmp = CheckGemm(broken, c, TestSeed());
    EXPECT_FALSE(cmp.ok) << c.Name() << ": max err " << cmp.max_abs_error << " mean err "
                         << cmp.mean_abs_error << " bounds " << cmp.max_bound << " / "
                         << cmp.mean_bound;
  }
}

TEST(CrossCheck, CatchesASmallReluScaleError) {
  ScalesRelu broken;
  Comparison cmp = CheckOp(broken, {"relu", 61, 127}, TestSeed());
  EXPECT_FALSE(cmp.ok);
}

TEST(CrossCheck, PassesTheUnbrokenBackend) {
  CpuBackend cpu;
  for (const GemmCase& c : GemmCases()) {
    Comparison cmp = CheckGemm(cpu, c, TestSeed());
    EXPECT_TRUE(cmp.ok) << c.Name() << ": " << cmp.message;
  }
}

}  // namespace
}  // namespace monosem::testing
