// Every registered skip-gram kernel set against the reference: one batch of
// sequential pairs on fresh Philox inputs at awkward shapes (one word, d = 1,
// primes, d above one AVX2 register, negatives that collide with the positive
// word, rows updated many times in one batch), with depth-scaled tolerances;
// then the shape and index checks every backend shares.
#include "monosem/models/embeddings/sgns_kernels.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <iostream>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "monosem/backend.h"
#include "monosem/compare.h"
#include "monosem/philox.h"
#include "monosem/random_fill.h"
#include "tests/testing/cross_check.h"

namespace monosem {
namespace {

struct Case {
  int64_t vocab, d, pairs;
  int k;
  std::string Name() const { return absl::StrCat("V", vocab, "_d", d, "_P", pairs, "_K", k); }
};

const Case kCases[] = {{1, 1, 1, 0},     {1, 3, 4, 2},       {2, 3, 5, 1},       {7, 13, 33, 5},
                       {50, 60, 200, 5}, {3, 64, 17, 7},     {1000, 37, 500, 5}, {97, 129, 64, 3},
                       {11, 8, 40, 5},   {5000, 50, 2000, 5}};

struct Batch {
  std::vector<int32_t> input, output, negatives;
  std::vector<float> lr;
  SgnsBatch View(int k) const { return {input, output, negatives, lr, k}; }
};

Batch RandomBatch(const Case& c, uint64_t seed) {
  Philox rng(seed, 7);
  Batch b;
  for (int64_t p = 0; p < c.pairs; ++p) {
    b.input.push_back(static_cast<int32_t>(rng.UniformInt(static_cast<uint32_t>(c.vocab))));
    b.output.push_back(static_cast<int32_t>(rng.UniformInt(static_cast<uint32_t>(c.vocab))));
    b.lr.push_back(rng.Uniform(0.001f, 0.05f));
    for (int k = 0; k < c.k; ++k) {
      b.negatives.push_back(static_cast<int32_t>(rng.UniformInt(static_cast<uint32_t>(c.vocab))));
    }
  }
  return b;
}

// The most updates any one row receives in the batch, counting an input row's
// update as K + 1 accumulated terms: the reduction depth of the worst element.
int64_t MaxRowDepth(const Case& c, const Batch& b) {
  std::vector<int64_t> in(c.vocab, 0), out(c.vocab, 0);
  for (int64_t p = 0; p < c.pairs; ++p) {
    in[b.input[p]] += c.k + 1;
    ++out[b.output[p]];
    for (int k = 0; k < c.k; ++k) ++out[b.negatives[p * c.k + k]];
  }
  return std::max(*std::max_element(in.begin(), in.end()),
                  *std::max_element(out.begin(), out.end()));
}

std::vector<std::string> Backends() {
  std::vector<std::string> names;
  for (const std::string& n : SgnsKernelRegistry::Names()) {
    if (n != "reference") names.push_back(n);
  }
  return names;
}

class SgnsCrossBackend : public ::testing::TestWithParam<std::string> {};

TEST_P(SgnsCrossBackend, BatchMatchesReference) {
  auto kernels = SgnsKernelRegistry::Create(BackendRegistry::Create(GetParam()));
  ASSERT_TRUE(kernels.ok()) << kernels.status();
  if (absl::Status st = (*kernels)->Available(); !st.ok()) GTEST_SKIP() << st.message();
  auto reference = SgnsKernelRegistry::Create(BackendRegistry::Create("reference"));
  ASSERT_TRUE(reference.ok()) << reference.status();
  const uint64_t seed = testing::TestSeed();
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.Name());
    const Batch batch = RandomBatch(c, seed);
    Tensor in = Tensor::Uninitialized({c.vocab, c.d}), out = Tensor::Uninitialized({c.vocab, c.d});
    FillUniform(seed, 1, -0.5f, 0.5f, &in);
    FillUniform(seed, 2, -0.5f, 0.5f, &out);
    Tensor want_in = in.Clone(), want_out = out.Clone();
    double want_loss = 0.0, loss = 0.0;
    ASSERT_TRUE((*reference)->Train(batch.View(c.k), &want_in, &want_out, &want_loss).ok());
    absl::Status st = (*kernels)->Train(batch.View(c.k), &in, &out, &loss);
    ASSERT_TRUE(st.ok()) << st;
    // Each stored element is a sum of (updates x d-term dots); their rounding
    // errors add like a reduction of that depth. Each update also carries a
    // chain of dependent roundings (exp, σ, g, g·o, the sum into e, the store),
    // counted as kChain more terms, as AdamW's few roundings per step are in
    // docs/tolerances.md: a one-term update is otherwise held to 2 ulp.
    constexpr int64_t kChain = 8;
    const Tolerance tol = Float32Tolerance((c.d + kChain) * MaxRowDepth(c, batch));
    const Comparison ci = Compare(in, want_in, tol), co = Compare(out, want_out, tol);
    // The headroom, for docs/models/embeddings.md.
    std::cout << GetParam() << " " << c.Name() << ": error / bound "
              << std::max(ci.max_abs_error / ci.max_bound, co.max_abs_error / co.max_bound)
              << " (max), "
              << std::max(ci.mean_abs_error / ci.mean_bound, co.mean_abs_error / co.mean_bound)
              << " (mean)\n";
    EXPECT_TRUE(ci.ok) << "in vectors: " << ci.message;
    EXPECT_TRUE(co.ok) << "out vectors: " << co.message;
    const double loss_tol =
        2.5e-7 * std::sqrt(static_cast<double>(c.pairs * (c.k + 1) * c.d)) * std::abs(want_loss);
    EXPECT_NEAR(loss, want_loss, loss_tol + 1e-6);
  }
}

TEST_P(SgnsCrossBackend, DeterministicAndBatchingIndependent) {
  auto kernels = SgnsKernelRegistry::Create(BackendRegistry::Create(GetParam()));
  ASSERT_TRUE(kernels.ok()) << kernels.status();
  if (absl::Status st = (*kernels)->Available(); !st.ok()) GTEST_SKIP() << st.message();
  const Case c{40, 19, 300, 5};
  const Batch batch = RandomBatch(c, 3);
  Tensor in = Tensor::Uninitialized({c.vocab, c.d}), out = Tensor::Uninitialized({c.vocab, c.d});
  FillUniform(3, 1, -0.5f, 0.5f, &in);
  FillUniform(3, 2, -0.5f, 0.5f, &out);
  Tensor in2 = in.Clone(), out2 = out.Clone();
  ASSERT_TRUE((*kernels)->Train(batch.View(c.k), &in, &out, nullptr).ok());
  // The same pairs as two batches: sequential semantics make it bitwise equal.
  const int64_t cut = 123;
  auto part = [&](int64_t lo, int64_t hi) {
    return SgnsBatch{absl::MakeConstSpan(batch.input).subspan(lo, hi - lo),
                     absl::MakeConstSpan(batch.output).subspan(lo, hi - lo),
                     absl::MakeConstSpan(batch.negatives).subspan(lo * c.k, (hi - lo) * c.k),
                     absl::MakeConstSpan(batch.lr).subspan(lo, hi - lo), c.k};
  };
  ASSERT_TRUE((*kernels)->Train(part(0, cut), &in2, &out2, nullptr).ok());
  ASSERT_TRUE((*kernels)->Train(part(cut, c.pairs), &in2, &out2, nullptr).ok());
  EXPECT_EQ(0, std::memcmp(in.data(), in2.data(), in.size() * sizeof(float)));
  EXPECT_EQ(0, std::memcmp(out.data(), out2.data(), out.size() * sizeof(float)));
}

TEST_P(SgnsCrossBackend, RefusesBadShapesAndIndices) {
  auto kernels = SgnsKernelRegistry::Create(BackendRegistry::Create(GetParam()));
  ASSERT_TRUE(kernels.ok()) << kernels.status();
  Tensor in = Tensor::Filled({4, 3}, 0.1f), out = Tensor::Filled({4, 3}, 0.0f);
  Tensor wrong = Tensor::Filled({4, 2}, 0.0f);
  std::vector<int32_t> one = {1}, bad = {4}, neg = {0, 2};
  std::vector<float> lr = {0.01f}, nan_lr = {NAN};
  EXPECT_FALSE((*kernels)->Train({one, one, neg, lr, 2}, &in, &wrong, nullptr).ok());
  EXPECT_FALSE((*kernels)->Train({bad, one, neg, lr, 2}, &in, &out, nullptr).ok());
  EXPECT_FALSE((*kernels)->Train({one, bad, neg, lr, 2}, &in, &out, nullptr).ok());
  EXPECT_FALSE((*kernels)->Train({one, one, neg, lr, 3}, &in, &out, nullptr).ok());
  EXPECT_FALSE((*kernels)->Train({one, one, neg, nan_lr, 2}, &in, &out, nullptr).ok());
  EXPECT_TRUE((*kernels)->Train({one, one, neg, lr, 2}, &in, &out, nullptr).ok());
}

// The reference on one pair, worked by hand: in = (1, 0), out[1] = (0.5, 0),
// lr 0.1, no negatives: f = 0.5, g = 0.1 (1 − σ(0.5)).
TEST(SgnsReference, OnePairByHand) {
  auto reference = SgnsKernelRegistry::Create(BackendRegistry::Create("reference"));
  ASSERT_TRUE(reference.ok());
  Tensor in = Tensor::Filled({2, 2}, 0.0f), out = Tensor::Filled({2, 2}, 0.0f);
  in[0] = 1.0f;
  out[2] = 0.5f;
  std::vector<int32_t> input = {0}, output = {1}, none;
  std::vector<float> lr = {0.1f};
  double loss = 0;
  ASSERT_TRUE((*reference)->Train({input, output, none, lr, 0}, &in, &out, &loss).ok());
  const double g = static_cast<double>(0.1f) * (1.0 - 1.0 / (1.0 + std::exp(-0.5)));
  EXPECT_FLOAT_EQ(in[0], static_cast<float>(1.0 + g * 0.5));  // e = g · out[1] (before update)
  EXPECT_FLOAT_EQ(out[2], static_cast<float>(0.5 + g * 1.0));
  EXPECT_NEAR(loss, std::log1p(std::exp(-0.5)), 1e-12);
}

INSTANTIATE_TEST_SUITE_P(AllBackends, SgnsCrossBackend, ::testing::ValuesIn(Backends()),
                         [](const ::testing::TestParamInfo<std::string>& i) { return i.param; });

}  // namespace
}  // namespace monosem
