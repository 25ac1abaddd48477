// Golden cases for the foundation kernels: GEMM (every transpose, alpha,
// beta) and the elementwise ops, at small awkward shapes so the file stays
// readable. The ops are registered for every golden file to use.
#include "absl/strings/str_cat.h"
#include "golden/golden_sets.h"
#include "monosem/golden.h"
#include "monosem/status.h"

namespace monosem {
namespace {

absl::StatusOr<Trans> ParamTrans(const GoldenCase& c, const std::string& key) {
  MONOSEM_ASSIGN_OR_RETURN(std::string v, ParamString(c, key));
  if (v == "N") return Trans::kNo;
  if (v == "T") return Trans::kYes;
  return absl::InvalidArgumentError(
      absl::StrCat("golden case '", c.name(), "': ", key, " must be N or T, got '", v, "'"));
}

absl::StatusOr<TensorMap> GemmOp(Backend& b, const GoldenCase& c, TensorMap& in) {
  MONOSEM_ASSIGN_OR_RETURN(Trans ta, ParamTrans(c, "ta"));
  MONOSEM_ASSIGN_OR_RETURN(Trans tb, ParamTrans(c, "tb"));
  MONOSEM_ASSIGN_OR_RETURN(double alpha, ParamDouble(c, "alpha"));
  MONOSEM_ASSIGN_OR_RETURN(double beta, ParamDouble(c, "beta"));
  MONOSEM_ASSIGN_OR_RETURN(const Tensor* a, GoldenInput(c, in, "a"));
  MONOSEM_ASSIGN_OR_RETURN(const Tensor* bm, GoldenInput(c, in, "b"));
  const int64_t m = ta == Trans::kNo ? a->dim(0) : a->dim(1);
  const int64_t n = tb == Trans::kNo ? bm->dim(1) : bm->dim(0);
  Tensor out = Tensor::Filled({m, n}, NAN);
  if (beta != 0) {
    MONOSEM_ASSIGN_OR_RETURN(const Tensor* c0, GoldenInput(c, in, "c"));
    out = c0->Clone();
  }
  MONOSEM_RETURN_IF_ERROR(b.Gemm(ta, tb, alpha, *a, *bm, beta, &out));
  TensorMap result;
  result.emplace("c", std::move(out));
  return result;
}

absl::StatusOr<TensorMap> ElementwiseOp(Backend& b, const GoldenCase& c, TensorMap& in) {
  MONOSEM_ASSIGN_OR_RETURN(const Tensor* x, GoldenInput(c, in, "x"));
  TensorMap result;
  if (c.op() == "relu") {
    Tensor y = Tensor::Filled(x->shape(), NAN);
    MONOSEM_RETURN_IF_ERROR(b.Relu(*x, &y));
    result.emplace("y", std::move(y));
  } else if (c.op() == "sum_rows") {
    Tensor y = Tensor::Filled({x->dim(1)}, NAN);
    MONOSEM_RETURN_IF_ERROR(b.SumRows(*x, &y));
    result.emplace("y", std::move(y));
  } else if (c.op() == "add_row_bias") {
    MONOSEM_ASSIGN_OR_RETURN(const Tensor* bias, GoldenInput(c, in, "bias"));
    Tensor y = x->Clone();
    MONOSEM_RETURN_IF_ERROR(b.AddRowBias(*bias, &y));
    result.emplace("y", std::move(y));
  } else if (c.op() == "adamw") {
    MONOSEM_ASSIGN_OR_RETURN(const Tensor* g, GoldenInput(c, in, "grad"));
    AdamWParams p;
    MONOSEM_ASSIGN_OR_RETURN(double lr, ParamDouble(c, "lr"));
    MONOSEM_ASSIGN_OR_RETURN(double wd, ParamDouble(c, "weight_decay"));
    MONOSEM_ASSIGN_OR_RETURN(double steps, ParamDouble(c, "steps"));
    p.lr = static_cast<float>(lr);
    p.weight_decay = static_cast<float>(wd);
    Tensor w = x->Clone(), m(x->shape()), v(x->shape());
    for (int step = 1; step <= static_cast<int>(steps); ++step) {
      MONOSEM_RETURN_IF_ERROR(b.AdamW(p, step, *g, &w, &m, &v));
    }
    result.emplace("param", std::move(w));
    result.emplace("m", std::move(m));
    result.emplace("v", std::move(v));
  }
  return result;
}

MONOSEM_REGISTER_GOLDEN_OP(gemm, "gemm", GemmOp);
MONOSEM_REGISTER_GOLDEN_OP(relu, "relu", ElementwiseOp);
MONOSEM_REGISTER_GOLDEN_OP(sum_rows, "sum_rows", ElementwiseOp);
MONOSEM_REGISTER_GOLDEN_OP(add_row_bias, "add_row_bias", ElementwiseOp);
MONOSEM_REGISTER_GOLDEN_OP(adamw, "adamw", ElementwiseOp);

GoldenFile KernelCases() {
  GoldenFile f;
  f.set_description(
      "Foundation kernels: GEMM in every transpose combination and the elementwise ops. "
      "Inputs are Philox4x32-10 draws (seed, stream, shape); outputs are the reference "
      "backend's. Regenerate with: bazel run //golden:regen");
  uint64_t seed = 100;
  struct G {
    int64_t m, n, k;
  };
  for (G g : {G{1, 1, 1}, G{7, 5, 13}, G{16, 3, 33}}) {
    for (const char* ta : {"N", "T"}) {
      for (const char* tb : {"N", "T"}) {
        for (double beta : {0.0, 0.5}) {
          GoldenCase* c = f.add_cases();
          c->set_name(absl::StrCat("gemm_", ta, tb, "_", g.m, "x", g.n, "x", g.k,
                                   beta != 0 ? "_beta" : ""));
          c->set_op("gemm");
          (*c->mutable_params())["ta"] = ta;
          (*c->mutable_params())["tb"] = tb;
          (*c->mutable_params())["alpha"] = beta != 0 ? "-0.75" : "1";
          (*c->mutable_params())["beta"] = beta != 0 ? "0.5" : "0";
          ++seed;
          *c->add_inputs() = UniformInput("a", ta[0] == 'N' ? std::vector<int64_t>{g.m, g.k}
                                                       : std::vector<int64_t>{g.k, g.m},
                                     seed, 1);
          *c->add_inputs() = UniformInput("b", tb[0] == 'N' ? std::vector<int64_t>{g.k, g.n}
                                                       : std::vector<int64_t>{g.n, g.k},
                                     seed, 2);
          if (beta != 0) *c->add_inputs() = UniformInput("c", {g.m, g.n}, seed, 3);
          *c->mutable_tolerance() = ToSpec(Float32Tolerance(g.k + (beta != 0)));
        }
      }
    }
  }
  for (const char* op : {"relu", "sum_rows", "add_row_bias", "adamw"}) {
    GoldenCase* c = f.add_cases();
    c->set_name(absl::StrCat(op, "_9x17"));
    c->set_op(op);
    ++seed;
    *c->add_inputs() = UniformInput("x", {9, 17}, seed, 1);
    if (std::string(op) == "add_row_bias") *c->add_inputs() = UniformInput("bias", {17}, seed, 2);
    if (std::string(op) == "adamw") {
      *c->add_inputs() = UniformInput("grad", {9, 17}, seed, 2);
      (*c->mutable_params())["lr"] = "0.01";
      (*c->mutable_params())["weight_decay"] = "0.1";
      (*c->mutable_params())["steps"] = "3";
    }
    const int64_t depth = std::string(op) == "sum_rows" ? 9 : std::string(op) == "adamw" ? 12 : 2;
    *c->mutable_tolerance() = ToSpec(Float32Tolerance(depth));
  }
  return f;
}

MONOSEM_REGISTER_GOLDEN_SET(kernels, "kernels.textproto", KernelCases);

}  // namespace
}  // namespace monosem
