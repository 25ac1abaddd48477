// The toy-model metrics on a hand-computed example (METRICS.md), and the exact
// phase-diagram loss against the paper's closed forms.
#include <cmath>

#include "gtest/gtest.h"
#include "monosem/models/toy/toy_metrics.h"
#include "monosem/models/toy/toy_phase.h"

namespace monosem {
namespace {

TEST(ToyMetrics, HandComputedExample) {
  // W is 2 x 4: W_0 = (1, 0), W_1 = (0, 2), W_2 = (1, 1), W_3 = 0.
  const float w[] = {1, 0, 1, 0,  //
                     0, 2, 1, 0};
  const ToyMetrics r = ComputeToyMetrics(w, 2, 4);
  // Gram: G00 = 1, G11 = 4, G22 = 2, G01 = 0, G02 = 1, G12 = 2.
  EXPECT_DOUBLE_EQ(r.norm[0], 1.0);
  EXPECT_DOUBLE_EQ(r.norm[1], 2.0);
  EXPECT_DOUBLE_EQ(r.norm[2], std::sqrt(2.0));
  EXPECT_DOUBLE_EQ(r.norm[3], 0.0);
  // interference_i = Σ_{j≠i} G_ij² / G_ii.
  EXPECT_DOUBLE_EQ(r.interference[0], 1.0);        // (0 + 1) / 1
  EXPECT_DOUBLE_EQ(r.interference[1], 1.0);        // (0 + 4) / 4
  EXPECT_DOUBLE_EQ(r.interference[2], 2.5);        // (1 + 4) / 2
  EXPECT_DOUBLE_EQ(r.interference[3], 0.0);        // no direction: defined 0
  // D_i = G_ii / (G_ii + interference_i).
  EXPECT_DOUBLE_EQ(r.dimensionality[0], 0.5);
  EXPECT_DOUBLE_EQ(r.dimensionality[1], 0.8);
  EXPECT_DOUBLE_EQ(r.dimensionality[2], 4.0 / 9.0);
  EXPECT_DOUBLE_EQ(r.dimensionality[3], 0.0);
  EXPECT_DOUBLE_EQ(r.sum_dimensionality, 0.5 + 0.8 + 4.0 / 9.0);
  EXPECT_DOUBLE_EQ(r.features_per_dim, 7.0 / 2.0);  // ‖W‖_F² = 7, m = 2
  EXPECT_DOUBLE_EQ(r.d_star, 2.0 / 7.0);
  EXPECT_EQ(r.represented, 3);
}

TEST(ToyMetrics, KnownGeometries) {
  // Antipodal pair in 1 dimension: D = 1/2 each. Pentagon in 2-D: D = 2/5.
  const float pair[] = {1, -1};
  const ToyMetrics p = ComputeToyMetrics(pair, 1, 2);
  EXPECT_NEAR(p.dimensionality[0], 0.5, 1e-12);
  EXPECT_NEAR(p.dimensionality[1], 0.5, 1e-12);
  EXPECT_NEAR(p.d_star, 0.5, 1e-12);
  float pent[10];
  for (int i = 0; i < 5; ++i) {
    pent[i] = static_cast<float>(std::cos(2 * M_PI * i / 5));
    pent[5 + i] = static_cast<float>(std::sin(2 * M_PI * i / 5));
  }
  const ToyMetrics q = ComputeToyMetrics(pent, 2, 5);
  for (int i = 0; i < 5; ++i) EXPECT_NEAR(q.dimensionality[i], 0.4, 1e-6);
  EXPECT_NEAR(q.sum_dimensionality, 2.0, 1e-6);
  EXPECT_EQ(q.represented, 5);
}

TEST(ToyPhase, ExpectedLossMatchesTheClosedFormsAtTheirSolutions) {
  for (double s : {0.05, 0.3, 0.9}) {
    for (double r : {0.3, 1.0, 4.0}) {
      const double var = s / 3 - s * s / 4;
      EXPECT_NEAR(PhaseExpectedLoss({1, 0, 0, s / 2}, r, s), r * var, 1e-14);
      EXPECT_NEAR(PhaseExpectedLoss({0, 1, s / 2, 0}, r, s), var, 1e-14);
      EXPECT_NEAR(PhaseExpectedLoss({1, -1, 0, 0}, r, s), (1 + r) * s * s / 6, 1e-14);
    }
  }
}

TEST(ToyPhase, ExpectedLossMatchesMonteCarloAtAGenericPoint) {
  // A point where every ReLU kink crosses the square: w = (0.9, -0.7), b = (0.1, -0.05).
  const PhaseParams p = {0.9, -0.7, 0.1, -0.05};
  const double r = 2.0, s = 0.6;
  // Deterministic midpoint rule over the four patterns (fine grid).
  auto term = [&](double x0, double x1) {
    const double h = p[0] * x0 + p[1] * x1;
    const double y0 = std::max(0.0, p[0] * h + p[2]), y1 = std::max(0.0, p[1] * h + p[3]);
    return (x0 - y0) * (x0 - y0) + r * (x1 - y1) * (x1 - y1);
  };
  const int k = 1500;
  double both = 0, one0 = 0, one1 = 0;
  for (int a = 0; a < k; ++a) {
    const double u = (a + 0.5) / k;
    one0 += term(u, 0) / k;
    one1 += term(0, u) / k;
    for (int c = 0; c < k; ++c) both += term(u, (c + 0.5) / k) / (double(k) * k);
  }
  const double want = (1 - s) * (1 - s) * term(0, 0) + s * (1 - s) * (one0 + one1) + s * s * both;
  EXPECT_NEAR(PhaseExpectedLoss(p, r, s), want, 2e-6);
}

TEST(ToyPhase, ExactOptimumAgreesWithTheReplicationNotes) {
  // Deep inside each region, and the notes' widened antipodal region: at
  // s = 0.1 the free optimum is antipodal at r = 0.052 and 19 (the closed
  // form says ignore / dedicate there).
  EXPECT_EQ(ExactPhaseOptimum(0.2, 0.9).cls, PhaseClass::kIgnoreExtra);
  EXPECT_EQ(ExactPhaseOptimum(5.0, 0.9).cls, PhaseClass::kDedicateToExtra);
  EXPECT_EQ(ExactPhaseOptimum(1.0, 0.05).cls, PhaseClass::kAntipodal);
  EXPECT_EQ(ClosedFormPhaseClass(0.052, 0.1), PhaseClass::kIgnoreExtra);
  EXPECT_EQ(ClosedFormPhaseClass(19.0, 0.1), PhaseClass::kDedicateToExtra);
  const PhaseOptimum lo = ExactPhaseOptimum(0.052, 0.1), hi = ExactPhaseOptimum(19.0, 0.1);
  EXPECT_EQ(lo.cls, PhaseClass::kAntipodal) << lo.params[0] << " " << lo.params[1];
  EXPECT_EQ(hi.cls, PhaseClass::kAntipodal) << hi.params[0] << " " << hi.params[1];
  // The optimum is never worse than the closed-form candidates.
  const double var = 0.1 / 3 - 0.01 / 4;
  EXPECT_LE(lo.loss, std::min({0.052 * var, var, 1.052 * 0.01 / 6}) + 1e-15);
}

TEST(ToyPhase, ClosedFormBoundaries) {
  // At r = 1, superposition iff s < 4/7.
  EXPECT_EQ(ClosedFormPhaseClass(1.0, 0.5), PhaseClass::kAntipodal);
  EXPECT_NE(ClosedFormPhaseClass(1.0, 0.6), PhaseClass::kAntipodal);
  EXPECT_TRUE(NearClosedFormBoundary(17.4, 0.1, 0.05));
  EXPECT_FALSE(NearClosedFormBoundary(5.0, 0.1, 0.05));
}

}  // namespace
}  // namespace monosem
