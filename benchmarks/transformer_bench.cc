// The one-layer transformer at the default shape (d_model 128, 4 heads,
// context 128, d_mlp 512, vocab 256; batch 32 x 128 = 4096 tokens), for every
// backend with transformer kernels: a training step (forward, backward,
// AdamW) and a forward pass, as tokens/s, FLOP/s and peak_fraction; and
// BM_TransformerRatio, which times cpu and torch alternately in one run and
// reports torch_time / cpu_time (the cpu backend's speedup over LibTorch).
//
// FLOPs per token (forward), counted from the shapes: 2 d (3d) + 2 d d +
// 2 d m + 2 m d + 2 d V for the matmuls, plus 2 * 2 * d * (S + 1) / 2 for the
// causal attention (QK^T and PV over the (S + 1) / 2 keys a query sees on
// average). A training step counts 3x the forward. Before timing, each
// backend's loss and gradients on the batch's first sequence are checked
// against the reference's.
#include <chrono>

#include "absl/strings/str_cat.h"
#include "benchmarks/bench_util.h"
#include "monosem/backend.h"
#include "monosem/models/transformer/trainer.h"
#include "monosem/models/transformer/transformer.h"

namespace monosem::bench {
namespace {

constexpr int64_t kBatch = 32;

double ForwardFlopsPerToken(const TransformerDims& d) {
  const double D = d.d_model, M = d.d_mlp, V = d.vocab, S = d.n_ctx;
  return 2 * D * 3 * D + 2 * D * D + 4 * D * M + 2 * D * V + 2.0 * D * (S + 1);
}

double BytesPerStep(const TransformerDims& d, bool train) {
  double params = 0;
  for (const std::string& n : TransformerParamNames()) params += NumElements(TransformerParamShape(d, n));
  const double tokens = kBatch * d.n_ctx;
  // Each activation (x0, ln1, qkv, z, x1, ln2, acts, x2, lnf, logits) once.
  const double acts = tokens * (10.0 * d.d_model + d.d_mlp + d.vocab) +
                      kBatch * d.n_heads * d.n_ctx * d.n_ctx;
  return 4.0 * (train ? 3 * (params * 4 + acts) : params + acts);
}

TokenBatch MakeBatch(const TransformerDims& d) {
  auto w = PhiloxTokenSource(1, d.vocab)(1, kBatch, d.n_ctx + 1);
  return *NextTokenBatch(*w, kBatch, d.n_ctx);
}

// Loss and every parameter gradient of the batch's first sequence (the
// reference is far too slow for all 4096 tokens; the kernels are the same).
absl::StatusOr<Outputs> LossAndGrads(Backend& backend, const TransformerDims& dims) {
  TokenBatch batch = MakeBatch(dims);
  batch.batch = 1;
  batch.inputs.resize(dims.n_ctx);
  batch.targets.resize(dims.n_ctx);
  auto model = Transformer::Create(dims, &backend);
  if (!model.ok()) return model.status();
  const NamedTensors params = InitParams(dims, 1);
  ForwardCache cache;
  if (absl::Status s = model->Forward(params, batch, &cache); !s.ok()) return s;
  NamedTensors grads;
  if (absl::Status s = model->Backward(params, batch, cache, &grads); !s.ok()) return s;
  // The depth of the autograd check (tests/models/transformer/transformer_gradient_test.cc).
  const Tolerance tol = Float32Tolerance(3 * dims.n_ctx * (dims.d_model + dims.d_mlp + dims.vocab));
  Outputs out;
  out.push_back({"loss", Tensor::Filled({1}, static_cast<float>(cache.loss)), tol});
  for (auto& [name, grad] : grads) out.push_back({"d" + name, std::move(grad), tol});
  return out;
}

// The first sequence's loss and gradients on `name` against the reference's.
bool MatchesReferenceOnFirstSequence(benchmark::State& state, const std::string& name,
                                     Backend& backend, const TransformerDims& dims) {
  const RunCase on_reference = [&]() -> absl::StatusOr<Outputs> {
    auto ref = BackendRegistry::Create("reference");
    if (!ref.ok()) return ref.status();
    return LossAndGrads(**ref, dims);
  };
  return MatchesReference(state, name, "transformer first sequence", on_reference,
                          [&] { return LossAndGrads(backend, dims); });
}

void BM_TransformerTrain(benchmark::State& state, std::string backend_name) {
  auto backend = BackendRegistry::Create(backend_name);
  if (!bench::UsableOrSkip(state, backend_name, backend)) return;
  TransformerDims dims;
  if (!MatchesReferenceOnFirstSequence(state, backend_name, **backend, dims)) return;
  TrainOptions o;
  o.steps = 1 << 30;
  o.batch_size = kBatch;
  auto trainer = TransformerTrainer::Create(dims, o, backend->get());
  if (!trainer.ok()) {
    state.SkipWithError(std::string(trainer.status().message()).c_str());
    return;
  }
  TokenBatch batch = MakeBatch(dims);
  for (auto _ : state) {
    PlantedSlowdown planted;
    auto s = (*trainer)->Step(batch);
    if (!s.ok()) {
      state.SkipWithError(std::string(s.status().message()).c_str());
      break;
    }
  }
  const double tokens = static_cast<double>(kBatch * dims.n_ctx);
  state.counters["tokens_per_s"] = benchmark::Counter(tokens, benchmark::Counter::kIsIterationInvariantRate);
  SetThroughput(state, 3 * tokens * ForwardFlopsPerToken(dims), BytesPerStep(dims, true));
}

void BM_TransformerForward(benchmark::State& state, std::string backend_name) {
  auto backend = BackendRegistry::Create(backend_name);
  if (!bench::UsableOrSkip(state, backend_name, backend)) return;
  TransformerDims dims;
  if (!MatchesReferenceOnFirstSequence(state, backend_name, **backend, dims)) return;
  auto model = Transformer::Create(dims, backend->get());
  if (!model.ok()) {
    state.SkipWithError(std::string(model.status().message()).c_str());
    return;
  }
  NamedTensors params = InitParams(dims, 1);
  TokenBatch batch = MakeBatch(dims);
  ForwardCache cache;
  for (auto _ : state) {
    PlantedSlowdown planted;
    absl::Status s = model->Forward(params, batch, &cache);
    if (!s.ok()) {
      state.SkipWithError(std::string(s.message()).c_str());
      break;
    }
  }
  const double tokens = static_cast<double>(kBatch * dims.n_ctx);
  state.counters["tokens_per_s"] = benchmark::Counter(tokens, benchmark::Counter::kIsIterationInvariantRate);
  SetThroughput(state, tokens * ForwardFlopsPerToken(dims), BytesPerStep(dims, false));
}

// cpu and torch alternately, so both see the same machine state.
void BM_TransformerRatio(benchmark::State& state, bool train) {
  auto cpu = BackendRegistry::Create("cpu");
  auto torch = BackendRegistry::Create("torch");
  if (!cpu.ok() || !torch.ok()) {
    state.SkipWithError("needs the cpu and torch backends");
    return;
  }
  TransformerDims dims;
  if (!MatchesReferenceOnFirstSequence(state, "cpu", **cpu, dims) ||
      !MatchesReferenceOnFirstSequence(state, "torch", **torch, dims)) {
    return;
  }
  TrainOptions o;
  o.steps = 1 << 30;
  o.batch_size = kBatch;
  auto tc = TransformerTrainer::Create(dims, o, cpu->get());
  auto tt = TransformerTrainer::Create(dims, o, torch->get());
  if (!tc.ok() || !tt.ok()) {
    state.SkipWithError("no transformer kernels");
    return;
  }
  TokenBatch batch = MakeBatch(dims);
  ForwardCache cache;
  double cpu_s = 0, torch_s = 0;
  auto run = [&](TransformerTrainer& t) {
    const auto start = std::chrono::steady_clock::now();
    bool ok = train ? t.Step(batch).ok() : t.model().Forward(t.params(), batch, &cache).ok();
    if (!ok) state.SkipWithError("step failed");
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  for (auto _ : state) {
    cpu_s += run(**tc);
    torch_s += run(**tt);
  }
  state.counters["cpu_over_torch_speedup"] = torch_s / cpu_s;
  state.counters["cpu_tokens_per_s"] = state.iterations() * kBatch * dims.n_ctx / cpu_s;
  state.counters["torch_tokens_per_s"] = state.iterations() * kBatch * dims.n_ctx / torch_s;
}

void Register() {
  for (const std::string& name : BackendRegistry::Names()) {
    if (name == "reference") continue;  // the spec: far too slow at 4096 tokens
    benchmark::RegisterBenchmark(absl::StrCat("BM_TransformerTrain/", name).c_str(),
                                 BM_TransformerTrain, name)
        ->UseRealTime()
        ->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark(absl::StrCat("BM_TransformerForward/", name).c_str(),
                                 BM_TransformerForward, name)
        ->UseRealTime()
        ->Unit(benchmark::kMillisecond);
  }
  benchmark::RegisterBenchmark("BM_TransformerRatio/train", BM_TransformerRatio, true)
      ->UseRealTime()
      ->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("BM_TransformerRatio/forward", BM_TransformerRatio, false)
      ->UseRealTime()
      ->Unit(benchmark::kMillisecond);
}

MONOSEM_BENCHMARK_REGISTRAR(transformer, Register);

}  // namespace
}  // namespace monosem::bench
