// The four toy-model experiments of the "toy" suite (Elhage et al., 2022),
// as plain functions so that the suite and its tests share them. Each returns
// result rows and writes the data behind its figure as CSV into out_dir (when
// non-empty). Sizes come from ToyExperimentScale: the
// default fits 2 cores in under 10 minutes with the cpu backend; quick is for
// tests (under a minute).
#ifndef MONOSEM_SUITES_TOY_TOY_EXPERIMENTS_H_
#define MONOSEM_SUITES_TOY_TOY_EXPERIMENTS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "proto/config.pb.h"
#include "proto/result.pb.h"

namespace monosem {

struct ToyExperimentScale {
  bool quick = false;
  std::string backend = "cpu";
  std::string out_dir;  // CSVs go here; empty: none written
  // Overrides from a RunConfig's `train { ... }` (0: the experiment's own
  // setting); rows then say so in their notes.
  int64_t steps = 0;
  int64_t batch = 0;
  float lr = 0;
};

// A custom run from a text-proto RunConfig with a `toy { ... }` section
// (sizes, instances, importance, sparsity) and `train { ... }` (steps, batch,
// lr, AdamW, seed): trains it and reports per instance the final evaluation
// loss, represented, features_per_dim and D* (report-only rows), and writes
// toy_custom.csv (per-feature norm, interference, D_i and W columns).
absl::StatusOr<std::vector<ResultRow>> ToyExperimentCustom(const ToyExperimentScale& x,
                                                           const RunConfig& config);

absl::StatusOr<std::vector<ResultRow>> ToyExperimentTopFeatures(const ToyExperimentScale& x);
absl::StatusOr<std::vector<ResultRow>> ToyExperimentPentagon(const ToyExperimentScale& x);
absl::StatusOr<std::vector<ResultRow>> ToyExperimentPhaseDiagram(const ToyExperimentScale& x);
absl::StatusOr<std::vector<ResultRow>> ToyExperimentUniform(const ToyExperimentScale& x);

}  // namespace monosem

#endif  // MONOSEM_SUITES_TOY_TOY_EXPERIMENTS_H_
