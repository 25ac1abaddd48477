// Real documents mixed into the generated corpus: exact size, the share of
// real bytes, each document whole and at most once, labels extended without
// renumbering the generated ones, determinism, and refused bad input.
#include "monosem/data/corpus_mix.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "monosem/data/corpus.h"

namespace monosem {
namespace {

std::vector<RealDocument> Docs(int n) {
  std::vector<RealDocument> docs;
  const char* cats[] = {"news", "religion", "humor"};
  for (int i = 0; i < n; ++i) {
    std::string text;
    for (int s = 0; s < 5 + i % 7; ++s) text += "Document " + std::to_string(i) + " says a thing .\n";
    docs.push_back({cats[i % 3], text});
  }
  return docs;
}

Corpus Generated(int64_t n) {
  auto c = GenerateCorpus(DefaultCorpusConfig(), n);
  EXPECT_TRUE(c.ok()) << c.status();
  return *c;
}

std::string Text(const Corpus& c) { return std::string(c.bytes.begin(), c.bytes.end()); }

TEST(CorpusMixTest, ExactSizeShareAndWholeDocumentsOnce) {
  const Corpus gen = Generated(400000);
  const std::vector<RealDocument> docs = Docs(300);
  auto mixed = MixRealDocuments(gen, docs, "brown", 0.25, 7, 200000);
  ASSERT_TRUE(mixed.ok()) << mixed.status();
  ASSERT_EQ(mixed->size(), 200000);
  ASSERT_EQ(mixed->label.size(), mixed->bytes.size());
  // The new labels follow the generated ones, unrenumbered.
  const int base = gen.labels.size();
  ASSERT_EQ(mixed->labels.size(), base + 4);
  for (int i = 0; i < base; ++i) EXPECT_EQ(mixed->labels.names[i], gen.labels.names[i]);
  EXPECT_EQ(mixed->labels.names[base], "brown");
  EXPECT_EQ(mixed->labels.parent[base], -1);
  EXPECT_EQ(mixed->labels.names[base + 1].rfind("brown/", 0), 0u);
  EXPECT_EQ(mixed->labels.parent[base + 1], base);
  int64_t real = 0;
  for (LabelId l : mixed->label) real += l > base;
  EXPECT_NEAR(static_cast<double>(real) / mixed->size(), 0.25, 0.02);
  // Each document whole, at most once (documents 0..299 have distinct text).
  const std::string text = Text(*mixed);
  int found = 0;
  for (size_t i = 0; i < docs.size(); ++i) {
    const size_t at = text.find(docs[i].text);
    if (at == std::string::npos) continue;
    ++found;
    EXPECT_EQ(text.find(docs[i].text, at + 1), std::string::npos) << "document " << i << " twice";
    // Its bytes carry its category's leaf.
    EXPECT_EQ(mixed->labels.names[mixed->label[at]], "brown/" + docs[i].category);
  }
  EXPECT_GT(found, 10);
}

TEST(CorpusMixTest, ShareZeroIsTheGeneratedCorpus) {
  const Corpus gen = Generated(50000);
  auto mixed = MixRealDocuments(gen, Docs(10), "brown", 0.0, 7, 50000);
  ASSERT_TRUE(mixed.ok());
  EXPECT_EQ(mixed->bytes, gen.bytes);
  EXPECT_EQ(mixed->label, gen.label);
  EXPECT_EQ(mixed->labels.size(), gen.labels.size());
}

TEST(CorpusMixTest, SeededOrder) {
  const Corpus gen = Generated(100000);
  const std::vector<RealDocument> docs = Docs(100);
  auto a = MixRealDocuments(gen, docs, "brown", 0.3, 1, 60000);
  auto b = MixRealDocuments(gen, docs, "brown", 0.3, 1, 60000);
  auto c = MixRealDocuments(gen, docs, "brown", 0.3, 2, 60000);
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  EXPECT_EQ(a->bytes, b->bytes);
  EXPECT_EQ(a->label, b->label);
  EXPECT_NE(a->bytes, c->bytes);
}

TEST(CorpusMixTest, RunsOutOfRealDocumentsGracefully) {
  const Corpus gen = Generated(100000);
  auto mixed = MixRealDocuments(gen, Docs(3), "brown", 0.5, 1, 50000);
  ASSERT_TRUE(mixed.ok()) << mixed.status();
  EXPECT_EQ(mixed->size(), 50000);
}

TEST(CorpusMixTest, BadInputIsRefusedWithItsName) {
  const Corpus gen = Generated(20000);
  auto bad_share = MixRealDocuments(gen, Docs(3), "brown", 1.0, 1, 1000);
  ASSERT_FALSE(bad_share.ok());
  EXPECT_NE(bad_share.status().message().find("share"), std::string::npos);
  std::vector<RealDocument> bad_utf8 = Docs(3);
  bad_utf8[1].text = "ok \xC3\x28 broken\n";
  auto u = MixRealDocuments(gen, bad_utf8, "brown", 0.2, 1, 10000);
  ASSERT_FALSE(u.ok());
  EXPECT_NE(u.status().message().find("invalid UTF-8 at byte 3"), std::string::npos) << u.status();
  auto short_gen = MixRealDocuments(gen, Docs(3), "brown", 0.1, 1, 1000000);
  ASSERT_FALSE(short_gen.ok());
  EXPECT_NE(short_gen.status().message().find("too short"), std::string::npos);
}

}  // namespace
}  // namespace monosem
