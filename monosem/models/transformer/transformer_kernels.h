// The one-layer transformer's kernels, per backend.
//
// A backend's transformer kernels implement this interface and register under
// the backend's name (MONOSEM_REGISTER_KERNEL_SET(TransformerKernels, ...)),
// so a new backend (cuda) is one new subclass and one registration line; a
// backend derived from another inherits them (monosem/kernel_set.h). The
// matmuls of the model go through the generic Backend (Gemm, AddRowBias,
// SumRows, Relu, ...); these are the kernels no BLAS has.
//
// Conventions (as monosem/backend.h): row-major float32, N = batch * ctx token
// rows, outputs written and never read (poison-safe), shapes validated by the
// public wrappers once for every backend. Parameter gradients are written
// (not accumulated) unless the name says Accumulate.
//
// Layouts:
//   qkv  [N, 3*d_model]: q of head h is columns [h*dh, (h+1)*dh), k is at
//        d_model + h*dh, v at 2*d_model + h*dh; dh = d_model / n_heads.
//   probs [batch, heads, ctx, ctx]: row i holds softmax over keys j <= i,
//        zeros for j > i (the causal mask).
#ifndef MONOSEM_MODELS_TRANSFORMER_TRANSFORMER_KERNELS_H_
#define MONOSEM_MODELS_TRANSFORMER_TRANSFORMER_KERNELS_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "monosem/backend.h"
#include "monosem/kernel_set.h"
#include "monosem/tensor.h"

namespace monosem {

constexpr float kLayerNormEps = 1e-5f;

// Reusable named buffers, so steady-state training does not fault in fresh
// pages for every temporary: Sized(t, shape) reallocates t only when its
// shape changes. The kernels' own temporaries and the model's backward pass
// temporaries each have a name. One kernel set runs one pass at a time.
struct TransformerScratch {
  // MlpBackward's default composition.
  Tensor mlp_dpre, mlp_dh;
  // The model's backward pass (Transformer::Backward).
  Tensor dlogits, dln, dx2, dx1, dz, dqkv, dx0;

  static Tensor& Sized(Tensor& t, const Shape& shape);
};

class TransformerKernels : public KernelSet {
 public:
  static constexpr char kRegistryKind[] = "transformer kernels";
  explicit TransformerKernels(Backend& backend) : KernelSet(backend) {}

  TransformerScratch& scratch() { return scratch_; }

  // x[b*ctx + s] = W_E[tokens[b*ctx + s]] + W_pos[s]; tokens has batch*ctx ids.
  absl::Status EmbeddingForward(absl::Span<const int32_t> tokens, int64_t ctx, const Tensor& w_e,
                                const Tensor& w_pos, Tensor* x);
  // dW_E = scatter-add of dx by token; dW_pos[s] = sum over the batch of
  // dx[b*ctx + s] (rows s >= ctx are zero). Both written.
  absl::Status EmbeddingBackward(absl::Span<const int32_t> tokens, int64_t ctx, const Tensor& dx,
                                 Tensor* dw_e, Tensor* dw_pos);

  // y = (x - mean) * rstd * w + b per row, rstd = 1/sqrt(var + eps) with the
  // biased variance; mean[N] and rstd[N] are saved for the backward.
  absl::Status LayerNormForward(const Tensor& x, const Tensor& w, const Tensor& b, Tensor* y,
                                Tensor* mean, Tensor* rstd);
  // dx written; dw, db written (reduction over the N rows).
  absl::Status LayerNormBackward(const Tensor& x, const Tensor& w, const Tensor& mean,
                                 const Tensor& rstd, const Tensor& dy, Tensor* dx, Tensor* dw,
                                 Tensor* db);

  // Causal multi-head attention core: z[N, d] from qkv[N, 3d], scale 1/sqrt(dh).
  absl::Status AttentionForward(const Tensor& qkv, int64_t batch, int64_t heads, Tensor* z,
                                Tensor* probs);
  absl::Status AttentionBackward(const Tensor& qkv, const Tensor& probs, const Tensor& dz,
                                 int64_t batch, int64_t heads, Tensor* dqkv);

  // losses[n] = logsumexp(logits[n]) - logits[n, targets[n]].
  absl::Status CrossEntropyForward(const Tensor& logits, absl::Span<const int32_t> targets,
                                   Tensor* losses);
  // dlogits = scale * (softmax(logits) - onehot(targets)).
  absl::Status CrossEntropyBackward(const Tensor& logits, absl::Span<const int32_t> targets,
                                    float scale, Tensor* dlogits);

  // MLP: pre = x W_in + b_in, acts = relu(pre) [N, d_mlp]; out = acts W_out + b_out.
  // Split at the post-ReLU activations so that a hook can read or replace them.
  absl::Status MlpIn(const Tensor& x, const Tensor& w_in, const Tensor& b_in, Tensor* acts);
  absl::Status MlpOut(const Tensor& acts, const Tensor& w_out, const Tensor& b_out, Tensor* out);
  // Given dout: dW_out, db_out, dW_in, db_in written; dx written.
  absl::Status MlpBackward(const Tensor& x, const Tensor& acts, const Tensor& dout,
                           const Tensor& w_in, const Tensor& w_out, Tensor* dx, Tensor* dw_in,
                           Tensor* db_in, Tensor* dw_out, Tensor* db_out);

 protected:
  virtual absl::Status EmbeddingForwardImpl(absl::Span<const int32_t> tokens, int64_t ctx,
                                            const Tensor& w_e, const Tensor& w_pos,
                                            Tensor* x) = 0;
  virtual absl::Status EmbeddingBackwardImpl(absl::Span<const int32_t> tokens, int64_t ctx,
                                             const Tensor& dx, Tensor* dw_e,
                                             Tensor* dw_pos) = 0;
  virtual absl::Status LayerNormForwardImpl(const Tensor& x, const Tensor& w, const Tensor& b,
                                            Tensor* y, Tensor* mean, Tensor* rstd) = 0;
  virtual absl::Status LayerNormBackwardImpl(const Tensor& x, const Tensor& w, const Tensor& mean,
                                             const Tensor& rstd, const Tensor& dy, Tensor* dx,
                                             Tensor* dw, Tensor* db) = 0;
  virtual absl::Status AttentionForwardImpl(const Tensor& qkv, int64_t batch, int64_t ctx,
                                            int64_t heads, Tensor* z, Tensor* probs) = 0;
  virtual absl::Status AttentionBackwardImpl(const Tensor& qkv, const Tensor& probs,
                                             const Tensor& dz, int64_t batch, int64_t ctx,
                                             int64_t heads, Tensor* dqkv) = 0;
  virtual absl::Status CrossEntropyForwardImpl(const Tensor& logits,
                                               absl::Span<const int32_t> targets,
                                               Tensor* losses) = 0;
  virtual absl::Status CrossEntropyBackwardImpl(const Tensor& logits,
                                                absl::Span<const int32_t> targets, float scale,
                                                Tensor* dlogits) = 0;
  // The MLP defaults compose Backend ops (Gemm, AddRowBias, Relu, ...); a
  // backend overrides them where fusing pays.
  virtual absl::Status MlpInImpl(const Tensor& x, const Tensor& w_in, const Tensor& b_in,
                                 Tensor* acts);
  virtual absl::Status MlpOutImpl(const Tensor& acts, const Tensor& w_out, const Tensor& b_out,
                                  Tensor* out);
  virtual absl::Status MlpBackwardImpl(const Tensor& x, const Tensor& acts, const Tensor& dout,
                                       const Tensor& w_in, const Tensor& w_out, Tensor* dx,
                                       Tensor* dw_in, Tensor* db_in, Tensor* dw_out,
                                       Tensor* db_out);

 private:
  TransformerScratch scratch_;
};

using TransformerKernelRegistry = KernelSetRegistry<TransformerKernels>;

}  // namespace monosem

#endif  // MONOSEM_MODELS_TRANSFORMER_TRANSFORMER_KERNELS_H_
