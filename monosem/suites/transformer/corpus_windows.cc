#include "monosem/suites/transformer/corpus_windows.h"

#include "monosem/philox.h"

namespace monosem {

void GatherWindows(const Corpus& c, absl::Span<const int64_t> starts, int64_t window,
                   std::vector<int32_t>* ids, std::vector<LabelId>* labels) {
  ids->resize(starts.size() * window);
  labels->resize(starts.size() * (window - 1));
  for (size_t r = 0; r < starts.size(); ++r) {
    for (int64_t j = 0; j < window; ++j) {
      (*ids)[r * window + j] = c.bytes[starts[r] + j];
      if (j + 1 < window) (*labels)[r * (window - 1) + j] = c.label[starts[r] + j];
    }
  }
}

std::vector<int64_t> RandomStarts(int64_t count, int64_t corpus_bytes, int64_t window,
                                  uint64_t seed) {
  std::vector<int64_t> s(count);
  const uint64_t range = static_cast<uint64_t>(corpus_bytes - window + 1);
  for (int64_t i = 0; i < count; ++i) {
    Philox rng(seed, static_cast<uint64_t>(i));
    s[i] = static_cast<int64_t>(rng.UniformInt(static_cast<uint32_t>(range)));
  }
  return s;
}

}  // namespace monosem
