// The "sae" suite: the synthetic half (sae_synthetic_experiments.h) and the
// transformer-MLP half (sae_mlp_experiments.h: the A/0-A/3 ladder with
// loss_recovered, universality, genre_f1), each on the thread count that
// suits it. --only selects parts: synthetic, ladder, universality (mlp = both
// MLP parts).
#include <cblas.h>
#include <omp.h>

#include <algorithm>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "monosem/status.h"
#include "monosem/suite.h"
#include "monosem/suites/sae/sae_hierarchy_experiments.h"
#include "monosem/suites/sae/sae_mlp_experiments.h"
#include "monosem/suites/sae/sae_synthetic_experiments.h"

namespace monosem {
namespace {

// Runs fn with `threads` OpenMP and OpenBLAS threads, restoring both after.
absl::StatusOr<std::vector<ResultRow>> WithThreads(
    int threads, const std::function<absl::StatusOr<std::vector<ResultRow>>()>& fn) {
  const int omp_threads = omp_get_max_threads();
  const int blas_threads = openblas_get_num_threads();
  omp_set_num_threads(threads);
  openblas_set_num_threads(threads);
  auto rows = fn();
  omp_set_num_threads(omp_threads);
  openblas_set_num_threads(blas_threads);
  return rows;
}

// Threads: MONOSEM_THREADS if set. Otherwise the synthetic half runs on one:
// its problems are small (d <= 256, F <= 1024) and on the loaded 2-core
// machine OpenMP's fork/join and OpenBLAS's spinning workers cost far more
// than they save (measured on the quick suite under load 9: 143 s with 2
// threads, 16 s with 1). The MLP half (d 512, F up to 4,096, batch 1,024)
// has GEMMs large enough to use every core.
absl::StatusOr<std::vector<ResultRow>> RunSae(const SuiteContext& ctx) {
  int forced = 0;
  if (const char* env = std::getenv("MONOSEM_THREADS"); env != nullptr && std::atoi(env) > 0) {
    forced = std::atoi(env);
  }
  bool synthetic = ctx.only.empty();
  bool hierarchy = ctx.only.empty();
  sae::MlpParts parts{ctx.only.empty(), ctx.only.empty()};
  for (absl::string_view part : absl::StrSplit(ctx.only, ',', absl::SkipEmpty())) {
    if (part == "synthetic") {
      synthetic = true;
    } else if (part == "hierarchy") {
      hierarchy = true;
    } else if (part == "mlp") {
      parts.ladder = parts.universality = true;
    } else if (part == "ladder") {
      parts.ladder = true;
    } else if (part == "universality") {
      parts.universality = true;
    } else {
      return absl::InvalidArgumentError(absl::StrCat(
          "sae suite: unknown experiment '", part,
          "' in --only (expected synthetic, hierarchy, ladder, universality, mlp)"));
    }
  }
  const bool mlp = parts.ladder || parts.universality;
  std::vector<ResultRow> rows;
  if (synthetic) {
    MONOSEM_ASSIGN_OR_RETURN(rows, WithThreads(forced > 0 ? forced : 1,
                                               [&] { return RunSaeSyntheticExperiments(ctx); }));
  }
  if (hierarchy) {
    MONOSEM_ASSIGN_OR_RETURN(std::vector<ResultRow> more,
                             WithThreads(forced > 0 ? forced : 1,
                                         [&] { return sae::RunSaeHierarchyExperiments(ctx); }));
    rows.insert(rows.end(), more.begin(), more.end());
  }
  if (mlp) {
    MONOSEM_ASSIGN_OR_RETURN(
        std::vector<ResultRow> more,
        WithThreads(forced > 0 ? forced : std::max(1, omp_get_num_procs()),
                    [&] { return sae::RunSaeMlpExperiments(ctx, parts); }));
    rows.insert(rows.end(), more.begin(), more.end());
  }
  return rows;
}

MONOSEM_REGISTER_SUITE(sae, "sae",
                       "SAEs: synthetic ground truth (MMCS over lambda and dictionary ratio, TopK "
                       "dead latents and fvu over k, the L0/FVU frontier), a hierarchical world "
                       "(feature_f1 and mcc per architecture) and transformer A's MLP "
                       "(the A/0-A/3 ladder with loss_recovered, universality, genre_f1); "
                       "--only synthetic,hierarchy,ladder,universality",
                       RunSae, "transformer");

}  // namespace
}  // namespace monosem
