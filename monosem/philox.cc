#include "monosem/philox.h"

#include <cmath>

#include "monosem/portable_math.h"

namespace monosem {
namespace {

constexpr uint32_t kMul0 = 0xD2511F53u;
constexpr uint32_t kMul1 = 0xCD9E8D57u;
constexpr uint32_t kWeyl0 = 0x9E3779B9u;
constexpr uint32_t kWeyl1 = 0xBB67AE85u;

inline void MulHiLo(uint32_t a, uint32_t b, uint32_t* hi, uint32_t* lo) {
  uint64_t p = static_cast<uint64_t>(a) * b;
  *hi = static_cast<uint32_t>(p >> 32);
  *lo = static_cast<uint32_t>(p);
}

}  // namespace

PhiloxBlock Philox4x32_10(PhiloxBlock x, std::array<uint32_t, 2> key) {
  for (int round = 0; round < 10; ++round) {
    uint32_t hi0, lo0, hi1, lo1;
    MulHiLo(kMul0, x[0], &hi0, &lo0);
    MulHiLo(kMul1, x[2], &hi1, &lo1);
    x = {hi1 ^ x[1] ^ key[0], lo1, hi0 ^ x[3] ^ key[1], lo0};
    key[0] += kWeyl0;
    key[1] += kWeyl1;
  }
  return x;
}

float WordsToNormal(uint32_t w0, uint32_t w1) {
  // u0 in (0, 1) so the log is finite; u1 in [0, 1).
  double u0 = (static_cast<double>(w0) + 0.5) * (1.0 / 4294967296.0);
  double u1 = static_cast<double>(w1) * (1.0 / 4294967296.0);
  double radius = std::sqrt(-2.0 * PortableLog(u0));  // sqrt is correctly rounded
  double s, c;
  PortableSinCos2Pi(u1, &s, &c);
  return static_cast<float>(radius * c);
}

PhiloxBlock Philox::Block(uint64_t block) const {
  return Philox4x32_10(
      {static_cast<uint32_t>(block), static_cast<uint32_t>(block >> 32),
       static_cast<uint32_t>(stream_), static_cast<uint32_t>(stream_ >> 32)},
      {static_cast<uint32_t>(seed_), static_cast<uint32_t>(seed_ >> 32)});
}

float Philox::NormalAt(uint64_t i) const {
  PhiloxBlock b = Block(i);
  return WordsToNormal(b[0], b[1]);
}

}  // namespace monosem
