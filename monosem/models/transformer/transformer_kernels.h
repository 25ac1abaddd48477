// The one-layer transformer's kernels, per backend.
//
// A backend's transformer kernels implement this interface and register a
// factory under the backend's name (MONOSEM_REGISTER_TRANSFORMER_KERNELS), so
// a new backend (cuda) is one new subclass and one registration line. The
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
#include "monosem/tensor.h"

namespace monosem {

constexpr float kLayerNormEps = 1e-5f;

class TransformerKernels {
 public:
  explicit TransformerKernels(Backend* backend) : backend_(backend) {}
  virtual ~TransformerKernels() = default;

  Backend& backend() { return *backend_; }

  // A reusable buffer of `shape` in `slot` (reallocated only when the shape
  // changes; references stay valid as other slots are added), so steady-state
  // training does not fault in fresh pages for every temporary. Slots 0-9 are
  // the kernels', 10+ the model's. One object runs one pass at a time.
  Tensor& Scratch(size_t slot, const Shape& shape);

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
  Backend* backend_;
  std::map<size_t, Tensor> scratch_;
};

class TransformerKernelRegistry {
 public:
  using Factory = std::function<std::unique_ptr<TransformerKernels>(Backend*)>;
  static bool Register(const std::string& backend_name, Factory factory);
  // The kernels for `backend` (by backend->name()); NotFound names the backends
  // that have transformer kernels.
  static absl::StatusOr<std::unique_ptr<TransformerKernels>> Create(Backend* backend);
  static std::vector<std::string> Names();
};

#define MONOSEM_REGISTER_TRANSFORMER_KERNELS(name, cls)                               \
  static const bool monosem_transformer_kernels_##cls =                              \
      ::monosem::TransformerKernelRegistry::Register(name, [](::monosem::Backend* b) { \
        return std::unique_ptr<::monosem::TransformerKernels>(new cls(b));           \
      })

}  // namespace monosem

#endif  // MONOSEM_MODELS_TRANSFORMER_TRANSFORMER_KERNELS_H_
