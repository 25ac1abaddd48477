// The built-in labelled corpus: a deterministic, seeded, multi-genre byte
// stream in which every byte carries a genre label.
//
// A document's genre is drawn from the configured mixture, its target length
// uniformly from [doc_bytes_min, doc_bytes_max]; it is generated whole units
// (sentences, turns, lines, requests) at a time until it reaches the target,
// then ends with a blank line ("\n"), labelled with the document's genre. The
// stream is cut at exactly n_bytes on a UTF-8 character boundary (padding with
// at most 3 '\n' of the last genre), so the whole stream is valid UTF-8.
//
// Randomness is Philox only: the mixture draws use Philox(seed, 0) and
// document i uses its own stream Philox(seed, i + 1); the word-level language
// (vocabularies, preferred bigrams) comes from Philox(language_seed, ...), so
// two corpora with different `seed` speak the same language. The same config
// and n_bytes give the same bytes on every machine.
//
// Genres (the label byte is the index into BuiltinGenreNames()):
//   prose     sentences of a generated word-level language: Zipfian
//             vocabularies of generated words per word class, English
//             function words, a sentence grammar and preferred noun->verb,
//             adjective->noun and verb->object bigrams
//   dialogue  quoted turns with speaker names in the same language
//   citation  "Surname, A., & Other, B. (2019). Title. Journal, 12(3), 45-67."
//   http      GET/POST/... request lines, headers, bodies with exact lengths
//   korean    Hangul syllables (U+AC00..U+D7A3, 3-byte UTF-8) with particles
//   arabic    Arabic letters (U+0621..U+064A, 2-byte UTF-8)
//   hebrew    Hebrew letters (U+05D0..U+05EA, 2-byte UTF-8)
//   dna       ACGT, 60 per line
//   base64    base64 of random bytes, 76 per line, '=' padded
//   html      nested tags with attributes around prose
//   numbers   integers and decimals in lists and tables
// Label 0, "unknown", is used by the text loaders (text_loader.h).
#ifndef MONOSEM_DATA_CORPUS_H_
#define MONOSEM_DATA_CORPUS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "proto/config.pb.h"

namespace monosem {

enum Genre : uint8_t {
  kGenreUnknown = 0,
  kGenreProse,
  kGenreDialogue,
  kGenreCitation,
  kGenreHttp,
  kGenreKorean,
  kGenreArabic,
  kGenreHebrew,
  kGenreDna,
  kGenreBase64,
  kGenreHtml,
  kGenreNumbers,
  kNumBuiltinGenres,
};

// "unknown", "prose", "dialogue", ... indexed by Genre.
const std::vector<std::string>& BuiltinGenreNames();
// Index of a built-in genre name, or NotFound.
absl::StatusOr<int> BuiltinGenreId(const std::string& name);

struct Corpus {
  std::vector<uint8_t> bytes;
  std::vector<uint8_t> genre;              // one label per byte
  std::vector<std::string> genre_names;    // label -> name

  int64_t size() const { return static_cast<int64_t>(bytes.size()); }
};

// The embedded default config (a text proto; see proto/config.proto).
const std::string& DefaultCorpusConfigText();
const CorpusConfig& DefaultCorpusConfig();
// Parses a CorpusConfig text proto; errors are "FILENAME:LINE:COL: ...".
absl::StatusOr<CorpusConfig> ParseCorpusConfig(const std::string& text,
                                               const std::string& filename);

// Generates exactly n_bytes. Unset config fields take the default's values.
// n_bytes <= 0 (an empty corpus), an unknown genre name, a negative or
// non-finite weight, all-zero weights or doc_bytes_min > doc_bytes_max are
// InvalidArgument errors.
absl::StatusOr<Corpus> GenerateCorpus(const CorpusConfig& config, int64_t n_bytes);

// [begin, end) of a corpus, labels and names kept.
Corpus SliceCorpus(const Corpus& corpus, int64_t begin, int64_t end);

// Unigram (byte-frequency) entropy in NATS per byte: -sum p ln p. The model's
// loss per byte is in nats too, so a model that has learned anything beats
// this. 0 for an empty input.
double UnigramEntropyNats(absl::Span<const uint8_t> bytes);
// The same for the bytes of each label (size genre_names.size(); 0 where a
// genre has no bytes).
std::vector<double> UnigramEntropyNatsPerGenre(const Corpus& corpus);
// Bytes per label (size genre_names.size()).
std::vector<int64_t> GenreByteCounts(const Corpus& corpus);

}  // namespace monosem

#endif  // MONOSEM_DATA_CORPUS_H_
