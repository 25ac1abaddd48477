// The C++ half of ci/bench_gate (the shell script runs the benchmarks; this
// reads and compares their Google Benchmark JSON).
//
//   gate_tool compare --config ci/gate_config.json --mode speed|quality|instructions
//                     --baseline B.json --run R.json [--alpha A] [--threshold T]
//                     [--filter REGEX]
//       prints the verdict table; exit 0 pass, 1 regression, 2 bad input.
//       A baseline file that does not exist passes with a warning.
//   gate_tool merge --out OUT.json IN.json...   (one Google Benchmark JSON)
//   gate_tool suites --config C --mode M        (target<TAB>filter<TAB>repetitions<TAB>min_time)
#include <sys/stat.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <map>
#include <regex>
#include <string>
#include <vector>

#include "ci/gate/gate.h"

namespace monosem::gate {
namespace {

int Usage(const std::string& msg) {
  std::cerr << "gate_tool: " << msg << "\n"
            << "usage: gate_tool compare|merge|suites ... (see ci/gate/gate_tool.cc)\n";
  return 2;
}

bool Exists(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0;
}

absl::StatusOr<Mode> ParseMode(const std::string& m) {
  if (m == "speed") return Mode::kSpeed;
  if (m == "quality") return Mode::kQuality;
  if (m == "instructions") return Mode::kInstructions;
  return absl::InvalidArgumentError("--mode must be speed, quality or instructions");
}

void KeepMatching(const std::regex& re, Run* run) {
  std::vector<std::string> order;
  for (const std::string& name : run->order) {
    if (std::regex_search(name, re)) {
      order.push_back(name);
    } else {
      run->benches.erase(name);
    }
  }
  run->order = order;
}

int Main(int argc, char** argv) {
  if (argc < 2) return Usage("missing command");
  const std::string cmd = argv[1];
  std::map<std::string, std::string> flags;
  std::vector<std::string> positional;
  for (int i = 2; i < argc; ++i) {
    std::string a = argv[i];
    if (a.rfind("--", 0) == 0) {
      if (i + 1 >= argc) return Usage(a + " needs a value");
      flags[a.substr(2)] = argv[++i];
    } else {
      positional.push_back(a);
    }
  }
  auto flag = [&](const std::string& k) { return flags.count(k) ? flags[k] : std::string(); };

  if (cmd == "merge") {
    if (flag("out").empty() || positional.empty()) return Usage("merge --out OUT IN...");
    auto merged = MergeFiles(positional);
    if (!merged.ok()) {
      std::cerr << "gate_tool: " << merged.status().message() << "\n";
      return 2;
    }
    absl::Status st = WriteFileAtomically(flag("out"), merged->dump(2) + "\n");
    if (!st.ok()) {
      std::cerr << "gate_tool: " << st.message() << "\n";
      return 2;
    }
    return 0;
  }

  auto config = LoadConfig(flag("config").empty() ? "ci/gate_config.json" : flag("config"));
  if (!config.ok()) {
    std::cerr << "gate_tool: " << config.status().message() << "\n";
    return 2;
  }
  auto mode = ParseMode(flag("mode").empty() ? "speed" : flag("mode"));
  if (!mode.ok()) return Usage(std::string(mode.status().message()));

  if (cmd == "suites") {
    const std::vector<Suite>& suites = *mode == Mode::kSpeed     ? config->speed_suites
                                       : *mode == Mode::kQuality ? config->quality_suites
                                                                 : config->instruction_suites;
    for (const Suite& s : suites)
      std::cout << s.target << "\t" << s.filter << "\t" << s.repetitions << "\t" << s.min_time
                << "\n";
    return 0;
  }
  if (cmd != "compare") return Usage("unknown command " + cmd);

  if (!flag("alpha").empty()) config->alpha = std::atof(flag("alpha").c_str());
  if (!flag("threshold").empty()) config->threshold = std::atof(flag("threshold").c_str());
  if (!(config->alpha > 0 && config->alpha < 1)) return Usage("--alpha must be in (0, 1)");
  if (!(config->threshold >= 0)) return Usage("--threshold must be >= 0");
  const std::string baseline_path = flag("baseline"), run_path = flag("run");
  if (baseline_path.empty() || run_path.empty()) return Usage("compare needs --baseline and --run");

  auto now = LoadRun(run_path, "run");
  if (!now.ok()) {
    std::cerr << "gate_tool: " << now.status().message() << "\n";
    return 2;
  }
  if (!Exists(baseline_path)) {
    std::cout << "WARNING: no baseline for this machine: " << baseline_path
              << " does not exist.\n"
              << "WARNING: the gate passes without comparing. Record one on this machine with\n"
              << "WARNING:   ci/bench_gate --update-baseline   and commit it.\n";
    return 0;
  }
  auto base = LoadRun(baseline_path, "baseline");
  if (!base.ok()) {
    std::cerr << "gate_tool: " << base.status().message()
              << "\ngate_tool: fix the file or regenerate it with ci/bench_gate --update-baseline\n";
    return 2;
  }
  if (!flag("filter").empty()) {
    std::regex re;
    try {
      re = std::regex(flag("filter"));
    } catch (const std::regex_error& e) {
      return Usage("--filter is not a valid regex: " + flag("filter"));
    }
    KeepMatching(re, &*base);
    KeepMatching(re, &*now);
  }
  if (*mode == Mode::kSpeed) {
    PrepareSpeedRun(*config, &*base);
    PrepareSpeedRun(*config, &*now);
  }

  Report report = Compare(*config, *mode, *base, *now);
  std::cout << RenderTable(report);
  if (report.rows.empty()) {
    std::cout << "WARNING: nothing to compare: no benchmark in " << baseline_path
              << " reports a metric this mode gates.\n";
  }
  int regressions = 0, missing = 0, errors = 0, added = 0;
  for (const Row& r : report.rows) {
    regressions += r.verdict == Verdict::kRegression;
    missing += r.verdict == Verdict::kMissing;
    errors += r.verdict == Verdict::kError;
    added += r.verdict == Verdict::kNew;
  }
  if (added > 0) {
    std::cout << "WARNING: " << added << " benchmark(s) in this run are not in the baseline "
              << "and are not gated; add them with ci/bench_gate --update-baseline.\n";
  }
  if (report.failed()) {
    std::cout << "FAIL: " << regressions << " regression(s), " << missing
              << " missing from this run, " << errors << " error(s) against " << baseline_path
              << "\n";
    return 1;
  }
  std::cout << "PASS: no regression against " << baseline_path << "\n";
  return 0;
}

}  // namespace
}  // namespace monosem::gate

int main(int argc, char** argv) { return monosem::gate::Main(argc, argv); }
