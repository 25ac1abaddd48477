// Real documents mixed into a generated labelled corpus.
//
// The generated corpus gives superposition pressure and exact labels; real
// text (the Brown corpus's 500 files in 15 categories) gives the model real
// English to learn, labelled by category. Real documents are inserted whole,
// between the generated corpus's documents, each used once, in a seeded
// order, until they make up `share` of the bytes; so a stream cut into a
// training and a held-out split holds different real documents in each.
//
// Labels: the generated corpus's label set, unchanged (ids keep their
// meaning), followed by `parent` (a new top-level label) and one leaf
// "parent/category" per category in order of first appearance.
#ifndef MONOSEM_DATA_CORPUS_MIX_H_
#define MONOSEM_DATA_CORPUS_MIX_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "monosem/data/corpus.h"

namespace monosem {

struct RealDocument {
  std::string category;  // its leaf is parent/category
  std::string text;      // valid UTF-8, ending in '\n' (a blank line is added)
};

// Exactly n_bytes: generated documents (whole label runs of `generated`) with
// real documents between them while the real bytes so far are below
// share x the bytes so far. Cut on a UTF-8 boundary, padded with at most 3
// '\n' of the last label, like GenerateCorpus. share must be in [0, 1);
// errors name the bad argument: invalid UTF-8 in a document, a label set
// that would pass 65,536 labels, a generated corpus too short for n_bytes.
absl::StatusOr<Corpus> MixRealDocuments(const Corpus& generated,
                                        const std::vector<RealDocument>& docs,
                                        const std::string& parent, double share, uint64_t seed,
                                        int64_t n_bytes);

}  // namespace monosem

#endif  // MONOSEM_DATA_CORPUS_MIX_H_
