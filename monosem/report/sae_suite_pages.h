// What the sae suite leaves for people to look at, for its largest
// dictionary on transformer A: the SAE as a SAELens folder, the feature
// browser (features and neurons) and the judged steering row.
#ifndef MONOSEM_REPORT_SAE_SUITE_PAGES_H_
#define MONOSEM_REPORT_SAE_SUITE_PAGES_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "monosem/data/corpus.h"
#include "monosem/models/sae/sae_kernels.h"
#include "proto/result.pb.h"

namespace monosem::report {

struct SaeSuitePages {
  std::string out_dir;                 // the results folder
  std::string transformer_checkpoint;  // transformer A
  sae::SaeSpec spec;
  sae::SaeParams raw_params;           // taking raw (unnormalised) activations
  const Corpus* heldout = nullptr;     // text the SAE was not trained on
  const Corpus* train = nullptr;       // the classifier's training text
  bool quick = false;
  std::string backend = "cpu";
};

// Writes OUT/sae_A_F<f>/ (SAELens) and OUT/browser/ (monosem browse's pages),
// then judges steering: one row, steering_genre_share_gain[A,F=f] (the share
// of generated text in the clamped feature's genre, minus the unclamped
// share), judged >= 0.1 at the default scale and report-only with --quick.
absl::StatusOr<std::vector<ResultRow>> WriteSaeSuitePages(const SaeSuitePages& in);

}  // namespace monosem::report

#endif  // MONOSEM_REPORT_SAE_SUITE_PAGES_H_
