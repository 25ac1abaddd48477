// The built-in corpus's label tree and the generators of its leaves; the
// mixture, config and statistics are in corpus.h.
//
// Every leaf is one row of one of three tables (corpus_tables.cc):
//   templates  formal kinds (code, markup, tables, logs, base64, DNA, HTTP,
//              citations, ...): a unit is one expansion of a small template
//              language, so a leaf is one line of table, not a generator
//   topics     prose by topic: the shared generated language plus the
//              topic's own nouns, signature words and sentence openers
//   scripts    natural-language text in a non-Latin script or a Latin script
//              with diacritics: generated words over the leaf's alphabet, its
//              own letter frequencies, signature letters and marks
// Siblings share their parent's character (its alphabet, format or language)
// and differ in bytes a larger dictionary can split on.
#ifndef MONOSEM_DATA_CORPUS_LEAVES_H_
#define MONOSEM_DATA_CORPUS_LEAVES_H_

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "monosem/data/label.h"
#include "monosem/philox.h"

namespace monosem::corpus_internal {

// ---------------------------------------------------------------- tables

// A formal leaf: "genre/leaf" produced by expanding `unit` (see Expander in
// corpus_leaves.cc for the template language).
struct TemplateLeaf {
  const char* genre;
  const char* leaf;
  const char* unit;
};

// A prose topic: sentence openers and signature nouns, '|'-separated and
// space-separated respectively.
struct TopicLeaf {
  const char* leaf;
  const char* openers;
  const char* nouns;
};

// A script leaf: words of `min_len`..`max_len` letters from `letters`
// (inclusive code-point ranges), each letter followed by a mark from `marks`
// with probability mark_p; a word takes one of the `signature` characters
// with probability signature_p; sentences end with `ending` and `stop`.
struct ScriptLeaf {
  const char* genre;
  const char* leaf;
  std::vector<std::pair<uint32_t, uint32_t>> letters;
  std::vector<std::pair<uint32_t, uint32_t>> marks;
  float mark_p;
  const char* signature;  // UTF-8
  float signature_p;
  int min_len, max_len;
  bool spaces;            // false: no spaces between words (Thai, CJK)
  const char* ending;     // UTF-8, appended to a sentence's last word
  const char* stop;       // UTF-8 sentence terminator
  float digits_p;         // probability a word is a number instead
};

const std::vector<TemplateLeaf>& TemplateLeaves();
const std::vector<TopicLeaf>& TopicLeaves();
const std::vector<ScriptLeaf>& ScriptLeaves();

// Top-level genres in label-id order (the paper's genres first).
const std::vector<const char*>& GenreOrder();

// ---------------------------------------------------------------- catalog

enum class LeafKind { kTemplate, kTopic, kScript };

struct LeafRef {
  LeafKind kind;
  int row;  // index into the kind's table
};

struct Catalog {
  LabelSet labels;  // 0 "unknown", then each genre followed by its leaves
  std::vector<int> genres;               // top-level ids, GenreOrder()
  std::vector<std::vector<int>> leaves;  // per genre: leaf ids in rank order
  std::vector<LeafRef> ref;              // per label id (leaves only)
};

const Catalog& BuiltinCatalog();

// Writes documents of any leaf. Construction builds the word-level language
// and every leaf's vocabulary from language_seed (a few ms).
class LeafWriter {
 public:
  LeafWriter(uint64_t language_seed, int vocab, double zipf);
  ~LeafWriter();
  // Appends whole units of leaf `leaf_id` to *out until it holds >= target
  // bytes.
  void Document(int leaf_id, int target, Philox& rng, std::string* out) const;

  struct State;  // the language and every leaf's vocabulary

 private:
  std::unique_ptr<State> s_;
};

}  // namespace monosem::corpus_internal

#endif  // MONOSEM_DATA_CORPUS_LEAVES_H_
