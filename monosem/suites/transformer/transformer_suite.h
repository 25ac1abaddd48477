// The `transformer` reproduce suite: trains transformers A and B (same
// config, different init seeds, same data) on the built-in labelled corpus,
// reports loss per byte against the unigram entropy, loss per genre, neuron
// polysemanticity and genre_f1 of the best neuron per genre, saves both
// checkpoints and harvests both MLPs into activation stores, and leaves
// OUT/transformer_manifest.json (proto/artifacts.proto) for the sae suite.
#ifndef MONOSEM_SUITES_TRANSFORMER_TRANSFORMER_SUITE_H_
#define MONOSEM_SUITES_TRANSFORMER_TRANSFORMER_SUITE_H_

#include <vector>

#include "absl/status/statusor.h"
#include "monosem/suite.h"
#include "proto/result.pb.h"

namespace monosem {

// The suite body (registered as "transformer" by register_suite.cc).
absl::StatusOr<std::vector<ResultRow>> RunTransformerSuite(const SuiteContext& ctx);

}  // namespace monosem

#endif  // MONOSEM_SUITES_TRANSFORMER_TRANSFORMER_SUITE_H_
