// The "toy" suite: the four Toy Models of Superposition experiments (issue 3),
// run on ctx.backend (default cpu). Figures' data go to ctx.out_dir as CSV:
//   toy_exp1_n20_m5.csv, toy_exp2_n5_m2.csv, toy_exp3_phase_diagram.csv,
//   toy_exp4_dstar_curve.csv, toy_exp4_dimensionality.csv
#include "absl/strings/str_cat.h"
#include "monosem/models/toy/toy_experiments.h"
#include "monosem/status.h"
#include "monosem/suite.h"

namespace monosem {
namespace {

absl::StatusOr<std::vector<ResultRow>> RunToy(const SuiteContext& ctx) {
  ToyExperimentScale scale;
  scale.quick = ctx.quick;
  scale.backend = ctx.backend.empty() ? "cpu" : ctx.backend;
  scale.out_dir = ctx.out_dir;
  std::vector<ResultRow> rows;
  for (auto* experiment : {&ToyExperimentTopFeatures, &ToyExperimentPentagon,
                           &ToyExperimentPhaseDiagram, &ToyExperimentUniform}) {
    MONOSEM_ASSIGN_OR_RETURN(std::vector<ResultRow> more, experiment(scale));
    rows.insert(rows.end(), more.begin(), more.end());
  }
  return rows;
}

MONOSEM_REGISTER_SUITE(toy, "toy",
                       "Toy Models of Superposition: top-5 features, pentagon, n=2 m=1 phase "
                       "diagram vs the exact optimum, uniform superposition (n=400 m=30)",
                       RunToy);

}  // namespace
}  // namespace monosem
