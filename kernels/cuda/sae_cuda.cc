// The cuda backend's SAE kernels (registered as "cuda"; math in
// monosem/models/sae/sae_kernels.h, kernels in sae.cu, design in
// docs/cuda.md).
//
// Like the cuda Backend, host tensors are staged through cached device
// buffers (CudaScratch slots, grown never shrunk) and device tensors are used
// in place. The outputs that SaeStepOut / SaeCodes keep on the host (loss
// terms, firing counts, codes) are copied back at the end of each call.
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
#include "kernels/cuda/sae_cuda.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "absl/strings/str_cat.h"
#include "kernels/cuda/cuda_backend.h"
#include "kernels/cuda/cuda_check.h"
#include "kernels/cuda/cuda_kernels.h"
#include "monosem/models/sae/sae_kernels.h"
#include "monosem/status.h"

namespace monosem::sae {
namespace {

namespace cu = ::monosem::cuda;

// Device buffer slots (CudaScratch). Inputs first, then intermediates.
enum Slot : int {
  kX,
  kWEnc,
  kBEnc,
  kWDec,
  kBDec,
  kTh,
  kXc,
  kPre,
  kFbuf,
  kXhat,
  kDxhat,
  kDehat,
  kDpre,
  kNorm,
  kFired,
  kFeatCount,
  kFsum,
  kOn,
  kReconRow,
  kAuxRow,
  kDead,
  kFeat,
  kVal,
  kRow,
  kCnt,
  kBegin,
  kEnd,
  kAuxCnt,
  kDp,
  kIota,
  kKeysOut,
  kPerm,
  kStart,
  kSortTemp,
  kGWEnc,
  kGBEnc,
  kGWDec,
  kGBDec,
  kGTh,
  kGemv,
  kBatchState,
  kBatchHist,
  kGt,
  kEq,
  kEqBefore,
  kQuota,
  kRowPtr,
  kAdam,  // 4 per Adam slot from here
};

constexpr int64_t kInt32Max = std::numeric_limits<int32_t>::max();

class CudaSaeKernels : public SaeKernels {
 public:
  using SaeKernels::SaeKernels;

 protected:
  absl::Status ForwardImpl(const SaeSpec& s, const SaeParams& p, const Tensor& x, SaeCodes* codes,
                           Tensor* x_hat) override;
  absl::Status LossAndGradImpl(const SaeSpec& s, const SaeParams& p, const Tensor& x,
                               const std::vector<uint8_t>& dead, SaeStepOut* out,
                               SaeCodes* codes) override;
  absl::Status ProjectDecoderGradImpl(const Tensor& w_dec, Tensor* g) override;
  absl::Status NormalizeDecoderRowsImpl(Tensor* w_dec) override;
  absl::Status AdamImpl(const AdamConfig& c, int64_t step,
                        const std::vector<AdamSlot>& slots) override;

 private:
  // Device pointers of the staged parameters and input.
  struct Staged {
    const float *x, *w_enc, *b_enc, *w_dec, *b_dec, *th;
  };
  struct Grads {
    float *w_enc, *b_enc, *w_dec, *b_dec, *th;
  };

  template <typename T>
  absl::StatusOr<T*> Buf(int slot, int64_t n) {
    // +1: never a zero-size (null) buffer, so kernels can be given it blindly.
    const int64_t floats =
        (n * static_cast<int64_t>(sizeof(T)) + static_cast<int64_t>(sizeof(float)) - 1) /
            static_cast<int64_t>(sizeof(float)) +
        1;
    MONOSEM_ASSIGN_OR_RETURN(float* p, scratch_.Get(slot, floats));
    return reinterpret_cast<T*>(p);
  }

  // The backend's cuBLAS handle (one per backend, shared by its kernel sets).
  absl::StatusOr<cublasHandle_t> Handle() {
    MONOSEM_ASSIGN_OR_RETURN(CudaBackend * cuda, AsCudaBackend(backend()));
    MONOSEM_ASSIGN_OR_RETURN(void* h, cuda->CublasHandle());
    return static_cast<cublasHandle_t>(h);
  }

  // Row-major GEMM on device pointers: the backend's (CudaBackend::DeviceGemm).
  absl::Status Gemm(bool ta, bool tb, int64_t m, int64_t n, int64_t k, float alpha,
                    const float* a, int64_t lda, const float* b, int64_t ldb, float beta,
                    float* c, int64_t ldc) {
    MONOSEM_ASSIGN_OR_RETURN(CudaBackend * cuda, AsCudaBackend(backend()));
    return cuda->DeviceGemm(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
  }

  absl::StatusOr<int64_t> SmemOptin() {
    if (smem_optin_ < 0) {
      int dev = 0, v = 0;
      MONOSEM_CUDA_RETURN_IF_ERROR(cudaGetDevice(&dev));
      MONOSEM_CUDA_RETURN_IF_ERROR(
          cudaDeviceGetAttribute(&v, cudaDevAttrMaxSharedMemoryPerBlockOptin, dev));
      smem_optin_ = v;
    }
    return smem_optin_;
  }

  static absl::Status Download(void* host, const void* dev, int64_t bytes) {
    if (bytes == 0) return absl::OkStatus();
    MONOSEM_CUDA_RETURN_IF_ERROR(cudaMemcpy(host, dev, bytes, cudaMemcpyDeviceToHost));
    return absl::OkStatus();
  }

  absl::StatusOr<Staged> StageInputs(const SaeParams& p, const Tensor& x) {
    Staged st;
    MONOSEM_ASSIGN_OR_RETURN(float* dx, scratch_.Stage(kX, x, true));
    MONOSEM_ASSIGN_OR_RETURN(float* we, scratch_.Stage(kWEnc, p.w_enc, true));
    MONOSEM_ASSIGN_OR_RETURN(float* be, scratch_.Stage(kBEnc, p.b_enc, true));
    MONOSEM_ASSIGN_OR_RETURN(float* wd, scratch_.Stage(kWDec, p.w_dec, true));
    MONOSEM_ASSIGN_OR_RETURN(float* bd, scratch_.Stage(kBDec, p.b_dec, true));
    MONOSEM_ASSIGN_OR_RETURN(float* th, scratch_.Stage(kTh, p.threshold, true));
    st.x = dx;
    st.w_enc = we;
    st.b_enc = be;
    st.w_dec = wd;
    st.b_dec = bd;
    st.th = th;
    return st;
  }

  // xc = x - b_dec and pre = xc W_enc^T (no bias).
  absl::StatusOr<float*> Encode(const SaeSpec& s, const Staged& st, int64_t B, float** xc_out) {
    const int64_t d = s.d, F = s.f;
    MONOSEM_ASSIGN_OR_RETURN(float* xc, Buf<float>(kXc, B * d));
    MONOSEM_ASSIGN_OR_RETURN(float* pre, Buf<float>(kPre, B * F));
    MONOSEM_CUDA_RETURN_IF_ERROR(cu::LaunchSaeCenter(st.x, st.b_dec, xc, B, d, nullptr));
    MONOSEM_RETURN_IF_ERROR(Gemm(false, true, B, F, d, 1.0f, xc, d, st.w_enc, d, 0.0f, pre, F));
    *xc_out = xc;
    return pre;
  }

  // db_dec = sum_n dxhat[n] - W_enc^T db_enc.
  absl::Status BiasDecGrad(const SaeSpec& s, const Staged& st, int64_t B, const float* dxhat,
                           const float* g_b_enc, float* g_b_dec) {
    MONOSEM_CUDA_RETURN_IF_ERROR(cu::LaunchSumRows(dxhat, g_b_dec, B, s.d, nullptr));
    MONOSEM_ASSIGN_OR_RETURN(float* y, Buf<float>(kGemv, s.d));
    MONOSEM_ASSIGN_OR_RETURN(cublasHandle_t h, Handle());
    const float one = 1.0f, zero = 0.0f;
    // Row-major W_enc [F, d] is column-major d x F with lda = d.
    MONOSEM_CUBLAS_RETURN_IF_ERROR(cublasSgemv(h, CUBLAS_OP_N, static_cast<int>(s.d),
                                               static_cast<int>(s.f), &one, st.w_enc,
                                               static_cast<int>(s.d), g_b_enc, 1, &zero, y, 1));
    MONOSEM_CUDA_RETURN_IF_ERROR(cu::LaunchAxpby(-1.0f, y, 1.0f, g_b_dec, s.d, nullptr));
    return absl::OkStatus();
  }

  absl::StatusOr<Grads> StageGrads(SaeParams* g) {
    Grads gr;
    MONOSEM_ASSIGN_OR_RETURN(gr.w_enc, scratch_.Stage(kGWEnc, g->w_enc, false));
    MONOSEM_ASSIGN_OR_RETURN(gr.b_enc, scratch_.Stage(kGBEnc, g->b_enc, false));
    MONOSEM_ASSIGN_OR_RETURN(gr.w_dec, scratch_.Stage(kGWDec, g->w_dec, false));
    MONOSEM_ASSIGN_OR_RETURN(gr.b_dec, scratch_.Stage(kGBDec, g->b_dec, false));
    MONOSEM_ASSIGN_OR_RETURN(gr.th, scratch_.Stage(kGTh, g->threshold, false));
    return gr;
  }

  absl::Status UnstageGrads(const Grads& gr, SaeParams* g) {
    MONOSEM_RETURN_IF_ERROR(scratch_.Unstage(gr.w_enc, &g->w_enc));
    MONOSEM_RETURN_IF_ERROR(scratch_.Unstage(gr.b_enc, &g->b_enc));
    MONOSEM_RETURN_IF_ERROR(scratch_.Unstage(gr.w_dec, &g->w_dec));
    MONOSEM_RETURN_IF_ERROR(scratch_.Unstage(gr.b_dec, &g->b_dec));
    return scratch_.Unstage(gr.th, &g->threshold);
  }

  // Codes from fixed slots (topk): row n holds cnt[n] entries at n*k.
  static absl::Status SlotsToCodes(int64_t B, int64_t F, int64_t k, const int32_t* d_cnt,
                                   const int32_t* d_feat, const float* d_val, SaeCodes* codes) {
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
  static absl::Status CsrToCodes(int64_t B, int64_t F, int64_t nnz, const int32_t* d_row_ptr,
                                 const int32_t* d_feat, const float* d_val, SaeCodes* codes) {
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

  static absl::Status DenseToCodes(int64_t B, int64_t F, const float* d_f, SaeCodes* codes) {
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
  absl::StatusOr<int64_t> ScanRows(const int32_t* cnt, int32_t* row_ptr, int64_t B) {
    MONOSEM_CUDA_RETURN_IF_ERROR(cu::LaunchSaeExclusiveScan(cnt, row_ptr, B, nullptr));
    int32_t nnz = 0;
    MONOSEM_RETURN_IF_ERROR(Download(&nnz, row_ptr + B, sizeof(int32_t)));
    return static_cast<int64_t>(nnz);
  }

  absl::Status SparseLossAndGrad(const SaeSpec& s, const Staged& st, const float* xc, float* pre,
                                 int64_t B, const std::vector<uint8_t>& dead, SaeStepOut* out,
                                 SaeCodes* codes);
  absl::Status DenseLossAndGrad(const SaeSpec& s, const Staged& st, const float* xc, float* pre,
                                int64_t B, SaeStepOut* out, SaeCodes* codes);

  CudaScratch scratch_;
  int64_t smem_optin_ = -1;
};

absl::Status CudaSaeKernels::ForwardImpl(const SaeSpec& s, const SaeParams& p, const Tensor& x,
                                         SaeCodes* codes, Tensor* x_hat) {
  MONOSEM_RETURN_IF_ERROR(CudaAvailable());
  const int64_t B = x.dim(0), d = s.d, F = s.f;
  if (B == 0) return absl::OkStatus();
  if (B > kInt32Max || (s.arch == Arch::kTopK && B * s.k > kInt32Max)) {
    return absl::InvalidArgumentError("cuda sae: batch too large for 32-bit entry ids");
  }
  MONOSEM_ASSIGN_OR_RETURN(Staged st, StageInputs(p, x));
  MONOSEM_ASSIGN_OR_RETURN(float* xh, scratch_.Stage(kXhat, *x_hat, false));
  float* xc = nullptr;
  MONOSEM_ASSIGN_OR_RETURN(float* pre, Encode(s, st, B, &xc));

  if (s.arch == Arch::kReluL1 || s.arch == Arch::kJumpReLU) {
    const bool jump = s.arch == Arch::kJumpReLU;
    float* f = pre;
    if (jump) {
      MONOSEM_ASSIGN_OR_RETURN(f, Buf<float>(kFbuf, B * F));
    }
    MONOSEM_CUDA_RETURN_IF_ERROR(cu::LaunchSaeDenseEncode(jump, pre, st.b_enc, st.th,
                                                          jump ? f : nullptr, B, F, nullptr,
                                                          nullptr, nullptr, nullptr));
    MONOSEM_CUDA_RETURN_IF_ERROR(cu::LaunchSaeBroadcastRows(st.b_dec, xh, B, d, nullptr));
    MONOSEM_RETURN_IF_ERROR(Gemm(false, false, B, d, F, 1.0f, f, F, st.w_dec, d, 1.0f, xh, d));
    MONOSEM_RETURN_IF_ERROR(scratch_.Unstage(xh, x_hat));
    if (codes != nullptr) MONOSEM_RETURN_IF_ERROR(DenseToCodes(B, F, f, codes));
    return absl::OkStatus();
  }

  cu::SaeDecodeArgs dec;
  dec.rows = B;
  dec.d = d;
  dec.w_dec = st.w_dec;
  dec.b_dec = st.b_dec;
  dec.out = xh;
  if (s.arch == Arch::kTopK) {
    const int64_t E = B * s.k;
    MONOSEM_ASSIGN_OR_RETURN(int32_t* feat, Buf<int32_t>(kFeat, E));
    MONOSEM_ASSIGN_OR_RETURN(float* val, Buf<float>(kVal, E));
    MONOSEM_ASSIGN_OR_RETURN(int32_t* row, Buf<int32_t>(kRow, E));
    MONOSEM_ASSIGN_OR_RETURN(int32_t* cnt, Buf<int32_t>(kCnt, B));
    MONOSEM_ASSIGN_OR_RETURN(int32_t* begin, Buf<int32_t>(kBegin, B));
    MONOSEM_ASSIGN_OR_RETURN(int32_t* end, Buf<int32_t>(kEnd, B));
    MONOSEM_ASSIGN_OR_RETURN(int64_t optin, SmemOptin());
    cu::SaeSelectArgs a;
    a.pre = pre;
    a.bias = st.b_enc;
    a.rows = B;
    a.f = F;
    a.k = s.k;
    a.feat = feat;
    a.val = val;
    a.row = row;
    a.cnt = cnt;
    a.main_begin = begin;
    a.main_end = end;
    a.smem_optin = optin;
    MONOSEM_CUDA_RETURN_IF_ERROR(cu::LaunchSaeRowSelect(a, nullptr));
    dec.main_begin = begin;
    dec.main_end = end;
    dec.feat = feat;
    dec.val = val;
    MONOSEM_CUDA_RETURN_IF_ERROR(cu::LaunchSaeSparseDecode(dec, nullptr));
    MONOSEM_RETURN_IF_ERROR(scratch_.Unstage(xh, x_hat));
    if (codes != nullptr) MONOSEM_RETURN_IF_ERROR(SlotsToCodes(B, F, s.k, cnt, feat, val, codes));
    return absl::OkStatus();
  }
  // batch_topk inference: f = pre * [pre > threshold] (and > 0).
  MONOSEM_CUDA_RETURN_IF_ERROR(cu::LaunchAddRowBias(st.b_enc, pre, B, F, nullptr));
  MONOSEM_ASSIGN_OR_RETURN(int32_t* cnt, Buf<int32_t>(kCnt, B));
  MONOSEM_ASSIGN_OR_RETURN(int32_t* row_ptr, Buf<int32_t>(kRowPtr, B + 1));
  MONOSEM_CUDA_RETURN_IF_ERROR(cu::LaunchSaeThresholdCount(pre, st.th, B, F, cnt, nullptr));
  MONOSEM_ASSIGN_OR_RETURN(int64_t nnz, ScanRows(cnt, row_ptr, B));
  MONOSEM_ASSIGN_OR_RETURN(int32_t* feat, Buf<int32_t>(kFeat, nnz));
  MONOSEM_ASSIGN_OR_RETURN(float* val, Buf<float>(kVal, nnz));
  MONOSEM_ASSIGN_OR_RETURN(int32_t* row, Buf<int32_t>(kRow, nnz));
  MONOSEM_CUDA_RETURN_IF_ERROR(
      cu::LaunchSaeThresholdCompact(pre, st.th, B, F, row_ptr, feat, val, row, nullptr));
  dec.main_begin = row_ptr;
  dec.main_end = row_ptr + 1;
  dec.feat = feat;
  dec.val = val;
  MONOSEM_CUDA_RETURN_IF_ERROR(cu::LaunchSaeSparseDecode(dec, nullptr));
  MONOSEM_RETURN_IF_ERROR(scratch_.Unstage(xh, x_hat));
  if (codes != nullptr) MONOSEM_RETURN_IF_ERROR(CsrToCodes(B, F, nnz, row_ptr, feat, val, codes));
  return absl::OkStatus();
}

absl::Status CudaSaeKernels::LossAndGradImpl(const SaeSpec& s, const SaeParams& p,
                                             const Tensor& x, const std::vector<uint8_t>& dead,
                                             SaeStepOut* out, SaeCodes* codes) {
  MONOSEM_RETURN_IF_ERROR(CudaAvailable());
  const int64_t B = x.dim(0);
  if (B > kInt32Max) return absl::InvalidArgumentError("cuda sae: batch beyond 2^31 rows");
  MONOSEM_ASSIGN_OR_RETURN(Staged st, StageInputs(p, x));
  float* xc = nullptr;
  MONOSEM_ASSIGN_OR_RETURN(float* pre, Encode(s, st, B, &xc));
  if (s.arch == Arch::kTopK || s.arch == Arch::kBatchTopK) {
    return SparseLossAndGrad(s, st, xc, pre, B, dead, out, codes);
  }
  return DenseLossAndGrad(s, st, xc, pre, B, out, codes);
}

absl::Status CudaSaeKernels::SparseLossAndGrad(const SaeSpec& s, const Staged& st,
                                               const float* xc, float* pre, int64_t B,
                                               const std::vector<uint8_t>& dead, SaeStepOut* out,
                                               SaeCodes* codes) {
  const int64_t d = s.d, F = s.f;
  const bool any_dead = std::any_of(dead.begin(), dead.end(), [](uint8_t v) { return v != 0; });
  const bool use_aux = s.k_aux > 0 && any_dead;
  const int64_t ka = use_aux ? s.k_aux : 0;
  // Entry ids are int32 (the sort and the CSR offsets): B*k main + B*k_aux aux.
  if (B * (s.k + ka) > kInt32Max) {
    return absl::InvalidArgumentError(absl::StrCat("cuda sae: B*(k + k_aux) = ", B * (s.k + ka),
                                                   " entries exceed 32-bit entry ids"));
  }
  uint8_t* d_dead = nullptr;
  if (use_aux) {
    MONOSEM_ASSIGN_OR_RETURN(d_dead, Buf<uint8_t>(kDead, F));
    MONOSEM_CUDA_RETURN_IF_ERROR(cudaMemcpy(d_dead, dead.data(), F, cudaMemcpyHostToDevice));
  }
  MONOSEM_ASSIGN_OR_RETURN(uint32_t* fired, Buf<uint32_t>(kFired, F));
  MONOSEM_ASSIGN_OR_RETURN(uint32_t* feat_count, Buf<uint32_t>(kFeatCount, F));
  MONOSEM_CUDA_RETURN_IF_ERROR(cudaMemset(fired, 0, F * sizeof(uint32_t)));
  MONOSEM_CUDA_RETURN_IF_ERROR(cudaMemset(feat_count, 0, F * sizeof(uint32_t)));
  MONOSEM_ASSIGN_OR_RETURN(int32_t* aux_cnt, Buf<int32_t>(kAuxCnt, B));
  MONOSEM_ASSIGN_OR_RETURN(int64_t optin, SmemOptin());

  int64_t M = 0;  // main entries (topk: B*k slots; batch_topk: nnz)
  int64_t nnz = 0;
  int32_t *feat, *row, *begin, *end, *cnt = nullptr, *row_ptr = nullptr;
  float* val;
  cu::SaeSelectArgs a;
  a.pre = pre;
  a.rows = B;
  a.f = F;
  a.dead = d_dead;
  a.k_aux = ka;
  a.aux_cnt = aux_cnt;
  a.fired = fired;
  a.feat_count = feat_count;
  a.smem_optin = optin;
  out->min_kept = 0;
  if (s.arch == Arch::kTopK) {
    M = B * s.k;
    const int64_t E = M + B * ka;
    MONOSEM_ASSIGN_OR_RETURN(feat, Buf<int32_t>(kFeat, E));
    MONOSEM_ASSIGN_OR_RETURN(val, Buf<float>(kVal, E));
    MONOSEM_ASSIGN_OR_RETURN(row, Buf<int32_t>(kRow, E));
    MONOSEM_ASSIGN_OR_RETURN(cnt, Buf<int32_t>(kCnt, B));
    MONOSEM_ASSIGN_OR_RETURN(begin, Buf<int32_t>(kBegin, B));
    MONOSEM_ASSIGN_OR_RETURN(end, Buf<int32_t>(kEnd, B));
    a.bias = st.b_enc;
    a.k = s.k;
    a.feat = feat;
    a.val = val;
    a.row = row;
    a.cnt = cnt;
    a.main_begin = begin;
    a.main_end = end;
    a.aux_base = M;
    MONOSEM_CUDA_RETURN_IF_ERROR(cu::LaunchSaeRowSelect(a, nullptr));
  } else {
    MONOSEM_CUDA_RETURN_IF_ERROR(cu::LaunchAddRowBias(st.b_enc, pre, B, F, nullptr));
    MONOSEM_ASSIGN_OR_RETURN(auto* state, Buf<cu::SaeBatchState>(kBatchState, 1));
    MONOSEM_ASSIGN_OR_RETURN(auto* hist, Buf<unsigned long long>(kBatchHist, 256));
    MONOSEM_CUDA_RETURN_IF_ERROR(
        cu::LaunchSaeBatchThreshold(pre, B * F, s.k * B, state, hist, nullptr));
    MONOSEM_ASSIGN_OR_RETURN(int32_t* gt, Buf<int32_t>(kGt, B));
    MONOSEM_ASSIGN_OR_RETURN(int32_t* eq, Buf<int32_t>(kEq, B));
    MONOSEM_ASSIGN_OR_RETURN(int32_t* eq_before, Buf<int32_t>(kEqBefore, B + 1));
    MONOSEM_ASSIGN_OR_RETURN(int32_t* quota, Buf<int32_t>(kQuota, B));
    MONOSEM_ASSIGN_OR_RETURN(cnt, Buf<int32_t>(kCnt, B));
    MONOSEM_ASSIGN_OR_RETURN(row_ptr, Buf<int32_t>(kRowPtr, B + 1));
    MONOSEM_CUDA_RETURN_IF_ERROR(cu::LaunchSaeBatchRowCounts(pre, B, F, state, gt, eq, nullptr));
    MONOSEM_CUDA_RETURN_IF_ERROR(cu::LaunchSaeExclusiveScan(eq, eq_before, B, nullptr));
    MONOSEM_CUDA_RETURN_IF_ERROR(
        cu::LaunchSaeBatchQuota(state, eq_before, gt, eq, quota, cnt, B, nullptr));
    MONOSEM_ASSIGN_OR_RETURN(nnz, ScanRows(cnt, row_ptr, B));
    M = nnz;
    const int64_t E = M + B * ka;
    MONOSEM_ASSIGN_OR_RETURN(feat, Buf<int32_t>(kFeat, E));
    MONOSEM_ASSIGN_OR_RETURN(val, Buf<float>(kVal, E));
    MONOSEM_ASSIGN_OR_RETURN(row, Buf<int32_t>(kRow, E));
    MONOSEM_CUDA_RETURN_IF_ERROR(cu::LaunchSaeBatchCompact(pre, B, F, state, quota, row_ptr, feat,
                                                           val, row, fired, feat_count, nullptr));
    begin = row_ptr;
    end = row_ptr + 1;
    if (use_aux) {
      // AuxK per row over the already-biased pre; no main selection.
      a.bias = nullptr;
      a.k = 0;
      a.feat = feat;
      a.val = val;
      a.row = row;
      a.aux_base = M;
      MONOSEM_CUDA_RETURN_IF_ERROR(cu::LaunchSaeRowSelect(a, nullptr));
    }
  }
  const int64_t E = M + B * ka;

  // Sparse decode and the residual gradients.
  MONOSEM_ASSIGN_OR_RETURN(float* dxhat, Buf<float>(kDxhat, B * d));
  float* dehat = nullptr;
  if (use_aux) {
    MONOSEM_ASSIGN_OR_RETURN(dehat, Buf<float>(kDehat, B * d));
  }
  MONOSEM_ASSIGN_OR_RETURN(double* recon_row, Buf<double>(kReconRow, B));
  MONOSEM_ASSIGN_OR_RETURN(double* aux_row, Buf<double>(kAuxRow, B));
  cu::SaeDecodeArgs dec;
  dec.rows = B;
  dec.d = d;
  dec.w_dec = st.w_dec;
  dec.b_dec = st.b_dec;
  dec.main_begin = begin;
  dec.main_end = end;
  dec.feat = feat;
  dec.val = val;
  dec.aux_cnt = use_aux ? aux_cnt : nullptr;
  dec.aux_base = M;
  dec.k_aux = ka;
  dec.x = st.x;
  dec.out = dxhat;
  dec.dehat = dehat;
  dec.recon_row = recon_row;
  dec.aux_row = aux_row;
  dec.two_over_b = 2.0f / static_cast<float>(B);
  dec.aux_coef = s.aux_coef;
  MONOSEM_CUDA_RETURN_IF_ERROR(cu::LaunchSaeSparseDecode(dec, nullptr));

  // d loss / d pre for every active entry, then the per-feature lists.
  MONOSEM_ASSIGN_OR_RETURN(float* dp, Buf<float>(kDp, E));
  if (E > 0) {
    MONOSEM_CUDA_RETURN_IF_ERROR(
        cu::LaunchSaeEntryDots(E, M, F, d, feat, row, st.w_dec, dxhat, dehat, dp, nullptr));
  }
  MONOSEM_ASSIGN_OR_RETURN(int32_t* start, Buf<int32_t>(kStart, F + 1));
  MONOSEM_CUDA_RETURN_IF_ERROR(cu::LaunchSaeExclusiveScanU32(feat_count, start, F, nullptr));
  MONOSEM_ASSIGN_OR_RETURN(int32_t* perm, Buf<int32_t>(kPerm, E));
  if (E > 0) {
    MONOSEM_ASSIGN_OR_RETURN(int32_t* iota, Buf<int32_t>(kIota, E));
    MONOSEM_ASSIGN_OR_RETURN(int32_t* keys_out, Buf<int32_t>(kKeysOut, E));
    MONOSEM_CUDA_RETURN_IF_ERROR(cu::LaunchSaeIota(iota, E, nullptr));
    // Keys are in [0, F] (F = unused slot): enough bits for F.
    int end_bit = 1;
    while ((int64_t{1} << end_bit) <= F) ++end_bit;
    size_t temp_bytes = 0;
    MONOSEM_CUDA_RETURN_IF_ERROR(cu::LaunchSaeSortByFeature(nullptr, &temp_bytes, feat, keys_out,
                                                            iota, perm, E, end_bit, nullptr));
    MONOSEM_ASSIGN_OR_RETURN(char* temp,
                             Buf<char>(kSortTemp, static_cast<int64_t>(temp_bytes)));
    MONOSEM_CUDA_RETURN_IF_ERROR(cu::LaunchSaeSortByFeature(temp, &temp_bytes, feat, keys_out,
                                                            iota, perm, E, end_bit, nullptr));
  }
  MONOSEM_ASSIGN_OR_RETURN(Grads g, StageGrads(&out->grad));
  cu::SaeGatherArgs ga;
  ga.f = F;
  ga.d = d;
  ga.main_count = M;
  ga.start = start;
  ga.perm = perm;
  ga.row = row;
  ga.val = val;
  ga.dp = dp;
  ga.dxhat = dxhat;
  ga.dehat = dehat;
  ga.xc = xc;
  ga.g_w_dec = g.w_dec;
  ga.g_w_enc = g.w_enc;
  ga.g_b_enc = g.b_enc;
  MONOSEM_CUDA_RETURN_IF_ERROR(cu::LaunchSaeFeatureGather(ga, nullptr));
  MONOSEM_CUDA_RETURN_IF_ERROR(cudaMemset(g.th, 0, F * sizeof(float)));
  MONOSEM_RETURN_IF_ERROR(BiasDecGrad(s, st, B, dxhat, g.b_enc, g.b_dec));
  MONOSEM_RETURN_IF_ERROR(UnstageGrads(g, &out->grad));

  // Host-side results: fixed-order double sums of the per-row terms.
  std::vector<double> rr(B), ar(use_aux ? B : 0);
  MONOSEM_RETURN_IF_ERROR(Download(rr.data(), recon_row, B * sizeof(double)));
  if (use_aux) MONOSEM_RETURN_IF_ERROR(Download(ar.data(), aux_row, B * sizeof(double)));
  std::vector<uint32_t> fr(F);
  MONOSEM_RETURN_IF_ERROR(Download(fr.data(), fired, F * sizeof(uint32_t)));
  double recon = 0, aux = 0;
  for (double v : rr) recon += v;
  for (double v : ar) aux += v;
  int64_t active = 0;
  for (int64_t i = 0; i < F; ++i) {
    out->fired[i] = fr[i];
    active += fr[i];
  }
  if (s.arch == Arch::kTopK) {
    MONOSEM_RETURN_IF_ERROR(SlotsToCodes(B, F, s.k, cnt, feat, val, codes));
  } else {
    MONOSEM_RETURN_IF_ERROR(CsrToCodes(B, F, nnz, row_ptr, feat, val, codes));
    if (!codes->val.empty()) {
      out->min_kept = *std::min_element(codes->val.begin(), codes->val.end());
    }
  }
  out->recon = recon / B;
  out->aux = aux / B;
  out->sparsity = 0;
  out->l0 = static_cast<double>(active) / B;
  out->loss = out->recon + (use_aux ? s.aux_coef * out->aux : 0.0);
  return absl::OkStatus();
}

absl::Status CudaSaeKernels::DenseLossAndGrad(const SaeSpec& s, const Staged& st,
                                              const float* xc, float* pre, int64_t B,
                                              SaeStepOut* out, SaeCodes* codes) {
  const int64_t d = s.d, F = s.f;
  const bool jump = s.arch == Arch::kJumpReLU;
  MONOSEM_ASSIGN_OR_RETURN(float* norm, Buf<float>(kNorm, F));
  MONOSEM_CUDA_RETURN_IF_ERROR(cu::LaunchSaeRowNorms(st.w_dec, norm, F, d, nullptr));
  float* f = pre;  // relu: f replaces pre in place (f > 0 <=> pre > 0)
  if (jump) {
    MONOSEM_ASSIGN_OR_RETURN(f, Buf<float>(kFbuf, B * F));
  }
  MONOSEM_ASSIGN_OR_RETURN(uint32_t* fired, Buf<uint32_t>(kFired, F));
  MONOSEM_ASSIGN_OR_RETURN(double* fsum, Buf<double>(kFsum, F));
  MONOSEM_ASSIGN_OR_RETURN(uint32_t* on, Buf<uint32_t>(kOn, F));
  MONOSEM_CUDA_RETURN_IF_ERROR(cu::LaunchSaeDenseEncode(jump, pre, st.b_enc, st.th,
                                                        jump ? f : nullptr, B, F, fired, fsum,
                                                        on, nullptr));
  // x_hat = b_dec + f W_dec, then e, recon and dxhat = 2 e / B.
  MONOSEM_ASSIGN_OR_RETURN(float* xh, Buf<float>(kXhat, B * d));
  MONOSEM_CUDA_RETURN_IF_ERROR(cu::LaunchSaeBroadcastRows(st.b_dec, xh, B, d, nullptr));
  MONOSEM_RETURN_IF_ERROR(Gemm(false, false, B, d, F, 1.0f, f, F, st.w_dec, d, 1.0f, xh, d));
  MONOSEM_ASSIGN_OR_RETURN(float* dxhat, Buf<float>(kDxhat, B * d));
  MONOSEM_ASSIGN_OR_RETURN(double* recon_row, Buf<double>(kReconRow, B));
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
  MONOSEM_ASSIGN_OR_RETURN(float* dpre, Buf<float>(kDpre, B * F));
  MONOSEM_RETURN_IF_ERROR(Gemm(false, true, B, F, d, 1.0f, dxhat, d, st.w_dec, d, 0.0f, dpre, F));
  MONOSEM_CUDA_RETURN_IF_ERROR(cu::LaunchSaeDenseBackward(
      jump, pre, dpre, st.th, norm, B, F, s.l1 / static_cast<float>(B), 1.0f / s.bandwidth,
      g.b_enc, g.th, nullptr));
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

absl::Status CudaSaeKernels::ProjectDecoderGradImpl(const Tensor& w, Tensor* g) {
  MONOSEM_RETURN_IF_ERROR(CudaAvailable());
  if (w.size() == 0) return absl::OkStatus();
  MONOSEM_ASSIGN_OR_RETURN(float* dw, scratch_.Stage(kWDec, w, true));
  MONOSEM_ASSIGN_OR_RETURN(float* dg, scratch_.Stage(kGWDec, *g, true));
  MONOSEM_CUDA_RETURN_IF_ERROR(
      cu::LaunchSaeProjectDecoderGrad(dw, dg, w.dim(0), w.dim(1), nullptr));
  return scratch_.Unstage(dg, g);
}

absl::Status CudaSaeKernels::NormalizeDecoderRowsImpl(Tensor* w) {
  MONOSEM_RETURN_IF_ERROR(CudaAvailable());
  if (w->size() == 0) return absl::OkStatus();
  MONOSEM_ASSIGN_OR_RETURN(float* dw, scratch_.Stage(kWDec, *w, true));
  MONOSEM_CUDA_RETURN_IF_ERROR(cu::LaunchSaeNormalizeRows(dw, w->dim(0), w->dim(1), nullptr));
  return scratch_.Unstage(dw, w);
}

absl::Status CudaSaeKernels::AdamImpl(const AdamConfig& c, int64_t step,
                                      const std::vector<AdamSlot>& slots) {
  MONOSEM_RETURN_IF_ERROR(CudaAvailable());
  if (slots.size() > static_cast<size_t>(cu::SaeAdamSlots::kMaxSlots)) {
    return absl::InternalError("cuda sae: more Adam slots than the fused kernel takes");
  }
  // The same float formula as the cpu kernels; bias corrections in double.
  const float bc1 = static_cast<float>(
      1.0 - std::pow(static_cast<double>(c.beta1), static_cast<double>(step)));
  const float bc2_sqrt = static_cast<float>(
      std::sqrt(1.0 - std::pow(static_cast<double>(c.beta2), static_cast<double>(step))));
  cu::SaeAdamSlots k{};
  int64_t total = 0;
  for (size_t i = 0; i < slots.size(); ++i) {
    const int base = kAdam + 4 * static_cast<int>(i);
    MONOSEM_ASSIGN_OR_RETURN(k.p[i], scratch_.Stage(base, *slots[i].p, true));
    MONOSEM_ASSIGN_OR_RETURN(float* g, scratch_.Stage(base + 1, *slots[i].g, true));
    k.g[i] = g;
    MONOSEM_ASSIGN_OR_RETURN(k.m[i], scratch_.Stage(base + 2, *slots[i].m, true));
    MONOSEM_ASSIGN_OR_RETURN(k.v[i], scratch_.Stage(base + 3, *slots[i].v, true));
    total += slots[i].p->size();
    k.end[i] = total;
  }
  k.count = static_cast<int>(slots.size());
  MONOSEM_CUDA_RETURN_IF_ERROR(
      cu::LaunchSaeAdam(k, c.beta1, c.beta2, c.eps, c.lr / bc1, bc2_sqrt, nullptr));
  for (size_t i = 0; i < slots.size(); ++i) {
    MONOSEM_RETURN_IF_ERROR(scratch_.Unstage(k.p[i], slots[i].p));
    MONOSEM_RETURN_IF_ERROR(scratch_.Unstage(k.m[i], slots[i].m));
    MONOSEM_RETURN_IF_ERROR(scratch_.Unstage(k.v[i], slots[i].v));
  }
  return absl::OkStatus();
}

// Registered everywhere the cuda build runs; without a GPU Available() says
// "no CUDA device: ..." and the SAE suites skip these kernels with it.
MONOSEM_REGISTER_KERNEL_SET(SaeKernels, "cuda", CudaSaeKernels);

}  // namespace
}  // namespace monosem::sae
