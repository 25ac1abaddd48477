// SuiteRegistry::All(): name order, except that a suite comes after the
// suites it names in `after` (so `reproduce` trains the transformers before
// the SAE suite reuses them).
#include <algorithm>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "monosem/suite.h"

namespace monosem {
namespace {

absl::StatusOr<std::vector<ResultRow>> Nothing(const SuiteContext&) {
  return std::vector<ResultRow>{};
}

MONOSEM_REGISTER_SUITE(t_a, "t_a_reuses_c", "test", Nothing, "t_c_base");
MONOSEM_REGISTER_SUITE(t_b, "t_b_plain", "test", Nothing);
MONOSEM_REGISTER_SUITE(t_c, "t_c_base", "test", Nothing, "t_not_registered");
MONOSEM_REGISTER_SUITE(t_d, "t_d_cycle", "test", Nothing, "t_e_cycle");
MONOSEM_REGISTER_SUITE(t_e, "t_e_cycle", "test", Nothing, "t_d_cycle");

std::vector<std::string> Names() {
  std::vector<std::string> n;
  for (const SuiteInfo* s : SuiteRegistry::All()) n.push_back(s->name);
  return n;
}

TEST(SuiteRegistry, DependenciesFirstOtherwiseByName) {
  const std::vector<std::string> n = Names();
  const std::vector<std::string> want = {"t_b_plain", "t_c_base", "t_a_reuses_c", "t_d_cycle",
                                         "t_e_cycle"};
  EXPECT_EQ(n, want);
}

TEST(SuiteRegistry, DuplicateNamesAreRefused) {
  EXPECT_FALSE(SuiteRegistry::Register({"t_b_plain", "again", Nothing}));
  EXPECT_EQ(Names().size(), 5u);
}

}  // namespace
}  // namespace monosem
