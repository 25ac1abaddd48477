// GEMM at the shapes the models really use, for every registered backend.
// FLOPs = 2*M*N*K; bytes = 4*(M*K + K*N + M*N) (each operand once).
#include <cmath>

#include "absl/strings/str_cat.h"
#include "benchmarks/bench_util.h"
#include "monosem/backend.h"
#include "monosem/random_fill.h"

namespace monosem::bench {
namespace {

struct GemmShape {
  const char* what;
  int64_t m, n, k;
  Trans ta, tb;
};

// Forward and backward shapes of the three models at their default sizes.
const GemmShape kShapes[] = {
    {"toy_fwd_b1024_n400_m30", 1024, 30, 400, Trans::kNo, Trans::kYes},
    {"toy_bwd_dW_m30_n400", 30, 400, 1024, Trans::kYes, Trans::kNo},
    {"mlp_in_t4096_d128_f512", 4096, 512, 128, Trans::kNo, Trans::kYes},
    {"mlp_out_t4096_f512_d128", 4096, 128, 512, Trans::kNo, Trans::kYes},
    {"sae_enc_b4096_d512_F4096", 4096, 4096, 512, Trans::kNo, Trans::kYes},
    {"sae_dec_b4096_F4096_d512", 4096, 512, 4096, Trans::kNo, Trans::kNo},
};

// The reference is the spec, not a contender: bench it only where one
// iteration stays under ~0.1 GMAC.
constexpr double kReferenceMaxMacs = 1e8;

void BM_Gemm(benchmark::State& state, std::string backend_name, GemmShape s) {
  auto backend = BackendRegistry::Create(backend_name);
  if (!backend.ok() || !(*backend)->Available().ok()) {
    state.SkipWithError("backend unavailable");
    return;
  }
  Tensor a = Tensor::Uninitialized(s.ta == Trans::kNo ? Shape{s.m, s.k} : Shape{s.k, s.m});
  Tensor b = Tensor::Uninitialized(s.tb == Trans::kNo ? Shape{s.k, s.n} : Shape{s.n, s.k});
  Tensor c({s.m, s.n});
  FillUniform(1, 1, -1, 1, &a);
  FillUniform(1, 2, -1, 1, &b);
  for (auto _ : state) {
    PlantedSlowdown planted;  // no-op unless MONOSEM_BENCH_PLANTED_SLOWDOWN is set
    absl::Status st = (*backend)->Gemm(s.ta, s.tb, 1.0f, a, b, 0.0f, &c);
    if (!st.ok()) {
      state.SkipWithError(std::string(st.message()).c_str());
      break;
    }
    benchmark::ClobberMemory();
  }
  SetThroughput(state, 2.0 * s.m * s.n * static_cast<double>(s.k),
                4.0 * (s.m * s.k + s.k * s.n + s.m * s.n));
}

void Register() {
  for (const GemmShape& s : kShapes) {
    for (const std::string& name : BackendRegistry::Names()) {
      const double macs = static_cast<double>(s.m) * s.n * s.k;
      if (name == "reference" && macs > kReferenceMaxMacs) continue;
      benchmark::RegisterBenchmark(absl::StrCat("BM_Gemm/", s.what, "/", name).c_str(), BM_Gemm,
                                   name, s)
          ->UseRealTime()
          ->Unit(benchmark::kMillisecond);
    }
  }
}

MONOSEM_BENCHMARK_REGISTRAR(gemm, Register);

}  // namespace
}  // namespace monosem::bench
