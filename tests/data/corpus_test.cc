#include "monosem/data/corpus.h"

#include <cmath>
#include <algorithm>
#include <map>
#include <string>

#include "gtest/gtest.h"

namespace monosem {
namespace {

// Returns the offset of the first invalid UTF-8 sequence, or -1.
int64_t FirstInvalidUtf8(const std::vector<uint8_t>& b) {
  size_t i = 0;
  while (i < b.size()) {
    const uint8_t c = b[i];
    int n = c < 0x80 ? 0 : (c >> 5) == 6 ? 1 : (c >> 4) == 14 ? 2 : (c >> 3) == 30 ? 3 : -1;
    if (n < 0 || i + n >= b.size() + (n == 0 ? 1 : 0)) return static_cast<int64_t>(i);
    for (int k = 1; k <= n; ++k) {
      if (i + k >= b.size() || (b[i + k] & 0xC0) != 0x80) return static_cast<int64_t>(i);
    }
    i += n + 1;
  }
  return -1;
}

std::string Text(const Corpus& c, Genre g, size_t max_len) {
  std::string s;
  for (size_t i = 0; i < c.bytes.size() && s.size() < max_len; ++i) {
    if (c.genre[i] == g) s += static_cast<char>(c.bytes[i]);
  }
  return s;
}

TEST(Corpus, DefaultConfigParses) {
  const CorpusConfig& d = DefaultCorpusConfig();
  EXPECT_EQ(d.genres_size(), kNumBuiltinGenres - 1);
  EXPECT_GT(d.doc_bytes_max(), d.doc_bytes_min());
  EXPECT_EQ(BuiltinGenreNames().size(), static_cast<size_t>(kNumBuiltinGenres));
  EXPECT_EQ(*BuiltinGenreId("arabic"), kGenreArabic);
  EXPECT_FALSE(BuiltinGenreId("klingon").ok());
}

TEST(Corpus, ExactLengthLabelsAndDeterminism) {
  auto a = GenerateCorpus(CorpusConfig(), 300001);
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->bytes.size(), 300001u);
  EXPECT_EQ(a->genre.size(), 300001u);
  for (uint8_t g : a->genre) ASSERT_TRUE(g > kGenreUnknown && g < kNumBuiltinGenres);
  auto b = GenerateCorpus(CorpusConfig(), 300001);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(a->bytes, b->bytes);
  EXPECT_EQ(a->genre, b->genre);
  // A prefix of a longer corpus is the shorter corpus (up to the final cut).
  auto c = GenerateCorpus(CorpusConfig(), 100000);
  ASSERT_TRUE(c.ok());
  EXPECT_TRUE(std::equal(c->bytes.begin(), c->bytes.begin() + 90000, a->bytes.begin()));
  // Another seed gives another stream.
  CorpusConfig other;
  other.set_seed(2);
  auto d = GenerateCorpus(other, 300001);
  ASSERT_TRUE(d.ok());
  EXPECT_NE(a->bytes, d->bytes);
  EXPECT_EQ(FirstInvalidUtf8(a->bytes), -1);
  EXPECT_EQ(FirstInvalidUtf8(d->bytes), -1);
}

TEST(Corpus, EveryGenreLooksRight) {
  CorpusConfig config;
  for (int g = 1; g < kNumBuiltinGenres; ++g) {
    auto* gw = config.add_genres();
    gw->set_genre(BuiltinGenreNames()[g]);
    gw->set_weight(1.0);
  }
  auto c = GenerateCorpus(config, 400000);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(FirstInvalidUtf8(c->bytes), -1);
  const auto counts = GenreByteCounts(*c);
  for (int g = 1; g < kNumBuiltinGenres; ++g) {
    EXPECT_GT(counts[g], 400000 / 11 / 3) << BuiltinGenreNames()[g];
  }
  EXPECT_EQ(counts[kGenreUnknown], 0);

  const std::string dna = Text(*c, kGenreDna, 20000);
  EXPECT_EQ(dna.find_first_not_of("ACGT\n"), std::string::npos);
  const std::string b64 = Text(*c, kGenreBase64, 20000);
  EXPECT_EQ(b64.find_first_not_of(
                "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=\n"),
            std::string::npos);
  const std::string numbers = Text(*c, kGenreNumbers, 20000);
  EXPECT_EQ(numbers.find_first_not_of("0123456789.-,;\t \n"), std::string::npos);
  EXPECT_NE(Text(*c, kGenreHttp, 20000).find(" HTTP/1."), std::string::npos);
  EXPECT_NE(Text(*c, kGenreHttp, 20000).find("\r\nHost: "), std::string::npos);
  EXPECT_NE(Text(*c, kGenreHtml, 20000).find("</"), std::string::npos);
  EXPECT_NE(Text(*c, kGenreCitation, 20000).find("). "), std::string::npos);
  EXPECT_NE(Text(*c, kGenreDialogue, 20000).find('"'), std::string::npos);
  EXPECT_NE(Text(*c, kGenreProse, 20000).find("the "), std::string::npos);

  // Script genres: every non-ASCII character is in the genre's block.
  auto check_script = [&](Genre g, uint32_t lo, uint32_t hi, uint32_t extra) {
    const std::string s = Text(*c, g, 1 << 20);
    int in_block = 0;
    for (size_t i = 0; i < s.size();) {
      const uint8_t b0 = s[i];
      if (b0 < 0x80) {
        ++i;
        continue;
      }
      uint32_t cp;
      int n;
      if ((b0 >> 5) == 6) {
        cp = b0 & 0x1F;
        n = 2;
      } else {
        cp = b0 & 0x0F;
        n = 3;
      }
      for (int k = 1; k < n; ++k) cp = (cp << 6) | (static_cast<uint8_t>(s[i + k]) & 0x3F);
      ASSERT_TRUE((cp >= lo && cp <= hi) || cp == extra) << BuiltinGenreNames()[g] << " " << cp;
      ++in_block;
      i += n;
    }
    EXPECT_GT(in_block, 1000) << BuiltinGenreNames()[g];
  };
  check_script(kGenreKorean, 0xAC00, 0xD7A3, 0);
  check_script(kGenreArabic, 0x0621, 0x064A, 0x060C);
  check_script(kGenreHebrew, 0x05D0, 0x05EA, 0);
}

TEST(Corpus, DefaultMixtureHasRareArabic) {
  auto c = GenerateCorpus(CorpusConfig(), 4 << 20);
  ASSERT_TRUE(c.ok());
  const auto counts = GenreByteCounts(*c);
  const double arabic = static_cast<double>(counts[kGenreArabic]) / c->size();
  const double prose = static_cast<double>(counts[kGenreProse]) / c->size();
  EXPECT_GT(arabic, 0.0002);
  EXPECT_LT(arabic, 0.004);
  EXPECT_GT(prose, 0.25);
  EXPECT_LT(prose, 0.45);
}

TEST(Corpus, ProseHasZipfianWords) {
  auto c = GenerateCorpus(CorpusConfig(), 1 << 20);
  ASSERT_TRUE(c.ok());
  const std::string prose = Text(*c, kGenreProse, 1 << 20);
  std::map<std::string, int> freq;
  std::string w;
  for (char ch : prose) {
    if (ch >= 'a' && ch <= 'z') {
      w += ch;
    } else if (!w.empty()) {
      ++freq[w];
      w.clear();
    }
  }
  std::vector<int> counts;
  for (auto& [word, n] : freq) counts.push_back(n);
  std::sort(counts.rbegin(), counts.rend());
  ASSERT_GT(counts.size(), 500u);
  // Heavy head, long tail.
  EXPECT_GT(counts[0], 20 * counts[100]);
  EXPECT_GT(counts[10], 2 * counts[100]);
}

TEST(Corpus, EntropyInNats) {
  std::vector<uint8_t> two = {'a', 'b', 'a', 'b'};
  EXPECT_NEAR(UnigramEntropyNats(two), std::log(2.0), 1e-12);
  EXPECT_EQ(UnigramEntropyNats({}), 0.0);
  std::vector<uint8_t> all(256 * 4);
  for (size_t i = 0; i < all.size(); ++i) all[i] = static_cast<uint8_t>(i);
  EXPECT_NEAR(UnigramEntropyNats(all), std::log(256.0), 1e-12);

  auto c = GenerateCorpus(CorpusConfig(), 1 << 20);
  ASSERT_TRUE(c.ok());
  const double h = UnigramEntropyNats(c->bytes);
  EXPECT_GT(h, 2.5);
  EXPECT_LT(h, std::log(256.0));
  const auto per = UnigramEntropyNatsPerGenre(*c);
  // DNA is 4 equiprobable letters plus newlines: just above ln 4.
  EXPECT_NEAR(per[kGenreDna], std::log(4.0), 0.1);
  EXPECT_GT(per[kGenreDna], std::log(4.0));
  EXPECT_LT(per[kGenreNumbers], h);
}

TEST(Corpus, BadConfigsAreClearErrors) {
  auto empty = GenerateCorpus(CorpusConfig(), 0);
  EXPECT_EQ(empty.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(empty.status().message().find("empty corpus"), std::string::npos);

  CorpusConfig unknown;
  unknown.add_genres()->set_genre("klingon");
  unknown.mutable_genres(0)->set_weight(1);
  auto u = GenerateCorpus(unknown, 100);
  EXPECT_NE(u.status().message().find("unknown genre \"klingon\""), std::string::npos) << u.status();

  CorpusConfig negative;
  negative.add_genres()->set_genre("dna");
  negative.mutable_genres(0)->set_weight(-1);
  EXPECT_NE(GenerateCorpus(negative, 100).status().message().find("weight"), std::string::npos);

  CorpusConfig zero;
  zero.add_genres()->set_genre("dna");
  EXPECT_NE(GenerateCorpus(zero, 100).status().message().find("zero"), std::string::npos);

  CorpusConfig lengths;
  lengths.set_doc_bytes_min(100);
  lengths.set_doc_bytes_max(50);
  EXPECT_NE(GenerateCorpus(lengths, 100).status().message().find("doc_bytes_min"),
            std::string::npos);

  auto parsed = ParseCorpusConfig("seed: 3\nbogus: 1\n", "my.pbtxt");
  EXPECT_FALSE(parsed.ok());
  EXPECT_NE(parsed.status().message().find("my.pbtxt:2:"), std::string::npos) << parsed.status();
}

TEST(Corpus, SingleGenreAndSlice) {
  CorpusConfig config;
  auto* gw = config.add_genres();
  gw->set_genre("hebrew");
  gw->set_weight(1);
  config.set_doc_bytes_min(10);
  config.set_doc_bytes_max(10);
  auto c = GenerateCorpus(config, 5000);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(GenreByteCounts(*c)[kGenreHebrew], 5000);
  Corpus s = SliceCorpus(*c, 100, 200);
  EXPECT_EQ(s.size(), 100);
  EXPECT_EQ(s.bytes[0], c->bytes[100]);
  EXPECT_EQ(s.genre_names, c->genre_names);
}

}  // namespace
}  // namespace monosem
