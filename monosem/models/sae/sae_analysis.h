// Feature analyses of METRICS.md that compare units (SAE features or MLP
// neurons) across runs and against labels:
//   max_corr_median  for two runs A and B on the same tokens: for each live
//                    unit of A, the maximum Pearson correlation of its
//                    activations with any unit of B; the median over A's
//                    live units (Bricken et al.'s universality measure);
//   genre_f1         for each genre, the best F1 of any single feature used
//                    as the detector "active > 0" for "this token is in the
//                    genre" (neurons, with a tuned threshold, are in
//                    models/transformer/transformer_metrics.h: BestNeuronGenreF1).
// Activations are [N, units] row-major float32, one row per token.
#ifndef MONOSEM_MODELS_SAE_SAE_ANALYSIS_H_
#define MONOSEM_MODELS_SAE_SAE_ANALYSIS_H_

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "monosem/data/label.h"
#include "monosem/tensor.h"

namespace monosem::sae {

struct MaxCorrelation {
  double median = 0;              // over A's live units
  std::vector<double> max_corr;   // per unit of A; NaN for units that are not live
  std::vector<int64_t> best_match;  // the unit of B reaching it (-1 if none)
  int64_t live_a = 0, live_b = 0;   // units with non-zero variance over the window
};

// A unit is live when its activations are not constant over the window (for
// SAE features, non-negative codes: it fires at least once and not on every
// token at one value). Units of B that are constant have no correlation and
// are skipped. Needs the same N for A and B, N >= 2 and at least one live
// unit on each side. Correlations are computed from centred, unit-variance
// columns (double) as one float GEMM per block of A's units.
absl::StatusOr<MaxCorrelation> MaxCorrMedian(const Tensor& a, const Tensor& b);

struct GenreDetectorF1 {
  int genre = 0;
  int64_t unit = -1;        // the best feature
  double f1 = 0;
  int64_t positives = 0;    // tokens of the genre
  int64_t predicted = 0;    // tokens the best feature fires on
  int64_t true_positives = 0;
};

// labels: N genre ids < n_genres. One entry per genre with at least one token.
absl::StatusOr<std::vector<GenreDetectorF1>> BestFeatureGenreF1(const Tensor& codes,
                                                                absl::Span<const LabelId> labels,
                                                                int n_genres);

}  // namespace monosem::sae

#endif  // MONOSEM_MODELS_SAE_SAE_ANALYSIS_H_
