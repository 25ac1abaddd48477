// Every registered backend against the reference, on fresh random inputs and
// awkward shapes (tests/testing/cross_check.h). A new backend is covered by
// registering it in //kernels:all_backends; nothing here changes.
#include <string>
#include <tuple>

#include "gtest/gtest.h"
#include "monosem/backend.h"
#include "tests/testing/backends.h"
#include "tests/testing/cross_check.h"

namespace monosem::testing {
namespace {

class GemmCrossBackend : public ::testing::TestWithParam<std::tuple<std::string, GemmCase>> {};

TEST_P(GemmCrossBackend, MatchesReference) {
  const auto& [name, c] = GetParam();
  MONOSEM_ASSIGN_BACKEND_OR_SKIP(backend, name);
  Comparison cmp = CheckGemm(*backend, c, TestSeed());
  EXPECT_TRUE(cmp.ok) << name << " gemm " << c.Name() << " (seed " << TestSeed()
                      << "): " << cmp.message;
}

INSTANTIATE_TEST_SUITE_P(
    AllBackends, GemmCrossBackend,
    ::testing::Combine(::testing::ValuesIn(BackendsUnderTest()),
                       ::testing::ValuesIn(GemmCases())),
    [](const auto& info) {
      return std::get<0>(info.param) + "_" + std::get<1>(info.param).Name();
    });

class OpCrossBackend : public ::testing::TestWithParam<std::tuple<std::string, OpCase>> {};

TEST_P(OpCrossBackend, MatchesReference) {
  const auto& [name, c] = GetParam();
  MONOSEM_ASSIGN_BACKEND_OR_SKIP(backend, name);
  Comparison cmp = CheckOp(*backend, c, TestSeed());
  EXPECT_TRUE(cmp.ok) << name << " " << c.Name() << " (seed " << TestSeed()
                      << "): " << cmp.message;
}

INSTANTIATE_TEST_SUITE_P(
    AllBackends, OpCrossBackend,
    ::testing::Combine(::testing::ValuesIn(BackendsUnderTest()), ::testing::ValuesIn(OpCases())),
    [](const auto& info) {
      return std::get<0>(info.param) + "_" + std::get<1>(info.param).Name();
    });

TEST(Registry, HasTheThreeFoundationBackends) {
  std::vector<std::string> names = BackendRegistry::Names();
  ASSERT_GE(names.size(), 3u);
  EXPECT_EQ(names[0], "reference");
  for (const char* want : {"cpu", "torch"}) {
    EXPECT_NE(std::find(names.begin(), names.end(), want), names.end()) << want;
  }
  EXPECT_FALSE(BackendRegistry::Create("no-such-backend").ok());
}

}  // namespace
}  // namespace monosem::testing
