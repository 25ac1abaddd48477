// The transformer's neuron metrics (METRICS.md): how well single MLP neurons
// detect a genre (genre_f1), and how many genres each neuron is often active
// on (polysemanticity). Inputs are activations [n tokens, n_neurons] with the
// genre label of each token.
#ifndef MONOSEM_MODELS_TRANSFORMER_TRANSFORMER_METRICS_H_
#define MONOSEM_MODELS_TRANSFORMER_TRANSFORMER_METRICS_H_

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "monosem/data/label.h"

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
                                                             absl::Span<const LabelId> labels,
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
                                                      absl::Span<const LabelId> labels,
                                                      int n_genres, double min_fire_fraction,
                                                      int64_t min_genre_tokens);

}  // namespace monosem

#endif  // MONOSEM_MODELS_TRANSFORMER_TRANSFORMER_METRICS_H_
