// The golden files in this folder, each a named set with the recipe that
// produces it. `bazel run //golden:regen` rewrites every set from the
// reference backend; tests/golden/golden_test checks that regeneration
// reproduces the committed bytes and that every backend matches the stored
// outputs.
// A model adds its set with MONOSEM_REGISTER_GOLDEN_SET; nothing else changes.
#ifndef MONOSEM_GOLDEN_GOLDEN_SETS_H_
#define MONOSEM_GOLDEN_GOLDEN_SETS_H_

#include <functional>
#include <string>
#include <vector>

#include "proto/golden.pb.h"

namespace monosem {

struct GoldenSet {
  std::string filename;                 // relative to golden/
  std::function<GoldenFile()> recipe;   // the cases, without outputs
};

bool RegisterGoldenSet(GoldenSet set);
const std::vector<GoldenSet>& GoldenSets();

#define MONOSEM_REGISTER_GOLDEN_SET(var, filename, recipe) \
  static const bool monosem_golden_set_##var = ::monosem::RegisterGoldenSet({filename, recipe})

}  // namespace monosem

#endif  // MONOSEM_GOLDEN_GOLDEN_SETS_H_
