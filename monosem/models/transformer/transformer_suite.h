// The `transformer` reproduce suite (issue 4): trains transformers A and B
// (same config, different init seeds, same data) on the built-in labelled
// corpus, reports loss per byte against the unigram entropy, loss per genre,
// neuron polysemanticity and genre_f1 of the best neuron per genre, saves both
// checkpoints and harvests both MLPs into activation stores for the SAE suite.
// The metric helpers are exposed for tests.
#ifndef MONOSEM_MODELS_TRANSFORMER_TRANSFORMER_SUITE_H_
#define MONOSEM_MODELS_TRANSFORMER_TRANSFORMER_SUITE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "monosem/data/corpus.h"
#include "monosem/suite.h"
#include "proto/config.pb.h"
#include "proto/result.pb.h"

namespace monosem {

// genre_f1 for neurons (METRICS.md): for genre g, the best F1 of any single
// neuron used as the detector "activation > t" for "this token is in g", t
// chosen per neuron and genre to maximize F1. One entry per genre that has at
// least one token (genres with none are skipped).
struct NeuronGenreF1 {
  int genre = 0;
  int64_t neuron = -1;
  double f1 = 0.0;
  float threshold = 0.0f;  // the detector is act > threshold
  int64_t positives = 0;   // tokens of the genre
  int64_t predicted = 0;   // tokens the best detector flags
};
// acts: [n, n_neurons] row-major; labels: n genre ids < n_genres.
absl::StatusOr<std::vector<NeuronGenreF1>> BestNeuronGenreF1(absl::Span<const float> acts,
                                                             int64_t n, int64_t n_neurons,
                                                             absl::Span<const uint8_t> labels,
                                                             int n_genres);

// Polysemanticity: neuron i is "often active" on genre g when it fires
// (act > 0) on at least `min_fire_fraction` of g's tokens. Only genres with at
// least `min_genre_tokens` tokens are counted ("eligible").
struct Polysemanticity {
  std::vector<int> genres_per_neuron;            // [n_neurons]
  std::vector<int64_t> histogram;                // [n_eligible + 1]: neurons with k genres
  std::vector<std::vector<double>> fire_rate;    // [n_neurons][n_genres]; NaN if no tokens
  std::vector<int64_t> genre_tokens;             // [n_genres]
  std::vector<bool> eligible;                    // [n_genres]
  double mean_genres = 0.0;                      // mean of genres_per_neuron
  double fraction_polysemantic = 0.0;            // neurons with >= 2 genres / n_neurons
};
absl::StatusOr<Polysemanticity> NeuronPolysemanticity(absl::Span<const float> acts, int64_t n,
                                                      int64_t n_neurons,
                                                      absl::Span<const uint8_t> labels,
                                                      int n_genres, double min_fire_fraction,
                                                      int64_t min_genre_tokens);

// The defaults before --config: the paper's shape and a few million training
// tokens, or a tiny model in quick mode. Set fields of `override` (its
// transformer, train and data messages) replace them.
RunConfig TransformerSuiteDefaults(bool quick);
RunConfig TransformerSuiteConfig(bool quick, const RunConfig* override);

// Windows of window = ctx + 1 bytes of `c` at `starts`, as token ids
// ([starts, window]), with the genre label of each input byte ([starts, ctx]).
void GatherWindows(const Corpus& c, absl::Span<const int64_t> starts, int64_t window,
                   std::vector<int32_t>* ids, std::vector<uint8_t>* genres);

// FNV-1a 64 of a checkpoint's model.safetensors bytes, as "fnv1a64:<hex>": the
// manifest and every activation store name the model they came from by it.
std::string CheckpointHash(const std::string& bytes);

// The suite body (registered as "transformer" in monosem/suites).
absl::StatusOr<std::vector<ResultRow>> RunTransformerSuite(const SuiteContext& ctx);

}  // namespace monosem

#endif  // MONOSEM_MODELS_TRANSFORMER_TRANSFORMER_SUITE_H_
