#include "monosem/data/shuffle_buffer.h"

#include <cstdlib>
#include <fstream>
#include <string>

#include "gtest/gtest.h"
#include "tests/testing/tmp_dir.h"

namespace monosem {
namespace {

using ::monosem::testing::TmpDir;

// kB from a /proc/self/status line ("VmRSS:", "VmHWM:"), or -1.
int64_t ProcStatusKb(const std::string& key) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(key, 0) == 0) return std::atoll(line.c_str() + key.size());
  }
  return -1;
}

// Vector i is (i, i + 1, ..., i + d - 1) with context i: checkable on arrival.
void WriteStore(const std::string& dir, int64_t n, int64_t d, int64_t per_shard) {
  ActivationStoreOptions o;
  o.dir = dir;
  o.d = d;
  o.vectors_per_shard = per_shard;
  auto w = ActivationStoreWriter::Create(o);
  ASSERT_TRUE(w.ok()) << w.status();
  const int64_t chunk = 512;
  std::vector<float> v(chunk * d);
  std::vector<VectorMeta> m(chunk);
  for (int64_t i = 0; i < n; i += chunk) {
    const int64_t rows = std::min(chunk, n - i);
    for (int64_t r = 0; r < rows; ++r) {
      for (int64_t k = 0; k < d; ++k) v[r * d + k] = static_cast<float>(i + r + k);
      m[r] = {i + r, static_cast<int32_t>((i + r) % 256), static_cast<int32_t>(r % 128), 0};
    }
    ASSERT_TRUE((*w)->Append(absl::MakeConstSpan(v).subspan(0, rows * d),
                             absl::MakeConstSpan(m).subspan(0, rows))
                    .ok());
  }
  ASSERT_TRUE((*w)->Finish().ok());
}

// Streams one epoch; checks every vector arrives once, intact.
std::vector<int64_t> Epoch(ShuffleBuffer* s, int64_t n, int64_t d, int64_t* peak_rss_kb = nullptr) {
  std::vector<int64_t> order;
  std::vector<int> seen(n, 0);
  Tensor batch;
  std::vector<VectorMeta> meta;
  while (true) {
    auto rows = s->NextBatch(&batch, &meta);
    EXPECT_TRUE(rows.ok()) << rows.status();
    if (!rows.ok() || *rows == 0) break;
    EXPECT_EQ(batch.dim(0), *rows);
    for (int64_t r = 0; r < *rows; ++r) {
      const int64_t id = meta[r].context;
      EXPECT_EQ(batch[r * d], static_cast<float>(id));
      EXPECT_EQ(batch[r * d + d - 1], static_cast<float>(id + d - 1));
      ++seen[id];
      order.push_back(id);
    }
    if (peak_rss_kb != nullptr) *peak_rss_kb = std::max(*peak_rss_kb, ProcStatusKb("VmRSS:"));
  }
  for (int64_t i = 0; i < n; ++i) EXPECT_EQ(seen[i], 1) << "vector " << i;
  return order;
}

TEST(ShuffleBuffer, EveryVectorOncePerEpochSeededOrder) {
  const std::string dir = TmpDir("small");
  const int64_t n = 5000, d = 8;
  WriteStore(dir, n, d, 700);
  ShuffleBufferOptions o;
  o.buffer_bytes = 600 * (d * 4 + 24);
  o.batch_size = 128;
  o.seed = 3;
  auto s = ShuffleBuffer::Open(dir, o);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ((*s)->capacity(), 600);
  const auto e0 = Epoch(s->get(), n, d);
  const auto e1 = Epoch(s->get(), n, d);
  EXPECT_EQ((*s)->epoch(), 2);
  EXPECT_NE(e0, e1);  // epochs differ
  // Shuffled: far from the written order.
  int64_t in_place = 0;
  for (int64_t i = 0; i < n; ++i) in_place += e0[i] == i;
  EXPECT_LT(in_place, n / 20);
  // Same seed, same order.
  auto again = ShuffleBuffer::Open(dir, o);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(Epoch(again->get(), n, d), e0);
  o.seed = 4;
  auto other = ShuffleBuffer::Open(dir, o);
  EXPECT_NE(Epoch(other->get(), n, d), e0);

  o.buffer_bytes = 10;
  EXPECT_FALSE(ShuffleBuffer::Open(dir, o).ok());
  EXPECT_FALSE(ShuffleBuffer::Open(TmpDir("missing"), o).ok());
}

// A 64 MiB store through a 4 MiB buffer: resident memory grows by about the
// buffer, not the store, and every vector still arrives exactly once.
TEST(ShuffleBuffer, MemoryStaysBoundedOnAStoreMuchLargerThanTheBuffer) {
  const std::string dir = TmpDir("large");
  const int64_t d = 512, n = 32768;  // 32768 x 512 x 4 B = 64 MiB of values
  WriteStore(dir, n, d, 4096);
  ShuffleBufferOptions o;
  o.buffer_bytes = 4 << 20;
  o.batch_size = 256;
  o.seed = 1;
  const int64_t before_kb = ProcStatusKb("VmRSS:");
  // Reset the high-water mark so VmHWM measures the streaming alone (Linux >= 4.0).
  bool hwm_reset = false;
  {
    std::ofstream clear("/proc/self/clear_refs");
    clear << "5";
    clear.flush();
    hwm_reset = static_cast<bool>(clear) && ProcStatusKb("VmHWM:") <= before_kb + 1024;
  }
  int64_t peak_kb = before_kb;
  {
    auto s = ShuffleBuffer::Open(dir, o);
    ASSERT_TRUE(s.ok()) << s.status();
    EXPECT_EQ((*s)->info().n, n);
    EXPECT_LT((*s)->capacity(), n / 8);
    Epoch(s->get(), n, d, &peak_kb);
    Epoch(s->get(), n, d, &peak_kb);
  }
  if (hwm_reset) peak_kb = std::max(peak_kb, ProcStatusKb("VmHWM:"));
  const int64_t growth_kb = peak_kb - before_kb;
  // Buffer 4 MiB + one block (0.5 MiB) + the batch (0.5 MiB) + the 64 MiB epoch
  // bookkeeping of this test (n ints), far below the 64 MiB store.
  std::printf("store %lld MiB, buffer %lld MiB: RSS %lld kB before, peak %lld kB (+%lld kB)%s\n",
              static_cast<long long>(n * d * 4 >> 20), static_cast<long long>(o.buffer_bytes >> 20),
              static_cast<long long>(before_kb), static_cast<long long>(peak_kb),
              static_cast<long long>(growth_kb), hwm_reset ? " (VmHWM)" : " (sampled VmRSS)");
  EXPECT_LT(growth_kb, 12 * 1024);
}

}  // namespace
}  // namespace monosem
