// The elementwise and row-reduction kernels of the Backend interface, for
// every registered backend, at the activation and parameter sizes the models
// use. These kernels are memory-bound: bytes = each input read once + each
// output written once (METRICS.md), flops = the arithmetic per element.
#include <functional>

#include "absl/strings/str_cat.h"
#include "benchmarks/bench_util.h"
#include "monosem/backend.h"
#include "monosem/random_fill.h"

namespace monosem::bench {
namespace {

struct Op {
  const char* name;
  int reads, writes;  // float tensors of the full size read / written
  double flops_per_element;
  std::function<absl::Status(Backend&, Tensor&, Tensor&, Tensor&, Tensor&, Tensor&)> run;
};

const Op kOps[] = {
    {"relu", 1, 1, 1, [](Backend& b, Tensor& x, Tensor& y, Tensor&, Tensor&, Tensor&) {
       return b.Relu(x, &y);
     }},
    {"relu_backward", 2, 1, 1, [](Backend& b, Tensor& x, Tensor& y, Tensor& z, Tensor&, Tensor&) {
       return b.ReluBackward(x, y, &z);
     }},
    {"add_row_bias", 1, 1, 1, [](Backend& b, Tensor&, Tensor& y, Tensor&, Tensor&, Tensor& bias) {
       return b.AddRowBias(bias, &y);
     }},
    {"sum_rows", 1, 0, 1, [](Backend& b, Tensor& x, Tensor&, Tensor&, Tensor&, Tensor& bias) {
       return b.SumRows(x, &bias);
     }},
    {"axpby", 2, 1, 3, [](Backend& b, Tensor& x, Tensor& y, Tensor&, Tensor&, Tensor&) {
       return b.Axpby(0.5f, x, 0.999f, &y);
     }},
    {"mul", 2, 1, 1, [](Backend& b, Tensor& x, Tensor& y, Tensor& z, Tensor&, Tensor&) {
       return b.Mul(x, y, &z);
     }},
    // param, m, v read and written, grad read.
    {"adamw", 4, 3, 12, [](Backend& b, Tensor& g, Tensor& w, Tensor& m, Tensor& v, Tensor&) {
       AdamWParams p;
       return b.AdamW(p, 10, g, &w, &m, &v);
     }},
};

struct Size {
  const char* what;
  int64_t rows, cols;
};

// The transformer's MLP activations (32x128 tokens x 512) and an SAE
// parameter matrix (F=4096 x d=512).
const Size kSizes[] = {{"act_t4096_f512", 4096, 512}, {"param_F4096_d512", 4096, 512}};

void BM_Elementwise(benchmark::State& state, std::string backend_name, Op op, Size s) {
  auto backend = BackendRegistry::Create(backend_name);
  if (!backend.ok() || !(*backend)->Available().ok()) {
    state.SkipWithError("backend unavailable");
    return;
  }
  Tensor a = Tensor::Uninitialized({s.rows, s.cols}), b = Tensor::Uninitialized({s.rows, s.cols});
  Tensor c({s.rows, s.cols}), d = Tensor::Filled({s.rows, s.cols}, 0.01f);
  Tensor bias = Tensor::Uninitialized({s.cols});
  FillUniform(1, 1, -1, 1, &a);
  FillUniform(1, 2, -1, 1, &b);
  FillUniform(1, 3, -1, 1, &bias);
  for (auto _ : state) {
    PlantedSlowdown planted;
    absl::Status st = op.run(**backend, a, b, c, d, bias);
    if (!st.ok()) {
      state.SkipWithError(std::string(st.message()).c_str());
      break;
    }
    benchmark::ClobberMemory();
  }
  const double n = static_cast<double>(s.rows) * s.cols;
  const double out_bytes = op.writes > 0 ? op.writes * n * 4 : s.cols * 4.0;
  SetThroughput(state, op.flops_per_element * n, op.reads * n * 4 + out_bytes);
}

void Register() {
  for (const Size& s : kSizes) {
    for (const Op& op : kOps) {
      for (const std::string& name : BackendRegistry::Names()) {
        benchmark::RegisterBenchmark(
            absl::StrCat("BM_Elementwise/", op.name, "_", s.what, "/", name).c_str(),
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
