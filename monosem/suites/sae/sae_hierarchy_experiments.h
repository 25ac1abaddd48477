// The sae suite's hierarchical synthetic benchmark (SynthSAEBench, Chanin &
// Garriga-Alonso 2026): SAEs of several architectures trained on one
// hierarchical world (monosem/models/sae/synthetic_hierarchy.h) and scored
// by feature_f1 and mcc of matched features (feature_matching.h) beside
// explained variance and L0, with the paper's table beside them, and one
// judged row: the paper's F1 order of the architectures.
//
// The architectures are a table (HierarchyArchTable): one entry per arch,
// its name, the paper's numbers and how to build its SaeSpec and
// TrainOptions, so adding an architecture is adding an entry.
#ifndef MONOSEM_SUITES_SAE_SAE_HIERARCHY_EXPERIMENTS_H_
#define MONOSEM_SUITES_SAE_SAE_HIERARCHY_EXPERIMENTS_H_

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "monosem/models/sae/sae.h"
#include "monosem/models/sae/synthetic_hierarchy.h"
#include "monosem/suite.h"
#include "proto/result.pb.h"

namespace monosem::sae {

struct HierarchyScale {
  HierarchyWorldOptions world;
  int64_t width = 0;   // SAE latents
  int64_t k = 0;       // the target L0 (topk, batch_topk: exact)
  int64_t batch = 0, steps = 0;
  int64_t n_eval = 0;  // held-out evaluation samples
  float lr = 1e-3f;
  float l1 = 0;             // relu_l1's lambda, set for L0 near k at this scale
  float jumprelu_l0 = 0;    // jumprelu's L0 coefficient, likewise
  float jumprelu_init = 0;  // jumprelu's initial threshold
  float jumprelu_bandwidth = 0;  // jumprelu's straight-through kernel width
};

// quick: seconds; default: the 2-core budget (about three minutes for the
// whole experiment); paper: SynthSAEBench-16k's shapes (16,384 features in
// 768 dimensions, width 4,096, 200M samples at batch 1,024, L0 = 25).
HierarchyScale HierarchyScaleFor(SuiteScale s);

// Names the judged row needs.
inline constexpr char kMatryoshkaArch[] = "matryoshka_batch_topk";

struct HierarchyArch {
  std::string name;   // "relu_l1", "batch_topk", ...
  std::string paper_name;
  // The paper's values at L0 = 25, width 4,096, 200M samples (NaN: none).
  double published_f1, published_mcc, published_ev;
  std::string source;
  std::function<absl::Status(const HierarchyScale&, SaeSpec*, TrainOptions*)> build;
};

// Every architecture the experiment trains, in order.
std::vector<HierarchyArch> HierarchyArchTable();

// The judged row: F1 order Matryoshka > BatchTopK ~ JumpReLU > standard L1
// from the measured F1 per arch name; judged when `judged`, report-only
// otherwise; an absent arch makes it fail (judged) with a note naming it.
ResultRow F1OrderRow(const std::map<std::string, double>& f1, bool judged);

absl::StatusOr<std::vector<ResultRow>> RunSaeHierarchyExperiments(
    const SuiteContext& ctx, const std::vector<HierarchyArch>& archs = HierarchyArchTable());

}  // namespace monosem::sae

#endif  // MONOSEM_SUITES_SAE_SAE_HIERARCHY_EXPERIMENTS_H_
