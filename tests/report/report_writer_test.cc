// report.html without a browser: the figures built from a results folder,
// the lines for missing data, escaping of the table's text, clear errors.
#include "monosem/report/report_writer.h"

#include <cstdlib>

#include "gtest/gtest.h"
#include "monosem/io/file_io.h"
#include "monosem/report/figures.h"
#include "monosem/report/page_assets.h"
#include "monosem/results.h"
#include "tests/report/fixtures.h"

namespace monosem::report {
namespace {

TEST(Figures, EveryFigureOfAFullFolderHasPoints) {
  const std::string dir = testing::MakeResultsFolder("full", /*all_figures=*/true);
  auto sections = AllFigures(dir);
  ASSERT_TRUE(sections.ok()) << sections.status();
  ASSERT_EQ(sections->size(), 3u);
  size_t plots = 0;
  for (const Section& s : *sections) {
    EXPECT_TRUE(s.missing.empty()) << s.title << ": " << s.missing.front();
    for (const Plot& p : s.plots) {
      EXPECT_GT(p.Points(), 0u) << p.title;
      ++plots;
    }
  }
  // toy: 2 models x 2 sparsities x (heatmap + bars), 2 pentagons, 3 phase
  // diagrams, D*, D_i; transformer 4; sae: 2 densities, frontier, MMCS, 4
  // ladder, 2 universality, genre_f1, specificity at matched firing count.
  EXPECT_EQ(plots, 8u + 2 + 3 + 2 + 4 + 12);
}

TEST(Figures, AFolderWithoutASuiteGetsMissingLinesNotErrors) {
  const std::string dir = testing::MakeResultsFolder("toy_only", /*all_figures=*/false);
  auto sae = SaeFigures(dir);
  ASSERT_TRUE(sae.ok()) << sae.status();
  EXPECT_TRUE(sae->plots.empty());
  ASSERT_FALSE(sae->missing.empty());
  EXPECT_NE(sae->missing[0].find("sae_density.csv"), std::string::npos);
  auto toy = ToyFigures(dir);
  ASSERT_TRUE(toy.ok());
  EXPECT_FALSE(toy->plots.empty());
}

TEST(Figures, AMalformedCsvIsAnErrorNamingTheFile) {
  const std::string dir = testing::MakeResultsFolder("bad_csv", true);
  ASSERT_TRUE(WriteFileAtomic(dir + "/sae_frontier.csv", "arch,dict_size\nrelu_l1\n").ok());
  auto sae = SaeFigures(dir);
  ASSERT_FALSE(sae.ok());
  EXPECT_NE(sae.status().message().find("sae_frontier.csv:2"), std::string::npos) << sae.status();
}

TEST(ReportHtml, TableTextIsEscapedAndRowsColoured) {
  ResultTable t;
  *t.add_rows() = MakeRow("sae", "m<script>x</script>", 1.0, AT_LEAST, 0.5, 0, "src & co",
                          "note \"quoted\" <b>");
  *t.add_rows() = MakeRow("toy", "fails", 0.0, AT_LEAST, 0.5, 0, "s");
  const std::string html = BuildReportHtml(t, {}, "/*lib*/");
  EXPECT_EQ(html.find("<script>x</script>"), std::string::npos);
  EXPECT_NE(html.find("m&lt;script&gt;x&lt;/script&gt;"), std::string::npos);
  EXPECT_NE(html.find("src &amp; co"), std::string::npos);
  EXPECT_NE(html.find("note &quot;quoted&quot; &lt;b&gt;"), std::string::npos);
  EXPECT_NE(html.find("<tr class=\"pass\">"), std::string::npos);
  EXPECT_NE(html.find("<tr class=\"fail\">"), std::string::npos);
  EXPECT_NE(html.find("1 passed, 1 failed, 0 report-only"), std::string::npos);
}

TEST(WriteReport, MissingResultsJsonNamesTheFile) {
  const std::string dir = std::string(std::getenv("TEST_TMPDIR")) + "/empty_results";
  ASSERT_TRUE(MakeDirs(dir).ok());
  const absl::Status s = WriteReport(dir);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find(dir + "/results.json"), std::string::npos) << s;
}

TEST(WriteReport, MissingPlottingLibraryIsAClearError) {
  const std::string dir = testing::MakeResultsFolder("nolib", true);
  setenv("MONOSEM_CHARTJS", "/nonexistent/chart.min.js", 1);
  const absl::Status s = WriteReport(dir);
  unsetenv("MONOSEM_CHARTJS");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("/nonexistent/chart.min.js"), std::string::npos) << s;
  EXPECT_NE(s.message().find("ci/setup"), std::string::npos) << s;
}

TEST(WriteReport, WritesTheLibraryInlinedAndEveryPlot) {
  const std::string dir = testing::MakeResultsFolder("write", true);
  ASSERT_TRUE(WriteReport(dir).ok());
  auto html = ReadFile(dir + "/report.html");
  ASSERT_TRUE(html.ok());
  EXPECT_NE(html->find("Chart.js v3"), std::string::npos);
  EXPECT_EQ(html->find("src=\"http"), std::string::npos);  // nothing from the network
  EXPECT_NE(html->find("data-plot=\"29\""), std::string::npos);
}

}  // namespace
}  // namespace monosem::report
