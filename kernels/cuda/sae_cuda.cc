// The cuda backend's SAE kernel set (registered as "cuda"; math in
// monosem/models/sae/sae_kernels.h, design in docs/kernels/cuda.md): dispatch by
// architecture, staging, the encoder, and the host-side results. The passes
// are in sae_cuda_select.cc, sae_cuda_sparse.cc, sae_cuda_dense.cc and
// sae_cuda_optim.cc (sae_cuda_workspace.h lists them), the kernels in the
// matching .cu files.
//
// Like the cuda Backend, host tensors are staged through cached device
// buffers (the named members of SaeCudaWorkspace, grown never shrunk) and
// device tensors are used in place. The outputs that SaeStepOut / SaeCodes
// keep on the host (loss terms, firing counts, codes) are copied back at the
// end of each call.
//
// One training step:
//   xc = x - b_dec;  pre = xc W_enc^T (cuBLAS SGEMM, FP32 math)
//   topk:       one block per row adds b_enc, radix-selects the top k (and the
//               AuxK candidates among dead latents) into fixed slots, counts
//               firings (integer atomics);
//   batch_topk: b_enc added in place, a global 4-pass radix select finds the
//               (k*B)-th value and its tie quota (flat order), one block per
//               row compacts into CSR;
//   sparse decode + residual (one block per row, O(B*k*d));
//   dp per active entry (one warp per entry); the entries sorted stably by
//   feature (cub radix sort: a counting sort per digit), so dW_dec, dW_enc and
//   db_enc are gathered per feature with no float atomics: deterministic;
//   relu_l1 / jumprelu: dense decode and backward through cuBLAS with
//   column-blocked epilogues (activation + firing counts + penalty sums;
//   dpre + db_enc + the JumpReLU STE threshold gradient).
//   db_dec = sum_n dxhat - W_enc^T db_enc (column sums + cuBLAS SGEMV).
#include <vector>

#include "absl/strings/str_cat.h"
#include "kernels/cuda/cuda_backend.h"
#include "kernels/cuda/cuda_check.h"
#include "kernels/cuda/cuda_kernels.h"
#include "kernels/cuda/sae_cuda_workspace.h"
#include "monosem/status.h"

namespace monosem::sae {

namespace cu = ::monosem::cuda;

// The backend's cuBLAS handle (one per backend, shared by its kernel sets).
absl::StatusOr<cublasHandle_t> CudaSaeKernels::Handle() {
  MONOSEM_ASSIGN_OR_RETURN(CudaBackend * cuda, AsCudaBackend(backend()));
  MONOSEM_ASSIGN_OR_RETURN(void* h, cuda->CublasHandle());
  return static_cast<cublasHandle_t>(h);
}

// Row-major GEMM on device pointers: the backend's (CudaBackend::DeviceGemm).
absl::Status CudaSaeKernels::Gemm(bool ta, bool tb, int64_t m, int64_t n, int64_t k, float alpha,
                                  const float* a, int64_t lda, const float* b, int64_t ldb,
                                  float beta, float* c, int64_t ldc) {
  MONOSEM_ASSIGN_OR_RETURN(CudaBackend * cuda, AsCudaBackend(backend()));
  return cuda->DeviceGemm(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

absl::StatusOr<int64_t> CudaSaeKernels::SmemOptin() {
  if (smem_optin_ < 0) {
    int dev = 0, v = 0;
    MONOSEM_CUDA_RETURN_IF_ERROR(cudaGetDevice(&dev));
    MONOSEM_CUDA_RETURN_IF_ERROR(
        cudaDeviceGetAttribute(&v, cudaDevAttrMaxSharedMemoryPerBlockOptin, dev));
    smem_optin_ = v;
  }
  return smem_optin_;
}

absl::Status CudaSaeKernels::Download(void* host, const void* dev, int64_t bytes) {
  if (bytes == 0) return absl::OkStatus();
  MONOSEM_CUDA_RETURN_IF_ERROR(cudaMemcpy(host, dev, bytes, cudaMemcpyDeviceToHost));
  return absl::OkStatus();
}

absl::StatusOr<CudaSaeKernels::Staged> CudaSaeKernels::StageInputs(const SaeParams& p,
                                                                   const Tensor& x) {
  Staged st;
  MONOSEM_ASSIGN_OR_RETURN(float* dx, ws_.x.Stage(x, true));
  MONOSEM_ASSIGN_OR_RETURN(float* we, ws_.w_enc.Stage(p.w_enc, true));
  MONOSEM_ASSIGN_OR_RETURN(float* be, ws_.b_enc.Stage(p.b_enc, true));
  MONOSEM_ASSIGN_OR_RETURN(float* wd, ws_.w_dec.Stage(p.w_dec, true));
  MONOSEM_ASSIGN_OR_RETURN(float* bd, ws_.b_dec.Stage(p.b_dec, true));
  MONOSEM_ASSIGN_OR_RETURN(float* th, ws_.th.Stage(p.threshold, true));
  st.x = dx;
  st.w_enc = we;
  st.b_enc = be;
  st.w_dec = wd;
  st.b_dec = bd;
  st.th = th;
  return st;
}

// xc = x - b_dec and pre = xc W_enc^T (no bias).
absl::StatusOr<float*> CudaSaeKernels::Encode(const SaeSpec& s, const Staged& st, int64_t B,
                                              float** xc_out) {
  const int64_t d = s.d, F = s.f;
  MONOSEM_ASSIGN_OR_RETURN(float* xc, ws_.xc.As<float>(B * d));
  MONOSEM_ASSIGN_OR_RETURN(float* pre, ws_.pre.As<float>(B * F));
  MONOSEM_CUDA_RETURN_IF_ERROR(cu::LaunchSaeCenter(st.x, st.b_dec, xc, B, d, nullptr));
  MONOSEM_RETURN_IF_ERROR(Gemm(false, true, B, F, d, 1.0f, xc, d, st.w_enc, d, 0.0f, pre, F));
  *xc_out = xc;
  return pre;
}

// db_dec = sum_n dxhat[n] - W_enc^T db_enc.
absl::Status CudaSaeKernels::BiasDecGrad(const SaeSpec& s, const Staged& st, int64_t B,
                                         const float* dxhat, const float* g_b_enc, float* g_b_dec) {
  MONOSEM_CUDA_RETURN_IF_ERROR(cu::LaunchSumRows(dxhat, g_b_dec, B, s.d, nullptr));
  MONOSEM_ASSIGN_OR_RETURN(float* y, ws_.gemv.As<float>(s.d));
  MONOSEM_ASSIGN_OR_RETURN(cublasHandle_t h, Handle());
  const float one = 1.0f, zero = 0.0f;
  // Row-major W_enc [F, d] is column-major d x F with lda = d.
  MONOSEM_CUBLAS_RETURN_IF_ERROR(cublasSgemv(h, CUBLAS_OP_N, static_cast<int>(s.d),
                                             static_cast<int>(s.f), &one, st.w_enc,
                                             static_cast<int>(s.d), g_b_enc, 1, &zero, y, 1));
  MONOSEM_CUDA_RETURN_IF_ERROR(cu::LaunchAxpby(-1.0f, y, 1.0f, g_b_dec, s.d, nullptr));
  return absl::OkStatus();
}

absl::StatusOr<CudaSaeKernels::Grads> CudaSaeKernels::StageGrads(SaeParams* g) {
  Grads gr;
  MONOSEM_ASSIGN_OR_RETURN(gr.w_enc, ws_.g_w_enc.Stage(g->w_enc, false));
  MONOSEM_ASSIGN_OR_RETURN(gr.b_enc, ws_.g_b_enc.Stage(g->b_enc, false));
  MONOSEM_ASSIGN_OR_RETURN(gr.w_dec, ws_.g_w_dec.Stage(g->w_dec, false));
  MONOSEM_ASSIGN_OR_RETURN(gr.b_dec, ws_.g_b_dec.Stage(g->b_dec, false));
  MONOSEM_ASSIGN_OR_RETURN(gr.th, ws_.g_th.Stage(g->threshold, false));
  return gr;
}

absl::Status CudaSaeKernels::UnstageGrads(const Grads& gr, SaeParams* g) {
  MONOSEM_RETURN_IF_ERROR(CudaBuffer::Unstage(gr.w_enc, &g->w_enc));
  MONOSEM_RETURN_IF_ERROR(CudaBuffer::Unstage(gr.b_enc, &g->b_enc));
  MONOSEM_RETURN_IF_ERROR(CudaBuffer::Unstage(gr.w_dec, &g->w_dec));
  MONOSEM_RETURN_IF_ERROR(CudaBuffer::Unstage(gr.b_dec, &g->b_dec));
  return CudaBuffer::Unstage(gr.th, &g->threshold);
}

// Codes from fixed slots (topk): row n holds cnt[n] entries at n*k.
absl::Status CudaSaeKernels::SlotsToCodes(int64_t B, int64_t F, int64_t k, const int32_t* d_cnt,
                                          const int32_t* d_feat, const float* d_val,
                                          SaeCodes* codes) {
  if (codes == nullptr) return absl::OkStatus();
  std::vector<int32_t> cnt(B), feat(B * k);
  std::vector<float> val(B * k);
  MONOSEM_RETURN_IF_ERROR(Download(cnt.data(), d_cnt, B * sizeof(int32_t)));
  MONOSEM_RETURN_IF_ERROR(Download(feat.data(), d_feat, B * k * sizeof(int32_t)));
  MONOSEM_RETURN_IF_ERROR(Download(val.data(), d_val, B * k * sizeof(float)));
  codes->rows = B;
  codes->f = F;
  codes->sparse = true;
  codes->dense = Tensor();
  codes->row_ptr.assign(1, 0);
  codes->idx.clear();
  codes->val.clear();
  for (int64_t n = 0; n < B; ++n) {
    codes->idx.insert(codes->idx.end(), feat.begin() + n * k, feat.begin() + n * k + cnt[n]);
    codes->val.insert(codes->val.end(), val.begin() + n * k, val.begin() + n * k + cnt[n]);
    codes->row_ptr.push_back(static_cast<int64_t>(codes->idx.size()));
  }
  return absl::OkStatus();
}

// Codes from CSR (batch_topk).
absl::Status CudaSaeKernels::CsrToCodes(int64_t B, int64_t F, int64_t nnz, const int32_t* d_row_ptr,
                                        const int32_t* d_feat, const float* d_val,
                                        SaeCodes* codes) {
  if (codes == nullptr) return absl::OkStatus();
  std::vector<int32_t> rp(B + 1);
  MONOSEM_RETURN_IF_ERROR(Download(rp.data(), d_row_ptr, (B + 1) * sizeof(int32_t)));
  codes->rows = B;
  codes->f = F;
  codes->sparse = true;
  codes->dense = Tensor();
  codes->row_ptr.assign(rp.begin(), rp.end());
  codes->idx.resize(nnz);
  codes->val.resize(nnz);
  MONOSEM_RETURN_IF_ERROR(Download(codes->idx.data(), d_feat, nnz * sizeof(int32_t)));
  MONOSEM_RETURN_IF_ERROR(Download(codes->val.data(), d_val, nnz * sizeof(float)));
  return absl::OkStatus();
}

absl::Status CudaSaeKernels::DenseToCodes(int64_t B, int64_t F, const float* d_f, SaeCodes* codes) {
  if (codes == nullptr) return absl::OkStatus();
  codes->rows = B;
  codes->f = F;
  codes->sparse = false;
  codes->row_ptr.clear();
  codes->idx.clear();
  codes->val.clear();
  codes->dense = Tensor::Uninitialized({B, F});
  return Download(codes->dense.data(), d_f, B * F * sizeof(float));
}

// batch_topk inference / training share the CSR row_ptr scan.
absl::StatusOr<int64_t> CudaSaeKernels::ScanRows(const int32_t* cnt, int32_t* row_ptr, int64_t B) {
  MONOSEM_CUDA_RETURN_IF_ERROR(cu::LaunchSaeExclusiveScan(cnt, row_ptr, B, nullptr));
  int32_t nnz = 0;
  MONOSEM_RETURN_IF_ERROR(Download(&nnz, row_ptr + B, sizeof(int32_t)));
  return static_cast<int64_t>(nnz);
}

namespace {

// gated and matryoshka_batch_topk have no cuda kernels yet: say so rather
// than run another architecture's passes on them.
absl::Status CheckArchSupported(Arch a) {
  if (a == Arch::kGated || a == Arch::kMatryoshkaBatchTopK) {
    return absl::UnimplementedError(absl::StrCat("cuda sae: architecture ", ArchName(a),
                                                 " is not implemented on cuda (use cpu or torch)"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status CudaSaeKernels::ForwardImpl(const SaeSpec& s, const SaeParams& p, const Tensor& x,
                                         SaeCodes* codes, Tensor* x_hat) {
  MONOSEM_RETURN_IF_ERROR(CheckArchSupported(s.arch));
  MONOSEM_RETURN_IF_ERROR(CudaAvailable());
  const int64_t B = x.dim(0);
  if (B == 0) return absl::OkStatus();
  if (B > kCudaInt32Max || (s.arch == Arch::kTopK && B * s.k > kCudaInt32Max)) {
    return absl::InvalidArgumentError("cuda sae: batch too large for 32-bit entry ids");
  }
  MONOSEM_ASSIGN_OR_RETURN(Staged st, StageInputs(p, x));
  MONOSEM_ASSIGN_OR_RETURN(float* xh, ws_.x_hat.Stage(*x_hat, false));
  float* xc = nullptr;
  MONOSEM_ASSIGN_OR_RETURN(float* pre, Encode(s, st, B, &xc));
  if (s.arch == Arch::kReluL1 || s.arch == Arch::kJumpReLU) {
    return DenseForward(s, st, pre, B, xh, x_hat, codes);
  }
  return SparseForward(s, st, pre, B, xh, x_hat, codes);
}

absl::Status CudaSaeKernels::LossAndGradImpl(const SaeSpec& s, const SaeParams& p, const Tensor& x,
                                             const std::vector<uint8_t>& dead, SaeStepOut* out,
                                             SaeCodes* codes) {
  MONOSEM_RETURN_IF_ERROR(CheckArchSupported(s.arch));
  MONOSEM_RETURN_IF_ERROR(CudaAvailable());
  const int64_t B = x.dim(0);
  if (B > kCudaInt32Max) return absl::InvalidArgumentError("cuda sae: batch beyond 2^31 rows");
  MONOSEM_ASSIGN_OR_RETURN(Staged st, StageInputs(p, x));
  float* xc = nullptr;
  MONOSEM_ASSIGN_OR_RETURN(float* pre, Encode(s, st, B, &xc));
  if (s.arch == Arch::kTopK || s.arch == Arch::kBatchTopK) {
    return SparseLossAndGrad(s, st, xc, pre, B, dead, out, codes);
  }
  return DenseLossAndGrad(s, st, xc, pre, B, out, codes);
}

namespace {

// Registered everywhere the cuda build runs; without a GPU Available() says
// "no CUDA device: ..." and the SAE suites skip these kernels with it.
MONOSEM_REGISTER_KERNEL_SET(SaeKernels, "cuda", CudaSaeKernels);

}  // namespace
}  // namespace monosem::sae
