// Windows of the labelled corpus as token batches: where they start, and
// their bytes and labels. Shared by the transformer suite and the sae
// suite's MLP half, which must see the very same windows.
#ifndef MONOSEM_SUITES_TRANSFORMER_CORPUS_WINDOWS_H_
#define MONOSEM_SUITES_TRANSFORMER_CORPUS_WINDOWS_H_

#include <cstdint>
#include <vector>

#include "absl/types/span.h"
#include "monosem/data/corpus.h"

namespace monosem {

// Windows of window = ctx + 1 bytes of `c` at `starts`, as token ids
// ([starts, window]), with the label of each input byte ([starts, ctx]).
void GatherWindows(const Corpus& c, absl::Span<const int64_t> starts, int64_t window,
                   std::vector<int32_t>* ids, std::vector<LabelId>* labels);

// `count` window starts drawn uniformly from a corpus of `corpus_bytes` bytes
// (Philox, stream `seed`, counter i: the same starts on every machine).
std::vector<int64_t> RandomStarts(int64_t count, int64_t corpus_bytes, int64_t window,
                                  uint64_t seed);

}  // namespace monosem

#endif  // MONOSEM_SUITES_TRANSFORMER_CORPUS_WINDOWS_H_
