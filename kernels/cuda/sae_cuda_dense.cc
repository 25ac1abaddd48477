// relu_l1 and jumprelu on the cuda backend (kernels in sae_dense.cu): dense
// decode and backward through cuBLAS with column-blocked epilogues
// (activation + firing counts + penalty sums; dpre + db_enc + the JumpReLU
// STE threshold gradient; relu_l1's decoder-norm term), then the loss terms
// and firing counts copied back to the host.
#include <vector>

#include "kernels/cuda/cuda_check.h"
#include "kernels/cuda/sae_cuda_workspace.h"
#include "monosem/status.h"

namespace monosem::sae {

namespace cu = ::monosem::cuda;

// relu_l1 / jumprelu inference: the dense epilogue, then x_hat = b_dec + f W_dec.
absl::Status CudaSaeKernels::DenseForward(const SaeSpec& s, const Staged& st, float* pre, int64_t B,
                                          float* xh, Tensor* x_hat, SaeCodes* codes) {
  const int64_t d = s.d, F = s.f;
  const bool jump = s.arch == Arch::kJumpReLU;
  float* f = pre;
  if (jump) {
    MONOSEM_ASSIGN_OR_RETURN(f, ws_.f.As<float>(B * F));
  }
  MONOSEM_CUDA_RETURN_IF_ERROR(cu::LaunchSaeDenseEncode(
      jump, pre, st.b_enc, st.th, jump ? f : nullptr, B, F, nullptr, nullptr, nullptr, nullptr));
  MONOSEM_CUDA_RETURN_IF_ERROR(cu::LaunchSaeBroadcastRows(st.b_dec, xh, B, d, nullptr));
  MONOSEM_RETURN_IF_ERROR(Gemm(false, false, B, d, F, 1.0f, f, F, st.w_dec, d, 1.0f, xh, d));
  MONOSEM_RETURN_IF_ERROR(CudaBuffer::Unstage(xh, x_hat));
  if (codes != nullptr) MONOSEM_RETURN_IF_ERROR(DenseToCodes(B, F, f, codes));
  return absl::OkStatus();
}

absl::Status CudaSaeKernels::DenseLossAndGrad(const SaeSpec& s, const Staged& st, const float* xc,
                                              float* pre, int64_t B, SaeStepOut* out,
                                              SaeCodes* codes) {
  const int64_t d = s.d, F = s.f;
  const bool jump = s.arch == Arch::kJumpReLU;
  MONOSEM_ASSIGN_OR_RETURN(float* norm, ws_.norm.As<float>(F));
  MONOSEM_CUDA_RETURN_IF_ERROR(cu::LaunchSaeRowNorms(st.w_dec, norm, F, d, nullptr));
  float* f = pre;  // relu: f replaces pre in place (f > 0 <=> pre > 0)
  if (jump) {
    MONOSEM_ASSIGN_OR_RETURN(f, ws_.f.As<float>(B * F));
  }
  MONOSEM_ASSIGN_OR_RETURN(uint32_t* fired, ws_.fired.As<uint32_t>(F));
  MONOSEM_ASSIGN_OR_RETURN(double* fsum, ws_.fsum.As<double>(F));
  MONOSEM_ASSIGN_OR_RETURN(uint32_t* on, ws_.on.As<uint32_t>(F));
  MONOSEM_CUDA_RETURN_IF_ERROR(cu::LaunchSaeDenseEncode(
      jump, pre, st.b_enc, st.th, jump ? f : nullptr, B, F, fired, fsum, on, nullptr));
  // x_hat = b_dec + f W_dec, then e, recon and dxhat = 2 e / B.
  MONOSEM_ASSIGN_OR_RETURN(float* xh, ws_.x_hat.As<float>(B * d));
  MONOSEM_CUDA_RETURN_IF_ERROR(cu::LaunchSaeBroadcastRows(st.b_dec, xh, B, d, nullptr));
  MONOSEM_RETURN_IF_ERROR(Gemm(false, false, B, d, F, 1.0f, f, F, st.w_dec, d, 1.0f, xh, d));
  MONOSEM_ASSIGN_OR_RETURN(float* dxhat, ws_.dxhat.As<float>(B * d));
  MONOSEM_ASSIGN_OR_RETURN(double* recon_row, ws_.recon_row.As<double>(B));
  MONOSEM_CUDA_RETURN_IF_ERROR(cu::LaunchSaeResidual(xh, st.x, dxhat, recon_row, B, d,
                                                     2.0f / static_cast<float>(B), nullptr));
  MONOSEM_ASSIGN_OR_RETURN(Grads g, StageGrads(&out->grad));
  // dW_dec = f^T dxhat (+ the L1 term through ||W_dec,i||).
  MONOSEM_RETURN_IF_ERROR(Gemm(true, false, F, d, B, 1.0f, f, F, dxhat, d, 0.0f, g.w_dec, d));
  if (!jump && s.l1 != 0) {
    MONOSEM_CUDA_RETURN_IF_ERROR(cu::LaunchSaeDecoderL1Grad(
        g.w_dec, st.w_dec, fsum, norm, static_cast<double>(s.l1) / B, F, d, nullptr));
  }
  // df = dxhat W_dec^T, then dpre, db_enc and the threshold gradient.
  MONOSEM_ASSIGN_OR_RETURN(float* dpre, ws_.dpre.As<float>(B * F));
  MONOSEM_RETURN_IF_ERROR(Gemm(false, true, B, F, d, 1.0f, dxhat, d, st.w_dec, d, 0.0f, dpre, F));
  MONOSEM_CUDA_RETURN_IF_ERROR(
      cu::LaunchSaeDenseBackward(jump, pre, dpre, st.th, norm, B, F, s.l1 / static_cast<float>(B),
                                 1.0f / s.bandwidth, g.b_enc, g.th, nullptr));
  // dW_enc = dpre^T xc.
  MONOSEM_RETURN_IF_ERROR(Gemm(true, false, F, d, B, 1.0f, dpre, F, xc, d, 0.0f, g.w_enc, d));
  MONOSEM_RETURN_IF_ERROR(BiasDecGrad(s, st, B, dxhat, g.b_enc, g.b_dec));
  MONOSEM_RETURN_IF_ERROR(UnstageGrads(g, &out->grad));

  std::vector<double> rr(B);
  MONOSEM_RETURN_IF_ERROR(Download(rr.data(), recon_row, B * sizeof(double)));
  std::vector<uint32_t> fr(F);
  MONOSEM_RETURN_IF_ERROR(Download(fr.data(), fired, F * sizeof(uint32_t)));
  double recon = 0, sparsity = 0;
  int64_t active = 0;
  for (double v : rr) recon += v;
  for (int64_t i = 0; i < F; ++i) {
    out->fired[i] = fr[i];
    active += fr[i];
  }
  if (jump) {
    std::vector<uint32_t> o(F);
    MONOSEM_RETURN_IF_ERROR(Download(o.data(), on, F * sizeof(uint32_t)));
    for (uint32_t v : o) sparsity += v;
  } else {
    std::vector<double> fs(F);
    std::vector<float> nm(F);
    MONOSEM_RETURN_IF_ERROR(Download(fs.data(), fsum, F * sizeof(double)));
    MONOSEM_RETURN_IF_ERROR(Download(nm.data(), norm, F * sizeof(float)));
    for (int64_t i = 0; i < F; ++i) sparsity += fs[i] * nm[i];
  }
  out->recon = recon / B;
  out->sparsity = sparsity / B;
  out->l0 = static_cast<double>(active) / B;
  out->aux = 0;
  out->min_kept = 0;
  out->loss = out->recon + s.l1 * out->sparsity;
  return DenseToCodes(B, F, f, codes);
}

}  // namespace monosem::sae
