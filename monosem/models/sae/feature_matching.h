// Feature-recovery scores on a synthetic world with known features, defined
// as SynthSAEBench computes them (SAELens `synthetic/evals.py`); the full
// definitions, with a worked example, are in docs/metrics/synthetic_features.md.
//
// Let C[i][g] = |cos(W_dec,i, f_g)| for the F latents' decoder rows and the N
// true feature directions (a zero row has cosine 0 with everything).
//
//   mcc         a one-to-one matching of latents to true features that
//               maximises the summed C (the Hungarian algorithm on the
//               rectangular F x N matrix: min(F, N) pairs); mcc = the mean of
//               C over the matched pairs. It depends on the decoder only.
//   feature_f1  each latent i is a detector of its best true feature
//               g(i) = argmax_g C[i][g] (many latents may pick the same g;
//               ties go to the lower index). Over the evaluation samples,
//               latent i "fires" when its code is > 0 and g(i) fires when its
//               true activation is > 0: TP, FP, FN per latent; precision =
//               TP / (TP + FP), recall = TP / (TP + FN), F1 their harmonic
//               mean, each 0 when its denominator is 0 (a dead latent scores
//               0). feature_f1 = the mean F1 over ALL F latents; precision
//               and recall are averaged the same way.
// Counts are summed over the whole evaluation window before any division.
#ifndef MONOSEM_MODELS_SAE_FEATURE_MATCHING_H_
#define MONOSEM_MODELS_SAE_FEATURE_MATCHING_H_

#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "monosem/models/sae/sae_kernels.h"
#include "monosem/tensor.h"

namespace monosem::sae {

// |cos| between the rows of a [F, d] and b [N, d], row-major [F, N], in double.
absl::StatusOr<std::vector<double>> AbsCosineMatrix(const Tensor& a, const Tensor& b);

// A maximum-weight one-to-one matching on a rows x cols score matrix
// (row-major): min(rows, cols) pairs. Returns, for every row, its column or
// -1 when the row is left unmatched (rows > cols).
std::vector<int64_t> MaxWeightMatching(const std::vector<double>& score, int64_t rows,
                                       int64_t cols);

struct MccResult {
  double mcc = 0;
  std::vector<int64_t> latent_to_feature;  // [F]; -1: unmatched (F > N)
};
// mcc of a decoder [F, d] against the true features [N, d].
absl::StatusOr<MccResult> MatchedMcc(const Tensor& w_dec, const Tensor& features);

struct FeatureF1 {
  double f1 = 0, precision = 0, recall = 0;  // means over all F latents
  std::vector<int64_t> best_feature;         // g(i) per latent
  std::vector<double> latent_f1;
  int64_t samples = 0;
};

class FeatureF1Accumulator {
 public:
  // The matching g(i) is fixed here, from the decoder and the features.
  static absl::StatusOr<FeatureF1Accumulator> Create(const Tensor& w_dec, const Tensor& features);
  // codes of B samples and their true activations acts [B, N].
  absl::Status Add(const SaeCodes& codes, const Tensor& acts);
  FeatureF1 Finish() const;

 private:
  int64_t f_ = 0, n_ = 0, samples_ = 0;
  std::vector<int64_t> best_;
  std::vector<int64_t> tp_, fp_, truth_;  // truth_: samples where g(i) fires
};

}  // namespace monosem::sae

#endif  // MONOSEM_MODELS_SAE_FEATURE_MATCHING_H_
