#include "monosem/results.h"

#include <cmath>
#include <cstdlib>

#include "gtest/gtest.h"
#include "monosem/io/file_io.h"

namespace monosem {
namespace {

TEST(Results, JudgeEachDirection) {
  EXPECT_EQ(MakeRow("s", "m", 1.05, WITHIN_TOLERANCE, 1.0, 0.1, "src").status(), PASS);
  EXPECT_EQ(MakeRow("s", "m", 1.2, WITHIN_TOLERANCE, 1.0, 0.1, "src").status(), FAIL);
  EXPECT_EQ(MakeRow("s", "m", 5, AT_LEAST, 5, 0, "src").status(), PASS);
  EXPECT_EQ(MakeRow("s", "m", 4.9, AT_LEAST, 5, 0, "src").status(), FAIL);
  EXPECT_EQ(MakeRow("s", "m", 4.9, AT_MOST, 5, 0, "src").status(), PASS);
  EXPECT_EQ(MakeRow("s", "m", NAN, AT_MOST, 5, 0, "src").status(), FAIL);
  EXPECT_EQ(MakeRow("s", "m", 0.72, REPORT_ONLY, NAN, 0, "src", "", 0.72).status(), REPORT);
}

// Judged at the default and paper scales, report-only at quick; a missing
// measurement (NaN) fails whenever the row is judged; the note ends with the
// margin on the passing side.
TEST(Results, ScaleJudgedRow) {
  const ResultRow pass = ScaleJudgedRow("s", "m", 0.3, AT_LEAST, 0.25, "src", "n", true);
  EXPECT_EQ(pass.status(), PASS);
  EXPECT_EQ(pass.suite(), "s");
  EXPECT_NE(pass.note().find("margin +0.05"), std::string::npos) << pass.note();
  const ResultRow below = ScaleJudgedRow("s", "m", 0.3, AT_MOST, 0.25, "src", "n", true);
  EXPECT_EQ(below.status(), FAIL);
  EXPECT_NE(below.note().find("margin -0.05"), std::string::npos) << below.note();
  EXPECT_EQ(ScaleJudgedRow("s", "m", NAN, AT_LEAST, 0, "src", "no data", true).status(), FAIL);
  const ResultRow quick = ScaleJudgedRow("s", "m", -1, AT_LEAST, 0, "src", "n", false);
  EXPECT_EQ(quick.status(), REPORT);
  EXPECT_FALSE(quick.has_expected());
  EXPECT_NE(quick.note().find("report-only at the quick scale"), std::string::npos);
}

TEST(Results, TableAndJson) {
  ResultTable table;
  *table.add_rows() = MakeRow("toy", "represented", 5, WITHIN_TOLERANCE, 5, 0, "paper", "n=20");
  *table.add_rows() = MakeRow("sae", "dead_fraction", 0.05, REPORT_ONLY, NAN, 0, "A/1", "", 0.041);
  std::string text = FormatTable(table);
  EXPECT_NE(text.find("represented"), std::string::npos);
  EXPECT_NE(text.find("1 passed, 0 failed, 1 report-only"), std::string::npos) << text;
  const std::string dir = std::string(std::getenv("TEST_TMPDIR")) + "/res";
  ASSERT_TRUE(MakeDirs(dir).ok());
  ASSERT_TRUE(WriteResultsJson(dir, table).ok());
  std::string json = *ReadFile(dir + "/results.json");
  EXPECT_NE(json.find("\"metric\": \"dead_fraction\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"published\": 0.041"), std::string::npos) << json;
}

}  // namespace
}  // namespace monosem
