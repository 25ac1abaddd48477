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

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "monosem/suite.h"
#include "proto/result.pb.h"

namespace monosem::sae {

// Run lengths and settings. lambda 2 on activations normalised to mean norm
// sqrt(d), Adam lr 3e-3, from sweeps on the earlier 65k-vector store
// (docs/models/sae.md): at 1,500 x 256 = 384k vectors a 4,096-feature
// dictionary had fvu 0.14, L0 14 and 23% dead latents, too undertrained for
// its rare features to mean much. The default harvests 1.05M vectors per
// transformer and trains every dictionary on several times that, at batch
// 1,024 (the step's fixed cost, Adam over all 4M parameters at F = 4,096, is
// then a small part of it). Resampling (relu_l1) follows the run: at
// T/8 ... 4T/8 of its steps (monosem/models/sae/sae.h).
// Quick: a tiny transformer (d_mlp 64) and 150 steps x 256.
// Paper: Bricken et al.'s A runs, batch 8,192 and ~8B vectors, dictionaries
// of 512 ... 131,072 features (A/0 ... A/5; A/1 = 4,096).
struct SaeMlpScale {
  int64_t steps, batch;     // each SAE sees steps x batch training vectors
  int64_t eval_windows;     // held-out windows (ctx tokens each) for the metrics
  int64_t eval_batch;       // windows per transformer forward
  std::vector<int> dict_multiples;  // F = multiple x d_mlp, each with resampling
  int universality_multiple;  // the first universality size (the second: the largest)
  float l1;
  float lr;
};
// Steps x 1,024 vectors per SAE at the default scale.
inline constexpr int64_t kDefaultSaeSteps = 3000;
SaeMlpScale SaeMlpScaleFor(SuiteScale scale);

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
