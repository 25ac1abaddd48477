// The cuda backend on the GPU, timed with CUDA events (docs/cuda.md):
//   - every operand is a device tensor (no PCIe transfers in the timing);
//   - inputs are filled on the GPU by the Philox kernels (fresh random data);
//   - input sets rotate so that their total exceeds twice the L2 cache, and
//     each iteration reads a set the previous iterations evicted;
//   - a few warm-up launches run before timing; each iteration is timed by
//     events around its launches (manual time);
//   - calibration in the same process: a large cuBLAS SGEMM (peak FLOP/s)
//     and a device-to-device copy (bytes/s counts read + write), best of 5.
// Counters per benchmark: flops and bytes (per second of GPU time), and
// peak_fraction / bandwidth_fraction against the calibration. Shapes: those
// of benchmarks/gemm_bench.cc, the toy training step (forward/backward + the
// two AdamW updates) at several instance counts, and the elementwise kernels.
// Without a GPU it prints why and exits 0. Peers: benchmarks/peers/.
#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include <cublas_v2.h>
#include <cuda_runtime.h>

#include "absl/strings/str_cat.h"
#include "benchmark/benchmark.h"
#include "kernels/cuda/cuda_backend.h"
#include "kernels/cuda/cuda_kernels.h"
#include "kernels/cuda/toy_cuda.h"

namespace monosem {
namespace {

double g_peak_flops = 0, g_peak_bytes = 0;
int64_t g_l2_bytes = 0;
constexpr int kWarmup = 3;

#define BENCH_CHECK(expr)                                                       \
  do {                                                                          \
    if (absl::Status st_ = (expr); !st_.ok()) {                                 \
      state.SkipWithError(std::string(st_.message()).c_str());                  \
      return;                                                                   \
    }                                                                           \
  } while (0)
#define BENCH_CUDA(expr)                                                        \
  do {                                                                          \
    if (cudaError_t e_ = (expr); e_ != cudaSuccess) {                           \
      state.SkipWithError(absl::StrCat(#expr, ": ", cudaGetErrorString(e_)).c_str()); \
      return;                                                                   \
    }                                                                           \
  } while (0)

// Events around one iteration's launches.
class EventTimer {
 public:
  EventTimer() {
    cudaEventCreate(&start_);
    cudaEventCreate(&stop_);
  }
  ~EventTimer() {
    cudaEventDestroy(start_);
    cudaEventDestroy(stop_);
  }
  void Start() { cudaEventRecord(start_); }
  // Seconds between Start() and now, after the GPU got there.
  double Stop() {
    cudaEventRecord(stop_);
    cudaEventSynchronize(stop_);
    float ms = 0;
    cudaEventElapsedTime(&ms, start_, stop_);
    return ms * 1e-3;
  }

 private:
  cudaEvent_t start_, stop_;
};

// How many input sets to rotate through: enough that they total more than
// twice the L2, at most 64, and at most 8 GiB of device memory.
int Rotations(int64_t bytes_per_set) {
  int64_t r = (2 * g_l2_bytes + bytes_per_set - 1) / std::max<int64_t>(bytes_per_set, 1) + 1;
  r = std::min<int64_t>(r, 64);
  r = std::min<int64_t>(r, std::max<int64_t>(1, (int64_t{8} << 30) / bytes_per_set));
  return static_cast<int>(std::max<int64_t>(r, 2));
}

absl::StatusOr<Tensor> RandomDevice(Shape shape, uint64_t stream, float lo, float hi) {
  auto t = CudaDeviceTensor(std::move(shape));
  if (!t.ok()) return t.status();
  if (cudaError_t e = cuda::LaunchPhiloxUniform(1, stream, lo, hi, t->data(), t->size(), nullptr);
      e != cudaSuccess) {
    return absl::InternalError(cudaGetErrorString(e));
  }
  return t;
}

void SetCounters(benchmark::State& state, double seconds, double flops, double bytes) {
  const double it = static_cast<double>(state.iterations());
  if (seconds <= 0) return;
  state.counters["flops"] = flops * it / seconds;
  state.counters["bytes"] = bytes * it / seconds;
  if (g_peak_flops > 0) state.counters["peak_fraction"] = flops * it / seconds / g_peak_flops;
  if (g_peak_bytes > 0) {
    state.counters["bandwidth_fraction"] = bytes * it / seconds / g_peak_bytes;
  }
  state.counters["rotations"] = 0;  // set by the caller
}

struct GemmShape {
  const char* what;
  int64_t m, n, k;
  Trans ta, tb;
};

// benchmarks/gemm_bench.cc's shapes, plus the SAE issue's encoder shapes.
const GemmShape kGemmShapes[] = {
    {"toy_fwd_b1024_n400_m30", 1024, 30, 400, Trans::kNo, Trans::kYes},
    {"toy_bwd_dW_m30_n400", 30, 400, 1024, Trans::kYes, Trans::kNo},
    {"mlp_in_t4096_d128_f512", 4096, 512, 128, Trans::kNo, Trans::kYes},
    {"mlp_out_t4096_f512_d128", 4096, 128, 512, Trans::kNo, Trans::kYes},
    {"sae_enc_b4096_d512_F4096", 4096, 4096, 512, Trans::kNo, Trans::kYes},
    {"sae_dec_b4096_F4096_d512", 4096, 512, 4096, Trans::kNo, Trans::kNo},
    {"sae_enc_b8192_d512_F16384", 8192, 16384, 512, Trans::kNo, Trans::kYes},
    {"sae_enc_b8192_d512_F131072", 8192, 131072, 512, Trans::kNo, Trans::kYes},
};

void BM_CudaGemm(benchmark::State& state, GemmShape s) {
  CudaBackend backend;
  const Shape a_shape = s.ta == Trans::kNo ? Shape{s.m, s.k} : Shape{s.k, s.m};
  const Shape b_shape = s.tb == Trans::kNo ? Shape{s.k, s.n} : Shape{s.n, s.k};
  const int rot = Rotations(4 * (s.m * s.k + s.k * s.n));
  std::vector<Tensor> as, bs;
  for (int r = 0; r < rot; ++r) {
    auto a = RandomDevice(a_shape, 2 * r, -1, 1);
    auto b = RandomDevice(b_shape, 2 * r + 1, -1, 1);
    BENCH_CHECK(a.status());
    BENCH_CHECK(b.status());
    as.push_back(std::move(*a));
    bs.push_back(std::move(*b));
  }
  auto c = CudaDeviceTensor({s.m, s.n});
  BENCH_CHECK(c.status());
  for (int w = 0; w < kWarmup; ++w) {
    BENCH_CHECK(backend.Gemm(s.ta, s.tb, 1, as[w % rot], bs[w % rot], 0, &*c));
  }
  BENCH_CHECK(CudaSynchronize());
  EventTimer timer;
  double total = 0;
  int64_t i = 0;
  for (auto _ : state) {
    const int r = static_cast<int>(i++ % rot);
    timer.Start();
    BENCH_CHECK(backend.Gemm(s.ta, s.tb, 1, as[r], bs[r], 0, &*c));
    const double t = timer.Stop();
    state.SetIterationTime(t);
    total += t;
  }
  SetCounters(state, total, 2.0 * s.m * s.n * s.k, 4.0 * (s.m * s.k + s.k * s.n + s.m * s.n));
  state.counters["rotations"] = rot;
}

struct ToyShape {
  const char* what;
  int64_t n, m, instances, batch;
};

const ToyShape kToyShapes[] = {
    {"n400_m30_I32_B1024", 400, 30, 32, 1024},
    {"n20_m5_I64_B1024", 20, 5, 64, 1024},
    {"n400_m30_I1024_B1024", 400, 30, 1024, 1024},
    {"n20_m5_I16384_B1024", 20, 5, 16384, 1024},
};

// One training step as benchmarks/toy_train_bench.cc counts it: fused
// forward/backward over every instance plus the AdamW updates of W and b.
void BM_CudaToyTrainStep(benchmark::State& state, ToyShape s) {
  CudaBackend backend;
  const int64_t I = s.instances, B = s.batch, n = s.n, m = s.m;
  const int rot = Rotations(4 * I * B * n);
  std::vector<Tensor> xs;
  for (int r = 0; r < rot; ++r) {
    auto x = RandomDevice({I, B, n}, 10 + r, 0, 1);
    BENCH_CHECK(x.status());
    xs.push_back(std::move(*x));
  }
  auto w = RandomDevice({I, m, n}, 1, -0.1f, 0.1f), b = RandomDevice({I, n}, 2, -0.1f, 0.1f),
       imp = RandomDevice({I, n}, 3, 0.1f, 1);
  auto loss = CudaDeviceTensor({I}), dw = CudaDeviceTensor({I, m, n}),
       db = CudaDeviceTensor({I, n});
  auto mw = RandomDevice({I, m, n}, 4, 0, 0), vw = RandomDevice({I, m, n}, 5, 0, 0),
       mb = RandomDevice({I, n}, 6, 0, 0), vb = RandomDevice({I, n}, 7, 0, 0);
  for (auto* t : {&w, &b, &imp, &loss, &dw, &db, &mw, &vw, &mb, &vb}) BENCH_CHECK(t->status());
  const AdamWParams adam;
  int64_t step = 0;
  auto run = [&](const Tensor& x) -> absl::Status {
    ++step;
    if (auto st = CudaToyForwardBackward(true, x, *w, *b, *imp, &*loss, &*dw, &*db); !st.ok()) {
      return st;
    }
    if (auto st = backend.AdamW(adam, step, *dw, &*w, &*mw, &*vw); !st.ok()) return st;
    return backend.AdamW(adam, step, *db, &*b, &*mb, &*vb);
  };
  for (int i = 0; i < kWarmup; ++i) BENCH_CHECK(run(xs[i % rot]));
  BENCH_CHECK(CudaSynchronize());
  EventTimer timer;
  double total = 0;
  int64_t i = 0;
  for (auto _ : state) {
    timer.Start();
    BENCH_CHECK(run(xs[i++ % rot]));
    const double t = timer.Stop();
    state.SetIterationTime(t);
    total += t;
  }
  const double params = I * (m * n + n);
  SetCounters(state, total, 10.0 * I * B * m * n,
              4.0 * (I * B * n + I * n + I + 2 * params + 7 * params));
  state.counters["rotations"] = rot;
  state.counters["steps_per_second"] = state.iterations() / std::max(total, 1e-12);
}

// Memory-bound kernels at 2^24 elements: relu (8 B/elt) and AdamW (28 B/elt).
void BM_CudaElementwise(benchmark::State& state, std::string op) {
  CudaBackend backend;
  const int64_t n = int64_t{1} << 24;
  const int64_t per_elt = op == "relu" ? 8 : 28;
  const int rot = Rotations(per_elt * n);
  std::vector<Tensor> a, o1, o2, o3;
  for (int r = 0; r < rot; ++r) {
    for (auto* v : {&a, &o1, &o2, &o3}) {
      if (op == "relu" && v != &a && v != &o1) continue;
      auto t = RandomDevice({n}, 100 + r, -1, 1);
      BENCH_CHECK(t.status());
      v->push_back(std::move(*t));
    }
  }
  int64_t step = 0;
  auto run = [&](int r) {
    return op == "relu" ? backend.Relu(a[r], &o1[r])
                        : backend.AdamW({}, ++step, a[r], &o1[r], &o2[r], &o3[r]);
  };
  for (int i = 0; i < kWarmup; ++i) BENCH_CHECK(run(i % rot));
  BENCH_CHECK(CudaSynchronize());
  EventTimer timer;
  double total = 0;
  int64_t i = 0;
  for (auto _ : state) {
    timer.Start();
    BENCH_CHECK(run(static_cast<int>(i++ % rot)));
    const double t = timer.Stop();
    state.SetIterationTime(t);
    total += t;
  }
  SetCounters(state, total, op == "relu" ? n : 16.0 * n, static_cast<double>(per_elt) * n);
  state.counters["rotations"] = rot;
}

// Calibration: best of 5 after a warm-up.
absl::Status Calibrate() {
  CudaBackend backend;
  cudaDeviceProp prop;
  if (cudaGetDeviceProperties(&prop, 0) != cudaSuccess) {
    return absl::InternalError("cudaGetDeviceProperties failed");
  }
  g_l2_bytes = prop.l2CacheSize;
  benchmark::AddCustomContext("gpu", prop.name);
  const int64_t g = 8192;
  auto a = RandomDevice({g, g}, 1, -1, 1), b = RandomDevice({g, g}, 2, -1, 1);
  auto c = CudaDeviceTensor({g, g});
  if (!a.ok() || !b.ok() || !c.ok()) return absl::InternalError("calibration allocation failed");
  EventTimer timer;
  double best = 1e30;
  for (int i = 0; i < 6; ++i) {
    timer.Start();
    if (auto st = backend.Gemm(Trans::kNo, Trans::kNo, 1, *a, *b, 0, &*c); !st.ok()) return st;
    const double t = timer.Stop();
    if (i > 0) best = std::min(best, t);
  }
  g_peak_flops = 2.0 * g * g * g / best;
  const size_t bytes = size_t{1} << 30;
  void *src = nullptr, *dst = nullptr;
  if (cudaMalloc(&src, bytes) != cudaSuccess || cudaMalloc(&dst, bytes) != cudaSuccess) {
    return absl::InternalError("calibration copy allocation failed");
  }
  best = 1e30;
  for (int i = 0; i < 6; ++i) {
    timer.Start();
    if (cudaMemcpy(dst, src, bytes, cudaMemcpyDeviceToDevice) != cudaSuccess) {
      return absl::InternalError("calibration copy failed");
    }
    const double t = timer.Stop();
    if (i > 0) best = std::min(best, t);
  }
  cudaFree(src);
  cudaFree(dst);
  g_peak_bytes = 2.0 * bytes / best;  // read + write
  benchmark::AddCustomContext("peak_flops", std::to_string(g_peak_flops));
  benchmark::AddCustomContext("peak_bytes_per_second", std::to_string(g_peak_bytes));
  return absl::OkStatus();
}

void Register() {
  for (const GemmShape& s : kGemmShapes) {
    benchmark::RegisterBenchmark(absl::StrCat("BM_CudaGemm/", s.what).c_str(), BM_CudaGemm, s)
        ->UseManualTime()
        ->Unit(benchmark::kMicrosecond);
  }
  for (const ToyShape& s : kToyShapes) {
    benchmark::RegisterBenchmark(absl::StrCat("BM_CudaToyTrainStep/", s.what).c_str(),
                                 BM_CudaToyTrainStep, s)
        ->UseManualTime()
        ->Unit(benchmark::kMicrosecond);
  }
  for (const char* op : {"relu", "adamw"}) {
    benchmark::RegisterBenchmark(absl::StrCat("BM_CudaElementwise/", op, "_16M").c_str(),
                                 BM_CudaElementwise, std::string(op))
        ->UseManualTime()
        ->Unit(benchmark::kMicrosecond);
  }
}

}  // namespace
}  // namespace monosem

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;
  if (absl::Status s = monosem::CudaAvailable(); !s.ok()) {
    std::printf("SKIP cuda_bench: %s\n", std::string(s.message()).c_str());
    return 0;
  }
  if (absl::Status s = monosem::Calibrate(); !s.ok()) {
    std::fprintf(stderr, "cuda_bench calibration: %s\n", std::string(s.message()).c_str());
    return 1;
  }
  monosem::Register();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
