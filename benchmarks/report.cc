// The kernel comparison report:
//
//   bazel run -c opt //benchmarks:report -- [--out DIR] [--min_time S]
//       [--repetitions N] [--filter REGEX] [--run FILE.json ...]
//
// Runs every kernel benchmark binary it was built with (the `suites` of the
// report rule in benchmarks/BUILD.bazel, passed as --suite PATH), for every
// registered backend, and prints per kernel and shape: FLOP/s and bytes/s of
// each backend, peak_fraction (against the in-run calibration), and each
// backend's speedup over torch and over reference (their time / its time,
// medians over the repetitions). The same table goes to DIR/report.json and
// DIR/report.csv (DIR relative to where `bazel run` was started; default:
// that directory). --run FILE.json reports on recorded Google Benchmark JSON
// instead of running anything.
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "benchmarks/report_lib.h"
#include "ci/gate/gate.h"

namespace monosem::bench {
namespace {

int Usage(const std::string& msg) {
  std::cerr << "report: " << msg
            << "\nusage: report [--out DIR] [--min_time S] [--repetitions N] [--filter REGEX]"
               " [--suite BINARY ...] [--run FILE.json ...]\n";
  return 2;
}

int Main(int argc, char** argv) {
  std::vector<std::string> suites, runs;
  std::string out = ".", filter = "", min_time = "0.2", reps = "3";
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&](std::string* v) {
      if (i + 1 >= argc) return false;
      *v = argv[++i];
      return true;
    };
    std::string v;
    if (a == "--suite" && value(&v)) {
      suites.push_back(v);
    } else if (a == "--run" && value(&v)) {
      runs.push_back(v);
    } else if (a == "--out" && value(&v)) {
      out = v;
    } else if (a == "--filter" && value(&v)) {
      filter = v;
    } else if (a == "--min_time" && value(&v)) {
      min_time = v;
    } else if (a == "--repetitions" && value(&v)) {
      reps = v;
    } else {
      return Usage("unknown or incomplete argument " + a);
    }
  }
  // bazel run starts us in the runfiles tree; paths the user gives are
  // relative to where they ran bazel.
  const char* wd = std::getenv("BUILD_WORKING_DIRECTORY");
  auto user_path = [&](const std::string& p) {
    return (p.empty() || p[0] == '/' || wd == nullptr) ? p : absl::StrCat(wd, "/", p);
  };
  for (std::string& r : runs) r = user_path(r);
  out = user_path(out);

  std::vector<std::string> parts;
  char tmpl[] = "/tmp/monosem_report.XXXXXX";
  const char* tmp = nullptr;
  if (runs.empty()) {
    if (suites.empty()) return Usage("no --suite and no --run: nothing to report");
    tmp = mkdtemp(tmpl);
    if (tmp == nullptr) return Usage("cannot create a temporary directory");
    int i = 0;
    for (const std::string& s : suites) {
      const std::string part = absl::StrCat(tmp, "/part", i++, ".json");
      std::string f = "BM_Calibration_Sgemm";
      f += filter.empty() ? "|." : "|" + filter;
      const std::string cmd =
          absl::StrCat("'", s, "' '--benchmark_filter=", f, "' --benchmark_min_time=", min_time,
                       " --benchmark_repetitions=", reps,
                       " --benchmark_report_aggregates_only=false --benchmark_format=console"
                       " --benchmark_out_format=json --benchmark_out=",
                       part, " 1>&2");
      std::cerr << "report: running " << s << "\n";
      if (std::system(cmd.c_str()) != 0) {
        std::cerr << "report: " << s << " failed\n";
        return 2;
      }
      parts.push_back(part);
    }
  } else {
    parts = runs;
  }
  auto merged = gate::MergeFiles(parts);
  if (!merged.ok()) {
    std::cerr << "report: " << merged.status().message() << "\n";
    return 2;
  }
  if (tmp != nullptr && std::system(absl::StrCat("rm -rf '", tmp, "'").c_str()) != 0) {
    std::cerr << "report: could not remove " << tmp << "\n";
  }
  auto run = gate::ParseRun(*merged, "benchmark output");
  if (!run.ok()) {
    std::cerr << "report: " << run.status().message() << "\n";
    return 2;
  }
  const ReportTable table = BuildReport(*run);
  std::cout << RenderReportText(table);
  mkdir(out.c_str(), 0755);
  for (const auto& [name, text] :
       {std::pair<std::string, std::string>{"report.json", RenderReportJson(table).dump(2) + "\n"},
        {"report.csv", RenderReportCsv(table)}}) {
    const std::string path = absl::StrCat(out, "/", name);
    absl::Status st = gate::WriteFileAtomically(path, text);
    if (!st.ok()) {
      std::cerr << "report: " << st.message() << "\n";
      return 2;
    }
    std::cerr << "report: wrote " << path << "\n";
  }
  return 0;
}

}  // namespace
}  // namespace monosem::bench

int main(int argc, char** argv) { return monosem::bench::Main(argc, argv); }
