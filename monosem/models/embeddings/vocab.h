// A word2vec vocabulary: the distinct words of a tokenized corpus with their
// counts, sorted by count (most frequent first; ties in order of first
// appearance, which is what a stable sort of first-appearance order gives),
// and the corpus as word ids.
#ifndef MONOSEM_MODELS_EMBEDDINGS_VOCAB_H_
#define MONOSEM_MODELS_EMBEDDINGS_VOCAB_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"

namespace monosem {

struct Vocab {
  std::vector<std::string> words;  // by id
  std::vector<int64_t> counts;     // by id, non-increasing
  absl::flat_hash_map<std::string, int32_t> ids;

  int32_t size() const { return static_cast<int32_t>(words.size()); }
  // The id of `word`, or -1.
  int32_t Find(const std::string& word) const;
};

struct TokenizedCorpus {
  Vocab vocab;
  // Sentences as word ids; words under min_count are dropped from them.
  std::vector<std::vector<int32_t>> sentences;
  int64_t tokens = 0;  // retained tokens
};

// Words seen fewer than min_count times are left out (min_count 1 keeps all).
TokenizedCorpus BuildCorpus(const std::vector<std::vector<std::string>>& sentences,
                            int64_t min_count = 1);

}  // namespace monosem

#endif  // MONOSEM_MODELS_EMBEDDINGS_VOCAB_H_
