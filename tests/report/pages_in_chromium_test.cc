// report.html and the feature browser opened in headless Chromium. Fails on
// any console message or page error, on a plot that drew nothing, and on
// corpus text that reached the page unescaped (the browse fixture's text is
// made of <script> elements, an <img onerror>, &, quotes and invalid UTF-8).
// Screenshots go to the test's undeclared outputs.
#include <cstdlib>
#include <regex>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "monosem/report/browse.h"
#include "monosem/report/browser_writer.h"
#include "monosem/report/page_assets.h"
#include "monosem/report/report_writer.h"
#include "tests/report/chromium.h"
#include "tests/report/fixtures.h"

namespace monosem::report {
namespace {

std::string Outputs() {
  const char* o = std::getenv("TEST_UNDECLARED_OUTPUTS_DIR");
  return o != nullptr ? o : std::getenv("TEST_TMPDIR");
}

// Shared checks: no console line, no page error, no sign of injected markup.
void ExpectCleanPage(const testing::PageDump& d, const std::string& what) {
  for (const std::string& line : d.console) ADD_FAILURE() << what << ": console: " << line;
  const std::regex errors("<pre id=\"page-errors\">([^<]*)</pre>");
  std::smatch m;
  ASSERT_TRUE(std::regex_search(d.dom, m, errors)) << what << ": no error sink in the DOM";
  EXPECT_EQ(m[1].str(), "") << what << ": page errors";
  // The hostile text sets these when it runs; shown as text it only contains them.
  EXPECT_FALSE(std::regex_search(d.dom, std::regex("<title>PWNED</title>")))
      << what << ": a corpus <script> ran";
  EXPECT_FALSE(std::regex_search(d.dom, std::regex("<body[^>]*data-pwned")))
      << what << ": a corpus onerror ran";
  EXPECT_EQ(d.dom.find("<img"), std::string::npos) << what << ": corpus markup became an element";
  EXPECT_EQ(d.dom.find("alert(1)</script>"), std::string::npos) << what;
}

TEST(PagesInChromium, ReportRendersEveryPlot) {
  ASSERT_TRUE(testing::FindChromium().ok()) << testing::FindChromium().status();
  const std::string dir = testing::MakeResultsFolder("chromium_report", true);
  ASSERT_TRUE(WriteReport(dir).ok());
  auto d = testing::DumpDom("file://" + dir + "/report.html");
  ASSERT_TRUE(d.ok()) << d.status();
  ExpectCleanPage(*d, "report.html");
  const std::regex plot("data-plot=\"\\d+\"( data-points=\"(\\d+)\" data-drawn=\"(\\d+)\")?");
  int plots = 0;
  for (auto it = std::sregex_iterator(d->dom.begin(), d->dom.end(), plot);
       it != std::sregex_iterator(); ++it) {
    ++plots;
    EXPECT_TRUE((*it)[1].matched) << "a plot was never rendered: " << (*it)[0];
    EXPECT_NE((*it)[2].str(), "0") << "a plot without data: " << (*it)[0];
    EXPECT_NE((*it)[3].str(), "0") << "a plot that drew nothing: " << (*it)[0];
  }
  EXPECT_EQ(plots, 31);
  EXPECT_NE(d->dom.find("data-all-rendered-ms"), std::string::npos) << "rendering did not finish";
  EXPECT_NE(d->dom.find("note with &lt;b&gt;markup&lt;/b&gt;"), std::string::npos);
  EXPECT_TRUE(testing::Screenshot("file://" + dir + "/report.html", Outputs() + "/report.png", 1400,
                                  2400).ok());
}

TEST(PagesInChromium, BrowserShowsHostileContextsAsText) {
  ASSERT_TRUE(testing::FindChromium().ok()) << testing::FindChromium().status();
  const testing::BrowseFixture f = testing::MakeBrowseFixture("chromium_browse");
  BrowseArgs a;
  a.sae = f.sae;
  a.transformer = f.transformer;
  a.data = f.text;
  a.out = std::string(std::getenv("TEST_TMPDIR")) + "/browser";
  a.contexts = 16;
  a.progress = false;
  const absl::Status browsed = Browse(a);
  ASSERT_TRUE(browsed.ok()) << browsed;
  for (const std::string page : {"sae", "neurons"}) {
    const std::string url = absl::StrCat("file://", a.out, "/", page, "/index.html#u=1");
    auto d = testing::DumpDom(url);
    ASSERT_TRUE(d.ok()) << d.status();
    ExpectCleanPage(*d, page);
    // The unit was loaded lazily and rendered, with its contexts as text.
    EXPECT_NE(d->dom.find("data-unit=\"1\""), std::string::npos) << page << ": unit 1 not shown";
    EXPECT_NE(d->dom.find("data-first-render-ms"), std::string::npos);
    EXPECT_NE(d->dom.find("class=\"ctx\""), std::string::npos) << page << ": no contexts";
    EXPECT_NE(d->dom.find("&lt;"), std::string::npos) << page << ": no escaped corpus '<'";
    EXPECT_NE(d->dom.find("data-points=\""), std::string::npos) << page << ": no histogram";
    EXPECT_EQ(d->dom.find("data-points=\"0\""), std::string::npos) << page << ": an empty plot";
    EXPECT_EQ(d->dom.find("data-drawn=\"0\""), std::string::npos) << page << ": a plot drew nothing";
    EXPECT_TRUE(testing::Screenshot(url, absl::StrCat(Outputs(), "/browser_", page, ".png"), 1400,
                                    1000).ok());
  }
}

// Labels come from user data too (a JSONL genre field): a label that closes
// the index's <script> element must stay inside its JSON string.
TEST(PagesInChromium, BrowserEscapesHostileLabels) {
  ASSERT_TRUE(testing::FindChromium().ok()) << testing::FindChromium().status();
  LabelledStream s;
  const std::string text = testing::HostileText();
  s.bytes.assign(text.begin(), text.end());
  for (size_t i = 0; i < text.size(); ++i) s.genre.push_back(i % 2);
  s.genre_names = {"</script><img src=x onerror=\"document.body.setAttribute('data-pwned','1')\">",
                   "&amp; \"q\" \xFF"};
  BrowserUnits u;
  u.title = "hostile <script>document.title='PWNED'</script>";
  u.dim = 2;
  for (int i = 0; i < 3; ++i) {
    UnitActs a;
    for (size_t t = i; t < text.size(); t += 7) {
      a.token.push_back(t);
      a.value.push_back(1.0f + t % 5);
    }
    u.acts.push_back(a);
    u.directions.insert(u.directions.end(), {1.0f, static_cast<float>(i)});
  }
  u.logit_effects.assign(3 * 256, 0.0f);
  for (int b = 0; b < 256; ++b) u.logit_effects[b] = b % 17 - 8.0f;
  const std::string dir = std::string(std::getenv("TEST_TMPDIR")) + "/hostile_labels";
  auto chartjs = LoadChartJs();
  ASSERT_TRUE(chartjs.ok()) << chartjs.status();
  ASSERT_TRUE(WriteBrowser(u, s, BrowserOptions(), *chartjs, dir).ok());
  auto d = testing::DumpDom("file://" + dir + "/index.html#u=2");
  ASSERT_TRUE(d.ok()) << d.status();
  ExpectCleanPage(*d, "hostile labels");
  EXPECT_NE(d->dom.find("data-unit=\"2\""), std::string::npos);
  EXPECT_NE(d->dom.find("&lt;/script&gt;&lt;img src=x"), std::string::npos)
      << "the label is not shown as text";
}

}  // namespace
}  // namespace monosem::report
