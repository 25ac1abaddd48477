// Unit-vs-label metrics (docs/metrics/unit_labels.md): every metric on a
// hand-computed example, the nulls on label-blind and perfect units, the
// tuned-threshold sweep against a brute-force scan, the matched-firing
// comparison, the CSV dumps and the input checks.
#include "monosem/models/sae/unit_label_metrics.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "monosem/philox.h"
#include "monosem/tensor.h"

namespace monosem::sae {
namespace {

// unknown(0)  code(1) -> code/c(2), code/py(3)  prose(4)
LabelSet Tree() {
  LabelSet s;
  s.names = {"unknown", "code", "code/c", "code/py", "prose"};
  s.parent = {-1, -1, 1, 1, -1};
  return s;
}

// 2 windows x 3 tokens, 3 units (rows = tokens t0..t5):
//   t:      0    1    2    3    4    5
//   leaf:   c    c    prose py  prose prose   (2 2 4 | 3 4 4)
//   u0:     2    1    0    0    0    0      fires t0,t1 (both code/c)
//   u1:    -1    0    1    2    0    1      fires t2 (prose), t3 (py), t5 (prose)
//   u2:    0.5   0    0    0    3    1      fires t0 (c), t4, t5 (prose)
const std::vector<LabelId> kLeaves = {2, 2, 4, 3, 4, 4};
const std::vector<float> kActs = {
    2, -1, 0.5f,  //
    1, 0,  0,     //
    0, 1,  0,     //
    0, 2,  0,     //
    0, 0,  3,     //
    0, 1,  1,     //
};

UnitLabelOptions SmallOptions(LabelLevel level, int shuffles) {
  UnitLabelOptions o;
  o.ctx = 3;
  o.level = level;
  o.shuffles = shuffles;
  o.seed = 1;
  o.min_support = 2;
  return o;
}

const LabelStats& Find(const UnitLabelMetrics& m, int label) {
  for (const LabelStats& l : m.labels) {
    if (l.label == label) return l;
  }
  ADD_FAILURE() << "label " << label << " missing";
  return m.labels.front();
}

// Per unit, leaf level. Masses: u0 {c: 3}; u1 {py: 2, prose: 2} (the -1 on
// t0 counts for nothing); u2 {c: 0.5, prose: 4}.
//   specificity: u0 3/3 = 1; u1 2/4 = 0.5 (tie: the lower id, py); u2 4/4.5.
//   polysemanticity (80%): u0 1; u1 2 (2 < 3.2, 4 >= 3.2); u2 1 (4 >= 3.6).
//   top label token share: c 2/6, py 1/6, prose 3/6.
TEST(UnitLabelMetrics, HandComputedUnitsLeafLevel) {
  auto m =
      ComputeUnitLabelMetrics(kActs, 6, 3, kLeaves, Tree(), SmallOptions(LabelLevel::kLeaf, 0));
  ASSERT_TRUE(m.ok()) << m.status();
  ASSERT_EQ(m->units.size(), 3u);
  const auto& u = m->units;
  EXPECT_EQ(u[0].firing, 2);
  EXPECT_EQ(u[1].firing, 3);
  EXPECT_EQ(u[2].firing, 3);
  // u0 fires only in window 0 (t0, t1); u1 and u2 in both windows.
  EXPECT_EQ(u[0].firing_windows, 1);
  EXPECT_EQ(u[1].firing_windows, 2);
  EXPECT_EQ(u[2].firing_windows, 2);
  EXPECT_FALSE(u[0].testable());
  EXPECT_TRUE(u[1].testable());
  EXPECT_DOUBLE_EQ(u[1].mass, 4);
  EXPECT_EQ(u[0].top_label, 2);
  EXPECT_EQ(u[1].top_label, 3);
  EXPECT_EQ(u[2].top_label, 4);
  EXPECT_DOUBLE_EQ(u[0].specificity, 1);
  EXPECT_DOUBLE_EQ(u[1].specificity, 0.5);
  EXPECT_DOUBLE_EQ(u[2].specificity, 4 / 4.5);
  EXPECT_EQ(u[0].polysemanticity, 1);
  EXPECT_EQ(u[1].polysemanticity, 2);
  EXPECT_EQ(u[2].polysemanticity, 1);
  EXPECT_DOUBLE_EQ(u[0].top_label_token_share, 2.0 / 6);
  EXPECT_DOUBLE_EQ(u[1].top_label_token_share, 1.0 / 6);
  EXPECT_DOUBLE_EQ(u[2].top_label_token_share, 3.0 / 6);
  EXPECT_TRUE(std::isnan(u[0].specificity_null));  // no shuffles asked for
}

// Top level: code = {t0, t1, t3}, prose = {t2, t4, t5}.
//   u0 {code: 3} -> 1; u1 {code: 2, prose: 2} -> 0.5, code (lower id), 2 labels;
//   u2 {code: 0.5, prose: 4} -> 4/4.5.
// Token F1, a > 0: code: u0 2*2/(2+3) = 0.8; prose: u1 and u2 both
//   2*2/(3+3) = 2/3, the lower unit wins.
TEST(UnitLabelMetrics, HandComputedTopLevel) {
  auto m = ComputeUnitLabelMetrics(kActs, 6, 3, kLeaves, Tree(), SmallOptions(LabelLevel::kTop, 0));
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->units[1].top_label, 1);
  EXPECT_DOUBLE_EQ(m->units[1].specificity, 0.5);
  EXPECT_EQ(m->units[1].polysemanticity, 2);
  EXPECT_DOUBLE_EQ(m->units[2].specificity, 4 / 4.5);
  ASSERT_EQ(m->labels.size(), 2u);  // "unknown" has no tokens
  EXPECT_EQ(Find(*m, 1).token_active.unit, 0);
  EXPECT_DOUBLE_EQ(Find(*m, 1).token_active.f1, 0.8);
  EXPECT_EQ(Find(*m, 4).token_active.unit, 1);
  EXPECT_DOUBLE_EQ(Find(*m, 4).token_active.f1, 2.0 / 3);
  EXPECT_DOUBLE_EQ(Find(*m, 4).token_trivial_f1, 2.0 / 3);
}

// Token level, leaf labels; positives c 2, py 1, prose 3 of N = 6.
//   a > 0:  u0 predicts 2: c 2*2/(2+2) = 1.
//           u1 predicts 3: py 2*1/(3+1) = 0.5, prose 2*2/(3+3) = 2/3.
//           u2 predicts 3: c 2*1/(3+2) = 0.4, prose 2/3 (tie: u1 is lower).
//   tuned:  u1 at t = 2 predicts {t3}: py 2*1/(1+1) = 1.
//           u2 at t = 1 predicts {t4, t5}: prose 2*2/(2+3) = 0.8.
//           u0 at t = 1: c 1.
//   trivial 2p/(1+p): c (2/3)/(4/3) = 0.5, py (1/3)/(7/6) = 2/7, prose 2/3.
// Windows: w0 = c (2 of 3), w1 = prose. Window means of max(a, 0):
//   u0 (1, 0), u1 (1/3, 1), u2 (1/6, 4/3).
//   a > 0:  c: u0 predicts {w0}: 1. prose: u1 and u2 predict both: 2/3 -> u1.
//   tuned:  prose: u1 at t = 1 predicts {w1}: 1 (u2 at 4/3 ties, u1 is lower).
//   py holds no window: no unit, F1 0.   trivial: c, prose 2*0.5/1.5 = 2/3.
TEST(UnitLabelMetrics, HandComputedLabelF1) {
  auto m =
      ComputeUnitLabelMetrics(kActs, 6, 3, kLeaves, Tree(), SmallOptions(LabelLevel::kLeaf, 0));
  ASSERT_TRUE(m.ok()) << m.status();
  ASSERT_EQ(m->labels.size(), 3u);
  const LabelStats &c = Find(*m, 2), &py = Find(*m, 3), &prose = Find(*m, 4);
  EXPECT_EQ(c.tokens, 2);
  EXPECT_EQ(c.windows, 1);
  EXPECT_EQ(py.windows, 0);

  EXPECT_EQ(c.token_active.unit, 0);
  EXPECT_DOUBLE_EQ(c.token_active.f1, 1);
  EXPECT_EQ(py.token_active.unit, 1);
  EXPECT_DOUBLE_EQ(py.token_active.f1, 0.5);
  EXPECT_EQ(py.token_active.predicted, 3);
  EXPECT_EQ(prose.token_active.unit, 1);
  EXPECT_DOUBLE_EQ(prose.token_active.f1, 2.0 / 3);

  EXPECT_EQ(py.token_tuned.unit, 1);
  EXPECT_DOUBLE_EQ(py.token_tuned.f1, 1);
  EXPECT_DOUBLE_EQ(py.token_tuned.threshold, 2);
  EXPECT_EQ(py.token_tuned.predicted, 1);
  EXPECT_EQ(prose.token_tuned.unit, 2);
  EXPECT_DOUBLE_EQ(prose.token_tuned.f1, 0.8);
  EXPECT_DOUBLE_EQ(prose.token_tuned.threshold, 1);
  EXPECT_EQ(prose.token_tuned.true_positives, 2);
  EXPECT_DOUBLE_EQ(c.token_tuned.f1, 1);
  EXPECT_DOUBLE_EQ(c.token_tuned.threshold, 1);

  EXPECT_DOUBLE_EQ(c.token_trivial_f1, 0.5);
  EXPECT_DOUBLE_EQ(py.token_trivial_f1, 2.0 / 7);
  EXPECT_DOUBLE_EQ(prose.token_trivial_f1, 2.0 / 3);

  EXPECT_EQ(c.window_active.unit, 0);
  EXPECT_DOUBLE_EQ(c.window_active.f1, 1);
  EXPECT_EQ(prose.window_active.unit, 1);
  EXPECT_DOUBLE_EQ(prose.window_active.f1, 2.0 / 3);
  EXPECT_EQ(prose.window_tuned.unit, 1);
  EXPECT_DOUBLE_EQ(prose.window_tuned.f1, 1);
  EXPECT_DOUBLE_EQ(prose.window_tuned.threshold, 1);
  EXPECT_EQ(py.window_tuned.unit, -1);
  EXPECT_DOUBLE_EQ(py.window_tuned.f1, 0);
  EXPECT_DOUBLE_EQ(c.window_trivial_f1, 2.0 / 3);
  EXPECT_DOUBLE_EQ(py.window_trivial_f1, 0);
}

// Splitting of code into c and py (min_support 2): u0 fires 2 times, both on
// c: precision 1, support 2 -> c has a unit. py: only u1 fires on it, once
// of 3 (precision 1/3, support 1) -> no unit. So 1 of 2. With min_support 3
// u0's support 2 is too small: 0 of 2. With min_support 1, still 1 of 2.
TEST(UnitLabelMetrics, HandComputedSplitting) {
  auto m =
      ComputeUnitLabelMetrics(kActs, 6, 3, kLeaves, Tree(), SmallOptions(LabelLevel::kLeaf, 0));
  ASSERT_TRUE(m.ok()) << m.status();
  ASSERT_EQ(m->splits.size(), 1u);
  EXPECT_EQ(m->splits[0].parent, 1);
  EXPECT_EQ(m->splits[0].children, 2);
  EXPECT_EQ(m->splits[0].children_with_unit, 1);
  UnitLabelOptions o = SmallOptions(LabelLevel::kLeaf, 0);
  o.min_support = 3;
  m = ComputeUnitLabelMetrics(kActs, 6, 3, kLeaves, Tree(), o);
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->splits[0].children_with_unit, 0);
  o.min_support = 1;  // py's support is enough now, its precision 1/3 is not
  m = ComputeUnitLabelMetrics(kActs, 6, 3, kLeaves, Tree(), o);
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->splits[0].children_with_unit, 1);
}

// With two windows a permutation is the identity or the swap. Under the swap
// the leaves read (3 4 4 | 2 2 4):
//   u0 fires t0 (py, 2), t1 (prose, 1): specificity 2/3, polysemanticity 2;
//   c's tokens are t3, t4: u1 and u2 each hit one of 3 -> token F1 2/5;
//   no child of code has a unit (every support is 1).
// The null is the mean over the R permutations the seed draws.
TEST(UnitLabelMetrics, HandComputedNull) {
  const int R = 8;
  auto m =
      ComputeUnitLabelMetrics(kActs, 6, 3, kLeaves, Tree(), SmallOptions(LabelLevel::kLeaf, R));
  ASSERT_TRUE(m.ok()) << m.status();
  int swaps = 0;
  for (int r = 0; r < R; ++r) swaps += WindowPermutation(2, 1, r)[0] == 1;
  ASSERT_GT(swaps, 0);
  ASSERT_LT(swaps, R);
  const int same = R - swaps;
  EXPECT_DOUBLE_EQ(m->units[0].specificity_null, (same * 1.0 + swaps * 2.0 / 3) / R);
  EXPECT_DOUBLE_EQ(m->units[0].polysemanticity_null, (same * 1.0 + swaps * 2.0) / R);
  EXPECT_DOUBLE_EQ(Find(*m, 2).token_active.null_f1, (same * 1.0 + swaps * 0.4) / R);
  EXPECT_DOUBLE_EQ(Find(*m, 2).token_active.excess(), 1 - (same * 1.0 + swaps * 0.4) / R);
  EXPECT_DOUBLE_EQ(m->splits[0].children_with_unit_null, same * 1.0 / R);
}

// Bursty labels: each window has one leaf label (skewed frequencies) with a
// few stray tokens. The leaves: 0 "unknown" and 4 children under 1 "text".
struct Corpus {
  LabelSet set;
  std::vector<LabelId> leaves;
  int64_t ctx = 0, windows = 0;
};

Corpus BurstyCorpus(int64_t windows, int64_t ctx, uint64_t seed) {
  Corpus c;
  c.set.names = {"unknown", "text", "text/a", "text/b", "text/c", "text/d"};
  c.set.parent = {-1, -1, 1, 1, 1, 1};
  c.ctx = ctx;
  c.windows = windows;
  Philox rng(seed);
  const float cum[4] = {0.4f, 0.7f, 0.9f, 1.0f};
  for (int64_t w = 0; w < windows; ++w) {
    const float x = rng.Uniform();
    const LabelId main = static_cast<LabelId>(2 + (x < cum[0]   ? 0
                                                   : x < cum[1] ? 1
                                                   : x < cum[2] ? 2
                                                                : 3));
    for (int64_t i = 0; i < ctx; ++i) {
      LabelId leaf = main;
      if (rng.Bernoulli(0.1f)) {  // a stray token: unknown or any text label
        const uint32_t x = rng.UniformInt(5);
        leaf = static_cast<LabelId>(x == 0 ? 0 : 1 + x);
      }
      c.leaves.push_back(leaf);
    }
  }
  return c;
}

// Units blind to the labels: token-sparse and frequent, bursty (whole
// windows on or off), and one rare unit. Unit 5 fires about 30 times: its
// null specificity, what chance alone gives it, is above a frequent unit's
// (0.42 against 0.39 here, where 40% of windows hold one label; more with
// more labels), which is why raw specificity cannot compare units of
// different firing rates. Every excess is about 0 (tolerances are about 3
// standard deviations of the real statistic for the unit's effective sample).
TEST(UnitLabelMetrics, LabelBlindUnitsHaveNoExcess) {
  const Corpus c = BurstyCorpus(8000, 8, 7);
  const int64_t n = c.windows * c.ctx, U = 6;
  const float token_rate[U] = {0.005f, 0.05f, 0.5f, 0, 0, 0.0004f};
  const float window_rate[U] = {0, 0, 0, 0.05f, 0.3f, 0};
  std::vector<float> acts(n * U, 0);
  Philox rng(11);
  for (int64_t w = 0; w < c.windows; ++w) {
    bool on[U];
    for (int j = 0; j < U; ++j) on[j] = rng.Uniform() < window_rate[j];
    for (int64_t i = 0; i < c.ctx; ++i) {
      const int64_t t = w * c.ctx + i;
      for (int j = 0; j < U; ++j) {
        if (on[j] || rng.Uniform() < token_rate[j]) acts[t * U + j] = 0.1f + rng.Uniform();
      }
    }
  }
  UnitLabelOptions o;
  o.ctx = c.ctx;
  o.shuffles = 32;
  o.seed = 3;
  auto m = ComputeUnitLabelMetrics(acts, n, U, c.leaves, c.set, o);
  ASSERT_TRUE(m.ok()) << m.status();
  for (const UnitLabelStats& u : m->units) {
    SCOPED_TRACE(testing::Message() << "unit " << u.unit << " firing " << u.firing << " spec "
                                    << u.specificity << " null " << u.specificity_null);
    ASSERT_GT(u.firing, 10);
    EXPECT_NEAR(u.specificity_excess(), 0, u.unit == 5 ? 0.3 : 0.08);
    EXPECT_NEAR(u.polysemanticity - u.polysemanticity_null, 0, 1.01);
  }
  EXPECT_GT(m->units[5].specificity_null, m->units[2].specificity_null + 0.01);
  for (const LabelStats& l : m->labels) {
    if (l.tokens < 5000) continue;
    SCOPED_TRACE(testing::Message() << "label " << l.label);
    EXPECT_NEAR(l.token_active.excess(), 0, 0.03);
    EXPECT_NEAR(l.token_tuned.excess(), 0, 0.03);
    EXPECT_NEAR(l.window_active.excess(), 0, 0.05);
    EXPECT_NEAR(l.window_tuned.excess(), 0, 0.05);
  }
  for (const SplitStats& s : m->splits) EXPECT_NEAR(s.excess(), 0, 1.0);
}

// Unit 0 is exactly label text/b's indicator (with varied values); unit 1 is
// blind noise. The detector is perfect and far above its null.
TEST(UnitLabelMetrics, PerfectDetectorHasLargeExcess) {
  const Corpus c = BurstyCorpus(500, 8, 5);
  const int64_t n = c.windows * c.ctx, U = 2;
  std::vector<float> acts(n * U, 0);
  Philox rng(2);
  for (int64_t t = 0; t < n; ++t) {
    acts[t * U + 0] = c.leaves[t] == 3 ? 0.5f + rng.Uniform() : -0.1f;  // GELU-like negatives
    acts[t * U + 1] = rng.Uniform() < 0.3f ? rng.Uniform() : 0.0f;
  }
  UnitLabelOptions o;
  o.ctx = c.ctx;
  o.shuffles = 8;
  auto m = ComputeUnitLabelMetrics(acts, n, U, c.leaves, c.set, o);
  ASSERT_TRUE(m.ok()) << m.status();
  const UnitLabelStats& u = m->units[0];
  EXPECT_EQ(u.top_label, 3);
  EXPECT_DOUBLE_EQ(u.specificity, 1);
  EXPECT_EQ(u.polysemanticity, 1);
  EXPECT_GT(u.specificity_excess(), 0.5);
  const LabelStats& b = Find(*m, 3);
  EXPECT_EQ(b.token_active.unit, 0);
  EXPECT_DOUBLE_EQ(b.token_active.f1, 1);
  EXPECT_DOUBLE_EQ(b.token_tuned.f1, 1);
  EXPECT_GT(b.token_active.excess(), 0.5);
  EXPECT_GT(b.token_active.f1, b.token_trivial_f1 + 0.5);
  EXPECT_GT(b.window_tuned.f1, 0.9);
  EXPECT_GT(b.window_tuned.excess(), 0.5);
  EXPECT_EQ(m->splits.size(), 1u);
  EXPECT_EQ(m->splits[0].children_with_unit, 1);
  EXPECT_LT(m->splits[0].children_with_unit_null, 0.5);
}

// ---- Brute force ----------------------------------------------------------

struct BruteBest {
  double f1 = 0;
  int64_t unit = -1;
  double threshold = 0;
};

// Every threshold t in the unit's distinct positive values, highest first;
// the first strictly better (unit, t) wins, as the library documents.
// item_value[u][i], item_label[i] (compact), label in 0..L-1.
std::vector<BruteBest> BruteTuned(const std::vector<std::vector<float>>& value,
                                  const std::vector<int>& item_label, int L, bool tuned) {
  std::vector<BruteBest> best(L);
  std::vector<int64_t> positives(L, 0);
  for (int l : item_label) ++positives[l];
  for (size_t u = 0; u < value.size(); ++u) {
    std::vector<float> ts;
    for (float v : value[u]) {
      if (v > 0) ts.push_back(v);
    }
    std::sort(ts.begin(), ts.end(), std::greater<float>());
    ts.erase(std::unique(ts.begin(), ts.end()), ts.end());
    if (!tuned && !ts.empty()) ts = {ts.back()};
    for (float t : ts) {
      for (int l = 0; l < L; ++l) {
        int64_t k = 0, tp = 0;
        for (size_t i = 0; i < item_label.size(); ++i) {
          if (value[u][i] >= t) {
            ++k;
            tp += item_label[i] == l;
          }
        }
        if (tp == 0) continue;
        const double f1 = 2.0 * tp / static_cast<double>(k + positives[l]);
        if (f1 > best[l].f1) best[l] = {f1, static_cast<int64_t>(u), tuned ? t : 0.0};
      }
    }
  }
  return best;
}

struct Shape {
  int64_t windows, ctx, units;
  int levels;  // distinct positive values; 0 = continuous
};

TEST(UnitLabelMetrics, TunedThresholdMatchesBruteForce) {
  const Shape shapes[] = {{1, 1, 1, 0},   {1, 7, 3, 2},  {9, 1, 5, 3},   {4, 5, 65, 0},
                          {6, 4, 130, 2}, {13, 3, 2, 1}, {20, 6, 17, 0}, {2, 3, 300, 2}};
  const Corpus proto = BurstyCorpus(1, 1, 1);  // for the label set
  uint64_t seed = 100;
  for (const Shape& sh : shapes) {
    for (LabelLevel level : {LabelLevel::kLeaf, LabelLevel::kTop}) {
      SCOPED_TRACE(testing::Message() << "windows " << sh.windows << " ctx " << sh.ctx << " units "
                                      << sh.units << " level " << static_cast<int>(level));
      const Corpus c = BurstyCorpus(sh.windows, sh.ctx, ++seed);
      const int64_t n = sh.windows * sh.ctx, U = sh.units;
      Philox rng(++seed);
      std::vector<float> acts(n * U);
      for (float& a : acts) {
        const float x = rng.Uniform();
        if (x < 0.4f) {
          a = x < 0.2f ? -rng.Uniform() : 0.0f;
        } else {
          a = sh.levels > 0 ? static_cast<float>(1 + rng.UniformInt(sh.levels)) * 0.5f
                            : rng.Uniform() + 1e-3f;
        }
      }
      UnitLabelOptions o;
      o.ctx = sh.ctx;
      o.level = level;
      o.shuffles = 0;
      auto m = ComputeUnitLabelMetrics(acts, n, U, c.leaves, c.set, o);
      ASSERT_TRUE(m.ok()) << m.status();

      // Level labels, compact, in id order; tokens' and windows' labels.
      std::vector<int> ids =
          level == LabelLevel::kLeaf ? std::vector<int>{0, 2, 3, 4, 5} : std::vector<int>{0, 1};
      auto compact = [&](int leaf) {
        const int id = level == LabelLevel::kLeaf ? leaf : (leaf == 0 ? 0 : 1);
        return static_cast<int>(std::find(ids.begin(), ids.end(), id) - ids.begin());
      };
      const int L = static_cast<int>(ids.size());
      std::vector<int> tok_label(n), win_label(sh.windows);
      for (int64_t t = 0; t < n; ++t) tok_label[t] = compact(c.leaves[t]);
      for (int64_t w = 0; w < sh.windows; ++w) {
        std::vector<int> cnt(L, 0);
        for (int64_t i = 0; i < sh.ctx; ++i) ++cnt[tok_label[w * sh.ctx + i]];
        win_label[w] = static_cast<int>(std::max_element(cnt.begin(), cnt.end()) - cnt.begin());
      }
      std::vector<std::vector<float>> tok_value(U, std::vector<float>(n)),
          win_value(U, std::vector<float>(sh.windows));
      for (int64_t u = 0; u < U; ++u) {
        for (int64_t w = 0; w < sh.windows; ++w) {
          float sum = 0;  // summed in float in token order, as documented
          for (int64_t i = 0; i < sh.ctx; ++i) {
            const float a = acts[(w * sh.ctx + i) * U + u];
            tok_value[u][w * sh.ctx + i] = a;
            if (a > 0) sum += a;
          }
          win_value[u][w] = static_cast<float>(sum / static_cast<double>(sh.ctx));
        }
      }
      const auto tok_tuned = BruteTuned(tok_value, tok_label, L, true);
      const auto tok_active = BruteTuned(tok_value, tok_label, L, false);
      const auto win_tuned = BruteTuned(win_value, win_label, L, true);
      const auto win_active = BruteTuned(win_value, win_label, L, false);
      for (const LabelStats& ls : m->labels) {
        const int l = compact(ls.label);
        auto expect = [&](const DetectorF1& got, const BruteBest& want, const char* what) {
          SCOPED_TRACE(testing::Message() << what << " label " << ls.label);
          EXPECT_EQ(got.unit, want.unit);
          EXPECT_NEAR(got.f1, want.f1, 1e-12);
          EXPECT_EQ(got.threshold, want.threshold);
        };
        expect(ls.token_tuned, tok_tuned[l], "token tuned");
        expect(ls.token_active, tok_active[l], "token active");
        expect(ls.window_tuned, win_tuned[l], "window tuned");
        expect(ls.window_active, win_active[l], "window active");
        EXPECT_GE(ls.token_tuned.f1, ls.token_active.f1);
      }
      // Specificity by a dense scan.
      for (int64_t u = 0; u < U; ++u) {
        std::vector<double> mass(L, 0);
        double total = 0;
        for (int64_t t = 0; t < n; ++t) {
          const float a = acts[t * U + u];
          if (a > 0) {
            mass[tok_label[t]] += a;
            total += a;
          }
        }
        if (total == 0) {
          EXPECT_TRUE(std::isnan(m->units[u].specificity));
          continue;
        }
        EXPECT_NEAR(m->units[u].specificity, *std::max_element(mass.begin(), mass.end()) / total,
                    1e-12);
      }
    }
  }
}

// Units are split into blocks among threads; the result must not depend on it.
TEST(UnitLabelMetrics, ThreadCountDoesNotChangeResults) {
  const Corpus c = BurstyCorpus(50, 10, 9);
  const int64_t n = 500, U = 300;
  std::vector<float> acts(n * U);
  Philox rng(4);
  for (float& a : acts) a = rng.Uniform() < 0.1f ? static_cast<float>(rng.UniformInt(3) + 1) : 0.0f;
  UnitLabelOptions o;
  o.ctx = 10;
  o.shuffles = 3;
  o.threads = 1;
  auto one = ComputeUnitLabelMetrics(acts, n, U, c.leaves, c.set, o);
  o.threads = 2;
  auto two = ComputeUnitLabelMetrics(acts, n, U, c.leaves, c.set, o);
  ASSERT_TRUE(one.ok() && two.ok());
  std::ostringstream a, b;
  ASSERT_TRUE(WriteUnitCsv(*one, c.set, a).ok());
  ASSERT_TRUE(WriteLabelCsv(*one, c.set, a).ok());
  ASSERT_TRUE(WriteSplitCsv(*one, c.set, a).ok());
  ASSERT_TRUE(WriteUnitCsv(*two, c.set, b).ok());
  ASSERT_TRUE(WriteLabelCsv(*two, c.set, b).ok());
  ASSERT_TRUE(WriteSplitCsv(*two, c.set, b).ok());
  EXPECT_EQ(a.str(), b.str());
}

// ---- Matched firing frequency --------------------------------------------

UnitLabelStats Unit(int64_t firing, double spec, double null) {
  UnitLabelStats u;
  u.firing = firing;
  u.specificity = spec;
  u.specificity_null = null;
  return u;
}

// Bins: 1 -> 0, 2..3 -> 1, 4..7 -> 2, 8..15 -> 3.
// a: bin 1 {0.9/0.5, 0.7/0.3, 0.8/0.4}: medians 0.8 / 0.4, excess 0.4;
//    bin 3 {0.6/0.2}: excess 0.4.   (a dead unit is ignored)
// b: bin 0 {1/1}; bin 1 {0.6/0.5}: excess 0.1; bin 3 {0.5/0.3, 0.7/0.3}: 0.6/0.3, 0.3.
// Shared bins 1 (weight min(3,1) = 1, diff 0.3) and 3 (weight 1, diff 0.1):
// (0.3 + 0.1) / 2 = 0.2.
TEST(MatchedFiring, HandComputed) {
  const std::vector<UnitLabelStats> a = {Unit(2, 0.9, 0.5), Unit(3, 0.7, 0.3), Unit(3, 0.8, 0.4),
                                         Unit(8, 0.6, 0.2), Unit(0, NAN, NAN)};
  const std::vector<UnitLabelStats> b = {Unit(1, 1, 1), Unit(3, 0.6, 0.5), Unit(9, 0.5, 0.3),
                                         Unit(15, 0.7, 0.3)};
  const auto bins = BinByFiring(a);
  ASSERT_EQ(bins.size(), 2u);
  EXPECT_EQ(bins[0].bin, 1);
  EXPECT_EQ(bins[0].count, 3);
  EXPECT_DOUBLE_EQ(bins[0].median_specificity, 0.8);
  EXPECT_DOUBLE_EQ(bins[0].median_specificity_null, 0.4);
  EXPECT_EQ(bins[1].bin, 3);
  const auto bb = BinByFiring(b);
  ASSERT_EQ(bb.size(), 3u);
  EXPECT_DOUBLE_EQ(bb[2].median_specificity, 0.6);
  auto cmp = CompareAtMatchedFiring(a, b);
  ASSERT_TRUE(cmp.ok()) << cmp.status();
  EXPECT_EQ(cmp->shared_bins, 2);
  EXPECT_EQ(cmp->weight, 2);
  EXPECT_NEAR(cmp->excess_difference, 0.2, 1e-12);
  auto none = CompareAtMatchedFiring(a, std::vector<UnitLabelStats>{Unit(1, 1, 1)});
  EXPECT_EQ(none.status().code(), absl::StatusCode::kFailedPrecondition);
}

// Polysemanticity at matched firing. a: bin 1 {3/2.5, 2/2.5, 3/2}: medians 3 /
// 2.5, excess 0.5; bin 3 {5/4}: 1. b: bin 1 {1/2}: -1; bin 3 {2/4, 4/4}: 3 / 4,
// -1. Shared bins 1 (weight 1, diff 1.5) and 3 (weight 1, diff 2): 1.75.
TEST(MatchedFiring, PolysemanticityHandComputed) {
  auto unit = [](int64_t firing, int poly, double null) {
    UnitLabelStats u = Unit(firing, 0.5, 0.5);
    u.polysemanticity = poly;
    u.polysemanticity_null = null;
    return u;
  };
  const std::vector<UnitLabelStats> a = {unit(2, 3, 2.5), unit(3, 2, 2.5), unit(3, 3, 2), unit(8, 5, 4)};
  const std::vector<UnitLabelStats> b = {unit(3, 1, 2), unit(9, 2, 4), unit(12, 4, 4)};
  const auto bins = BinByFiring(a);
  ASSERT_EQ(bins.size(), 2u);
  EXPECT_DOUBLE_EQ(bins[0].median_polysemanticity, 3);
  EXPECT_DOUBLE_EQ(bins[0].median_polysemanticity_null, 2.5);
  auto cmp = CompareAtMatchedFiring(a, b, UnitStatistic::kPolysemanticity);
  ASSERT_TRUE(cmp.ok()) << cmp.status();
  EXPECT_EQ(cmp->shared_bins, 2);
  EXPECT_NEAR(cmp->excess_difference, 1.75, 1e-12);
  // The specificity comparison of the same units is 0: their specificity equals its null.
  EXPECT_NEAR(CompareAtMatchedFiring(a, b)->excess_difference, 0.0, 1e-12);
}

// End to end, as the judged row uses it: label-specific sparse units ("features")
// against label-blind units firing as often ("neurons") on the same corpus.
// Within every shared firing bin the specific units' excess is far larger.
TEST(MatchedFiring, SpecificUnitsBeatBlindUnitsAtMatchedFiring) {
  const Corpus c = BurstyCorpus(2000, 8, 21);
  const int64_t n = c.windows * c.ctx, U = 24;
  std::vector<float> specific(n * U, 0), blind(n * U, 0);
  Philox rng(8);
  for (int64_t t = 0; t < n; ++t) {
    for (int64_t j = 0; j < U; ++j) {
      const float rate = 0.002f * static_cast<float>(1 << (j % 6));  // 0.002 .. 0.064
      const LabelId own = static_cast<LabelId>(2 + j % 4);
      // About as many firings either way: the blind unit's rate is the
      // specific one's times its label's token share (at most 0.4).
      if (c.leaves[t] == own && rng.Uniform() < rate) specific[t * U + j] = 0.1f + rng.Uniform();
      if (rng.Uniform() < rate * 0.3f) blind[t * U + j] = 0.1f + rng.Uniform();
    }
  }
  UnitLabelOptions o;
  o.ctx = c.ctx;
  o.shuffles = 4;
  auto a = ComputeUnitLabelMetrics(specific, n, U, c.leaves, c.set, o);
  auto b = ComputeUnitLabelMetrics(blind, n, U, c.leaves, c.set, o);
  ASSERT_TRUE(a.ok() && b.ok());
  auto cmp = CompareAtMatchedFiring(a->units, b->units);
  ASSERT_TRUE(cmp.ok()) << cmp.status();
  EXPECT_GE(cmp->shared_bins, 3);
  EXPECT_GT(cmp->excess_difference, 0.4);
  // And the other way round it is negative by the same amount.
  auto rev = CompareAtMatchedFiring(b->units, a->units);
  ASSERT_TRUE(rev.ok());
  EXPECT_DOUBLE_EQ(rev->excess_difference, -cmp->excess_difference);
}

// Why a unit firing within one window is not testable: with one firing
// token its specificity is 1 under every labelling, so its null is 1 too and
// its excess 0, whatever label that token has.
TEST(UnitLabelMetrics, AUnitFiringOnceHasNoExcessUnderAnyLabelling) {
  std::vector<float> acts(6, 0.0f);
  acts[4] = 2.0f;  // one unit, firing on t4 (prose) only
  auto m = ComputeUnitLabelMetrics(acts, 6, 1, kLeaves, Tree(), SmallOptions(LabelLevel::kLeaf, 4));
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->units[0].firing_windows, 1);
  EXPECT_FALSE(m->units[0].testable());
  EXPECT_DOUBLE_EQ(m->units[0].specificity, 1);
  EXPECT_DOUBLE_EQ(m->units[0].specificity_null, 1);
  EXPECT_DOUBLE_EQ(m->units[0].specificity_excess(), 0);
}

// ---- CSV -------------------------------------------------------------------

TEST(UnitLabelCsv, HeaderAndOneRowPerItem) {
  LabelSet s = Tree();
  s.names[4] = "prose, \"plain\"";
  auto m = ComputeUnitLabelMetrics(kActs, 6, 3, kLeaves, s, SmallOptions(LabelLevel::kLeaf, 2));
  ASSERT_TRUE(m.ok()) << m.status();
  std::ostringstream units, labels, splits;
  ASSERT_TRUE(WriteUnitCsv(*m, s, units).ok());
  ASSERT_TRUE(WriteLabelCsv(*m, s, labels).ok());
  ASSERT_TRUE(WriteSplitCsv(*m, s, splits).ok());
  auto lines = [](const std::string& text) { return std::count(text.begin(), text.end(), '\n'); };
  EXPECT_EQ(lines(units.str()), 4);
  EXPECT_EQ(lines(labels.str()), 4);
  EXPECT_EQ(lines(splits.str()), 2);
  EXPECT_EQ(units.str().rfind("unit,firing,firing_windows,", 0), 0u);
  EXPECT_NE(units.str().find("\"prose, \"\"plain\"\"\""), std::string::npos);
  EXPECT_EQ(labels.str().rfind("label,name,tokens,", 0), 0u);
}

// ---- Input checks ----------------------------------------------------------

void ExpectInvalid(const absl::StatusOr<UnitLabelMetrics>& m, const std::string& words) {
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(m.status().message().find(words), std::string::npos) << m.status();
}

TEST(UnitLabelMetrics, RejectsBadInputs) {
  const LabelSet s = Tree();
  UnitLabelOptions o = SmallOptions(LabelLevel::kLeaf, 2);
  o.ctx = 4;
  ExpectInvalid(ComputeUnitLabelMetrics(kActs, 6, 3, kLeaves, s, o), "whole number of windows");
  o.ctx = 3;
  ExpectInvalid(ComputeUnitLabelMetrics(kActs, 6, 4, kLeaves, s, o), "expected N*U");
  ExpectInvalid(ComputeUnitLabelMetrics(kActs, 6, 3, std::vector<LabelId>(5, 2), s, o),
                "5 token labels for 6 tokens");
  std::vector<LabelId> bad = kLeaves;
  bad[4] = 9;
  ExpectInvalid(ComputeUnitLabelMetrics(kActs, 6, 3, bad, s, o), "label id 9, out of range");
  bad[4] = 1;
  ExpectInvalid(ComputeUnitLabelMetrics(kActs, 6, 3, bad, s, o), "not a leaf");
  std::vector<float> nan = kActs;
  nan[3 * 3 + 2] = NAN;
  ExpectInvalid(ComputeUnitLabelMetrics(nan, 6, 3, kLeaves, s, o), "token 3, unit 2 is nan");
  nan[3 * 3 + 2] = -INFINITY;
  ExpectInvalid(ComputeUnitLabelMetrics(nan, 6, 3, kLeaves, s, o), "must be finite");
  nan[3 * 3 + 2] = INFINITY;
  ExpectInvalid(ComputeUnitLabelMetrics(nan, 6, 3, kLeaves, s, o), "must be finite");
  LabelSet cyc = s;
  cyc.parent[1] = 2;
  ExpectInvalid(ComputeUnitLabelMetrics(kActs, 6, 3, kLeaves, cyc, o), "cycle");
  LabelSet short_parents = s;
  short_parents.parent.pop_back();
  ExpectInvalid(ComputeUnitLabelMetrics(kActs, 6, 3, kLeaves, short_parents, o), "parents");
  o.shuffles = -1;
  ExpectInvalid(ComputeUnitLabelMetrics(kActs, 6, 3, kLeaves, s, o), "shuffles");
  o.shuffles = 1;
  o.mass_cover = 0;
  ExpectInvalid(ComputeUnitLabelMetrics(kActs, 6, 3, kLeaves, s, o), "mass_cover");
  o.mass_cover = 0.8;
  auto cube = Tensor::FromValues({6, 3, 1}, kActs);
  ASSERT_TRUE(cube.ok());
  ExpectInvalid(ComputeUnitLabelMetrics(*cube, kLeaves, s, o), "rank 3");
}

TEST(UnitLabelMetrics, TensorOverloadMatchesSpan) {
  auto t = Tensor::FromValues({6, 3}, kActs);
  ASSERT_TRUE(t.ok());
  auto a = ComputeUnitLabelMetrics(*t, kLeaves, Tree(), SmallOptions(LabelLevel::kLeaf, 2));
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_DOUBLE_EQ(a->units[2].specificity, 4 / 4.5);
  EXPECT_EQ(a->labels.size(), 3u);
}

}  // namespace
}  // namespace monosem::sae
