#include "monosem/suite.h"

#include <map>
#include <set>

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
  // Repeatedly take the first suite (by name) whose `after` suites are all
  // placed; names that are not registered do not block. A cycle falls back
  // to name order for the rest.
  std::vector<const SuiteInfo*> out;
  std::set<std::string> placed;
  while (out.size() < Suites().size()) {
    const SuiteInfo* next = nullptr;
    for (const auto& [name, info] : Suites()) {
      if (placed.count(name)) continue;
      bool ready = true;
      for (const std::string& dep : info.after) {
        if (Suites().count(dep) && !placed.count(dep)) ready = false;
      }
      if (ready) {
        next = &info;
        break;
      }
    }
    if (next == nullptr) {
      for (const auto& [name, info] : Suites()) {
        if (!placed.count(name)) {
          next = &info;
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
