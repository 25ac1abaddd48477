// The table of published values (monosem/published.h): every id the suites
// look up exists, every entry names its paper, place and setup, and no
// suite's source string names an internal work item. The suites' sources are
// this test's data (//monosem/suites:all_sources), so a new suite, or a new
// lookup in an old one, is checked without editing this test.
#include "monosem/published.h"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include "gtest/gtest.h"

namespace monosem {
namespace {

struct Lookups {
  std::set<std::string> ids;
  std::set<std::string> suites;  // folders under monosem/suites with a lookup-scanned file
  std::vector<std::string> problems;
};

Lookups ScanSuites() {
  namespace fs = std::filesystem;
  Lookups out;
  // Bazel runs the test in its runfiles tree, which holds the data files at
  // their workspace paths.
  const fs::path root = "monosem/suites";
  EXPECT_TRUE(fs::is_directory(root)) << "runfiles lack " << root;
  if (!fs::is_directory(root)) return out;
  const std::regex call(R"((FindPublished|PublishedNumber|PublishedSource)\(\s*("?)([^")]*))");
  const std::regex work_item(R"("[^"\n]*\bissue \d)");
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    const std::string ext = e.path().extension().string();
    if (!e.is_regular_file() || (ext != ".cc" && ext != ".h")) continue;
    const fs::path rel = e.path().lexically_relative(root);  // runfiles are symlinks
    if (rel.has_parent_path()) out.suites.insert(rel.begin()->string());
    std::ifstream in(e.path());
    std::stringstream text;
    text << in.rdbuf();
    const std::string s = text.str();
    for (auto it = std::sregex_iterator(s.begin(), s.end(), call); it != std::sregex_iterator();
         ++it) {
      if ((*it)[2].length() == 0) {
        // An id that is not a literal cannot be checked here.
        out.problems.push_back(e.path().string() + ": " + (*it)[1].str() +
                               " called with a computed id: " + (*it)[0].str());
      } else {
        out.ids.insert((*it)[3].str());
      }
    }
    if (std::regex_search(s, work_item)) {
      out.problems.push_back(e.path().string() + ": a string names a work item (\"issue N\")");
    }
  }
  return out;
}

TEST(Published, EveryIdTheSuitesUseExists) {
  const Lookups l = ScanSuites();
  for (const std::string& p : l.problems) ADD_FAILURE() << p;
  // The scan found the suites (a broken scan must not pass vacuously).
  for (const char* suite : {"sae", "toy", "transformer"}) {
    EXPECT_TRUE(l.suites.count(suite)) << "no sources of the " << suite << " suite in runfiles";
  }
  EXPECT_GE(l.ids.size(), 30u);
  for (const std::string& id : l.ids) {
    EXPECT_NE(FindPublished(id), nullptr) << "the suites look up '" << id
                                          << "', which monosem/published.cc lacks";
  }
}

TEST(Published, EveryEntryHasItsSource) {
  std::set<std::string> seen;
  for (const PublishedValue& p : PublishedTable()) {
    const std::string id = p.id != nullptr ? p.id : "";
    EXPECT_TRUE(std::regex_match(id, std::regex(R"([a-z0-9_]+(\.[a-z0-9_]+)+)"))) << id;
    EXPECT_TRUE(seen.insert(id).second) << "duplicate id " << id;
    for (const char* field : {p.paper, p.place, p.setup}) {
      EXPECT_TRUE(field != nullptr && field[0] != '\0') << id << " lacks its paper, place or setup";
    }
    EXPECT_FALSE(std::isinf(p.value)) << id;
    EXPECT_EQ(PublishedSource(id), std::string(p.paper) + ": " + p.place);
    EXPECT_EQ(std::isnan(PublishedNumber(id)), std::isnan(p.value)) << id;
    EXPECT_EQ(std::regex_search(std::string(p.paper) + p.place + p.setup,
                                std::regex(R"(\bissue \d)")),
              false)
        << id << " names a work item";
  }
  EXPECT_FALSE(seen.empty());
}

TEST(Published, UnknownIdsAreSaidSo) {
  EXPECT_EQ(FindPublished("no.such.value"), nullptr);
  EXPECT_TRUE(std::isnan(PublishedNumber("no.such.value")));
  EXPECT_EQ(PublishedSource("no.such.value"), "unknown published value 'no.such.value'");
}

// A few numbers pinned against the papers, so an edit to the table is seen.
TEST(Published, PaperNumbers) {
  EXPECT_DOUBLE_EQ(PublishedNumber("sae.mlp.a1_loss_recovered"), 0.79);
  EXPECT_DOUBLE_EQ(PublishedNumber("sae.mlp.a1_dead_fraction"), 168.0 / 4096);
  EXPECT_DOUBLE_EQ(PublishedNumber("sae.mlp.universality_features"), 0.72);
  EXPECT_DOUBLE_EQ(PublishedNumber("sae.mlp.universality_neurons"), 0.46);
  EXPECT_DOUBLE_EQ(PublishedNumber("toy.n5_m2.represented_sparsest"), 5);
}

}  // namespace
}  // namespace monosem
