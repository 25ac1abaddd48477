#include "monosem/suite.h"

#include <map>

namespace monosem {
namespace {

std::map<std::string, SuiteInfo>& Suites() {
  static auto* suites = new std::map<std::string, SuiteInfo>;
  return *suites;
}

}  // namespace

bool SuiteRegistry::Register(SuiteInfo info) {
  std::string name = info.name;
  return Suites().emplace(name, std::move(info)).second;
}

const SuiteInfo* SuiteRegistry::Find(const std::string& name) {
  auto it = Suites().find(name);
  return it == Suites().end() ? nullptr : &it->second;
}

std::vector<const SuiteInfo*> SuiteRegistry::All() {
  std::vector<const SuiteInfo*> out;
  for (const auto& [name, info] : Suites()) out.push_back(&info);
  return out;
}

}  // namespace monosem
