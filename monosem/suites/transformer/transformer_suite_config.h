// The transformer suite's defaults: the RunConfig before --config (the
// paper's shape, or a tiny model in quick mode) and how much it measures.
#ifndef MONOSEM_SUITES_TRANSFORMER_TRANSFORMER_SUITE_CONFIG_H_
#define MONOSEM_SUITES_TRANSFORMER_TRANSFORMER_SUITE_CONFIG_H_

#include <cstdint>

#include "monosem/suite.h"
#include "proto/config.pb.h"

namespace monosem {

// The defaults before --config: the paper's shape and a few million training
// tokens, or a tiny model in quick mode. Set fields of `override` (its
// transformer, train and data messages) replace them.
// kPaper: the paper's transformer budget (100B tokens).
RunConfig TransformerSuiteDefaults(SuiteScale scale);
RunConfig TransformerSuiteConfig(SuiteScale scale, const RunConfig* override);
inline RunConfig TransformerSuiteDefaults(bool quick) {
  return TransformerSuiteDefaults(quick ? SuiteScale::kQuick : SuiteScale::kDefault);
}
inline RunConfig TransformerSuiteConfig(bool quick, const RunConfig* override) {
  return TransformerSuiteConfig(quick ? SuiteScale::kQuick : SuiteScale::kDefault, override);
}

// How many windows the suite evaluates and harvests.
struct TransformerSuiteScale {
  int64_t eval_windows;      // held-out windows for the losses (at most)
  int64_t train_eval_windows;
  int64_t stats_windows;     // held-out windows whose activations feed the neuron stats
  int64_t harvest_contexts;  // train-split contexts harvested per model
  int32_t per_context;       // positions sampled per context
  int64_t eval_batch;
  // bf16 stores halve the disk and read traffic of million-vector harvests
  // (8 mantissa bits; the SAEs' held-out metrics use float activations).
  bool bf16_store = false;
};
TransformerSuiteScale TransformerSuiteScaleFor(SuiteScale scale);

}  // namespace monosem

#endif  // MONOSEM_SUITES_TRANSFORMER_TRANSFORMER_SUITE_CONFIG_H_
