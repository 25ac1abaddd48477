// The cpu backend's SAE kernel set (the math is in
// monosem/models/sae/sae_kernels.h): dispatch by architecture over the passes
// in sae_select.cc, sae_sparse.cc, sae_dense.cc, sae_gated.cc,
// sae_matryoshka.cc and sae_optim.cc, around one
// named workspace (sae_workspace.h). GEMMs run on the backend this kernel set
// was created from (the cpu backend, or one derived from it).
#include "kernels/cpu/sae_workspace.h"
#include "monosem/status.h"

namespace monosem::sae {
namespace {

class CpuSaeKernels : public SaeKernels {
 public:
  using SaeKernels::SaeKernels;

 protected:
  absl::Status ForwardImpl(const SaeSpec& s, const SaeParams& p, const Tensor& x, SaeCodes* codes,
                           Tensor* x_hat) override {
    const int64_t B = x.dim(0), F = s.f;
    const cpu::Ctx c{backend(), cpu::Ctx::Parallel(B * F * s.d)};
    MONOSEM_RETURN_IF_ERROR(cpu::Encode(c, s, p, x, &ws_));
    if (s.arch == Arch::kGated) return cpu::GatedForward(c, s, p, B, &ws_, x_hat, codes);
    if (s.arch == Arch::kTopK) {
      cpu::PackDeadBits({}, F, &ws_);
      cpu::SelectTopK(c, s, p, B, /*use_aux=*/false, &ws_);
      cpu::TopKToCsr(B, &ws_);
    } else if (IsBatchTopK(s.arch)) {
      // Inference: f = pre * [pre > threshold] (and > 0), pre biased in place.
      const float* be = p.b_enc.data();
      const float* th = p.threshold.data();
      float* pre = ws_.pre.data();
#pragma omp parallel for schedule(static) if (c.par)
      for (int64_t n = 0; n < B; ++n) {
        float* row = pre + n * F;
#pragma omp simd
        for (int64_t i = 0; i < F; ++i) row[i] += be[i];
      }
      cpu::PreToCsr(c, B, F, [th](float v, int64_t i) { return v > th[i] && v > 0; }, &ws_);
    } else {
      return cpu::DenseForward(c, s, p, B, &ws_, x_hat, codes);
    }
    cpu::SparseDecode(c, s, p, B, ws_.active, x_hat->data());
    if (codes != nullptr) cpu::FillSparseCodes(s, B, ws_.active, codes);
    return absl::OkStatus();
  }

  absl::Status LossAndGradImpl(const SaeSpec& s, const SaeParams& p, const Tensor& x,
                               const std::vector<uint8_t>& dead, SaeStepOut* out,
                               SaeCodes* codes) override {
    const cpu::Ctx c{backend(), cpu::Ctx::Parallel(x.dim(0) * s.f * s.d)};
    if (UsesK(s.arch)) return SparseLossAndGrad(c, s, p, x, dead, out, codes);
    if (s.arch == Arch::kGated) return cpu::GatedLossAndGrad(c, s, p, x, &ws_, out, codes);
    return cpu::DenseLossAndGrad(c, s, p, x, &ws_, out, codes);
  }

  absl::Status ProjectDecoderGradImpl(const Tensor& w, Tensor* g) override {
    cpu::ProjectDecoderGrad(w, g);
    return absl::OkStatus();
  }

  absl::Status NormalizeDecoderRowsImpl(Tensor* w) override {
    cpu::NormalizeDecoderRows(w);
    return absl::OkStatus();
  }

  absl::Status AdamImpl(const AdamConfig& c, int64_t step,
                        const std::vector<AdamSlot>& slots) override {
    // One fork/join decision for the whole step, sized by the first tensor.
    const bool par = cpu::Ctx::Parallel(slots[0].p->size() * 8);
    for (const AdamSlot& sl : slots) cpu::Adam(c, step, *sl.g, sl.p, sl.m, sl.v, par);
    return absl::OkStatus();
  }

 private:
  // topk / (matryoshka) batch_topk: selection, then the backward over the
  // active entries.
  absl::Status SparseLossAndGrad(const cpu::Ctx& c, const SaeSpec& s, const SaeParams& p,
                                 const Tensor& x, const std::vector<uint8_t>& dead,
                                 SaeStepOut* out, SaeCodes* codes) {
    const int64_t B = x.dim(0);
    const bool use_aux = cpu::PackDeadBits(dead, s.f, &ws_) && s.k_aux > 0;
    MONOSEM_RETURN_IF_ERROR(cpu::Encode(c, s, p, x, &ws_));
    out->min_kept = 0;
    if (s.arch == Arch::kTopK) {
      cpu::SelectTopK(c, s, p, B, use_aux, &ws_);
      cpu::TopKToCsr(B, &ws_);
    } else {
      out->min_kept = cpu::SelectBatchTopK(c, s, p, B, &ws_);
      if (use_aux) cpu::SelectBatchAux(c, s, B, &ws_);
    }
    const bool nested = s.arch == Arch::kMatryoshkaBatchTopK;
    out->prefix_recon = nested ? cpu::MatryoshkaBands(c, s, p, x, &ws_) : 0.0;
    cpu::SparseBackward(c, s, p, x, use_aux, /*l1_term=*/false, &ws_, out,
                        nested ? &ws_.bands : nullptr);
    out->sparsity = 0;
    out->loss = out->recon + (use_aux ? s.aux_coef * out->aux : 0.0) + out->prefix_recon;
    if (codes != nullptr) cpu::FillSparseCodes(s, B, ws_.active, codes);
    return absl::OkStatus();
  }

  cpu::SaeWorkspace ws_;
};

MONOSEM_REGISTER_KERNEL_SET(SaeKernels, "cpu", CpuSaeKernels);

}  // namespace
}  // namespace monosem::sae
