#include "monosem/data/text_loader.h"

#include <sys/stat.h>
#include <zstd.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include "gtest/gtest.h"
#include "tests/testing/tmp_dir.h"

namespace monosem {
namespace {

void Write(const std::string& path, const std::string& contents) {
  std::ofstream out(path, std::ios::binary);
  out << contents;
}

std::string AsString(const Corpus& c) { return std::string(c.bytes.begin(), c.bytes.end()); }

std::string Compress(const std::string& s, bool checksum) {
  ZSTD_CCtx* cctx = ZSTD_createCCtx();
  ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, 3);
  ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, checksum ? 1 : 0);
  std::string out(ZSTD_compressBound(s.size()), '\0');
  const size_t n = ZSTD_compress2(cctx, out.data(), out.size(), s.data(), s.size());
  ZSTD_freeCCtx(cctx);
  EXPECT_FALSE(ZSTD_isError(n));
  out.resize(n);
  return out;
}

// Many records, so lines straddle zstd's 128 KiB output chunks.
std::string PileLikeJsonl(int n, std::string* expected_text) {
  std::string jsonl;
  for (int i = 0; i < n; ++i) {
    const std::string text = "doc " + std::to_string(i) + " says \\\"hi\\\"\\n" +
                             std::string(static_cast<size_t>(i % 97), 'x');
    const std::string set = i % 3 == 0 ? "Github" : (i % 3 == 1 ? "arabic" : "ArXiv");
    jsonl += "{\"text\": \"" + text + "\", \"meta\": {\"pile_set_name\": \"" + set + "\"}}\n";
    *expected_text += "doc " + std::to_string(i) + " says \"hi\"\n" +
                      std::string(static_cast<size_t>(i % 97), 'x') + "\n";
  }
  return jsonl;
}

TEST(TextLoader, PlainFileAndFolder) {
  const std::string dir = testing::TestTmpDir() + "/plain";
  mkdir(dir.c_str(), 0755);
  mkdir((dir + "/sub").c_str(), 0755);
  Write(dir + "/b.txt", "second");
  Write(dir + "/a.txt", "first file\n");
  Write(dir + "/sub/c.txt", "third");
  Write(dir + "/.hidden", "never");
  auto one = LoadText(dir + "/a.txt");
  ASSERT_TRUE(one.ok()) << one.status();
  EXPECT_EQ(AsString(*one), "first file\n\n");
  for (LabelId g : one->label) EXPECT_EQ(g, kLabelUnknown);
  EXPECT_EQ(one->labels.names[0], "unknown");

  auto all = LoadText(dir);
  ASSERT_TRUE(all.ok()) << all.status();
  EXPECT_EQ(AsString(*all), "first file\n\nsecond\nthird\n");

  TextLoadOptions capped;
  capped.max_bytes = 5;
  EXPECT_EQ(AsString(*LoadText(dir, capped)), "first");
}

TEST(TextLoader, JsonlWithTextAndGenreFields) {
  const std::string path = testing::TestTmpDir() + "/small.jsonl";
  Write(path,
        "{\"text\": \"hello\", \"meta\": {\"pile_set_name\": \"Pile-CC\"}}\n"
        "\n"
        "{\"text\": \"shalom\", \"meta\": {\"pile_set_name\": \"hebrew\"}}\n"
        "{\"text\": \"no label\"}");  // no trailing newline
  auto plain = LoadText(path);
  ASSERT_TRUE(plain.ok()) << plain.status();
  EXPECT_EQ(AsString(*plain), "hello\nshalom\nno label\n");

  TextLoadOptions opts;
  opts.genre_field = "meta.pile_set_name";
  auto labelled = LoadText(path, opts);
  ASSERT_TRUE(labelled.ok()) << labelled.status();
  const int builtin = BuiltinLabels().size();
  ASSERT_EQ(labelled->labels.size(), builtin + 1);
  EXPECT_EQ(labelled->labels.names.back(), "Pile-CC");
  EXPECT_EQ(labelled->labels.parent.back(), -1);          // a new top-level label
  EXPECT_EQ(labelled->label[0], builtin);                 // "Pile-CC": an id past 255
  EXPECT_GT(builtin, 255);
  EXPECT_EQ(labelled->label[6], *BuiltinLabelId("hebrew"));  // a built-in name keeps its id
  EXPECT_EQ(labelled->label.back(), kLabelUnknown);       // no field: unknown
}

TEST(TextLoader, JsonlErrorsNameFileLineAndOffset) {
  const std::string bad = testing::TestTmpDir() + "/bad.jsonl";
  Write(bad, "{\"text\": \"ok\"}\n{\"text\": \"unterminated}\n");
  auto s = LoadText(bad).status();
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find(bad), std::string::npos) << s;
  EXPECT_NE(s.message().find("line 2 (byte offset 15)"), std::string::npos) << s;

  const std::string no_text = testing::TestTmpDir() + "/notext.jsonl";
  Write(no_text, "{\"body\": \"x\"}\n");
  s = LoadText(no_text).status();
  EXPECT_NE(s.message().find("no string field \"text\""), std::string::npos) << s;

  const std::string empty = testing::TestTmpDir() + "/empty.txt";
  Write(empty, "");
  s = LoadText(empty).status();
  EXPECT_NE(s.message().find("empty corpus"), std::string::npos) << s;
  EXPECT_FALSE(LoadText(testing::TestTmpDir() + "/does-not-exist").ok());
}

TEST(TextLoader, ZstdShardStreams) {
  std::string expected;
  const std::string jsonl = PileLikeJsonl(20000, &expected);
  ASSERT_GT(jsonl.size(), 3u * ZSTD_DStreamOutSize());
  const std::string path = testing::TestTmpDir() + "/00.jsonl.zst";
  // Two frames back to back, as concatenated shards are.
  const size_t half = jsonl.find('\n', jsonl.size() / 2) + 1;
  Write(path, Compress(jsonl.substr(0, half), true) + Compress(jsonl.substr(half), false));
  TextLoadOptions opts;
  opts.genre_field = "meta.pile_set_name";
  auto c = LoadText(path, opts);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(AsString(*c), expected);
  EXPECT_EQ(c->label[0], c->labels.size() - 2);   // "Github"
  EXPECT_EQ(c->labels.names[c->labels.size() - 2], "Github");
  EXPECT_EQ(c->labels.names.back(), "ArXiv");

  opts.max_bytes = 1000;
  auto prefix = LoadText(path, opts);
  ASSERT_TRUE(prefix.ok());
  EXPECT_EQ(AsString(*prefix), expected.substr(0, 1000));
}

TEST(TextLoader, TruncatedAndCorruptShardsNameFileAndOffset) {
  std::string expected;
  const std::string z = Compress(PileLikeJsonl(5000, &expected), true);
  const std::string dir = testing::TestTmpDir() + "/broken";
  mkdir(dir.c_str(), 0755);

  const std::string truncated = dir + "/truncated.jsonl.zst";
  Write(truncated, z.substr(0, z.size() - 100));
  auto s = LoadText(truncated).status();
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find(truncated), std::string::npos) << s;
  EXPECT_NE(s.message().find("truncated"), std::string::npos) << s;
  EXPECT_NE(s.message().find("offset " + std::to_string(z.size() - 100)), std::string::npos) << s;

  const std::string bad_magic = dir + "/magic.jsonl.zst";
  std::string m = z;
  m[0] ^= 0x55;
  Write(bad_magic, m);
  s = LoadText(bad_magic).status();
  EXPECT_NE(s.message().find(bad_magic), std::string::npos) << s;
  EXPECT_NE(s.message().find("corrupt zstd data at compressed byte offset 0"), std::string::npos) << s;

  // Garbage in the middle: the checksum (or the block structure) catches it.
  const std::string corrupt = dir + "/corrupt.jsonl.zst";
  std::string c = z;
  for (size_t i = c.size() / 2; i < c.size() / 2 + 64; ++i) c[i] = static_cast<char>(c[i] * 31 + 7);
  Write(corrupt, c);
  s = LoadText(corrupt).status();
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find(corrupt), std::string::npos) << s;
  EXPECT_NE(s.message().find("offset"), std::string::npos) << s;

  const std::string empty = dir + "/empty.jsonl.zst";
  Write(empty, "");
  s = LoadText(empty).status();
  EXPECT_NE(s.message().find(empty), std::string::npos) << s;
}

}  // namespace
}  // namespace monosem
