// The one-layer transformer of Towards Monosemanticity: token + learned
// positional embeddings; pre-LayerNorm causal multi-head attention; a
// pre-LayerNorm MLP of d_mlp ReLU neurons; a final LayerNorm; unembedding.
//
//   x0 = W_E[tok] + W_pos[pos]
//   x1 = x0 + Attn(LN1(x0)) W_O + b_O,   qkv = LN1(x0) W_qkv + b_qkv
//   x2 = x1 + relu(LN2(x1) W_in + b_in) W_out + b_out     (hook on the relu output)
//   logits = LNf(x2) W_U + b_U
//
// Weights are stored [in, out] (y = x W + b). Every kernel goes through a
// backend's TransformerKernels (transformer_kernels.h) and its Backend.
#ifndef MONOSEM_MODELS_TRANSFORMER_TRANSFORMER_H_
#define MONOSEM_MODELS_TRANSFORMER_TRANSFORMER_H_

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
#include "monosem/models/transformer/transformer_kernels.h"
#include "monosem/tensor.h"
#include "proto/config.pb.h"

namespace monosem {

// Sizes; FromProto fills unset (0) fields with the defaults below.
struct TransformerDims {
  int64_t d_model = 128;
  int64_t n_heads = 4;
  int64_t n_ctx = 128;
  int64_t d_mlp = 512;
  int64_t vocab = 256;

  int64_t d_head() const { return d_model / n_heads; }
  absl::Status Validate() const;
  static absl::StatusOr<TransformerDims> FromProto(const TransformerConfig& c);
  TransformerConfig ToProto() const;
};

// Parameter names, in a fixed order (checkpoints, optimizer, tests use it).
const std::vector<std::string>& TransformerParamNames();
// The shape of a named parameter under `dims`.
Shape TransformerParamShape(const TransformerDims& dims, const std::string& name);

// Named float32 tensors (parameters, gradients, optimizer moments).
using NamedTensors = std::map<std::string, Tensor>;

// Zeros of every parameter's shape.
NamedTensors ZeroParams(const TransformerDims& dims);
// GPT-2 style init from Philox (seed): weights N(0, 0.02), W_O and W_out
// scaled by 1/sqrt(2) (two residual writers), biases 0, LayerNorm w 1 b 0.
NamedTensors InitParams(const TransformerDims& dims, uint64_t seed);
// Every parameter present with the shape `dims` gives; else an error naming it.
absl::Status CheckParams(const TransformerDims& dims, const NamedTensors& params,
                         const std::string& what = "parameters");

// A batch: `batch` rows of `ctx` input ids and their next-token targets.
struct TokenBatch {
  int64_t batch = 0;
  int64_t ctx = 0;
  std::vector<int32_t> inputs;   // [batch * ctx]
  std::vector<int32_t> targets;  // [batch * ctx]
};
// Splits windows of ctx + 1 tokens ([batch, ctx + 1]) into inputs/targets.
absl::StatusOr<TokenBatch> NextTokenBatch(absl::Span<const int32_t> windows, int64_t batch,
                                          int64_t ctx);

// The hook on the MLP's post-ReLU activations [tokens, d_mlp]. It may read
// them (harvesting) and may overwrite them in place (splicing); the rest of
// the forward pass uses whatever it leaves. `batch` gives the token ids.
using MlpHook = std::function<absl::Status(const TokenBatch& batch, Tensor* acts)>;

// Hooks for the ablations loss_recovered needs (METRICS.md).
MlpHook ZeroAblationHook();
// Replaces every row with `mean` [d_mlp] (the mean activation over a dataset).
MlpHook MeanAblationHook(Tensor mean);
// Replaces the activations with fn(acts) (an SAE's reconstruction, say).
MlpHook ReplaceHook(std::function<absl::StatusOr<Tensor>(const Tensor& acts)> fn);

// Everything the backward pass needs from a forward pass. Passing the same
// cache to the next Forward reuses its buffers (no fresh allocations).
struct ForwardCache {
  int64_t batch = 0, ctx = 0;
  Tensor x0, ln1, ln1_mean, ln1_rstd, qkv, z, probs, x1, ln2, ln2_mean, ln2_rstd, acts, x2, lnf,
      lnf_mean, lnf_rstd, logits, losses, mlp_out;
  double loss = 0.0;  // mean next-token cross-entropy (nats)
};

// Not thread-safe: one Transformer runs one pass at a time (it keeps scratch
// buffers for the backward pass).
class Transformer {
 public:
  // Kernels for `backend` from the registry; an error if it has none.
  static absl::StatusOr<Transformer> Create(const TransformerDims& dims, Backend* backend);

  const TransformerDims& dims() const { return dims_; }
  Backend& backend() const { return *backend_; }
  TransformerKernels& kernels() const { return *kernels_; }

  // Full forward pass and mean loss; cache is filled for Backward.
  absl::Status Forward(const NamedTensors& params, const TokenBatch& batch, ForwardCache* cache,
                       const MlpHook* hook = nullptr) const;
  // Gradients of cache->loss with respect to every parameter (written).
  absl::Status Backward(const NamedTensors& params, const TokenBatch& batch,
                        const ForwardCache& cache, NamedTensors* grads) const;

  // Checks a batch against the config (context, ids), with clear errors.
  absl::Status CheckBatch(const TokenBatch& batch) const;

 private:
  Transformer(const TransformerDims& dims, Backend* backend,
              std::unique_ptr<TransformerKernels> kernels)
      : dims_(dims), backend_(backend), kernels_(std::move(kernels)) {}
  TransformerDims dims_;
  Backend* backend_;
  std::unique_ptr<TransformerKernels> kernels_;
};

// Reallocates *t only when its shape differs from `shape`.
void EnsureShape(Tensor* t, const Shape& shape);

// Next-token loss with the MLP left alone, replaced by `replacement` (when
// given), zero-ablated and mean-ablated (mean over this batch's tokens) --
// the inputs of loss_recovered = (zero - replaced) / (zero - clean).
struct SpliceLosses {
  double clean = 0, replaced = 0, zero = 0, mean_ablated = 0;
  double LossRecovered() const { return (zero - replaced) / (zero - clean); }
  double LossRecoveredVsMean() const { return (mean_ablated - replaced) / (mean_ablated - clean); }
};
absl::StatusOr<SpliceLosses> MeasureSpliceLosses(const Transformer& model,
                                                 const NamedTensors& params,
                                                 const TokenBatch& batch,
                                                 const MlpHook* replacement);

}  // namespace monosem

#endif  // MONOSEM_MODELS_TRANSFORMER_TRANSFORMER_H_
