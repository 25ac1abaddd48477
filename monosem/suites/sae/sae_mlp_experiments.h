// The transformer-MLP half of the `sae` reproduce suite, on the checkpoints
// and activation stores the `transformer` suite leaves in the output folder
// (OUT/transformer_manifest.json, read through monosem/suites/artifacts.h):
//   * the A/0-A/3 ladder: ReLU + L1 SAEs of 1, 2, 4 and 8 x d_mlp features
//     (512 ... 4,096 at the paper's d_mlp) on transformer A's MLP, each with
//     and without neuron resampling: mse, fvu, l0, dead and ultralow
//     fractions, loss_recovered (zero- and mean-ablation) and shrinkage;
//   * universality: the same SAE config trained on A and B, max_corr_median
//     of the features against that of the two transformers' neurons;
//   * monosemanticity: per genre, genre_f1 of the best feature against the
//     best neuron.
// If the folder has no manifest from a run of the same mode (quick or not),
// the transformer suite runs first and its rows are returned too.
#ifndef MONOSEM_SUITES_SAE_SAE_MLP_EXPERIMENTS_H_
#define MONOSEM_SUITES_SAE_SAE_MLP_EXPERIMENTS_H_

#include <vector>

#include "absl/status/statusor.h"
#include "monosem/suite.h"
#include "proto/result.pb.h"

namespace monosem::sae {

// Which parts run: the ladder, and universality + genre_f1 (which reuse the
// ladder's A run of the universality size when the ladder ran, and train it
// otherwise).
struct MlpParts {
  bool ladder = true;
  bool universality = true;
};
absl::StatusOr<std::vector<ResultRow>> RunSaeMlpExperiments(const SuiteContext& ctx,
                                                            MlpParts parts = {});

}  // namespace monosem::sae

#endif  // MONOSEM_SUITES_SAE_SAE_MLP_EXPERIMENTS_H_
