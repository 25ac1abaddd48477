// Toy-model quality for the CI gate (ci/gate_config.json "quality.suites"):
// a fixed-budget seeded training run of the n=20, m=5 ReLU model
// (I_i = 0.7^i) on the cpu backend at a few sparsities, 200 AdamW steps at
// batch 256, lr 1e-2. Counters (per sparsity):
//   loss         mean evaluation loss over 8 fresh batches (lower is better)
//   represented  features with ||W_i|| > 0.5 (report; the gate's "either")
// Deterministic for a fixed seed: the cpu kernels give each instance to one
// thread, so the figures do not depend on the thread count either. One
// iteration per benchmark (the counters are the point, not the time).
#include <cmath>

#include "absl/strings/str_cat.h"
#include "benchmarks/bench_util.h"
#include "monosem/backend.h"
#include "monosem/models/toy/toy_kernels.h"
#include "monosem/models/toy/toy_metrics.h"
#include "monosem/models/toy/toy_model.h"

namespace monosem::bench {
namespace {

void BM_ToyQuality(benchmark::State& state, float sparsity) {
  auto backend = BackendRegistry::Create("cpu");
  if (!bench::UsableOrSkip(state, "cpu", backend)) return;
  auto kernels = ToyKernelsRegistry::Create(**backend);
  if (!kernels.ok()) {
    state.SkipWithError(std::string(kernels.status().message()).c_str());
    return;
  }
  ToySpec s;
  s.n = 20;
  s.m = 5;
  s.relu = true;
  s.instances = 1;
  s.sparsity = {sparsity};
  for (int i = 0; i < s.n; ++i) s.importance.push_back(std::pow(0.7f, i));
  s.steps = 200;
  s.batch = 256;
  s.adam.lr = 1e-2f;
  s.seed = 2024;
  // Before the run: the same training on the reference, whose W and b the
  // cpu run must match (rounding differences compound over the steps: the
  // tolerance of the toy kernel cross-check's short run, depth steps x B x (n + m)).
  auto train = [&](const std::string& name) -> absl::StatusOr<Outputs> {
    auto be = BackendRegistry::Create(name);
    if (!be.ok()) return be.status();
    auto k = ToyKernelsRegistry::Create(**be);
    if (!k.ok()) return k.status();
    auto r = TrainToy(s, **be, **k);
    if (!r.ok()) return r.status();
    const Tolerance tol = Float32Tolerance(s.steps * s.batch * (s.n + s.m));
    Outputs out;
    out.push_back({"W", std::move(r->w), tol});
    out.push_back({"b", std::move(r->b), tol});
    return out;
  };
  if (!MatchesReference(state, "cpu", absl::StrCat("toy quality run S", sparsity),
                        [&] { return train("reference"); }, [&] { return train("cpu"); })) {
    return;
  }
  double loss = 0;
  int64_t represented = 0;
  for (auto _ : state) {
    auto r = TrainToy(s, **backend, **kernels);
    if (!r.ok()) {
      state.SkipWithError(std::string(r.status().message()).c_str());
      return;
    }
    auto eval = EvaluateToy(s, r->w, r->b, **kernels, 8);
    if (!eval.ok()) {
      state.SkipWithError(std::string(eval.status().message()).c_str());
      return;
    }
    loss = (*eval)[0];
    represented = ComputeToyMetrics(r->w.data(), s.m, s.n).represented;
  }
  state.counters["loss"] = loss;
  state.counters["represented"] = static_cast<double>(represented);
}

void Register() {
  for (float S : {0.0f, 0.9f, 0.99f}) {
    benchmark::RegisterBenchmark(
        absl::StrCat("BM_ToyQuality/n20_m5_relu_S", S, "_steps200/cpu").c_str(), BM_ToyQuality, S)
        ->Iterations(1)
        ->Unit(benchmark::kMillisecond);
  }
}

MONOSEM_BENCHMARK_REGISTRAR(toy_quality, Register);

}  // namespace
}  // namespace monosem::bench
