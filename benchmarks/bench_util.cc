#include "benchmarks/bench_util.h"

#include <cblas.h>
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "monosem/random_fill.h"
#include "monosem/tensor.h"

namespace monosem::bench {
namespace {

bool smoke_mode = false;

std::vector<std::function<void()>>& Registrars() {
  static auto* r = new std::vector<std::function<void()>>;
  return *r;
}

double Seconds(std::chrono::steady_clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

// Best-of-N sgemm FLOP/s at n^3: n = 2048 is ~17 GFLOP, large enough that
// OpenBLAS runs at its plateau (n = 1024 measured ~15% below the largest
// model GEMMs here) and small enough to measure in ~0.3 s.
double MeasureSgemm(int n, int reps) {
  Tensor a = Tensor::Uninitialized({n, n}), b = Tensor::Uninitialized({n, n});
  Tensor c({n, n});
  FillUniform(11, 1, -1, 1, &a);
  FillUniform(11, 2, -1, 1, &b);
  double best = 0;
  for (int r = 0; r < reps; ++r) {
    auto t0 = std::chrono::steady_clock::now();
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0f, a.data(), n, b.data(),
                n, 0.0f, c.data(), n);
    double s = Seconds(std::chrono::steady_clock::now() - t0);
    best = std::max(best, 2.0 * n * n * static_cast<double>(n) / s);
  }
  return best;
}

// Best-of-N copy of a buffer well past the last-level cache: bytes read +
// bytes written per second, the same "fewest bytes" convention as METRICS.md.
double MeasureCopy(int64_t floats, int reps) {
  Tensor src = Tensor::Filled({floats}, 1.0f), dst({floats});
  double best = 0;
  for (int r = 0; r < reps; ++r) {
    auto t0 = std::chrono::steady_clock::now();
    const int64_t chunk = (floats + Threads() - 1) / Threads();
#pragma omp parallel for num_threads(Threads())
    for (int t = 0; t < Threads(); ++t) {
      const int64_t lo = t * chunk, hi = std::min(floats, lo + chunk);
      if (lo < hi) std::memcpy(dst.data() + lo, src.data() + lo, (hi - lo) * sizeof(float));
    }
    double s = Seconds(std::chrono::steady_clock::now() - t0);
    best = std::max(best, 2.0 * floats * sizeof(float) / s);
  }
  benchmark::DoNotOptimize(dst.data());
  return best;
}

void BM_Calibration_Sgemm(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  Tensor a = Tensor::Uninitialized({n, n}), b = Tensor::Uninitialized({n, n});
  Tensor c({n, n});
  FillUniform(11, 1, -1, 1, &a);
  FillUniform(11, 2, -1, 1, &b);
  for (auto _ : state) {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0f, a.data(), n, b.data(),
                n, 0.0f, c.data(), n);
    benchmark::ClobberMemory();
  }
  SetThroughput(state, 2.0 * n * n * static_cast<double>(n), 3.0 * n * n * sizeof(float));
}
BENCHMARK(BM_Calibration_Sgemm)->Arg(2048)->UseRealTime()->Unit(benchmark::kMillisecond);

void BM_Calibration_Copy(benchmark::State& state) {
  const int64_t floats = state.range(0);
  Tensor src = Tensor::Filled({floats}, 1.0f), dst({floats});
  for (auto _ : state) {
    std::memcpy(dst.data(), src.data(), floats * sizeof(float));
    benchmark::ClobberMemory();
  }
  SetThroughput(state, 0, 2.0 * floats * sizeof(float));
}
BENCHMARK(BM_Calibration_Copy)->Arg(16 << 20)->UseRealTime()->Unit(benchmark::kMillisecond);

}  // namespace

bool SmokeMode() { return smoke_mode; }
void SetSmokeMode(bool smoke) { smoke_mode = smoke; }

int Threads() {
  static const int threads = [] {
    const char* env = std::getenv("MONOSEM_THREADS");
    int n = env != nullptr ? std::atoi(env) : 0;
    return n > 0 ? n : omp_get_num_procs();
  }();
  return threads;
}

double PeakFlops() {
  static const double peak = SmokeMode() ? MeasureSgemm(256, 2) : MeasureSgemm(2048, 3);
  return peak;
}

double PeakBytesPerSecond() {
  static const double peak = SmokeMode() ? MeasureCopy(1 << 20, 2) : MeasureCopy(16 << 20, 5);
  return peak;
}

void SetThroughput(benchmark::State& state, double flops, double bytes) {
  using benchmark::Counter;
  if (flops > 0) {
    state.counters["flops"] = Counter(flops, Counter::kIsIterationInvariantRate);
    state.counters["peak_fraction"] =
        Counter(flops / PeakFlops(), Counter::kIsIterationInvariantRate);
  }
  if (bytes > 0) {
    state.counters["bytes"] = Counter(bytes, Counter::kIsIterationInvariantRate);
    state.counters["bandwidth_fraction"] =
        Counter(bytes / PeakBytesPerSecond(), Counter::kIsIterationInvariantRate);
  }
}

double PlantedSlowdownFactor() {
  static const double factor = [] {
    const char* env = std::getenv("MONOSEM_BENCH_PLANTED_SLOWDOWN");
    return env != nullptr ? std::atof(env) : 1.0;
  }();
  return factor;
}

void PlantedSlowdown::Wait() {
  const auto end = std::chrono::steady_clock::now();
  const auto until = end + (end - start_) * (PlantedSlowdownFactor() - 1);
  while (std::chrono::steady_clock::now() < until) {
  }
}

void SkipUnavailable(benchmark::State& state, const std::string& backend,
                     const std::string& why) {
  state.SkipWithError(absl::StrCat(kUnavailablePrefix, backend, ": ", why).c_str());
}

bool UsableOrSkip(benchmark::State& state, const std::string& name,
                  const absl::StatusOr<std::unique_ptr<Backend>>& backend) {
  if (!backend.ok()) {
    state.SkipWithError(absl::StrCat(name, ": ", backend.status().ToString()).c_str());
    return false;
  }
  const absl::Status available = (*backend)->Available();
  if (!available.ok()) {
    SkipUnavailable(state, name, std::string(available.message()));
    return false;
  }
  return true;
}

void SmokeReporter::ReportRuns(const std::vector<Run>& runs) {
  for (const Run& r : runs) {
    ++runs_;
    if (r.error_occurred && !absl::StartsWith(r.error_message, kUnavailablePrefix)) {
      failures_.push_back(absl::StrCat(r.benchmark_name(), ": ", r.error_message));
    }
  }
  ConsoleReporter::ReportRuns(runs);
}

bool MatchesReference(benchmark::State& state, const std::string& backend,
                      const std::string& case_key, const RunCase& on_reference,
                      const RunCase& on_backend) {
  if (backend == "reference") return true;
  static auto* cache = new std::map<std::string, Outputs>;
  auto fail = [&](const std::string& why) {
    state.SkipWithError(
        absl::StrCat(backend, " ", case_key, " does not match the reference: ", why).c_str());
    return false;
  };
  auto cached = cache->find(case_key);
  if (cached == cache->end()) {
    absl::StatusOr<Outputs> want = on_reference();
    if (!want.ok()) return fail(absl::StrCat("the reference failed: ", want.status().ToString()));
    cached = cache->emplace(case_key, std::move(*want)).first;
  }
  const Outputs& want = cached->second;
  absl::StatusOr<Outputs> got = on_backend();
  if (!got.ok()) return fail(got.status().ToString());
  if (got->size() != want.size()) {
    return fail(absl::StrCat(got->size(), " outputs, the reference has ", want.size()));
  }
  for (size_t i = 0; i < want.size(); ++i) {
    const Output& g = (*got)[i];
    const Output& w = want[i];
    if (g.value.shape() != w.value.shape()) {
      return fail(absl::StrCat(w.name, " has shape ", ShapeToString(g.value.shape()),
                               ", the reference's ", ShapeToString(w.value.shape())));
    }
    const Comparison c = Compare(g.value, w.value, w.tol);
    if (!c.ok) return fail(absl::StrCat(w.name, ": ", c.message));
  }
  return true;
}

bool AddRegistrar(std::function<void()> registrar) {
  Registrars().push_back(std::move(registrar));
  return true;
}

void RunRegistrars() {
  for (auto& r : Registrars()) r();
}

}  // namespace monosem::bench
