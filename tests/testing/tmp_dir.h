// The one scratch-directory helper every test uses.
#ifndef MONOSEM_TESTS_TESTING_TMP_DIR_H_
#define MONOSEM_TESTS_TESTING_TMP_DIR_H_

#include <string>

namespace monosem::testing {

// $TEST_TMPDIR (Bazel's per-test scratch folder; /tmp outside Bazel).
std::string TestTmpDir();

// TestTmpDir()/name, removed first if it exists and not created: so a test
// always starts from a clean path and can check that a failed write leaves
// nothing behind. Call std::filesystem::create_directories where the code
// under test expects the folder to exist.
std::string TmpDir(const std::string& name);

}  // namespace monosem::testing

#endif  // MONOSEM_TESTS_TESTING_TMP_DIR_H_
