#include "monosem/models/toy/toy_metrics.h"

#include <cmath>
#include <limits>

namespace monosem {

ToyMetrics ComputeToyMetrics(const float* w, int64_t m, int64_t n) {
  ToyMetrics r;
  r.norm.assign(n, 0.0);
  r.interference.assign(n, 0.0);
  r.dimensionality.assign(n, 0.0);
  // Gram matrix G_ij = W_i · W_j.
  std::vector<double> gram(n * n, 0.0);
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t j = 0; j < n; ++j) {
      double acc = 0.0;
      for (int64_t k = 0; k < m; ++k) {
        acc += static_cast<double>(w[k * n + i]) * static_cast<double>(w[k * n + j]);
      }
      gram[i * n + j] = acc;
    }
  }
  double frob2 = 0.0;
  for (int64_t i = 0; i < n; ++i) {
    const double sq = gram[i * n + i];
    frob2 += sq;
    r.norm[i] = std::sqrt(sq);
    if (r.norm[i] > kRepresentedNorm) ++r.represented;
    if (sq == 0.0) continue;
    // (Ŵ_i · W_j)² = G_ij² / ‖W_i‖².
    double others = 0.0;
    for (int64_t j = 0; j < n; ++j) {
      if (j != i) others += gram[i * n + j] * gram[i * n + j] / sq;
    }
    r.interference[i] = others;
    r.dimensionality[i] = sq / (sq + others);
    r.sum_dimensionality += r.dimensionality[i];
  }
  r.features_per_dim = frob2 / static_cast<double>(m);
  r.d_star = frob2 > 0 ? static_cast<double>(m) / frob2 : std::numeric_limits<double>::infinity();
  return r;
}

}  // namespace monosem
