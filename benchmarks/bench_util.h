// Shared benchmark plumbing: throughput counters against the in-run
// calibration peak, deferred registration (after every backend has
// registered), and smoke mode.
#ifndef MONOSEM_BENCHMARKS_BENCH_UTIL_H_
#define MONOSEM_BENCHMARKS_BENCH_UTIL_H_

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "benchmark/benchmark.h"
#include "monosem/backend.h"
#include "monosem/compare.h"
#include "monosem/tensor.h"

namespace monosem::bench {

// True when running as a `bazel test` smoke run (one iteration each).
bool SmokeMode();
void SetSmokeMode(bool smoke);

// The machine's measured peaks, measured once per process on first use:
// large OpenBLAS sgemm FLOP/s and large-buffer copy bytes/s, best of several
// runs, with the same thread count as the benchmarks (MONOSEM_THREADS or all
// cores).
double PeakFlops();
double PeakBytesPerSecond();
int Threads();

// Sets the throughput counters every kernel benchmark reports:
//   flops, bytes          per-second rates (kIsIterationInvariantRate)
//   peak_fraction         achieved FLOP/s over PeakFlops()
//   bandwidth_fraction    achieved bytes/s over PeakBytesPerSecond()
// `flops` and `bytes` are per iteration, counted from the shapes as
// METRICS.md defines them (not what an implementation executes).
void SetThroughput(benchmark::State& state, double flops, double bytes);

// A planted slowdown, for testing the regression gate (ci/bench_gate): with
// MONOSEM_BENCH_PLANTED_SLOWDOWN=1.25 in the environment, each scope
// busy-waits an extra 25% of its own duration on exit. Put one at the top of
// a benchmark loop body; unset (the default) it costs one branch.
double PlantedSlowdownFactor();
class PlantedSlowdown {
 public:
  PlantedSlowdown() : active_(PlantedSlowdownFactor() > 1) {
    if (active_) start_ = std::chrono::steady_clock::now();
  }
  ~PlantedSlowdown() {
    if (active_) Wait();
  }
  PlantedSlowdown(const PlantedSlowdown&) = delete;
  PlantedSlowdown& operator=(const PlantedSlowdown&) = delete;

 private:
  void Wait();
  bool active_;
  std::chrono::steady_clock::time_point start_;
};

// Every benchmark validates its case against the reference once before it
// times it: a fast wrong kernel must not pass for a fast kernel. A case's
// outputs, as host tensors, each with the tolerance it is compared under
// (monosem/compare.h).
struct Output {
  std::string name;
  Tensor value;
  Tolerance tol;
};
using Outputs = std::vector<Output>;
using RunCase = std::function<absl::StatusOr<Outputs>()>;

// Runs the case once on the reference (`on_reference`; its outputs are kept
// per `case_key`, so several backends of one case pay for it once) and once
// on `backend` (`on_backend`), from the same inputs, and compares each output
// under its tolerance. On an error or a mismatch it calls
// state.SkipWithError naming the backend, the case and the output, and
// returns false: the caller then returns without timing. Nothing to compare
// when `backend` is the reference itself.
bool MatchesReference(benchmark::State& state, const std::string& backend,
                      const std::string& case_key, const RunCase& on_reference,
                      const RunCase& on_backend);

// A case whose backend cannot run here (no GPU, say): reported as a skip
// with the reason, which the smoke tests accept. Every other SkipWithError is
// a failure there.
void SkipUnavailable(benchmark::State& state, const std::string& backend,
                     const std::string& why);
inline constexpr char kUnavailablePrefix[] = "unavailable here: ";

// True when `backend` was created and can run here; otherwise skips the case:
// as unavailable when the backend cannot run here, as a failure when it could
// not be created.
bool UsableOrSkip(benchmark::State& state, const std::string& name,
                  const absl::StatusOr<std::unique_ptr<Backend>>& backend);

// The smoke tests' reporter: prints what the console reporter prints and
// counts the runs that ended in an error other than an unavailable backend,
// so that `bazel test` fails when a benchmark's validation (or anything else
// in it) fails.
class SmokeReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override;
  int runs() const { return runs_; }
  const std::vector<std::string>& failures() const { return failures_; }

 private:
  int runs_ = 0;
  std::vector<std::string> failures_;
};

// Benchmarks that iterate over registered backends must register after static
// initialization; they add a registrar, which bench_main calls.
bool AddRegistrar(std::function<void()> registrar);

// Runs every registrar (called by the mains).
void RunRegistrars();

}  // namespace monosem::bench

#define MONOSEM_BENCHMARK_REGISTRAR(var, fn) \
  static const bool monosem_bench_registrar_##var = ::monosem::bench::AddRegistrar(fn)

#endif  // MONOSEM_BENCHMARKS_BENCH_UTIL_H_
