// The run-time choice of the cpu backend's SIMD path, and the exact (no
// rounding) row kernels of every path this machine runs against plain loops,
// on awkward lengths. The rounding kernels are checked against the
// reference through the backend by the ordinary kernel tests, run once per
// path (tests/kernels/BUILD.bazel: the *_cpu_<path>_<threads> variants).
#include "kernels/cpu/simd/isa.h"

#include <omp.h>

#include <cstdlib>
#include <random>
#include <vector>

#include "gtest/gtest.h"
#include "kernels/cpu/simd/kernels.h"

namespace monosem::cpu {
namespace {

TEST(Isa, NamesRoundTrip) {
  for (Isa isa : {Isa::kPortable, Isa::kAvx2, Isa::kAvx512}) {
    absl::StatusOr<Isa> parsed = ParseIsa(IsaName(isa));
    ASSERT_TRUE(parsed.ok()) << parsed.status();
    EXPECT_EQ(*parsed, isa);
  }
  absl::StatusOr<Isa> bad = ParseIsa("sse9");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("avx512, avx2 or portable"), absl::string_view::npos);
}

TEST(Isa, RunnablePathsAreThePrefixUpToTheDetectedOne) {
  const std::vector<Isa> runnable = RunnableIsas();
  ASSERT_FALSE(runnable.empty());
  EXPECT_EQ(runnable.front(), Isa::kPortable);
  EXPECT_EQ(runnable.back(), DetectedIsa());
  // What the CPU reports, independently of the detection code.
  const bool avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  EXPECT_EQ(DetectedIsa() >= Isa::kAvx2, avx2);
  if (!__builtin_cpu_supports("avx512f")) {
    EXPECT_NE(DetectedIsa(), Isa::kAvx512);
  }
}

TEST(Isa, EachRunnablePathSelectsItsOwnTable) {
  const Isa before = ActiveIsa();
  for (Isa isa : RunnableIsas()) {
    ASSERT_TRUE(SetActiveIsa(isa).ok());
    EXPECT_EQ(ActiveIsa(), isa);
    EXPECT_EQ(simd::Active().isa, isa) << IsaName(isa);
  }
  ASSERT_TRUE(SetActiveIsa(before).ok());
}

TEST(Isa, RefusesAPathTheCpuLacks) {
  if (DetectedIsa() == Isa::kAvx512) GTEST_SKIP() << "this CPU runs every path";
  const Isa before = ActiveIsa();
  absl::Status s = SetActiveIsa(Isa::kAvx512);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("cannot run the avx512 path"), absl::string_view::npos) << s;
  EXPECT_EQ(ActiveIsa(), before);
}

TEST(Isa, TheEnvironmentChoosesThePath) {
  const char* env = std::getenv("MONOSEM_CPU_ISA");
  if (env == nullptr || std::string(env).empty() || std::string(env) == "auto") {
    EXPECT_EQ(ActiveIsa(), DetectedIsa());
    EXPECT_TRUE(IsaOverrideStatus().ok());
    return;
  }
  absl::StatusOr<Isa> want = ParseIsa(env);
  if (want.ok() && *want <= DetectedIsa()) {
    EXPECT_TRUE(IsaOverrideStatus().ok()) << IsaOverrideStatus();
    EXPECT_EQ(ActiveIsa(), *want);
  } else {
    EXPECT_FALSE(IsaOverrideStatus().ok());
    EXPECT_EQ(ActiveIsa(), DetectedIsa());  // never a path the CPU lacks
  }
}

// The per-path variants of the kernel tests (tests/kernels/BUILD.bazel) run
// serially through the rule's OMP_THREAD_LIMIT (.bazelrc's --test_env fixes
// OMP_NUM_THREADS, and would win over the rule's); this checks that the limit
// reaches the test and caps a parallel region (the variants of this test say
// what they expect in MONOSEM_TEST_EXPECT_THREADS).
TEST(Isa, TheRuleEnvironmentReachesTheTest) {
  const char* want = std::getenv("MONOSEM_TEST_EXPECT_THREADS");
  if (want == nullptr) GTEST_SKIP() << "no thread count expected";
  int got = 0;
#pragma omp parallel
  {
#pragma omp single
    got = omp_get_num_threads();
  }
  EXPECT_EQ(got, std::atoi(want));
}

// Lengths around every vector width and block boundary.
const int64_t kLengths[] = {1, 3, 7, 8, 9, 15, 16, 17, 31, 33, 64, 100, 1000, 1027};

class PathTest : public ::testing::TestWithParam<Isa> {
 protected:
  void SetUp() override {
    if (GetParam() > DetectedIsa()) GTEST_SKIP() << IsaName(GetParam()) << " does not run here";
  }
  const simd::Kernels& K() const { return simd::ForIsa(GetParam()); }
  std::mt19937 rng_{std::random_device{}()};
};

// Values with many exact ties and zeros, half of them negative.
std::vector<float> Awkward(std::mt19937& rng, int64_t n) {
  std::uniform_int_distribution<int> q(-8, 8);
  std::vector<float> v(n);
  for (float& x : v) x = q(rng) * 0.25f;
  return v;
}

TEST_P(PathTest, NextAboveFindsTheFirstEntryAboveEitherBar) {
  for (int64_t F : kLengths) {
    const std::vector<float> v = Awkward(rng_, F), b = Awkward(rng_, F);
    std::vector<uint8_t> dead((F + 7) / 8 + 2, 0);
    for (int64_t i = 0; i < F; ++i) {
      if (rng_() % 3 == 0) dead[i >> 3] |= static_cast<uint8_t>(1u << (i & 7));
    }
    for (bool with_dead : {false, true}) {
      const uint8_t* dp = with_dead ? dead.data() : nullptr;
      for (int64_t from = 0; from <= F; from += 1 + F / 7) {
        const float bar = 0.5f, bar_dead = -0.75f;
        int64_t want = F;
        for (int64_t i = from; i < F; ++i) {
          const float x = v[i] + b[i];
          const bool is_dead = (dead[i >> 3] >> (i & 7)) & 1;
          if (x > bar || (with_dead && is_dead && x > bar_dead)) {
            want = i;
            break;
          }
        }
        EXPECT_EQ(K().next_above(v.data(), b.data(), from, F, bar, dp, bar_dead), want)
            << "F " << F << " from " << from << " dead " << with_dead;
      }
    }
  }
}

TEST_P(PathTest, PositiveEntriesCountedAndCompressedInOrder) {
  for (int64_t F : kLengths) {
    const std::vector<float> row = Awkward(rng_, F);
    std::vector<int32_t> want_idx;
    std::vector<float> want_val;
    for (int64_t i = 0; i < F; ++i) {
      if (row[i] > 0) {
        want_idx.push_back(static_cast<int32_t>(i));
        want_val.push_back(row[i]);
      }
    }
    ASSERT_EQ(K().count_positive(row.data(), F), static_cast<int64_t>(want_idx.size())) << F;
    std::vector<int32_t> idx(want_idx.size());
    std::vector<float> val(want_val.size());
    K().compress_positive(row.data(), F, idx.data(), val.data());
    EXPECT_EQ(idx, want_idx) << F;
    EXPECT_EQ(val, want_val) << F;
    std::vector<float> biased = row;
    const std::vector<float> b = Awkward(rng_, F);
    int64_t positive = 0;
    for (int64_t i = 0; i < F; ++i) positive += row[i] + b[i] > 0;
    EXPECT_EQ(K().bias_count_positive(biased.data(), b.data(), F), positive) << F;
    for (int64_t i = 0; i < F; ++i) EXPECT_EQ(biased[i], row[i] + b[i]);
  }
}

// relu_l1's epilogues: the activations exactly, and the sums exactly as a
// sequential loop makes them (the values are multiples of 1/4, so every sum
// here is exact and any order agrees).
TEST_P(PathTest, ReluL1EpiloguesMatchPlainLoops) {
  for (int64_t F : kLengths) {
    const std::vector<float> pre = Awkward(rng_, F), b = Awkward(rng_, F);
    std::vector<float> norm = Awkward(rng_, F);
    for (float& x : norm) x = std::abs(x);
    std::vector<float> row = pre;
    std::vector<int64_t> fired(F, 1);
    std::vector<double> fsum(F, 0.5);
    float penalty = 2, l0 = 3;
    std::vector<int32_t> idx(F, -1);
    std::vector<float> val(F, -1);
    const int64_t fired_here = K().relu_l1_row(row.data(), b.data(), norm.data(), F, fired.data(),
                                               fsum.data(), &penalty, &l0, idx.data(), val.data());
    float want_pen = 2, want_l0 = 3;
    int64_t o = 0;
    for (int64_t i = 0; i < F; ++i) {
      const float f = std::max(pre[i] + b[i], 0.0f);
      if (f > 0) {
        EXPECT_EQ(idx[o], i);
        EXPECT_EQ(val[o], f);
        ++o;
      }
      EXPECT_EQ(row[i], f);
      EXPECT_EQ(fired[i], 1 + (f > 0));
      EXPECT_EQ(fsum[i], 0.5 + f);
      want_pen += f * norm[i];
      want_l0 += f > 0;
    }
    EXPECT_EQ(penalty, want_pen) << F;
    EXPECT_EQ(l0, want_l0) << F;
    EXPECT_EQ(fired_here, o) << F;
    if (o < F) {
      EXPECT_EQ(idx[o], -1) << "wrote past the firing entries";
    }
    std::vector<float> dp = Awkward(rng_, F);
    const std::vector<float> dp0 = dp;
    std::vector<double> db(F, 0.25);
    K().relu_l1_dpre_row(row.data(), dp.data(), norm.data(), 0.5f, F, db.data());
    for (int64_t i = 0; i < F; ++i) {
      const float want = row[i] > 0 ? dp0[i] + 0.5f * norm[i] : 0.0f;
      EXPECT_EQ(dp[i], want);
      EXPECT_EQ(db[i], 0.25 + want);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(EveryPath, PathTest,
                         ::testing::Values(Isa::kPortable, Isa::kAvx2, Isa::kAvx512),
                         [](const auto& info) { return std::string(IsaName(info.param)); });

}  // namespace
}  // namespace monosem::cpu
