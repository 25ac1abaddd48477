// Golden cases for the one-layer transformer at a small awkward config
// (d_model 12, 3 heads of 4, context 7, vocabulary 11, d_mlp 10): the forward
// logits and loss and every parameter's gradient at fixed Philox weights and
// tokens, and the loss curve of a 100-step AdamW run from InitParams.
#include <cmath>

#include "absl/strings/str_cat.h"
#include "golden/golden_sets.h"
#include "monosem/golden.h"
#include "monosem/models/transformer/trainer.h"
#include "monosem/models/transformer/transformer.h"
#include "monosem/philox.h"
#include "monosem/status.h"

namespace monosem {
namespace {

absl::StatusOr<TransformerDims> DimsOf(const GoldenCase& c) {
  TransformerConfig cfg;
  MONOSEM_ASSIGN_OR_RETURN(double d, ParamDouble(c, "d_model"));
  MONOSEM_ASSIGN_OR_RETURN(double h, ParamDouble(c, "n_heads"));
  MONOSEM_ASSIGN_OR_RETURN(double s, ParamDouble(c, "n_ctx"));
  MONOSEM_ASSIGN_OR_RETURN(double m, ParamDouble(c, "d_mlp"));
  MONOSEM_ASSIGN_OR_RETURN(double v, ParamDouble(c, "vocab"));
  cfg.set_d_model(static_cast<int>(d));
  cfg.set_n_heads(static_cast<int>(h));
  cfg.set_n_ctx(static_cast<int>(s));
  cfg.set_d_mlp(static_cast<int>(m));
  cfg.set_vocab(static_cast<int>(v));
  return TransformerDims::FromProto(cfg);
}

absl::StatusOr<TokenBatch> TokensOf(const GoldenCase& c, const TransformerDims& dims) {
  MONOSEM_ASSIGN_OR_RETURN(double batch, ParamDouble(c, "batch"));
  MONOSEM_ASSIGN_OR_RETURN(double seed, ParamDouble(c, "token_seed"));
  auto windows = PhiloxTokenSource(static_cast<uint64_t>(seed), dims.vocab)(
      1, static_cast<int64_t>(batch), dims.n_ctx + 1);
  if (!windows.ok()) return windows.status();
  return NextTokenBatch(*windows, static_cast<int64_t>(batch), dims.n_ctx);
}

// Inputs are the parameters, by name; outputs logits, loss and grad.<name>.
absl::StatusOr<TensorMap> ForwardBackwardOp(Backend& b, const GoldenCase& c, TensorMap& in) {
  MONOSEM_ASSIGN_OR_RETURN(TransformerDims dims, DimsOf(c));
  MONOSEM_ASSIGN_OR_RETURN(TokenBatch batch, TokensOf(c, dims));
  MONOSEM_ASSIGN_OR_RETURN(Transformer model, Transformer::Create(dims, &b));
  ForwardCache cache;
  MONOSEM_RETURN_IF_ERROR(model.Forward(in, batch, &cache));
  NamedTensors grads;
  for (const std::string& n : TransformerParamNames()) {
    grads.emplace(n, Tensor::Filled(TransformerParamShape(dims, n), NAN));
  }
  MONOSEM_RETURN_IF_ERROR(model.Backward(in, batch, cache, &grads));
  TensorMap out;
  out.emplace("logits", std::move(cache.logits));
  out.emplace("loss", *Tensor::FromValues({1}, {static_cast<float>(cache.loss)}));
  for (auto& [n, g] : grads) out.emplace("grad." + n, std::move(g));
  return out;
}

// 100 AdamW steps from InitParams(seed) on Philox tokens; output: the loss
// at every step.
absl::StatusOr<TensorMap> TrainOp(Backend& b, const GoldenCase& c, TensorMap&) {
  MONOSEM_ASSIGN_OR_RETURN(TransformerDims dims, DimsOf(c));
  MONOSEM_ASSIGN_OR_RETURN(double steps, ParamDouble(c, "steps"));
  MONOSEM_ASSIGN_OR_RETURN(double batch, ParamDouble(c, "batch"));
  MONOSEM_ASSIGN_OR_RETURN(double seed, ParamDouble(c, "seed"));
  MONOSEM_ASSIGN_OR_RETURN(double lr, ParamDouble(c, "lr"));
  TrainOptions o;
  o.steps = static_cast<int64_t>(steps);
  o.batch_size = static_cast<int64_t>(batch);
  o.warmup_steps = 10;
  o.adam.lr = static_cast<float>(lr);
  o.seed = static_cast<uint64_t>(seed);
  MONOSEM_ASSIGN_OR_RETURN(auto trainer, TransformerTrainer::Create(dims, o, &b));
  // A learnable stream: a noisy cycle through the vocabulary.
  std::vector<int32_t> stream(4000);
  Philox noise(o.seed, 3);
  for (size_t i = 0; i < stream.size(); ++i) {
    stream[i] = static_cast<int32_t>((i * 3 + (noise.Uniform() < 0.1f ? 1 : 0)) % dims.vocab);
  }
  Tensor losses({o.steps});
  MONOSEM_RETURN_IF_ERROR(trainer->Train(StreamTokenSource(stream, o.seed), o.steps,
                                         [&](const StepStats& s) {
                                           losses[s.step - 1] = static_cast<float>(s.loss);
                                         }));
  TensorMap out;
  out.emplace("loss_curve", std::move(losses));
  return out;
}

MONOSEM_REGISTER_GOLDEN_OP(transformer_fb, "transformer_forward_backward", ForwardBackwardOp);
MONOSEM_REGISTER_GOLDEN_OP(transformer_train, "transformer_train", TrainOp);

void SetDims(GoldenCase* c, const TransformerDims& d) {
  auto& p = *c->mutable_params();
  p["d_model"] = absl::StrCat(d.d_model);
  p["n_heads"] = absl::StrCat(d.n_heads);
  p["n_ctx"] = absl::StrCat(d.n_ctx);
  p["d_mlp"] = absl::StrCat(d.d_mlp);
  p["vocab"] = absl::StrCat(d.vocab);
}

GoldenFile TransformerCases() {
  GoldenFile f;
  f.set_description(
      "One-layer transformer (monosem/models/transformer): forward logits, mean next-token "
      "loss and every parameter's gradient at Philox weights (uniform [-0.5, 0.5), LayerNorm "
      "weights [0.5, 1.5)) and Philox tokens; and the loss at each step of a 100-step AdamW "
      "run (warmup 10, cosine decay, clip 1) from InitParams. Outputs are the reference "
      "backend's. Regenerate with: bazel run //golden:regen");
  const TransformerDims dims{12, 3, 7, 10, 11};
  for (int64_t batch : {1, 3}) {
    GoldenCase* c = f.add_cases();
    c->set_name(absl::StrCat("transformer_forward_backward_b", batch));
    c->set_op("transformer_forward_backward");
    SetDims(c, dims);
    (*c->mutable_params())["batch"] = absl::StrCat(batch);
    (*c->mutable_params())["token_seed"] = absl::StrCat(40 + batch);
    uint64_t stream = 1;
    for (const std::string& n : TransformerParamNames()) {
      InputSpec* s = c->add_inputs();
      s->set_name(n);
      for (int64_t d : TransformerParamShape(dims, n)) s->add_shape(d);
      s->set_seed(500 + batch);
      s->set_stream(stream++);
      s->set_distribution(InputSpec::UNIFORM);
      const bool ln_w = n.size() > 2 && n.substr(n.size() - 2) == ".w";
      s->set_low(ln_w ? 0.5f : -0.5f);
      s->set_high(ln_w ? 1.5f : 0.5f);
    }
    // Gradients chain through every layer: depth ~ tokens * (d + d_mlp + vocab).
    // Measured: cpu and torch use at most 1/8 of the resulting bound.
    *c->mutable_tolerance() =
        ToSpec(Float32Tolerance(batch * dims.n_ctx * (dims.d_model + dims.d_mlp + dims.vocab)));
  }
  GoldenCase* t = f.add_cases();
  t->set_name("transformer_train_100_steps");
  t->set_op("transformer_train");
  SetDims(t, dims);
  auto& p = *t->mutable_params();
  p["steps"] = "100";
  p["batch"] = "4";
  p["seed"] = "9";
  p["lr"] = "0.01";
  // 100 optimizer steps compound rounding differences. Measured: cpu and torch
  // differ from the reference by at most 2.1e-7 (mean 4e-8); this bound is
  // ~4e-5 per element, room for other thread counts and BLAS builds.
  Tolerance tol = Float32Tolerance(1 << 12);
  *t->mutable_tolerance() = ToSpec(tol);
  return f;
}

MONOSEM_REGISTER_GOLDEN_SET(transformer, "transformer.textproto", TransformerCases);

}  // namespace
}  // namespace monosem
