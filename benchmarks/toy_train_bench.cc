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
// bench_main.cc, so both backends get the same threads. Under --config=cuda
// the cuda backend has rows too (device-resident, bench_device.h); the
// cuda_toy_train_bench link set (MONOSEM_GPU_LINK_SET) has no LibTorch.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <utility>

#ifndef MONOSEM_GPU_LINK_SET
#include <torch/torch.h>
#endif

#include "absl/strings/str_cat.h"
#include "benchmarks/bench_device.h"
#include "benchmarks/bench_util.h"
#include "monosem/backend.h"
#include "monosem/models/toy/toy_kernels.h"
#include "monosem/models/toy/toy_model.h"
#include "tests/testing/shapes.h"

namespace monosem::bench {
namespace {

using testing::ToyTrainShape;

// Validation runs the reference on the first instances only: instances are
// independent and stored one after another, so the timed backend's full
// outputs start with theirs, and the reference stays cheap at every shape.
constexpr int64_t kValidatedInstances = 4;

// The leading `count` rows of a tensor's first dimension.
Tensor Leading(const Tensor& t, int64_t count) {
  Shape shape = t.shape();
  const int64_t per = t.size() / std::max<int64_t>(shape[0], 1);
  shape[0] = count;
  Tensor out = Tensor::Uninitialized(shape);
  std::copy(t.data(), t.data() + count * per, out.data());
  return out;
}

// Forward/backward outputs (loss, dW, db) of the kernels from these inputs,
// on the host, the first `keep` instances.
absl::StatusOr<Outputs> ForwardBackwardOnce(const Backend& backend, ToyKernels& kernels,
                                            const ToySpec& s, const Tensor& x, const Tensor& w,
                                            const Tensor& b, const Tensor& imp, int64_t keep) {
  auto dx = Place(backend, x), dw_in = Place(backend, w), db_in = Place(backend, b),
       dimp = Place(backend, imp), loss = Place(backend, Tensor({s.instances})),
       dw = Place(backend, Tensor(w.shape())), db = Place(backend, Tensor(b.shape()));
  for (auto* t : {&dx, &dw_in, &db_in, &dimp, &loss, &dw, &db}) {
    if (!t->ok()) return t->status();
  }
  absl::Status st =
      kernels.ForwardBackward(s.relu, *dx, *dw_in, *db_in, *dimp, &*loss, &*dw, &*db);
  if (!st.ok()) return st;
  Outputs out;
  for (auto [name, t] : {std::make_pair("loss", &*loss), std::make_pair("dW", &*dw),
                         std::make_pair("db", &*db)}) {
    auto host = ToHost(*t);
    if (!host.ok()) return host.status();
    out.push_back({name, Leading(*host, keep), Float32Tolerance(s.batch * (s.n + s.m))});
  }
  // The tolerances of the toy kernel cross-check (tests/kernels/toy_kernels_test.cc):
  // the loss squares y - x, which cancels, so its error is absolute, scaled
  // by sqrt(n * loss). (The reference's own outputs set the tolerance.)
  double max_loss = 0;
  for (int64_t j = 0; j < out[0].value.size(); ++j) {
    max_loss = std::max(max_loss, double(out[0].value[j]));
  }
  out[0].tol.atol =
      4 * 6e-8 * std::sqrt(double(out[0].tol.depth)) * std::sqrt(double(s.n) * max_loss);
  return out;
}

// Wall ms per step of the latest run of (shape, backend) in this process.
std::map<std::pair<std::string, std::string>, double>& StepMs() {
  static auto* m = new std::map<std::pair<std::string, std::string>, double>;
  return *m;
}

void BM_ToyTrainStep(benchmark::State& state, std::string name, ToyTrainShape shape) {
  auto backend = BackendRegistry::Create(name);
  if (!bench::UsableOrSkip(state, name, backend)) return;
  auto kernels = ToyKernelsRegistry::Create(**backend);
  if (!kernels.ok()) {
    state.SkipWithError(std::string(kernels.status().message()).c_str());
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

  // Validation: the first instances' loss and gradients against the
  // reference's, from the same initial parameters and batch. The loss
  // tolerance scales with the loss (sqrt), here at most ~1 per feature.
  const int64_t keep = std::min(s.instances, kValidatedInstances);
  const RunCase on_reference = [&]() -> absl::StatusOr<Outputs> {
    auto ref_backend = BackendRegistry::Create("reference");
    if (!ref_backend.ok()) return ref_backend.status();
    auto ref = ToyKernelsRegistry::Create(**ref_backend);
    if (!ref.ok()) return ref.status();
    ToySpec sub = s;
    sub.instances = keep;
    return ForwardBackwardOnce(**ref_backend, **ref, sub, Leading(x, keep), Leading(w, keep),
                               Leading(b, keep), Leading(imp, keep), keep);
  };
  const RunCase on_backend = [&] {
    return ForwardBackwardOnce(**backend, **kernels, s, x, w, b, imp, keep);
  };
  if (!MatchesReference(state, name, absl::StrCat("toy train step ", shape.name), on_reference,
                        on_backend)) {
    return;
  }

  // Parameters, optimizer state and (rotating, on a device) batches where
  // the backend computes.
  Backend& be = **backend;
  const int rot = InputRotations(be, 4 * x.size());
  std::vector<Tensor> xs;
  for (int r = 0; r < rot; ++r) {
    auto placed = Place(be, x);
    if (!placed.ok()) {
      state.SkipWithError(std::string(placed.status().message()).c_str());
      return;
    }
    xs.push_back(std::move(*placed));
  }
  auto pw = Place(be, w), pb = Place(be, b), pimp = Place(be, imp),
       ploss = Place(be, Tensor({s.instances})), pdw = Place(be, Tensor(w.shape())),
       pdb = Place(be, Tensor(b.shape())), mw = Place(be, Tensor(w.shape())),
       vw = Place(be, Tensor(w.shape())), mb = Place(be, Tensor(b.shape())),
       vb = Place(be, Tensor(b.shape()));
  for (auto* t : {&pw, &pb, &pimp, &ploss, &pdw, &pdb, &mw, &vw, &mb, &vb}) {
    if (!t->ok()) {
      state.SkipWithError(std::string(t->status().message()).c_str());
      return;
    }
  }
  int64_t step = 0;
  const auto t0 = std::chrono::steady_clock::now();
  for (auto _ : state) {
    const Tensor& batch = xs[static_cast<size_t>(step % rot)];
    ++step;
    absl::Status st = (*kernels)->ForwardBackward(true, batch, *pw, *pb, *pimp, &*ploss, &*pdw, &*pdb);
    if (st.ok()) st = be.AdamW(s.adam, step, *pdw, &*pw, &*mw, &*vw);
    if (st.ok()) st = be.AdamW(s.adam, step, *pdb, &*pb, &*mb, &*vb);
    if (st.ok()) st = Synchronize(be);
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
  StepMs()[{shape.name, name}] = step_ms;
  if (name == "torch") {
    auto cpu = StepMs().find({shape.name, "cpu"});
    if (cpu != StepMs().end() && cpu->second > 0) {
      state.counters["cpu_speedup_vs_torch"] = step_ms / cpu->second;
    }
  }
  state.counters["threads"] = Threads();
#ifndef MONOSEM_GPU_LINK_SET
  state.counters["torch_threads"] = torch::get_num_threads();
#endif
  const double I = s.instances, B = s.batch, n = s.n, m = s.m;
  const double params = I * (m * n + n);
  SetThroughputOn(state, be, 10.0 * I * B * m * n,
                  4.0 * (I * B * n + I * n + I + 2 * params + 7 * params));
  if (rot > 1) state.counters["rotations"] = rot;
  state.SetItemsProcessed(state.iterations());
  if (auto loss = ToHost(*ploss); loss.ok()) {
    double t = 0;
    for (int64_t j = 0; j < loss->size(); ++j) t += (*loss)[j];
    state.counters["loss_mean"] = t / loss->size();
  }
}

void Register() {
#ifndef MONOSEM_GPU_LINK_SET
  torch::set_num_threads(Threads());  // the same threads as OpenMP and OpenBLAS
#endif
  for (const ToyTrainShape& shape : testing::ToyTrainShapes()) {
    for (const std::string& name : ToyKernelsRegistry::Names()) {
      auto backend = BackendRegistry::Create(name);
      if (!backend.ok()) continue;
      if (shape.where == testing::Where::kDeviceOnly && (*backend)->device() == Device::kHost) {
        continue;
      }
      // The reference is the spec, not a contender: only at the small shape.
      if (name == "reference" && shape.n * shape.m > 1000) continue;
      benchmark::RegisterBenchmark(absl::StrCat("BM_ToyTrainStep/", shape.name, "/", name).c_str(),
                                   BM_ToyTrainStep, name, shape)
          ->UseRealTime()
          ->Unit(benchmark::kMillisecond);
    }
  }
}

MONOSEM_BENCHMARK_REGISTRAR(toy_train, Register);

}  // namespace
}  // namespace monosem::bench
