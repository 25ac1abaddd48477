// A hierarchical synthetic world after SynthSAEBench (Chanin & Garriga-Alonso
// 2026; SAELens `synthetic`): ground truth for "does an SAE find the true
// features" with the properties that make real activations hard.
//
//   features     N unit directions in d dimensions (Gaussian, normalised;
//                N > d: superposition);
//   profile      feature i's BASE firing probability p_i falls from p_max
//                (i = 0) to p_min (i = N-1) along a power law:
//                p_i = p_min + (p_max - p_min) (r_i - r_min) / (r_max - r_min),
//                r_i = (i + 1)^-zipf_exponent (SAELens' zipfian profile);
//   correlation  shared latent factors: feature i belongs to factor i mod K;
//                with probability `correlation` its firing uniform is the
//                sample's shared uniform of that factor instead of its own.
//                Every base marginal stays exactly p_i; features of one
//                factor fire together more often than independent ones;
//   hierarchy    `roots` trees of `branching` children per node over
//                `depth` child levels, laid out breadth first at the front
//                of the index range (roots 0..R-1, their children next, ...),
//                so a parent always has a smaller index than its children.
//                A child fires only if its parent fires (after the parent's
//                own gating), and the children of one parent are mutually
//                exclusive: when several would fire, one chosen uniformly at
//                random keeps firing (SAELens' hierarchy modifier). A child's
//                EFFECTIVE rate is therefore below its base p_i
//                (ExpectedFiringRates gives it exactly without correlation);
//   magnitudes   a firing feature's activation is max(0, mu_i + sigma z),
//                z ~ N(0, 1), mu_i linear from mag_mean_first (i = 0) to
//                mag_mean_last (i = N-1); it "fires" when the activation > 0.
// x = sum_i a_i * feature_i. Every draw is Philox addressed by (sample,
// feature), so sample n is the same on every machine and thread count, and
// skipping is moving a counter.
#ifndef MONOSEM_MODELS_SAE_SYNTHETIC_HIERARCHY_H_
#define MONOSEM_MODELS_SAE_SYNTHETIC_HIERARCHY_H_

#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "monosem/models/sae/sae.h"
#include "monosem/tensor.h"

namespace monosem::sae {

struct HierarchyWorldOptions {
  int64_t n_features = 1024;
  int64_t d = 128;
  double p_max = 0.16;
  double p_min = 0.01;
  double zipf_exponent = 0.5;
  // Hierarchy: 0 roots means none. Nodes: roots * (1 + b + b^2 + ... + b^depth).
  int64_t roots = 16;
  int64_t branching = 4;
  int64_t depth = 2;
  // Correlation: `factors` shared latent factors, each feature's firing
  // uniform replaced by its factor's with probability `correlation`.
  int64_t factors = 16;
  double correlation = 0.0;
  double mag_mean_first = 5.0;
  double mag_mean_last = 4.0;
  double mag_std = 0.5;
  uint64_t seed = 1;
};

// InvalidArgument naming the field, its value and the allowed range.
absl::Status ValidateHierarchyWorld(const HierarchyWorldOptions& o);

class HierarchicalWorld : public BatchSource {
 public:
  static absl::StatusOr<HierarchicalWorld> Create(const HierarchyWorldOptions& opt);

  int64_t dim() const override { return opt_.d; }
  absl::Status Next(int64_t batch, Tensor* out) override;
  absl::Status Skip(int64_t n) override;

  // Samples [first, first + batch): x [batch, d]; `acts`, if not null, gets
  // the ground-truth activations [batch, N] (0 where a feature is silent).
  // The cursor does not move.
  void Fill(int64_t first, int64_t batch, Tensor* x, Tensor* acts = nullptr) const;
  // Next, also returning the ground truth (evaluation).
  absl::Status NextWithActs(int64_t batch, Tensor* x, Tensor* acts);

  const HierarchyWorldOptions& options() const { return opt_; }
  const Tensor& features() const { return features_; }          // [N, d], unit rows
  const std::vector<double>& base_probabilities() const { return p_; }
  // -1 for roots and features outside the hierarchy.
  const std::vector<int64_t>& parent() const { return parent_; }
  // Children of node i (empty for leaves and free features).
  const std::vector<int64_t>& children(int64_t i) const { return children_[i]; }
  int64_t hierarchy_size() const { return tree_size_; }
  // Each feature's exact firing probability after gating and exclusion when
  // `correlation` is 0 (base draws independent): roots and free features p_i;
  // child c of parent g: rate(g) * p_c * E[1 / (1 + K)], K the number of
  // c's siblings whose base draw fires (a Poisson-binomial count).
  std::vector<double> ExpectedFiringRates() const;

  int64_t position() const { return next_; }
  void Seek(int64_t n) { next_ = n; }

 private:
  HierarchyWorldOptions opt_;
  Tensor features_;
  std::vector<double> p_;
  std::vector<float> p_f_;     // p_ as float, compared with the float uniforms
  std::vector<float> mag_mean_;
  std::vector<int64_t> parent_;
  std::vector<std::vector<int64_t>> children_;
  std::vector<int64_t> parents_in_order_;  // nodes with children, ascending
  int64_t tree_size_ = 0;
  int64_t next_ = 0;
};

}  // namespace monosem::sae

#endif  // MONOSEM_MODELS_SAE_SYNTHETIC_HIERARCHY_H_
