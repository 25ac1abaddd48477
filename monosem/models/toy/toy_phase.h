// The phase change of the n=2, m=1 ReLU toy model (Elhage et al., 2022):
// feature 0 has importance 1, the extra feature 1 has importance r, both have
// density s (nonzero with probability s, then U[0, 1]).
//
// ExpectedLoss is the exact expected loss of ReLU(WᵀW x + b): the four on/off
// patterns of x, each integrated exactly over the uniform values (the inner
// integral in closed form, the outer one by Gauss-Legendre between the kinks,
// where the integrand is a cubic polynomial, so the quadrature is exact).
// ExactOptimum minimizes it over W and b (Nelder-Mead from several starts plus
// the two closed-form one-feature solutions); this is the target the trained
// models are judged against (PUBLISHED.md, replication notes). The paper's
// closed form fixes the antipodal bias at 0 and is only approximate.
#ifndef MONOSEM_MODELS_TOY_TOY_PHASE_H_
#define MONOSEM_MODELS_TOY_TOY_PHASE_H_

#include <array>
#include <string>

namespace monosem {

enum class PhaseClass { kIgnoreExtra = 0, kDedicateToExtra = 1, kAntipodal = 2, kOther = 3 };
const char* PhaseClassName(PhaseClass c);

// params = {w0, w1, b0, b1}.
using PhaseParams = std::array<double, 4>;

double PhaseExpectedLoss(const PhaseParams& p, double r, double s);

// The paper's closed-form class: antipodal iff 2s/(4−5s) < r < 2/s − 5/2,
// otherwise the extra feature gets the dimension iff r > 1.
PhaseClass ClosedFormPhaseClass(double r, double s);
// True when r is within `rel` (relative) of a closed-form boundary.
bool NearClosedFormBoundary(double r, double s, double rel);

// Classifies a solution by its weights: a feature is represented when
// |w_i| > 0.5 (the `represented` threshold); both represented with opposite
// signs is antipodal; only feature 0 is ignore-extra; only feature 1 is
// dedicate-to-extra; anything else is other.
PhaseClass ClassifyPhaseWeights(double w0, double w1);

struct PhaseOptimum {
  PhaseParams params;
  double loss;
  PhaseClass cls;
};
PhaseOptimum ExactPhaseOptimum(double r, double s);

}  // namespace monosem

#endif  // MONOSEM_MODELS_TOY_TOY_PHASE_H_
