#include "kernels/torch/transformer_torch.h"

#include <torch/torch.h>

#include <cmath>
#include <exception>

#include "absl/strings/str_cat.h"
#include "kernels/torch/torch_backend.h"
#include "monosem/models/transformer/transformer_kernels.h"

namespace monosem {
namespace {

template <typename F>
absl::Status Guard(const char* op, F&& f) { return TorchGuard(op, f); }

torch::Tensor Ids(absl::Span<const int32_t> ids) {
  return torch::from_blob(const_cast<int32_t*>(ids.data()), {static_cast<int64_t>(ids.size())},
                          torch::TensorOptions().dtype(torch::kInt32))
      .to(torch::kLong);
}

// [N, 3d] -> q, k, v as [B, H, S, dh] views.
std::array<torch::Tensor, 3> SplitHeads(const torch::Tensor& qkv, int64_t batch, int64_t ctx,
                                        int64_t heads) {
  const int64_t d = qkv.size(1) / 3;
  torch::Tensor t = qkv.view({batch, ctx, 3, heads, d / heads}).permute({2, 0, 3, 1, 4});
  return {t[0], t[1], t[2]};
}

class TorchTransformerKernels : public TransformerKernels {
 public:
  using TransformerKernels::TransformerKernels;

 protected:
  absl::Status EmbeddingForwardImpl(absl::Span<const int32_t> tokens, int64_t ctx,
                                    const Tensor& w_e, const Tensor& w_pos, Tensor* x) override {
    return Guard("embedding_forward", [&] {
      torch::Tensor X = AsTorch(*x);
      torch::index_select_out(X, AsTorch(w_e), 0, Ids(tokens));
      const int64_t d = w_e.dim(1);
      X.view({-1, ctx, d}).add_(AsTorch(w_pos).narrow(0, 0, ctx));
    });
  }

  absl::Status EmbeddingBackwardImpl(absl::Span<const int32_t> tokens, int64_t ctx,
                                     const Tensor& dx, Tensor* dw_e, Tensor* dw_pos) override {
    return Guard("embedding_backward", [&] {
      const int64_t d = dx.dim(1);
      torch::Tensor DX = AsTorch(dx);
      AsTorch(*dw_e).zero_().index_add_(0, Ids(tokens), DX);
      torch::Tensor GP = AsTorch(*dw_pos).zero_();
      torch::Tensor head = GP.narrow(0, 0, ctx);
      torch::sum_out(head, DX.view({-1, ctx, d}), {0});
    });
  }

  absl::Status LayerNormForwardImpl(const Tensor& x, const Tensor& w, const Tensor& b, Tensor* y,
                                    Tensor* mean, Tensor* rstd) override {
    return Guard("layer_norm_forward", [&] {
      const int64_t d = x.dim(1);
      auto [out, mu, rs] =
          torch::native_layer_norm(AsTorch(x), {d}, AsTorch(w), AsTorch(b), kLayerNormEps);
      AsTorch(*y).copy_(out);
      AsTorch(*mean).copy_(mu.view({-1}));
      AsTorch(*rstd).copy_(rs.view({-1}));
    });
  }

  absl::Status LayerNormBackwardImpl(const Tensor& x, const Tensor& w, const Tensor& mean,
                                     const Tensor& rstd, const Tensor& dy, Tensor* dx,
                                     Tensor* dw, Tensor* db) override {
    return Guard("layer_norm_backward", [&] {
      const int64_t d = x.dim(1);
      torch::Tensor W = AsTorch(w);
      auto [gx, gw, gb] = torch::native_layer_norm_backward(
          AsTorch(dy), AsTorch(x), {d}, AsTorch(mean).view({-1, 1}), AsTorch(rstd).view({-1, 1}),
          W, W, {true, true, true});
      AsTorch(*dx).copy_(gx);
      AsTorch(*dw).copy_(gw);
      AsTorch(*db).copy_(gb);
    });
  }

  absl::Status AttentionForwardImpl(const Tensor& qkv, int64_t batch, int64_t ctx, int64_t heads,
                                    Tensor* z, Tensor* probs) override {
    return Guard("attention_forward", [&] {
      const int64_t d = qkv.dim(1) / 3, dh = d / heads;
      auto [q, k, v] = SplitHeads(AsTorch(qkv), batch, ctx, heads);
      torch::Tensor scores = torch::matmul(q, k.transpose(-2, -1)).mul_(1.0 / std::sqrt(dh));
      torch::Tensor mask = torch::ones({ctx, ctx}, torch::kBool).triu_(1);
      scores.masked_fill_(mask, -std::numeric_limits<float>::infinity());
      torch::Tensor P = AsTorch(*probs);
      torch::softmax_out(P, scores, -1);
      torch::Tensor out = torch::matmul(P, v);  // [B, H, S, dh]
      AsTorch(*z).view({batch, ctx, heads, dh}).copy_(out.permute({0, 2, 1, 3}));
    });
  }

  absl::Status AttentionBackwardImpl(const Tensor& qkv, const Tensor& probs, const Tensor& dz,
                                     int64_t batch, int64_t ctx, int64_t heads,
                                     Tensor* dqkv) override {
    return Guard("attention_backward", [&] {
      const int64_t d = qkv.dim(1) / 3, dh = d / heads;
      auto [q, k, v] = SplitHeads(AsTorch(qkv), batch, ctx, heads);
      torch::Tensor P = AsTorch(probs);
      torch::Tensor g = AsTorch(dz).view({batch, ctx, heads, dh}).permute({0, 2, 1, 3});
      torch::Tensor dv = torch::matmul(P.transpose(-2, -1), g);
      torch::Tensor dp = torch::matmul(g, v.transpose(-2, -1));
      torch::Tensor ds =
          torch::_softmax_backward_data(dp, P, -1, torch::kFloat32).mul_(1.0 / std::sqrt(dh));
      torch::Tensor dq = torch::matmul(ds, k);
      torch::Tensor dk = torch::matmul(ds.transpose(-2, -1), q);
      AsTorch(*dqkv)
          .view({batch, ctx, 3, heads, dh})
          .copy_(torch::stack({dq, dk, dv}, 0).permute({1, 3, 0, 2, 4}));
    });
  }

  absl::Status CrossEntropyForwardImpl(const Tensor& logits, absl::Span<const int32_t> targets,
                                       Tensor* losses) override {
    return Guard("cross_entropy_forward", [&] {
      AsTorch(*losses).copy_(torch::nn::functional::cross_entropy(
          AsTorch(logits), Ids(targets),
          torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kNone)));
    });
  }

  absl::Status CrossEntropyBackwardImpl(const Tensor& logits, absl::Span<const int32_t> targets,
                                        float scale, Tensor* dlogits) override {
    return Guard("cross_entropy_backward", [&] {
      torch::Tensor D = AsTorch(*dlogits);
      torch::softmax_out(D, AsTorch(logits), 1);
      torch::Tensor t = Ids(targets).unsqueeze(1);
      D.scatter_add_(1, t, torch::full({t.size(0), 1}, -1.0f));
      D.mul_(scale);
    });
  }
};

}  // namespace

absl::StatusOr<AutogradResult> TorchAutogradLossAndGrads(const TransformerDims& dims,
                                                         const NamedTensors& params,
                                                         const TokenBatch& batch,
                                                         bool double_precision) {
  if (absl::Status s = CheckParams(dims, params); !s.ok()) return s;
  try {
    const auto dtype = double_precision ? torch::kFloat64 : torch::kFloat32;
    std::map<std::string, torch::Tensor> p;
    for (const auto& [name, t] : params) {
      p[name] = AsTorch(t).to(dtype).clone().set_requires_grad(true);
    }
    const int64_t B = batch.batch, S = batch.ctx, d = dims.d_model, H = dims.n_heads,
                  dh = d / H;
    namespace F = torch::nn::functional;
    torch::Tensor ids = Ids(batch.inputs).view({B, S});
    torch::Tensor x0 = F::embedding(ids, p["embed.W_E"]) + p["pos_embed.W_pos"].narrow(0, 0, S);
    auto ln = [&](const torch::Tensor& x, const std::string& pre) {
      return torch::layer_norm(x, {d}, p[pre + ".w"], p[pre + ".b"], kLayerNormEps);
    };
    torch::Tensor qkv = torch::matmul(ln(x0, "ln1"), p["attn.W_qkv"]) + p["attn.b_qkv"];
    torch::Tensor t = qkv.view({B, S, 3, H, dh}).permute({2, 0, 3, 1, 4});
    torch::Tensor scores = torch::matmul(t[0], t[1].transpose(-2, -1)) / std::sqrt(dh);
    scores = scores.masked_fill(torch::ones({S, S}, torch::kBool).triu(1),
                                -std::numeric_limits<double>::infinity());
    torch::Tensor z = torch::matmul(torch::softmax(scores, -1), t[2]).permute({0, 2, 1, 3})
                          .reshape({B, S, d});
    torch::Tensor x1 = x0 + torch::matmul(z, p["attn.W_O"]) + p["attn.b_O"];
    torch::Tensor acts = torch::relu(torch::matmul(ln(x1, "ln2"), p["mlp.W_in"]) + p["mlp.b_in"]);
    torch::Tensor x2 = x1 + torch::matmul(acts, p["mlp.W_out"]) + p["mlp.b_out"];
    torch::Tensor logits = torch::matmul(ln(x2, "ln_final"), p["unembed.W_U"]) + p["unembed.b_U"];
    torch::Tensor loss = F::cross_entropy(logits.view({B * S, dims.vocab}), Ids(batch.targets));
    loss.backward();
    AutogradResult out;
    out.loss = loss.item<double>();
    for (auto& [name, t] : p) {
      torch::Tensor g = t.grad().to(torch::kFloat32).contiguous();
      Tensor mg = Tensor::Uninitialized(TransformerParamShape(dims, name));
      std::memcpy(mg.data(), g.data_ptr<float>(), sizeof(float) * mg.size());
      out.grads.emplace(name, std::move(mg));
    }
    return out;
  } catch (const std::exception& e) {
    return absl::InternalError(absl::StrCat("torch autograd transformer: ", e.what()));
  }
}

MONOSEM_REGISTER_KERNEL_SET(TransformerKernels, "torch", TorchTransformerKernels);

}  // namespace monosem
