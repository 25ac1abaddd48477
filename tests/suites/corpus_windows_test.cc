// GatherWindows keeps each byte's label whole: ids past 255 (the built-in
// corpus's later leaves, loaded Pile sets) must not wrap to id % 256.
#include "monosem/suites/transformer/corpus_windows.h"

#include <vector>

#include "gtest/gtest.h"
#include "monosem/data/corpus.h"

namespace monosem {
namespace {

TEST(CorpusWindows, LabelsPast255SurviveTheRoundTrip) {
  Corpus c;
  for (int i = 0; i < 40; ++i) {
    c.bytes.push_back(static_cast<uint8_t>('a' + i % 26));
    c.label.push_back(static_cast<LabelId>(250 + 3 * i));  // 250 .. 367
  }
  const std::vector<int64_t> starts = {0, 7, 30};
  std::vector<int32_t> ids;
  std::vector<LabelId> labels;
  GatherWindows(c, starts, 9, &ids, &labels);
  ASSERT_EQ(ids.size(), 3u * 9);
  ASSERT_EQ(labels.size(), 3u * 8);
  for (size_t r = 0; r < starts.size(); ++r) {
    for (int j = 0; j < 8; ++j) {
      EXPECT_EQ(labels[r * 8 + j], c.label[starts[r] + j]);
      EXPECT_EQ(ids[r * 9 + j], c.bytes[starts[r] + j]);
    }
  }
  EXPECT_EQ(labels[2 * 8 + 7], 250 + 3 * 37);
}

// The same through the built-in corpus: its leaf ids reach past 255.
TEST(CorpusWindows, BuiltinLeafIdsPast255) {
  auto c = GenerateCorpus(CorpusConfig(), 2'000'000);
  ASSERT_TRUE(c.ok()) << c.status();
  std::vector<int64_t> starts;
  for (int64_t i = 0; i + 17 <= c->size(); i += 17) starts.push_back(i);
  std::vector<int32_t> ids;
  std::vector<LabelId> labels;
  GatherWindows(*c, starts, 17, &ids, &labels);
  int past = 0;
  for (size_t r = 0; r < starts.size(); ++r) {
    for (int j = 0; j < 16; ++j) {
      ASSERT_EQ(labels[r * 16 + j], c->label[starts[r] + j]);
      past += labels[r * 16 + j] > 255;
    }
  }
  EXPECT_GT(past, 0);
}

}  // namespace
}  // namespace monosem
