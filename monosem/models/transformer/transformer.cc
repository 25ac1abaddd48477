#include "monosem/models/transformer/transformer.h"

#include <cmath>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "monosem/random_fill.h"
#include "monosem/status.h"

namespace monosem {

absl::Status TransformerDims::Validate() const {
  auto bad = [](const std::string& what) {
    return absl::InvalidArgumentError(absl::StrCat("transformer config: ", what));
  };
  if (d_model < 1 || n_heads < 1 || n_ctx < 1 || d_mlp < 1 || vocab < 1) {
    return bad(absl::StrCat("every size must be >= 1 (d_model ", d_model, ", n_heads ", n_heads,
                            ", n_ctx ", n_ctx, ", d_mlp ", d_mlp, ", vocab ", vocab, ")"));
  }
  if (d_model % n_heads != 0) {
    return bad(absl::StrCat("d_model ", d_model, " is not a multiple of n_heads ", n_heads));
  }
  if (d_model > (1 << 16) || d_mlp > (1 << 20) || n_ctx > (1 << 16) || vocab > (1 << 24)) {
    return bad("a size is implausibly large");
  }
  return absl::OkStatus();
}

absl::StatusOr<TransformerDims> TransformerDims::FromProto(const TransformerConfig& c) {
  TransformerDims d;
  // Presence, not 0, means "given": an explicit 0 fails Validate.
  if (c.has_d_model()) d.d_model = c.d_model();
  if (c.has_n_heads()) d.n_heads = c.n_heads();
  if (c.has_n_ctx()) d.n_ctx = c.n_ctx();
  if (c.has_d_mlp()) d.d_mlp = c.d_mlp();
  if (c.has_vocab()) d.vocab = c.vocab();
  MONOSEM_RETURN_IF_ERROR(d.Validate());
  return d;
}

TransformerConfig TransformerDims::ToProto() const {
  TransformerConfig c;
  c.set_d_model(static_cast<int32_t>(d_model));
  c.set_n_heads(static_cast<int32_t>(n_heads));
  c.set_n_ctx(static_cast<int32_t>(n_ctx));
  c.set_d_mlp(static_cast<int32_t>(d_mlp));
  c.set_vocab(static_cast<int32_t>(vocab));
  return c;
}

const std::vector<std::string>& TransformerParamNames() {
  static const auto* names = new std::vector<std::string>{
      "embed.W_E", "pos_embed.W_pos", "ln1.w",      "ln1.b",      "attn.W_qkv", "attn.b_qkv",
      "attn.W_O",  "attn.b_O",        "ln2.w",      "ln2.b",      "mlp.W_in",   "mlp.b_in",
      "mlp.W_out", "mlp.b_out",       "ln_final.w", "ln_final.b", "unembed.W_U", "unembed.b_U"};
  return *names;
}

Shape TransformerParamShape(const TransformerDims& d, const std::string& name) {
  if (name == "embed.W_E") return {d.vocab, d.d_model};
  if (name == "pos_embed.W_pos") return {d.n_ctx, d.d_model};
  if (name == "attn.W_qkv") return {d.d_model, 3 * d.d_model};
  if (name == "attn.b_qkv") return {3 * d.d_model};
  if (name == "attn.W_O") return {d.d_model, d.d_model};
  if (name == "mlp.W_in") return {d.d_model, d.d_mlp};
  if (name == "mlp.b_in") return {d.d_mlp};
  if (name == "mlp.W_out") return {d.d_mlp, d.d_model};
  if (name == "unembed.W_U") return {d.d_model, d.vocab};
  if (name == "unembed.b_U") return {d.vocab};
  return {d.d_model};  // LayerNorm w/b, attn.b_O, mlp.b_out
}

NamedTensors ZeroParams(const TransformerDims& dims) {
  NamedTensors p;
  for (const std::string& n : TransformerParamNames()) p.emplace(n, Tensor(TransformerParamShape(dims, n)));
  return p;
}

NamedTensors InitParams(const TransformerDims& dims, uint64_t seed) {
  NamedTensors p = ZeroParams(dims);
  const auto& names = TransformerParamNames();
  for (size_t i = 0; i < names.size(); ++i) {
    const std::string& n = names[i];
    Tensor& t = p.at(n);
    if (n.size() > 2 && n.substr(n.size() - 2) == ".w") {
      t.Fill(1.0f);
    } else if (n.find(".W_") != std::string::npos) {
      const float std = (n == "attn.W_O" || n == "mlp.W_out") ? 0.02f / std::sqrt(2.0f) : 0.02f;
      FillNormal(seed, /*stream=*/i + 1, 0.0f, std, &t);
    }
  }
  return p;
}

absl::Status CheckParams(const TransformerDims& dims, const NamedTensors& params,
                         const std::string& what) {
  for (const std::string& n : TransformerParamNames()) {
    auto it = params.find(n);
    if (it == params.end()) {
      return absl::InvalidArgumentError(absl::StrCat(what, ": missing tensor '", n, "'"));
    }
    const Shape want = TransformerParamShape(dims, n);
    if (it->second.shape() != want) {
      return absl::InvalidArgumentError(absl::StrCat(
          what, ": tensor '", n, "' has shape ", ShapeToString(it->second.shape()),
          " but the config (d_model ", dims.d_model, ", n_heads ", dims.n_heads, ", n_ctx ",
          dims.n_ctx, ", d_mlp ", dims.d_mlp, ", vocab ", dims.vocab, ") needs ",
          ShapeToString(want)));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<TokenBatch> NextTokenBatch(absl::Span<const int32_t> windows, int64_t batch,
                                          int64_t ctx) {
  if (batch < 1 || ctx < 1 || static_cast<int64_t>(windows.size()) != batch * (ctx + 1)) {
    return absl::InvalidArgumentError(absl::StrCat("NextTokenBatch: ", windows.size(),
                                                   " tokens are not ", batch, " windows of ",
                                                   ctx, " + 1"));
  }
  TokenBatch b;
  b.batch = batch;
  b.ctx = ctx;
  b.inputs.resize(batch * ctx);
  b.targets.resize(batch * ctx);
  for (int64_t r = 0; r < batch; ++r) {
    for (int64_t s = 0; s < ctx; ++s) {
      b.inputs[r * ctx + s] = windows[r * (ctx + 1) + s];
      b.targets[r * ctx + s] = windows[r * (ctx + 1) + s + 1];
    }
  }
  return b;
}

MlpHook ZeroAblationHook() {
  return [](const TokenBatch&, Tensor* acts) {
    acts->Fill(0.0f);
    return absl::OkStatus();
  };
}

MlpHook MeanAblationHook(Tensor mean) {
  auto shared = std::make_shared<Tensor>(std::move(mean));
  return [shared](const TokenBatch&, Tensor* acts) {
    const int64_t m = acts->dim(1);
    if (shared->size() != m) {
      return absl::InvalidArgumentError(absl::StrCat("mean-ablation hook: mean has ",
                                                     shared->size(), " values for d_mlp ", m));
    }
    for (int64_t r = 0; r < acts->dim(0); ++r) {
      for (int64_t j = 0; j < m; ++j) (*acts)[r * m + j] = (*shared)[j];
    }
    return absl::OkStatus();
  };
}

MlpHook ReplaceHook(std::function<absl::StatusOr<Tensor>(const Tensor& acts)> fn) {
  return [fn = std::move(fn)](const TokenBatch&, Tensor* acts) -> absl::Status {
    MONOSEM_ASSIGN_OR_RETURN(Tensor out, fn(*acts));
    if (out.shape() != acts->shape()) {
      return absl::InvalidArgumentError(
          absl::StrCat("replacement hook returned shape ", ShapeToString(out.shape()),
                       " for activations ", ShapeToString(acts->shape())));
    }
    *acts = std::move(out);
    return absl::OkStatus();
  };
}

void EnsureShape(Tensor* t, const Shape& shape) {
  if (t->shape() != shape || t->device() != Device::kHost) *t = Tensor::Uninitialized(shape);
}

static void CopyInto(const Tensor& from, Tensor* to) {
  EnsureShape(to, from.shape());
  std::memcpy(to->data(), from.data(), sizeof(float) * from.size());
}

absl::StatusOr<Transformer> Transformer::Create(const TransformerDims& dims, Backend* backend) {
  MONOSEM_RETURN_IF_ERROR(dims.Validate());
  MONOSEM_ASSIGN_OR_RETURN(auto kernels, TransformerKernelRegistry::Create(*backend));
  return Transformer(dims, backend, std::move(kernels));
}

absl::Status Transformer::CheckBatch(const TokenBatch& b) const {
  if (b.batch < 1) return absl::InvalidArgumentError("transformer: batch size must be >= 1");
  if (b.ctx < 1 || b.ctx > dims_.n_ctx) {
    return absl::InvalidArgumentError(absl::StrCat("transformer: context length ", b.ctx,
                                                   " is over the configured maximum n_ctx ",
                                                   dims_.n_ctx, b.ctx < 1 ? " (or below 1)" : ""));
  }
  const size_t n = static_cast<size_t>(b.batch * b.ctx);
  if (b.inputs.size() != n || b.targets.size() != n) {
    return absl::InvalidArgumentError(absl::StrCat("transformer: batch ", b.batch, "x", b.ctx,
                                                   " needs ", n, " inputs and targets, got ",
                                                   b.inputs.size(), " and ", b.targets.size()));
  }
  for (const auto* ids : {&b.inputs, &b.targets}) {
    for (size_t i = 0; i < n; ++i) {
      if ((*ids)[i] < 0 || (*ids)[i] >= dims_.vocab) {
        return absl::InvalidArgumentError(absl::StrCat(
            "transformer: token id ", (*ids)[i], " at ", ids == &b.inputs ? "input" : "target",
            " index ", i, " (row ", i / b.ctx, ", position ", i % b.ctx,
            ") is out of range for vocab ", dims_.vocab));
      }
    }
  }
  return absl::OkStatus();
}

absl::Status Transformer::Forward(const NamedTensors& p, const TokenBatch& batch,
                                  ForwardCache* c, const MlpHook* hook) const {
  MONOSEM_RETURN_IF_ERROR(CheckParams(dims_, p));
  MONOSEM_RETURN_IF_ERROR(CheckBatch(batch));
  TransformerKernels& k = *kernels_;
  Backend& be = *backend_;
  const int64_t n = batch.batch * batch.ctx, d = dims_.d_model;
  c->batch = batch.batch;
  c->ctx = batch.ctx;
  auto P = [&](const char* name) -> const Tensor& { return p.at(name); };
  EnsureShape(&c->x0, {n, d});
  MONOSEM_RETURN_IF_ERROR(
      k.EmbeddingForward(batch.inputs, batch.ctx, P("embed.W_E"), P("pos_embed.W_pos"), &c->x0));
  auto ln = [&](const Tensor& x, const char* w, const char* b, Tensor* y, Tensor* mu,
                Tensor* rs) {
    EnsureShape(y, {n, d});
    EnsureShape(mu, {n});
    EnsureShape(rs, {n});
    return k.LayerNormForward(x, P(w), P(b), y, mu, rs);
  };
  MONOSEM_RETURN_IF_ERROR(ln(c->x0, "ln1.w", "ln1.b", &c->ln1, &c->ln1_mean, &c->ln1_rstd));
  EnsureShape(&c->qkv, {n, 3 * d});
  MONOSEM_RETURN_IF_ERROR(be.Gemm(Trans::kNo, Trans::kNo, 1.0f, c->ln1, P("attn.W_qkv"), 0.0f,
                                  &c->qkv));
  MONOSEM_RETURN_IF_ERROR(be.AddRowBias(P("attn.b_qkv"), &c->qkv));
  EnsureShape(&c->z, {n, d});
  EnsureShape(&c->probs, {batch.batch, dims_.n_heads, batch.ctx, batch.ctx});
  MONOSEM_RETURN_IF_ERROR(k.AttentionForward(c->qkv, batch.batch, dims_.n_heads, &c->z, &c->probs));
  // x1 = x0 + z W_O + b_O
  CopyInto(c->x0, &c->x1);
  MONOSEM_RETURN_IF_ERROR(be.Gemm(Trans::kNo, Trans::kNo, 1.0f, c->z, P("attn.W_O"), 1.0f, &c->x1));
  MONOSEM_RETURN_IF_ERROR(be.AddRowBias(P("attn.b_O"), &c->x1));
  MONOSEM_RETURN_IF_ERROR(ln(c->x1, "ln2.w", "ln2.b", &c->ln2, &c->ln2_mean, &c->ln2_rstd));
  EnsureShape(&c->acts, {n, dims_.d_mlp});
  MONOSEM_RETURN_IF_ERROR(k.MlpIn(c->ln2, P("mlp.W_in"), P("mlp.b_in"), &c->acts));
  if (hook != nullptr && *hook) {
    MONOSEM_RETURN_IF_ERROR((*hook)(batch, &c->acts));
    if (c->acts.shape() != Shape{n, dims_.d_mlp}) {
      return absl::InvalidArgumentError("MLP hook changed the activations' shape");
    }
  }
  EnsureShape(&c->mlp_out, {n, d});
  MONOSEM_RETURN_IF_ERROR(k.MlpOut(c->acts, P("mlp.W_out"), P("mlp.b_out"), &c->mlp_out));
  CopyInto(c->x1, &c->x2);
  MONOSEM_RETURN_IF_ERROR(be.Axpby(1.0f, c->mlp_out, 1.0f, &c->x2));
  MONOSEM_RETURN_IF_ERROR(ln(c->x2, "ln_final.w", "ln_final.b", &c->lnf, &c->lnf_mean, &c->lnf_rstd));
  EnsureShape(&c->logits, {n, dims_.vocab});
  MONOSEM_RETURN_IF_ERROR(be.Gemm(Trans::kNo, Trans::kNo, 1.0f, c->lnf, P("unembed.W_U"), 0.0f,
                                  &c->logits));
  MONOSEM_RETURN_IF_ERROR(be.AddRowBias(P("unembed.b_U"), &c->logits));
  EnsureShape(&c->losses, {n});
  MONOSEM_RETURN_IF_ERROR(k.CrossEntropyForward(c->logits, batch.targets, &c->losses));
  double sum = 0.0;
  for (int64_t i = 0; i < n; ++i) sum += c->losses[i];
  c->loss = sum / static_cast<double>(n);
  return absl::OkStatus();
}

absl::Status Transformer::Backward(const NamedTensors& p, const TokenBatch& batch,
                                   const ForwardCache& c, NamedTensors* g) const {
  MONOSEM_RETURN_IF_ERROR(CheckParams(dims_, p));
  MONOSEM_RETURN_IF_ERROR(CheckBatch(batch));
  if (c.batch != batch.batch || c.ctx != batch.ctx || c.logits.empty()) {
    return absl::FailedPreconditionError("transformer backward: the cache is not from this batch");
  }
  for (const std::string& name : TransformerParamNames()) {
    auto it = g->find(name);
    if (it == g->end() || it->second.shape() != TransformerParamShape(dims_, name)) {
      (*g)[name] = Tensor::Uninitialized(TransformerParamShape(dims_, name));
    }
  }
  TransformerKernels& k = *kernels_;
  Backend& be = *backend_;
  const int64_t n = batch.batch * batch.ctx, d = dims_.d_model;
  auto P = [&](const char* name) -> const Tensor& { return p.at(name); };
  auto G = [&](const char* name) -> Tensor* { return &g->at(name); };

  Tensor& dlogits = TransformerScratch::Sized(k.scratch().dlogits, {n, dims_.vocab});
  MONOSEM_RETURN_IF_ERROR(k.CrossEntropyBackward(c.logits, batch.targets,
                                                 1.0f / static_cast<float>(n), &dlogits));
  MONOSEM_RETURN_IF_ERROR(
      be.Gemm(Trans::kYes, Trans::kNo, 1.0f, c.lnf, dlogits, 0.0f, G("unembed.W_U")));
  MONOSEM_RETURN_IF_ERROR(be.SumRows(dlogits, G("unembed.b_U")));
  Tensor& dln = TransformerScratch::Sized(k.scratch().dln, {n, d});
  MONOSEM_RETURN_IF_ERROR(be.Gemm(Trans::kNo, Trans::kYes, 1.0f, dlogits, P("unembed.W_U"), 0.0f, &dln));
  Tensor& dx2 = TransformerScratch::Sized(k.scratch().dx2, {n, d});
  MONOSEM_RETURN_IF_ERROR(k.LayerNormBackward(c.x2, P("ln_final.w"), c.lnf_mean, c.lnf_rstd, dln,
                                              &dx2, G("ln_final.w"), G("ln_final.b")));
  // MLP: dx1 = dx2 + LN2^T(mlp^T(dx2)).
  MONOSEM_RETURN_IF_ERROR(k.MlpBackward(c.ln2, c.acts, dx2, P("mlp.W_in"), P("mlp.W_out"), &dln,
                                        G("mlp.W_in"), G("mlp.b_in"), G("mlp.W_out"),
                                        G("mlp.b_out")));
  Tensor& dx1 = TransformerScratch::Sized(k.scratch().dx1, {n, d});
  MONOSEM_RETURN_IF_ERROR(k.LayerNormBackward(c.x1, P("ln2.w"), c.ln2_mean, c.ln2_rstd, dln,
                                              &dx1, G("ln2.w"), G("ln2.b")));
  MONOSEM_RETURN_IF_ERROR(be.Axpby(1.0f, dx2, 1.0f, &dx1));
  // Attention.
  MONOSEM_RETURN_IF_ERROR(be.Gemm(Trans::kYes, Trans::kNo, 1.0f, c.z, dx1, 0.0f, G("attn.W_O")));
  MONOSEM_RETURN_IF_ERROR(be.SumRows(dx1, G("attn.b_O")));
  Tensor& dz = TransformerScratch::Sized(k.scratch().dz, {n, d});
  MONOSEM_RETURN_IF_ERROR(be.Gemm(Trans::kNo, Trans::kYes, 1.0f, dx1, P("attn.W_O"), 0.0f, &dz));
  Tensor& dqkv = TransformerScratch::Sized(k.scratch().dqkv, {n, 3 * d});
  MONOSEM_RETURN_IF_ERROR(
      k.AttentionBackward(c.qkv, c.probs, dz, batch.batch, dims_.n_heads, &dqkv));
  MONOSEM_RETURN_IF_ERROR(
      be.Gemm(Trans::kYes, Trans::kNo, 1.0f, c.ln1, dqkv, 0.0f, G("attn.W_qkv")));
  MONOSEM_RETURN_IF_ERROR(be.SumRows(dqkv, G("attn.b_qkv")));
  MONOSEM_RETURN_IF_ERROR(be.Gemm(Trans::kNo, Trans::kYes, 1.0f, dqkv, P("attn.W_qkv"), 0.0f, &dln));
  Tensor& dx0 = TransformerScratch::Sized(k.scratch().dx0, {n, d});
  MONOSEM_RETURN_IF_ERROR(k.LayerNormBackward(c.x0, P("ln1.w"), c.ln1_mean, c.ln1_rstd, dln,
                                              &dx0, G("ln1.w"), G("ln1.b")));
  MONOSEM_RETURN_IF_ERROR(be.Axpby(1.0f, dx1, 1.0f, &dx0));
  return k.EmbeddingBackward(batch.inputs, batch.ctx, dx0, G("embed.W_E"), G("pos_embed.W_pos"));
}

absl::StatusOr<SpliceLosses> MeasureSpliceLosses(const Transformer& model,
                                                 const NamedTensors& params,
                                                 const TokenBatch& batch,
                                                 const MlpHook* replacement) {
  SpliceLosses out;
  ForwardCache cache;
  MONOSEM_RETURN_IF_ERROR(model.Forward(params, batch, &cache));
  out.clean = cache.loss;
  const int64_t n = cache.acts.dim(0), m = cache.acts.dim(1);
  Tensor mean({m});
  {
    std::vector<double> acc(m, 0.0);
    for (int64_t r = 0; r < n; ++r) {
      for (int64_t j = 0; j < m; ++j) acc[j] += cache.acts[r * m + j];
    }
    for (int64_t j = 0; j < m; ++j) mean[j] = static_cast<float>(acc[j] / n);
  }
  out.replaced = out.clean;
  if (replacement != nullptr && *replacement) {
    MONOSEM_RETURN_IF_ERROR(model.Forward(params, batch, &cache, replacement));
    out.replaced = cache.loss;
  }
  MlpHook zero = ZeroAblationHook();
  MONOSEM_RETURN_IF_ERROR(model.Forward(params, batch, &cache, &zero));
  out.zero = cache.loss;
  MlpHook mean_hook = MeanAblationHook(std::move(mean));
  MONOSEM_RETURN_IF_ERROR(model.Forward(params, batch, &cache, &mean_hook));
  out.mean_ablated = cache.loss;
  return out;
}

}  // namespace monosem
