// max_corr_median and feature genre_f1 (METRICS.md) on hand-computed
// examples and against a direct double-precision computation; the store and
// tensor batch sources the SAE suite trains and evaluates on.
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "monosem/data/activation_store.h"
#include "monosem/models/sae/sae.h"
#include "monosem/models/sae/sae_analysis.h"
#include "monosem/models/sae/sae_sources.h"
#include "monosem/philox.h"
#include "tests/testing/cross_check.h"
#include "tests/testing/tmp_dir.h"

namespace monosem::sae {
namespace {

using ::monosem::testing::TmpDir;

Tensor Mat(int64_t rows, int64_t cols, std::vector<float> v) {
  return *Tensor::FromValues({rows, cols}, v);
}

// A (4 tokens x 3): col0 = 1,2,3,4; col1 = 0 (dead); col2 = 1,0,1,0.
// B: col0 = 2,4,6,8 (corr 1 with A0); col1 = 0,1,0,1 (corr -1 with A2);
//    col2 = 5 everywhere (constant: skipped).
// A2 against B0: cov = -1, var 1 and 5 -> -1/sqrt(5); against B1: -1. So
// max_corr = {1, NaN, -1/sqrt(5)}, median over the two live units.
TEST(MaxCorrMedian, HandComputedExample) {
  Tensor a = Mat(4, 3, {1, 0, 1, 2, 0, 0, 3, 0, 1, 4, 0, 0});
  Tensor b = Mat(4, 3, {2, 0, 5, 4, 1, 5, 6, 0, 5, 8, 1, 5});
  auto r = MaxCorrMedian(a, b);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->live_a, 2);
  EXPECT_EQ(r->live_b, 2);
  EXPECT_NEAR(r->max_corr[0], 1.0, 1e-6);
  EXPECT_TRUE(std::isnan(r->max_corr[1]));
  EXPECT_NEAR(r->max_corr[2], -1.0 / std::sqrt(5.0), 1e-6);
  EXPECT_EQ(r->best_match[0], 0);
  EXPECT_EQ(r->best_match[1], -1);
  EXPECT_EQ(r->best_match[2], 0);
  EXPECT_NEAR(r->median, 0.5 * (1.0 - 1.0 / std::sqrt(5.0)), 1e-6);
}

double Pearson(const Tensor& a, int64_t i, const Tensor& b, int64_t j) {
  const int64_t n = a.dim(0), ua = a.dim(1), ub = b.dim(1);
  double ma = 0, mb = 0;
  for (int64_t r = 0; r < n; ++r) {
    ma += a[r * ua + i];
    mb += b[r * ub + j];
  }
  ma /= n;
  mb /= n;
  double c = 0, va = 0, vb = 0;
  for (int64_t r = 0; r < n; ++r) {
    const double x = a[r * ua + i] - ma, y = b[r * ub + j] - mb;
    c += x * y;
    va += x * x;
    vb += y * y;
  }
  return c / std::sqrt(va * vb);
}

// Fresh random sparse codes with more A units than one GEMM block (256), a
// shared component so correlations are far from 0, and a dead unit in each.
TEST(MaxCorrMedian, MatchesDirectComputationAcrossBlocks) {
  const int64_t n = 97, ua = 300, ub = 41;
  Philox rng(monosem::testing::TestSeed(), 3);
  uint64_t t = 0;
  Tensor a({n, ua}), b({n, ub});
  std::vector<double> shared(n);
  for (auto& s : shared) s = rng.UniformAt(t++);
  for (int64_t r = 0; r < n; ++r) {
    for (int64_t i = 0; i < ua; ++i) {
      const double v = (i % 7) * shared[r] + rng.UniformAt(t++) - 0.6;
      a[r * ua + i] = i == 5 ? 0.0f : static_cast<float>(std::max(0.0, v));
    }
    for (int64_t j = 0; j < ub; ++j) {
      const double v = (j % 5) * shared[r] + rng.UniformAt(t++) - 0.6;
      b[r * ub + j] = j == 2 ? 0.0f : static_cast<float>(std::max(0.0, v));
    }
  }
  auto r = MaxCorrMedian(a, b);
  ASSERT_TRUE(r.ok()) << r.status();
  std::vector<double> expect;
  for (int64_t i = 0; i < ua; ++i) {
    double va = 0;
    for (int64_t k = 0; k < n; ++k) va += a[k * ua + i];
    if (va == 0) {
      EXPECT_TRUE(std::isnan(r->max_corr[i])) << i;
      continue;
    }
    double best = -2;
    for (int64_t j = 0; j < ub; ++j) {
      if (j == 2) continue;
      best = std::max(best, Pearson(a, i, b, j));
    }
    EXPECT_NEAR(r->max_corr[i], best, 2e-5) << "unit " << i;
    expect.push_back(best);
  }
  std::sort(expect.begin(), expect.end());
  const size_t m = expect.size();
  const double med = m % 2 ? expect[m / 2] : 0.5 * (expect[m / 2 - 1] + expect[m / 2]);
  EXPECT_NEAR(r->median, med, 2e-5);
}

TEST(MaxCorrMedian, RejectsMismatchedTokensAndAllDeadUnits) {
  auto r = MaxCorrMedian(Tensor({4, 2}), Tensor({5, 2}));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(std::string(r.status().message()).find("same N"), std::string::npos) << r.status();
  r = MaxCorrMedian(Tensor({4, 2}), Mat(4, 1, {1, 2, 3, 4}));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(std::string(r.status().message()).find("no live units"), std::string::npos);
}

// labels 0,0,1,1,1,2; f0 fires on tokens 0-2, f1 on 2-4, f2 on 0 and 5.
// genre 0: f0 F1 = 2*2/(2+3) = 0.8 (f2: 2*1/(2+2) = 0.5); genre 1: f1 = 1;
// genre 2: f2 = 2*1/(1+2) = 2/3; genre 3 has no tokens: no entry.
TEST(BestFeatureGenreF1, HandComputedExample) {
  Tensor codes = Mat(6, 3, {1, 0, 2,  //
                            1, 0, 0,  //
                            3, 1, 0,  //
                            0, 1, 0,  //
                            0, 5, 0,  //
                            0, 0, 1});
  std::vector<LabelId> labels = {0, 0, 1, 1, 1, 2};
  auto r = BestFeatureGenreF1(codes, labels, 4);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->size(), 3u);
  EXPECT_EQ((*r)[0].unit, 0);
  EXPECT_DOUBLE_EQ((*r)[0].f1, 0.8);
  EXPECT_EQ((*r)[0].predicted, 3);
  EXPECT_EQ((*r)[1].unit, 1);
  EXPECT_DOUBLE_EQ((*r)[1].f1, 1.0);
  EXPECT_EQ((*r)[2].genre, 2);
  EXPECT_EQ((*r)[2].unit, 2);
  EXPECT_DOUBLE_EQ((*r)[2].f1, 2.0 / 3.0);
  EXPECT_EQ((*r)[2].positives, 1);
}

TEST(BestFeatureGenreF1, LabelIdsPast255) {
  Tensor codes = Mat(4, 2, {1, 0,  //
                            1, 0,  //
                            0, 1,  //
                            0, 1});
  std::vector<LabelId> labels = {256, 256, 511, 511};
  auto r = BestFeatureGenreF1(codes, labels, 512);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[0].genre, 256);
  EXPECT_EQ((*r)[0].unit, 0);
  EXPECT_EQ((*r)[1].genre, 511);
  EXPECT_EQ((*r)[1].unit, 1);
  EXPECT_DOUBLE_EQ((*r)[1].f1, 1.0);
}

TEST(BestFeatureGenreF1, RejectsBadLabels) {
  std::vector<LabelId> labels = {0, 7};
  auto r = BestFeatureGenreF1(Tensor({2, 3}), labels, 4);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(std::string(r.status().message()).find("label 7"), std::string::npos);
  r = BestFeatureGenreF1(Tensor({3, 3}), labels, 4);
  EXPECT_FALSE(r.ok());
}

// Vector i of the store is (i, i, ..., i): its identity survives the shuffle.
void WriteStore(const std::string& dir, int64_t n, int64_t d) {
  ActivationStoreOptions o;
  o.dir = dir;
  o.d = d;
  o.vectors_per_shard = 7;  // several shards, the last one short
  o.block_rows = 3;
  auto w = ActivationStoreWriter::Create(o);
  ASSERT_TRUE(w.ok()) << w.status();
  std::vector<float> v(n * d);
  std::vector<VectorMeta> m(n);
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t k = 0; k < d; ++k) v[i * d + k] = static_cast<float>(i + 1);
    m[i].context = i;
  }
  ASSERT_TRUE((*w)->Append(v, m).ok());
  ASSERT_TRUE((*w)->Finish().ok());
}

TEST(StoreSource, EveryVectorOncePerEpochAcrossBatchBoundariesScaled) {
  const int64_t n = 23, d = 4;
  const std::string dir = TmpDir("store_source");
  WriteStore(dir, n, d);
  auto src = StoreSource::Open(dir, /*seed=*/5, /*buffer_bytes=*/1 << 12, /*scale=*/2.0f);
  ASSERT_TRUE(src.ok()) << src.status();
  EXPECT_EQ((*src)->dim(), d);
  // Batches of 5 do not divide 23: three epochs of counts, read as 69 / 5
  // batches (plus 1 vector), must see every vector 3 times.
  std::vector<int> seen(n, 0);
  Tensor x({5, d});
  for (int b = 0; b < 14; ++b) {  // 70 vectors
    ASSERT_TRUE((*src)->Next(5, &x).ok());
    for (int64_t r = 0; r < 5; ++r) {
      const float v = x[r * d];
      for (int64_t k = 1; k < d; ++k) ASSERT_EQ(x[r * d + k], v);
      const int64_t id = static_cast<int64_t>(v / 2.0f) - 1;  // scale 2 applied
      ASSERT_GE(id, 0);
      ASSERT_LT(id, n);
      if (b * 5 + r < 3 * n) ++seen[id];
    }
  }
  for (int64_t i = 0; i < n; ++i) EXPECT_EQ(seen[i], 3) << "vector " << i;
  EXPECT_GE((*src)->epoch(), 3);
}

TEST(StoreSource, DimensionMismatchWithTheSaeIsNamed) {
  const std::string dir = TmpDir("store_source_d");
  WriteStore(dir, 10, 6);
  auto src = StoreSource::Open(dir, 1);
  ASSERT_TRUE(src.ok()) << src.status();
  SaeSpec spec;
  spec.d = 8;
  spec.f = 4;
  spec.l1 = 0.1f;
  TrainOptions opt;
  opt.steps = 1;
  opt.batch = 4;
  auto trainer = SaeTrainer::Create(spec, opt, "reference");
  if (!trainer.ok()) GTEST_SKIP() << trainer.status();
  absl::Status s = (*trainer)->Init(**src);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(std::string(s.message()).find("d = 6"), std::string::npos) << s;
  EXPECT_NE(std::string(s.message()).find("d_in is 8"), std::string::npos) << s;
}

TEST(StoreSource, NonFiniteActivationIsNamedByWhereItWasHarvested) {
  const std::string dir = TmpDir("store_source_nan");
  ActivationStoreOptions o;
  o.dir = dir;
  o.d = 3;
  auto w = ActivationStoreWriter::Create(o);
  ASSERT_TRUE(w.ok()) << w.status();
  std::vector<float> v(4 * 3, 1.0f);
  v[2 * 3 + 1] = std::numeric_limits<float>::infinity();
  std::vector<VectorMeta> m(4);
  for (int i = 0; i < 4; ++i) {
    m[i].context = 10 + i;
    m[i].position = i;
  }
  ASSERT_TRUE((*w)->Append(v, m).ok());
  ASSERT_TRUE((*w)->Finish().ok());
  auto src = StoreSource::Open(dir, 1);
  ASSERT_TRUE(src.ok()) << src.status();
  Tensor x({4, 3});
  const absl::Status s = (*src)->Next(4, &x);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(std::string(s.message()).find("context 12 position 2 has inf in column 1"),
            std::string::npos)
      << s;
  EXPECT_NE(std::string(s.message()).find(dir), std::string::npos) << s;
}

TEST(StoreSource, MissingStoreIsAnError) {
  auto src = StoreSource::Open(TmpDir("no_such_store"), 1);
  ASSERT_FALSE(src.ok());
  EXPECT_NE(std::string(src.status().message()).find("no_such_store"), std::string::npos)
      << src.status();
}

TEST(TensorSource, CyclesInOrderWithScale) {
  auto src = TensorSource::Create(Mat(3, 2, {1, 2, 3, 4, 5, 6}), 0.5f);
  ASSERT_TRUE(src.ok());
  Tensor x({4, 2});
  ASSERT_TRUE((*src)->Next(4, &x).ok());
  const std::vector<float> want = {0.5f, 1, 1.5f, 2, 2.5f, 3, 0.5f, 1};
  for (int i = 0; i < 8; ++i) EXPECT_EQ(x[i], want[i]) << i;
  EXPECT_FALSE(TensorSource::Create(Tensor({0, 2})).ok());
}

TEST(NormScale, GivesMeanNormSqrtD) {
  // Norms 5 and 10 (3-4-0-0 and 6-8-0-0): mean 7.5, d = 4 -> scale 2 / 7.5.
  auto src = TensorSource::Create(Mat(2, 4, {3, 4, 0, 0, 6, 8, 0, 0}));
  ASSERT_TRUE(src.ok());
  auto s = NormScale(**src, 2);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_FLOAT_EQ(*s, 2.0f / 7.5f);
  auto zero = TensorSource::Create(Tensor({2, 4}));
  ASSERT_TRUE(zero.ok());
  EXPECT_FALSE(NormScale(**zero, 2).ok());
}

}  // namespace
}  // namespace monosem::sae
