#include "monosem/compare.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"

namespace monosem {

Tolerance Float32Tolerance(int64_t depth) {
  Tolerance t;
  t.depth = depth < 1 ? 1 : depth;
  t.rtol = 2.5e-7;        // ~2 ulp of float32 per sqrt(K)
  t.mean_rtol = 3e-8;     // rounding averages out; bias does not
  t.atol = 1e-30;         // only so that an all-zero reference is comparable
  return t;
}

Comparison Compare(const float* got, const float* want, int64_t n, const Tolerance& tol) {
  Comparison c;
  c.count = n;
  double max_want = 0.0;
  for (int64_t i = 0; i < n; ++i) {
    if (!std::isfinite(want[i])) {
      c.message = absl::StrCat("reference element ", i, " is ", want[i]);
      return c;
    }
    max_want = std::max(max_want, std::fabs(static_cast<double>(want[i])));
  }
  c.max_abs_want = max_want;
  const double sqrt_k = std::sqrt(static_cast<double>(tol.depth));
  c.max_bound = tol.atol + tol.rtol * sqrt_k * max_want;
  // The mean of n independent rounding errors shrinks like 1/sqrt(n); with
  // few elements there is nothing to average, so the mean bound relaxes
  // toward the per-element one (n = 1: equal).
  const double mean_rtol =
      std::max(tol.mean_rtol, tol.rtol / std::sqrt(static_cast<double>(std::max<int64_t>(n, 1))));
  c.mean_bound = tol.atol + mean_rtol * sqrt_k * max_want;
  double sum_err = 0.0;
  int64_t first_bad = -1;
  for (int64_t i = 0; i < n; ++i) {
    if (!std::isfinite(got[i])) {
      if (c.nonfinite++ == 0) first_bad = i;
      continue;
    }
    const double err = std::fabs(static_cast<double>(got[i]) - want[i]);
    sum_err += err;
    if (err > c.max_abs_error) {
      c.max_abs_error = err;
      c.worst_index = i;
    }
  }
  c.mean_abs_error = n > 0 ? sum_err / static_cast<double>(n) : 0.0;
  if (c.nonfinite > 0) {
    c.message = absl::StrCat(c.nonfinite, " of ", n, " elements are NaN/Inf (first at index ",
                             first_bad, ": ", got[first_bad], ", want ", want[first_bad], ")");
  } else if (c.max_abs_error > c.max_bound) {
    c.message = absl::StrCat("element ", c.worst_index, ": got ", got[c.worst_index], ", want ",
                             want[c.worst_index], ", |error| ", c.max_abs_error, " > bound ",
                             c.max_bound, " (K=", tol.depth, ", max|want|=", max_want, ")");
  } else if (c.mean_abs_error > c.mean_bound) {
    c.message = absl::StrCat("mean |error| ", c.mean_abs_error, " > bound ", c.mean_bound,
                             " (K=", tol.depth, ", max|want|=", max_want,
                             "): a systematic bias");
  } else {
    c.ok = true;
  }
  return c;
}

Comparison Compare(const Tensor& got, const Tensor& want, const Tolerance& tol) {
  if (got.shape() != want.shape()) {
    Comparison c;
    c.message = absl::StrCat("shape ", ShapeToString(got.shape()), " != reference shape ",
                             ShapeToString(want.shape()));
    return c;
  }
  return Compare(got.data(), want.data(), got.size(), tol);
}

}  // namespace monosem
