// The cuda backend's transformer kernels (registered for "cuda"; launchers in
// transformer_cuda.h, kernels in transformer.cu). Host tensors are staged
// through cached device buffers as in the cuda Backend (docs/kernels/cuda.md), device
// tensors are used in place. The MLP is overridden so that its GEMMs
// (cuBLAS, FP32 math), bias, ReLU and column sums run back to back on the
// device with one upload of the inputs and one download of the outputs,
// instead of a round trip per Backend op.
//
// Without a GPU the Backend these kernels are created for says
// "no CUDA device: ..." (the transformer suites skip it), and every kernel
// here returns that same error.
#include "kernels/cuda/transformer_cuda.h"

#include <cmath>
#include <limits>
#include <vector>

#include "absl/strings/str_cat.h"
#include "kernels/cuda/cuda_backend.h"
#include "kernels/cuda/cuda_check.h"
#include "kernels/cuda/cuda_kernels.h"
#include "kernels/cuda/sae_cuda.h"
#include "monosem/models/transformer/transformer_kernels.h"
#include "monosem/status.h"

namespace monosem {
namespace {

namespace cu = ::monosem::cuda;

constexpr int64_t kInt32Max = std::numeric_limits<int32_t>::max();

class CudaTransformerKernels : public TransformerKernels {
 public:
  using TransformerKernels::TransformerKernels;

 protected:
  absl::Status EmbeddingForwardImpl(absl::Span<const int32_t> tokens, int64_t ctx,
                                    const Tensor& w_e, const Tensor& w_pos, Tensor* x) override {
    MONOSEM_RETURN_IF_ERROR(CudaAvailable());
    const int64_t n = static_cast<int64_t>(tokens.size()), d = w_e.dim(1);
    if (n == 0) return absl::OkStatus();
    MONOSEM_ASSIGN_OR_RETURN(int32_t* tok, UploadIds(&ws_.tokens, tokens));
    MONOSEM_ASSIGN_OR_RETURN(float* we, scratch_.Stage(1, w_e, true));
    MONOSEM_ASSIGN_OR_RETURN(float* wp, scratch_.Stage(2, w_pos, true));
    MONOSEM_ASSIGN_OR_RETURN(float* dx, scratch_.Stage(3, *x, false));
    MONOSEM_CUDA_RETURN_IF_ERROR(cu::LaunchEmbeddingForward(tok, n, ctx, d, we, wp, dx, nullptr));
    return scratch_.Unstage(dx, x);
  }

  // dW_E by a stable sort of (token, row): each vocab row is then gathered by
  // one block in row order (deterministic, no float atomics).
  absl::Status EmbeddingBackwardImpl(absl::Span<const int32_t> tokens, int64_t ctx,
                                     const Tensor& dx, Tensor* dw_e, Tensor* dw_pos) override {
    MONOSEM_RETURN_IF_ERROR(CudaAvailable());
    const int64_t n = static_cast<int64_t>(tokens.size()), d = dw_e->dim(1);
    const int64_t vocab = dw_e->dim(0), positions = dw_pos->dim(0);
    if (n > kInt32Max) return absl::InvalidArgumentError("cuda embedding: too many tokens");
    MONOSEM_ASSIGN_OR_RETURN(int32_t* tok, UploadIds(&ws_.tokens, tokens));
    MONOSEM_ASSIGN_OR_RETURN(float* ddx, scratch_.Stage(1, dx, true));
    MONOSEM_ASSIGN_OR_RETURN(float* dwe, scratch_.Stage(2, *dw_e, false));
    MONOSEM_ASSIGN_OR_RETURN(float* dwp, scratch_.Stage(3, *dw_pos, false));
    MONOSEM_ASSIGN_OR_RETURN(uint32_t* counts, ws_.token_counts.As<uint32_t>(vocab));
    MONOSEM_ASSIGN_OR_RETURN(int32_t* start, ws_.token_start.As<int32_t>(vocab + 1));
    MONOSEM_ASSIGN_OR_RETURN(int32_t* iota, ws_.iota.As<int32_t>(n));
    MONOSEM_ASSIGN_OR_RETURN(int32_t* keys_out, ws_.keys_out.As<int32_t>(n));
    MONOSEM_ASSIGN_OR_RETURN(int32_t* rows, ws_.token_rows.As<int32_t>(n));
    MONOSEM_CUDA_RETURN_IF_ERROR(cudaMemset(counts, 0, vocab * sizeof(uint32_t)));
    if (n > 0) {
      MONOSEM_CUDA_RETURN_IF_ERROR(cu::LaunchTokenCounts(tok, n, counts, nullptr));
      MONOSEM_CUDA_RETURN_IF_ERROR(cu::LaunchSaeIota(iota, n, nullptr));
      int end_bit = 1;
      while ((int64_t{1} << end_bit) < vocab) ++end_bit;
      size_t temp_bytes = 0;
      MONOSEM_CUDA_RETURN_IF_ERROR(cu::LaunchSaeSortByFeature(nullptr, &temp_bytes, tok,
                                                              keys_out, iota, rows, n, end_bit,
                                                              nullptr));
      MONOSEM_ASSIGN_OR_RETURN(char* temp, ws_.sort_temp.As<char>(static_cast<int64_t>(temp_bytes)));
      MONOSEM_CUDA_RETURN_IF_ERROR(cu::LaunchSaeSortByFeature(temp, &temp_bytes, tok, keys_out,
                                                              iota, rows, n, end_bit, nullptr));
    }
    MONOSEM_CUDA_RETURN_IF_ERROR(cu::LaunchSaeExclusiveScanU32(counts, start, vocab, nullptr));
    MONOSEM_CUDA_RETURN_IF_ERROR(
        cu::LaunchEmbeddingGather(start, rows, ddx, vocab, d, dwe, nullptr));
    MONOSEM_CUDA_RETURN_IF_ERROR(
        cu::LaunchPositionGrad(ddx, n / ctx, ctx, positions, d, dwp, nullptr));
    MONOSEM_RETURN_IF_ERROR(scratch_.Unstage(dwe, dw_e));
    return scratch_.Unstage(dwp, dw_pos);
  }

  absl::Status LayerNormForwardImpl(const Tensor& x, const Tensor& w, const Tensor& b, Tensor* y,
                                    Tensor* mean, Tensor* rstd) override {
    MONOSEM_RETURN_IF_ERROR(CudaAvailable());
    const int64_t n = x.dim(0), d = x.dim(1);
    if (n == 0) return absl::OkStatus();
    MONOSEM_ASSIGN_OR_RETURN(float* dx, scratch_.Stage(0, x, true));
    MONOSEM_ASSIGN_OR_RETURN(float* dw, scratch_.Stage(1, w, true));
    MONOSEM_ASSIGN_OR_RETURN(float* db, scratch_.Stage(2, b, true));
    MONOSEM_ASSIGN_OR_RETURN(float* dy, scratch_.Stage(3, *y, false));
    MONOSEM_ASSIGN_OR_RETURN(float* dm, scratch_.Stage(4, *mean, false));
    MONOSEM_ASSIGN_OR_RETURN(float* dr, scratch_.Stage(5, *rstd, false));
    MONOSEM_CUDA_RETURN_IF_ERROR(
        cu::LaunchLayerNormForward(dx, dw, db, dy, dm, dr, n, d, kLayerNormEps, nullptr));
    MONOSEM_RETURN_IF_ERROR(scratch_.Unstage(dy, y));
    MONOSEM_RETURN_IF_ERROR(scratch_.Unstage(dm, mean));
    return scratch_.Unstage(dr, rstd);
  }

  absl::Status LayerNormBackwardImpl(const Tensor& x, const Tensor& w, const Tensor& mean,
                                     const Tensor& rstd, const Tensor& dy, Tensor* dx,
                                     Tensor* dw, Tensor* db) override {
    MONOSEM_RETURN_IF_ERROR(CudaAvailable());
    const int64_t n = x.dim(0), d = x.dim(1);
    MONOSEM_ASSIGN_OR_RETURN(float* d_x, scratch_.Stage(0, x, true));
    MONOSEM_ASSIGN_OR_RETURN(float* d_w, scratch_.Stage(1, w, true));
    MONOSEM_ASSIGN_OR_RETURN(float* d_m, scratch_.Stage(2, mean, true));
    MONOSEM_ASSIGN_OR_RETURN(float* d_r, scratch_.Stage(3, rstd, true));
    MONOSEM_ASSIGN_OR_RETURN(float* d_dy, scratch_.Stage(4, dy, true));
    MONOSEM_ASSIGN_OR_RETURN(float* d_dx, scratch_.Stage(5, *dx, false));
    MONOSEM_ASSIGN_OR_RETURN(float* d_dw, scratch_.Stage(6, *dw, false));
    MONOSEM_ASSIGN_OR_RETURN(float* d_db, scratch_.Stage(7, *db, false));
    MONOSEM_CUDA_RETURN_IF_ERROR(cu::LaunchLayerNormBackward(d_x, d_w, d_m, d_r, d_dy, d_dx, d_dw,
                                                             d_db, n, d, nullptr));
    MONOSEM_RETURN_IF_ERROR(scratch_.Unstage(d_dx, dx));
    MONOSEM_RETURN_IF_ERROR(scratch_.Unstage(d_dw, dw));
    return scratch_.Unstage(d_db, db);
  }

  absl::Status AttentionForwardImpl(const Tensor& qkv, int64_t batch, int64_t ctx, int64_t heads,
                                    Tensor* z, Tensor* probs) override {
    MONOSEM_RETURN_IF_ERROR(CudaAvailable());
    const int64_t d = qkv.dim(1) / 3;
    MONOSEM_ASSIGN_OR_RETURN(float* dqkv, scratch_.Stage(0, qkv, true));
    MONOSEM_ASSIGN_OR_RETURN(float* dz, scratch_.Stage(1, *z, false));
    MONOSEM_ASSIGN_OR_RETURN(float* dp, scratch_.Stage(2, *probs, false));
    MONOSEM_CUDA_RETURN_IF_ERROR(
        cu::LaunchAttentionForward(dqkv, batch, ctx, heads, d, dz, dp, nullptr));
    MONOSEM_RETURN_IF_ERROR(scratch_.Unstage(dz, z));
    return scratch_.Unstage(dp, probs);
  }

  absl::Status AttentionBackwardImpl(const Tensor& qkv, const Tensor& probs, const Tensor& dz,
                                     int64_t batch, int64_t ctx, int64_t heads,
                                     Tensor* dqkv) override {
    MONOSEM_RETURN_IF_ERROR(CudaAvailable());
    const int64_t d = qkv.dim(1) / 3;
    MONOSEM_ASSIGN_OR_RETURN(float* d_qkv, scratch_.Stage(0, qkv, true));
    MONOSEM_ASSIGN_OR_RETURN(float* d_p, scratch_.Stage(1, probs, true));
    MONOSEM_ASSIGN_OR_RETURN(float* d_dz, scratch_.Stage(2, dz, true));
    MONOSEM_ASSIGN_OR_RETURN(float* d_out, scratch_.Stage(3, *dqkv, false));
    MONOSEM_ASSIGN_OR_RETURN(float* ds, ws_.dscores.As<float>(probs.size()));
    MONOSEM_CUDA_RETURN_IF_ERROR(
        cu::LaunchAttentionBackward(d_qkv, d_p, d_dz, batch, ctx, heads, d, ds, d_out, nullptr));
    return scratch_.Unstage(d_out, dqkv);
  }

  absl::Status CrossEntropyForwardImpl(const Tensor& logits, absl::Span<const int32_t> targets,
                                       Tensor* losses) override {
    MONOSEM_RETURN_IF_ERROR(CudaAvailable());
    const int64_t n = logits.dim(0), v = logits.dim(1);
    if (n == 0) return absl::OkStatus();
    MONOSEM_ASSIGN_OR_RETURN(float* dl, scratch_.Stage(0, logits, true));
    MONOSEM_ASSIGN_OR_RETURN(int32_t* dt, UploadIds(&ws_.targets, targets));
    MONOSEM_ASSIGN_OR_RETURN(float* out, scratch_.Stage(2, *losses, false));
    MONOSEM_CUDA_RETURN_IF_ERROR(cu::LaunchCrossEntropyForward(dl, dt, n, v, out, nullptr));
    return scratch_.Unstage(out, losses);
  }

  absl::Status CrossEntropyBackwardImpl(const Tensor& logits, absl::Span<const int32_t> targets,
                                        float scale, Tensor* dlogits) override {
    MONOSEM_RETURN_IF_ERROR(CudaAvailable());
    const int64_t n = logits.dim(0), v = logits.dim(1);
    if (n == 0) return absl::OkStatus();
    MONOSEM_ASSIGN_OR_RETURN(float* dl, scratch_.Stage(0, logits, true));
    MONOSEM_ASSIGN_OR_RETURN(int32_t* dt, UploadIds(&ws_.targets, targets));
    MONOSEM_ASSIGN_OR_RETURN(float* out, scratch_.Stage(2, *dlogits, false));
    MONOSEM_CUDA_RETURN_IF_ERROR(
        cu::LaunchCrossEntropyBackward(dl, dt, n, v, scale, out, nullptr));
    return scratch_.Unstage(out, dlogits);
  }

  // acts = relu(x W_in + b_in).
  absl::Status MlpInImpl(const Tensor& x, const Tensor& w_in, const Tensor& b_in,
                         Tensor* acts) override {
    MONOSEM_RETURN_IF_ERROR(CudaAvailable());
    const int64_t n = x.dim(0), d = x.dim(1), m = w_in.dim(1);
    if (n == 0 || m == 0) return absl::OkStatus();
    MONOSEM_ASSIGN_OR_RETURN(float* dx, scratch_.Stage(0, x, true));
    MONOSEM_ASSIGN_OR_RETURN(float* dw, scratch_.Stage(1, w_in, true));
    MONOSEM_ASSIGN_OR_RETURN(float* db, scratch_.Stage(2, b_in, true));
    MONOSEM_ASSIGN_OR_RETURN(float* da, scratch_.Stage(3, *acts, false));
    MONOSEM_RETURN_IF_ERROR(Gemm(false, false, n, m, d, 1.0f, dx, d, dw, m, 0.0f, da, m));
    MONOSEM_CUDA_RETURN_IF_ERROR(cu::LaunchBiasRelu(db, da, n, m, nullptr));
    return scratch_.Unstage(da, acts);
  }

  // out = acts W_out + b_out.
  absl::Status MlpOutImpl(const Tensor& acts, const Tensor& w_out, const Tensor& b_out,
                          Tensor* out) override {
    MONOSEM_RETURN_IF_ERROR(CudaAvailable());
    const int64_t n = acts.dim(0), m = acts.dim(1), d = w_out.dim(1);
    if (n == 0 || d == 0) return absl::OkStatus();
    MONOSEM_ASSIGN_OR_RETURN(float* da, scratch_.Stage(0, acts, true));
    MONOSEM_ASSIGN_OR_RETURN(float* dw, scratch_.Stage(1, w_out, true));
    MONOSEM_ASSIGN_OR_RETURN(float* db, scratch_.Stage(2, b_out, true));
    MONOSEM_ASSIGN_OR_RETURN(float* dout, scratch_.Stage(3, *out, false));
    MONOSEM_CUDA_RETURN_IF_ERROR(cu::LaunchSaeBroadcastRows(db, dout, n, d, nullptr));
    MONOSEM_RETURN_IF_ERROR(Gemm(false, false, n, d, m, 1.0f, da, m, dw, d, 1.0f, dout, d));
    return scratch_.Unstage(dout, out);
  }

  // dW_out = acts^T dout, db_out = colsum dout, dh = relu'(acts) (dout W_out^T),
  // dW_in = x^T dh, db_in = colsum dh, dx = dh W_in^T.
  absl::Status MlpBackwardImpl(const Tensor& x, const Tensor& acts, const Tensor& dout,
                               const Tensor& w_in, const Tensor& w_out, Tensor* dx,
                               Tensor* dw_in, Tensor* db_in, Tensor* dw_out,
                               Tensor* db_out) override {
    MONOSEM_RETURN_IF_ERROR(CudaAvailable());
    const int64_t n = x.dim(0), d = x.dim(1), m = acts.dim(1);
    MONOSEM_ASSIGN_OR_RETURN(float* d_x, scratch_.Stage(0, x, true));
    MONOSEM_ASSIGN_OR_RETURN(float* d_a, scratch_.Stage(1, acts, true));
    MONOSEM_ASSIGN_OR_RETURN(float* d_do, scratch_.Stage(2, dout, true));
    MONOSEM_ASSIGN_OR_RETURN(float* d_wi, scratch_.Stage(3, w_in, true));
    MONOSEM_ASSIGN_OR_RETURN(float* d_wo, scratch_.Stage(4, w_out, true));
    MONOSEM_ASSIGN_OR_RETURN(float* d_dx, scratch_.Stage(5, *dx, false));
    MONOSEM_ASSIGN_OR_RETURN(float* d_dwi, scratch_.Stage(6, *dw_in, false));
    MONOSEM_ASSIGN_OR_RETURN(float* d_dbi, scratch_.Stage(7, *db_in, false));
    MONOSEM_ASSIGN_OR_RETURN(float* d_dwo, scratch_.Stage(8, *dw_out, false));
    MONOSEM_ASSIGN_OR_RETURN(float* d_dbo, scratch_.Stage(9, *db_out, false));
    MONOSEM_ASSIGN_OR_RETURN(float* dpre, ws_.mlp_dpre.As<float>(n * m));
    MONOSEM_ASSIGN_OR_RETURN(float* dh, ws_.mlp_dh.As<float>(n * m));
    if (n == 0) {
      // Empty batch: the weight gradients are sums over no rows.
      MONOSEM_CUDA_RETURN_IF_ERROR(cu::LaunchScale(0.0f, d_dwo, m * d, nullptr));
      MONOSEM_CUDA_RETURN_IF_ERROR(cu::LaunchScale(0.0f, d_dwi, d * m, nullptr));
      MONOSEM_CUDA_RETURN_IF_ERROR(cu::LaunchScale(0.0f, d_dbo, d, nullptr));
      MONOSEM_CUDA_RETURN_IF_ERROR(cu::LaunchScale(0.0f, d_dbi, m, nullptr));
    } else {
      MONOSEM_RETURN_IF_ERROR(Gemm(true, false, m, d, n, 1.0f, d_a, m, d_do, d, 0.0f, d_dwo, d));
      MONOSEM_CUDA_RETURN_IF_ERROR(cu::LaunchSumRows(d_do, d_dbo, n, d, nullptr));
      MONOSEM_RETURN_IF_ERROR(Gemm(false, true, n, m, d, 1.0f, d_do, d, d_wo, d, 0.0f, dpre, m));
      MONOSEM_CUDA_RETURN_IF_ERROR(cu::LaunchReluBackward(d_a, dpre, dh, n * m, nullptr));
      MONOSEM_RETURN_IF_ERROR(Gemm(true, false, d, m, n, 1.0f, d_x, d, dh, m, 0.0f, d_dwi, m));
      MONOSEM_CUDA_RETURN_IF_ERROR(cu::LaunchSumRows(dh, d_dbi, n, m, nullptr));
      MONOSEM_RETURN_IF_ERROR(Gemm(false, true, n, d, m, 1.0f, dh, m, d_wi, m, 0.0f, d_dx, d));
    }
    MONOSEM_RETURN_IF_ERROR(scratch_.Unstage(d_dx, dx));
    MONOSEM_RETURN_IF_ERROR(scratch_.Unstage(d_dwi, dw_in));
    MONOSEM_RETURN_IF_ERROR(scratch_.Unstage(d_dbi, db_in));
    MONOSEM_RETURN_IF_ERROR(scratch_.Unstage(d_dwo, dw_out));
    return scratch_.Unstage(d_dbo, db_out);
  }

 private:
  absl::StatusOr<int32_t*> UploadIds(CudaBuffer* buf, absl::Span<const int32_t> ids) {
    MONOSEM_ASSIGN_OR_RETURN(int32_t* p, buf->As<int32_t>(static_cast<int64_t>(ids.size())));
    if (!ids.empty()) {
      MONOSEM_CUDA_RETURN_IF_ERROR(
          cudaMemcpy(p, ids.data(), ids.size() * sizeof(int32_t), cudaMemcpyHostToDevice));
    }
    return p;
  }

  absl::Status Gemm(bool ta, bool tb, int64_t m, int64_t n, int64_t k, float alpha,
                    const float* a, int64_t lda, const float* b, int64_t ldb, float beta,
                    float* c, int64_t ldc) {
    // The backend's row-major GEMM and its one cuBLAS handle.
    MONOSEM_ASSIGN_OR_RETURN(CudaBackend * cuda, AsCudaBackend(backend()));
    return cuda->DeviceGemm(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
  }

  // Host tensor operands are staged by position (slot i: the i-th tensor
  // argument of the kernel running), as in the cuda Backend; the kernels'
  // own intermediates and uploaded ids are named in ws_.
  CudaScratch scratch_;
  struct Workspace {
    CudaBuffer tokens, targets;  // uploaded token / target ids
    // The embedding backward's stable sort of (token, row) pairs.
    CudaBuffer token_counts;  // [vocab] rows per token
    CudaBuffer token_start;   // [vocab + 1] each token's first position in token_rows
    CudaBuffer iota;          // [n] row ids 0..n-1 (the sort's values)
    CudaBuffer keys_out;      // [n] sorted tokens (unused, cub needs somewhere)
    CudaBuffer token_rows;    // [n] row ids in token order
    CudaBuffer sort_temp;     // cub's temporary storage
    CudaBuffer dscores;       // attention backward: d loss / d scores
    CudaBuffer mlp_dpre;      // MLP backward: dout W_out^T, d loss / d acts
    CudaBuffer mlp_dh;        // MLP backward: the same through the ReLU mask
  };
  Workspace ws_;
};

}  // namespace

MONOSEM_REGISTER_KERNEL_SET(TransformerKernels, "cuda", CudaTransformerKernels);

}  // namespace monosem
