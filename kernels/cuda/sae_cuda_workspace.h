// The cuda backend's SAE kernel set (registered as "cuda"; math in
// monosem/models/sae/sae_kernels.h, launchers in sae_cuda.h, design in
// docs/kernels/cuda.md): its class, and the device buffers it works in, named.
//
// The host side is split by what it does, like the kernels it drives:
//   sae_cuda.cc         dispatch, staging, the encoder GEMM, codes to host,
//                       registration
//   sae_cuda_select.cc  TopK / BatchTopK / AuxK selection (sae_select.cu)
//                       and sparse inference
//   sae_cuda_sparse.cc  the sparse training step's decode and backward
//                       (sae_sparse.cu)
//   sae_cuda_dense.cc   relu_l1 / jumprelu through cuBLAS and the dense
//                       epilogues (sae_dense.cu)
//   sae_cuda_optim.cc   decoder-norm steps and fused Adam (sae_optim.cu)
// Internal to kernels/cuda: include it only from those files.
#ifndef MONOSEM_KERNELS_CUDA_SAE_CUDA_WORKSPACE_H_
#define MONOSEM_KERNELS_CUDA_SAE_CUDA_WORKSPACE_H_

#include <cstdint>
#include <limits>
#include <vector>

#include <cublas_v2.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "kernels/cuda/cuda_backend.h"
#include "kernels/cuda/sae_cuda.h"
#include "monosem/models/sae/sae_kernels.h"

namespace monosem::sae {

// Entry ids, CSR offsets and the sort's keys are int32 on the device.
inline constexpr int64_t kCudaInt32Max = std::numeric_limits<int32_t>::max();

// The kernel set's device memory, one cached buffer per use (grown to the
// largest batch seen, never shrunk). Host tensors are staged into the input
// and gradient buffers; device tensors are used in place and leave those
// unused. A buffer is shared between calls only where the same quantity
// lives in it (x_hat in inference and training, w_dec and g_w_dec in the
// decoder-norm steps), so each call's peak memory is what it names.
struct SaeCudaWorkspace {
  // Staged inputs.
  CudaBuffer x, w_enc, b_enc, w_dec, b_dec, th;
  // Encoder and reconstruction: [B, d] or [B, F].
  CudaBuffer xc;     // x - b_dec
  CudaBuffer pre;    // xc W_enc^T, then biased / activated in place
  CudaBuffer f;      // jumprelu's codes (relu_l1 keeps its codes in pre)
  CudaBuffer x_hat;  // inference output, or the dense path's reconstruction
  CudaBuffer dxhat;  // d loss / d x_hat
  CudaBuffer dehat;  // AuxK: d loss / d (its reconstruction of the residual)
  CudaBuffer dpre;   // the dense backward's d loss / d pre
  CudaBuffer norm;   // [F] decoder row norms (relu_l1's penalty)
  // Per-feature counters and sums, [F].
  CudaBuffer fired;       // main-selection firings
  CudaBuffer feat_count;  // main + AuxK entries of each feature (the sort's offsets)
  CudaBuffer fsum;        // relu_l1: sum of each feature's codes (double)
  CudaBuffer on;          // jumprelu: #{z > threshold}
  CudaBuffer dead;        // [F] the dead-latent mask (uint8)
  // Per-row loss terms (double), [B].
  CudaBuffer recon_row, aux_row;
  // The entry space (sae_cuda.h): main entries, then the AuxK entries.
  CudaBuffer feat, val, row;  // [E]
  CudaBuffer cnt;             // [B] main entries per row
  CudaBuffer begin, end;      // [B] topk: each row's main slot range
  CudaBuffer aux_cnt;         // [B] AuxK entries per row
  CudaBuffer dp;              // [E] d loss / d pre of each entry
  // The stable per-feature sort of the entries.
  CudaBuffer iota;       // [E] entry ids 0..E-1 (the sort's values)
  CudaBuffer keys_out;   // [E] sorted features (unused, cub needs somewhere)
  CudaBuffer perm;       // [E] entry ids in feature order
  CudaBuffer start;      // [F + 1] each feature's first position in perm
  CudaBuffer sort_temp;  // cub's temporary storage
  // BatchTopK: the global threshold and the per-row tie quota.
  CudaBuffer batch_state;  // one SaeBatchState
  CudaBuffer batch_hist;   // 256 uint64 bins
  CudaBuffer gt, eq;       // [B] entries above / at the threshold per row
  CudaBuffer eq_before;    // [B + 1] exclusive scan of eq
  CudaBuffer quota;        // [B] ties kept per row
  CudaBuffer row_ptr;      // [B + 1] CSR offsets of the main entries
  // Staged gradients, and db_dec's W_enc^T db_enc term.
  CudaBuffer g_w_enc, g_b_enc, g_w_dec, g_b_dec, g_th;
  CudaBuffer gemv;  // [d]
  // Fused Adam: the tensors of each parameter it steps.
  struct AdamBuffers {
    CudaBuffer p, g, m, v;
  };
  AdamBuffers adam[::monosem::cuda::SaeAdamSlots::kMaxSlots];
};

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
  // A training step's selection, in the entry space of sae_cuda.h.
  struct Entries {
    int64_t main = 0;   // M: topk's B*k slots, or batch_topk's nnz
    int64_t nnz = 0;    // batch_topk: kept entries (CSR)
    int64_t k_aux = 0;  // AuxK slots per row (0: no AuxK this step)
    int64_t count = 0;  // E = M + B*k_aux
    int32_t *feat = nullptr, *row = nullptr, *begin = nullptr, *end = nullptr;
    int32_t *cnt = nullptr, *row_ptr = nullptr, *aux_cnt = nullptr;
    float* val = nullptr;
    uint32_t *fired = nullptr, *feat_count = nullptr;
  };

  // sae_cuda.cc: the backend's cuBLAS handle and row-major GEMM, staging,
  // the encoder, db_dec, and codes copied back to the host.
  absl::StatusOr<cublasHandle_t> Handle();
  absl::Status Gemm(bool ta, bool tb, int64_t m, int64_t n, int64_t k, float alpha,
                    const float* a, int64_t lda, const float* b, int64_t ldb, float beta,
                    float* c, int64_t ldc);
  absl::StatusOr<int64_t> SmemOptin();
  static absl::Status Download(void* host, const void* dev, int64_t bytes);
  absl::StatusOr<Staged> StageInputs(const SaeParams& p, const Tensor& x);
  absl::StatusOr<float*> Encode(const SaeSpec& s, const Staged& st, int64_t B, float** xc_out);
  absl::Status BiasDecGrad(const SaeSpec& s, const Staged& st, int64_t B, const float* dxhat,
                           const float* g_b_enc, float* g_b_dec);
  absl::StatusOr<Grads> StageGrads(SaeParams* g);
  absl::Status UnstageGrads(const Grads& gr, SaeParams* g);
  static absl::Status SlotsToCodes(int64_t B, int64_t F, int64_t k, const int32_t* d_cnt,
                                   const int32_t* d_feat, const float* d_val, SaeCodes* codes);
  static absl::Status CsrToCodes(int64_t B, int64_t F, int64_t nnz, const int32_t* d_row_ptr,
                                 const int32_t* d_feat, const float* d_val, SaeCodes* codes);
  static absl::Status DenseToCodes(int64_t B, int64_t F, const float* d_f, SaeCodes* codes);
  absl::StatusOr<int64_t> ScanRows(const int32_t* cnt, int32_t* row_ptr, int64_t B);

  // sae_cuda_select.cc
  absl::Status SparseForward(const SaeSpec& s, const Staged& st, float* pre, int64_t B,
                             float* xh, Tensor* x_hat, SaeCodes* codes);
  absl::StatusOr<Entries> SelectForTraining(const SaeSpec& s, const Staged& st, float* pre,
                                            int64_t B, const std::vector<uint8_t>& dead);
  // sae_cuda_sparse.cc
  absl::Status SparseLossAndGrad(const SaeSpec& s, const Staged& st, const float* xc, float* pre,
                                 int64_t B, const std::vector<uint8_t>& dead, SaeStepOut* out,
                                 SaeCodes* codes);
  // sae_cuda_dense.cc
  absl::Status DenseForward(const SaeSpec& s, const Staged& st, float* pre, int64_t B,
                            float* xh, Tensor* x_hat, SaeCodes* codes);
  absl::Status DenseLossAndGrad(const SaeSpec& s, const Staged& st, const float* xc, float* pre,
                                int64_t B, SaeStepOut* out, SaeCodes* codes);

  SaeCudaWorkspace ws_;
  int64_t smem_optin_ = -1;
};

}  // namespace monosem::sae

#endif  // MONOSEM_KERNELS_CUDA_SAE_CUDA_WORKSPACE_H_
