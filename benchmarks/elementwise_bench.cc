// The elementwise and row-reduction kernels of the Backend interface, for
// every registered backend that can run here (cuda too under --config=cuda,
// with device-resident operands: bench_device.h), at the activation and
// parameter sizes the models use (tests/testing/shapes.h). These kernels are
// memory-bound: bytes = each input read once + each output written once
// (METRICS.md), flops = the arithmetic per element. Each case is first
// checked against the reference.
#include <functional>

#include "absl/strings/str_cat.h"
#include "benchmarks/bench_device.h"
#include "benchmarks/bench_util.h"
#include "monosem/backend.h"
#include "monosem/random_fill.h"
#include "tests/testing/shapes.h"

namespace monosem::bench {
namespace {

using testing::Matrix;

// One case's operands: a, b, c, d of the full size, bias of one row.
struct Operands {
  Tensor a, b, c, d, bias;
};

struct Op {
  const char* name;
  int reads, writes;  // float tensors of the full size read / written
  double flops_per_element;
  // The operands the op writes, compared with the reference's, under the
  // tolerance of this reduction depth (0: the number of rows).
  std::vector<std::string> outputs;
  int64_t depth;
  std::function<absl::Status(Backend&, Operands&)> run;
};

const Op kOps[] = {
    {"relu", 1, 1, 1, {"b"}, 1, [](Backend& be, Operands& o) { return be.Relu(o.a, &o.b); }},
    {"relu_backward", 2, 1, 1, {"c"}, 1,
     [](Backend& be, Operands& o) { return be.ReluBackward(o.a, o.b, &o.c); }},
    {"add_row_bias", 1, 1, 1, {"b"}, 2,
     [](Backend& be, Operands& o) { return be.AddRowBias(o.bias, &o.b); }},
    {"sum_rows", 1, 0, 1, {"bias"}, 0,
     [](Backend& be, Operands& o) { return be.SumRows(o.a, &o.bias); }},
    {"axpby", 2, 1, 3, {"b"}, 2,
     [](Backend& be, Operands& o) { return be.Axpby(0.5f, o.a, 0.999f, &o.b); }},
    {"mul", 2, 1, 1, {"c"}, 1, [](Backend& be, Operands& o) { return be.Mul(o.a, o.b, &o.c); }},
    // param, m, v read and written, grad read.
    {"adamw", 4, 3, 12, {"b", "c", "d"}, 12,
     [](Backend& be, Operands& o) {
       AdamWParams p;
       return be.AdamW(p, 10, o.a, &o.b, &o.c, &o.d);
     }},
};

// The same fresh inputs for every backend.
Operands HostOperands(const Matrix& s) {
  Operands o{Tensor::Uninitialized({s.rows, s.cols}), Tensor::Uninitialized({s.rows, s.cols}),
             Tensor({s.rows, s.cols}), Tensor::Filled({s.rows, s.cols}, 0.01f),
             Tensor::Uninitialized({s.cols})};
  FillUniform(1, 1, -1, 1, &o.a);
  FillUniform(1, 2, -1, 1, &o.b);
  FillUniform(1, 3, -1, 1, &o.bias);
  return o;
}

absl::StatusOr<Operands> PlaceOperands(const Backend& be, const Operands& host) {
  Operands o;
  for (auto [dst, src] : {std::pair<Tensor*, const Tensor*>{&o.a, &host.a}, {&o.b, &host.b},
                          {&o.c, &host.c}, {&o.d, &host.d}, {&o.bias, &host.bias}}) {
    auto placed = Place(be, *src);
    if (!placed.ok()) return placed.status();
    *dst = std::move(*placed);
  }
  return o;
}

const Tensor& Named(const Operands& o, const std::string& name) {
  if (name == "a") return o.a;
  if (name == "b") return o.b;
  if (name == "c") return o.c;
  if (name == "d") return o.d;
  return o.bias;
}

// Runs the op once on `be` from the host inputs; its outputs on the host.
absl::StatusOr<Outputs> RunOnce(Backend& be, const Op& op, const Matrix& s, const Operands& host) {
  auto o = PlaceOperands(be, host);
  if (!o.ok()) return o.status();
  if (absl::Status st = op.run(be, *o); !st.ok()) return st;
  Outputs out;
  for (const std::string& name : op.outputs) {
    auto value = ToHost(Named(*o, name));
    if (!value.ok()) return value.status();
    out.push_back({name, std::move(*value), Float32Tolerance(op.depth > 0 ? op.depth : s.rows)});
  }
  return out;
}

void BM_Elementwise(benchmark::State& state, std::string backend_name, Op op, Matrix s) {
  auto backend = BackendRegistry::Create(backend_name);
  if (!bench::UsableOrSkip(state, backend_name, backend)) return;
  Backend& be = **backend;
  const Operands host = HostOperands(s);
  const RunCase on_reference = [&]() -> absl::StatusOr<Outputs> {
    auto ref = BackendRegistry::Create("reference");
    if (!ref.ok()) return ref.status();
    return RunOnce(**ref, op, s, host);
  };
  const RunCase on_backend = [&] { return RunOnce(be, op, s, host); };
  if (!MatchesReference(state, backend_name, absl::StrCat("elementwise ", op.name, " ", s.name),
                        on_reference, on_backend)) {
    return;
  }

  const double n = static_cast<double>(s.rows) * s.cols;
  const int rot = InputRotations(be, static_cast<int64_t>(4 * n * (op.reads + op.writes)));
  std::vector<Operands> sets;
  for (int r = 0; r < rot; ++r) {
    auto o = PlaceOperands(be, host);
    if (!o.ok()) {
      state.SkipWithError(std::string(o.status().message()).c_str());
      return;
    }
    sets.push_back(std::move(*o));
  }
  int64_t i = 0;
  for (auto _ : state) {
    PlantedSlowdown planted;
    absl::Status st = op.run(be, sets[static_cast<size_t>(i++ % rot)]);
    if (st.ok()) st = Synchronize(be);
    if (!st.ok()) {
      state.SkipWithError(std::string(st.message()).c_str());
      break;
    }
    benchmark::ClobberMemory();
  }
  if (rot > 1) state.counters["rotations"] = rot;
  const double out_bytes = op.writes > 0 ? op.writes * n * 4 : s.cols * 4.0;
  SetThroughputOn(state, be, op.flops_per_element * n, op.reads * n * 4 + out_bytes);
}

void Register() {
  for (const Matrix& s : testing::ElementwiseMatrices()) {
    for (const Op& op : kOps) {
      for (const std::string& name : BackendRegistry::Names()) {
        auto backend = BackendRegistry::Create(name);
        if (!backend.ok()) continue;
        if (s.where == testing::Where::kDeviceOnly && (*backend)->device() == Device::kHost) {
          continue;
        }
        benchmark::RegisterBenchmark(
            absl::StrCat("BM_Elementwise/", op.name, "_", s.name, "/", name).c_str(),
            BM_Elementwise, name, op, s)
            ->UseRealTime()
            ->Unit(benchmark::kMicrosecond);
      }
    }
  }
}

MONOSEM_BENCHMARK_REGISTRAR(elementwise, Register);

}  // namespace
}  // namespace monosem::bench
