// Two-sided Mann-Whitney U test (Wilcoxon rank-sum), written for the
// benchmark gate: repetitions of a metric in the baseline run against
// repetitions in the current run.
#ifndef MONOSEM_CI_GATE_MANN_WHITNEY_H_
#define MONOSEM_CI_GATE_MANN_WHITNEY_H_

#include <vector>

namespace monosem::gate {

struct MannWhitneyResult {
  double u = 0;        // U statistic of the first sample: R1 - n1(n1+1)/2
  double p = 1;        // two-sided p-value
  bool exact = false;  // true: exact null distribution; false: normal approximation
};

// Exact null distribution when there are no ties and both samples are small
// (n1, n2 <= kExactMaxN); otherwise the normal approximation with tie
// correction and continuity correction (the textbook / scipy "asymptotic"
// method). Empty samples, or all values equal, give p = 1.
constexpr int kExactMaxN = 25;
MannWhitneyResult MannWhitneyU(const std::vector<double>& x, const std::vector<double>& y);

}  // namespace monosem::gate

#endif  // MONOSEM_CI_GATE_MANN_WHITNEY_H_
