// main() for benchmark binaries. Threads: MONOSEM_THREADS (default: all
// cores) for OpenMP, OpenBLAS and LibTorch alike, so backends are compared
// on equal hardware.
#include <cblas.h>
#include <omp.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "benchmark/benchmark.h"
#include "benchmarks/bench_device.h"
#include "benchmarks/bench_util.h"
#include "kernels/cpu/simd/isa.h"
#include "monosem/omp_env.h"

int main(int argc, char** argv) {
  monosem::EnsurePassiveOmpWait(argv);
  std::vector<char*> args(argv, argv + argc);
#ifdef MONOSEM_BENCH_SMOKE
  // One iteration of every benchmark: a test that the benchmark still runs.
  static char min_time[] = "--benchmark_min_time=0";
  args.insert(args.begin() + 1, min_time);
  monosem::bench::SetSmokeMode(true);
#endif
  const int threads = monosem::bench::Threads();
  omp_set_num_threads(threads);
  openblas_set_num_threads(threads);
  int n = static_cast<int>(args.size());
  benchmark::Initialize(&n, args.data());
  if (benchmark::ReportUnrecognizedArguments(n, args.data())) return 2;
  monosem::bench::RunRegistrars();
  benchmark::AddCustomContext("monosem_threads", std::to_string(threads));
  benchmark::AddCustomContext("peak_flops", std::to_string(monosem::bench::PeakFlops()));
  benchmark::AddCustomContext("peak_bytes_per_second",
                              std::to_string(monosem::bench::PeakBytesPerSecond()));
  monosem::bench::AddDeviceContext();
  // The cpu backend's SIMD path (picked at run time; MONOSEM_CPU_ISA forces
  // a narrower one), so every figure says which code produced it.
  benchmark::AddCustomContext("cpu_simd_path", monosem::cpu::IsaDescription());
#ifdef MONOSEM_BENCH_SMOKE
  // A smoke test fails when a benchmark fails (its check against the
  // reference above all) or when nothing ran; an unavailable backend skips.
  monosem::bench::SmokeReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  for (const std::string& f : reporter.failures()) std::fprintf(stderr, "FAILED %s\n", f.c_str());
  if (reporter.runs() == 0) std::fprintf(stderr, "FAILED: no benchmark ran\n");
  return reporter.failures().empty() && reporter.runs() > 0 ? 0 : 1;
#else
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
#endif
}
