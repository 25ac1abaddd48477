#include "tests/testing/backends.h"

#include "absl/strings/str_cat.h"

namespace monosem::testing {

std::vector<std::string> AllBackends() { return BackendRegistry::Names(); }

std::vector<std::string> BackendsUnderTest() {
  std::vector<std::string> names;
  for (const std::string& n : BackendRegistry::Names()) {
    if (n != "reference") names.push_back(n);
  }
  return names;
}

std::string BackendParamName(const ::testing::TestParamInfo<std::string>& info) {
  return info.param;
}

std::string UnavailableReason(const std::string& name, const absl::Status& available) {
  return absl::StrCat(name, " is not available here: ", available.message());
}

absl::StatusOr<std::unique_ptr<Backend>> CreateAvailable(const std::string& name) {
  auto backend = BackendRegistry::Create(name);
  if (!backend.ok()) return backend.status();
  if (absl::Status s = (*backend)->Available(); !s.ok()) {
    return absl::UnavailableError(UnavailableReason(name, s));
  }
  return std::move(*backend);
}

}  // namespace monosem::testing
