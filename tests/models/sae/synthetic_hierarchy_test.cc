// The hierarchical synthetic world's statistics: firing rates match the
// profile (the exact expected rates after gating and exclusion) within
// sampling error, exclusivity and child-implies-parent are never violated,
// correlation is present when configured and absent when not, and bad
// configurations are refused naming the field.
#include "monosem/models/sae/synthetic_hierarchy.h"

#include <cmath>
#include <string>

#include "gtest/gtest.h"

namespace monosem::sae {
namespace {

HierarchyWorldOptions Small() {
  HierarchyWorldOptions o;
  o.n_features = 96;
  o.d = 24;
  o.p_max = 0.3;
  o.p_min = 0.02;
  o.roots = 4;
  o.branching = 3;
  o.depth = 2;  // 4 + 12 + 36 = 52 tree nodes, 44 free features
  o.factors = 4;
  o.seed = 5;
  return o;
}

struct Counts {
  int64_t samples = 0;
  std::vector<int64_t> fired;
  // pair counts for a few (a, b)
  std::vector<std::vector<int64_t>> both;
  // Rule violations over every sample: a child firing without its parent,
  // two children of one parent firing, x not the sum of a_i * feature_i.
  int64_t orphans = 0, siblings = 0, sum_mismatches = 0;
};

// Draws `n` samples in batches and checks the structural rules on every one.
Counts Draw(HierarchicalWorld& w, int64_t n, const std::vector<std::pair<int64_t, int64_t>>& pairs) {
  const int64_t N = w.options().n_features, d = w.options().d, B = 1000;
  Counts c;
  c.fired.assign(N, 0);
  c.both.assign(pairs.size(), std::vector<int64_t>(1, 0));
  Tensor x({B, d}), a({B, N});
  for (int64_t done = 0; done < n; done += B) {
    EXPECT_TRUE(w.NextWithActs(B, &x, &a).ok());
    for (int64_t b = 0; b < B; ++b) {
      const float* r = a.data() + b * N;
      for (int64_t i = 0; i < N; ++i) {
        if (r[i] > 0) ++c.fired[i];
        const int64_t p = w.parent()[i];
        c.orphans += p >= 0 && r[i] > 0 && !(r[p] > 0);
        int64_t kids_on = 0;
        for (int64_t k : w.children(i)) kids_on += r[k] > 0;
        c.siblings += kids_on > 1;
      }
      for (size_t q = 0; q < pairs.size(); ++q) {
        c.both[q][0] += r[pairs[q].first] > 0 && r[pairs[q].second] > 0;
      }
      // x is the sum of the activations times the directions.
      for (int64_t j = 0; j < d; j += 7) {
        double s = 0;
        for (int64_t i = 0; i < N; ++i) s += static_cast<double>(r[i]) * w.features()[i * d + j];
        c.sum_mismatches += !(std::fabs(x[b * d + j] - s) <= 1e-4 * (1 + std::fabs(s)));
      }
    }
  }
  c.samples = n;
  EXPECT_EQ(c.orphans, 0) << "a child fired without its parent";
  EXPECT_EQ(c.siblings, 0) << "two children of one parent fired together";
  EXPECT_EQ(c.sum_mismatches, 0) << "x is not the sum of activation x direction";
  return c;
}

TEST(HierarchicalWorld, LayoutAndProfile) {
  auto w = HierarchicalWorld::Create(Small());
  ASSERT_TRUE(w.ok()) << w.status();
  EXPECT_EQ(w->hierarchy_size(), 52);
  EXPECT_EQ(w->parent()[0], -1);
  EXPECT_EQ(w->parent()[4], 0);   // first child of root 0
  EXPECT_EQ(w->parent()[15], 3);  // last level-1 node, child of root 3
  EXPECT_EQ(w->parent()[16], 4);  // first level-2 node
  EXPECT_EQ(w->parent()[51], 15);
  EXPECT_EQ(w->parent()[52], -1);  // free
  const auto& p = w->base_probabilities();
  EXPECT_DOUBLE_EQ(p.front(), 0.3);
  EXPECT_NEAR(p.back(), 0.02, 1e-15);
  for (size_t i = 1; i < p.size(); ++i) EXPECT_LT(p[i], p[i - 1]);
  // Power law with exponent 0.5, rescaled: p_i - p_min proportional to
  // (i+1)^-0.5 - N^-0.5.
  const double rmin = 1 / std::sqrt(96.0);
  EXPECT_NEAR((p[3] - 0.02) / (p[0] - 0.02), (0.5 - rmin) / (1 - rmin), 1e-12);
  for (int64_t i = 0; i < 96; ++i) {
    double nn = 0;
    for (int64_t j = 0; j < 24; ++j) nn += w->features()[i * 24 + j] * w->features()[i * 24 + j];
    EXPECT_NEAR(nn, 1.0, 1e-5);
  }
}

// Hand check of ExpectedFiringRates on one group: parent p = 1 (mag_std 0),
// two children with base 0.5 each: each fires alone with 0.25 and together
// with 0.25, then wins half the time: 0.25 + 0.125 = 0.375 = 0.5 * E[1/(1+K)].
TEST(HierarchicalWorld, ExpectedRatesByHand) {
  HierarchyWorldOptions o;
  o.n_features = 3;
  o.d = 2;
  o.p_max = 1.0;
  o.p_min = 0.5;
  o.zipf_exponent = 50;  // p = (1, ~0.5, 0.5)
  o.roots = 1;
  o.branching = 2;
  o.depth = 1;
  o.mag_std = 0;
  auto w = HierarchicalWorld::Create(o);
  ASSERT_TRUE(w.ok()) << w.status();
  const auto r = w->ExpectedFiringRates();
  EXPECT_DOUBLE_EQ(r[0], 1.0);
  EXPECT_NEAR(r[1], 0.375, 1e-12);
  EXPECT_NEAR(r[2], 0.375, 1e-12);
}

TEST(HierarchicalWorld, RatesMatchTheProfileWithinSamplingError) {
  auto w = HierarchicalWorld::Create(Small());
  ASSERT_TRUE(w.ok()) << w.status();
  const int64_t n = 40000;
  const Counts c = Draw(*w, n, {});
  const auto expect = w->ExpectedFiringRates();
  for (int64_t i = 0; i < 96; ++i) {
    const double q = expect[i], sd = std::sqrt(q * (1 - q) / n);
    EXPECT_NEAR(static_cast<double>(c.fired[i]) / n, q, 5 * sd + 1e-9) << "feature " << i;
  }
  // Gating lowers the children's rates below their base probabilities.
  EXPECT_LT(expect[20], 0.5 * w->base_probabilities()[20]);
  // Free features fire at their base rate (mag_std 0.5 at mean >= 4: P(a <= 0)
  // ~ 1e-15), up to the float rounding of p_i that the draws compare with.
  EXPECT_NEAR(expect[60], w->base_probabilities()[60], 1e-7 * w->base_probabilities()[60]);
}

TEST(HierarchicalWorld, CorrelationPresentOnlyWhenConfigured) {
  // Features 52 and 56 are free and share factor 0 (i mod 4); 52 and 53 do not.
  const std::vector<std::pair<int64_t, int64_t>> pairs = {{52, 56}, {52, 53}};
  const int64_t n = 40000;
  auto excess = [&](double rho, int which) {
    HierarchyWorldOptions o = Small();
    o.correlation = rho;
    auto w = HierarchicalWorld::Create(o);
    EXPECT_TRUE(w.ok());
    const Counts c = Draw(*w, n, pairs);
    const double pa = static_cast<double>(c.fired[pairs[which].first]) / n;
    const double pb = static_cast<double>(c.fired[pairs[which].second]) / n;
    const double joint = static_cast<double>(c.both[which][0]) / n;
    // Standard error of the joint frequency under independence.
    const double sd = std::sqrt(pa * pb * (1 - pa * pb) / n);
    return (joint - pa * pb) / sd;
  };
  EXPECT_LT(std::fabs(excess(0.0, 0)), 5.0);  // off: no excess co-firing
  EXPECT_GT(excess(0.5, 0), 10.0);            // same factor: strongly above independence
  EXPECT_LT(std::fabs(excess(0.5, 1)), 5.0);  // different factors stay independent
}

TEST(HierarchicalWorld, CorrelationKeepsTheBaseMarginals) {
  HierarchyWorldOptions o = Small();
  o.correlation = 0.7;
  auto w = HierarchicalWorld::Create(o);
  ASSERT_TRUE(w.ok());
  const int64_t n = 40000;
  const Counts c = Draw(*w, n, {});
  for (int64_t i : {0, 1, 2, 3, 52, 60, 95}) {  // roots and free features: ungated
    const double q = w->ExpectedFiringRates()[i], sd = std::sqrt(q * (1 - q) / n);
    EXPECT_NEAR(static_cast<double>(c.fired[i]) / n, q, 5 * sd) << "feature " << i;
  }
}

TEST(HierarchicalWorld, DeterministicAndSkippable) {
  auto a = HierarchicalWorld::Create(Small());
  auto b = HierarchicalWorld::Create(Small());
  ASSERT_TRUE(a.ok() && b.ok());
  Tensor xa({10, 24}), xb({10, 24}), skip({5, 24});
  ASSERT_TRUE(a->Next(5, &skip).ok());
  ASSERT_TRUE(a->Next(10, &xa).ok());
  ASSERT_TRUE(b->Skip(5).ok());
  ASSERT_TRUE(b->Next(10, &xb).ok());
  for (int64_t t = 0; t < xa.size(); ++t) ASSERT_EQ(xa[t], xb[t]);
}

TEST(HierarchicalWorld, BadConfigsAreRefusedNamingTheField) {
  auto expect_bad = [](HierarchyWorldOptions o, const std::string& word) {
    auto w = HierarchicalWorld::Create(o);
    ASSERT_FALSE(w.ok());
    EXPECT_TRUE(absl::IsInvalidArgument(w.status()));
    EXPECT_NE(w.status().message().find(word), std::string::npos) << w.status();
  };
  HierarchyWorldOptions o = Small();
  o.n_features = 0;
  expect_bad(o, "n_features");
  o = Small();
  o.p_min = 0.5;  // above p_max
  expect_bad(o, "p_min");
  o = Small();
  o.p_max = 1.5;
  expect_bad(o, "p_max");
  o = Small();
  o.zipf_exponent = 0;
  expect_bad(o, "zipf_exponent");
  o = Small();
  o.correlation = -0.1;
  expect_bad(o, "correlation");
  o = Small();
  o.correlation = 0.5;
  o.factors = 0;
  expect_bad(o, "factors");
  o = Small();
  o.roots = 30;  // 30 * (1 + 3 + 9) = 390 nodes > 96 features
  expect_bad(o, "need more nodes");
  o = Small();
  o.branching = 0;
  expect_bad(o, "branching");
  o = Small();
  o.mag_std = -1;
  expect_bad(o, "mag_std");
  o = Small();
  o.mag_mean_last = 0;
  expect_bad(o, "mag_mean_last");
  auto w = HierarchicalWorld::Create(Small());
  ASSERT_TRUE(w.ok());
  Tensor wrong({3, 5});
  EXPECT_FALSE(w->Next(3, &wrong).ok());
  EXPECT_FALSE(w->Skip(-1).ok());
}

}  // namespace
}  // namespace monosem::sae
