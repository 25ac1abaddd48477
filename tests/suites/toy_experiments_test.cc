// The toy experiments' headline expectations in quick mode (cpu backend): the
// top-5 result of the n=20, m=5 models, and the phase diagram's agreement with
// the exact optimum at a few grid points.
#include "gtest/gtest.h"
#include "monosem/suites/toy/toy_experiments.h"
#include "monosem/models/toy/toy_phase.h"

namespace monosem {
namespace {

const ResultRow* Find(const std::vector<ResultRow>& rows, const std::string& metric) {
  for (const ResultRow& r : rows) {
    if (r.metric() == metric) return &r;
  }
  return nullptr;
}

TEST(ToyExperiments, TopFiveFeaturesInQuickMode) {
  ToyExperimentScale x;
  x.quick = true;
  auto rows = ToyExperimentTopFeatures(x);
  ASSERT_TRUE(rows.ok()) << rows.status();
  for (const char* m : {"top5_exact[linear_n20_m5_S0]", "top5_exact[relu_n20_m5_S0]"}) {
    const ResultRow* r = Find(*rows, m);
    ASSERT_NE(r, nullptr) << m;
    EXPECT_EQ(r->status(), PASS) << m << " measured " << r->measured() << " " << r->note();
  }
}

TEST(ToyExperiments, PhaseDiagramAgreesWithTheExactOptimumInQuickMode) {
  ToyExperimentScale x;
  x.quick = true;
  auto rows = ToyExperimentPhaseDiagram(x);
  ASSERT_TRUE(rows.ok()) << rows.status();
  const ResultRow* r = Find(*rows, "phase_agreement_trained_vs_exact_optimum");
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->status(), PASS) << r->measured() << " " << r->note();
}

}  // namespace
}  // namespace monosem
