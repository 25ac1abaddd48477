// SAE training-step throughput for every backend with SAE kernels, the TopK
// step-time scaling with F at fixed k, and a fixed-budget seeded quality run
// whose counters (loss, l0, dead_fraction, fvu) the CI gate can gate.
//
// FLOPs per training step are the algorithm's, counted from the shapes:
//   relu_l1, jumprelu (dense): encoder 2BFd + decoder 2BFd + dW_dec 2BFd
//     + d f 2BFd + dW_enc 2BFd = 10 B F d (b_dec's encoder-side gradient is
//     a GEMV, -W_enc^T db_enc, and not counted);
//   topk, batch_topk: the dense encoder 2BFd plus the sparse work on the
//     B k active pairs, 8 B k d (decode, d f, dW_dec, dW_enc); the sparse
//     part is counted as sparse work, whatever a backend executes;
//   relu_l1 at a trained SAE's sparsity (relu_l1_L0_32): the same count
//     with k = the target L0;
//   gated (dense, two reconstructions): encoder 2BFd + decoder and frozen
//     decoder 4BFd + dW_dec 2BFd + d f and d ReLU(pi_gate) 4BFd + dW_enc
//     2BFd = 14 B F d;
//   matryoshka_batch_topk: batch_topk's count plus 2 B k d per proper prefix
//     (its nested decodes, at most the active pairs each).
// Bytes: x read once; W_enc and W_dec with their Adam moments read and
// written once (2 * 2 * F * d * 3 floats). Each step and encoder case is
// first checked against the reference on the batch's leading rows.
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "benchmarks/bench_util.h"
#include "monosem/models/sae/sae.h"
#include "monosem/models/sae/sae_kernels.h"
#include "monosem/models/sae/sae_metrics.h"
#include "monosem/models/sae/synthetic.h"
#include "monosem/random_fill.h"

namespace monosem::bench {
namespace {

using sae::Arch;

// Matryoshka's prefixes in the benchmark: F/8, F/4, F/2, F.
std::vector<int64_t> BenchWidths(int64_t f) { return {f / 8, f / 4, f / 2, f}; }

double StepFlops(Arch a, double B, double F, double d, double k) {
  if (a == Arch::kMatryoshkaBatchTopK) {
    return 2 * B * F * d + 8 * B * k * d + 2 * B * k * d * (BenchWidths(1).size() - 1);
  }
  if (sae::UsesK(a)) return 2 * B * F * d + 8 * B * k * d;
  if (a == Arch::kGated) return 14 * B * F * d;
  return 10 * B * F * d;
}

struct StepShape {
  int64_t b, d, f, k;
  // relu_l1 only: 0 = fresh init (about half the features fire); else b_enc
  // is set so that about this many fire per vector, as in a trained SAE.
  int64_t target_l0 = 0;
};

// The bias t with P(pre > t) = l0 / F for pre ~ N(0, sigma^2): a trained
// relu_l1 SAE's sparsity on the benchmark's random inputs.
float BiasForL0(double l0, double f, double sigma) {
  double lo = 0, hi = 20 * sigma;
  for (int it = 0; it < 100; ++it) {
    const double mid = 0.5 * (lo + hi);
    (0.5 * std::erfc(mid / (sigma * std::sqrt(2.0))) > l0 / f ? lo : hi) = mid;
  }
  return static_cast<float>(-0.5 * (lo + hi));
}

// The kernels of `backend`, or null after marking the benchmark skipped.
std::unique_ptr<sae::SaeKernels> KernelsOrSkip(benchmark::State& state, const std::string& backend) {
  auto k = sae::SaeKernelRegistry::Create(BackendRegistry::Create(backend));
  if (!k.ok()) {
    state.SkipWithError(absl::StrCat(backend, ": ", k.status().ToString()).c_str());
    return nullptr;
  }
  if (const absl::Status a = (*k)->Available(); !a.ok()) {
    bench::SkipUnavailable(state, backend, std::string(a.message()));
    return nullptr;
  }
  return *std::move(k);
}

// Seeded parameters on the scale of a fresh init: weights U(+-1/sqrt(d)),
// b_enc U(+-0.01), or (target_l0 > 0) the bias that makes ~target_l0 fire.
sae::SaeParams BenchParams(const sae::SaeSpec& s, const StepShape& sh) {
  sae::SaeParams p = sae::SaeParams::Zeros(s);
  const float bound = 1.0f / std::sqrt(static_cast<float>(sh.d));
  FillUniform(1, 1, -bound, bound, &p.w_enc);
  FillUniform(1, 2, -bound, bound, &p.w_dec);
  FillUniform(1, 3, -0.01f, 0.01f, &p.b_enc);
  if (sh.target_l0 > 0) {
    // pre = W_enc (x - b_dec): d terms of U(-bound, bound) x U(-1, 1).
    const double sigma = std::sqrt(sh.d * (bound * bound / 3.0) / 3.0);
    p.b_enc.Fill(BiasForL0(sh.target_l0, sh.f, sigma));
  }
  p.threshold.Fill(0.001f);
  return p;
}

Tensor BenchInput(const StepShape& sh) {
  Tensor x = Tensor::Uninitialized({sh.b, sh.d});
  FillUniform(1, 4, -1, 1, &x);
  return x;
}

// Validation runs on the batch's leading rows, as many as keep the reference
// under ~1e8 multiply-adds (all of them in smoke runs): at F = 32768 the
// whole batch would take the reference minutes. (For batch_topk the leading
// rows are a smaller batch of their own; the kernels are the same.)
int64_t ValidatedRows(const StepShape& sh) {
  return std::clamp<int64_t>(static_cast<int64_t>(1e8 / (10.0 * sh.f * sh.d)), 1, sh.b);
}

Tensor LeadingRows(const Tensor& x, int64_t rows) {
  Tensor out = Tensor::Uninitialized({rows, x.dim(1)});
  std::copy(x.data(), x.data() + rows * x.dim(1), out.data());
  return out;
}

// One training step's loss and gradients (the tolerances of
// tests/kernels/sae_kernels_test.cc).
absl::StatusOr<Outputs> LossAndGrads(sae::SaeKernels& k, const sae::SaeSpec& s,
                                     const sae::SaeParams& p, const Tensor& x) {
  sae::SaeStepOut out;
  out.grad = sae::SaeParams::Zeros(s);
  if (absl::Status st = k.LossAndGrad(s, p, x, {}, &out); !st.ok()) return st;
  Tolerance loss_tol;
  loss_tol.atol = 1e-5 * (1 + std::fabs(out.loss));
  Outputs o;
  o.push_back({"loss", Tensor::Filled({1}, static_cast<float>(out.loss)), loss_tol});
  for (auto& [name, t] : out.grad.Named()) {
    o.push_back({absl::StrCat("grad ", name), t->Clone(),
                 Float32Tolerance(4 * (x.dim(0) + s.d + s.f))});
  }
  return o;
}

// The inference forward's reconstruction.
absl::StatusOr<Outputs> Reconstruction(sae::SaeKernels& k, const sae::SaeSpec& s,
                                       const sae::SaeParams& p, const Tensor& x) {
  Tensor xh = Tensor::Uninitialized(x.shape());
  if (absl::Status st = k.Forward(s, p, x, nullptr, &xh); !st.ok()) return st;
  Outputs o;
  o.push_back({"x_hat", std::move(xh), Float32Tolerance(s.d + s.f)});
  return o;
}

using SaeCase = absl::StatusOr<Outputs> (*)(sae::SaeKernels&, const sae::SaeSpec&,
                                            const sae::SaeParams&, const Tensor&);

// `run` on the leading rows, on `backend`'s kernels against the reference's.
bool SaeMatchesReference(benchmark::State& state, const std::string& backend,
                         const std::string& what, sae::SaeKernels& k, SaeCase run,
                         const sae::SaeSpec& s, const sae::SaeParams& p, const Tensor& x,
                         const StepShape& sh) {
  const Tensor lead = LeadingRows(x, ValidatedRows(sh));
  const RunCase on_reference = [&]() -> absl::StatusOr<Outputs> {
    auto ref = sae::SaeKernelRegistry::Create(BackendRegistry::Create("reference"));
    if (!ref.ok()) return ref.status();
    return run(**ref, s, p, lead);
  };
  return MatchesReference(
      state, backend,
      absl::StrCat(what, " ", sae::ArchName(s.arch), "_d", sh.d, "_F", sh.f, "_B", sh.b, "_k",
                   s.k, "_L0_", sh.target_l0),
      on_reference, [&] { return run(k, s, p, lead); });
}

// The training steps' spec (no AuxK: the benchmarks have no dead latents).
sae::SaeSpec TrainSpec(Arch arch, const StepShape& sh) {
  sae::SaeSpec s;
  s.arch = arch;
  s.d = sh.d;
  s.f = sh.f;
  s.k = sae::UsesK(arch) ? sh.k : 0;
  s.k_aux = 0;
  s.l1 = arch == Arch::kJumpReLU ? 1e-3f : 5e-3f;
  if (arch == Arch::kMatryoshkaBatchTopK) s.prefix_widths = BenchWidths(sh.f);
  return s;
}

// One training step as the trainer runs it: loss and gradients, decoder
// projection, Adam, row normalisation.
absl::Status TrainStep(sae::SaeKernels& k, const sae::SaeSpec& s, const sae::AdamConfig& adam,
                       int64_t step, const Tensor& x, sae::SaeParams* p, sae::SaeParams* m,
                       sae::SaeParams* v, sae::SaeStepOut* out) {
  absl::Status st = k.LossAndGrad(s, *p, x, {}, out);
  if (st.ok()) st = k.ProjectDecoderGrad(p->w_dec, &out->grad.w_dec);
  if (st.ok()) st = k.Adam(adam, step, s, out->grad, p, m, v);
  if (st.ok()) st = k.NormalizeDecoderRows(&p->w_dec);
  return st;
}

void BM_SaeTrainStep(benchmark::State& state, std::string backend, Arch arch, StepShape sh) {
  std::unique_ptr<sae::SaeKernels> k = KernelsOrSkip(state, backend);
  if (k == nullptr) return;
  const sae::SaeSpec s = TrainSpec(arch, sh);
  sae::SaeParams p = BenchParams(s, sh), m = sae::SaeParams::Zeros(s), v = sae::SaeParams::Zeros(s);
  Tensor x = BenchInput(sh);
  if (!SaeMatchesReference(state, backend, "train step", *k, LossAndGrads, s, p, x, sh)) return;
  sae::SaeStepOut out;
  sae::AdamConfig adam;
  int64_t step = 0;
  for (auto _ : state) {
    PlantedSlowdown planted;
    absl::Status st = TrainStep(*k, s, adam, ++step, x, &p, &m, &v, &out);
    if (!st.ok()) {
      state.SkipWithError(std::string(st.message()).c_str());
      break;
    }
    benchmark::ClobberMemory();
  }
  // At a trained SAE's sparsity, relu_l1's necessary work is TopK's: the
  // dense encoder plus the active pairs.
  SetThroughput(state,
                sh.target_l0 > 0 ? StepFlops(Arch::kTopK, sh.b, sh.f, sh.d, sh.target_l0)
                                 : StepFlops(arch, sh.b, sh.f, sh.d, sh.k),
                4.0 * (sh.b * sh.d + 12.0 * sh.f * sh.d));
  state.counters["l0"] = out.l0;
  state.SetItemsProcessed(state.iterations() * sh.b);  // training vectors per second
}

// This process's CPU seconds (all its threads): on a machine other jobs
// load, a phase's CPU time is what it costs, where its wall time also counts
// the time its threads waited for a core.
double ProcessCpuSeconds() {
  timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

// The training step (loss and gradients, decoder projection, Adam, row
// normalisation) against its floor, the encoder GEMM alone (xc W_enc^T into
// [B, F], on the same backend), the two timed alternately in every
// iteration so that both see the same machine load: step_over_encoder_gemm
// (wall time) and step_over_encoder_gemm_cpu (process CPU time, the figure
// to quote from a loaded machine) are the ratios the kernels are judged by,
// items_per_second the training vectors per second (the step's wall time).
void BM_SaeFloorRatio(benchmark::State& state, std::string backend, Arch arch, StepShape sh) {
  std::unique_ptr<sae::SaeKernels> k = KernelsOrSkip(state, backend);
  if (k == nullptr) return;
  auto be = BackendRegistry::Create(backend);
  if (!bench::UsableOrSkip(state, backend, be)) return;
  const sae::SaeSpec s = TrainSpec(arch, sh);
  sae::SaeParams p = BenchParams(s, sh), m = sae::SaeParams::Zeros(s), v = sae::SaeParams::Zeros(s);
  const Tensor x = BenchInput(sh);
  if (!SaeMatchesReference(state, backend, "train step", *k, LossAndGrads, s, p, x, sh)) return;
  Tensor pre = Tensor::Uninitialized({sh.b, sh.f});
  sae::SaeStepOut out;
  sae::AdamConfig adam;
  // The work of a training step with the parameters (so the sparsity the
  // case sets) held where they start: Adam runs in full, at learning rate 0.
  adam.lr = 0.0f;
  int64_t step = 0;
  double gemm_s = 0, step_s = 0, gemm_cpu = 0, step_cpu = 0;
  using Clock = std::chrono::steady_clock;
  for (auto _ : state) {
    PlantedSlowdown planted;
    const double c0 = ProcessCpuSeconds();
    const auto t0 = Clock::now();
    absl::Status st = (*be)->Gemm(Trans::kNo, Trans::kYes, 1.0f, x, p.w_enc, 0.0f, &pre);
    const auto t1 = Clock::now();
    const double c1 = ProcessCpuSeconds();
    if (st.ok()) st = TrainStep(*k, s, adam, ++step, x, &p, &m, &v, &out);
    const auto t2 = Clock::now();
    const double c2 = ProcessCpuSeconds();
    if (!st.ok()) {
      state.SkipWithError(std::string(st.message()).c_str());
      break;
    }
    benchmark::ClobberMemory();
    const double g = std::chrono::duration<double>(t1 - t0).count();
    const double t = std::chrono::duration<double>(t2 - t1).count();
    gemm_s += g;
    step_s += t;
    gemm_cpu += c1 - c0;
    step_cpu += c2 - c1;
    state.SetIterationTime(t);
  }
  const double n = static_cast<double>(state.iterations());
  if (n == 0) return;
  state.counters["step_ms"] = 1e3 * step_s / n;
  state.counters["encoder_gemm_ms"] = 1e3 * gemm_s / n;
  state.counters["step_over_encoder_gemm"] = step_s / gemm_s;
  state.counters["step_cpu_ms"] = 1e3 * step_cpu / n;
  state.counters["encoder_gemm_cpu_ms"] = 1e3 * gemm_cpu / n;
  state.counters["step_over_encoder_gemm_cpu"] = step_cpu / gemm_cpu;
  state.counters["l0"] = out.l0;
  state.SetItemsProcessed(state.iterations() * sh.b);
}

// Inference: the fused encoder (one sgemm, then bias, activation and TopK
// selection in a single pass over each row) plus the decode. For topk the
// decode is sparse (2Bkd, 0.1% of the work at F = 32,768), so FLOP/s and
// peak_fraction measure the dense encoder against the calibration sgemm;
// for relu_l1 the decode is a second dense GEMM (4BFd in all).
void BM_SaeEncoder(benchmark::State& state, std::string backend, Arch arch, StepShape sh) {
  std::unique_ptr<sae::SaeKernels> k = KernelsOrSkip(state, backend);
  if (k == nullptr) return;
  sae::SaeSpec s;
  s.arch = arch;
  s.d = sh.d;
  s.f = sh.f;
  s.k = arch == Arch::kTopK ? sh.k : 0;
  s.l1 = 5e-3f;
  const sae::SaeParams p = BenchParams(s, sh);
  const Tensor x = BenchInput(sh);
  if (!SaeMatchesReference(state, backend, "encoder", *k, Reconstruction, s, p, x, sh)) return;
  Tensor xh = Tensor::Uninitialized({sh.b, sh.d});
  for (auto _ : state) {
    PlantedSlowdown planted;
    absl::Status st = k->Forward(s, p, x, nullptr, &xh);
    if (!st.ok()) {
      state.SkipWithError(std::string(st.message()).c_str());
      break;
    }
    benchmark::ClobberMemory();
  }
  const double B = sh.b, F = sh.f, d = sh.d;
  const double flops = arch == Arch::kTopK ? 2 * B * F * d + 2 * B * sh.k * d : 4 * B * F * d;
  SetThroughput(state, flops, 4.0 * (2 * B * d + 2 * F * d));
}

// A fixed-budget seeded run on synthetic ground truth: the same numbers on
// every run with one thread (the gate's default), so they gate quality.
void BM_SaeQuality(benchmark::State& state, Arch arch) {
  const bool smoke = SmokeMode();
  sae::SyntheticOptions so;
  so.n_gt = 64;
  so.d = 32;
  so.seed = 9;
  sae::SaeSpec s;
  s.arch = arch;
  s.d = so.d;
  s.f = 128;
  s.k = arch == Arch::kTopK || arch == Arch::kBatchTopK ? 8 : 0;
  s.k_aux = s.k > 0 ? 32 : 0;
  s.l1 = arch == Arch::kJumpReLU ? 0.01f : 0.05f;
  sae::TrainOptions opt;
  opt.steps = smoke ? 20 : 300;
  opt.batch = 256;
  opt.seed = 3;
  opt.geometric_median_sample = 1024;
  opt.resample_pool = 1024;
  // Before the run: one training step of its kernels at its shapes against
  // the reference's (a 300-step run itself is chaotic under TopK ties).
  {
    auto k = sae::SaeKernelRegistry::Create(BackendRegistry::Create("cpu"));
    if (!k.ok()) {
      state.SkipWithError(std::string(k.status().message()).c_str());
      return;
    }
    const StepShape sh{opt.batch, s.d, s.f, s.k};
    if (!SaeMatchesReference(state, "cpu", "quality step", **k, LossAndGrads, s,
                             BenchParams(s, sh), BenchInput(sh), sh)) {
      return;
    }
  }
  sae::SaeMetrics m;
  double loss = 0;
  for (auto _ : state) {
    auto data = sae::SyntheticData::Create(so);
    auto t = sae::SaeTrainer::Create(s, opt, "cpu");
    absl::Status st = t.ok() ? (*t)->Init(*data) : t.status();
    if (st.ok()) st = (*t)->Train(*data, {opt.steps});
    if (!st.ok()) {
      state.SkipWithError(std::string(st.message()).c_str());
      return;
    }
    loss = (*t)->log().back().loss;
    data->Seek(int64_t{1} << 40);
    auto r = sae::Evaluate((*t)->kernels(), s, (*t)->params(), *data, 8192, 1024);
    if (!r.ok()) {
      state.SkipWithError(std::string(r.status().message()).c_str());
      return;
    }
    m = *r;
  }
  state.counters["loss"] = loss;
  state.counters["l0"] = m.l0;
  state.counters["dead_fraction"] = m.dead_fraction;
  state.counters["fvu"] = m.fvu;
}

void Register() {
  const bool smoke = SmokeMode();
  const std::vector<int64_t> fs = smoke ? std::vector<int64_t>{256}
                                        : std::vector<int64_t>{4096, 16384, 32768};
  const int64_t B = smoke ? 64 : 4096, d = smoke ? 32 : 512, k = smoke ? 8 : 32;
  for (Arch a : {Arch::kReluL1, Arch::kTopK, Arch::kBatchTopK, Arch::kJumpReLU, Arch::kGated,
                 Arch::kMatryoshkaBatchTopK}) {
    for (int64_t f : fs) {
      for (const std::string& name : sae::SaeKernelRegistry::Names()) {
        // The reference is the spec, not a contender: smoke runs only.
        if (name == "reference" && !smoke) continue;
        // No cuda kernels for these two (they answer Unimplemented).
        if (name == "cuda" && (a == Arch::kGated || a == Arch::kMatryoshkaBatchTopK)) continue;
        benchmark::RegisterBenchmark(
            absl::StrCat("BM_SaeTrainStep/", sae::ArchName(a), "_d", d, "_F", f, "_B", B, "/", name)
                .c_str(),
            BM_SaeTrainStep, name, a, StepShape{B, d, f, k})
            ->UseRealTime()
            ->Unit(benchmark::kMillisecond);
      }
    }
  }
  // relu_l1 at a trained SAE's sparsity (L0 ~ 32): the cpu backend's sparse
  // backward against torch's dense autograd.
  for (int64_t f : fs) {
    for (const std::string& name : sae::SaeKernelRegistry::Names()) {
      if (name == "reference" && !smoke) continue;
      benchmark::RegisterBenchmark(
          absl::StrCat("BM_SaeTrainStep/relu_l1_L0_", k, "_d", d, "_F", f, "_B", B, "/", name).c_str(),
          BM_SaeTrainStep, name, Arch::kReluL1, StepShape{B, d, f, k, k})
          ->UseRealTime()
          ->Unit(benchmark::kMillisecond);
    }
  }
  // The shapes the sae suite trains (relu_l1 at a trained SAE's L0 ~ 16,
  // d_mlp 512): vectors per second decide how large a data budget the
  // default reproduce run can afford.
  for (int64_t f : smoke ? std::vector<int64_t>{256} : std::vector<int64_t>{512, 4096}) {
    for (int64_t b : smoke ? std::vector<int64_t>{64} : std::vector<int64_t>{256, 1024, 4096}) {
      if (!smoke && b == 4096 && f == 4096) continue;  // BM_SaeTrainStep above
      benchmark::RegisterBenchmark(
          absl::StrCat("BM_SaeSuiteStep/relu_l1_L0_16_d", d, "_F", f, "_B", b, "/cpu").c_str(),
          BM_SaeTrainStep, "cpu", Arch::kReluL1, StepShape{b, d, f, 16, 16})
          ->UseRealTime()
          ->Unit(benchmark::kMillisecond);
    }
  }
  for (Arch a : {Arch::kTopK, Arch::kReluL1}) {
    for (int64_t f : fs) {
      for (const std::string& name : sae::SaeKernelRegistry::Names()) {
        if (name == "reference" && !smoke) continue;
        benchmark::RegisterBenchmark(
            absl::StrCat("BM_SaeEncoder/", sae::ArchName(a), "_d", d, "_F", f, "_B", B, "/", name).c_str(),
            BM_SaeEncoder, name, a, StepShape{B, d, f, k})
            ->UseRealTime()
            ->Unit(benchmark::kMillisecond);
      }
    }
  }
  // TopK step time against F at fixed k (a smaller batch keeps it quick).
  const std::vector<int64_t> scale_f = smoke ? std::vector<int64_t>{128, 256}
                                             : std::vector<int64_t>{2048, 4096, 8192, 16384, 32768};
  for (int64_t f : scale_f) {
    for (const std::string& name : sae::SaeKernelRegistry::Names()) {
      if (name == "reference" && !smoke) continue;
      benchmark::RegisterBenchmark(
          absl::StrCat("BM_SaeTopKScaling/k", k, "_d", d, "_B", smoke ? 64 : 1024, "_F", f, "/", name)
              .c_str(),
          BM_SaeTrainStep, name, Arch::kTopK, StepShape{smoke ? 64 : 1024, d, f, k})
          ->UseRealTime()
          ->Unit(benchmark::kMillisecond);
    }
  }
  // Step time over the encoder GEMM at the shapes the suites train: TopK
  // and BatchTopK (k 32), relu_l1 at a trained SAE's L0 ~ 16 and at fresh
  // init (about half the features fire: the dense path, five GEMMs).
  struct FloorCase {
    const char* name;
    Arch arch;
    int64_t target_l0;
  };
  for (const FloorCase& fc : {FloorCase{"topk_k32", Arch::kTopK, 0},
                              FloorCase{"batch_topk_k32", Arch::kBatchTopK, 0},
                              FloorCase{"relu_l1_L0_16", Arch::kReluL1, 16},
                              FloorCase{"relu_l1_fresh", Arch::kReluL1, 0}}) {
    for (int64_t f : smoke ? std::vector<int64_t>{256} : std::vector<int64_t>{512, 4096, 32768}) {
      for (int64_t b : smoke ? std::vector<int64_t>{64} : std::vector<int64_t>{256, 1024, 4096}) {
        benchmark::RegisterBenchmark(
            absl::StrCat("BM_SaeFloorRatio/", fc.name, "_d", d, "_F", f, "_B", b, "/cpu").c_str(),
            BM_SaeFloorRatio, "cpu", fc.arch, StepShape{b, d, f, k, fc.target_l0})
            ->UseManualTime()
            ->Unit(benchmark::kMillisecond);
      }
    }
  }
  for (Arch a : {Arch::kReluL1, Arch::kTopK, Arch::kBatchTopK, Arch::kJumpReLU}) {
    benchmark::RegisterBenchmark(absl::StrCat("BM_SaeQuality/", sae::ArchName(a)).c_str(),
                                 BM_SaeQuality, a)
        ->Iterations(1)
        ->Unit(benchmark::kMillisecond);
  }
}

MONOSEM_BENCHMARK_REGISTRAR(sae, Register);

}  // namespace
}  // namespace monosem::bench
