// The benchmark gate: reads Google Benchmark JSON (the format compare.py
// reads), compares a run with a baseline, and renders the verdict table.
#ifndef MONOSEM_CI_GATE_GATE_H_
#define MONOSEM_CI_GATE_GATE_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"

namespace monosem::gate {

// Which way is better for a quality counter.
enum class Better { kLower, kHigher, kEither };

struct Tolerance {
  double atol = 0;
  double rtol = 0;
  Better better = Better::kEither;  // kEither: any change beyond tolerance fails
};

struct Speedup {
  std::string ours;  // last name component of our backend, e.g. "cpu"
  std::string peer;  // e.g. "torch"
};

struct Suite {
  std::string target;  // Bazel label of a Google Benchmark binary
  std::string filter;  // --benchmark_filter
  int repetitions = 10;
  double min_time = 0.1;  // --benchmark_min_time per repetition, seconds
};

// ci/gate_config.json. Benchmarks join the gate through this file only.
struct Config {
  // Speed: ratios only (never raw times), flagged when significant AND large.
  double alpha = 0.05;      // Mann-Whitney significance level
  double threshold = 0.10;  // relative change that counts as a regression
  std::vector<std::string> speed_metrics = {"peak_fraction"};  // higher is better
  std::vector<Speedup> speedups;  // speedup_vs_<peer> for <name>/<ours>
  // Which per-iteration time the speed ratios use: "real_time" or "cpu_time".
  // cpu_time (with the gate's one benchmark thread) does not count the time
  // the process waited for a core that another process held; see
  // docs/bench_gate.md for the measurements behind the default config.
  std::string time_field = "real_time";
  // Gate peak_fraction of the peers (speedups[].peer) too? A peer (torch) is
  // a yardstick no change here can slow down, and at tiny shapes its
  // per-call overhead made it the noisiest metric under load.
  bool gate_peer_peak_fraction = true;
  std::vector<Suite> speed_suites;
  // Quality: deterministic counters with their own tolerances.
  std::map<std::string, Tolerance> quality;
  std::vector<Suite> quality_suites;
  // Deterministic mode: callgrind instruction counts (lower is better).
  double instructions_rtol = 0.02;
  std::vector<Suite> instruction_suites;
};

absl::StatusOr<Config> ParseConfig(const nlohmann::json& j);
absl::StatusOr<Config> LoadConfig(const std::string& path);

// One benchmark's repetitions: metric name -> one value per repetition.
struct BenchSamples {
  std::map<std::string, std::vector<double>> metrics;
  std::string error;  // non-empty when the benchmark reported an error
};

struct Run {
  nlohmann::json context;
  std::vector<std::string> order;  // benchmark names in first-seen order
  std::map<std::string, BenchSamples> benches;
};

// Parses Google Benchmark JSON. Per-repetition rows are kept (aggregate rows
// are skipped); real_time/cpu_time are converted to ns; every other numeric
// field is a counter. `what` names the input in error messages.
absl::StatusOr<Run> ParseRun(const nlohmann::json& j, const std::string& what);
absl::StatusOr<Run> LoadRun(const std::string& path, const std::string& what);

// Adds speedup_vs_<peer> samples (peer time / our time, paired by
// repetition index; time_field is real_time or cpu_time) to every
// BM_<kernel>/<shape>/<ours>[/real_time...] benchmark that has a same-named
// <peer> twin in the run.
void AddSpeedups(const std::vector<Speedup>& speedups, Run* run,
                 const std::string& time_field = "real_time");

// When the run includes the calibration benchmark (its repetitions randomly
// interleaved with the others), recomputes every peak_fraction repetition as
// flops / median(calibration flops in this run). The process-start
// calibration that bench_util writes is one moment of a shared machine's
// load; the interleaved one samples the same load the kernels saw.
// Returns false (and changes nothing) when the run has no calibration.
constexpr char kCalibrationPrefix[] = "BM_Calibration_Sgemm";
// With time_field "cpu_time", FLOP/s (kernels and calibration alike) are
// recomputed per CPU second: flops * real_time / cpu_time.
bool RecalibratePeakFraction(Run* run, const std::string& time_field = "real_time");

// Everything the speed gate derives, in order: RecalibratePeakFraction,
// AddSpeedups, and dropping the peers' peak_fraction unless
// config.gate_peer_peak_fraction. Apply to baseline and run alike.
void PrepareSpeedRun(const Config& config, Run* run);

enum class Mode { kSpeed, kQuality, kInstructions };

enum class Verdict { kOk, kImproved, kRegression, kMissing, kNew, kError };
const char* VerdictName(Verdict v);

struct Row {
  std::string benchmark, metric;
  double baseline = 0, now = 0, change = 0;  // medians; change = now/baseline - 1
  double p = -1;                             // -1: no test (quality, instructions)
  Verdict verdict = Verdict::kOk;
  std::string note;
};

struct Report {
  std::vector<Row> rows;
  std::vector<std::string> warnings;
  bool failed() const;
};

Report Compare(const Config& config, Mode mode, const Run& baseline, const Run& now);
std::string RenderTable(const Report& report);

// Concatenates runs (context of the first) into one Google Benchmark JSON.
absl::StatusOr<nlohmann::json> MergeFiles(const std::vector<std::string>& paths);

// Writes via a temporary file and rename, so a failure never leaves half a file.
absl::Status WriteFileAtomically(const std::string& path, const std::string& contents);

double Median(std::vector<double> v);

}  // namespace monosem::gate

#endif  // MONOSEM_CI_GATE_GATE_H_
