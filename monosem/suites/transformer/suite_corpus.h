// The corpus the transformer suite trains on and the sae suite evaluates on:
// the generated labelled corpus (monosem/data/corpus.h) with Brown corpus
// documents mixed in (monosem/data/corpus_mix.h). One builder for both
// suites, so that the sae suite's held-out split is byte for byte the one
// the transformers were evaluated on.
#ifndef MONOSEM_SUITES_TRANSFORMER_SUITE_CORPUS_H_
#define MONOSEM_SUITES_TRANSFORMER_SUITE_CORPUS_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "monosem/data/corpus.h"
#include "proto/config.pb.h"

namespace monosem {

// Brown's share of the default-scale corpus: real English beside the
// generated genres, a quarter of the bytes (about 2M of Brown's 6.2M).
inline constexpr double kDefaultBrownShare = 0.25;

struct SuiteCorpus {
  Corpus corpus;
  // data.brown_share as used: the configured (or default) share, or 0 when
  // the data cache has no Brown corpus. Written into the manifest's config
  // so that a later run rebuilds the same corpus.
  double brown_share = 0;
  // One line for the user when the configured share could not be used.
  std::string note;
};

// n_bytes of the mixed corpus. default_share applies when data.brown_share
// is unset. With `strict` (rebuilding a corpus a manifest recorded), a
// missing Brown cache is a FailedPrecondition instead of a fallback.
absl::StatusOr<SuiteCorpus> BuildSuiteCorpus(const DataConfig& data, int64_t n_bytes,
                                             double default_share, bool strict);

}  // namespace monosem

#endif  // MONOSEM_SUITES_TRANSFORMER_SUITE_CORPUS_H_
