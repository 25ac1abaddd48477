// Wall time of ComputeUnitLabelMetrics on a random sparse activation matrix
// shaped like an SAE's codes (docs/metrics/unit_labels.md quotes it):
//   unit_label_timing [tokens=32768] [units=4096] [shuffles=8] [threads=2] [dense=0]
// Each unit fires at its own rate, log-uniform in [1e-4, 1e-1] (dense=1: every
// unit fires on half the tokens, like GELU neurons). Labels: 64 leaves under 8
// parents plus "unknown", one leaf per 64-token window with 10% stray tokens.
#include <omp.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <vector>

#include "monosem/models/sae/unit_label_metrics.h"
#include "monosem/omp_env.h"
#include "monosem/philox.h"

int main(int argc, char** argv) {
  monosem::EnsurePassiveOmpWait(argv);
  auto arg = [&](int i, long fallback) { return argc > i ? std::atol(argv[i]) : fallback; };
  const int64_t n = arg(1, 32768), u = arg(2, 4096);
  const int shuffles = static_cast<int>(arg(3, 8)), threads = static_cast<int>(arg(4, 2));
  const bool dense = arg(5, 0) != 0;
  const int64_t ctx = 64;

  monosem::LabelSet set;
  set.names.push_back("unknown");
  set.parent.push_back(-1);
  for (int p = 0; p < 8; ++p) {
    const int pid = set.size();
    set.names.push_back("p" + std::to_string(p));
    set.parent.push_back(-1);
    for (int c = 0; c < 8; ++c) {
      set.names.push_back("p" + std::to_string(p) + "/c" + std::to_string(c));
      set.parent.push_back(pid);
    }
  }
  auto leaf = [](uint32_t k) { return static_cast<monosem::LabelId>(2 + (k / 8) * 9 + k % 8); };
  std::vector<monosem::LabelId> labels(n);
  monosem::Philox rng(1);
  for (int64_t w = 0; w < n / ctx; ++w) {
    const monosem::LabelId main = leaf(rng.UniformInt(64));
    for (int64_t i = 0; i < ctx; ++i) {
      labels[w * ctx + i] = rng.Bernoulli(0.1f) ? leaf(rng.UniformInt(64)) : main;
    }
  }

  std::vector<float> rate(u);
  for (float& r : rate)
    r = dense ? 0.5f : static_cast<float>(std::pow(10.0, -4 + 3 * rng.Uniform()));
  std::vector<float> acts(n * u);
#pragma omp parallel for num_threads(threads)
  for (int64_t t = 0; t < n; ++t) {
    const monosem::Philox r(2, static_cast<uint64_t>(t));
    for (int64_t j = 0; j < u; ++j) {
      const float x = r.UniformAt(2 * j);
      acts[t * u + j] = x < rate[j] ? 0.05f + r.UniformAt(2 * j + 1) : (dense ? -0.1f * x : 0.0f);
    }
  }
  int64_t nnz = 0;
  for (float a : acts) nnz += a > 0;

  monosem::sae::UnitLabelOptions o;
  o.ctx = ctx;
  o.shuffles = shuffles;
  o.threads = threads;
  // CPU time beside wall time: on a shared machine the wall time includes
  // waiting for a core.
  const std::clock_t cpu0 = std::clock();
  const auto start = std::chrono::steady_clock::now();
  auto m = monosem::sae::ComputeUnitLabelMetrics(acts, n, u, labels, set, o);
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const double cpu = static_cast<double>(std::clock() - cpu0) / CLOCKS_PER_SEC;
  if (!m.ok()) {
    std::fprintf(stderr, "%s\n", m.status().ToString().c_str());
    return 1;
  }
  std::printf(
      "tokens %ld units %ld nnz %ld (%.2f%%) shuffles %d threads %d: %.2f s wall, %.2f s cpu\n",
      (long)n, (long)u, (long)nnz, 100.0 * nnz / (double)(n * u), shuffles, threads, s, cpu);
  return 0;
}
