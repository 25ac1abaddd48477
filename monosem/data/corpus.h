// The built-in labelled corpus: a deterministic, seeded byte stream in which
// every byte carries a leaf label of a two-level label tree.
//
// Why a tree of hundreds of labels: a one-layer model with 512 MLP neurons
// can spend one neuron per genre when there are a dozen genres, so nothing
// forces superposition; with ~260 leaves (most of them formal kinds a single
// unit can carry: scripts, encodings, notations, code, markup, tables) there
// are far more features than neurons. And every genre's leaves share the
// genre's character (its alphabet, format or language) while differing in
// their bytes, so a small dictionary can learn a genre feature that a larger
// one splits into leaf features. docs/data.md lists every label's measured
// share and unigram entropy.
//
// Top-level genres: the paper's (prose, dialogue, citation, http, korean,
// arabic, hebrew, dna, base64, html, numbers) and code, data, table, markup,
// math, url, hex, log, latin, cyrillic, greek, indic, sea, cjk, emoji. Leaves
// are "genre/leaf" (e.g. "base64/pem", "prose/religion"); corpus_leaves.h
// says how they are generated.
//
// Each document is one leaf. Its leaf comes from a smooth weighted round
// robin over the leaves' weights (genre weight x Zipfian leaf share), whose
// phases are drawn from Philox(seed, 0): every leaf with at least one
// document's worth of weight occurs, and byte shares match the weights to
// within a document per leaf. Its target length is drawn uniformly from
// [doc_bytes_min, doc_bytes_max]; it is generated whole units (sentences,
// lines, records, functions) at a time until it reaches the target, then ends
// with a blank line ("\n") carrying the leaf's label. The stream is cut at
// exactly n_bytes on a UTF-8 character boundary (padding with at most 3 '\n'
// of the last label), so the whole stream is valid UTF-8.
//
// Randomness is Philox only: document i uses its own stream Philox(seed,
// i + 1); the word-level language (vocabularies, preferred bigrams, every
// leaf's own words) comes from Philox(language_seed, ...), so two corpora
// with different `seed` speak the same language. The same config and n_bytes
// give the same bytes on every machine.
//
// Label 0, "unknown", is used by the text loaders (text_loader.h).
#ifndef MONOSEM_DATA_CORPUS_H_
#define MONOSEM_DATA_CORPUS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "monosem/data/label.h"
#include "proto/config.pb.h"

namespace monosem {

inline constexpr LabelId kLabelUnknown = 0;

// The built-in label tree: "unknown", then each genre followed by its leaves.
const LabelSet& BuiltinLabels();
// Id of a built-in label name ("dna", "base64/pem"), or NotFound.
absl::StatusOr<LabelId> BuiltinLabelId(const std::string& name);
// Leaf ids of a built-in genre id, in rank order (empty for a leaf).
const std::vector<int>& BuiltinLeavesOf(int genre_id);

struct Corpus {
  std::vector<uint8_t> bytes;
  std::vector<LabelId> label;  // one label id per byte
  LabelSet labels;             // id -> name and parent

  int64_t size() const { return static_cast<int64_t>(bytes.size()); }
};

// The embedded default config (a text proto; see proto/config.proto).
const std::string& DefaultCorpusConfigText();
const CorpusConfig& DefaultCorpusConfig();
// Parses a CorpusConfig text proto; errors are "FILENAME:LINE:COL: ...".
absl::StatusOr<CorpusConfig> ParseCorpusConfig(const std::string& text,
                                               const std::string& filename);

// Generates exactly n_bytes. Unset config fields take the default's values.
// n_bytes <= 0 (an empty corpus), an unknown genre or leaf name, a leaf named
// in `genres` or a genre in `leaves`, a negative or non-finite weight or
// exponent, all-zero weights or doc_bytes_min > doc_bytes_max are
// InvalidArgument errors naming the field.
absl::StatusOr<Corpus> GenerateCorpus(const CorpusConfig& config, int64_t n_bytes);

// Cuts a corpus longer than n_bytes to exactly n_bytes on a UTF-8 character
// boundary: a character spanning the cut is dropped and the gap padded with
// '\n' of the label before it (at most 3 bytes). Shorter corpora are kept.
void CutCorpus(Corpus* corpus, int64_t n_bytes);

// [begin, end) of a corpus, label set kept.
Corpus SliceCorpus(const Corpus& corpus, int64_t begin, int64_t end);

// Unigram (byte-frequency) entropy in NATS per byte: -sum p ln p. The model's
// loss per byte is in nats too, so a model that has learned anything beats
// this. 0 for an empty input.
double UnigramEntropyNats(absl::Span<const uint8_t> bytes);
// The same for the bytes of each label (size labels.size(); 0 where a label
// has no bytes). A parent's entry covers the bytes of all its descendants.
std::vector<double> UnigramEntropyNatsPerLabel(const Corpus& corpus);
// Bytes per label (size labels.size()); a parent counts its descendants'.
std::vector<int64_t> LabelByteCounts(const Corpus& corpus);

// The same bytes labelled by top-level genre only: labels is
// TopLevelLabels(corpus.labels) (about 27 entries instead of hundreds), so
// per-genre metrics and report rows stay per genre.
Corpus TopLevelCorpus(const Corpus& corpus);

}  // namespace monosem

#endif  // MONOSEM_DATA_CORPUS_H_
