// SafetensorsMatrixSource: seeded per-epoch shuffles, Skip, and the errors
// for every kind of bad file (each naming the file).
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <set>
#include <string>

#include "gtest/gtest.h"
#include "monosem/io/file_io.h"
#include "monosem/io/safetensors.h"
#include "monosem/models/sae/sae_matrix_source.h"

namespace monosem::sae {
namespace {

std::string Path(const std::string& name) { return ::testing::TempDir() + "/matrix_" + name; }

// Row r of the matrix is (r, r + 0.5, ...): a row identifies itself.
std::string WriteMatrix(const std::string& name, int64_t rows, int64_t d) {
  Tensor t({rows, d});
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t j = 0; j < d; ++j) t[r * d + j] = r + 0.5f * j;
  }
  std::map<std::string, Tensor> m;
  m.emplace("acts", std::move(t));
  const std::string p = Path(name);
  EXPECT_TRUE(WriteSafetensors(p, m).ok());
  return p;
}

std::vector<int64_t> Draw(SafetensorsMatrixSource& s, int64_t n) {
  Tensor x({n, s.dim()});
  EXPECT_TRUE(s.Next(n, &x).ok());
  std::vector<int64_t> rows;
  for (int64_t b = 0; b < n; ++b) rows.push_back(static_cast<int64_t>(x[b * s.dim()]));
  // Whole rows are copied: the second column belongs to the same row.
  for (int64_t b = 0; b < n; ++b) EXPECT_EQ(x[b * s.dim() + 1], rows[b] + 0.5f);
  return rows;
}

TEST(MatrixSource, EachEpochIsASeededPermutation) {
  const std::string p = WriteMatrix("perm", 37, 3);
  auto s = SafetensorsMatrixSource::Open(p, "", 7);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->dim(), 3);
  EXPECT_EQ(s->rows(), 37);
  // Two epochs and a bit, drawn in awkward batch sizes across the boundary.
  std::vector<int64_t> all;
  for (int64_t n : {5, 30, 11, 30}) {
    auto r = Draw(*s, n);
    all.insert(all.end(), r.begin(), r.end());
  }
  std::vector<int64_t> e1(all.begin(), all.begin() + 37), e2(all.begin() + 37, all.begin() + 74);
  std::vector<int64_t> sorted1 = e1, sorted2 = e2, ids(37);
  std::sort(sorted1.begin(), sorted1.end());
  std::sort(sorted2.begin(), sorted2.end());
  for (int64_t i = 0; i < 37; ++i) ids[i] = i;
  EXPECT_EQ(sorted1, ids);
  EXPECT_EQ(sorted2, ids);
  EXPECT_NE(e1, e2);   // a fresh shuffle each epoch
  EXPECT_NE(e1, ids);  // and actually shuffled
  // Same seed, same order; another seed, another order.
  auto same = SafetensorsMatrixSource::Open(p, "acts", 7);
  auto other = SafetensorsMatrixSource::Open(p, "acts", 8);
  ASSERT_TRUE(same.ok() && other.ok());
  EXPECT_EQ(Draw(*same, 37), e1);
  EXPECT_NE(Draw(*other, 37), e1);
}

TEST(MatrixSource, SkipLandsWhereDrawingWould) {
  const std::string p = WriteMatrix("skip", 13, 2);
  for (int64_t skip : {0, 1, 12, 13, 27, 40}) {
    auto a = SafetensorsMatrixSource::Open(p, "", 3);
    auto b = SafetensorsMatrixSource::Open(p, "", 3);
    ASSERT_TRUE(a.ok() && b.ok());
    if (skip > 0) Draw(*a, skip);
    ASSERT_TRUE(b->Skip(skip).ok());
    EXPECT_EQ(b->position(), skip);
    EXPECT_EQ(Draw(*a, 20), Draw(*b, 20)) << "skip " << skip;
  }
  auto c = SafetensorsMatrixSource::Open(p, "", 3);
  EXPECT_FALSE(c->Skip(-1).ok());
}

// A safetensors file with a hand-made header (for dtypes we never write).
void WriteRaw(const std::string& path, const std::string& header, size_t data_bytes) {
  std::string out;
  const uint64_t n = header.size();
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((n >> (8 * i)) & 0xff));
  out += header;
  out.append(data_bytes, '\0');
  ASSERT_TRUE(WriteFileAtomic(path, out).ok());
}

void ExpectError(const std::string& path, const std::string& tensor, const std::string& part) {
  auto s = SafetensorsMatrixSource::Open(path, tensor);
  ASSERT_FALSE(s.ok()) << path;
  const std::string msg(s.status().message());
  EXPECT_NE(msg.find(path), std::string::npos) << msg;
  EXPECT_NE(msg.find(part), std::string::npos) << "'" << part << "' not in: " << msg;
}

TEST(MatrixSource, BadFilesGiveErrorsNamingTheFile) {
  const std::string garbage = Path("garbage");
  ASSERT_TRUE(WriteFileAtomic(garbage, std::string("\x05\x00\x00\x00\x00\x00\x00\x00{{{{{", 13)).ok());
  ExpectError(garbage, "", "header is not JSON");

  ExpectError(WriteMatrix("missing", 4, 2), "resid", "missing tensor 'resid'");

  const std::string f16 = Path("f16");
  WriteRaw(f16, R"({"acts": {"dtype": "F16", "shape": [2, 2], "data_offsets": [0, 8]}})", 8);
  ExpectError(f16, "", "dtype F16");

  std::map<std::string, Tensor> one_d;
  one_d.emplace("acts", Tensor({6}));
  ASSERT_TRUE(WriteSafetensors(Path("1d"), one_d).ok());
  ExpectError(Path("1d"), "", "expected a 2-D matrix");

  std::map<std::string, Tensor> empty;
  empty.emplace("acts", Tensor({0, 4}));
  ASSERT_TRUE(WriteSafetensors(Path("empty"), empty).ok());
  ExpectError(Path("empty"), "acts", "no training vectors");

  std::map<std::string, Tensor> two;
  two.emplace("a", Tensor({2, 2}));
  two.emplace("b", Tensor({2, 2}));
  ASSERT_TRUE(WriteSafetensors(Path("two"), two).ok());
  ExpectError(Path("two"), "", "holds 2 tensors (a, b)");
  EXPECT_TRUE(SafetensorsMatrixSource::Open(Path("two"), "b").ok());

  std::map<std::string, Tensor> nan;
  Tensor m({3, 4});
  m[2 * 4 + 1] = std::nanf("");
  nan.emplace("acts", std::move(m));
  ASSERT_TRUE(WriteSafetensors(Path("nan"), nan).ok());
  ExpectError(Path("nan"), "", "tensor 'acts' row 2 column 1 is nan (the data must be finite)");

  ExpectError(Path("does_not_exist"), "", "does_not_exist");
}

}  // namespace
}  // namespace monosem::sae
