// What the feature browser shows about one unit (an SAE feature or an MLP
// neuron), computed from its activations over a labelled byte stream. Kept
// apart from the page writer so it is tested on hand-made activations.
#ifndef MONOSEM_REPORT_UNIT_STATS_H_
#define MONOSEM_REPORT_UNIT_STATS_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>


#include "absl/status/statusor.h"
#include "monosem/data/label.h"

namespace monosem::report {

// One unit's nonzero activations, by token position (ascending).
struct UnitActs {
  std::vector<int64_t> token;
  std::vector<float> value;
  // The activation at `t` (0 when absent), by binary search.
  float At(int64_t t) const;
};

// The stream the activations were taken on: one byte token and one genre
// label per position (browse.cc labels by top-level genre: per-unit counts
// stay a couple of dozen wide however many leaves the corpus has).
struct LabelledStream {
  std::vector<uint8_t> bytes;
  std::vector<LabelId> genre;
  std::vector<std::string> genre_names;
  int64_t size() const { return static_cast<int64_t>(bytes.size()); }
};

struct UnitSummary {
  int64_t fired = 0;
  double density = 0;      // fired / tokens
  double max_act = 0;
  // The genre with the largest share of this unit's activation mass, and
  // that share (1: it fires only on that genre). -1 / 0 for a dead unit.
  int label = -1;
  double specificity = 0;
  std::vector<int64_t> genre_count;  // firing tokens per genre
  std::vector<double> genre_mass;    // activation mass per genre
  std::vector<int64_t> histogram;    // nonzero activations in `bins` bins on (0, max_act]
  std::vector<int64_t> top_tokens;   // positions of the largest activations, largest first
};

UnitSummary Summarize(const UnitActs& acts, const LabelledStream& stream, int bins, int top_k);

// For each row of `rows` [n, dim], the k others with the largest cosine
// similarity, largest first (rows of zero norm have no neighbours).
std::vector<std::vector<std::pair<int, float>>> NearestByCosine(const std::vector<float>& rows,
                                                                int64_t n, int64_t dim, int k);

// The k largest and k smallest entries of `effect` as (index, value), for the
// logit effects (the bytes a unit promotes and suppresses).
std::pair<std::vector<std::pair<int, float>>, std::vector<std::pair<int, float>>> TopAndBottom(
    const float* effect, int64_t n, int k);

}  // namespace monosem::report

#endif  // MONOSEM_REPORT_UNIT_STATS_H_
