// The sae suite's monosemanticity comparison (Bricken et al. 2023, the
// paper's central finding): are SAE features more specific to one label of
// the corpus than MLP neurons, and less polysemantic; do they detect labels
// better, like for like; do larger dictionaries split a parent label's
// features into its children? Every statistic is measured as excess over
// its label-shuffled null (monosem/models/sae/unit_label_metrics.h), so that
// sparse units do not win by chance.
//
// Populations are measured one at a time (a dictionary's dense codes can be
// a gigabyte), and only their metrics are kept; the rows compare them at the
// end.
#ifndef MONOSEM_SUITES_SAE_SAE_MONOSEMANTICITY_H_
#define MONOSEM_SUITES_SAE_SAE_MONOSEMANTICITY_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "monosem/data/label.h"
#include "monosem/models/sae/unit_label_metrics.h"
#include "monosem/tensor.h"
#include "proto/result.pb.h"

namespace monosem::sae {

// One population of units (transformer A's neurons, or one dictionary's
// features) on the held-out tokens: metrics over top-level genres (the
// paper's comparison) and over leaf labels (splitting).
struct UnitPopulation {
  std::string name;  // "neurons", "F=4096"
  int64_t units = 0;
  UnitLabelMetrics top, leaf;
};

struct HeldoutLabels {
  absl::Span<const LabelId> labels;  // one leaf id per held-out token
  const LabelSet* label_set = nullptr;
  int64_t ctx = 0;                   // tokens per window
};

// acts: [tokens, units]. The same seed for every population, so that every
// population's null uses the same window permutations.
absl::StatusOr<UnitPopulation> MeasureUnitPopulation(const std::string& name, const Tensor& acts,
                                                     const HeldoutLabels& held);

// Rows comparing each dictionary (increasing size) with the neurons, judged
// when `judged` (the default and paper scales; quick runs are too small to
// mean anything and report only), and the CSVs behind them in out_dir:
// sae_mlp_units.csv, sae_mlp_labels.csv, sae_mlp_splits.csv and
// sae_mlp_firing_bins.csv.
absl::StatusOr<std::vector<ResultRow>> MonosemanticityRows(
    const UnitPopulation& neurons, const std::vector<UnitPopulation>& dictionaries,
    const LabelSet& label_set, bool judged, const std::string& out_dir);

}  // namespace monosem::sae

#endif  // MONOSEM_SUITES_SAE_SAE_MONOSEMANTICITY_H_
