#include "ci/gate/mann_whitney.h"

#include <algorithm>
#include <cmath>
#include <utility>

namespace monosem::gate {
namespace {

// Number of orderings of n1 x's and n2 y's with U1 = u, for every u in
// [0, n1*n2]: c(m, n, u) = c(m-1, n, u-n) + c(m, n-1, u) (the last element is
// an x, which beats all n y's, or a y). Counts fit a double exactly up to
// C(50, 25) ~ 1.3e14 < 2^53.
std::vector<double> ExactCounts(int n1, int n2) {
  // table[m][n] is the count vector for (m, n); rolled over m.
  std::vector<std::vector<double>> prev(n2 + 1), cur(n2 + 1);
  for (int n = 0; n <= n2; ++n) prev[n] = {1.0};  // m = 0: one ordering, U = 0
  for (int m = 1; m <= n1; ++m) {
    cur[0] = {1.0};  // n = 0: U = 0
    for (int n = 1; n <= n2; ++n) {
      std::vector<double> c(m * n + 1, 0.0);
      const std::vector<double>& a = prev[n];    // (m-1, n), shifted by n
      const std::vector<double>& b = cur[n - 1];  // (m, n-1)
      for (size_t u = 0; u < a.size(); ++u) c[u + n] += a[u];
      for (size_t u = 0; u < b.size(); ++u) c[u] += b[u];
      cur[n] = std::move(c);
    }
    std::swap(prev, cur);
  }
  return prev[n2];
}

}  // namespace

MannWhitneyResult MannWhitneyU(const std::vector<double>& x, const std::vector<double>& y) {
  MannWhitneyResult r;
  const int n1 = static_cast<int>(x.size()), n2 = static_cast<int>(y.size());
  if (n1 == 0 || n2 == 0) return r;
  const int n = n1 + n2;
  std::vector<std::pair<double, int>> all;  // value, sample (0 = x, 1 = y)
  all.reserve(n);
  for (double v : x) all.push_back({v, 0});
  for (double v : y) all.push_back({v, 1});
  std::sort(all.begin(), all.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  double r1 = 0, tie_term = 0;
  bool ties = false;
  for (int i = 0; i < n;) {
    int j = i;
    while (j < n && all[j].first == all[i].first) ++j;
    const double t = j - i, rank = (i + 1 + j) / 2.0;  // average of ranks i+1 .. j
    if (t > 1) {
      ties = true;
      tie_term += t * t * t - t;
    }
    for (int k = i; k < j; ++k)
      if (all[k].second == 0) r1 += rank;
    i = j;
  }
  r.u = r1 - n1 * (n1 + 1) / 2.0;
  const double mu = n1 * static_cast<double>(n2) / 2.0;
  if (!ties && n1 <= kExactMaxN && n2 <= kExactMaxN) {
    const std::vector<double> counts = ExactCounts(n1, n2);
    double total = 0, le = 0, ge = 0;
    const int u = static_cast<int>(std::lround(r.u));
    for (int k = 0; k < static_cast<int>(counts.size()); ++k) {
      total += counts[k];
      if (k <= u) le += counts[k];
      if (k >= u) ge += counts[k];
    }
    r.exact = true;
    r.p = std::min(1.0, 2.0 * std::min(le, ge) / total);
    return r;
  }
  const double var =
      n1 * static_cast<double>(n2) / 12.0 * ((n + 1) - tie_term / (static_cast<double>(n) * (n - 1)));
  if (var <= 0) return r;  // every value equal: no evidence of a difference
  const double z = std::max(0.0, std::fabs(r.u - mu) - 0.5) / std::sqrt(var);
  r.p = std::min(1.0, std::erfc(z / std::sqrt(2.0)));
  return r;
}

}  // namespace monosem::gate
