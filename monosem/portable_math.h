// log and sin/cos from IEEE-754 +, -, *, / only, so that results are
// bit-identical on every compiler, libm and GPU (libm's log and cos are not
// required to be correctly rounded and differ between implementations).
// Accurate to a few ulp of double, which is far below float resolution.
#ifndef MONOSEM_PORTABLE_MATH_H_
#define MONOSEM_PORTABLE_MATH_H_

namespace monosem {

// Natural log for x > 0 (finite, normal).
double PortableLog(double x);
// sin and cos of 2*pi*t for t in [0, 1).
void PortableSinCos2Pi(double t, double* s, double* c);

}  // namespace monosem

#endif  // MONOSEM_PORTABLE_MATH_H_
