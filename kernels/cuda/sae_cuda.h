// Launchers for the SAE kernels of the cuda backend, defined by what they do
// in kernels/cuda/sae_select.cu, sae_sparse.cu, sae_dense.cu and
// sae_optim.cu; the SaeKernels subclass that drives them is declared in
// kernels/cuda/sae_cuda_workspace.h and the math is
// monosem/models/sae/sae_kernels.h. Like cuda_kernels.h: every
// launcher enqueues on `stream` and returns cudaGetLastError() right after
// its launch(es); pointers are device pointers; layouts row-major.
//
// Sparse codes (topk, batch_topk) live in one "entry" space of E entries:
// entry e has a feature ent_feat[e] (== F for an unused slot, so that a sort
// by feature puts it last), a value ent_val[e] and a row ent_row[e]. Main
// entries come first (topk: fixed slots n*k .. n*k+k-1; batch_topk: CSR), the
// AuxK entries after them at aux_base + n*k_aux (fixed slots).
#ifndef MONOSEM_KERNELS_CUDA_SAE_CUDA_H_
#define MONOSEM_KERNELS_CUDA_SAE_CUDA_H_

#include <cstddef>
#include <cstdint>

#include <cuda_runtime.h>

namespace monosem::cuda {

// xc[n, j] = x[n, j] - b_dec[j].
cudaError_t LaunchSaeCenter(const float* x, const float* b_dec, float* xc, int64_t rows,
                            int64_t d, cudaStream_t stream);
// out[n, j] = b[j].
cudaError_t LaunchSaeBroadcastRows(const float* b, float* out, int64_t rows, int64_t d,
                                   cudaStream_t stream);
// norm[i] = ||W[i, :]||.
cudaError_t LaunchSaeRowNorms(const float* w, float* norm, int64_t rows, int64_t d,
                              cudaStream_t stream);

// Dense encoder epilogue over pre [B, F] (pre = xc W_enc^T, no bias yet),
// column-blocked so that the per-feature statistics are exact and reduced in
// a fixed order:
//   relu:     pre <- f = ReLU(pre + b_enc)                 (in place)
//   jumprelu: pre <- z = pre + b_enc,  f_out <- z * [z > threshold]
// Per feature (each output nullable): fired = #{f > 0}, fsum = sum f (double),
// on = #{z > threshold} (jumprelu's L0 penalty).
cudaError_t LaunchSaeDenseEncode(bool jump, float* pre, const float* b_enc,
                                 const float* threshold, float* f_out, int64_t rows, int64_t f,
                                 uint32_t* fired, double* fsum, uint32_t* on,
                                 cudaStream_t stream);

// Per-row TopK (and AuxK) selection, one block per row: a 4-pass 8-bit radix
// select on the bits of the positive values (ties to the lower index), then an
// index-ordered compaction. v = pre[n, i] + (bias ? bias[i] : 0).
struct SaeSelectArgs {
  const float* pre = nullptr;
  const float* bias = nullptr;  // null: pre is already biased
  int64_t rows = 0;
  int64_t f = 0;
  // Main selection: k per row into slots n*k (k == 0: none).
  int64_t k = 0;
  int32_t* feat = nullptr;
  float* val = nullptr;
  int32_t* row = nullptr;
  int32_t* cnt = nullptr;         // [rows]
  int32_t* main_begin = nullptr;  // [rows], nullable
  int32_t* main_end = nullptr;    // [rows], nullable
  // AuxK: k_aux largest positive among dead latents into slots
  // aux_base + n*k_aux of the same entry arrays (k_aux == 0: none).
  const uint8_t* dead = nullptr;
  int64_t k_aux = 0;
  int64_t aux_base = 0;
  int32_t* aux_cnt = nullptr;  // [rows]
  // Integer counters (nullable): fired[i] += main entries of feature i;
  // feat_count[i] += main and aux entries of feature i.
  uint32_t* fired = nullptr;
  uint32_t* feat_count = nullptr;
  // Bytes of dynamic shared memory this device allows a block (opt-in);
  // the row is cached in shared memory when it fits.
  int64_t smem_optin = 0;
};
cudaError_t LaunchSaeRowSelect(const SaeSelectArgs& a, cudaStream_t stream);

// BatchTopK over the whole (already biased) pre [total]: the want-th largest
// positive value's bits and how many of the entries equal to it are kept (in
// flat order). `state` is SaeBatchState on the device, `hist` 256 uint64.
struct SaeBatchState {
  uint32_t prefix;
  uint32_t mask;
  unsigned long long need;  // after the passes: ties to keep
  int all;                  // 1: every positive entry is kept (<= want of them)
  int pad;
};
cudaError_t LaunchSaeBatchThreshold(const float* pre, int64_t total, int64_t want,
                                    SaeBatchState* state, unsigned long long* hist,
                                    cudaStream_t stream);
// gt[n] = #{key > T}, eq[n] = #{key == T} per row (all: gt = positives, eq = 0).
cudaError_t LaunchSaeBatchRowCounts(const float* pre, int64_t rows, int64_t f,
                                    const SaeBatchState* state, int32_t* gt, int32_t* eq,
                                    cudaStream_t stream);
// quota[n] = min(eq[n], max(0, ties - eq_before[n])); cnt[n] = gt[n] + quota[n].
cudaError_t LaunchSaeBatchQuota(const SaeBatchState* state, const int32_t* eq_before,
                                const int32_t* gt, const int32_t* eq, int32_t* quota,
                                int32_t* cnt, int64_t rows, cudaStream_t stream);
// Keeps key > T and the first quota[n] keys == T of each row into CSR
// row_ptr[n] ...; counters as in SaeSelectArgs.
cudaError_t LaunchSaeBatchCompact(const float* pre, int64_t rows, int64_t f,
                                  const SaeBatchState* state, const int32_t* quota,
                                  const int32_t* row_ptr, int32_t* feat, float* val,
                                  int32_t* row, uint32_t* fired, uint32_t* feat_count,
                                  cudaStream_t stream);
// Inference with per-feature thresholds (batch_topk): keep v > th[i] && v > 0.
cudaError_t LaunchSaeThresholdCount(const float* pre, const float* th, int64_t rows, int64_t f,
                                    int32_t* cnt, cudaStream_t stream);
cudaError_t LaunchSaeThresholdCompact(const float* pre, const float* th, int64_t rows,
                                      int64_t f, const int32_t* row_ptr, int32_t* feat,
                                      float* val, int32_t* row, cudaStream_t stream);

// out[0..n] = exclusive prefix sums of in[0..n) (out[n] = total), one block.
cudaError_t LaunchSaeExclusiveScan(const int32_t* in, int32_t* out, int64_t n,
                                   cudaStream_t stream);
cudaError_t LaunchSaeExclusiveScanU32(const uint32_t* in, int32_t* out, int64_t n,
                                      cudaStream_t stream);
cudaError_t LaunchSaeIota(int32_t* out, int64_t n, cudaStream_t stream);

// Sparse decode, one block per row:
//   xh = b_dec + sum_{main entries e of row n} val[e] W_dec[feat[e]]
// x == null (inference): out = xh. Otherwise (training), with e = xh - x:
//   out = dxhat = 2 e / B, recon_row[n] = ||e||^2; and when aux_cnt is set,
//   ehat = sum_{aux entries} val W_dec, diff = ehat + e,
//   dehat = aux_coef * 2 diff / B, aux_row[n] = ||diff||^2.
struct SaeDecodeArgs {
  int64_t rows = 0, d = 0;
  const float* w_dec = nullptr;
  const float* b_dec = nullptr;
  const int32_t* main_begin = nullptr;
  const int32_t* main_end = nullptr;
  const int32_t* feat = nullptr;
  const float* val = nullptr;
  const int32_t* aux_cnt = nullptr;  // null: no AuxK
  int64_t aux_base = 0, k_aux = 0;
  const float* x = nullptr;
  float* out = nullptr;
  float* dehat = nullptr;
  double* recon_row = nullptr;
  double* aux_row = nullptr;
  float two_over_b = 0, aux_coef = 0;
};
cudaError_t LaunchSaeSparseDecode(const SaeDecodeArgs& a, cudaStream_t stream);
// Dense path: e = xhat - x; dxhat = 2 e / B; recon_row[n] = ||e||^2.
cudaError_t LaunchSaeResidual(const float* xhat, const float* x, float* dxhat, double* recon_row,
                              int64_t rows, int64_t d, float two_over_b, cudaStream_t stream);

// dp[e] = <up[row[e]], W_dec[feat[e]]>, up = dxhat for e < main_count, dehat
// after; 0 for unused slots. One warp per entry.
cudaError_t LaunchSaeEntryDots(int64_t entries, int64_t main_count, int64_t f, int64_t d,
                               const int32_t* feat, const int32_t* row, const float* w_dec,
                               const float* dxhat, const float* dehat, float* dp,
                               cudaStream_t stream);
// Stable sort of (feature, entry id) pairs by feature (cub radix sort over
// end_bit bits). temp == null: *temp_bytes receives the size needed.
cudaError_t LaunchSaeSortByFeature(void* temp, size_t* temp_bytes, const int32_t* keys_in,
                                   int32_t* keys_out, const int32_t* vals_in, int32_t* vals_out,
                                   int64_t n, int end_bit, cudaStream_t stream);
// Per feature i (one block), over its entries perm[start[i] .. start[i+1]):
//   gW_dec[i] = sum val[e] up[row[e]]      (up = dxhat / dehat as above)
//   gW_enc[i] = sum dp[e] xc[row[e]],  gb_enc[i] = sum dp[e]
// Every row of the outputs is written (zeros for untouched features); each
// element is owned by one thread: deterministic, no atomics.
struct SaeGatherArgs {
  int64_t f = 0, d = 0, main_count = 0;
  const int32_t* start = nullptr;
  const int32_t* perm = nullptr;
  const int32_t* row = nullptr;
  const float* val = nullptr;
  const float* dp = nullptr;
  const float* dxhat = nullptr;
  const float* dehat = nullptr;
  const float* xc = nullptr;
  float* g_w_dec = nullptr;
  float* g_w_enc = nullptr;
  float* g_b_enc = nullptr;
};
cudaError_t LaunchSaeFeatureGather(const SaeGatherArgs& a, cudaStream_t stream);

// relu_l1's decoder-norm term: gW_dec[i] += coef * fsum[i] / norm[i] * W_dec[i]
// (rows with norm 0 untouched).
cudaError_t LaunchSaeDecoderL1Grad(float* g_w_dec, const float* w_dec, const double* fsum,
                                   const float* norm, double coef, int64_t f, int64_t d,
                                   cudaStream_t stream);
// Dense backward epilogue over df [B, F] (= dxhat W_dec^T), in place into dpre,
// column-blocked with fixed-order per-feature sums:
//   relu:     dpre = f > 0 ? df + l1/B * norm[i] : 0     (pre holds f)
//   jumprelu: dpre = z > th ? df : 0                      (pre holds z)
//             g_th[i] = sum over |z - th| < bw/2 of -(th/bw) df - l1/B/bw
// g_b_enc[i] = sum_n dpre; g_th written (zeros for relu).
cudaError_t LaunchSaeDenseBackward(bool jump, const float* pre, float* dpre, const float* th,
                                   const float* norm, int64_t rows, int64_t f, float l1_over_b,
                                   float inv_bw, float* g_b_enc, float* g_th,
                                   cudaStream_t stream);

// g[i] -= (<g_i, w_i> / ||w_i||^2) w_i; w[i] /= ||w_i|| (zero rows untouched).
cudaError_t LaunchSaeProjectDecoderGrad(const float* w, float* g, int64_t rows, int64_t d,
                                        cudaStream_t stream);
cudaError_t LaunchSaeNormalizeRows(float* w, int64_t rows, int64_t d, cudaStream_t stream);

// One fused Adam step over up to kMaxSlots tensors in a single launch.
struct SaeAdamSlots {
  static constexpr int kMaxSlots = 5;
  float* p[kMaxSlots];
  const float* g[kMaxSlots];
  float* m[kMaxSlots];
  float* v[kMaxSlots];
  int64_t end[kMaxSlots];  // cumulative element counts
  int count;
};
cudaError_t LaunchSaeAdam(const SaeAdamSlots& s, float beta1, float beta2, float eps,
                          float step_size, float bc2_sqrt, cudaStream_t stream);

}  // namespace monosem::cuda

#endif  // MONOSEM_KERNELS_CUDA_SAE_CUDA_H_
