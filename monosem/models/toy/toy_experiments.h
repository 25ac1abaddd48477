// The four toy-model experiments of issue 3 (Elhage et al., 2022), as plain
// functions so that the "toy" suite, the tests and the golden recipes share
// them. Each returns result rows and writes the data behind its figure as CSV
// into out_dir (when non-empty). Sizes come from ToyExperimentScale: the
// default fits 2 cores in under 10 minutes with the cpu backend; quick is for
// tests (under a minute).
#ifndef MONOSEM_MODELS_TOY_TOY_EXPERIMENTS_H_
#define MONOSEM_MODELS_TOY_TOY_EXPERIMENTS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "proto/result.pb.h"

namespace monosem {

struct ToyExperimentScale {
  bool quick = false;
  std::string backend = "cpu";
  std::string out_dir;  // CSVs go here; empty: none written
};

absl::StatusOr<std::vector<ResultRow>> ToyExperimentTopFeatures(const ToyExperimentScale& x);
absl::StatusOr<std::vector<ResultRow>> ToyExperimentPentagon(const ToyExperimentScale& x);
absl::StatusOr<std::vector<ResultRow>> ToyExperimentPhaseDiagram(const ToyExperimentScale& x);
absl::StatusOr<std::vector<ResultRow>> ToyExperimentUniform(const ToyExperimentScale& x);

}  // namespace monosem

#endif  // MONOSEM_MODELS_TOY_TOY_EXPERIMENTS_H_
