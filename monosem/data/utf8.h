// UTF-8 validation for text that enters a corpus (real documents, loaders).
#ifndef MONOSEM_DATA_UTF8_H_
#define MONOSEM_DATA_UTF8_H_

#include <cstddef>

#include "absl/strings/string_view.h"

namespace monosem {

// The byte offset of the first invalid UTF-8 sequence (overlong forms,
// surrogates and code points past U+10FFFF included), or
// absl::string_view::npos when `s` is valid.
size_t FirstInvalidUtf8(absl::string_view s);

}  // namespace monosem

#endif  // MONOSEM_DATA_UTF8_H_
