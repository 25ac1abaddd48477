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
#include <vector>

namespace monosem {

using LabelId = uint16_t;
inline constexpr int kMaxLabels = 1 << 16;

struct LabelSet {
  std::vector<std::string> names;  // id -> name, e.g. "base64/pem"
  std::vector<int> parent;         // id -> parent id, -1 for a top-level label

  int size() const { return static_cast<int>(names.size()); }
};

}  // namespace monosem

#endif  // MONOSEM_DATA_LABEL_H_
