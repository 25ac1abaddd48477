#include "benchmarks/report_lib.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace monosem::bench {
namespace {

double MedianOf(const gate::BenchSamples& b, const std::string& metric) {
  auto it = b.metrics.find(metric);
  return it == b.metrics.end() || it->second.empty() ? 0 : gate::Median(it->second);
}

// BM_<kernel>/<shape>/<backend>[/real_time|/key:value...] -> its parts.
bool SplitName(const std::string& name, std::string* kernel, std::string* shape,
               std::string* backend) {
  std::vector<std::string> parts = absl::StrSplit(name, '/');
  while (parts.size() > 3 && (parts.back() == "real_time" || parts.back() == "manual_time" ||
                              parts.back() == "process_time" ||
                              parts.back().find(':') != std::string::npos)) {
    parts.pop_back();
  }
  if (parts.size() != 3 || parts[0].rfind("BM_", 0) != 0) return false;
  *kernel = parts[0].substr(3);
  *shape = parts[1];
  *backend = parts[2];
  return true;
}

std::string Si(double v, const char* unit) {
  if (!(v > 0)) return "-";
  const char* prefixes[] = {"", "k", "M", "G", "T", "P"};
  int i = 0;
  while (v >= 1000 && i < 5) {
    v /= 1000;
    ++i;
  }
  return absl::StrFormat("%.3g %s%s", v, prefixes[i], unit);
}

std::string Ratio(double v) { return std::isnan(v) ? "-" : absl::StrFormat("%.2fx", v); }
std::string Fraction(double v) { return v > 0 ? absl::StrFormat("%.3f", v) : "-"; }
std::string CsvNum(double v) {
  return std::isnan(v) || v == 0 ? "" : absl::StrFormat("%.6g", v);
}

}  // namespace

ReportTable BuildReport(gate::Run run) {
  ReportTable t;
  // peak_fraction per repetition against the in-run calibration (real time:
  // the report describes the machine as it ran, it does not gate).
  for (const auto& [name, b] : run.benches) {
    if (name.rfind(gate::kCalibrationPrefix, 0) == 0) {
      t.calibration_flops = std::max(t.calibration_flops, MedianOf(b, "flops"));
    }
  }
  gate::RecalibratePeakFraction(&run);
  std::map<std::string, double> time_of;  // kernel/shape/backend -> median ns
  for (const std::string& name : run.order) {
    if (name.rfind(gate::kCalibrationPrefix, 0) == 0) continue;
    const gate::BenchSamples& b = run.benches.at(name);
    ReportRow r;
    if (!b.error.empty() || !SplitName(name, &r.kernel, &r.shape, &r.backend)) continue;
    r.flops_per_s = MedianOf(b, "flops");
    r.bytes_per_s = MedianOf(b, "bytes");
    r.peak_fraction = MedianOf(b, "peak_fraction");
    r.time_ns = MedianOf(b, "real_time");
    time_of[absl::StrCat(r.kernel, "/", r.shape, "/", r.backend)] = r.time_ns;
    t.rows.push_back(r);
  }
  for (ReportRow& r : t.rows) {
    auto speedup = [&](const std::string& peer) {
      auto it = time_of.find(absl::StrCat(r.kernel, "/", r.shape, "/", peer));
      return it == time_of.end() || !(r.time_ns > 0) ? std::nan("") : it->second / r.time_ns;
    };
    r.speedup_vs_torch = speedup("torch");
    r.speedup_vs_reference = speedup("reference");
  }
  // Group by kernel and shape (first appearance), backends sorted inside.
  std::map<std::string, int> first;
  for (size_t i = 0; i < t.rows.size(); ++i)
    first.emplace(t.rows[i].kernel + "/" + t.rows[i].shape, static_cast<int>(i));
  std::stable_sort(t.rows.begin(), t.rows.end(), [&](const ReportRow& a, const ReportRow& b) {
    const int fa = first[a.kernel + "/" + a.shape], fb = first[b.kernel + "/" + b.shape];
    return fa != fb ? fa < fb : a.backend < b.backend;
  });
  return t;
}

std::string RenderReportText(const ReportTable& t) {
  std::vector<std::vector<std::string>> cells = {{"kernel", "shape", "backend", "time", "FLOP/s",
                                                  "bytes/s", "peak_fraction", "vs torch",
                                                  "vs reference"}};
  for (const ReportRow& r : t.rows) {
    cells.push_back({r.kernel, r.shape, r.backend, Si(r.time_ns * 1e-9, "s"),
                     Si(r.flops_per_s, "FLOP/s"), Si(r.bytes_per_s, "B/s"),
                     Fraction(r.peak_fraction), Ratio(r.speedup_vs_torch),
                     Ratio(r.speedup_vs_reference)});
  }
  std::vector<size_t> w(cells[0].size(), 0);
  for (const auto& row : cells)
    for (size_t i = 0; i < row.size(); ++i) w[i] = std::max(w[i], row[i].size());
  std::string out;
  if (t.calibration_flops > 0) {
    out += absl::StrCat("peak (in-run sgemm calibration): ", Si(t.calibration_flops, "FLOP/s"),
                        "\n");
  }
  for (const auto& row : cells) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line += std::string(w[i] - row[i].size() + 2, ' ');
    }
    out += line + "\n";
  }
  out += "speedups: the peer's median time / this backend's; '-': that peer did not run there\n";
  return out;
}

nlohmann::json RenderReportJson(const ReportTable& t) {
  nlohmann::json j;
  j["calibration_flops_per_s"] = t.calibration_flops;
  j["rows"] = nlohmann::json::array();
  auto num = [](double v) { return std::isnan(v) ? nlohmann::json(nullptr) : nlohmann::json(v); };
  for (const ReportRow& r : t.rows) {
    j["rows"].push_back({{"kernel", r.kernel},
                         {"shape", r.shape},
                         {"backend", r.backend},
                         {"time_ns", r.time_ns},
                         {"flops_per_s", r.flops_per_s},
                         {"bytes_per_s", r.bytes_per_s},
                         {"peak_fraction", r.peak_fraction},
                         {"speedup_vs_torch", num(r.speedup_vs_torch)},
                         {"speedup_vs_reference", num(r.speedup_vs_reference)}});
  }
  return j;
}

std::string RenderReportCsv(const ReportTable& t) {
  std::string out =
      "kernel,shape,backend,time_ns,flops_per_s,bytes_per_s,peak_fraction,speedup_vs_torch,"
      "speedup_vs_reference\n";
  for (const ReportRow& r : t.rows) {
    out += absl::StrCat(r.kernel, ",", r.shape, ",", r.backend, ",", CsvNum(r.time_ns), ",",
                        CsvNum(r.flops_per_s), ",", CsvNum(r.bytes_per_s), ",",
                        CsvNum(r.peak_fraction), ",", CsvNum(r.speedup_vs_torch), ",",
                        CsvNum(r.speedup_vs_reference), "\n");
  }
  return out;
}

}  // namespace monosem::bench
