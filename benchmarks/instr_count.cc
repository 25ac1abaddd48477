// Deterministic mode of the regression gate: instruction counts of small
// kernels under valgrind's callgrind, which do not depend on the machine's
// load (a shared CI runner times kernels badly; it counts them exactly).
//
//   instr_count [--filter=REGEX] [--out=FILE.json] [--calls=N]
//
// Run normally, it re-executes itself under
//   valgrind --tool=callgrind --collect-atstart=no ...
// and writes Google Benchmark JSON (FILE.json, or stdout) with one row per
// kernel: an `instructions` counter (instructions per call, counted only
// between CALLGRIND_TOGGLE_COLLECT client requests around the kernel calls,
// so start-up, allocation and data filling are excluded) and, for
// Google Benchmark's tools/compare.py, real_time = cpu_time = that same count
// with time_unit "ns" (one "ns" per instruction).
//
// Each kernel is called once untimed first (lazy initialization, page faults
// of the outputs), then --calls times (default 2) with collection on.
// Threads are fixed at 1: a multithreaded kernel's spin-waits would make the
// count depend on scheduling.
//
// MONOSEM_INSTR_PLANTED_EXTRA=0.25 in the environment makes every kernel do
// 25% more calls than it reports (a planted instruction-count increase, for
// testing the gate).
//
//   instr_count --list        the kernel names
//   instr_count --child ...   (internal) the run under callgrind
#include <cblas.h>
#include <omp.h>
#include <unistd.h>
#include <valgrind/callgrind.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <dirent.h>
#include <fstream>
#include <functional>
#include <iostream>
#include <memory>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "monosem/backend.h"
#include "monosem/random_fill.h"
#include "nlohmann/json.hpp"
#include "tests/testing/shapes.h"

namespace monosem::bench {
namespace {

using nlohmann::json;

struct Kernel {
  std::string name;  // BM_Instr/<kernel>/<shape>/<backend>
  std::function<absl::Status()> call;
  std::vector<std::shared_ptr<Tensor>> keep;  // operands, alive across calls
};

std::shared_ptr<Tensor> Random(Shape shape, uint64_t stream) {
  auto t = std::make_shared<Tensor>(Tensor::Uninitialized(shape));
  FillUniform(7, stream, -1, 1, t.get());
  return t;
}

// Small model shapes: the toy model's forward and weight-gradient GEMMs at
// batch 1024, its ReLU and its AdamW step on W[30,400].
std::vector<Kernel> Kernels() {
  std::vector<Kernel> out;
  for (const std::string backend_name : {"reference", "cpu"}) {
    auto created = BackendRegistry::Create(backend_name);
    if (!created.ok()) continue;
    std::shared_ptr<Backend> be(std::move(*created));
    // The toy model's GEMMs of the shape table: small enough for callgrind.
    for (const testing::ModelGemm& g : testing::ModelGemms()) {
      if (g.name.rfind("toy_", 0) != 0) continue;
      const int64_t m = g.dims.m, n = g.dims.n, k = g.dims.k;
      auto a = Random(g.ta == Trans::kNo ? Shape{m, k} : Shape{k, m}, 1);
      auto b = Random(g.tb == Trans::kNo ? Shape{k, n} : Shape{n, k}, 2);
      auto c = std::make_shared<Tensor>(Shape{m, n});
      const Trans ta = g.ta, tb = g.tb;
      out.push_back({absl::StrCat("BM_Instr/Gemm/", g.name, "/", backend_name),
                     [be, a, b, c, ta, tb] { return be->Gemm(ta, tb, 1.0f, *a, *b, 0.0f, c.get()); },
                     {a, b, c}});
    }
    {
      auto x = Random({1024, 400}, 3);
      auto y = std::make_shared<Tensor>(Shape{1024, 400});
      out.push_back({absl::StrCat("BM_Instr/Relu/b1024_n400/", backend_name),
                     [be, x, y] { return be->Relu(*x, y.get()); },
                     {x, y}});
    }
    {
      auto grad = Random({30, 400}, 4), param = Random({30, 400}, 5);
      auto m = std::make_shared<Tensor>(Shape{30, 400}), v = std::make_shared<Tensor>(Shape{30, 400});
      auto step = std::make_shared<int64_t>(0);
      out.push_back({absl::StrCat("BM_Instr/AdamW/m30_n400/", backend_name),
                     [be, grad, param, m, v, step] {
                       return be->AdamW(AdamWParams{}, ++*step, *grad, param.get(), m.get(),
                                        v.get());
                     },
                     {grad, param, m, v}});
    }
  }
  return out;
}

std::string Flag(int argc, char** argv, const std::string& name, const std::string& def) {
  const std::string prefix = "--" + name + "=";
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a.rfind(prefix, 0) == 0) return a.substr(prefix.size());
  }
  return def;
}

bool HasFlag(int argc, char** argv, const std::string& name) {
  for (int i = 1; i < argc; ++i)
    if (std::string(argv[i]) == "--" + name) return true;
  return false;
}

// Under callgrind: one dump per kernel, named by the kernel.
int Child(const std::regex& filter, int calls) {
  const char* env = std::getenv("MONOSEM_INSTR_PLANTED_EXTRA");
  const double extra = env != nullptr ? std::atof(env) : 0.0;
  const int executed = calls + static_cast<int>(std::lround(calls * extra));
  for (Kernel& k : Kernels()) {
    if (!std::regex_search(k.name, filter)) continue;
    absl::Status st = k.call();  // warm-up, not counted
    if (!st.ok()) {
      std::cerr << "instr_count: " << k.name << ": " << st.message() << "\n";
      return 1;
    }
    CALLGRIND_TOGGLE_COLLECT;
    for (int i = 0; i < executed; ++i) st.Update(k.call());
    CALLGRIND_TOGGLE_COLLECT;
    CALLGRIND_DUMP_STATS_AT(k.name.c_str());
    if (!st.ok()) return 1;
  }
  return 0;
}

// Reads "<trigger>" and the "summary:"/"totals:" Ir of each callgrind dump.
bool ReadDumps(const std::string& dir, std::vector<std::pair<std::string, double>>* out) {
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return false;
  std::vector<std::string> files;
  while (dirent* e = readdir(d)) {
    const std::string n = e->d_name;
    if (n.rfind("cg.out", 0) == 0) files.push_back(dir + "/" + n);
  }
  closedir(d);
  for (const std::string& f : files) {
    std::ifstream in(f);
    std::string line, trigger;
    double total = -1;
    while (std::getline(in, line)) {
      if (line.rfind("desc: Trigger: Client Request: ", 0) == 0) {
        trigger = line.substr(std::string("desc: Trigger: Client Request: ").size());
      } else if (line.rfind("summary: ", 0) == 0 || line.rfind("totals: ", 0) == 0) {
        total = std::atof(line.substr(line.find(' ') + 1).c_str());
      }
    }
    if (!trigger.empty() && total >= 0) out->push_back({trigger, total});
  }
  return true;
}

void RemoveDir(const std::string& dir) {
  if (std::system(absl::StrCat("rm -rf '", dir, "'").c_str()) != 0) {
    std::cerr << "instr_count: could not remove " << dir << "\n";
  }
}

int Parent(int argc, char** argv, const std::string& filter, int calls) {
  char tmpl[] = "/tmp/instr_count.XXXXXX";
  const char* dir = mkdtemp(tmpl);
  if (dir == nullptr) {
    std::cerr << "instr_count: cannot create a temporary directory\n";
    return 2;
  }
  char self[4096];
  const ssize_t len = readlink("/proc/self/exe", self, sizeof(self) - 1);
  if (len <= 0) return 2;
  self[len] = 0;
  const std::string cmd =
      absl::StrCat("valgrind --tool=callgrind --collect-atstart=no --dump-instr=no ",
                   "--callgrind-out-file=", dir, "/cg.out.%p --log-file=", dir, "/valgrind.log '",
                   self, "' --child '--filter=", filter, "' --calls=", calls);
  const int rc = std::system(cmd.c_str());
  std::vector<std::pair<std::string, double>> dumps;
  ReadDumps(dir, &dumps);
  if (rc != 0 || dumps.empty()) {
    std::cerr << "instr_count: callgrind run failed (rc " << rc << "): " << cmd << "\n";
    std::ifstream log(std::string(dir) + "/valgrind.log");
    std::cerr << log.rdbuf();
    RemoveDir(dir);
    return 2;
  }
  RemoveDir(dir);

  json j;
  j["context"] = {{"executable", self},
                  {"library_build_type", "release"},
                  {"monosem_mode", "instructions (valgrind --tool=callgrind)"},
                  {"monosem_threads", "1"}};
  j["benchmarks"] = json::array();
  // Kernel order, not dump-file order.
  int family = 0;
  for (const Kernel& k : Kernels()) {
    for (const auto& [name, total] : dumps) {
      if (name != k.name) continue;
      const double per_call = std::round(total / calls);
      j["benchmarks"].push_back({{"name", name},
                                 {"family_index", family++},
                                 {"per_family_instance_index", 0},
                                 {"run_name", name},
                                 {"run_type", "iteration"},
                                 {"repetitions", 1},
                                 {"repetition_index", 0},
                                 {"threads", 1},
                                 {"iterations", calls},
                                 {"real_time", per_call},
                                 {"cpu_time", per_call},
                                 {"time_unit", "ns"},
                                 {"instructions", per_call}});
    }
  }
  const std::string text = j.dump(2) + "\n";
  const std::string out = Flag(argc, argv, "out", "");
  if (out.empty()) {
    std::cout << text;
  } else {
    std::ofstream f(out, std::ios::binary | std::ios::trunc);
    f << text;
    if (!f.good()) {
      std::cerr << "instr_count: cannot write " << out << "\n";
      return 2;
    }
  }
  for (const auto& row : j["benchmarks"])
    std::cerr << row["name"].get<std::string>() << "  "
              << static_cast<int64_t>(row["instructions"].get<double>()) << " instructions\n";
  return 0;
}

int Main(int argc, char** argv) {
  omp_set_num_threads(1);
  openblas_set_num_threads(1);
  const std::string filter = Flag(argc, argv, "filter", "");
  const int calls = std::max(1, std::atoi(Flag(argc, argv, "calls", "2").c_str()));
  std::regex re;
  try {
    re = std::regex(filter);
  } catch (const std::regex_error&) {
    std::cerr << "instr_count: --filter is not a valid regex: " << filter << "\n";
    return 2;
  }
  if (HasFlag(argc, argv, "list")) {
    for (const Kernel& k : Kernels())
      if (std::regex_search(k.name, re)) std::cout << k.name << "\n";
    return 0;
  }
  if (HasFlag(argc, argv, "child")) return Child(re, calls);
  return Parent(argc, argv, filter, calls);
}

}  // namespace
}  // namespace monosem::bench

int main(int argc, char** argv) { return monosem::bench::Main(argc, argv); }
