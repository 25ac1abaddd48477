#include "monosem/models/transformer/transformer_kernels.h"

#include "absl/strings/str_cat.h"
#include "monosem/status.h"

namespace monosem {
namespace {

absl::Status Expect(const char* op, const char* what, const Tensor& t, const Shape& want) {
  if (t.shape() != want) {
    return absl::InvalidArgumentError(absl::StrCat(op, ": ", what, " has shape ",
                                                   ShapeToString(t.shape()), ", expected ",
                                                   ShapeToString(want)));
  }
  return absl::OkStatus();
}

absl::Status Rank2(const char* op, const char* what, const Tensor& t) {
  if (t.rank() != 2) {
    return absl::InvalidArgumentError(
        absl::StrCat(op, ": ", what, " must be rank 2, got ", ShapeToString(t.shape())));
  }
  return absl::OkStatus();
}

absl::Status CheckIds(const char* op, absl::Span<const int32_t> ids, int64_t n, int64_t vocab) {
  if (static_cast<int64_t>(ids.size()) != n) {
    return absl::InvalidArgumentError(
        absl::StrCat(op, ": ", ids.size(), " token ids for ", n, " rows"));
  }
  for (size_t i = 0; i < ids.size(); ++i) {
    if (ids[i] < 0 || ids[i] >= vocab) {
      return absl::InvalidArgumentError(absl::StrCat(op, ": token id ", ids[i], " at index ", i,
                                                     " is out of range [0, ", vocab, ")"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status TransformerKernels::EmbeddingForward(absl::Span<const int32_t> tokens, int64_t ctx,
                                                  const Tensor& w_e, const Tensor& w_pos,
                                                  Tensor* x) {
  const char* op = "embedding_forward";
  MONOSEM_RETURN_IF_ERROR(Rank2(op, "W_E", w_e));
  MONOSEM_RETURN_IF_ERROR(Rank2(op, "W_pos", w_pos));
  const int64_t d = w_e.dim(1);
  MONOSEM_RETURN_IF_ERROR(Expect(op, "W_pos", w_pos, {w_pos.dim(0), d}));
  if (ctx < 1 || ctx > w_pos.dim(0)) {
    return absl::InvalidArgumentError(absl::StrCat(op, ": context ", ctx,
                                                   " is outside [1, ", w_pos.dim(0), "]"));
  }
  if (tokens.size() % ctx != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(op, ": ", tokens.size(), " tokens are not a whole number of contexts of ", ctx));
  }
  const int64_t n = static_cast<int64_t>(tokens.size());
  MONOSEM_RETURN_IF_ERROR(CheckIds(op, tokens, n, w_e.dim(0)));
  MONOSEM_RETURN_IF_ERROR(Expect(op, "x", *x, {n, d}));
  return EmbeddingForwardImpl(tokens, ctx, w_e, w_pos, x);
}

absl::Status TransformerKernels::EmbeddingBackward(absl::Span<const int32_t> tokens, int64_t ctx,
                                                   const Tensor& dx, Tensor* dw_e,
                                                   Tensor* dw_pos) {
  const char* op = "embedding_backward";
  MONOSEM_RETURN_IF_ERROR(Rank2(op, "dW_E", *dw_e));
  MONOSEM_RETURN_IF_ERROR(Rank2(op, "dW_pos", *dw_pos));
  const int64_t d = dw_e->dim(1);
  const int64_t n = static_cast<int64_t>(tokens.size());
  if (ctx < 1 || ctx > dw_pos->dim(0) || n % ctx != 0) {
    return absl::InvalidArgumentError(absl::StrCat(op, ": bad context ", ctx, " for ", n,
                                                   " tokens and ", dw_pos->dim(0), " positions"));
  }
  MONOSEM_RETURN_IF_ERROR(CheckIds(op, tokens, n, dw_e->dim(0)));
  MONOSEM_RETURN_IF_ERROR(Expect(op, "dx", dx, {n, d}));
  MONOSEM_RETURN_IF_ERROR(Expect(op, "dW_pos", *dw_pos, {dw_pos->dim(0), d}));
  return EmbeddingBackwardImpl(tokens, ctx, dx, dw_e, dw_pos);
}

absl::Status TransformerKernels::LayerNormForward(const Tensor& x, const Tensor& w,
                                                  const Tensor& b, Tensor* y, Tensor* mean,
                                                  Tensor* rstd) {
  const char* op = "layer_norm_forward";
  MONOSEM_RETURN_IF_ERROR(Rank2(op, "x", x));
  const int64_t n = x.dim(0), d = x.dim(1);
  MONOSEM_RETURN_IF_ERROR(Expect(op, "w", w, {d}));
  MONOSEM_RETURN_IF_ERROR(Expect(op, "b", b, {d}));
  MONOSEM_RETURN_IF_ERROR(Expect(op, "y", *y, {n, d}));
  MONOSEM_RETURN_IF_ERROR(Expect(op, "mean", *mean, {n}));
  MONOSEM_RETURN_IF_ERROR(Expect(op, "rstd", *rstd, {n}));
  return LayerNormForwardImpl(x, w, b, y, mean, rstd);
}

absl::Status TransformerKernels::LayerNormBackward(const Tensor& x, const Tensor& w,
                                                   const Tensor& mean, const Tensor& rstd,
                                                   const Tensor& dy, Tensor* dx, Tensor* dw,
                                                   Tensor* db) {
  const char* op = "layer_norm_backward";
  MONOSEM_RETURN_IF_ERROR(Rank2(op, "x", x));
  const int64_t n = x.dim(0), d = x.dim(1);
  MONOSEM_RETURN_IF_ERROR(Expect(op, "w", w, {d}));
  MONOSEM_RETURN_IF_ERROR(Expect(op, "mean", mean, {n}));
  MONOSEM_RETURN_IF_ERROR(Expect(op, "rstd", rstd, {n}));
  MONOSEM_RETURN_IF_ERROR(Expect(op, "dy", dy, {n, d}));
  MONOSEM_RETURN_IF_ERROR(Expect(op, "dx", *dx, {n, d}));
  MONOSEM_RETURN_IF_ERROR(Expect(op, "dw", *dw, {d}));
  MONOSEM_RETURN_IF_ERROR(Expect(op, "db", *db, {d}));
  return LayerNormBackwardImpl(x, w, mean, rstd, dy, dx, dw, db);
}

static absl::Status AttnShapes(const char* op, const Tensor& qkv, int64_t batch, int64_t heads,
                               int64_t* ctx, int64_t* d) {
  MONOSEM_RETURN_IF_ERROR(Rank2(op, "qkv", qkv));
  if (batch < 1 || heads < 1 || qkv.dim(0) % batch != 0 || qkv.dim(1) % (3 * heads) != 0 ||
      qkv.dim(0) == 0) {
    return absl::InvalidArgumentError(absl::StrCat(op, ": qkv ", ShapeToString(qkv.shape()),
                                                   " does not split into batch ", batch, " and ",
                                                   heads, " heads"));
  }
  *ctx = qkv.dim(0) / batch;
  *d = qkv.dim(1) / 3;
  return absl::OkStatus();
}

absl::Status TransformerKernels::AttentionForward(const Tensor& qkv, int64_t batch,
                                                  int64_t heads, Tensor* z, Tensor* probs) {
  const char* op = "attention_forward";
  int64_t ctx, d;
  MONOSEM_RETURN_IF_ERROR(AttnShapes(op, qkv, batch, heads, &ctx, &d));
  MONOSEM_RETURN_IF_ERROR(Expect(op, "z", *z, {batch * ctx, d}));
  MONOSEM_RETURN_IF_ERROR(Expect(op, "probs", *probs, {batch, heads, ctx, ctx}));
  return AttentionForwardImpl(qkv, batch, ctx, heads, z, probs);
}

absl::Status TransformerKernels::AttentionBackward(const Tensor& qkv, const Tensor& probs,
                                                   const Tensor& dz, int64_t batch,
                                                   int64_t heads, Tensor* dqkv) {
  const char* op = "attention_backward";
  int64_t ctx, d;
  MONOSEM_RETURN_IF_ERROR(AttnShapes(op, qkv, batch, heads, &ctx, &d));
  MONOSEM_RETURN_IF_ERROR(Expect(op, "probs", probs, {batch, heads, ctx, ctx}));
  MONOSEM_RETURN_IF_ERROR(Expect(op, "dz", dz, {batch * ctx, d}));
  MONOSEM_RETURN_IF_ERROR(Expect(op, "dqkv", *dqkv, qkv.shape()));
  return AttentionBackwardImpl(qkv, probs, dz, batch, ctx, heads, dqkv);
}

absl::Status TransformerKernels::CrossEntropyForward(const Tensor& logits,
                                                     absl::Span<const int32_t> targets,
                                                     Tensor* losses) {
  const char* op = "cross_entropy_forward";
  MONOSEM_RETURN_IF_ERROR(Rank2(op, "logits", logits));
  MONOSEM_RETURN_IF_ERROR(CheckIds(op, targets, logits.dim(0), logits.dim(1)));
  MONOSEM_RETURN_IF_ERROR(Expect(op, "losses", *losses, {logits.dim(0)}));
  return CrossEntropyForwardImpl(logits, targets, losses);
}

absl::Status TransformerKernels::CrossEntropyBackward(const Tensor& logits,
                                                      absl::Span<const int32_t> targets,
                                                      float scale, Tensor* dlogits) {
  const char* op = "cross_entropy_backward";
  MONOSEM_RETURN_IF_ERROR(Rank2(op, "logits", logits));
  MONOSEM_RETURN_IF_ERROR(CheckIds(op, targets, logits.dim(0), logits.dim(1)));
  MONOSEM_RETURN_IF_ERROR(Expect(op, "dlogits", *dlogits, logits.shape()));
  return CrossEntropyBackwardImpl(logits, targets, scale, dlogits);
}

absl::Status TransformerKernels::MlpIn(const Tensor& x, const Tensor& w_in, const Tensor& b_in,
                                       Tensor* acts) {
  const char* op = "mlp_in";
  MONOSEM_RETURN_IF_ERROR(Rank2(op, "x", x));
  MONOSEM_RETURN_IF_ERROR(Rank2(op, "W_in", w_in));
  MONOSEM_RETURN_IF_ERROR(Expect(op, "W_in", w_in, {x.dim(1), w_in.dim(1)}));
  MONOSEM_RETURN_IF_ERROR(Expect(op, "b_in", b_in, {w_in.dim(1)}));
  MONOSEM_RETURN_IF_ERROR(Expect(op, "acts", *acts, {x.dim(0), w_in.dim(1)}));
  return MlpInImpl(x, w_in, b_in, acts);
}

absl::Status TransformerKernels::MlpOut(const Tensor& acts, const Tensor& w_out,
                                        const Tensor& b_out, Tensor* out) {
  const char* op = "mlp_out";
  MONOSEM_RETURN_IF_ERROR(Rank2(op, "acts", acts));
  MONOSEM_RETURN_IF_ERROR(Rank2(op, "W_out", w_out));
  MONOSEM_RETURN_IF_ERROR(Expect(op, "W_out", w_out, {acts.dim(1), w_out.dim(1)}));
  MONOSEM_RETURN_IF_ERROR(Expect(op, "b_out", b_out, {w_out.dim(1)}));
  MONOSEM_RETURN_IF_ERROR(Expect(op, "out", *out, {acts.dim(0), w_out.dim(1)}));
  return MlpOutImpl(acts, w_out, b_out, out);
}

absl::Status TransformerKernels::MlpBackward(const Tensor& x, const Tensor& acts,
                                             const Tensor& dout, const Tensor& w_in,
                                             const Tensor& w_out, Tensor* dx, Tensor* dw_in,
                                             Tensor* db_in, Tensor* dw_out, Tensor* db_out) {
  const char* op = "mlp_backward";
  MONOSEM_RETURN_IF_ERROR(Rank2(op, "x", x));
  MONOSEM_RETURN_IF_ERROR(Rank2(op, "acts", acts));
  const int64_t n = x.dim(0), d = x.dim(1), m = acts.dim(1);
  MONOSEM_RETURN_IF_ERROR(Expect(op, "acts", acts, {n, m}));
  MONOSEM_RETURN_IF_ERROR(Expect(op, "dout", dout, {n, d}));
  MONOSEM_RETURN_IF_ERROR(Expect(op, "W_in", w_in, {d, m}));
  MONOSEM_RETURN_IF_ERROR(Expect(op, "W_out", w_out, {m, d}));
  MONOSEM_RETURN_IF_ERROR(Expect(op, "dx", *dx, {n, d}));
  MONOSEM_RETURN_IF_ERROR(Expect(op, "dW_in", *dw_in, {d, m}));
  MONOSEM_RETURN_IF_ERROR(Expect(op, "db_in", *db_in, {m}));
  MONOSEM_RETURN_IF_ERROR(Expect(op, "dW_out", *dw_out, {m, d}));
  MONOSEM_RETURN_IF_ERROR(Expect(op, "db_out", *db_out, {d}));
  return MlpBackwardImpl(x, acts, dout, w_in, w_out, dx, dw_in, db_in, dw_out, db_out);
}

absl::Status TransformerKernels::MlpInImpl(const Tensor& x, const Tensor& w_in,
                                           const Tensor& b_in, Tensor* acts) {
  Backend& be = backend();
  MONOSEM_RETURN_IF_ERROR(be.Gemm(Trans::kNo, Trans::kNo, 1.0f, x, w_in, 0.0f, acts));
  MONOSEM_RETURN_IF_ERROR(be.AddRowBias(b_in, acts));
  return be.Relu(*acts, acts);
}

absl::Status TransformerKernels::MlpOutImpl(const Tensor& acts, const Tensor& w_out,
                                            const Tensor& b_out, Tensor* out) {
  Backend& be = backend();
  MONOSEM_RETURN_IF_ERROR(be.Gemm(Trans::kNo, Trans::kNo, 1.0f, acts, w_out, 0.0f, out));
  return be.AddRowBias(b_out, out);
}

absl::Status TransformerKernels::MlpBackwardImpl(const Tensor& x, const Tensor& acts,
                                                 const Tensor& dout, const Tensor& w_in,
                                                 const Tensor& w_out, Tensor* dx, Tensor* dw_in,
                                                 Tensor* db_in, Tensor* dw_out, Tensor* db_out) {
  Backend& be = backend();
  MONOSEM_RETURN_IF_ERROR(be.Gemm(Trans::kYes, Trans::kNo, 1.0f, acts, dout, 0.0f, dw_out));
  MONOSEM_RETURN_IF_ERROR(be.SumRows(dout, db_out));
  Tensor& dpre = TransformerScratch::Sized(scratch_.mlp_dpre, acts.shape());
  MONOSEM_RETURN_IF_ERROR(be.Gemm(Trans::kNo, Trans::kYes, 1.0f, dout, w_out, 0.0f, &dpre));
  Tensor& dh = TransformerScratch::Sized(scratch_.mlp_dh, acts.shape());
  MONOSEM_RETURN_IF_ERROR(be.ReluBackward(acts, dpre, &dh));
  MONOSEM_RETURN_IF_ERROR(be.Gemm(Trans::kYes, Trans::kNo, 1.0f, x, dh, 0.0f, dw_in));
  MONOSEM_RETURN_IF_ERROR(be.SumRows(dh, db_in));
  return be.Gemm(Trans::kNo, Trans::kYes, 1.0f, dh, w_in, 0.0f, dx);
}

Tensor& TransformerScratch::Sized(Tensor& t, const Shape& shape) {
  if (t.shape() != shape || t.empty()) t = Tensor::Uninitialized(shape);
  return t;
}

}  // namespace monosem
