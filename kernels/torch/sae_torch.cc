#include "kernels/torch/sae_torch.h"

#include <torch/torch.h>

#include <exception>

#include "absl/strings/str_cat.h"
#include "kernels/torch/torch_backend.h"

namespace monosem::sae {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::tensor_list;

// f = pre * H(pre - theta); STE: d f / d theta = -(theta / eps) K((pre - theta) / eps).
struct JumpReLUFn : public torch::autograd::Function<JumpReLUFn> {
  static torch::Tensor forward(AutogradContext* ctx, torch::Tensor pre, torch::Tensor theta,
                               double bw) {
    ctx->save_for_backward({pre, theta});
    ctx->saved_data["bw"] = bw;
    return pre * (pre > theta).to(pre.dtype());
  }
  static tensor_list backward(AutogradContext* ctx, tensor_list g) {
    auto saved = ctx->get_saved_variables();
    const double bw = ctx->saved_data["bw"].toDouble();
    torch::Tensor pre = saved[0], theta = saved[1], go = g[0];
    torch::Tensor on = (pre > theta).to(pre.dtype());
    torch::Tensor k = (((pre - theta) / bw).abs() < 0.5).to(pre.dtype());
    return {go * on, (-(theta / bw) * k * go).sum(0), torch::Tensor()};
  }
};

// H(pre - theta); STE: d H / d theta = -(1 / eps) K((pre - theta) / eps), d H / d pre = 0.
struct StepFn : public torch::autograd::Function<StepFn> {
  static torch::Tensor forward(AutogradContext* ctx, torch::Tensor pre, torch::Tensor theta,
                               double bw) {
    ctx->save_for_backward({pre, theta});
    ctx->saved_data["bw"] = bw;
    return (pre > theta).to(pre.dtype());
  }
  static tensor_list backward(AutogradContext* ctx, tensor_list g) {
    auto saved = ctx->get_saved_variables();
    const double bw = ctx->saved_data["bw"].toDouble();
    torch::Tensor pre = saved[0], theta = saved[1], go = g[0];
    torch::Tensor k = (((pre - theta) / bw).abs() < 0.5).to(pre.dtype());
    return {torch::zeros_like(pre), (-(1.0 / bw) * k * go).sum(0), torch::Tensor()};
  }
};

template <typename F>
absl::Status Guard(const char* op, F&& f) {
  return TorchGuard(std::string("sae ") + op, f, /*no_grad=*/false);
}

void CopyOut(const torch::Tensor& t, Tensor* out) {
  AsTorch(*out).copy_(t.detach().to(torch::kFloat32).reshape(AsTorch(*out).sizes()));
}

void ToCodes(const torch::Tensor& f, bool sparse, SaeCodes* codes) {
  torch::Tensor ff = f.detach().to(torch::kFloat32).contiguous();
  codes->rows = ff.size(0);
  codes->f = ff.size(1);
  codes->sparse = sparse;
  codes->row_ptr.clear();
  codes->idx.clear();
  codes->val.clear();
  if (!sparse) {
    codes->dense = Tensor::Uninitialized({codes->rows, codes->f});
    AsTorch(codes->dense).copy_(ff);
    return;
  }
  codes->dense = Tensor();
  torch::Tensor nz = (ff > 0).nonzero();  // row-major order: by row, then index
  const int64_t nnz = nz.size(0);
  auto acc = nz.accessor<int64_t, 2>();
  const float* fv = ff.data_ptr<float>();
  codes->row_ptr.assign(codes->rows + 1, 0);
  codes->idx.resize(nnz);
  codes->val.resize(nnz);
  for (int64_t e = 0; e < nnz; ++e) {
    const int64_t n = acc[e][0], i = acc[e][1];
    codes->row_ptr[n + 1] += 1;
    codes->idx[e] = static_cast<int32_t>(i);
    codes->val[e] = fv[n * codes->f + i];
  }
  for (int64_t n = 0; n < codes->rows; ++n) codes->row_ptr[n + 1] += codes->row_ptr[n];
}

// Activations from pre-activations (training semantics for batch_topk).
torch::Tensor Activate(const SaeSpec& s, const torch::Tensor& pre, const torch::Tensor& theta,
                       double* min_kept) {
  switch (s.arch) {
    case Arch::kReluL1:
      return torch::relu(pre);
    case Arch::kTopK: {
      torch::Tensor r = torch::relu(pre);
      auto [vals, idx] = r.topk(s.k, 1);
      return torch::zeros_like(r).scatter(1, idx, vals);
    }
    case Arch::kBatchTopK:
    case Arch::kMatryoshkaBatchTopK: {  // one top-(k*B) over the full width and batch
      torch::Tensor r = torch::relu(pre).flatten();
      auto [vals, idx] = r.topk(s.k * pre.size(0));
      torch::Tensor pos = vals.detach().masked_select(vals.detach() > 0);
      if (min_kept != nullptr) *min_kept = pos.numel() > 0 ? pos.min().item<double>() : 0.0;
      return torch::zeros_like(r).scatter(0, idx, vals).view(pre.sizes());
    }
    case Arch::kJumpReLU:
      return JumpReLUFn::apply(pre, theta, static_cast<double>(s.bandwidth));
    case Arch::kGated:
      break;  // two pre-activations: GatedActivate
  }
  return pre;
}

// Gated codes as the paper writes them: f = H(pi_gate) * ReLU(x_c W_mag^T +
// b_mag) with the weight-shared W_mag = exp(r_mag) (row-wise) * W_gate; the
// Heaviside is a constant mask to autograd.
torch::Tensor GatedActivate(const torch::Tensor& xc, const torch::Tensor& pi_gate,
                            const torch::Tensor& W_gate, const torch::Tensor& r_mag,
                            const torch::Tensor& b_mag) {
  torch::Tensor W_mag = W_gate * r_mag.exp().unsqueeze(1);
  torch::Tensor open = (pi_gate.detach() > 0).to(pi_gate.dtype());
  return open * torch::relu(torch::addmm(b_mag, xc, W_mag.t()));
}

bool SparseCodes(Arch a) { return a == Arch::kTopK || IsBatchTopK(a); }

}  // namespace

absl::Status TorchAutogradLossAndGrad(const SaeSpec& s, const SaeParams& p, const Tensor& x_in,
                                      const std::vector<uint8_t>& dead, bool float64,
                                      SaeStepOut* out, SaeCodes* codes) {
  return Guard("loss_and_grad", [&] {
    const auto dt = float64 ? torch::kFloat64 : torch::kFloat32;
    auto leaf = [&](const Tensor& t) { return AsTorch(t).to(dt).detach().requires_grad_(true); };
    torch::Tensor W_enc = leaf(p.w_enc), b_enc = leaf(p.b_enc), W_dec = leaf(p.w_dec),
                  b_dec = leaf(p.b_dec), theta = leaf(p.threshold);
    const bool gated = s.arch == Arch::kGated;
    torch::Tensor r_mag = gated ? leaf(p.r_mag) : torch::Tensor();
    torch::Tensor b_mag = gated ? leaf(p.b_mag) : torch::Tensor();
    torch::Tensor x = AsTorch(x_in).to(dt);
    const int64_t B = x.size(0);
    torch::Tensor pre = torch::addmm(b_enc, x - b_dec, W_enc.t());
    double min_kept = 0;
    torch::Tensor f = gated ? GatedActivate(x - b_dec, pre, W_enc, r_mag, b_mag)
                            : Activate(s, pre, theta, &min_kept);
    torch::Tensor x_hat = torch::addmm(b_dec, f, W_dec);
    torch::Tensor recon = (x_hat - x).pow(2).sum(1).mean();
    torch::Tensor loss = recon;
    double sparsity = 0, aux = 0, prefix_recon = 0;
    if (s.arch == Arch::kMatryoshkaBatchTopK) {
      // Each proper prefix reconstructs with the latents beyond it zeroed.
      for (size_t l = 0; l + 1 < s.prefix_widths.size(); ++l) {
        const int64_t w = s.prefix_widths[l];
        torch::Tensor xw = torch::addmm(b_dec, f.narrow(1, 0, w), W_dec.narrow(0, 0, w));
        torch::Tensor rw = (xw - x).pow(2).sum(1).mean();
        prefix_recon += rw.item<double>();
        loss = loss + rw;
      }
    }
    if (gated) {
      torch::Tensor act = torch::relu(pre);
      torch::Tensor sp = (act * W_dec.norm(2, 1)).sum(1).mean();
      torch::Tensor via_gate = torch::addmm(b_dec.detach(), act, W_dec.detach());
      torch::Tensor a = (via_gate - x).pow(2).sum(1).mean();
      sparsity = sp.item<double>();
      aux = a.item<double>();
      loss = loss + s.l1 * sp + a;
    } else if (s.arch == Arch::kReluL1) {
      torch::Tensor sp = (f * W_dec.norm(2, 1)).sum(1).mean();
      sparsity = sp.item<double>();
      loss = loss + s.l1 * sp;
    } else if (s.arch == Arch::kJumpReLU) {
      torch::Tensor sp = StepFn::apply(pre, theta, static_cast<double>(s.bandwidth)).sum(1).mean();
      sparsity = sp.item<double>();
      loss = loss + s.l1 * sp;
    } else if (s.k_aux > 0 && !dead.empty()) {
      torch::Tensor dead_mask =
          torch::from_blob(const_cast<uint8_t*>(dead.data()), {s.f}, torch::kUInt8).to(torch::kBool);
      if (dead_mask.any().item<bool>()) {
        torch::Tensor cand = torch::where(dead_mask, torch::relu(pre), torch::zeros_like(pre));
        auto [vals, idx] = cand.topk(std::min<int64_t>(s.k_aux, s.f), 1);
        torch::Tensor f_aux = torch::zeros_like(pre).scatter(1, idx, vals);
        torch::Tensor resid = (x - x_hat).detach();
        torch::Tensor a = (f_aux.mm(W_dec) - resid).pow(2).sum(1).mean();
        aux = a.item<double>();
        loss = loss + s.aux_coef * a;
      }
    }
    loss.backward();
    out->loss = loss.item<double>();
    out->recon = recon.item<double>();
    out->sparsity = sparsity;
    out->aux = aux;
    out->prefix_recon = prefix_recon;
    torch::Tensor fired = (f.detach() > 0).sum(0).to(torch::kInt64).contiguous();
    out->l0 = fired.sum().item<double>() / B;
    for (int64_t i = 0; i < s.f; ++i) out->fired[i] = fired.data_ptr<int64_t>()[i];
    out->min_kept = min_kept;
    CopyOut(W_enc.grad(), &out->grad.w_enc);
    CopyOut(b_enc.grad(), &out->grad.b_enc);
    CopyOut(W_dec.grad(), &out->grad.w_dec);
    CopyOut(b_dec.grad(), &out->grad.b_dec);
    if (theta.grad().defined()) {
      CopyOut(theta.grad(), &out->grad.threshold);
    } else {
      out->grad.threshold.Fill(0.0f);
    }
    if (gated) {
      CopyOut(r_mag.grad(), &out->grad.r_mag);
      CopyOut(b_mag.grad(), &out->grad.b_mag);
    }
    if (codes != nullptr) ToCodes(f, SparseCodes(s.arch), codes);
  });
}

namespace {

class TorchSaeKernels : public SaeKernels {
 public:
  using SaeKernels::SaeKernels;

 protected:
  absl::Status ForwardImpl(const SaeSpec& s, const SaeParams& p, const Tensor& x, SaeCodes* codes,
                           Tensor* x_hat) override {
    return Guard("forward", [&] {
      torch::NoGradGuard no_grad;
      torch::Tensor b_dec = AsTorch(p.b_dec), th = AsTorch(p.threshold);
      torch::Tensor pre = torch::addmm(AsTorch(p.b_enc), AsTorch(x) - b_dec, AsTorch(p.w_enc).t());
      torch::Tensor f;
      if (IsBatchTopK(s.arch)) {
        f = pre * ((pre > th) & (pre > 0)).to(pre.dtype());
      } else if (s.arch == Arch::kGated) {
        f = GatedActivate(AsTorch(x) - b_dec, pre, AsTorch(p.w_enc), AsTorch(p.r_mag), AsTorch(p.b_mag));
      } else {
        f = Activate(s, pre, th, nullptr);
      }
      torch::Tensor out = AsTorch(*x_hat);
      torch::addmm_out(out, b_dec, f, AsTorch(p.w_dec));
      if (codes != nullptr) ToCodes(f, SparseCodes(s.arch), codes);
    });
  }

  absl::Status LossAndGradImpl(const SaeSpec& s, const SaeParams& p, const Tensor& x,
                               const std::vector<uint8_t>& dead, SaeStepOut* out,
                               SaeCodes* codes) override {
    return TorchAutogradLossAndGrad(s, p, x, dead, /*float64=*/false, out, codes);
  }

  absl::Status ProjectDecoderGradImpl(const Tensor& w, Tensor* g) override {
    return Guard("project", [&] {
      torch::NoGradGuard no_grad;
      torch::Tensor W = AsTorch(w), G = AsTorch(*g);
      torch::Tensor nn = (W * W).sum(1, true);
      torch::Tensor c = torch::where(nn > 0, (W * G).sum(1, true) / nn, torch::zeros_like(nn));
      G.sub_(c * W);
    });
  }

  absl::Status NormalizeDecoderRowsImpl(Tensor* w) override {
    return Guard("normalize", [&] {
      torch::NoGradGuard no_grad;
      torch::Tensor W = AsTorch(*w);
      torch::Tensor n = W.norm(2, 1, true);
      W.div_(torch::where(n > 0, n, torch::ones_like(n)));
    });
  }

  absl::Status AdamImpl(const AdamConfig& c, int64_t step,
                        const std::vector<AdamSlot>& slots) override {
    return Guard("adam", [&] {
      torch::NoGradGuard no_grad;
      const double bc1 = 1.0 - std::pow(static_cast<double>(c.beta1), static_cast<double>(step));
      const double bc2 = 1.0 - std::pow(static_cast<double>(c.beta2), static_cast<double>(step));
      for (const AdamSlot& sl : slots) {
        torch::Tensor P = AsTorch(*sl.p), G = AsTorch(*sl.g), M = AsTorch(*sl.m), V = AsTorch(*sl.v);
        M.mul_(c.beta1).add_(G, 1.0 - c.beta1);
        V.mul_(c.beta2).addcmul_(G, G, 1.0 - c.beta2);
        torch::Tensor denom = (V.sqrt() / std::sqrt(bc2)).add_(c.eps);
        P.addcdiv_(M, denom, -c.lr / bc1);
      }
    });
  }
};

MONOSEM_REGISTER_KERNEL_SET(SaeKernels, "torch", TorchSaeKernels);

}  // namespace
}  // namespace monosem::sae
