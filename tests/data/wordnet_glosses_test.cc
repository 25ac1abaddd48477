#include "monosem/data/wordnet_glosses.h"

#include <filesystem>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "monosem/io/file_io.h"
#include "tests/testing/tmp_dir.h"

namespace monosem {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// A data file in WordNet's layout: two license lines, then synset lines
// whose first field is their own byte offset (computed here, as WordNet's
// grinder does). `bodies` are the lines after the offset.
std::string DataFile(const std::vector<std::string>& bodies) {
  std::string text = "  1 This software and database is provided  \n  2   \n";
  for (const std::string& b : bodies) {
    char off[16];
    std::snprintf(off, sizeof(off), "%08zu", text.size());
    text += std::string(off) + " " + b + "  \n";
  }
  return text;
}

const char kNoun[] = "03 n 01 entity 0 001 ~ 00001930 n 0000 | that which exists; \"it's here\"";
const char kNoun2[] =
    "03 n 02 abstraction 0 abstract_entity 0 000 | a general concept (non-physical)";
const char kVerb[] = "29 v 01 breathe 0 000 01 + 02 00 | draw air into, and expel out of, the lungs";
const char kAdj[] = "00 a 01 able 0 000 | (usually followed by `to') having the means";
const char kAdjSat[] = "00 s 01 abled 0 000 | having skill";
const char kAdv[] = "02 r 01 barely 0 000 | only just";

std::string WriteDict(const std::string& name, bool with_adv = true) {
  const std::string dir = testing::TmpDir(name);
  std::filesystem::create_directories(dir);
  EXPECT_TRUE(WriteFileAtomic(dir + "/data.noun", DataFile({kNoun, kNoun2})).ok());
  EXPECT_TRUE(WriteFileAtomic(dir + "/data.verb", DataFile({kVerb})).ok());
  EXPECT_TRUE(WriteFileAtomic(dir + "/data.adj", DataFile({kAdj, kAdjSat})).ok());
  if (with_adv) EXPECT_TRUE(WriteFileAtomic(dir + "/data.adv", DataFile({kAdv})).ok());
  return dir;
}

TEST(WordNetGlosses, Tokenizes) {
  EXPECT_THAT(TokenizeGloss("that which exists; \"it's here\""),
              ElementsAre("that", "which", "exists", ";", "\"", "it's", "here", "\""));
  EXPECT_THAT(TokenizeGloss("non-physical (x-) 3.5 'a"),
              ElementsAre("non-physical", "(", "x", "-", ")", "3", ".", "5", "'", "a"));
  EXPECT_THAT(TokenizeGloss("  "), ElementsAre());
}

TEST(WordNetGlosses, ReadsEveryFileInOrder) {
  auto g = LoadWordNetGlosses(WriteDict("wn_ok"));
  ASSERT_TRUE(g.ok()) << g.status();
  ASSERT_EQ(g->sentences.size(), 6u);
  EXPECT_THAT(g->sentences[0],
              ElementsAre("that", "which", "exists", ";", "\"", "it's", "here", "\""));
  EXPECT_EQ(g->sentences[2].front(), "draw");  // verb frames before the bar are skipped
  EXPECT_EQ(g->sentences[5], std::vector<std::string>({"only", "just"}));
  int64_t tokens = 0;
  for (const auto& s : g->sentences) tokens += static_cast<int64_t>(s.size());
  EXPECT_EQ(g->tokens, tokens);
}

// Each damage gives an error naming the file and the line.
TEST(WordNetGlosses, RefusesMalformedLines) {
  struct Case {
    std::string text, message;
  };
  const std::string good = DataFile({kNoun});
  std::string shifted = good;
  shifted.insert(0, " ");  // a longer license line: the synset's offset no longer matches
  const std::vector<Case> cases = {
      {DataFile({"03 n 01 entity 0 000 that which exists"}), "no \" | \""},
      {DataFile({"03 v 01 entity 0 000 | x"}), "synset type \"v\""},
      {DataFile({"03 n zz entity 0 000 | x"}), "word count \"zz\""},
      {DataFile({"03 n 02 entity 0 000 | x"}), "expected 2 words"},
      {DataFile({"03 n 01 entity 0 002 ~ 00001930 n 0000 | x"}), "expected 2 pointers"},
      {DataFile({"03 n 01 entity 0 000 |  "}), "empty gloss"},
      {DataFile({kNoun}) + "  3 late license line\n", "header line after synsets"},
      {shifted, "but the line starts at byte"},
      {"  1 header only\n", "no synsets"},
      {DataFile({kNoun}) + "\xff\n", "invalid UTF-8"},
  };
  for (const Case& c : cases) {
    WordNetGlosses out;
    const absl::Status s = ParseWordNetDataFile("dict/data.noun", c.text, "n", &out);
    EXPECT_FALSE(s.ok()) << c.message;
    EXPECT_THAT(std::string(s.message()), HasSubstr("dict/data.noun")) << c.message;
    EXPECT_THAT(std::string(s.message()), HasSubstr(c.message)) << s.message();
  }
  WordNetGlosses out;
  const absl::Status s =
      ParseWordNetDataFile("f", DataFile({kNoun, "03 n 01 x 0 000"}), "n", &out);
  EXPECT_THAT(std::string(s.message()), HasSubstr("f:4: ")) << s.message();
}

TEST(WordNetGlosses, MissingFilesAreNamed) {
  auto none = LoadWordNetGlosses(testing::TmpDir("wn_absent"));
  EXPECT_EQ(none.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(none.status().message()), HasSubstr("run ci/setup"));
  auto partial = LoadWordNetGlosses(WriteDict("wn_partial", /*with_adv=*/false));
  EXPECT_FALSE(partial.ok());
  EXPECT_THAT(std::string(partial.status().message()), HasSubstr("data.adv: missing"));
}

}  // namespace
}  // namespace monosem
