// One way for a test to run over every registered backend: parametrize on
// BackendRegistry::Names() and create each through these helpers, so a backend
// that cannot run here (cuda without a GPU) is reported as an explicit skip
// that names the reason, never passed over silently.
//
//   class MyTest : public ::testing::TestWithParam<std::string> {};
//   TEST_P(MyTest, Works) {
//     MONOSEM_ASSIGN_BACKEND_OR_SKIP(backend, GetParam());
//     ...
//   }
//   INSTANTIATE_TEST_SUITE_P(AllBackends, MyTest,
//                            ::testing::ValuesIn(monosem::testing::AllBackends()),
//                            monosem::testing::BackendParamName);
#ifndef MONOSEM_TESTS_TESTING_BACKENDS_H_
#define MONOSEM_TESTS_TESTING_BACKENDS_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gtest/gtest.h"
#include "monosem/backend.h"

namespace monosem::testing {

// Every registered backend, the reference first.
std::vector<std::string> AllBackends();
// Every registered backend but the reference (what is compared against it).
std::vector<std::string> BackendsUnderTest();

// The test-name suffix for a backend parameter.
std::string BackendParamName(const ::testing::TestParamInfo<std::string>& info);

// "<name> is not available here: <why>", the message of every such skip.
std::string UnavailableReason(const std::string& name, const absl::Status& available);

// The backend `name`, ready to run: NotFound/Internal when it cannot be
// created, Unavailable (with UnavailableReason) when it cannot run here.
absl::StatusOr<std::unique_ptr<Backend>> CreateAvailable(const std::string& name);

}  // namespace monosem::testing

// Declares `var` (std::unique_ptr<Backend>) as backend `name`; skips the test
// naming the reason when the backend cannot run here; fails it when the
// backend cannot even be created.
#define MONOSEM_ASSIGN_BACKEND_OR_SKIP(var, name)                                \
  std::unique_ptr<::monosem::Backend> var;                                       \
  if (auto var##_created = ::monosem::testing::CreateAvailable(name);            \
      var##_created.ok()) {                                                      \
    var = std::move(*var##_created);                                             \
  } else if (absl::IsUnavailable(var##_created.status())) {                      \
    GTEST_SKIP() << var##_created.status().message();                            \
  } else {                                                                       \
    FAIL() << var##_created.status();                                            \
  }

// Skips the test, naming the reason, unless `available` (a kernel set's or a
// backend's Available()) is OK.
#define MONOSEM_SKIP_UNLESS_AVAILABLE(name, available)                            \
  if (const absl::Status monosem_available_ = (available); !monosem_available_.ok()) \
  GTEST_SKIP() << ::monosem::testing::UnavailableReason(name, monosem_available_)

#endif  // MONOSEM_TESTS_TESTING_BACKENDS_H_
