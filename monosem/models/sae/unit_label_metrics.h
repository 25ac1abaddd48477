// Unit-vs-label metrics, each beside its null (docs/metrics/unit_labels.md).
//
// A "unit" is one column of an activation matrix: an SAE feature or an MLP
// neuron. Both kinds are measured the same way so that they can be compared:
//   - a unit "fires" on a token when its activation a > 0;
//   - its activation mass on a token is the positive part max(a, 0) (SAE codes
//     are >= 0 already; GELU neurons can be negative, and a negative value
//     says nothing about which label the token has);
//   - every detector ("active > 0" and a tuned threshold t > 0) is a function
//     of the firing tokens only.
//
// Raw scores flatter the wrong units: a unit that fires 20 times is
// "specific" by chance, and calling every token positive already scores a
// high F1 on a frequent label. So every statistic comes with a null: the same
// statistic with the labels shuffled between windows (window w keeps its
// activations and takes window perm[w]'s label sequence), which keeps each
// unit's firing rate and burstiness and destroys only its relation to the
// labels. The null is the mean over R seeded permutations; excess =
// statistic - null.
#ifndef MONOSEM_MODELS_SAE_UNIT_LABEL_METRICS_H_
#define MONOSEM_MODELS_SAE_UNIT_LABEL_METRICS_H_

#include <cstdint>
#include <ostream>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "monosem/data/label.h"
#include "monosem/tensor.h"

namespace monosem::sae {

// Which labels the per-unit and per-label metrics use: the leaves the tokens
// carry, or each leaf's top-level ancestor.
enum class LabelLevel { kLeaf, kTop };

struct UnitLabelOptions {
  int64_t ctx = 0;  // window length; N must be a multiple
  LabelLevel level = LabelLevel::kLeaf;
  int shuffles = 8;         // R; 0 leaves every null NaN
  uint64_t seed = 0;        // of the window permutations
  double mass_cover = 0.8;  // polysemanticity: share of mass to cover
  int64_t min_support = 5;  // splitting: firing tokens on the child
  int threads = 2;          // OpenMP threads over blocks of units (also
                            // capped by omp_get_max_threads())
};

struct UnitLabelStats {
  int64_t unit = 0;
  int64_t firing = 0;                // tokens with a > 0
  int64_t firing_windows = 0;        // windows holding at least one of them
  double mass = 0;                   // sum of max(a, 0)
  int top_label = -1;                // LabelSet id holding most mass; -1 if mass 0
  double top_label_token_share = 0;  // that label's share of all tokens
  double specificity = 0;            // mass share on top_label (the paper's concentration)
  double specificity_null = 0;       // mean over shuffles of the shuffled specificity
  int polysemanticity = 0;           // labels, largest first, to cover mass_cover of mass
  double polysemanticity_null = 0;
  // Dead units (mass 0) have NaN specificity, 0 polysemanticity and NaN nulls.
  double specificity_excess() const { return specificity - specificity_null; }
  // Whether the window-shuffle null can tell this unit's labels from chance.
  // A unit firing inside one window keeps that window's label sequence
  // under every permutation except for which window's labels it takes, and
  // windows are mostly one document: its statistic and its null come out
  // (nearly, and with one firing token exactly) the same whatever it
  // encodes. Population medians of the excess are taken over testable
  // units, the excluded count printed beside them.
  bool testable() const { return firing_windows >= 2; }
};

// The best single unit as a detector of one label.
struct DetectorF1 {
  int64_t unit = -1;  // the best unit (lowest index among ties)
  double f1 = 0;
  double threshold = 0;   // predicts a >= threshold (0 for "active > 0": a > 0)
  int64_t predicted = 0;  // items the best unit predicts positive
  int64_t true_positives = 0;
  double null_f1 = 0;  // mean over shuffles of the best shuffled F1
  double excess() const { return f1 - null_f1; }
};

struct LabelStats {
  int label = 0;        // LabelSet id (a leaf or a top-level label)
  int64_t tokens = 0;   // tokens with this label
  int64_t windows = 0;  // windows whose majority label it is
  // Token level: items are tokens.
  DetectorF1 token_active;      // detector a > 0
  DetectorF1 token_tuned;       // detector a >= t, the best t > 0
  double token_trivial_f1 = 0;  // everything positive: 2p / (1 + p), p = tokens / N
  // Context level: items are windows; a window's value is the mean over its
  // ctx tokens of max(a, 0), its label the label of most of its tokens.
  DetectorF1 window_active;
  DetectorF1 window_tuned;
  double window_trivial_f1 = 0;
};

// For one label with children: how many children have a unit of their own,
// i.e. a unit with precision >= 0.5 on the child (detector a > 0) and at
// least min_support firing tokens on it. Independent of LabelLevel.
struct SplitStats {
  int parent = 0;
  int children = 0;
  int children_with_unit = 0;
  double children_with_unit_null = 0;
  double excess() const { return children_with_unit - children_with_unit_null; }
};

struct UnitLabelMetrics {
  LabelLevel level = LabelLevel::kLeaf;
  int64_t tokens = 0, windows = 0, ctx = 0;
  int shuffles = 0;
  std::vector<UnitLabelStats> units;  // one per unit, in order
  std::vector<LabelStats> labels;     // one per level label with >= 1 token, by id
  std::vector<SplitStats> splits;     // one per label with children, by id
};

// activations: [n_tokens, n_units] row-major, read in place (never copied
// whole). labels: n_tokens leaf ids. Returns InvalidArgument for shape
// mismatches, non-leaf or out-of-range ids, a malformed LabelSet, bad options
// and non-finite activations.
absl::StatusOr<UnitLabelMetrics> ComputeUnitLabelMetrics(absl::Span<const float> activations,
                                                         int64_t n_tokens, int64_t n_units,
                                                         absl::Span<const LabelId> labels,
                                                         const LabelSet& label_set,
                                                         const UnitLabelOptions& options);

// The same for a [N, U] Tensor (InvalidArgument for any other rank).
absl::StatusOr<UnitLabelMetrics> ComputeUnitLabelMetrics(const Tensor& activations,
                                                         absl::Span<const LabelId> labels,
                                                         const LabelSet& label_set,
                                                         const UnitLabelOptions& options);

// Permutation r of the null: window w takes window perm[w]'s labels. A
// Fisher-Yates shuffle on Philox(seed, stream r); public so that tests can
// know which permutations the nulls averaged.
std::vector<int64_t> WindowPermutation(int64_t windows, uint64_t seed, int r);

// ---- Matched firing frequency ------------------------------------------

// Live units (firing >= 1) binned by floor(log2(firing)): bin b holds units
// firing in [2^b, 2^(b+1)).
struct FiringBin {
  int bin = 0;
  int64_t count = 0;
  double median_specificity = 0;
  double median_specificity_null = 0;
  double median_polysemanticity = 0;
  double median_polysemanticity_null = 0;
  double excess() const { return median_specificity - median_specificity_null; }
  double polysemanticity_excess() const {
    return median_polysemanticity - median_polysemanticity_null;
  }
};

// Which per-unit statistic a matched comparison compares. Polysemanticity's
// null grows with the firing count even more than specificity's falls (a unit
// firing on thousands of tokens spread over windows covers many labels by
// chance, one firing thrice covers at most three), so comparing its plain
// medians across populations compares firing rates.
enum class UnitStatistic { kSpecificity, kPolysemanticity };

// Populated bins only, by increasing bin.
std::vector<FiringBin> BinByFiring(absl::Span<const UnitLabelStats> units);

struct MatchedComparison {
  // Weighted mean over the bins both populations populate of
  // excess(a) - excess(b), weights min(count_a, count_b). > 0: population a
  // is more specific than b, beyond chance, at matched firing frequency.
  double excess_difference = 0;
  int shared_bins = 0;
  int64_t weight = 0;  // sum of the weights
};

// FailedPrecondition when no bin is populated by both. With kPolysemanticity
// the excess is polysemanticity_excess(): > 0 means a is more polysemantic
// than b beyond chance at matched firing frequency.
absl::StatusOr<MatchedComparison> CompareAtMatchedFiring(
    absl::Span<const UnitLabelStats> a, absl::Span<const UnitLabelStats> b,
    UnitStatistic statistic = UnitStatistic::kSpecificity);

// ---- CSV -----------------------------------------------------------------

// One header row, then one row per unit / per label; label names are quoted.
absl::Status WriteUnitCsv(const UnitLabelMetrics& m, const LabelSet& label_set, std::ostream& out);
absl::Status WriteLabelCsv(const UnitLabelMetrics& m, const LabelSet& label_set, std::ostream& out);
absl::Status WriteSplitCsv(const UnitLabelMetrics& m, const LabelSet& label_set, std::ostream& out);

}  // namespace monosem::sae

#endif  // MONOSEM_MODELS_SAE_UNIT_LABEL_METRICS_H_
