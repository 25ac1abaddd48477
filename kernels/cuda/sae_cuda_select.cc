// The SAE kernel set's selections on the cuda backend (kernels in
// sae_select.cu): topk / batch_topk inference with its sparse decode, and a
// training step's selection (TopK or BatchTopK, plus AuxK among dead
// latents) into the entry space that sae_cuda_sparse.cc differentiates.
//
//   topk:       one block per row adds b_enc, radix-selects the top k (and the
//               AuxK candidates among dead latents) into fixed slots, counts
//               firings (integer atomics);
//   batch_topk: b_enc added in place, a global 4-pass radix select finds the
//               (k*B)-th value and its tie quota (flat order), one block per
//               row compacts into CSR; AuxK is then a per-row select over the
//               biased pre.
#include <algorithm>
#include <vector>

#include "absl/strings/str_cat.h"
#include "kernels/cuda/cuda_check.h"
#include "kernels/cuda/cuda_kernels.h"
#include "kernels/cuda/sae_cuda_workspace.h"
#include "monosem/status.h"

namespace monosem::sae {

namespace cu = ::monosem::cuda;

// Inference for topk (per-row selection into fixed slots) and batch_topk
// (per-feature thresholds into CSR), then the sparse decode into x_hat.
absl::Status CudaSaeKernels::SparseForward(const SaeSpec& s, const Staged& st, float* pre,
                                           int64_t B, float* xh, Tensor* x_hat, SaeCodes* codes) {
  const int64_t d = s.d, F = s.f;
  cu::SaeDecodeArgs dec;
  dec.rows = B;
  dec.d = d;
  dec.w_dec = st.w_dec;
  dec.b_dec = st.b_dec;
  dec.out = xh;
  if (s.arch == Arch::kTopK) {
    const int64_t E = B * s.k;
    MONOSEM_ASSIGN_OR_RETURN(int32_t* feat, ws_.feat.As<int32_t>(E));
    MONOSEM_ASSIGN_OR_RETURN(float* val, ws_.val.As<float>(E));
    MONOSEM_ASSIGN_OR_RETURN(int32_t* row, ws_.row.As<int32_t>(E));
    MONOSEM_ASSIGN_OR_RETURN(int32_t* cnt, ws_.cnt.As<int32_t>(B));
    MONOSEM_ASSIGN_OR_RETURN(int32_t* begin, ws_.begin.As<int32_t>(B));
    MONOSEM_ASSIGN_OR_RETURN(int32_t* end, ws_.end.As<int32_t>(B));
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
    MONOSEM_RETURN_IF_ERROR(CudaBuffer::Unstage(xh, x_hat));
    if (codes != nullptr) MONOSEM_RETURN_IF_ERROR(SlotsToCodes(B, F, s.k, cnt, feat, val, codes));
    return absl::OkStatus();
  }
  // batch_topk inference: f = pre * [pre > threshold] (and > 0).
  MONOSEM_CUDA_RETURN_IF_ERROR(cu::LaunchAddRowBias(st.b_enc, pre, B, F, nullptr));
  MONOSEM_ASSIGN_OR_RETURN(int32_t* cnt, ws_.cnt.As<int32_t>(B));
  MONOSEM_ASSIGN_OR_RETURN(int32_t* row_ptr, ws_.row_ptr.As<int32_t>(B + 1));
  MONOSEM_CUDA_RETURN_IF_ERROR(cu::LaunchSaeThresholdCount(pre, st.th, B, F, cnt, nullptr));
  MONOSEM_ASSIGN_OR_RETURN(int64_t nnz, ScanRows(cnt, row_ptr, B));
  MONOSEM_ASSIGN_OR_RETURN(int32_t* feat, ws_.feat.As<int32_t>(nnz));
  MONOSEM_ASSIGN_OR_RETURN(float* val, ws_.val.As<float>(nnz));
  MONOSEM_ASSIGN_OR_RETURN(int32_t* row, ws_.row.As<int32_t>(nnz));
  MONOSEM_CUDA_RETURN_IF_ERROR(
      cu::LaunchSaeThresholdCompact(pre, st.th, B, F, row_ptr, feat, val, row, nullptr));
  dec.main_begin = row_ptr;
  dec.main_end = row_ptr + 1;
  dec.feat = feat;
  dec.val = val;
  MONOSEM_CUDA_RETURN_IF_ERROR(cu::LaunchSaeSparseDecode(dec, nullptr));
  MONOSEM_RETURN_IF_ERROR(CudaBuffer::Unstage(xh, x_hat));
  if (codes != nullptr) MONOSEM_RETURN_IF_ERROR(CsrToCodes(B, F, nnz, row_ptr, feat, val, codes));
  return absl::OkStatus();
}

absl::StatusOr<CudaSaeKernels::Entries> CudaSaeKernels::SelectForTraining(
    const SaeSpec& s, const Staged& st, float* pre, int64_t B, const std::vector<uint8_t>& dead) {
  const int64_t F = s.f;
  const bool any_dead = std::any_of(dead.begin(), dead.end(), [](uint8_t v) { return v != 0; });
  const bool use_aux = s.k_aux > 0 && any_dead;
  const int64_t ka = use_aux ? s.k_aux : 0;
  // Entry ids are int32 (the sort and the CSR offsets): B*k main + B*k_aux aux.
  if (B * (s.k + ka) > kCudaInt32Max) {
    return absl::InvalidArgumentError(absl::StrCat("cuda sae: B*(k + k_aux) = ", B * (s.k + ka),
                                                   " entries exceed 32-bit entry ids"));
  }
  uint8_t* d_dead = nullptr;
  if (use_aux) {
    MONOSEM_ASSIGN_OR_RETURN(d_dead, ws_.dead.As<uint8_t>(F));
    MONOSEM_CUDA_RETURN_IF_ERROR(cudaMemcpy(d_dead, dead.data(), F, cudaMemcpyHostToDevice));
  }
  MONOSEM_ASSIGN_OR_RETURN(uint32_t* fired, ws_.fired.As<uint32_t>(F));
  MONOSEM_ASSIGN_OR_RETURN(uint32_t* feat_count, ws_.feat_count.As<uint32_t>(F));
  MONOSEM_CUDA_RETURN_IF_ERROR(cudaMemset(fired, 0, F * sizeof(uint32_t)));
  MONOSEM_CUDA_RETURN_IF_ERROR(cudaMemset(feat_count, 0, F * sizeof(uint32_t)));
  MONOSEM_ASSIGN_OR_RETURN(int32_t* aux_cnt, ws_.aux_cnt.As<int32_t>(B));
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
  if (s.arch == Arch::kTopK) {
    M = B * s.k;
    const int64_t E = M + B * ka;
    MONOSEM_ASSIGN_OR_RETURN(feat, ws_.feat.As<int32_t>(E));
    MONOSEM_ASSIGN_OR_RETURN(val, ws_.val.As<float>(E));
    MONOSEM_ASSIGN_OR_RETURN(row, ws_.row.As<int32_t>(E));
    MONOSEM_ASSIGN_OR_RETURN(cnt, ws_.cnt.As<int32_t>(B));
    MONOSEM_ASSIGN_OR_RETURN(begin, ws_.begin.As<int32_t>(B));
    MONOSEM_ASSIGN_OR_RETURN(end, ws_.end.As<int32_t>(B));
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
    MONOSEM_ASSIGN_OR_RETURN(auto* state, ws_.batch_state.As<cu::SaeBatchState>(1));
    MONOSEM_ASSIGN_OR_RETURN(auto* hist, ws_.batch_hist.As<unsigned long long>(256));
    MONOSEM_CUDA_RETURN_IF_ERROR(
        cu::LaunchSaeBatchThreshold(pre, B * F, s.k * B, state, hist, nullptr));
    MONOSEM_ASSIGN_OR_RETURN(int32_t* gt, ws_.gt.As<int32_t>(B));
    MONOSEM_ASSIGN_OR_RETURN(int32_t* eq, ws_.eq.As<int32_t>(B));
    MONOSEM_ASSIGN_OR_RETURN(int32_t* eq_before, ws_.eq_before.As<int32_t>(B + 1));
    MONOSEM_ASSIGN_OR_RETURN(int32_t* quota, ws_.quota.As<int32_t>(B));
    MONOSEM_ASSIGN_OR_RETURN(cnt, ws_.cnt.As<int32_t>(B));
    MONOSEM_ASSIGN_OR_RETURN(row_ptr, ws_.row_ptr.As<int32_t>(B + 1));
    MONOSEM_CUDA_RETURN_IF_ERROR(cu::LaunchSaeBatchRowCounts(pre, B, F, state, gt, eq, nullptr));
    MONOSEM_CUDA_RETURN_IF_ERROR(cu::LaunchSaeExclusiveScan(eq, eq_before, B, nullptr));
    MONOSEM_CUDA_RETURN_IF_ERROR(
        cu::LaunchSaeBatchQuota(state, eq_before, gt, eq, quota, cnt, B, nullptr));
    MONOSEM_ASSIGN_OR_RETURN(nnz, ScanRows(cnt, row_ptr, B));
    M = nnz;
    const int64_t E = M + B * ka;
    MONOSEM_ASSIGN_OR_RETURN(feat, ws_.feat.As<int32_t>(E));
    MONOSEM_ASSIGN_OR_RETURN(val, ws_.val.As<float>(E));
    MONOSEM_ASSIGN_OR_RETURN(row, ws_.row.As<int32_t>(E));
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
  Entries en;
  en.main = M;
  en.nnz = nnz;
  en.k_aux = ka;
  en.count = M + B * ka;
  en.feat = feat;
  en.row = row;
  en.begin = begin;
  en.end = end;
  en.cnt = cnt;
  en.row_ptr = row_ptr;
  en.aux_cnt = aux_cnt;
  en.val = val;
  en.fired = fired;
  en.feat_count = feat_count;
  return en;
}

}  // namespace monosem::sae
