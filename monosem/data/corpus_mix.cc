#include "monosem/data/corpus_mix.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>

#include "absl/strings/str_cat.h"
#include "monosem/data/utf8.h"
#include "monosem/philox.h"

namespace monosem {
absl::StatusOr<Corpus> MixRealDocuments(const Corpus& generated,
                                        const std::vector<RealDocument>& docs,
                                        const std::string& parent, double share, uint64_t seed,
                                        int64_t n_bytes) {
  if (!(share >= 0 && share < 1)) {
    return absl::InvalidArgumentError(absl::StrCat("real-text share must be in [0, 1), got ", share));
  }
  if (n_bytes <= 0) {
    return absl::InvalidArgumentError(absl::StrCat("mixed corpus size must be > 0, got ", n_bytes));
  }
  Corpus out;
  out.labels = generated.labels;
  // The real documents' labels: parent, then parent/category.
  std::map<std::string, LabelId> leaf_of;
  if (share > 0 && !docs.empty()) {
    const int parent_id = out.labels.size();
    out.labels.names.push_back(parent);
    out.labels.parent.push_back(-1);
    for (const RealDocument& d : docs) {
      if (leaf_of.count(d.category)) continue;
      if (out.labels.size() >= kMaxLabels) {
        return absl::InvalidArgumentError(absl::StrCat(
            "mixing '", parent, "' documents would pass ", kMaxLabels, " labels"));
      }
      leaf_of[d.category] = static_cast<LabelId>(out.labels.size());
      out.labels.names.push_back(absl::StrCat(parent, "/", d.category));
      out.labels.parent.push_back(parent_id);
    }
  }
  for (size_t i = 0; i < docs.size(); ++i) {
    const size_t bad = FirstInvalidUtf8(docs[i].text);
    if (bad != absl::string_view::npos) {
      return absl::InvalidArgumentError(absl::StrCat(parent, " document ", i, " (", docs[i].category,
                                                     "): invalid UTF-8 at byte ", bad));
    }
  }
  // A seeded order of the documents (Fisher-Yates on Philox).
  std::vector<size_t> order(docs.size());
  std::iota(order.begin(), order.end(), size_t{0});
  Philox rng(seed, 0);
  for (size_t i = order.size(); i > 1; --i) {
    std::swap(order[i - 1], order[rng.UniformInt(static_cast<uint32_t>(i))]);
  }
  out.bytes.reserve(n_bytes + 4);
  out.label.reserve(n_bytes + 4);
  int64_t real = 0;
  size_t next_doc = 0;
  auto append = [&out](const std::string& text, LabelId label) {
    out.bytes.insert(out.bytes.end(), text.begin(), text.end());
    out.label.insert(out.label.end(), text.size(), label);
  };
  int64_t g = 0;
  const int64_t gn = generated.size();
  while (out.size() < n_bytes) {
    while (share > 0 && next_doc < order.size() &&
           static_cast<double>(real) < share * static_cast<double>(out.size() + 1)) {
      const RealDocument& d = docs[order[next_doc++]];
      const size_t before = out.bytes.size();
      append(d.text, leaf_of[d.category]);
      append("\n", leaf_of[d.category]);
      real += static_cast<int64_t>(out.bytes.size() - before);
    }
    if (out.size() >= n_bytes) break;
    if (g >= gn) {
      return absl::InvalidArgumentError(absl::StrCat(
          "the generated corpus (", gn, " bytes) is too short for a ", n_bytes,
          "-byte mix at real-text share ", share));
    }
    // One generated unit: a run of one label.
    int64_t e = g + 1;
    while (e < gn && generated.label[e] == generated.label[g]) ++e;
    out.bytes.insert(out.bytes.end(), generated.bytes.begin() + g, generated.bytes.begin() + e);
    out.label.insert(out.label.end(), generated.label.begin() + g, generated.label.begin() + e);
    g = e;
  }
  CutCorpus(&out, n_bytes);
  return out;
}

}  // namespace monosem
