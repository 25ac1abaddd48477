// The feature browser: static pages for a set of units (SAE features or MLP
// neurons). DIR/index.html holds the sortable index (density, specificity,
// label) and the page code; each unit's details (activation histogram, top
// contexts with each character shaded by activation, label composition, logit
// effects, nearest units) live in DIR/data/chunk_NNNN.js, loaded with a
// <script> element when a unit is opened: fetch() of a file:// URL is
// blocked by browsers, a script element is not, so the pages open from disk
// and a 4,096-feature browser reads only the index up front.
#ifndef MONOSEM_REPORT_BROWSER_WRITER_H_
#define MONOSEM_REPORT_BROWSER_WRITER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "monosem/report/unit_stats.h"

namespace monosem::report {

struct BrowserUnits {
  std::string kind = "feature";  // "feature" or "neuron": the pages' wording
  std::string title;             // e.g. "SAE relu_l1 F=4096 on transformer A's MLP"
  std::vector<UnitActs> acts;    // [n units]
  // Each unit's write direction, for nearest units by cosine: [n, dim].
  std::vector<float> directions;
  int64_t dim = 0;
  // Each unit's direct effect on the next-byte logits: [n, vocab].
  std::vector<float> logit_effects;
  int64_t vocab = 256;
  std::string notes;             // how the effects and neighbours were computed
  // Relative link to the other browser (SAE <-> neurons), or empty.
  std::string compare_link, compare_name;
};

struct BrowserOptions {
  int top_contexts = 12;
  int before = 24;   // bytes shown before the top token
  int after = 6;     // and after it
  int bins = 24;     // activation histogram
  int nearest = 6;
  int logits = 10;   // bytes promoted and suppressed
  int chunk = 64;    // units per lazily loaded data file
};

// Writes DIR/index.html and DIR/data/*.js (each file atomically). `chartjs`
// is the plotting library's text (page_assets.h).
absl::Status WriteBrowser(const BrowserUnits& units, const LabelledStream& stream,
                          const BrowserOptions& options, const std::string& chartjs,
                          const std::string& dir);

}  // namespace monosem::report

#endif  // MONOSEM_REPORT_BROWSER_WRITER_H_
