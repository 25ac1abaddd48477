#include "tests/testing/tmp_dir.h"

#include <cstdlib>
#include <filesystem>

namespace monosem::testing {

std::string TestTmpDir() {
  const char* t = std::getenv("TEST_TMPDIR");
  return t != nullptr && *t != '\0' ? t : "/tmp";
}

std::string TmpDir(const std::string& name) {
  const std::string dir = TestTmpDir() + "/" + name;
  std::filesystem::remove_all(dir);
  return dir;
}

}  // namespace monosem::testing
