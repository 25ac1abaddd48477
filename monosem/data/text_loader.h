// Real text as a labelled Corpus (corpus.h): plain text files, folders of
// them, JSONL with a "text" field, and the Pile's .jsonl.zst shards
// (decompressed in a stream through libzstd, so a 14 GB shard never sits in
// memory; use max_bytes to take a prefix).
//
// Each document (a plain file, or one JSONL record) is appended followed by
// `separator`. Labels: the label set starts as BuiltinLabels(), so loaded
// text is label 0, "unknown", unless `genre_field` names a JSONL field (a
// dotted path: "meta.pile_set_name" for the Pile) whose string value becomes
// the label; a value that is a built-in label name ("hebrew", "code/python")
// gets that label's id, any other value a new top-level label appended to the
// set (at most kMaxLabels labels).
//
// Errors name the file and where: a zstd stream that is corrupt or truncated
// gives the compressed byte offset; a malformed JSONL record its line number
// and (decompressed) byte offset; a record without a string text field its
// line. Folders are read recursively in sorted path order (hidden entries
// skipped). A path that yields no text at all is an "empty corpus" error.
#ifndef MONOSEM_DATA_TEXT_LOADER_H_
#define MONOSEM_DATA_TEXT_LOADER_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "monosem/data/corpus.h"

namespace monosem {

struct TextLoadOptions {
  std::string text_field = "text";
  std::string genre_field;       // empty: every byte is "unknown"
  std::string separator = "\n";  // appended after each document
  int64_t max_bytes = 0;         // > 0: stop once the corpus holds this many bytes (cut exactly)
};

// Dispatches on what `path` is: a folder (recursively), "*.zst" (JSONL inside
// zstd), "*.jsonl" / "*.ndjson" (JSONL), anything else (plain text, one
// document per file).
absl::StatusOr<Corpus> LoadText(const std::string& path, const TextLoadOptions& options = {});

}  // namespace monosem

#endif  // MONOSEM_DATA_TEXT_LOADER_H_
