#include "monosem/suite.h"

#include <algorithm>
#include <set>

#include "absl/strings/str_cat.h"
#include "monosem/registry.h"

namespace monosem {
namespace {

NameTable<SuiteInfo>& Suites() {
  static auto* suites = new NameTable<SuiteInfo>("suite");
  return *suites;
}

}  // namespace

const char* SuiteScaleName(SuiteScale s) {
  switch (s) {
    case SuiteScale::kQuick:
      return "quick";
    case SuiteScale::kDefault:
      return "default";
    case SuiteScale::kPaper:
      return "paper";
  }
  return "default";
}

absl::StatusOr<SuiteScale> ParseSuiteScale(const std::string& name) {
  for (SuiteScale s : {SuiteScale::kQuick, SuiteScale::kDefault, SuiteScale::kPaper}) {
    if (name == SuiteScaleName(s)) return s;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("--scale: '", name, "' is not a scale (quick, default or paper)"));
}

bool SuiteRegistry::Register(SuiteInfo info) {
  std::string name = info.name;
  return Suites().Add(name, std::move(info));
}

const SuiteInfo* SuiteRegistry::Find(const std::string& name) { return Suites().Find(name); }

absl::StatusOr<const SuiteInfo*> SuiteRegistry::Get(const std::string& name) {
  return Suites().Get(name);
}

std::vector<std::string> SuiteRegistry::Names() { return Suites().Names(); }

std::vector<const SuiteInfo*> SuiteRegistry::All() {
  // Repeatedly take the first suite (by name) whose `after` suites are all
  // placed; names that are not registered do not block. A cycle falls back
  // to name order for the rest.
  std::vector<std::string> names = Names();
  std::sort(names.begin(), names.end());  // plain name order ("reference" is no suite)
  std::vector<const SuiteInfo*> out;
  std::set<std::string> placed;
  while (out.size() < names.size()) {
    const SuiteInfo* next = nullptr;
    for (const std::string& name : names) {
      if (placed.count(name)) continue;
      const SuiteInfo* info = Find(name);
      bool ready = true;
      for (const std::string& dep : info->after) {
        if (Find(dep) != nullptr && !placed.count(dep)) ready = false;
      }
      if (ready) {
        next = info;
        break;
      }
    }
    if (next == nullptr) {
      for (const std::string& name : names) {
        if (!placed.count(name)) {
          next = Find(name);
          break;
        }
      }
    }
    placed.insert(next->name);
    out.push_back(next);
  }
  return out;
}

}  // namespace monosem
