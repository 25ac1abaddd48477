#include "monosem/models/toy/toy_phase.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace monosem {
namespace {

// ∫_lo^hi (k v + c)² dv.
double Quad(double k, double c, double lo, double hi) {
  if (hi <= lo) return 0.0;
  return k * k * (hi * hi * hi - lo * lo * lo) / 3.0 + k * c * (hi * hi - lo * lo) +
         c * c * (hi - lo);
}

// ∫_0^1 (p v + q − ReLU(β v + γ))² dv, exactly.
double J(double p, double q, double beta, double gamma) {
  double lo = 0.0, hi = 0.0;  // the active interval (β v + γ > 0)
  if (beta == 0.0) {
    if (gamma > 0.0) hi = 1.0;
  } else if (beta > 0.0) {
    lo = std::clamp(-gamma / beta, 0.0, 1.0);
    hi = 1.0;
  } else {
    lo = 0.0;
    hi = std::clamp(-gamma / beta, 0.0, 1.0);
  }
  return Quad(p, q, 0.0, 1.0) - Quad(p, q, lo, hi) + Quad(p - beta, q - gamma, lo, hi);
}

// ∫_0^1∫_0^1 (u − ReLU(a u + c v + d))² dv du. For fixed u the v-integral is J
// (closed form); as a function of u it is a cubic between the points where the
// kink line enters or leaves the square's v-range (a u + d ∈ {0, −c}), so
// 3-point Gauss-Legendre on each piece is exact.
double G(double a, double c, double d) {
  std::vector<double> cuts = {0.0, 1.0};
  if (a != 0.0) {
    for (double u : {-d / a, (-c - d) / a}) {
      if (u > 0.0 && u < 1.0) cuts.push_back(u);
    }
  }
  std::sort(cuts.begin(), cuts.end());
  static const double kX[3] = {-std::sqrt(0.6), 0.0, std::sqrt(0.6)};
  static const double kW[3] = {5.0 / 9.0, 8.0 / 9.0, 5.0 / 9.0};
  double total = 0.0;
  for (size_t k = 0; k + 1 < cuts.size(); ++k) {
    const double lo = cuts[k], hi = cuts[k + 1];
    const double half = 0.5 * (hi - lo), mid = 0.5 * (hi + lo);
    for (int q = 0; q < 3; ++q) {
      const double u = mid + half * kX[q];
      total += half * kW[q] * J(0.0, u, c, a * u + d);
    }
  }
  return total;
}

double Relu(double v) { return v > 0.0 ? v : 0.0; }

// Expected loss of feature i's output term, E[(x_i − ReLU(w_i h + b_i))²].
double FeatureTerm(double wi, double wo, double bi, double s) {
  // Both zero; only this feature on (x_i = u); only the other on; both on.
  const double none = Relu(bi) * Relu(bi);
  const double self = J(1.0, 0.0, wi * wi, bi);
  const double other = J(0.0, 0.0, wi * wo, bi);
  const double both = G(wi * wi, wi * wo, bi);
  return (1 - s) * (1 - s) * none + s * (1 - s) * (self + other) + s * s * both;
}

// Nelder-Mead on PhaseExpectedLoss.
PhaseParams Minimize(PhaseParams x0, double r, double s, double step, int max_evals) {
  constexpr int kN = 4;
  std::array<PhaseParams, kN + 1> pts;
  std::array<double, kN + 1> val;
  pts[0] = x0;
  for (int i = 0; i < kN; ++i) {
    pts[i + 1] = x0;
    pts[i + 1][i] += step;
  }
  int evals = 0;
  auto f = [&](const PhaseParams& p) {
    ++evals;
    return PhaseExpectedLoss(p, r, s);
  };
  for (int i = 0; i <= kN; ++i) val[i] = f(pts[i]);
  while (evals < max_evals) {
    std::array<int, kN + 1> order;
    for (int i = 0; i <= kN; ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [&](int a, int b) { return val[a] < val[b]; });
    const int best = order[0], worst = order[kN], second = order[kN - 1];
    if (std::fabs(val[worst] - val[best]) <= 1e-15 + 1e-13 * std::fabs(val[best])) break;
    PhaseParams c{};
    for (int i = 0; i <= kN; ++i) {
      if (i == worst) continue;
      for (int k = 0; k < kN; ++k) c[k] += pts[i][k] / kN;
    }
    auto along = [&](double t) {
      PhaseParams p;
      for (int k = 0; k < kN; ++k) p[k] = c[k] + t * (pts[worst][k] - c[k]);
      return p;
    };
    const PhaseParams xr = along(-1.0);
    const double fr = f(xr);
    if (fr < val[best]) {
      const PhaseParams xe = along(-2.0);
      const double fe = f(xe);
      if (fe < fr) {
        pts[worst] = xe, val[worst] = fe;
      } else {
        pts[worst] = xr, val[worst] = fr;
      }
    } else if (fr < val[second]) {
      pts[worst] = xr, val[worst] = fr;
    } else {
      const PhaseParams xc = fr < val[worst] ? along(-0.5) : along(0.5);
      const double fc = f(xc);
      if (fc < std::min(fr, val[worst])) {
        pts[worst] = xc, val[worst] = fc;
      } else {
        for (int i = 0; i <= kN; ++i) {
          if (i == best) continue;
          for (int k = 0; k < kN; ++k) pts[i][k] = pts[best][k] + 0.5 * (pts[i][k] - pts[best][k]);
          val[i] = f(pts[i]);
        }
      }
    }
  }
  int best = 0;
  for (int i = 1; i <= kN; ++i) {
    if (val[i] < val[best]) best = i;
  }
  return pts[best];
}

}  // namespace

const char* PhaseClassName(PhaseClass c) {
  switch (c) {
    case PhaseClass::kIgnoreExtra:
      return "ignore_extra";
    case PhaseClass::kDedicateToExtra:
      return "dedicate_to_extra";
    case PhaseClass::kAntipodal:
      return "antipodal";
    case PhaseClass::kOther:
      break;
  }
  return "other";
}

double PhaseExpectedLoss(const PhaseParams& p, double r, double s) {
  return FeatureTerm(p[0], p[1], p[2], s) + r * FeatureTerm(p[1], p[0], p[3], s);
}

PhaseClass ClosedFormPhaseClass(double r, double s) {
  const double lo = 4 - 5 * s > 0 ? 2 * s / (4 - 5 * s) : INFINITY;
  const double hi = 2 / s - 2.5;
  if (r > lo && r < hi) return PhaseClass::kAntipodal;
  return r > 1 ? PhaseClass::kDedicateToExtra : PhaseClass::kIgnoreExtra;
}

bool NearClosedFormBoundary(double r, double s, double rel) {
  return ClosedFormPhaseClass(r * (1 + rel), s) != ClosedFormPhaseClass(r, s) ||
         ClosedFormPhaseClass(r / (1 + rel), s) != ClosedFormPhaseClass(r, s) ||
         ClosedFormPhaseClass(r, s * (1 + rel)) != ClosedFormPhaseClass(r, s) ||
         ClosedFormPhaseClass(r, s / (1 + rel)) != ClosedFormPhaseClass(r, s);
}

PhaseClass ClassifyPhaseWeights(double w0, double w1) {
  const bool r0 = std::fabs(w0) > 0.5, r1 = std::fabs(w1) > 0.5;
  if (r0 && r1) return w0 * w1 < 0 ? PhaseClass::kAntipodal : PhaseClass::kOther;
  if (r0) return PhaseClass::kIgnoreExtra;
  if (r1) return PhaseClass::kDedicateToExtra;
  return PhaseClass::kOther;
}

PhaseOptimum ExactPhaseOptimum(double r, double s) {
  std::vector<PhaseParams> candidates = {
      {1, 0, 0, s / 2},  // ignore the extra feature (bias = its mean): loss r·var
      {0, 1, s / 2, 0},  // dedicate the dimension to it: loss var
  };
  for (const PhaseParams& start :
       {PhaseParams{1, -1, 0, 0}, PhaseParams{1, -0.6, 0.05, 0.05}, PhaseParams{0.6, -1, 0.05, 0.05},
        PhaseParams{1, -1, 0.2, 0.2}, PhaseParams{1, 0.1, 0, s / 2}, PhaseParams{0.1, 1, s / 2, 0}}) {
    PhaseParams p = Minimize(start, r, s, 0.2, 3000);
    p = Minimize(p, r, s, 0.02, 2000);  // restart: Nelder-Mead can stall
    candidates.push_back(p);
  }
  PhaseOptimum best{candidates[0], PhaseExpectedLoss(candidates[0], r, s), PhaseClass::kOther};
  for (const PhaseParams& p : candidates) {
    const double l = PhaseExpectedLoss(p, r, s);
    if (l < best.loss) best = {p, l, PhaseClass::kOther};
  }
  // W and −W give the same model; report w0 >= 0.
  if (best.params[0] < 0 || (best.params[0] == 0 && best.params[1] < 0)) {
    best.params[0] = -best.params[0];
    best.params[1] = -best.params[1];
  }
  best.cls = ClassifyPhaseWeights(best.params[0], best.params[1]);
  return best;
}

}  // namespace monosem
