#include "monosem/data/bf16.h"

namespace monosem {

void FloatToBf16(absl::Span<const float> in, absl::Span<uint16_t> out) {
  const size_t n = in.size() < out.size() ? in.size() : out.size();
  for (size_t i = 0; i < n; ++i) out[i] = FloatToBf16(in[i]);
}

void Bf16ToFloat(absl::Span<const uint16_t> in, absl::Span<float> out) {
  const size_t n = in.size() < out.size() ? in.size() : out.size();
  for (size_t i = 0; i < n; ++i) out[i] = Bf16ToFloat(in[i]);
}

}  // namespace monosem
