// Synthetic ground truth (Sharkey, Braun, Millidge 2022): n_gt unit feature
// directions (Gaussian, normalised) in d dims; feature i is active with
// probability p_i = c * decay^i, c chosen so that sum_i p_i = expected_active
// (p_i capped at 1); an active feature has magnitude U[0, 1); x = sum of
// magnitude * direction. Optional correlation rho: with probability rho a
// feature's activation draw is the sample's shared uniform instead of its own,
// which keeps every marginal p_i and correlates features positively.
// Everything is Philox, addressed by (sample index, feature), so a batch is
// the same on every machine and thread count.
#ifndef MONOSEM_MODELS_SAE_SYNTHETIC_H_
#define MONOSEM_MODELS_SAE_SYNTHETIC_H_

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "monosem/models/sae/sae.h"

namespace monosem::sae {

struct SyntheticOptions {
  int64_t n_gt = 512;
  int64_t d = 256;
  double expected_active = 5.0;
  double decay = 0.99;
  double correlation = 0.0;
  uint64_t seed = 1;
};

class SyntheticData : public BatchSource {
 public:
  static absl::StatusOr<SyntheticData> Create(const SyntheticOptions& opt);
  int64_t dim() const override { return opt_.d; }
  absl::Status Next(int64_t batch, Tensor* out) override;
  // Counter-based stream: skipping is moving the cursor.
  absl::Status Skip(int64_t n) override;
  // Fills rows of samples [first, first + batch) without moving the cursor.
  void Fill(int64_t first, int64_t batch, Tensor* out) const;
  const Tensor& features() const { return features_; }  // [n_gt, d], unit rows
  const std::vector<double>& probabilities() const { return p_; }
  int64_t position() const { return next_; }
  void Seek(int64_t n) { next_ = n; }

 private:
  SyntheticOptions opt_;
  Tensor features_;
  std::vector<double> p_;
  int64_t next_ = 0;
};

}  // namespace monosem::sae

#endif  // MONOSEM_MODELS_SAE_SYNTHETIC_H_
