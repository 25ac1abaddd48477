#include "monosem/data/activation_store.h"

#include <dirent.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <set>
#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "monosem/data/bf16.h"
#include "monosem/io/file_io.h"
#include "monosem/philox.h"
#include "nlohmann/json.hpp"
#include "tests/testing/tmp_dir.h"

namespace monosem {
namespace {

using ::monosem::testing::TmpDir;

std::vector<std::string> List(const std::string& dir) {
  std::vector<std::string> names;
  DIR* d = opendir(dir.c_str());
  while (dirent* e = d ? readdir(d) : nullptr) {
    if (e->d_name[0] != '.') names.push_back(e->d_name);
  }
  if (d) closedir(d);
  std::sort(names.begin(), names.end());
  return names;
}

struct Data {
  std::vector<float> values;
  std::vector<VectorMeta> meta;
};

Data Random(int64_t n, int64_t d, uint64_t seed) {
  Data data;
  Philox rng(seed, 0);
  data.values.resize(n * d);
  for (float& v : data.values) v = rng.Normal() * 3.0f;
  for (int64_t i = 0; i < n; ++i) {
    data.meta.push_back({i / 7, static_cast<int32_t>(rng.UniformInt(256)),
                         static_cast<int32_t>(i % 128), static_cast<int32_t>(rng.UniformInt(700))});
  }
  return data;
}

// A label tree with ids past 255, as the built-in corpus's leaves need.
LabelSet TestLabels() {
  LabelSet l;
  l.names = {"unknown", "prose", "prose/law", "base64"};
  l.parent = {-1, -1, 1, -1};
  for (int i = 0; i < 700; ++i) {
    l.names.push_back(absl::StrCat("base64/kind", i));
    l.parent.push_back(3);
  }
  return l;
}

absl::Status Write(const std::string& dir, const Data& data, int64_t d, ActivationDtype dtype,
                   int64_t per_shard, int32_t block_rows, int64_t chunk = 13) {
  ActivationStoreOptions o;
  o.dir = dir;
  o.d = d;
  o.dtype = dtype;
  o.checkpoint_hash = "sha256:abc123";
  o.config_text = "transformer { d_model: 128 }\n";
  o.labels = TestLabels();
  o.vectors_per_shard = per_shard;
  o.block_rows = block_rows;
  auto w = ActivationStoreWriter::Create(o);
  if (!w.ok()) return w.status();
  const int64_t n = static_cast<int64_t>(data.meta.size());
  for (int64_t i = 0; i < n; i += chunk) {
    const int64_t rows = std::min(chunk, n - i);
    absl::Status s = (*w)->Append(absl::MakeConstSpan(data.values).subspan(i * d, rows * d),
                                  absl::MakeConstSpan(data.meta).subspan(i, rows));
    if (!s.ok()) return s;
  }
  return (*w)->Finish();
}

TEST(ActivationStore, Float32RoundTripIsExactAcrossShardsAndBlocks) {
  const std::string dir = TmpDir("f32");
  const int64_t n = 1000, d = 37;
  const Data data = Random(n, d, 1);
  ASSERT_TRUE(Write(dir, data, d, ActivationDtype::kFloat32, 300, 64).ok());
  EXPECT_EQ(List(dir), (std::vector<std::string>{"manifest.json", "shard-00000.msact",
                                                  "shard-00001.msact", "shard-00002.msact",
                                                  "shard-00003.msact"}));
  auto info = OpenActivationStore(dir);
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_EQ(info->n, n);
  EXPECT_EQ(info->d, d);
  EXPECT_EQ(info->checkpoint_hash, "sha256:abc123");
  EXPECT_EQ(info->config_text, "transformer { d_model: 128 }\n");
  EXPECT_EQ(info->labels.names, TestLabels().names);
  EXPECT_EQ(info->labels.parent, TestLabels().parent);
  EXPECT_EQ(info->shard_sizes, (std::vector<int64_t>{300, 300, 300, 100}));
  Tensor values;
  std::vector<VectorMeta> meta;
  ASSERT_TRUE(ReadActivationStore(dir, &values, &meta).ok());
  ASSERT_EQ(values.shape(), (Shape{n, d}));
  for (int64_t i = 0; i < n * d; ++i) ASSERT_EQ(values[i], data.values[i]) << i;
  EXPECT_EQ(meta, data.meta);
  // Each shard describes itself.
  auto shard = ActivationShardReader::Open(dir + "/shard-00003.msact");
  ASSERT_TRUE(shard.ok());
  EXPECT_EQ((*shard)->info().n, 100);
  EXPECT_EQ((*shard)->shard_index(), 3);
  EXPECT_EQ((*shard)->info().checkpoint_hash, "sha256:abc123");
  EXPECT_EQ((*shard)->info().labels.names, TestLabels().names);
  EXPECT_EQ((*shard)->info().labels.parent, TestLabels().parent);
  // An existing store is never overwritten.
  EXPECT_EQ(Write(dir, data, d, ActivationDtype::kFloat32, 300, 64).code(),
            absl::StatusCode::kAlreadyExists);
}

TEST(ActivationStore, Bf16StoresRoundedValuesAtHalfTheSize) {
  const std::string dir = TmpDir("bf16");
  const int64_t n = 500, d = 64;
  const Data data = Random(n, d, 2);
  ASSERT_TRUE(Write(dir, data, d, ActivationDtype::kBf16, 1 << 20, 100).ok());
  Tensor values;
  std::vector<VectorMeta> meta;
  ASSERT_TRUE(ReadActivationStore(dir, &values, &meta).ok());
  for (int64_t i = 0; i < n * d; ++i) {
    ASSERT_EQ(values[i], Bf16ToFloat(FloatToBf16(data.values[i]))) << i;
  }
  EXPECT_EQ(meta, data.meta);
  auto info = OpenActivationStore(dir);
  EXPECT_EQ(info->dtype, ActivationDtype::kBf16);
  auto bytes = ReadFile(dir + "/shard-00000.msact");
  // Values at 2 bytes, 20 bytes of metadata each, plus the header (the label
  // set's "PARENT\tNAME" lines take most of it).
  size_t label_bytes = 0;
  for (const std::string& name : TestLabels().names) label_bytes += name.size() + 4;
  EXPECT_LT(bytes->size(), static_cast<size_t>(n * (d * 2 + 20) + 1000) + label_bytes);
}

TEST(ActivationStore, CorruptAndTruncatedShardsNameFileAndOffset) {
  const std::string dir = TmpDir("corrupt");
  const int64_t n = 200, d = 16;
  ASSERT_TRUE(Write(dir, Random(n, d, 3), d, ActivationDtype::kFloat32, 1000, 50).ok());
  const std::string shard = dir + "/shard-00000.msact";
  const std::string good = *ReadFile(shard);
  Tensor values;
  std::vector<VectorMeta> meta;
  auto expect_error = [&](const std::string& contents, const std::string& needle) {
    ASSERT_TRUE(WriteFileAtomic(shard, contents).ok());
    absl::Status s = ReadActivationStore(dir, &values, &meta);
    EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss) << s;
    EXPECT_NE(s.message().find(shard), std::string::npos) << s;
    EXPECT_NE(s.message().find(needle), std::string::npos) << s;
  };
  expect_error(good.substr(0, good.size() - 1000), "truncated");
  expect_error(good.substr(0, good.size() - 1000), "at byte offset " + std::to_string(good.size() - 1000));
  expect_error(good.substr(0, 20), "truncated header");
  std::string bad = good;
  bad[0] = 'X';
  expect_error(bad, "bad magic (not an activation shard) at byte offset 0");
  bad = good;
  bad[20] ^= 1;  // n in the header
  expect_error(bad, "header checksum mismatch");
  // A flipped bit in block 2's values.
  bad = good;
  const size_t header = good.size() - (n * (d * 4 + 20) + 4 * 4 + 16);
  const size_t block2 = header + 2 * (50 * (d * 4 + 20) + 4);
  bad[block2 + 50 * 20 + 7] ^= 0x10;
  expect_error(bad, "checksum mismatch in block 2 (vectors 100..149) at byte offset " +
                        std::to_string(block2));
  bad = good;
  bad[good.size() - 3] ^= 1;
  expect_error(bad, "bad trailer");
  expect_error(good + "junk", "trailing bytes");
  ASSERT_TRUE(WriteFileAtomic(shard, good).ok());
  EXPECT_TRUE(ReadActivationStore(dir, &values, &meta).ok());

  // No manifest: never finished.
  unlink((dir + "/manifest.json").c_str());
  absl::Status s = ReadActivationStore(dir, &values, &meta);
  EXPECT_NE(s.message().find("never finished"), std::string::npos) << s;
}

TEST(ActivationStore, UnfinishedWriterLeavesNoShardOrTempFile) {
  const std::string dir = TmpDir("unfinished");
  {
    ActivationStoreOptions o;
    o.dir = dir;
    o.d = 8;
    auto w = ActivationStoreWriter::Create(o);
    ASSERT_TRUE(w.ok());
    std::vector<float> v(8 * 10, 1.0f);
    std::vector<VectorMeta> m(10);
    ASSERT_TRUE((*w)->Append(v, m).ok());
    // Wrong sizes are errors, not crashes.
    EXPECT_FALSE((*w)->Append(v, absl::MakeConstSpan(m).subspan(0, 3)).ok());
  }  // destroyed without Finish
  EXPECT_TRUE(List(dir).empty());

  ActivationStoreOptions bad;
  bad.dir = dir;
  bad.d = 0;
  EXPECT_EQ(ActivationStoreWriter::Create(bad).status().code(), absl::StatusCode::kInvalidArgument);
  bad.d = 4;
  auto empty = ActivationStoreWriter::Create(bad);
  ASSERT_TRUE(empty.ok());
  EXPECT_FALSE((*empty)->Finish().ok());  // an empty store is an error
}

TEST(ActivationStore, SamplePositions) {
  const auto a = SamplePositions(42, 7, 128, 25);
  ASSERT_EQ(a.size(), 25u);
  EXPECT_TRUE(std::is_sorted(a.begin(), a.end()));
  EXPECT_EQ(std::set<int32_t>(a.begin(), a.end()).size(), 25u);
  for (int32_t p : a) EXPECT_TRUE(p >= 0 && p < 128);
  EXPECT_EQ(SamplePositions(42, 7, 128, 25), a);   // deterministic
  EXPECT_NE(SamplePositions(42, 8, 128, 25), a);   // per context
  EXPECT_NE(SamplePositions(43, 7, 128, 25), a);   // per seed
  EXPECT_EQ(SamplePositions(1, 1, 10, 250).size(), 10u);  // k >= n_ctx: all
  EXPECT_TRUE(SamplePositions(1, 1, 10, 0).empty());
  // Roughly uniform over positions.
  std::vector<int> hits(128, 0);
  for (int c = 0; c < 2000; ++c) {
    for (int32_t p : SamplePositions(5, c, 128, 16)) ++hits[p];
  }
  for (int h : hits) EXPECT_NEAR(h, 2000 * 16 / 128, 80);
}

TEST(ActivationStore, AppendSampledActivations) {
  const std::string dir = TmpDir("harvest");
  const int64_t B = 3, T = 16, d = 5;
  Tensor acts({B, T, d});
  std::vector<int32_t> tokens(B * T);
  std::vector<LabelId> genres(B * T);
  for (int64_t i = 0; i < B * T; ++i) {
    for (int64_t k = 0; k < d; ++k) acts[i * d + k] = static_cast<float>(i * 10 + k);
    tokens[i] = static_cast<int32_t>(i % 256);
    genres[i] = static_cast<LabelId>(250 + i);  // ids past 255
  }
  ActivationStoreOptions o;
  o.dir = dir;
  o.d = d;
  auto w = ActivationStoreWriter::Create(o);
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE(AppendSampledActivations(w->get(), acts, B, T, tokens, genres, 100, 4, 9).ok());
  EXPECT_FALSE(AppendSampledActivations(w->get(), acts, B, T + 1, tokens, genres, 100, 4, 9).ok());
  ASSERT_TRUE((*w)->Finish().ok());
  Tensor values;
  std::vector<VectorMeta> meta;
  ASSERT_TRUE(ReadActivationStore(dir, &values, &meta).ok());
  ASSERT_EQ(meta.size(), static_cast<size_t>(B * 4));
  for (size_t r = 0; r < meta.size(); ++r) {
    const int64_t b = static_cast<int64_t>(r / 4);
    EXPECT_EQ(meta[r].context, 100 + b);
    EXPECT_EQ(meta[r].position, SamplePositions(9, 100 + b, T, 4)[r % 4]);
    const int64_t row = b * T + meta[r].position;
    EXPECT_EQ(meta[r].token, tokens[row]);
    EXPECT_EQ(meta[r].label, genres[row]);
    EXPECT_EQ(values[r * d + 2], static_cast<float>(row * 10 + 2));
  }
}

// Version 1 manifests listed flat genre names; they still open, as a label
// set without parents. Unknown versions are refused, naming the version.
TEST(ActivationStore, ManifestVersions) {
  const std::string dir = TmpDir("versions");
  const Data data = Random(50, 4, 5);
  ASSERT_TRUE(Write(dir, data, 4, ActivationDtype::kFloat32, 1 << 20, 16).ok());
  auto text = ReadFile(dir + "/manifest.json");
  ASSERT_TRUE(text.ok());
  nlohmann::json m = nlohmann::json::parse(*text);
  EXPECT_EQ(m.at("version").get<int>(), 2);
  m["version"] = 1;
  m.erase("labels");
  m["genre_names"] = {"unknown", "prose", "arabic"};
  ASSERT_TRUE(WriteFileAtomic(dir + "/manifest.json", m.dump()).ok());
  auto v1 = OpenActivationStore(dir);
  ASSERT_TRUE(v1.ok()) << v1.status();
  EXPECT_EQ(v1->labels.names, (std::vector<std::string>{"unknown", "prose", "arabic"}));
  EXPECT_EQ(v1->labels.parent, (std::vector<int>{-1, -1, -1}));
  m["version"] = 3;
  ASSERT_TRUE(WriteFileAtomic(dir + "/manifest.json", m.dump()).ok());
  auto v3 = OpenActivationStore(dir);
  EXPECT_EQ(v3.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(v3.status().message().find("unsupported version 3"), std::string::npos) << v3.status();
}

// A manifest's shard names are file names in the store's folder: a path
// that leaves it ("../x", "/x", "a/b") is refused, not followed.
TEST(ActivationStore, ShardPathsStayInTheStore) {
  const std::string dir = TmpDir("escape");
  ASSERT_TRUE(Write(dir, Random(20, 4, 5), 4, ActivationDtype::kFloat32, 1 << 20, 16).ok());
  auto text = ReadFile(dir + "/manifest.json");
  ASSERT_TRUE(text.ok());
  const nlohmann::json good = nlohmann::json::parse(*text);
  for (const char* file : {"../../escape/shard-00000.msact", "/etc/passwd", "sub/shard-00000.msact", "..", ""}) {
    nlohmann::json m = good;
    m["shards"][0]["file"] = file;
    ASSERT_TRUE(WriteFileAtomic(dir + "/manifest.json", m.dump()).ok());
    auto r = OpenActivationStore(dir);
    ASSERT_FALSE(r.ok()) << file;
    EXPECT_EQ(r.status().code(), absl::StatusCode::kDataLoss);
    EXPECT_NE(r.status().message().find("manifest.json: shard file \"" + std::string(file) + "\""),
              std::string::npos) << r.status();
  }
}

TEST(ActivationStore, Crc32cKnownValue) {
  // RFC 3720 test vector: 32 bytes of zeros.
  std::vector<uint8_t> zeros(32, 0);
  EXPECT_EQ(Crc32c(zeros.data(), zeros.size()), 0x8A9136AAu);
  const std::string s = "123456789";
  EXPECT_EQ(Crc32c(s.data(), s.size()), 0xE3069283u);
}

}  // namespace
}  // namespace monosem
