// The transformer suite's measurements of one trained model: the loss over
// windows of the corpus (overall and per genre, keeping some activations for
// the neuron metrics), and the harvest of its MLP activations into an
// activation store for the sae suite.
#ifndef MONOSEM_SUITES_TRANSFORMER_TRANSFORMER_EVALUATION_H_
#define MONOSEM_SUITES_TRANSFORMER_TRANSFORMER_EVALUATION_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "monosem/data/corpus.h"
#include "monosem/models/transformer/transformer.h"

namespace monosem {

// Seeds of the windows the suite draws (fixed: A and B see the same ones).
inline constexpr uint64_t kTrainEvalSeed = 0x7e57;  // train-loss windows
inline constexpr uint64_t kHarvestSeed = 0x4a11;    // harvest contexts and positions

// Per-label sums are indexed by the corpus's label ids (leaves for the
// built-in corpus) until CollapseToGenres maps them to top-level genres.
struct Evaluation {
  double loss = 0;  // mean over tokens, nats per byte
  int64_t tokens = 0;
  std::vector<double> genre_loss_sum;  // by the target byte's label
  std::vector<int64_t> genre_tokens;
  std::vector<float> stats_acts;       // [stats tokens, d_mlp]
  std::vector<LabelId> stats_genres;   // input byte's label
};

// Re-indexes e's per-label sums and stats labels by top-level genre:
// to_top maps a label id to its genre's index (TopLevelLabels), n_top genres.
void CollapseToGenres(const std::vector<LabelId>& to_top, int n_top, Evaluation* e);

// Loss over windows at `starts` (sums over all tokens, then one division);
// the activations of the first `stats_windows` windows are kept.
absl::StatusOr<Evaluation> Evaluate(const Transformer& model, const NamedTensors& params,
                                    const Corpus& c, const std::vector<int64_t>& starts,
                                    int64_t stats_windows, int64_t eval_batch);

// Harvests the MLP activations of `contexts` train-split windows into DIR:
// SamplePositions(kHarvestSeed, context, ctx, per_context) of each (the same
// contexts and positions for A and B). Written to DIR.partial, then renamed.
// Returns the number of vectors stored. bf16: the store's values as bf16
// instead of float32.
absl::StatusOr<int64_t> Harvest(const Transformer& model, const NamedTensors& params,
                                const Corpus& train, const std::vector<int64_t>& starts,
                                int32_t per_context, int64_t eval_batch, const std::string& dir,
                                const std::string& hash, const std::string& config_text,
                                bool bf16 = false);

}  // namespace monosem

#endif  // MONOSEM_SUITES_TRANSFORMER_TRANSFORMER_EVALUATION_H_
