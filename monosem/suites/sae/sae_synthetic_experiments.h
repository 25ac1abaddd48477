// The synthetic half of the `sae` reproduce suite (Sharkey et al.; Gao et al.):
//  1. relu_l1 MMCS and frac_recovered@0.9/0.99 over a lambda sweep (dictionary
//     ratio 2) and over dictionary ratios 0.5, 1, 2, 4 (at the sweep's best
//     lambda);
//  2. TopK dead_fraction with and without AuxK + the init tricks, and fvu at
//     k in {8, 16, 32, 64};
//  3. the L0 / FVU frontier of both sweeps (sae_frontier.csv) and the feature
//     density histogram of the best relu_l1 run (sae_density.csv).
// Our runs are far shorter than the papers' (and the data is synthetic), so
// figures are report-only; the judged rows check directions the papers state.
#ifndef MONOSEM_SUITES_SAE_SAE_SYNTHETIC_EXPERIMENTS_H_
#define MONOSEM_SUITES_SAE_SAE_SYNTHETIC_EXPERIMENTS_H_

#include <vector>

#include "absl/status/statusor.h"
#include "monosem/suite.h"
#include "proto/result.pb.h"

namespace monosem {

absl::StatusOr<std::vector<ResultRow>> RunSaeSyntheticExperiments(const SuiteContext& ctx);

}  // namespace monosem

#endif  // MONOSEM_SUITES_SAE_SAE_SYNTHETIC_EXPERIMENTS_H_
