#include "monosem/data/bf16.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "gtest/gtest.h"
#include "monosem/philox.h"

namespace monosem {
namespace {

float FromBits(uint32_t b) {
  float f;
  std::memcpy(&f, &b, 4);
  return f;
}
uint32_t ToBits(float f) {
  uint32_t b;
  std::memcpy(&b, &f, 4);
  return b;
}

TEST(Bf16, ExactValuesRoundTrip) {
  for (float f : {0.0f, -0.0f, 1.0f, -2.5f, 0.15625f, 65536.0f, 1e-38f * 0 + 3.0f}) {
    EXPECT_EQ(ToBits(Bf16ToFloat(FloatToBf16(f))), ToBits(f)) << f;
  }
  EXPECT_EQ(FloatToBf16(1.0f), 0x3F80);
  EXPECT_EQ(FloatToBf16(-2.0f), 0xC000);
}

TEST(Bf16, RoundsToNearestTiesToEven) {
  // 1 + 2^-8 is exactly halfway between bf16 1.0 (even) and 1 + 2^-7 (odd).
  EXPECT_EQ(FloatToBf16(FromBits(0x3F808000)), 0x3F80);
  // Halfway above an odd mantissa rounds up to even.
  EXPECT_EQ(FloatToBf16(FromBits(0x3F818000)), 0x3F82);
  // Just above / below halfway.
  EXPECT_EQ(FloatToBf16(FromBits(0x3F808001)), 0x3F81);
  EXPECT_EQ(FloatToBf16(FromBits(0x3F807FFF)), 0x3F80);
  // Negative numbers mirror positive ones.
  EXPECT_EQ(FloatToBf16(FromBits(0xBF808000)), 0xBF80);
  EXPECT_EQ(FloatToBf16(FromBits(0xBF818000)), 0xBF82);
  // Rounding carries into the exponent.
  EXPECT_EQ(FloatToBf16(FromBits(0x3FFFFFFF)), 0x4000);
}

TEST(Bf16, SpecialValues) {
  const float inf = std::numeric_limits<float>::infinity();
  EXPECT_EQ(FloatToBf16(inf), 0x7F80);
  EXPECT_EQ(FloatToBf16(-inf), 0xFF80);
  // The largest float is above the largest bf16 + half an ulp: overflows to inf.
  EXPECT_EQ(FloatToBf16(std::numeric_limits<float>::max()), 0x7F80);
  // NaN stays NaN, even a payload that would round into the infinity pattern.
  EXPECT_TRUE(std::isnan(Bf16ToFloat(FloatToBf16(std::numeric_limits<float>::quiet_NaN()))));
  EXPECT_TRUE(std::isnan(Bf16ToFloat(FloatToBf16(FromBits(0x7F800001)))));
  EXPECT_TRUE(std::isnan(Bf16ToFloat(FloatToBf16(FromBits(0xFFFFFFFF)))));
  // Subnormals round like everything else.
  EXPECT_EQ(FloatToBf16(FromBits(0x00008000)), 0x0000);
  EXPECT_EQ(FloatToBf16(FromBits(0x00018000)), 0x0002);
  EXPECT_EQ(FloatToBf16(FromBits(0x00010000)), 0x0001);
}

// Against a slow, obviously-right rounding: pick the nearer of the two bf16
// neighbours by exact double arithmetic, ties to the even one.
TEST(Bf16, MatchesSlowReferenceOnRandomInputs) {
  Philox rng(11, 3);
  for (int i = 0; i < 200000; ++i) {
    const uint32_t bits = rng.NextWord();
    const float f = FromBits(bits);
    if (!std::isfinite(f)) continue;
    const uint32_t down = bits & 0xFFFF0000u;
    const uint32_t up = down + 0x10000u;
    const double fd = f, dd = FromBits(down);
    const double ud = ((up >> 16) & 0x7F80) == 0x7F80 && ((down >> 16) & 0x7FFF) == 0x7F7F
                          ? std::copysign(std::ldexp(1.0, 128), fd)  // the next value is inf
                          : static_cast<double>(FromBits(up));
    const double ed = std::fabs(fd - dd), eu = std::fabs(ud - fd);
    uint16_t want;
    if (ed < eu) want = down >> 16;
    else if (eu < ed) want = up >> 16;
    else want = ((down >> 16) & 1) ? up >> 16 : down >> 16;
    ASSERT_EQ(FloatToBf16(f), want) << std::hex << bits;
  }
}

TEST(Bf16, RelativeErrorAtMostHalfUlp) {
  Philox rng(5, 0);
  std::vector<float> x(4096);
  for (float& v : x) v = rng.Normal() * 100.0f;
  std::vector<uint16_t> h(x.size());
  std::vector<float> back(x.size());
  FloatToBf16(x, absl::MakeSpan(h));
  Bf16ToFloat(h, absl::MakeSpan(back));
  for (size_t i = 0; i < x.size(); ++i) {
    EXPECT_LE(std::fabs(back[i] - x[i]), std::ldexp(std::fabs(x[i]), -8) * 1.0000001) << x[i];
  }
}

}  // namespace
}  // namespace monosem
