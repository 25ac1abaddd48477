// The "toy" suite: the four Toy Models of Superposition experiments,
// run on ctx.backend (default cpu). Figures' data go to ctx.out_dir as CSV:
//   toy_exp1_n20_m5.csv, toy_exp2_n5_m2.csv, toy_exp3_phase_diagram.csv,
//   toy_exp4_dstar_curve.csv, toy_exp4_dimensionality.csv
// --config FILE (a text-proto RunConfig):
//   * with a `toy { ... }` section: the custom run it describes (sizes,
//     instances, importance, sparsity; `train { ... }` for steps, batch, lr,
//     AdamW and seed), rows custom_*[...] and toy_custom.csv, instead of the
//     four experiments (add --only=custom,exp1,... to run both);
//   * with only `train { steps / batch_size / lr }`: those override every
//     experiment's own setting (rows say so).
// --only exp1,exp2,exp3,exp4,custom selects experiments.
#include <set>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "monosem/suites/toy/toy_experiments.h"
#include "monosem/status.h"
#include "monosem/suite.h"

namespace monosem {
namespace {

absl::StatusOr<std::vector<ResultRow>> RunToy(const SuiteContext& ctx) {
  ToyExperimentScale scale;
  scale.quick = ctx.quick;
  scale.backend = ctx.backend.empty() ? "cpu" : ctx.backend;
  scale.out_dir = ctx.out_dir;
  const bool custom_config = ctx.config != nullptr && ctx.config->has_toy();
  if (ctx.config != nullptr && !custom_config) {
    const TrainConfig& t = ctx.config->train();
    if (t.steps() < 0 || t.batch_size() < 0 || t.lr() < 0) {
      return absl::InvalidArgumentError("toy suite: --config train steps, batch_size and lr "
                                        "must be positive when set");
    }
    scale.steps = t.steps();
    scale.batch = t.batch_size();
    scale.lr = t.lr();
  }
  const std::set<std::string> known = {"exp1", "exp2", "exp3", "exp4", "custom"};
  std::set<std::string> only;
  for (absl::string_view e : absl::StrSplit(ctx.only, ',', absl::SkipEmpty())) {
    if (!known.count(std::string(e))) {
      return absl::InvalidArgumentError(
          absl::StrCat("toy suite: unknown experiment '", e, "' in --only (have: ",
                       absl::StrJoin(known, ", "), ")"));
    }
    only.insert(std::string(e));
  }
  if (only.empty()) {
    only = custom_config ? std::set<std::string>{"custom"}
                         : std::set<std::string>{"exp1", "exp2", "exp3", "exp4"};
  }
  if (only.count("custom") && !custom_config) {
    return absl::InvalidArgumentError(
        "toy suite: --only=custom needs --config with a `toy { ... }` section");
  }
  std::vector<ResultRow> rows;
  auto add = [&](absl::StatusOr<std::vector<ResultRow>> more) -> absl::Status {
    if (!more.ok()) return more.status();
    rows.insert(rows.end(), more->begin(), more->end());
    return absl::OkStatus();
  };
  if (only.count("custom")) MONOSEM_RETURN_IF_ERROR(add(ToyExperimentCustom(scale, *ctx.config)));
  if (only.count("exp1")) MONOSEM_RETURN_IF_ERROR(add(ToyExperimentTopFeatures(scale)));
  if (only.count("exp2")) MONOSEM_RETURN_IF_ERROR(add(ToyExperimentPentagon(scale)));
  if (only.count("exp3")) MONOSEM_RETURN_IF_ERROR(add(ToyExperimentPhaseDiagram(scale)));
  if (only.count("exp4")) MONOSEM_RETURN_IF_ERROR(add(ToyExperimentUniform(scale)));
  return rows;
}

MONOSEM_REGISTER_SUITE(toy, "toy",
                       "Toy Models of Superposition: top-5 features, pentagon, n=2 m=1 phase "
                       "diagram vs the exact optimum, uniform superposition (n=400 m=30)",
                       RunToy);

}  // namespace
}  // namespace monosem
