// Labels of corpus bytes and the hierarchy they form.
//
// Every byte of a corpus carries one label id: an index into LabelSet::names.
// Ids are 16 bits wide wherever they travel (corpus, activation-store
// metadata, metrics), so a corpus may have up to 65,536 labels; 8-bit labels
// would cap the built-in corpus at 255 leaf kinds.
//
// Labels form a forest: parent[i] is the id of label i's parent, or -1 for a
// top-level label. Bytes carry leaf ids; a parent's bytes are the union of
// its children's. Label 0 is "unknown" (text loaders without labels).
#ifndef MONOSEM_DATA_LABEL_H_
#define MONOSEM_DATA_LABEL_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace monosem {

using LabelId = uint16_t;
inline constexpr int kMaxLabels = 1 << 16;

struct LabelSet {
  std::vector<std::string> names;  // id -> name, e.g. "base64/pem"
  std::vector<int> parent;         // id -> parent id, -1 for a top-level label

  int size() const { return static_cast<int>(names.size()); }
};

// The top-level ancestor of label `id` (id itself for a top-level label).
inline int TopLevelOf(const LabelSet& set, int id) {
  // Bounded by size() so a malformed set with a cycle cannot hang.
  for (int steps = 0; steps < set.size() && set.parent[id] >= 0; ++steps) id = set.parent[id];
  return id;
}

// The top-level labels of `set` alone, in id order, and the map from every id
// of `set` to the id of its top-level ancestor in the returned set. Metrics
// that report one row per genre project leaf labels through this map.
inline LabelSet TopLevelLabels(const LabelSet& set, std::vector<LabelId>* map) {
  LabelSet top;
  std::vector<int> new_id(set.size(), -1);
  for (int i = 0; i < set.size(); ++i) {
    if (set.parent[i] >= 0) continue;
    new_id[i] = top.size();
    top.names.push_back(set.names[i]);
    top.parent.push_back(-1);
  }
  map->assign(set.size(), 0);
  for (int i = 0; i < set.size(); ++i) {
    (*map)[i] = static_cast<LabelId>(new_id[TopLevelOf(set, i)]);
  }
  return top;
}

// A flat set: every name a top-level label (loaders without a hierarchy).
inline LabelSet FlatLabels(std::vector<std::string> names) {
  LabelSet set;
  set.parent.assign(names.size(), -1);
  set.names = std::move(names);
  return set;
}

}  // namespace monosem

#endif  // MONOSEM_DATA_LABEL_H_
