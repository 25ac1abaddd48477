// Escaping for the pages monosem writes. Corpus text reaches report.html and
// the feature browser only through these functions (or through the DOM's
// textContent in the pages' own scripts), so a context holding "<script>" or
// "&" shows as text and never runs or parses as markup.
#ifndef MONOSEM_REPORT_HTML_H_
#define MONOSEM_REPORT_HTML_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "nlohmann/json.hpp"

namespace monosem::report {

// Escapes & < > " ' for element content and quoted attribute values. Bytes
// that are not valid UTF-8 become U+FFFD, so the page is always valid UTF-8.
std::string HtmlEscape(absl::string_view text);

// `text` with every invalid UTF-8 sequence replaced by U+FFFD.
std::string ValidUtf8(absl::string_view text);

// JSON text safe to place inside <script>...</script>: '<', '>' and '&' are
// written as \u003c, \u003e, \u0026 (they only occur inside JSON strings,
// where the escapes mean the same), so "</script>" in the data cannot close
// the element. Invalid UTF-8 in strings becomes U+FFFD.
std::string JsonForScript(const nlohmann::json& value);

// One shown character of a byte context: a whole UTF-8 character (so a
// 3-byte Hangul syllable is one cell), a visible stand-in for a control byte
// (newline as U+23CE, tab as U+2192, others as \xNN), or \xNN for a byte that
// is not part of valid UTF-8. `first` is the index of its first byte.
struct TextCell {
  std::string text;
  int first = 0;
  int bytes = 1;
};
std::vector<TextCell> SplitCells(absl::string_view bytes);

}  // namespace monosem::report

#endif  // MONOSEM_REPORT_HTML_H_
