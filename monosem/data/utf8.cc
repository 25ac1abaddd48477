#include "monosem/data/utf8.h"

#include <cstdint>

namespace monosem {

size_t FirstInvalidUtf8(absl::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const unsigned char c = s[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    int len = 0;
    uint32_t cp = 0;
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2, cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3, cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4, cp = c & 0x07;
    } else {
      return i;
    }
    if (i + len > s.size()) return i;
    for (int k = 1; k < len; ++k) {
      const unsigned char d = s[i + k];
      if ((d & 0xC0) != 0x80) return i;
      cp = (cp << 6) | (d & 0x3F);
    }
    const uint32_t min_cp = len == 2 ? 0x80 : len == 3 ? 0x800 : 0x10000;
    if (cp < min_cp || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return i;
    i += len;
  }
  return absl::string_view::npos;
}

// The length a lead byte announces (2..4), or 0 for a byte that cannot lead
// a multi-byte character.
static int SequenceLength(int32_t b) {
  if (b >= 0xC2 && b <= 0xDF) return 2;
  if (b >= 0xE0 && b <= 0xEF) return 3;
  if (b >= 0xF0 && b <= 0xF4) return 4;
  return 0;
}

std::vector<bool> CharacterEnds(absl::Span<const int32_t> bytes) {
  const int64_t n = static_cast<int64_t>(bytes.size());
  std::vector<bool> ends(n, true);
  for (int64_t i = 0; i < n; ++i) {
    const int len = SequenceLength(bytes[i]);
    if (len == 0) continue;
    // A lead byte: the character is in progress until its last continuation
    // byte, or until a byte that is not a continuation cuts it short.
    int64_t k = 1;
    while (k < len && i + k < n && (bytes[i + k] & 0xC0) == 0x80) ++k;
    const bool complete = k == len;
    const bool truncated_by_end = !complete && i + k == n;
    // Every byte of a complete or still-open character but its last is
    // inside it; a character cut short by a foreign byte leaves its bytes
    // as ends (nothing valid can follow them anyway).
    if (complete || truncated_by_end) {
      for (int64_t j = i; j < i + k - (complete ? 1 : 0); ++j) ends[j] = false;
    }
    i += k - 1;
  }
  return ends;
}

}  // namespace monosem

