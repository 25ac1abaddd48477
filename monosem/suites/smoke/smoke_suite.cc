// The "smoke" suite: the foundation's end-to-end check that every backend
// runs and agrees with the reference at a model shape, and that the random
// generator reproduces its known answers. Fast enough for every run.
#include <cmath>

#include "absl/strings/str_cat.h"
#include "monosem/backend.h"
#include "monosem/compare.h"
#include "monosem/philox.h"
#include "monosem/random_fill.h"
#include "monosem/results.h"
#include "monosem/suite.h"
#include "reference/reference_backend.h"

namespace monosem {
namespace {

absl::StatusOr<std::vector<ResultRow>> RunSmoke(const SuiteContext& ctx) {
  std::vector<ResultRow> rows;
  const PhiloxBlock kat = Philox4x32_10({0, 0, 0, 0}, {0, 0});
  const bool kat_ok = kat == PhiloxBlock{0x6627e8d5u, 0xe169c58du, 0xbc57ac4cu, 0x9b00dbd8u};
  rows.push_back(MakeRow("smoke", "philox4x32_10_known_answer", kat_ok ? 1 : 0,
                         WITHIN_TOLERANCE, 1, 0, "Random123 kat_vectors"));

  // The transformer's MLP-in shape (tokens x d_model x d_mlp), smaller in quick mode.
  const int64_t m = ctx.quick ? 64 : 256, k = 128, n = 512;
  Tensor a = Tensor::Uninitialized({m, k}), b = Tensor::Uninitialized({k, n});
  FillUniform(1, 1, -1, 1, &a);
  FillUniform(1, 2, -1, 1, &b);
  Tensor want = Tensor::Uninitialized({m, n});
  ReferenceBackend reference;
  if (absl::Status s = reference.Gemm(Trans::kNo, Trans::kNo, 1, a, b, 0, &want); !s.ok()) {
    return s;
  }
  const Tolerance tol = Float32Tolerance(k);
  for (const std::string& name : BackendRegistry::Names()) {
    if (name == "reference") continue;
    auto backend = BackendRegistry::Create(name);
    if (!backend.ok()) return backend.status();
    if (!(*backend)->Available().ok()) continue;
    Tensor got = Tensor::Filled({m, n}, NAN);
    if (absl::Status s = (*backend)->Gemm(Trans::kNo, Trans::kNo, 1, a, b, 0, &got); !s.ok()) {
      return s;
    }
    Comparison c = Compare(got, want, tol);
    // Error in units of the tolerance: <= 1 passes.
    const double measured =
        c.nonfinite > 0 ? INFINITY : std::max(c.max_abs_error / c.max_bound,
                                              c.mean_abs_error / c.mean_bound);
    rows.push_back(MakeRow("smoke", absl::StrCat("gemm_error_vs_reference[", name, "]"), measured,
                           AT_MOST, 1.0, 0, "DESIGN.md depth-scaled tolerance",
                           absl::StrCat(m, "x", k, "x", n, "; error / tolerance")));
  }
  return rows;
}

MONOSEM_REGISTER_SUITE(smoke, "smoke", "every backend's GEMM vs reference; Philox KAT", RunSmoke);

}  // namespace
}  // namespace monosem
