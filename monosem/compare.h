// Comparing a backend's output with the reference's, with a tolerance that
// scales with the reduction depth K (DESIGN.md, "Numbers, seeds, tolerances"):
//
//   every element:  |got - want| <= atol + rtol * sqrt(K) * max|want|
//   on average:     mean |got - want| <= atol + r * sqrt(K) * max|want|,
//                   r = max(mean_rtol, rtol / sqrt(n)) for n elements
//
// The mean bound is several times tighter than the max bound: rounding errors
// have random signs and average out, a systematic bias does not, so a small
// bias that hides under the per-element bound still fails. NaN and Inf in
// `got` never pass (nor in `want`, which would mean a broken reference).
#ifndef MONOSEM_COMPARE_H_
#define MONOSEM_COMPARE_H_

#include <cstdint>
#include <string>

#include "monosem/tensor.h"

namespace monosem {

struct Tolerance {
  double atol = 0.0;
  double rtol = 0.0;
  double mean_rtol = 0.0;
  int64_t depth = 1;  // the reduction depth K
};

// Default float32 tolerances for a kernel with reduction depth K. rtol is ~2
// float32 ulps per sqrt(K), measured to leave >= 4x headroom over OpenBLAS,
// LibTorch and naive float accumulation (see docs/tolerances.md).
Tolerance Float32Tolerance(int64_t depth);

struct Comparison {
  bool ok = false;
  int64_t count = 0;
  int64_t nonfinite = 0;
  int64_t worst_index = -1;
  double max_abs_error = 0.0;
  double mean_abs_error = 0.0;
  double max_abs_want = 0.0;
  double max_bound = 0.0;
  double mean_bound = 0.0;
  std::string message;  // why it failed, naming the element; empty when ok
};

Comparison Compare(const float* got, const float* want, int64_t n, const Tolerance& tol);
Comparison Compare(const Tensor& got, const Tensor& want, const Tolerance& tol);

}  // namespace monosem

#endif  // MONOSEM_COMPARE_H_
