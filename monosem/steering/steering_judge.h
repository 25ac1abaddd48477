// The sae suite's steering check: does clamping a genre's feature make the
// transformer write more of that genre? The genre and its feature come from
// held-out text (the feature whose firing best detects the genre, by F1);
// generations start from held-out prompts of other genres, with and without
// the clamp, with the same random draws; an SAE-blind classifier (byte
// bigrams trained on the corpus labels) measures the genre's share of each.
#ifndef MONOSEM_STEERING_STEERING_JUDGE_H_
#define MONOSEM_STEERING_STEERING_JUDGE_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "monosem/data/corpus.h"
#include "monosem/models/sae/sae_io.h"
#include "monosem/models/transformer/transformer.h"
#include "monosem/steering/steering.h"

namespace monosem::steering {

struct JudgeOptions {
  int prompts = 8;
  int prompt_bytes = 32;
  int tokens = 48;
  float temperature = 0.7f;
  uint64_t seed = 1;
  // The clamp: this x the feature's largest activation seen (clamping at a
  // multiple of the maximum, as Templeton et al. do). Measured on a 400-step
  // d_mlp 512 transformer with a 4,096-feature TopK SAE (dna, feature 3213):
  // 2x left the dna share at 0.00, 5x gave 0.88, 10x 1.00 (baseline 0.00).
  float clamp_multiple = 5.0f;
  // Multi-byte scripts are steered at character starts only (see
  // ClampPositions): clamped everywhere, a Hebrew feature made the model
  // repeat the lead byte 0xD7, which is no Hebrew at all.
  ClampPositions positions = ClampPositions::kCharacterStarts;
  int64_t min_genre_tokens = 256;
  std::string backend = "cpu";
};

struct SteeringJudgement {
  int genre = -1;
  std::string genre_name;
  int64_t feature = -1;
  double feature_f1 = 0;  // how well "feature > 0" detects the genre on held-out text
  float value = 0;        // the clamp
  double base_share = 0, steered_share = 0;  // the genre's share of generated text
  std::string base_sample, steered_sample;   // the first prompt's continuations
};

// `heldout` is labelled text the SAE was not trained on; `train` is the text
// the classifier learns from (the corpus labels).
absl::StatusOr<SteeringJudgement> JudgeSteering(const Transformer& model,
                                                const NamedTensors& params,
                                                const sae::LoadedSae& sae, const Corpus& heldout,
                                                const Corpus& train, const JudgeOptions& options);

}  // namespace monosem::steering

#endif  // MONOSEM_STEERING_STEERING_JUDGE_H_
