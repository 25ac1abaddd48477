// GEMM at the shapes the models really use (tests/testing/shapes.h), for
// every registered backend that can run here: cuda too under --config=cuda,
// with device-resident operands (bench_device.h).
// FLOPs = 2*M*N*K; bytes = 4*(M*K + K*N + M*N) (each operand once).
// Before timing, each case is checked against the reference on a sample of
// C's rows (the reference is naive and double-accumulating: all of C at the
// SAE shapes would take it minutes).
#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "benchmarks/bench_device.h"
#include "benchmarks/bench_util.h"
#include "monosem/backend.h"
#include "monosem/random_fill.h"
#include "tests/testing/shapes.h"

namespace monosem::bench {
namespace {

using testing::ModelGemm;
using testing::ModelGemms;

// The reference is the spec, not a contender: bench it only where one
// iteration stays under ~0.1 GMAC.
constexpr double kReferenceMaxMacs = 1e8;

Shape AShape(const ModelGemm& s) {
  return s.ta == Trans::kNo ? Shape{s.dims.m, s.dims.k} : Shape{s.dims.k, s.dims.m};
}
Shape BShape(const ModelGemm& s) {
  return s.tb == Trans::kNo ? Shape{s.dims.k, s.dims.n} : Shape{s.dims.n, s.dims.k};
}

// Rows [0, rows) of op(A): the leading rows of A, or its leading columns
// when A is transposed.
Tensor LeadingRowsOfOpA(const ModelGemm& s, const Tensor& a, int64_t rows) {
  const int64_t k = s.dims.k, m = s.dims.m;
  if (s.ta == Trans::kNo) {
    Tensor out = Tensor::Uninitialized({rows, k});
    std::copy(a.data(), a.data() + rows * k, out.data());
    return out;
  }
  Tensor out = Tensor::Uninitialized({k, rows});
  for (int64_t p = 0; p < k; ++p) {
    std::copy(a.data() + p * m, a.data() + p * m + rows, out.data() + p * rows);
  }
  return out;
}

void BM_Gemm(benchmark::State& state, std::string backend_name, ModelGemm s) {
  auto backend = BackendRegistry::Create(backend_name);
  if (!bench::UsableOrSkip(state, backend_name, backend)) return;
  Backend& be = **backend;
  const int64_t m = s.dims.m, n = s.dims.n, k = s.dims.k;
  Tensor a = Tensor::Uninitialized(AShape(s));
  Tensor b = Tensor::Uninitialized(BShape(s));
  FillUniform(1, 1, -1, 1, &a);
  FillUniform(1, 2, -1, 1, &b);

  // Validation: the backend's C against the reference's on C's leading rows,
  // as many as keep the reference under ~1e8 multiply-adds.
  const int64_t rows = std::clamp<int64_t>(static_cast<int64_t>(1e8 / (double(n) * k)), 1, m);
  const RunCase on_reference = [&]() -> absl::StatusOr<Outputs> {
    auto ref = BackendRegistry::Create("reference");
    if (!ref.ok()) return ref.status();
    Tensor c({rows, n});
    absl::Status st = (*ref)->Gemm(s.ta, s.tb, 1.0f, LeadingRowsOfOpA(s, a, rows), b, 0.0f, &c);
    if (!st.ok()) return st;
    Outputs out;
    out.push_back({"C", std::move(c), Float32Tolerance(k)});
    return out;
  };
  const RunCase on_backend = [&]() -> absl::StatusOr<Outputs> {
    auto da = Place(be, a), db = Place(be, b), dc = Place(be, Tensor({m, n}));
    for (auto* t : {&da, &db, &dc}) {
      if (!t->ok()) return t->status();
    }
    if (absl::Status st = be.Gemm(s.ta, s.tb, 1.0f, *da, *db, 0.0f, &*dc); !st.ok()) return st;
    auto c = ToHost(*dc);
    if (!c.ok()) return c.status();
    Tensor lead = Tensor::Uninitialized({rows, n});
    std::copy(c->data(), c->data() + rows * n, lead.data());
    Outputs out;
    out.push_back({"C", std::move(lead), Float32Tolerance(k)});
    return out;
  };
  if (!MatchesReference(state, backend_name, absl::StrCat("gemm ", s.name), on_reference,
                        on_backend)) {
    return;
  }

  // Operands where the backend computes; on a device, several input sets.
  const int rot = InputRotations(be, 4 * (m * k + k * n));
  std::vector<Tensor> as, bs;
  for (int r = 0; r < rot; ++r) {
    auto da = Place(be, a), db = Place(be, b);
    if (!da.ok() || !db.ok()) {
      state.SkipWithError("cannot place the operands on the backend's device");
      return;
    }
    as.push_back(std::move(*da));
    bs.push_back(std::move(*db));
  }
  auto c = Place(be, Tensor({m, n}));
  if (!c.ok()) {
    state.SkipWithError(std::string(c.status().message()).c_str());
    return;
  }
  int64_t i = 0;
  for (auto _ : state) {
    PlantedSlowdown planted;  // no-op unless MONOSEM_BENCH_PLANTED_SLOWDOWN is set
    const size_t r = static_cast<size_t>(i++ % rot);
    absl::Status st = be.Gemm(s.ta, s.tb, 1.0f, as[r], bs[r], 0.0f, &*c);
    if (st.ok()) st = Synchronize(be);
    if (!st.ok()) {
      state.SkipWithError(std::string(st.message()).c_str());
      break;
    }
    benchmark::ClobberMemory();
  }
  if (rot > 1) state.counters["rotations"] = rot;
  SetThroughputOn(state, be, 2.0 * m * n * static_cast<double>(k), 4.0 * (m * k + k * n + m * n));
}

void Register() {
  for (const ModelGemm& s : ModelGemms()) {
    for (const std::string& name : BackendRegistry::Names()) {
      auto backend = BackendRegistry::Create(name);
      if (!backend.ok()) continue;
      const bool device = (*backend)->device() != Device::kHost;
      if (s.where == testing::Where::kDeviceOnly && !device) continue;
      const double macs = static_cast<double>(s.dims.m) * s.dims.n * s.dims.k;
      if (name == "reference" && macs > kReferenceMaxMacs) continue;
      benchmark::RegisterBenchmark(absl::StrCat("BM_Gemm/", s.name, "/", name).c_str(), BM_Gemm,
                                   name, s)
          ->UseRealTime()
          ->Unit(benchmark::kMillisecond);
    }
  }
}

MONOSEM_BENCHMARK_REGISTRAR(gemm, Register);

}  // namespace
}  // namespace monosem::bench
