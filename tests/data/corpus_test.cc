#include "monosem/data/corpus.h"

#include <cmath>
#include <algorithm>
#include <cstdio>
#include <limits>
#include <map>
#include <set>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

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

std::string Text(const Corpus& c, int label, size_t max_len) {
  std::string s;
  for (size_t i = 0; i < c.bytes.size() && s.size() < max_len; ++i) {
    if (c.label[i] == label) s += static_cast<char>(c.bytes[i]);
  }
  return s;
}

int Id(const std::string& name) {
  auto id = BuiltinLabelId(name);
  EXPECT_TRUE(id.ok()) << name;
  return id.ok() ? *id : 0;
}

// The default mixture at the transformer suite's corpus size, generated once.
const Corpus& Default8M() {
  static const Corpus* c = [] {
    auto r = GenerateCorpus(CorpusConfig(), 8'000'000);
    EXPECT_TRUE(r.ok()) << r.status();
    return new Corpus(r.ok() ? *std::move(r) : Corpus());
  }();
  return *c;
}

TEST(Corpus, DefaultConfigParses) {
  const CorpusConfig& d = DefaultCorpusConfig();
  EXPECT_EQ(d.genres_size(), 26);
  EXPECT_GT(d.doc_bytes_max(), d.doc_bytes_min());
  EXPECT_TRUE(d.has_leaf_zipf_exponent());
  EXPECT_EQ(BuiltinLabels().names[0], "unknown");
  EXPECT_EQ(BuiltinLabelId("arabic").ok(), true);
  EXPECT_FALSE(BuiltinLabelId("klingon").ok());
}

TEST(Corpus, HierarchyIsWellFormed) {
  const LabelSet& l = BuiltinLabels();
  ASSERT_EQ(l.names.size(), l.parent.size());
  EXPECT_EQ(l.parent[0], -1);
  std::set<std::string> names;
  int leaves = 0, genres = 0;
  for (int i = 0; i < l.size(); ++i) {
    EXPECT_TRUE(names.insert(l.names[i]).second) << "duplicate " << l.names[i];
    const int p = l.parent[i];
    if (p < 0) {
      ++genres;
      EXPECT_EQ(l.names[i].find('/'), std::string::npos) << l.names[i];
      continue;
    }
    ++leaves;
    ASSERT_LT(p, l.size());
    EXPECT_EQ(l.parent[p], -1) << l.names[i] << ": two levels only";
    EXPECT_EQ(l.names[i].rfind(l.names[p] + "/", 0), 0u) << l.names[i] << " under " << l.names[p];
  }
  EXPECT_EQ(genres, 27);  // unknown + 26 genres
  EXPECT_GE(leaves, 250);
  EXPECT_LE(leaves, 400);
  // The paper's genres are all there, each with sub-kinds to split into.
  for (const char* g : {"prose", "dialogue", "citation", "http", "korean", "arabic", "hebrew", "dna",
                        "base64", "html", "numbers"}) {
    EXPECT_GE(BuiltinLeavesOf(Id(g)).size(), 3u) << g;
  }
  for (const char* leaf : {"base64/pem", "base64/data_url", "base64/bare", "dna/fasta", "dna/inline",
                           "prose/religion", "prose/mathematics", "code/python", "http/get"}) {
    EXPECT_TRUE(BuiltinLabelId(leaf).ok()) << leaf;
  }
}

TEST(Corpus, ExactLengthLabelsAndDeterminism) {
  auto a = GenerateCorpus(CorpusConfig(), 300001);
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->bytes.size(), 300001u);
  EXPECT_EQ(a->label.size(), 300001u);
  for (LabelId g : a->label) {
    ASSERT_LT(g, a->labels.size());
    ASSERT_GE(a->labels.parent[g], 0) << "bytes carry leaf labels";
  }
  auto b = GenerateCorpus(CorpusConfig(), 300001);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(a->bytes, b->bytes);
  EXPECT_EQ(a->label, b->label);
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

TEST(Corpus, SuiteSizeIsValidUtf8) {
  const Corpus& c = Default8M();
  ASSERT_EQ(c.size(), 8'000'000);
  EXPECT_EQ(FirstInvalidUtf8(c.bytes), -1);
}

TEST(Corpus, EveryLeafAppearsAtTheSuiteSize) {
  const Corpus& c = Default8M();
  const auto counts = LabelByteCounts(c);
  const LabelSet& l = c.labels;
  for (int i = 1; i < l.size(); ++i) {
    EXPECT_GT(counts[i], 500) << l.names[i] << " has too few bytes in 8M";
  }
  EXPECT_EQ(counts[kLabelUnknown], 0);
  // Parents count their leaves' bytes; the genres partition the stream.
  int64_t total = 0;
  for (int i = 0; i < l.size(); ++i) total += l.parent[i] < 0 ? counts[i] : 0;
  EXPECT_EQ(total, c.size());
}

TEST(Corpus, GenreSharesFollowTheConfig) {
  const Corpus& c = Default8M();
  const auto counts = LabelByteCounts(c);
  double total = 0;
  for (const auto& gw : DefaultCorpusConfig().genres()) total += gw.weight();
  for (const auto& gw : DefaultCorpusConfig().genres()) {
    const double want = gw.weight() / total;
    const double got = static_cast<double>(counts[Id(gw.genre())]) / c.size();
    // Documents vary in length (200..2000 bytes): the relative tolerance
    // grows as a genre has fewer documents.
    const double docs = want * c.size() / 1100.0;
    const double tol = 0.1 + 1.5 / std::sqrt(docs);
    EXPECT_NEAR(got / want, 1.0, tol) << gw.genre() << ": " << got << " of bytes, config " << want;
  }
  // Arabic is as rare as in the Pile.
  const double arabic = static_cast<double>(counts[Id("arabic")]) / c.size();
  EXPECT_GT(arabic, 0.0008);
  EXPECT_LT(arabic, 0.002);
}

// Within a genre, leaf k's share ~ (k + 1)^-1: the least-squares slope of
// log share on log rank is about -1 for the genres with many leaves.
TEST(Corpus, LeafSharesAreZipfian) {
  const Corpus& c = Default8M();
  const auto counts = LabelByteCounts(c);
  for (const char* genre : {"prose", "code", "latin", "indic"}) {
    const std::vector<int>& leaves = BuiltinLeavesOf(Id(genre));
    ASSERT_GE(leaves.size(), 10u) << genre;
    double sx = 0, sy = 0, sxx = 0, sxy = 0;
    const double n = static_cast<double>(leaves.size());
    for (size_t k = 0; k < leaves.size(); ++k) {
      const double x = std::log(k + 1.0), y = std::log(static_cast<double>(counts[leaves[k]]));
      sx += x;
      sy += y;
      sxx += x * x;
      sxy += x * y;
    }
    const double slope = (n * sxy - sx * sy) / (n * sxx - sx * sx);
    EXPECT_NEAR(slope, -1.0, 0.2) << genre;
    EXPECT_GT(counts[leaves.front()], 8 * counts[leaves.back()]) << genre;
  }
  // A flat exponent gives (about) equal leaves.
  CorpusConfig flat;
  flat.add_genres()->set_genre("hebrew");
  flat.mutable_genres(0)->set_weight(1);
  flat.set_leaf_zipf_exponent(0);
  auto f = GenerateCorpus(flat, 600000);
  ASSERT_TRUE(f.ok()) << f.status();
  const auto fc = LabelByteCounts(*f);
  for (int leaf : BuiltinLeavesOf(Id("hebrew"))) {
    EXPECT_NEAR(fc[leaf] / 600000.0, 1.0 / 3, 0.05) << f->labels.names[leaf];
  }
}

// Siblings differ in their bytes: a byte-bigram naive Bayes trained on the
// first half of each leaf's text tells its 1024-byte pieces of the second
// half from every sibling's. (Pieces, not single bytes: inside a long base64
// body, PEM and MIME differ only in their wrappers and line widths.)
TEST(Corpus, SiblingsAreDistinguishableByTheirBytes) {
  constexpr size_t kPiece = 1024;
  std::vector<std::string> weak;
  const LabelSet& l = BuiltinLabels();
  for (int g = 1; g < l.size(); ++g) {
    if (l.parent[g] >= 0) continue;
    const std::vector<int>& leaves = BuiltinLeavesOf(g);
    CorpusConfig config;
    config.add_genres()->set_genre(l.names[g]);
    config.mutable_genres(0)->set_weight(1);
    config.set_leaf_zipf_exponent(0);
    auto c = GenerateCorpus(config, 40000 * static_cast<int64_t>(leaves.size()));
    ASSERT_TRUE(c.ok()) << c.status();
    std::vector<std::string> text(leaves.size());
    for (size_t k = 0; k < leaves.size(); ++k) text[k] = Text(*c, leaves[k], 1 << 20);
    std::vector<std::vector<float>> logp(leaves.size(), std::vector<float>(65536));
    for (size_t k = 0; k < leaves.size(); ++k) {
      std::vector<double> n(65536, 0.0), row(256, 0.0);
      const size_t half = text[k].size() / 2;
      for (size_t i = 1; i < half; ++i) {
        const int prev = static_cast<uint8_t>(text[k][i - 1]), next = static_cast<uint8_t>(text[k][i]);
        n[prev * 256 + next] += 1;
        row[prev] += 1;
      }
      for (int b = 0; b < 65536; ++b) logp[k][b] = static_cast<float>(std::log((n[b] + 0.1) / (row[b / 256] + 25.6)));
    }
    for (size_t k = 0; k < leaves.size(); ++k) {
      int pieces = 0, right = 0;
      for (size_t at = text[k].size() / 2; at + kPiece <= text[k].size(); at += kPiece) {
        ++pieces;
        size_t best = 0;
        double best_score = -1e300;
        for (size_t j = 0; j < leaves.size(); ++j) {
          double s = 0;
          for (size_t i = at + 1; i < at + kPiece; ++i) {
            s += logp[j][static_cast<uint8_t>(text[k][i - 1]) * 256 + static_cast<uint8_t>(text[k][i])];
          }
          if (s > best_score) {
            best_score = s;
            best = j;
          }
        }
        right += best == k;
      }
      ASSERT_GT(pieces, 10) << l.names[leaves[k]];
      const double accuracy = static_cast<double>(right) / pieces;
      if (accuracy < 0.75) weak.push_back(absl::StrCat(l.names[leaves[k]], " ", accuracy));
    }
  }
  EXPECT_TRUE(weak.empty()) << absl::StrJoin(weak, "; ");
}

TEST(Corpus, LeavesLookRight) {
  const Corpus& c = Default8M();
  const std::string dna = Text(c, Id("dna/fasta"), 20000);
  EXPECT_EQ(dna[0], '>');
  const std::string rna = Text(c, Id("dna/rna"), 20000);
  EXPECT_EQ(rna.find('T', rna.find('\n')), std::string::npos);
  const std::string pem = Text(c, Id("base64/pem"), 20000);
  EXPECT_EQ(pem.rfind("-----BEGIN ", 0), 0u);
  const std::string bare = Text(c, Id("base64/bare"), 20000);
  EXPECT_EQ(bare.find_first_not_of(
                "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=\n"),
            std::string::npos);
  EXPECT_NE(Text(c, Id("base64/data_url"), 20000).find(";base64,"), std::string::npos);
  const std::string numbers = Text(c, Id("numbers/integers"), 20000);
  EXPECT_EQ(numbers.find_first_not_of("0123456789, \n"), std::string::npos);
  EXPECT_NE(Text(c, Id("http/get"), 20000).find(" HTTP/1.1\r\nHost: "), std::string::npos);
  EXPECT_NE(Text(c, Id("html/article"), 20000).find("</article>"), std::string::npos);
  EXPECT_NE(Text(c, Id("code/python"), 20000).find("def "), std::string::npos);
  EXPECT_NE(Text(c, Id("prose/religion"), 200000).find(" God"), std::string::npos);
  EXPECT_NE(Text(c, Id("prose/mathematics"), 200000).find("the theorem"), std::string::npos);
  EXPECT_NE(Text(c, Id("dialogue/quoted"), 20000).find('"'), std::string::npos);

  // Script leaves: every non-ASCII character is in the leaf's script block.
  auto check_script = [&](const std::string& leaf, uint32_t lo, uint32_t hi) {
    const std::string s = Text(c, Id(leaf), 1 << 20);
    int in_block = 0;
    for (size_t i = 0; i < s.size();) {
      const uint8_t b0 = s[i];
      if (b0 < 0x80) {
        ++i;
        continue;
      }
      const int n = (b0 >> 5) == 6 ? 2 : (b0 >> 4) == 14 ? 3 : 4;
      uint32_t cp = b0 & (n == 2 ? 0x1F : n == 3 ? 0x0F : 0x07);
      for (int k = 1; k < n; ++k) cp = (cp << 6) | (static_cast<uint8_t>(s[i + k]) & 0x3F);
      ASSERT_TRUE(cp >= lo && cp <= hi) << leaf << " " << cp;
      ++in_block;
      i += n;
    }
    EXPECT_GT(in_block, 300) << leaf;
  };
  check_script("korean/plain", 0xAC00, 0xD7A3);
  check_script("arabic/plain", 0x0621, 0x064A);
  check_script("hebrew/plain", 0x05D0, 0x05EA);
  check_script("cyrillic/russian", 0x0400, 0x04FF);
  check_script("emoji/faces", 0x1F600, 0x1F64F);
}

TEST(Corpus, ExplicitLeafWeights) {
  CorpusConfig config;
  config.add_genres()->set_genre("base64");
  config.mutable_genres(0)->set_weight(1);
  config.add_genres()->set_genre("dna");
  config.mutable_genres(1)->set_weight(1);
  auto* lw = config.add_leaves();
  lw->set_genre("base64/pem");
  lw->set_weight(2);
  auto c = GenerateCorpus(config, 200000);
  ASSERT_TRUE(c.ok()) << c.status();
  const auto counts = LabelByteCounts(*c);
  // Only the listed base64 leaf; dna keeps its Zipfian leaves.
  EXPECT_EQ(counts[Id("base64/pem")], counts[Id("base64")]);
  EXPECT_GT(counts[Id("base64")], 60000);
  EXPECT_GT(counts[Id("dna/inline")], 0);
}

TEST(Corpus, TopLevelProjection) {
  auto c = GenerateCorpus(CorpusConfig(), 200000);
  ASSERT_TRUE(c.ok());
  const Corpus top = TopLevelCorpus(*c);
  EXPECT_EQ(top.labels.size(), 27);
  EXPECT_EQ(top.bytes, c->bytes);
  for (size_t i = 0; i < c->label.size(); i += 997) {
    EXPECT_EQ(top.labels.names[top.label[i]], c->labels.names[c->labels.parent[c->label[i]]]);
  }
}

TEST(Corpus, ProseHasZipfianWords) {
  auto c = GenerateCorpus(CorpusConfig(), 1 << 20);
  ASSERT_TRUE(c.ok());
  const std::string prose = Text(TopLevelCorpus(*c), Id("prose"), 1 << 20);
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
  const auto per = UnigramEntropyNatsPerLabel(*c);
  // FASTQ reads: 4 equiprobable letters, newlines, '+' and quality lines.
  // RNA bodies: 4 equiprobable letters plus newlines and a header.
  EXPECT_NEAR(per[Id("dna/rna")], std::log(4.0), 0.35);
  EXPECT_GT(per[Id("dna/rna")], std::log(4.0));
  EXPECT_LT(per[Id("numbers")], h);
  EXPECT_GT(per[Id("prose")], 0.0);  // parents cover their leaves' bytes
}

TEST(Corpus, BadConfigsAreClearErrors) {
  auto empty = GenerateCorpus(CorpusConfig(), 0);
  EXPECT_EQ(empty.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(empty.status().message().find("empty corpus"), std::string::npos);

  CorpusConfig unknown;
  unknown.add_genres()->set_genre("klingon");
  unknown.mutable_genres(0)->set_weight(1);
  auto u = GenerateCorpus(unknown, 100);
  EXPECT_EQ(u.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(u.status().message().find("genres: unknown genre \"klingon\""), std::string::npos) << u.status();

  CorpusConfig leaf_as_genre;
  leaf_as_genre.add_genres()->set_genre("base64/pem");
  leaf_as_genre.mutable_genres(0)->set_weight(1);
  EXPECT_NE(GenerateCorpus(leaf_as_genre, 100).status().message().find("is a leaf"), std::string::npos);

  CorpusConfig unknown_leaf;
  unknown_leaf.add_leaves()->set_genre("base64/klingon");
  unknown_leaf.mutable_leaves(0)->set_weight(1);
  auto ul = GenerateCorpus(unknown_leaf, 100);
  EXPECT_EQ(ul.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(ul.status().message().find("leaves: unknown leaf \"base64/klingon\""), std::string::npos) << ul.status();

  CorpusConfig negative_leaf;
  negative_leaf.add_leaves()->set_genre("base64/pem");
  negative_leaf.mutable_leaves(0)->set_weight(-2);
  EXPECT_NE(GenerateCorpus(negative_leaf, 100).status().message().find("leaves: \"base64/pem\" has weight -2"),
            std::string::npos);

  CorpusConfig nan_leaf;
  nan_leaf.add_leaves()->set_genre("base64/pem");
  nan_leaf.mutable_leaves(0)->set_weight(std::nan(""));
  EXPECT_EQ(GenerateCorpus(nan_leaf, 100).status().code(), absl::StatusCode::kInvalidArgument);

  CorpusConfig twice;
  for (int i = 0; i < 2; ++i) {
    twice.add_genres()->set_genre("dna");
    twice.mutable_genres(i)->set_weight(1);
  }
  EXPECT_NE(GenerateCorpus(twice, 100).status().message().find("listed twice"), std::string::npos);

  CorpusConfig exponent;
  exponent.set_leaf_zipf_exponent(std::numeric_limits<double>::infinity());
  EXPECT_NE(GenerateCorpus(exponent, 100).status().message().find("leaf_zipf_exponent"), std::string::npos);

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
  EXPECT_EQ(LabelByteCounts(*c)[Id("hebrew")], 5000);
  Corpus s = SliceCorpus(*c, 100, 200);
  EXPECT_EQ(s.size(), 100);
  EXPECT_EQ(s.bytes[0], c->bytes[100]);
  EXPECT_EQ(s.labels.names, c->labels.names);
  EXPECT_EQ(s.labels.parent, c->labels.parent);
  EXPECT_EQ(s.label[0], c->label[100]);
}

}  // namespace
}  // namespace monosem
