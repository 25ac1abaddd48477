// feature_f1 and mcc (SynthSAEBench's definitions): small cases worked out
// by hand, and brute-force cross-checks (every injective matching; per-latent
// counts recomputed from the dense matrices).
#include "monosem/models/sae/feature_matching.h"

#include <algorithm>
#include <cmath>
#include <functional>

#include "gtest/gtest.h"
#include "tests/models/sae/small_codes.h"
#include "monosem/philox.h"

namespace monosem::sae {
namespace {

using testing::Dense;
using testing::T;

// Greedy (take the largest cosine first) picks 0.9 + 0.1; the best matching
// is 0.8 + 0.85.
TEST(MaxWeightMatching, BeatsGreedyByHand) {
  const std::vector<double> s = {0.9, 0.8,   //
                                 0.85, 0.1};
  const auto m = MaxWeightMatching(s, 2, 2);
  EXPECT_EQ(m[0], 1);
  EXPECT_EQ(m[1], 0);
}

double BruteBest(const std::vector<double>& s, int64_t rows, int64_t cols) {
  // Max over injective maps of the smaller side into the larger.
  const bool by_row = rows <= cols;
  const int64_t a = by_row ? rows : cols, b = by_row ? cols : rows;
  std::vector<uint8_t> used(b, 0);
  std::function<double(int64_t)> go = [&](int64_t i) -> double {
    if (i == a) return 0.0;
    double best = -1e300;
    for (int64_t j = 0; j < b; ++j) {
      if (used[j]) continue;
      used[j] = 1;
      const double v = (by_row ? s[i * cols + j] : s[j * cols + i]) + go(i + 1);
      used[j] = 0;
      best = std::max(best, v);
    }
    return best;
  };
  return go(0);
}

TEST(MaxWeightMatching, AgreesWithBruteForceOnRandomMatrices) {
  Philox g(17, 0);
  for (auto [rows, cols] : std::vector<std::pair<int64_t, int64_t>>{
           {1, 1}, {3, 3}, {5, 5}, {6, 6}, {3, 7}, {7, 3}, {2, 6}, {6, 1}}) {
    for (int rep = 0; rep < 5; ++rep) {
      std::vector<double> s(rows * cols);
      for (double& v : s) v = g.Uniform();
      const auto m = MaxWeightMatching(s, rows, cols);
      double sum = 0;
      int64_t pairs = 0;
      std::vector<uint8_t> used(cols, 0);
      for (int64_t r = 0; r < rows; ++r) {
        if (m[r] < 0) continue;
        ASSERT_LT(m[r], cols);
        ASSERT_FALSE(used[m[r]]) << "column matched twice";
        used[m[r]] = 1;
        sum += s[r * cols + m[r]];
        ++pairs;
      }
      EXPECT_EQ(pairs, std::min(rows, cols));
      EXPECT_NEAR(sum, BruteBest(s, rows, cols), 1e-12) << rows << "x" << cols;
    }
  }
}

// Features e0, e1, e2 in 3-D; decoder rows 2 e0 (norm is ignored) and
// (0, -1, 1): |cos| 1 with e0, 1/sqrt2 with e1 and with e2 (the sign is
// ignored). mcc = (1 + 1/sqrt2) / 2.
TEST(MatchedMcc, HandExample) {
  const Tensor feats = T(3, 3, {1, 0, 0, 0, 1, 0, 0, 0, 1});
  const Tensor dec = T(2, 3, {2, 0, 0, 0, -1, 1});
  auto r = MatchedMcc(dec, feats);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_NEAR(r->mcc, (1 + 1 / std::sqrt(2.0)) / 2, 1e-12);
  EXPECT_EQ(r->latent_to_feature[0], 0);
  // More latents than features: three latents, two features; the zero row
  // has cosine 0 and is the one left unmatched. mcc = (1 + 0.6) / 2.
  const Tensor f2 = T(2, 2, {1, 0, 0, 1});
  const Tensor d3 = T(3, 2, {0, 0, 0.8f, 0.6f, 3, 0});
  auto r3 = MatchedMcc(d3, f2);
  ASSERT_TRUE(r3.ok());
  EXPECT_NEAR(r3->mcc, 0.8, 1e-7);  // latent 2 -> e0 (1), latent 1 -> e1 (0.6)
  EXPECT_EQ(r3->latent_to_feature[0], -1);
  EXPECT_FALSE(MatchedMcc(T(1, 2, {1, 0}), T(1, 3, {1, 0, 0})).ok());
}

// Two latents that both point at feature 0; 4 samples.
//   feature 0 fires in samples 0, 1; latent 0 fires in 0 and 2, latent 1 never
//   (its code is negative in sample 3: not > 0).
//   latent 0: TP 1, FP 1, FN 1 -> P = R = F1 = 0.5; latent 1: all 0.
//   feature_f1 = (0.5 + 0) / 2 = 0.25, precision = recall = 0.25.
TEST(FeatureF1, HandExample) {
  const Tensor feats = T(2, 2, {1, 0, 0, 1});
  const Tensor dec = T(2, 2, {1, 0.1f, 0.9f, -0.2f});
  auto acc = FeatureF1Accumulator::Create(dec, feats);
  ASSERT_TRUE(acc.ok()) << acc.status();
  const Tensor acts = T(4, 2, {1, 0, 2, 1, 0, 1, 0, 0});
  ASSERT_TRUE(acc->Add(Dense(4, 2, {0.3f, 0, 0, 0, 1, 0, 0, -1}), acts).ok());
  const FeatureF1 r = acc->Finish();
  EXPECT_EQ(r.best_feature[0], 0);
  EXPECT_EQ(r.best_feature[1], 0);
  EXPECT_DOUBLE_EQ(r.latent_f1[0], 0.5);
  EXPECT_DOUBLE_EQ(r.latent_f1[1], 0.0);
  EXPECT_DOUBLE_EQ(r.f1, 0.25);
  EXPECT_DOUBLE_EQ(r.precision, 0.25);
  EXPECT_DOUBLE_EQ(r.recall, 0.25);
  EXPECT_EQ(r.samples, 4);
  EXPECT_FALSE(acc->Add(Dense(1, 3, {0, 0, 0}), T(1, 2, {0, 0})).ok());
}

// Random decoder, features, codes and activations; accumulated in uneven
// batches with sparse codes, against per-latent counts from the dense whole.
TEST(FeatureF1, AgreesWithBruteForceAcrossBatchesAndLayouts) {
  const int64_t F = 7, N = 5, d = 4, S = 23;
  Philox g(3, 1);
  Tensor dec({F, d}), feats({N, d}), codes({S, F}), acts({S, N});
  for (int64_t t = 0; t < F * d; ++t) dec[t] = g.Normal();
  for (int64_t t = 0; t < N * d; ++t) feats[t] = g.Normal();
  for (int64_t t = 0; t < S * F; ++t) codes[t] = g.Uniform() < 0.4f ? g.Uniform(-0.5f, 1.0f) : 0.0f;
  for (int64_t t = 0; t < S * N; ++t) acts[t] = g.Uniform() < 0.5f ? g.Uniform() : 0.0f;
  // Brute force.
  double f1_sum = 0;
  for (int64_t i = 0; i < F; ++i) {
    int64_t best = 0;
    double bc = -1;
    for (int64_t k = 0; k < N; ++k) {
      double dot = 0, na = 0, nb = 0;
      for (int64_t j = 0; j < d; ++j) {
        dot += dec[i * d + j] * feats[k * d + j];
        na += dec[i * d + j] * dec[i * d + j];
        nb += feats[k * d + j] * feats[k * d + j];
      }
      const double c = std::fabs(dot) / std::sqrt(na * nb);
      if (c > bc) {
        bc = c;
        best = k;
      }
    }
    double tp = 0, fp = 0, fn = 0;
    for (int64_t s = 0; s < S; ++s) {
      const bool z = codes[s * F + i] > 0, t = acts[s * N + best] > 0;
      tp += z && t;
      fp += z && !t;
      fn += !z && t;
    }
    const double p = tp + fp > 0 ? tp / (tp + fp) : 0, r = tp + fn > 0 ? tp / (tp + fn) : 0;
    f1_sum += p + r > 0 ? 2 * p * r / (p + r) : 0;
  }
  auto acc = FeatureF1Accumulator::Create(dec, feats);
  ASSERT_TRUE(acc.ok());
  for (auto [lo, hi] : std::vector<std::pair<int64_t, int64_t>>{{0, 1}, {1, 10}, {10, 23}}) {
    SaeCodes c;  // CSR, as topk / batch_topk produce
    c.rows = hi - lo;
    c.f = F;
    c.sparse = true;
    c.row_ptr = {0};
    for (int64_t s = lo; s < hi; ++s) {
      for (int64_t i = 0; i < F; ++i) {
        if (codes[s * F + i] != 0) {
          c.idx.push_back(static_cast<int32_t>(i));
          c.val.push_back(codes[s * F + i]);
        }
      }
      c.row_ptr.push_back(static_cast<int64_t>(c.idx.size()));
    }
    Tensor a({hi - lo, N});
    for (int64_t t = 0; t < (hi - lo) * N; ++t) a[t] = acts[lo * N + t];
    ASSERT_TRUE(acc->Add(c, a).ok());
  }
  EXPECT_NEAR(acc->Finish().f1, f1_sum / F, 1e-12);
}

}  // namespace
}  // namespace monosem::sae
