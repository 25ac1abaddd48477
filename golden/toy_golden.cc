// Golden cases for the toy model (golden/toy.textproto): forward/backward at
// fixed seeds and several shapes ("toy.forward_backward"), and a 200-step
// training run per experiment config ("toy.train": the loss at fixed steps,
// the final W and b, and the final per-instance metrics). Every backend's toy
// kernels (found by its backend name) are checked against them.
#include <cmath>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "golden/golden_sets.h"
#include "monosem/golden.h"
#include "monosem/models/toy/toy_kernels.h"
#include "monosem/models/toy/toy_metrics.h"
#include "monosem/models/toy/toy_model.h"
#include "monosem/status.h"

namespace monosem {
namespace {

absl::StatusOr<TensorMap> ForwardBackwardOp(Backend& backend, const GoldenCase& c, TensorMap& in) {
  MONOSEM_ASSIGN_OR_RETURN(auto kernels, ToyKernelsRegistry::Create(backend));
  MONOSEM_ASSIGN_OR_RETURN(double relu, ParamDouble(c, "relu"));
  MONOSEM_ASSIGN_OR_RETURN(const Tensor* x, GoldenInput(c, in, "x"));
  MONOSEM_ASSIGN_OR_RETURN(const Tensor* w, GoldenInput(c, in, "w"));
  MONOSEM_ASSIGN_OR_RETURN(const Tensor* b, GoldenInput(c, in, "b"));
  MONOSEM_ASSIGN_OR_RETURN(const Tensor* imp, GoldenInput(c, in, "importance"));
  // x is drawn U[-1, 1); the toy model's inputs are >= 0 and sparse.
  Tensor xs = x->Clone();
  for (int64_t e = 0; e < xs.size(); ++e) xs[e] = xs[e] > 0 ? xs[e] : 0.0f;
  Tensor loss = Tensor::Filled({w->dim(0)}, NAN), dw = Tensor::Filled(w->shape(), NAN),
         db = Tensor::Filled(b->shape(), NAN);
  MONOSEM_RETURN_IF_ERROR(kernels->ForwardBackward(relu != 0, xs, *w, *b, *imp, &loss, &dw, &db));
  TensorMap out;
  out.emplace("loss", std::move(loss));
  out.emplace("dw", std::move(dw));
  out.emplace("db", std::move(db));
  return out;
}

absl::StatusOr<TensorMap> TrainOp(Backend& backend, const GoldenCase& c, TensorMap&) {
  MONOSEM_ASSIGN_OR_RETURN(auto kernels, ToyKernelsRegistry::Create(backend));
  ToySpec s;
  MONOSEM_ASSIGN_OR_RETURN(double n, ParamDouble(c, "n"));
  MONOSEM_ASSIGN_OR_RETURN(double m, ParamDouble(c, "m"));
  MONOSEM_ASSIGN_OR_RETURN(double relu, ParamDouble(c, "relu"));
  MONOSEM_ASSIGN_OR_RETURN(double decay, ParamDouble(c, "importance_decay"));
  MONOSEM_ASSIGN_OR_RETURN(double steps, ParamDouble(c, "steps"));
  MONOSEM_ASSIGN_OR_RETURN(double batch, ParamDouble(c, "batch"));
  MONOSEM_ASSIGN_OR_RETURN(double seed, ParamDouble(c, "seed"));
  MONOSEM_ASSIGN_OR_RETURN(std::string sparsity, ParamString(c, "sparsity"));
  s.n = static_cast<int64_t>(n);
  s.m = static_cast<int64_t>(m);
  s.relu = relu != 0;
  s.steps = static_cast<int64_t>(steps);
  s.batch = static_cast<int64_t>(batch);
  s.seed = static_cast<uint64_t>(seed);
  for (absl::string_view v : absl::StrSplit(sparsity, ',')) {
    float f;
    if (!absl::SimpleAtof(v, &f)) {
      return absl::InvalidArgumentError(absl::StrCat("golden case '", c.name(), "': bad sparsity"));
    }
    s.sparsity.push_back(f);
  }
  s.instances = static_cast<int64_t>(s.sparsity.size());
  for (int64_t j = 0; j < s.instances; ++j) {
    for (int64_t i = 0; i < s.n; ++i) s.importance.push_back(std::pow(static_cast<float>(decay), i));
  }
  s.record_steps = {1, s.steps / 4, s.steps / 2, s.steps};
  MONOSEM_ASSIGN_OR_RETURN(ToyTrainResult r, TrainToy(s, backend, *kernels));
  Tensor losses({static_cast<int64_t>(r.recorded_loss.size()), s.instances});
  for (size_t k = 0; k < r.recorded_loss.size(); ++k) {
    for (int64_t j = 0; j < s.instances; ++j) losses[k * s.instances + j] = r.recorded_loss[k][j];
  }
  // Final metrics that are well conditioned across backends: norm_i, and per
  // instance features_per_dim and represented. (Directions of near-zero
  // columns, hence their D_i and interference, are not.)
  Tensor norms({s.instances, s.n}), scalars({s.instances, 2});
  for (int64_t j = 0; j < s.instances; ++j) {
    const ToyMetrics met = ComputeToyMetrics(r.w.data() + j * s.m * s.n, s.m, s.n);
    for (int64_t i = 0; i < s.n; ++i) norms[j * s.n + i] = static_cast<float>(met.norm[i]);
    scalars[j * 2] = static_cast<float>(met.features_per_dim);
    scalars[j * 2 + 1] = static_cast<float>(met.represented);
  }
  TensorMap out;
  out.emplace("loss_at_steps", std::move(losses));
  // W itself only where it stays readable; norm_i covers the large configs.
  if (s.m * s.n <= 1000) out.emplace("w", std::move(r.w));
  out.emplace("b", std::move(r.b));
  out.emplace("norm", std::move(norms));
  out.emplace("features_per_dim_and_represented", std::move(scalars));
  return out;
}

MONOSEM_REGISTER_GOLDEN_OP(toy_fb, "toy.forward_backward", ForwardBackwardOp);
MONOSEM_REGISTER_GOLDEN_OP(toy_train, "toy.train", TrainOp);

GoldenFile ToyCases() {
  GoldenFile f;
  f.set_description(
      "Toy model of superposition: forward/backward (loss, dW, db) at fixed Philox seeds and "
      "several shapes, and a 200-step training run per experiment config (loss at steps 1, 50, "
      "100, 200; final W, b, norm_i, features_per_dim, represented). Outputs are the reference "
      "backend's. Regenerate with: bazel run //golden:regen");
  struct FB {
    int64_t instances, batch, n, m;
  };
  uint64_t seed = 300;
  for (FB s : {FB{1, 1, 1, 1}, FB{3, 17, 20, 5}, FB{2, 9, 7, 2}, FB{1, 5, 400, 30}}) {
    for (int relu : {1, 0}) {
      GoldenCase* c = f.add_cases();
      c->set_name(absl::StrCat("toy_fb_I", s.instances, "_B", s.batch, "_n", s.n, "_m", s.m,
                               relu ? "_relu" : "_linear"));
      c->set_op("toy.forward_backward");
      (*c->mutable_params())["relu"] = relu ? "1" : "0";
      ++seed;
      *c->add_inputs() = UniformInput("x", {s.instances, s.batch, s.n}, seed, 1, -1, 1);
      *c->add_inputs() = UniformInput("w", {s.instances, s.m, s.n}, seed, 2, -0.5f, 0.5f);
      *c->add_inputs() = UniformInput("b", {s.instances, s.n}, seed, 3, -0.1f, 0.1f);
      *c->add_inputs() = UniformInput("importance", {s.instances, s.n}, seed, 4, 0.1f, 1);
      ToleranceSpec t = ToSpec(Float32Tolerance(s.batch * (s.n + s.m)));
      t.set_atol(1e-6);  // the loss squares y − x, which cancels (see toy_cross_backend_test)
      *c->mutable_tolerance() = t;
    }
  }
  struct Train {
    const char* name;
    int n, m, relu;
    double decay;
    const char* sparsity;
    int batch;
  };
  for (Train t : {Train{"exp1_n20_m5_linear", 20, 5, 0, 0.7, "0,0.7,0.9,0.97,0.99,0.999", 256},
                  Train{"exp1_n20_m5_relu", 20, 5, 1, 0.7, "0,0.7,0.9,0.97,0.99,0.999", 256},
                  Train{"exp2_n5_m2_relu", 5, 2, 1, 0.9, "0,0.283,0.487,0.632,0.736,0.811,0.865,0.903,0.930,0.95", 256},
                  Train{"exp3_n2_m1_relu", 2, 1, 1, 1.0, "0,0.9,0.99", 256},
                  Train{"exp4_n400_m30_relu", 400, 30, 1, 1.0, "0.5,0.8", 32}}) {
    GoldenCase* c = f.add_cases();
    c->set_name(absl::StrCat("toy_train200_", t.name));
    c->set_op("toy.train");
    auto& p = *c->mutable_params();
    p["n"] = absl::StrCat(t.n);
    p["m"] = absl::StrCat(t.m);
    p["relu"] = absl::StrCat(t.relu);
    p["importance_decay"] = absl::StrCat(t.decay);
    p["sparsity"] = t.sparsity;
    p["steps"] = "200";
    p["batch"] = absl::StrCat(t.batch);
    p["seed"] = "5";
    ToleranceSpec tol = ToSpec(Float32Tolerance(int64_t{200} * t.batch * (t.n + t.m)));
    tol.set_atol(1e-5);
    *c->mutable_tolerance() = tol;
  }
  return f;
}

MONOSEM_REGISTER_GOLDEN_SET(toy, "toy.textproto", ToyCases);

}  // namespace
}  // namespace monosem
