#include "ci/gate/gate.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <set>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "ci/gate/mann_whitney.h"

namespace monosem::gate {
namespace {

using nlohmann::json;

// Fields of a Google Benchmark row that are not user counters.
const std::set<std::string>& NonCounterFields() {
  static const auto* s = new std::set<std::string>{
      "name",           "family_index",   "per_family_instance_index",
      "run_name",       "run_type",       "repetitions",
      "repetition_index", "threads",      "iterations",
      "real_time",      "cpu_time",       "time_unit",
      "aggregate_name", "aggregate_unit", "error_occurred",
      "error_message",  "label",          "big_o",
      "rms"};
  return *s;
}

absl::StatusOr<double> TimeUnitToNs(const std::string& unit) {
  if (unit == "ns") return 1.0;
  if (unit == "us") return 1e3;
  if (unit == "ms") return 1e6;
  if (unit == "s") return 1e9;
  return absl::InvalidArgumentError(absl::StrCat("unknown time_unit \"", unit, "\""));
}

absl::StatusOr<std::string> ReadFile(const std::string& path, const std::string& what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat(what, " ", path, ": cannot open file"));
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

absl::StatusOr<json> ReadJson(const std::string& path, const std::string& what) {
  absl::StatusOr<std::string> text = ReadFile(path, what);
  if (!text.ok()) return text.status();
  json j = json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, " ", path, ": malformed JSON (not valid JSON text)"));
  }
  return j;
}

absl::StatusOr<Better> ParseBetter(const std::string& s) {
  if (s == "lower") return Better::kLower;
  if (s == "higher") return Better::kHigher;
  if (s == "either" || s.empty()) return Better::kEither;
  return absl::InvalidArgumentError(
      absl::StrCat("\"better\" must be lower, higher or either, not \"", s, "\""));
}

absl::StatusOr<std::vector<Suite>> ParseSuites(const json& j, const std::string& where) {
  std::vector<Suite> out;
  if (j.is_null()) return out;
  if (!j.is_array()) return absl::InvalidArgumentError(absl::StrCat(where, " must be an array"));
  for (const json& s : j) {
    if (!s.is_object() || !s.contains("target") || !s["target"].is_string()) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, ": each suite needs a string \"target\""));
    }
    Suite suite;
    suite.target = s["target"].get<std::string>();
    suite.filter = s.value("filter", std::string());
    suite.repetitions = s.value("repetitions", 10);
    suite.min_time = s.value("min_time", 0.1);
    if (suite.repetitions < 1) {
      return absl::InvalidArgumentError(absl::StrCat(where, ": repetitions must be >= 1"));
    }
    out.push_back(suite);
  }
  return out;
}

// The backend component of a benchmark name: by convention
// BM_<Kernel>/<shape>/<backend>, possibly followed by Google Benchmark's own
// suffixes (real_time, manual_time, process_time, key:value such as
// threads:2 or repeats:5). Returns the index of that component, or -1.
int BackendComponent(const std::vector<std::string>& parts) {
  for (int i = static_cast<int>(parts.size()) - 1; i > 0; --i) {
    const std::string& p = parts[i];
    if (p == "real_time" || p == "manual_time" || p == "process_time") continue;
    if (p.find(':') != std::string::npos) continue;
    return i;
  }
  return -1;
}

bool IsSpeedMetric(const Config& c, const std::string& m) {
  if (m.rfind("speedup_vs_", 0) == 0) return true;
  return std::find(c.speed_metrics.begin(), c.speed_metrics.end(), m) != c.speed_metrics.end();
}

bool Gated(const Config& c, Mode mode, const std::string& m) {
  switch (mode) {
    case Mode::kSpeed:
      return IsSpeedMetric(c, m);
    case Mode::kQuality:
      return c.quality.count(m) > 0;
    case Mode::kInstructions:
      return m == "instructions";
  }
  return false;
}

std::string Num(double v) { return absl::StrFormat("%.4g", v); }

}  // namespace

double Median(std::vector<double> v) {
  if (v.empty()) return std::nan("");
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

const char* VerdictName(Verdict v) {
  switch (v) {
    case Verdict::kOk:
      return "ok";
    case Verdict::kImproved:
      return "improved";
    case Verdict::kRegression:
      return "REGRESSION";
    case Verdict::kMissing:
      return "MISSING";
    case Verdict::kNew:
      return "new";
    case Verdict::kError:
      return "ERROR";
  }
  return "?";
}

absl::StatusOr<Config> ParseConfig(const json& j) {
  if (!j.is_object()) return absl::InvalidArgumentError("gate config must be a JSON object");
  Config c;
  try {
    if (j.contains("speed")) {
      const json& s = j["speed"];
      c.alpha = s.value("alpha", c.alpha);
      c.threshold = s.value("threshold", c.threshold);
      c.time_field = s.value("time", c.time_field);
      if (c.time_field != "real_time" && c.time_field != "cpu_time") {
        return absl::InvalidArgumentError("speed.time must be \"real_time\" or \"cpu_time\"");
      }
      c.gate_peer_peak_fraction = s.value("gate_peer_peak_fraction", c.gate_peer_peak_fraction);
      if (s.contains("metrics")) c.speed_metrics = s["metrics"].get<std::vector<std::string>>();
      const json speedups = s.value("speedups", json::array());
      for (const json& p : speedups) {
        c.speedups.push_back({p.at("ours").get<std::string>(), p.at("peer").get<std::string>()});
      }
      auto suites = ParseSuites(s.value("suites", json()), "speed.suites");
      if (!suites.ok()) return suites.status();
      c.speed_suites = *suites;
    }
    if (j.contains("quality")) {
      const json& q = j["quality"];
      const json counters = q.value("counters", json::object());
      if (!counters.is_object()) return absl::InvalidArgumentError("quality.counters must be an object");
      for (const auto& [name, t] : counters.items()) {
        Tolerance tol;
        tol.atol = t.value("atol", 0.0);
        tol.rtol = t.value("rtol", 0.0);
        auto better = ParseBetter(t.value("better", std::string()));
        if (!better.ok()) return absl::InvalidArgumentError(
            absl::StrCat("quality.counters.", name, ": ", better.status().message()));
        tol.better = *better;
        c.quality[name] = tol;
      }
      auto suites = ParseSuites(q.value("suites", json()), "quality.suites");
      if (!suites.ok()) return suites.status();
      c.quality_suites = *suites;
    }
    if (j.contains("instructions")) {
      const json& d = j["instructions"];
      c.instructions_rtol = d.value("rtol", c.instructions_rtol);
      auto suites = ParseSuites(d.value("suites", json()), "instructions.suites");
      if (!suites.ok()) return suites.status();
      c.instruction_suites = *suites;
    }
  } catch (const json::exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("gate config: ", e.what()));
  }
  if (!(c.alpha > 0 && c.alpha < 1)) return absl::InvalidArgumentError("alpha must be in (0, 1)");
  if (!(c.threshold >= 0)) return absl::InvalidArgumentError("threshold must be >= 0");
  return c;
}

absl::StatusOr<Config> LoadConfig(const std::string& path) {
  auto j = ReadJson(path, "gate config");
  if (!j.ok()) return j.status();
  auto c = ParseConfig(*j);
  if (!c.ok()) return absl::InvalidArgumentError(absl::StrCat(path, ": ", c.status().message()));
  return c;
}

absl::StatusOr<Run> ParseRun(const json& j, const std::string& what) {
  auto bad = [&](const std::string& msg) {
    return absl::InvalidArgumentError(absl::StrCat(what, ": ", msg));
  };
  if (!j.is_object()) return bad("not a Google Benchmark JSON object");
  if (!j.contains("benchmarks") || !j["benchmarks"].is_array()) {
    return bad("no \"benchmarks\" array (is this Google Benchmark JSON output?)");
  }
  Run run;
  run.context = j.value("context", json::object());
  int index = 0;
  for (const json& row : j["benchmarks"]) {
    const std::string at = absl::StrCat("benchmarks[", index++, "]");
    if (!row.is_object()) return bad(at + " is not an object");
    if (row.value("run_type", std::string("iteration")) == "aggregate") continue;
    std::string name;
    if (row.contains("run_name") && row["run_name"].is_string()) {
      name = row["run_name"].get<std::string>();
    } else if (row.contains("name") && row["name"].is_string()) {
      name = row["name"].get<std::string>();
    } else {
      return bad(at + " has no string \"name\"");
    }
    if (!run.benches.count(name)) run.order.push_back(name);
    BenchSamples& b = run.benches[name];
    if (row.value("error_occurred", false)) {
      b.error = row.value("error_message", std::string("error"));
      continue;
    }
    double scale = 1;
    if (row.contains("time_unit")) {
      if (!row["time_unit"].is_string()) return bad(at + " (" + name + "): time_unit not a string");
      auto s = TimeUnitToNs(row["time_unit"].get<std::string>());
      if (!s.ok()) return bad(at + " (" + name + "): " + std::string(s.status().message()));
      scale = *s;
    }
    for (const auto& [key, value] : row.items()) {
      if (key == "real_time" || key == "cpu_time") {
        if (!value.is_number()) return bad(at + " (" + name + "): " + key + " is not a number");
        b.metrics[key].push_back(value.get<double>() * scale);
      } else if (!NonCounterFields().count(key) && value.is_number()) {
        b.metrics[key].push_back(value.get<double>());
      }
    }
  }
  return run;
}

absl::StatusOr<Run> LoadRun(const std::string& path, const std::string& what) {
  auto j = ReadJson(path, what);
  if (!j.ok()) return j.status();
  return ParseRun(*j, absl::StrCat(what, " ", path));
}

void AddSpeedups(const std::vector<Speedup>& speedups, Run* run,
                 const std::string& time_field) {
  for (const Speedup& s : speedups) {
    for (auto& [name, ours] : run->benches) {
      std::vector<std::string> parts = absl::StrSplit(name, '/');
      const int b = BackendComponent(parts);
      if (b < 0 || parts[b] != s.ours) continue;
      parts[b] = s.peer;
      auto it = run->benches.find(absl::StrJoin(parts, "/"));
      if (it == run->benches.end()) continue;
      const auto& a = ours.metrics[time_field];
      const auto& p = it->second.metrics[time_field];
      std::vector<double> ratio;
      for (size_t i = 0; i < std::min(a.size(), p.size()); ++i) {
        if (a[i] > 0) ratio.push_back(p[i] / a[i]);
      }
      if (!ratio.empty()) ours.metrics["speedup_vs_" + s.peer] = ratio;
    }
  }
}

namespace {
// FLOP/s per repetition on the chosen time base.
std::vector<double> Rates(const BenchSamples& b, const std::string& time_field) {
  auto it = b.metrics.find("flops");
  if (it == b.metrics.end()) return {};
  std::vector<double> r = it->second;
  if (time_field == "real_time") return r;
  auto real = b.metrics.find("real_time"), other = b.metrics.find(time_field);
  if (real == b.metrics.end() || other == b.metrics.end() ||
      real->second.size() != r.size() || other->second.size() != r.size()) {
    return r;
  }
  for (size_t i = 0; i < r.size(); ++i) {
    if (other->second[i] > 0) r[i] *= real->second[i] / other->second[i];
  }
  return r;
}
}  // namespace

bool RecalibratePeakFraction(Run* run, const std::string& time_field) {
  std::vector<double> peak;
  for (auto& [name, b] : run->benches) {
    if (name.rfind(kCalibrationPrefix, 0) != 0) continue;
    const std::vector<double> r = Rates(b, time_field);
    peak.insert(peak.end(), r.begin(), r.end());
    b.metrics.erase("peak_fraction");  // the calibration is the yardstick, not gated
  }
  if (peak.empty()) return false;
  const double p = Median(peak);
  if (!(p > 0)) return false;
  for (auto& [name, b] : run->benches) {
    if (name.rfind(kCalibrationPrefix, 0) == 0 || !b.metrics.count("flops")) continue;
    const std::vector<double> r = Rates(b, time_field);
    std::vector<double>& pf = b.metrics["peak_fraction"];
    pf.clear();
    for (double f : r) pf.push_back(f / p);
  }
  return true;
}

void PrepareSpeedRun(const Config& config, Run* run) {
  RecalibratePeakFraction(run, config.time_field);
  AddSpeedups(config.speedups, run, config.time_field);
  if (config.gate_peer_peak_fraction) return;
  for (auto& [name, b] : run->benches) {
    std::vector<std::string> parts = absl::StrSplit(name, '/');
    const int i = BackendComponent(parts);
    if (i < 0) continue;
    for (const Speedup& s : config.speedups) {
      if (parts[i] == s.peer) b.metrics.erase("peak_fraction");
    }
  }
}

bool Report::failed() const {
  for (const Row& r : rows) {
    if (r.verdict == Verdict::kRegression || r.verdict == Verdict::kMissing ||
        r.verdict == Verdict::kError) {
      return true;
    }
  }
  return false;
}

Report Compare(const Config& config, Mode mode, const Run& baseline, const Run& now) {
  Report report;
  auto gated_metrics = [&](const BenchSamples& b) {
    std::vector<std::string> m;
    for (const auto& [name, v] : b.metrics)
      if (Gated(config, mode, name) && !v.empty()) m.push_back(name);
    return m;
  };
  for (const std::string& name : baseline.order) {
    const BenchSamples& base = baseline.benches.at(name);
    const std::vector<std::string> metrics = gated_metrics(base);
    if (metrics.empty()) continue;
    auto it = now.benches.find(name);
    if (it == now.benches.end()) {
      Row r{name, absl::StrJoin(metrics, ",")};
      r.verdict = Verdict::kMissing;
      r.note = "in the baseline but not in this run (renamed or removed? rerun "
               "with --update-baseline if on purpose)";
      report.rows.push_back(r);
      continue;
    }
    if (!it->second.error.empty()) {
      Row r{name, absl::StrJoin(metrics, ",")};
      r.verdict = Verdict::kError;
      r.note = "benchmark failed: " + it->second.error;
      report.rows.push_back(r);
      continue;
    }
    for (const std::string& metric : metrics) {
      Row r{name, metric};
      const std::vector<double>& b = base.metrics.at(metric);
      auto m = it->second.metrics.find(metric);
      if (m == it->second.metrics.end() || m->second.empty()) {
        r.verdict = Verdict::kMissing;
        r.baseline = Median(b);
        r.note = "metric not reported by this run";
        report.rows.push_back(r);
        continue;
      }
      const std::vector<double>& n = m->second;
      r.baseline = Median(b);
      r.now = Median(n);
      r.change = r.baseline != 0 ? r.now / r.baseline - 1 : (r.now == 0 ? 0 : INFINITY);
      if (!std::isfinite(r.now)) {
        r.verdict = Verdict::kError;
        r.note = "non-finite value";
      } else if (mode == Mode::kSpeed) {  // higher is better
        r.p = MannWhitneyU(b, n).p;
        if (r.p < config.alpha && r.change < -config.threshold) {
          r.verdict = Verdict::kRegression;
        } else if (r.p < config.alpha && r.change > config.threshold) {
          r.verdict = Verdict::kImproved;
        }
      } else if (mode == Mode::kQuality) {
        const Tolerance& t = config.quality.at(metric);
        const double diff = r.now - r.baseline;
        if (std::fabs(diff) > t.atol + t.rtol * std::fabs(r.baseline)) {
          const bool better = (t.better == Better::kLower && diff < 0) ||
                              (t.better == Better::kHigher && diff > 0);
          r.verdict = better ? Verdict::kImproved : Verdict::kRegression;
          r.note = absl::StrCat("beyond tolerance atol=", Num(t.atol), " rtol=", Num(t.rtol));
        }
      } else {  // instructions: lower is better
        if (r.change > config.instructions_rtol) r.verdict = Verdict::kRegression;
        if (r.change < -config.instructions_rtol) r.verdict = Verdict::kImproved;
      }
      if (r.verdict == Verdict::kImproved) r.note = "better than the baseline: consider --update-baseline";
      report.rows.push_back(r);
    }
  }
  for (const std::string& name : now.order) {
    if (baseline.benches.count(name)) continue;
    const std::vector<std::string> metrics = gated_metrics(now.benches.at(name));
    if (metrics.empty()) continue;
    Row r{name, absl::StrJoin(metrics, ",")};
    r.verdict = Verdict::kNew;
    r.note = "not in the baseline, not gated: add it with --update-baseline";
    report.rows.push_back(r);
  }
  return report;
}

std::string RenderTable(const Report& report) {
  std::vector<std::vector<std::string>> cells = {
      {"benchmark", "metric", "baseline", "now", "change", "p-value", "verdict"}};
  for (const Row& r : report.rows) {
    const bool has_values = r.verdict != Verdict::kMissing && r.verdict != Verdict::kNew &&
                            r.verdict != Verdict::kError;
    std::vector<std::string> c = {r.benchmark, r.metric};
    c.push_back(r.verdict == Verdict::kNew ? "-" : Num(r.baseline));
    c.push_back(has_values ? Num(r.now) : "-");
    c.push_back(has_values ? absl::StrFormat("%+.1f%%", 100 * r.change) : "-");
    c.push_back(r.p >= 0 ? absl::StrFormat("%.2g", r.p) : "-");
    c.push_back(r.note.empty() ? VerdictName(r.verdict)
                               : absl::StrCat(VerdictName(r.verdict), "  (", r.note, ")"));
    cells.push_back(c);
  }
  std::vector<size_t> width(7, 0);
  for (const auto& row : cells)
    for (size_t i = 0; i + 1 < row.size(); ++i) width[i] = std::max(width[i], row[i].size());
  std::string out;
  for (const auto& row : cells) {
    for (size_t i = 0; i < row.size(); ++i) {
      out += row[i];
      if (i + 1 < row.size()) out += std::string(width[i] - row[i].size() + 2, ' ');
    }
    out += "\n";
  }
  return out;
}

absl::StatusOr<json> MergeFiles(const std::vector<std::string>& paths) {
  json merged;
  merged["benchmarks"] = json::array();
  for (const std::string& path : paths) {
    auto j = ReadJson(path, "benchmark output");
    if (!j.ok()) return j.status();
    auto run = ParseRun(*j, path);  // validates
    if (!run.ok()) return run.status();
    if (!merged.contains("context")) merged["context"] = (*j).value("context", json::object());
    for (const json& row : (*j)["benchmarks"]) merged["benchmarks"].push_back(row);
  }
  return merged;
}

absl::Status WriteFileAtomically(const std::string& path, const std::string& contents) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) return absl::UnavailableError(absl::StrCat(path, ": cannot write"));
    out << contents;
    if (!out.good()) return absl::UnavailableError(absl::StrCat(path, ": write failed"));
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    return absl::UnavailableError(absl::StrCat(path, ": rename failed"));
  }
  return absl::OkStatus();
}

}  // namespace monosem::gate
