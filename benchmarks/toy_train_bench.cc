// Toy-model training throughput per backend at the experiment shapes: one
// training step = fused/batched forward + backward over every instance plus
// the AdamW updates of W and b. The batch is generated once (data generation
// is shared host code, identical for every backend, and excluded here).
// FLOPs per step, counted from the shapes (METRICS.md): h = Wx, p = Wᵀh,
// dh = W g, dW = h gᵀ + dh xᵀ: 5 products of 2·B·m·n each, so 10·I·B·m·n.
// Bytes: x and importance read once, W and b read, dW and db written, and
// AdamW's param/m/v read+written and grad read (7 passes over I·(m·n + n)).
// Counters: steps/s (items_per_second), flops, bytes, peak_fraction,
// step_ms (wall time per step, measured here) and, on the torch row (which
// runs after the cpu row of the same shape), cpu_speedup_vs_torch = torch
// step_ms / cpu step_ms from this same run. LibTorch's intra-op pool is set
// to MONOSEM_THREADS (torch::set_num_threads), like OpenMP and OpenBLAS in
// bench_main.cc, so both backends get the same threads.
#include <chrono>
#include <cmath>
#include <map>
#include <torch/torch.h>

#include "absl/strings/str_cat.h"
#include "benchmarks/bench_util.h"
#include "monosem/backend.h"
#include "monosem/models/toy/toy_kernels.h"
#include "monosem/models/toy/toy_model.h"

namespace monosem::bench {
namespace {

struct ToyShape {
  const char* what;
  int64_t n, m, instances, batch;
};

const ToyShape kShapes[] = {
    {"n400_m30_I32_B1024", 400, 30, 32, 1024},
    {"n20_m5_I64_B1024", 20, 5, 64, 1024},
};

// Wall ms per step of the latest run of (shape, backend) in this process.
std::map<std::pair<std::string, std::string>, double>& StepMs() {
  static auto* m = new std::map<std::pair<std::string, std::string>, double>;
  return *m;
}

void BM_ToyTrainStep(benchmark::State& state, std::string name, ToyShape shape) {
  auto backend = BackendRegistry::Create(name);
  auto kernels = ToyKernelsRegistry::Create(**backend);
  if (!backend.ok() || !kernels.ok() || !(*backend)->Available().ok()) {
    state.SkipWithError("backend unavailable");
    return;
  }
  ToySpec s;
  s.n = shape.n;
  s.m = shape.m;
  s.instances = shape.instances;
  s.batch = shape.batch;
  s.relu = true;
  for (int64_t j = 0; j < s.instances; ++j) {
    s.sparsity.push_back(0.5f);  // density 1/2: the uniform-superposition regime
  }
  s.importance.assign(s.instances * s.n, 1.0f);
  Tensor w, b;
  ToyInit(s, &w, &b);
  Tensor x({s.instances, s.batch, s.n});
  ToyBatch(s, 0, &x);
  const Tensor imp = ToyImportanceTensor(s);
  Tensor loss({s.instances}), dw(w.shape()), db(b.shape());
  Tensor mw(w.shape()), vw(w.shape()), mb(b.shape()), vb(b.shape());
  int64_t step = 0;
  const auto t0 = std::chrono::steady_clock::now();
  for (auto _ : state) {
    ++step;
    absl::Status st = (*kernels)->ForwardBackward(true, x, w, b, imp, &loss, &dw, &db);
    if (st.ok()) st = (*backend)->AdamW(s.adam, step, dw, &w, &mw, &vw);
    if (st.ok()) st = (*backend)->AdamW(s.adam, step, db, &b, &mb, &vb);
    if (!st.ok()) {
      state.SkipWithError(std::string(st.message()).c_str());
      break;
    }
    benchmark::ClobberMemory();
  }
  const double step_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count() /
      std::max<int64_t>(1, state.iterations());
  state.counters["step_ms"] = step_ms;
  StepMs()[{shape.what, name}] = step_ms;
  if (name == "torch") {
    auto cpu = StepMs().find({shape.what, "cpu"});
    if (cpu != StepMs().end() && cpu->second > 0) {
      state.counters["cpu_speedup_vs_torch"] = step_ms / cpu->second;
    }
  }
  state.counters["threads"] = Threads();
  state.counters["torch_threads"] = torch::get_num_threads();
  const double I = s.instances, B = s.batch, n = s.n, m = s.m;
  const double params = I * (m * n + n);
  SetThroughput(state, 10.0 * I * B * m * n,
                4.0 * (I * B * n + I * n + I + 2 * params + 7 * params));
  state.SetItemsProcessed(state.iterations());
  state.counters["loss_mean"] = [&] {
    double t = 0;
    for (int64_t j = 0; j < loss.size(); ++j) t += loss[j];
    return t / loss.size();
  }();
}

void Register() {
  torch::set_num_threads(Threads());  // the same threads as OpenMP and OpenBLAS
  for (const ToyShape& shape : kShapes) {
    for (const std::string& name : ToyKernelsRegistry::Names()) {
      // The reference is the spec, not a contender: only at the small shape.
      if (name == "reference" && shape.n * shape.m > 1000) continue;
      benchmark::RegisterBenchmark(absl::StrCat("BM_ToyTrainStep/", shape.what, "/", name).c_str(),
                                   BM_ToyTrainStep, name, shape)
          ->UseRealTime()
          ->Unit(benchmark::kMillisecond);
    }
  }
}

MONOSEM_BENCHMARK_REGISTRAR(toy_train, Register);

}  // namespace
}  // namespace monosem::bench
