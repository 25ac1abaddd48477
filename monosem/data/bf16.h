// bfloat16 <-> float32. bf16 keeps float32's sign and 8-bit exponent and the
// top 7 mantissa bits, so conversion is a 16-bit shift with rounding.
//
// FloatToBf16 rounds to nearest, ties to even (as IEEE-754 and every GPU's
// conversion instruction do); values above the largest bf16 round to infinity,
// infinities stay infinite, and NaN stays NaN (quieted, sign kept), never
// rounding into infinity. Bf16ToFloat is exact.
#ifndef MONOSEM_DATA_BF16_H_
#define MONOSEM_DATA_BF16_H_

#include <cstdint>
#include <cstring>

#include "absl/types/span.h"

namespace monosem {

inline uint16_t FloatToBf16(float f) {
  uint32_t bits;
  std::memcpy(&bits, &f, sizeof(bits));
  if ((bits & 0x7fffffffu) > 0x7f800000u) {  // NaN: keep sign and payload top, force quiet
    return static_cast<uint16_t>((bits >> 16) | 0x0040u);
  }
  const uint32_t lsb = (bits >> 16) & 1u;
  bits += 0x7fffu + lsb;  // carries into the exponent when rounding up overflows
  return static_cast<uint16_t>(bits >> 16);
}

inline float Bf16ToFloat(uint16_t h) {
  const uint32_t bits = static_cast<uint32_t>(h) << 16;
  float f;
  std::memcpy(&f, &bits, sizeof(f));
  return f;
}

// Bulk versions; `out` must have the same size as `in`.
void FloatToBf16(absl::Span<const float> in, absl::Span<uint16_t> out);
void Bf16ToFloat(absl::Span<const uint16_t> in, absl::Span<float> out);

}  // namespace monosem

#endif  // MONOSEM_DATA_BF16_H_
