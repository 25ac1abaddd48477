#include "golden/golden_sets.h"

namespace monosem {
namespace {

std::vector<GoldenSet>& Sets() {
  static auto* sets = new std::vector<GoldenSet>;
  return *sets;
}

}  // namespace

bool RegisterGoldenSet(GoldenSet set) {
  Sets().push_back(std::move(set));
  return true;
}

const std::vector<GoldenSet>& GoldenSets() { return Sets(); }

}  // namespace monosem
