// The toy model's geometry metrics, exactly as METRICS.md defines them, for
// one instance's W (m x n, row-major; column i is feature i's direction W_i):
//   norm_i           ‖W_i‖
//   interference_i   Σ_{j≠i} (Ŵ_i · W_j)²,  Ŵ_i = W_i / ‖W_i‖
//   features_per_dim ‖W‖_F² / m;  d_star = m / ‖W‖_F²
//   dimensionality_i D_i = ‖W_i‖² / Σ_j (Ŵ_i · W_j)²   (the j = i term is ‖W_i‖²)
//   represented      #{i : ‖W_i‖ > 0.5}
// A zero column has no direction: its interference and D_i are defined as 0
// (the paper's "0" cluster of unlearned features). d_star is +inf for W = 0.
// Every sum is accumulated in double.
#ifndef MONOSEM_MODELS_TOY_TOY_METRICS_H_
#define MONOSEM_MODELS_TOY_TOY_METRICS_H_

#include <cstdint>
#include <vector>

namespace monosem {

struct ToyMetrics {
  std::vector<double> norm;
  std::vector<double> interference;
  std::vector<double> dimensionality;
  double features_per_dim = 0;
  double d_star = 0;
  int64_t represented = 0;
  double sum_dimensionality = 0;  // Σ_i D_i (≈ m when features pack efficiently)
};

ToyMetrics ComputeToyMetrics(const float* w, int64_t m, int64_t n);

// Threshold of `represented`.
inline constexpr double kRepresentedNorm = 0.5;

}  // namespace monosem

#endif  // MONOSEM_MODELS_TOY_TOY_METRICS_H_
