// The sparse training step (topk, batch_topk) of the SAE kernel set on the
// cuda backend (kernels in sae_sparse.cu), after SelectForTraining
// (sae_cuda_select.cc) has filled the entry space:
//   sparse decode + residual (one block per row, O(B*k*d));
//   dp per active entry (one warp per entry); the entries sorted stably by
//   feature (cub radix sort: a counting sort per digit), so dW_dec, dW_enc and
//   db_enc are gathered per feature with no float atomics: deterministic;
//   db_dec = sum_n dxhat - W_enc^T db_enc (BiasDecGrad);
// then the loss terms, firing counts and codes copied back to the host.
#include <algorithm>
#include <vector>

#include "kernels/cuda/cuda_check.h"
#include "kernels/cuda/sae_cuda_workspace.h"
#include "monosem/status.h"

namespace monosem::sae {

namespace cu = ::monosem::cuda;

absl::Status CudaSaeKernels::SparseLossAndGrad(const SaeSpec& s, const Staged& st, const float* xc,
                                               float* pre, int64_t B,
                                               const std::vector<uint8_t>& dead, SaeStepOut* out,
                                               SaeCodes* codes) {
  const int64_t d = s.d, F = s.f;
  out->min_kept = 0;
  MONOSEM_ASSIGN_OR_RETURN(const Entries en, SelectForTraining(s, st, pre, B, dead));
  // The selection under the names the kernels' arguments use.
  const int64_t M = en.main, ka = en.k_aux, E = en.count, nnz = en.nnz;
  const bool use_aux = ka > 0;
  const int32_t* feat = en.feat;
  const int32_t* row = en.row;
  const float* val = en.val;
  const int32_t* begin = en.begin;
  const int32_t* end = en.end;
  const int32_t* cnt = en.cnt;
  const int32_t* row_ptr = en.row_ptr;
  const int32_t* aux_cnt = en.aux_cnt;
  const uint32_t* fired = en.fired;
  const uint32_t* feat_count = en.feat_count;

  // Sparse decode and the residual gradients.
  MONOSEM_ASSIGN_OR_RETURN(float* dxhat, ws_.dxhat.As<float>(B * d));
  float* dehat = nullptr;
  if (use_aux) {
    MONOSEM_ASSIGN_OR_RETURN(dehat, ws_.dehat.As<float>(B * d));
  }
  MONOSEM_ASSIGN_OR_RETURN(double* recon_row, ws_.recon_row.As<double>(B));
  MONOSEM_ASSIGN_OR_RETURN(double* aux_row, ws_.aux_row.As<double>(B));
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
  MONOSEM_ASSIGN_OR_RETURN(float* dp, ws_.dp.As<float>(E));
  if (E > 0) {
    MONOSEM_CUDA_RETURN_IF_ERROR(
        cu::LaunchSaeEntryDots(E, M, F, d, feat, row, st.w_dec, dxhat, dehat, dp, nullptr));
  }
  MONOSEM_ASSIGN_OR_RETURN(int32_t* start, ws_.start.As<int32_t>(F + 1));
  MONOSEM_CUDA_RETURN_IF_ERROR(cu::LaunchSaeExclusiveScanU32(feat_count, start, F, nullptr));
  MONOSEM_ASSIGN_OR_RETURN(int32_t* perm, ws_.perm.As<int32_t>(E));
  if (E > 0) {
    MONOSEM_ASSIGN_OR_RETURN(int32_t* iota, ws_.iota.As<int32_t>(E));
    MONOSEM_ASSIGN_OR_RETURN(int32_t* keys_out, ws_.keys_out.As<int32_t>(E));
    MONOSEM_CUDA_RETURN_IF_ERROR(cu::LaunchSaeIota(iota, E, nullptr));
    // Keys are in [0, F] (F = unused slot): enough bits for F.
    int end_bit = 1;
    while ((int64_t{1} << end_bit) <= F) ++end_bit;
    size_t temp_bytes = 0;
    MONOSEM_CUDA_RETURN_IF_ERROR(cu::LaunchSaeSortByFeature(nullptr, &temp_bytes, feat, keys_out,
                                                            iota, perm, E, end_bit, nullptr));
    MONOSEM_ASSIGN_OR_RETURN(char* temp, ws_.sort_temp.As<char>(static_cast<int64_t>(temp_bytes)));
    MONOSEM_CUDA_RETURN_IF_ERROR(cu::LaunchSaeSortByFeature(temp, &temp_bytes, feat, keys_out, iota,
                                                            perm, E, end_bit, nullptr));
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

}  // namespace monosem::sae
