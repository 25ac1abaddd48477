#include "monosem/portable_math.h"

#include <cstdint>
#include <cstring>

namespace monosem {
namespace {

constexpr double kLn2 = 0.693147180559945309417232121458176568;
constexpr double kSqrtHalf = 0.707106781186547524400844362104849039;
constexpr double kHalfPi = 1.57079632679489661923132169163975144;

// Splits a normal positive double into m * 2^e with m in [sqrt(1/2), sqrt(2)),
// by bit manipulation (exact).
double Split(double x, int* e) {
  uint64_t bits;
  std::memcpy(&bits, &x, sizeof bits);
  int exponent = static_cast<int>((bits >> 52) & 0x7ff) - 1023;
  bits = (bits & ~(uint64_t{0x7ff} << 52)) | (uint64_t{1023} << 52);  // m in [1, 2)
  double m;
  std::memcpy(&m, &bits, sizeof m);
  if (m > 2.0 * kSqrtHalf) {
    m *= 0.5;
    ++exponent;
  }
  *e = exponent;
  return m;
}

}  // namespace

double PortableLog(double x) {
  int e;
  double m = Split(x, &e);
  // log(m) = 2 atanh(s), s = (m - 1) / (m + 1), |s| < 0.172: 12 odd terms reach
  // below 1e-19 relative.
  double s = (m - 1.0) / (m + 1.0);
  double s2 = s * s;
  double term = s;
  double sum = 0.0;
  for (int k = 0; k < 12; ++k) {
    sum += term / static_cast<double>(2 * k + 1);
    term *= s2;
  }
  return 2.0 * sum + static_cast<double>(e) * kLn2;
}

void PortableSinCos2Pi(double t, double* s, double* c) {
  // Quadrant from t (exact: t*4 is a power-of-two scaling), then a Taylor
  // series on [-pi/4, pi/4] around the quadrant's centre.
  double q4 = t * 4.0;
  int quadrant = static_cast<int>(q4 + 0.5);  // nearest quarter turn, 0..4
  double r = (q4 - static_cast<double>(quadrant)) * kHalfPi;  // |r| <= pi/4
  double r2 = r * r;
  // sin r = r - r^3/3! + ...; cos r = 1 - r^2/2! + ...; 11 terms each reach
  // below 1e-20 for |r| <= pi/4.
  double sin_r = 0.0, cos_r = 0.0;
  double ts = r, tc = 1.0;
  for (int k = 0; k < 11; ++k) {
    sin_r += ts;
    cos_r += tc;
    ts *= -r2 / static_cast<double>((2 * k + 2) * (2 * k + 3));
    tc *= -r2 / static_cast<double>((2 * k + 1) * (2 * k + 2));
  }
  switch (quadrant & 3) {
    case 0: *s = sin_r;  *c = cos_r;  break;
    case 1: *s = cos_r;  *c = -sin_r; break;
    case 2: *s = -sin_r; *c = -cos_r; break;
    default: *s = -cos_r; *c = sin_r; break;
  }
}

}  // namespace monosem
