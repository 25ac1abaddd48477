// UTF-8 validation for text that enters a corpus (real documents, loaders).
#ifndef MONOSEM_DATA_UTF8_H_
#define MONOSEM_DATA_UTF8_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace monosem {

// The byte offset of the first invalid UTF-8 sequence (overlong forms,
// surrogates and code points past U+10FFFF included), or
// absl::string_view::npos when `s` is valid.
size_t FirstInvalidUtf8(absl::string_view s);

// For each position i of a byte sequence (bytes as the model's token ids,
// 0..255), whether the byte at i completes a character, so that the byte
// after it starts a new one: an ASCII byte, or the last continuation byte of
// a multi-byte sequence. A lead byte and an inner continuation byte do not.
// A continuation byte whose lead lies before the start of the sequence, or
// a stray byte that no valid sequence explains, counts as an end: nothing
// after it is constrained by a character in progress.
std::vector<bool> CharacterEnds(absl::Span<const int32_t> bytes);

}  // namespace monosem

#endif  // MONOSEM_DATA_UTF8_H_
