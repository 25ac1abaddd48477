#include "monosem/report/html.h"

#include "absl/strings/str_format.h"

namespace monosem::report {
namespace {

constexpr char kReplacement[] = "\xEF\xBF\xBD";  // U+FFFD

// Length of the valid UTF-8 sequence starting at s[i], or 0 when it is not
// one (overlong forms, surrogates and values past U+10FFFF included).
int Utf8Length(absl::string_view s, size_t i) {
  const unsigned char c = s[i];
  if (c < 0x80) return 1;
  int n = 0;
  unsigned char lo = 0x80, hi = 0xBF;
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3;
    if (c == 0xE0) lo = 0xA0;
    if (c == 0xED) hi = 0x9F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  const unsigned char c1 = s[i + 1];
  if (c1 < lo || c1 > hi) return 0;
  for (int k = 2; k < n; ++k) {
    const unsigned char ck = s[i + k];
    if (ck < 0x80 || ck > 0xBF) return 0;
  }
  return n;
}

}  // namespace

std::string ValidUtf8(absl::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    const int n = Utf8Length(text, i);
    if (n == 0) {
      out += kReplacement;
      ++i;
    } else {
      out.append(text.data() + i, n);
      i += n;
    }
  }
  return out;
}

std::string HtmlEscape(absl::string_view text) {
  const std::string valid = ValidUtf8(text);
  std::string out;
  out.reserve(valid.size() + valid.size() / 8);
  for (char c : valid) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string JsonForScript(const nlohmann::json& value) {
  const std::string text = value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  std::string out;
  out.reserve(text.size() + 64);
  for (char c : text) {
    switch (c) {
      case '<': out += "\\u003c"; break;
      case '>': out += "\\u003e"; break;
      case '&': out += "\\u0026"; break;
      default: out += c;
    }
  }
  return out;
}

std::vector<TextCell> SplitCells(absl::string_view bytes) {
  std::vector<TextCell> cells;
  for (size_t i = 0; i < bytes.size();) {
    const unsigned char c = bytes[i];
    const int n = Utf8Length(bytes, i);
    TextCell cell;
    cell.first = static_cast<int>(i);
    cell.bytes = n == 0 ? 1 : n;
    if (n == 0) {
      cell.text = absl::StrFormat("\\x%02X", c);
    } else if (c == '\n') {
      cell.text = "\xE2\x8F\x8E";  // U+23CE RETURN SYMBOL
    } else if (c == '\t') {
      cell.text = "\xE2\x86\x92";  // U+2192 RIGHTWARDS ARROW
    } else if (c < 0x20 || c == 0x7F) {
      cell.text = absl::StrFormat("\\x%02X", c);
    } else {
      cell.text.assign(bytes.data() + i, n);
    }
    i += cell.bytes;
    cells.push_back(std::move(cell));
  }
  return cells;
}

}  // namespace monosem::report
