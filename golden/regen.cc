// bazel run //golden:regen  — rewrites every registered golden set from the
// reference backend into the source tree's golden/ folder (atomically).
// `--check` instead compares and exits 1 on any difference.
#include <cstdlib>
#include <cstring>
#include <iostream>

#include "golden/golden_sets.h"
#include "monosem/golden.h"
#include "monosem/io/file_io.h"
#include "reference/reference_backend.h"

int main(int argc, char** argv) {
  const bool check = argc > 1 && std::strcmp(argv[1], "--check") == 0;
  const char* ws = std::getenv("BUILD_WORKSPACE_DIRECTORY");
  const std::string dir = std::string(ws != nullptr ? ws : ".") + "/golden/";
  monosem::ReferenceBackend reference;
  int rc = 0;
  for (const monosem::GoldenSet& set : monosem::GoldenSets()) {
    monosem::GoldenFile file = set.recipe();
    file.set_generated_by("bazel run //golden:regen (reference backend)");
    for (monosem::GoldenCase& c : *file.mutable_cases()) {
      if (absl::Status s = monosem::FillGoldenOutputs(reference, &c); !s.ok()) {
        std::cerr << "regen: " << set.filename << ": " << s.message() << "\n";
        return 1;
      }
    }
    const std::string text = monosem::FormatGoldenFile(file);
    const std::string path = dir + set.filename;
    if (check) {
      auto old = monosem::ReadFile(path);
      if (!old.ok() || *old != text) {
        std::cerr << "regen --check: " << path << " differs from regeneration\n";
        rc = 1;
      }
      continue;
    }
    if (absl::Status s = monosem::WriteFileAtomic(path, text); !s.ok()) {
      std::cerr << "regen: " << s.message() << "\n";
      return 1;
    }
    std::cout << "wrote " << path << " (" << file.cases_size() << " cases)\n";
  }
  return rc;
}
