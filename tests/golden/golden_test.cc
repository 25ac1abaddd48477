// Golden files: (1) regenerating each set from the reference reproduces the
// committed bytes, so nondeterminism or an unexplained change cannot hide;
// (2) every registered backend matches the stored outputs within each case's
// tolerance; (3) a corrupt or truncated golden file is rejected clearly.
#include <fstream>

#include "golden/golden_sets.h"
#include "gtest/gtest.h"
#include "monosem/golden.h"
#include "monosem/io/file_io.h"
#include "reference/reference_backend.h"
#include "tests/testing/backends.h"
#include "tests/testing/tmp_dir.h"

namespace monosem {
namespace {

std::string GoldenPath(const std::string& filename) { return "golden/" + filename; }

TEST(Golden, RegenerationReproducesTheCommittedFiles) {
  ASSERT_FALSE(GoldenSets().empty());
  ReferenceBackend reference;
  for (const GoldenSet& set : GoldenSets()) {
    GoldenFile file = set.recipe();
    file.set_generated_by("bazel run //golden:regen (reference backend)");
    for (GoldenCase& c : *file.mutable_cases()) ASSERT_TRUE(FillGoldenOutputs(reference, &c).ok());
    auto committed = ReadFile(GoldenPath(set.filename));
    ASSERT_TRUE(committed.ok()) << committed.status();
    EXPECT_TRUE(*committed == FormatGoldenFile(file))
        << set.filename << " differs from `bazel run //golden:regen`; regenerate it in a "
        << "commit that says why";
  }
}

class GoldenBackend : public ::testing::TestWithParam<std::string> {};

TEST_P(GoldenBackend, MatchesEveryStoredOutput) {
  MONOSEM_ASSIGN_BACKEND_OR_SKIP(backend, GetParam());
  for (const GoldenSet& set : GoldenSets()) {
    auto file = LoadGoldenFile(GoldenPath(set.filename));
    ASSERT_TRUE(file.ok()) << file.status();
    for (const GoldenCase& c : file->cases()) {
      for (const auto& [label, cmp] : CheckGoldenCase(*backend, c)) {
        EXPECT_TRUE(cmp.ok) << GetParam() << " " << set.filename << " " << label << ": "
                            << cmp.message;
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(AllBackends, GoldenBackend,
                         ::testing::ValuesIn(testing::AllBackends()),
                         testing::BackendParamName);

TEST(Golden, CorruptAndTruncatedFilesAreRejectedWithTheirName) {
  const std::string dir = testing::TestTmpDir();
  auto text = ReadFile(GoldenPath("kernels.textproto"));
  ASSERT_TRUE(text.ok());
  // Truncated mid-file: a parse error naming file:line.
  ASSERT_TRUE(WriteFileAtomic(dir + "/cut.textproto", text->substr(0, text->size() / 2)).ok());
  auto cut = LoadGoldenFile(dir + "/cut.textproto");
  ASSERT_FALSE(cut.ok());
  EXPECT_NE(cut.status().message().find("cut.textproto:"), std::string::npos) << cut.status();
  // Well-formed but missing values: caught by the element count check.
  GoldenFile f = *LoadGoldenFile(GoldenPath("kernels.textproto"));
  f.mutable_cases(0)->mutable_outputs(0)->mutable_tensor()->add_shape(2);
  ASSERT_TRUE(WriteFileAtomic(dir + "/short.textproto", FormatGoldenFile(f)).ok());
  auto short_file = LoadGoldenFile(dir + "/short.textproto");
  ASSERT_FALSE(short_file.ok());
  EXPECT_NE(short_file.status().message().find("truncated"), std::string::npos);
}

}  // namespace
}  // namespace monosem
