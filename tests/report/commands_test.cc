// `monosem report`, `browse` and `steer` through the CLI entry point: usage
// errors exit 2, run-time errors exit 1 with a message naming the file or
// the range, and the happy paths write what they say.
#include <sys/stat.h>

#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "monosem/cli/cli.h"
#include "tests/report/fixtures.h"

namespace monosem {
namespace {

struct CliRun {
  int code;
  std::string out, err;
};

CliRun Monosem(std::vector<std::string> args) {
  args.insert(args.begin(), "monosem");
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  std::ostringstream out, err;
  const int code = MonosemMain(static_cast<int>(argv.size()), argv.data(), out, err);
  return {code, out.str(), err.str()};
}

bool Exists(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0;
}

TEST(ReportCommand, UsageAndErrors) {
  EXPECT_EQ(Monosem({"report"}).code, 2);
  const CliRun missing = Monosem({"report", "--out", "/nonexistent/folder"});
  EXPECT_EQ(missing.code, 1);
  EXPECT_NE(missing.err.find("/nonexistent/folder/results.json"), std::string::npos) << missing.err;
}

TEST(ReportCommand, RebuildsThePage) {
  const std::string dir = testing::MakeResultsFolder("cli_report", true);
  const CliRun r = Monosem({"report", "--out", dir});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(Exists(dir + "/report.html"));
}

TEST(BrowseAndSteerCommands, UsageErrors) {
  EXPECT_EQ(Monosem({"browse", "--out", "/tmp/x"}).code, 2);
  EXPECT_EQ(Monosem({"steer", "--prompt", "x"}).code, 2);
  EXPECT_EQ(Monosem({"steer", "--feature", "banana"}).code, 2);
}

TEST(BrowseAndSteerCommands, WriteAndGenerate) {
  const testing::BrowseFixture f = testing::MakeBrowseFixture("cli_browse");
  const std::string out = std::string(std::getenv("TEST_TMPDIR")) + "/cli_browser";
  const CliRun b = Monosem({"browse", "--sae", f.sae, "--transformer", f.transformer, "--data", f.text,
                         "--contexts", "4", "--out", out});
  EXPECT_EQ(b.code, 0) << b.err;
  EXPECT_TRUE(Exists(out + "/index.html"));
  EXPECT_TRUE(Exists(out + "/sae/index.html"));
  EXPECT_TRUE(Exists(out + "/sae/data/chunk_0000.js"));
  EXPECT_TRUE(Exists(out + "/neurons/index.html"));

  const CliRun s = Monosem({"steer", "--transformer", f.transformer, "--sae", f.sae, "--feature", "3",
                         "--value", "5", "--prompt", "Dear ", "--tokens", "8"});
  EXPECT_EQ(s.code, 0) << s.err;
  EXPECT_NE(s.out.find("baseline: "), std::string::npos) << s.out;
  EXPECT_NE(s.out.find("feature 3 = 5: "), std::string::npos) << s.out;

  const CliRun bad = Monosem({"steer", "--transformer", f.transformer, "--sae", f.sae, "--feature",
                           "40", "--value", "1", "--prompt", "x"});
  EXPECT_EQ(bad.code, 1);
  EXPECT_NE(bad.err.find("0..39"), std::string::npos) << bad.err;

  const CliRun no_sae = Monosem({"browse", "--sae", "/nonexistent/sae", "--transformer",
                              f.transformer, "--out", out});
  EXPECT_EQ(no_sae.code, 1);
  EXPECT_NE(no_sae.err.find("/nonexistent/sae"), std::string::npos) << no_sae.err;
}

}  // namespace
}  // namespace monosem
