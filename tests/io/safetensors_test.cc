// safetensors: round trip, and clear errors naming the file for a bad header,
// truncation, a wrong dtype and a missing tensor.
#include <cstdlib>
#include <cstring>

#include "gtest/gtest.h"
#include "monosem/io/file_io.h"
#include "monosem/io/safetensors.h"

namespace monosem {
namespace {

std::string Tmp(const std::string& n) { return std::string(std::getenv("TEST_TMPDIR")) + "/" + n; }

std::string WithHeader(const std::string& json, const std::string& data = "") {
  std::string out(8, '\0');
  uint64_t n = json.size();
  for (int i = 0; i < 8; ++i) out[i] = static_cast<char>((n >> (8 * i)) & 0xff);
  return out + json + data;
}

TEST(Safetensors, RoundTripsNamedTensorsAndMetadata) {
  std::map<std::string, Tensor> t;
  t.emplace("a", *Tensor::FromValues({2, 3}, {1, 2, 3, 4, 5, -6.5f}));
  t.emplace("b.scalar", *Tensor::FromValues({}, {42}));
  t.emplace("empty", Tensor({0, 4}));
  const std::string path = Tmp("x.safetensors");
  ASSERT_TRUE(WriteSafetensors(path, t, {{"step", "12"}}).ok());
  auto bytes = ReadFile(path);
  ASSERT_TRUE(bytes.ok());
  uint64_t n = 0;
  std::memcpy(&n, bytes->data(), 8);
  EXPECT_EQ((8 + n) % 8, 0u);
  EXPECT_NE(bytes->find("\"dtype\":\"F32\""), std::string::npos);
  auto r = ReadSafetensors(path);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->metadata.at("step"), "12");
  ASSERT_EQ(r->tensors.size(), 3u);
  EXPECT_EQ(r->tensors.at("a").shape(), (Shape{2, 3}));
  EXPECT_EQ(r->tensors.at("a")[5], -6.5f);
  EXPECT_EQ(r->tensors.at("b.scalar")[0], 42.0f);
  EXPECT_EQ(r->tensors.at("empty").shape(), (Shape{0, 4}));
  auto missing = FindTensor(*r, "nope", path);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("x.safetensors: missing tensor 'nope'"), std::string::npos);
}

TEST(Safetensors, BadFilesAreErrorsNamingTheFile) {
  struct Case {
    std::string bytes, want;
  } cases[] = {
      {"abc", "shorter than the 8-byte header length"},
      {WithHeader("{not json"), "header is not JSON"},
      {WithHeader("[1,2]"), "not a JSON object"},
      {std::string("\xff\xff\xff\xff\x00\x00\x00\x00", 8) + "{}", "does not fit"},
      {WithHeader(R"({"w":{"dtype":"F16","shape":[2],"data_offsets":[0,4]}})", "1234"),
       "dtype F16 is not supported"},
      {WithHeader(R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}})", "1234"),
       "needs 8"},
      {WithHeader(R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})", "1234"),
       "truncated"},
      {WithHeader(R"({"w":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}})", "12345678"),
       "bad dimension"},
      {WithHeader(R"({"w":{"dtype":"F32"}})"), "needs dtype, shape and data_offsets"},
      {WithHeader(R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},)"
                  R"("w":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})",
                  "12345678"),
       "header names 'w' twice"},
  };
  for (const Case& c : cases) {
    const std::string path = Tmp("bad.safetensors");
    ASSERT_TRUE(WriteFileAtomic(path, c.bytes).ok());
    auto r = ReadSafetensors(path);
    ASSERT_FALSE(r.ok()) << c.want;
    EXPECT_NE(r.status().message().find(path), std::string::npos) << r.status();
    EXPECT_NE(r.status().message().find(c.want), std::string::npos) << r.status();
  }
  EXPECT_FALSE(ReadSafetensors(Tmp("does-not-exist.safetensors")).ok());
}

}  // namespace
}  // namespace monosem
