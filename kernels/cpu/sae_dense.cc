// The cpu SAE kernels' dense epilogues: relu_l1 and jumprelu keep dense codes
// [B, F]. One fused pass adds the bias and applies the activation while it
// counts firing features and sums the penalty; the decoder and the backward
// are GEMMs on the backend, unless a relu_l1 batch is sparse enough for the
// sparse backward (sae_sparse.cc).
#include <omp.h>

#include <cmath>
#include <cstring>
#include <vector>

#include "kernels/cpu/sae_workspace.h"
#include "monosem/status.h"

namespace monosem::sae::cpu {
namespace {

// relu_l1 takes the sparse backward when at most 1/kSparseDensity of f is
// non-zero.
constexpr int64_t kSparseDensity = 16;

// Thread-local per-feature accumulators, reduced in a fixed order.
template <typename T>
void ReduceThreadLocal(const std::vector<T>& local, int threads, int64_t F, T* out) {
  for (int64_t i = 0; i < F; ++i) {
    T acc = 0;
    for (int t = 0; t < threads; ++t) acc += local[t * F + i];
    out[i] = acc;
  }
}

// out[n] = b for every row of [B, d].
void FillRows(const Ctx& c, int64_t B, int64_t d, const float* b, float* out) {
#pragma omp parallel for if (c.par)
  for (int64_t n = 0; n < B; ++n) std::memcpy(out + n * d, b, d * sizeof(float));
}

// relu_l1's penalty through ||W_dec,i||: dW_dec,i += l1 / B * sum_n f_ni / ||W_dec,i|| W_dec,i.
void DecoderNormGrad(const Ctx& c, const SaeSpec& s, const SaeParams& p, int64_t B,
                     const std::vector<double>& fsum, bool skip_unused,
                     const std::vector<float>& norm, SaeParams* g) {
  const int64_t d = s.d;
  const float* Wd = p.w_dec.data();
#pragma omp parallel for if (c.par)
  for (int64_t i = 0; i < s.f; ++i) {
    if (norm[i] == 0 || (skip_unused && fsum[i] == 0)) continue;
    AxpyRow(static_cast<float>(s.l1 / B * fsum[i] / norm[i]), Wd + i * d, g->w_dec.data() + i * d, d);
  }
}

// The per-thread lists of the fused pass as CSR in ws->active.
void EntriesToCsr(const Ctx& c, int64_t B, SaeWorkspace* ws) {
  Csr& a = ws->active;
  a.row_ptr.assign(B + 1, 0);
  for (int64_t n = 0; n < B; ++n) a.row_ptr[n + 1] = a.row_ptr[n] + ws->entry_count[n];
  a.SizeFromRowPtr(B);
#pragma omp parallel for schedule(static) if (c.par)
  for (int64_t n = 0; n < B; ++n) {
    const int t = ws->entry_thread[n];
    const int64_t at = ws->entry_at[n], k = ws->entry_count[n];
    std::memcpy(a.idx.data() + a.row_ptr[n], ws->entry_idx[t].data() + at, sizeof(int32_t) * k);
    std::memcpy(a.val.data() + a.row_ptr[n], ws->entry_val[t].data() + at, sizeof(float) * k);
  }
}

}  // namespace

void FillDenseCodes(int64_t B, int64_t F, const float* f, SaeCodes* codes) {
  codes->rows = B;
  codes->f = F;
  codes->sparse = false;
  codes->dense = Tensor::Uninitialized({B, F});
  std::memcpy(codes->dense.data(), f, B * F * sizeof(float));
}

void FillSparseCodes(const SaeSpec& s, int64_t B, const Csr& a, SaeCodes* codes) {
  codes->rows = B;
  codes->f = s.f;
  codes->sparse = true;
  codes->dense = Tensor();
  codes->row_ptr = a.row_ptr;
  codes->idx = a.idx;
  codes->val = a.val;
}

absl::Status DenseForward(const Ctx& c, const SaeSpec& s, const SaeParams& p, int64_t B,
                          SaeWorkspace* ws, Tensor* x_hat, SaeCodes* codes) {
  const int64_t d = s.d, F = s.f;
  const bool jump = s.arch == Arch::kJumpReLU;
  const float* be = p.b_enc.data();
  const float* th = p.threshold.data();
  float* pre = ws->pre.data();
#pragma omp parallel for schedule(static) if (c.par)
  for (int64_t n = 0; n < B; ++n) {
    float* row = pre + n * F;
#pragma omp simd
    for (int64_t i = 0; i < F; ++i) {
      const float v = row[i] + be[i];
      row[i] = jump ? (v > th[i] ? v : 0.0f) : (v > 0.0f ? v : 0.0f);
    }
  }
  FillRows(c, B, d, p.b_dec.data(), x_hat->data());
  MONOSEM_RETURN_IF_ERROR(
      c.backend.Gemm(Trans::kNo, Trans::kNo, 1.0f, ws->pre, p.w_dec, 1.0f, x_hat));
  if (codes != nullptr) FillDenseCodes(B, F, pre, codes);
  return absl::OkStatus();
}

absl::Status DenseLossAndGrad(const Ctx& c, const SaeSpec& s, const SaeParams& p,
                              const Tensor& x, SaeWorkspace* ws, SaeStepOut* out,
                              SaeCodes* codes) {
  const int64_t B = x.dim(0), d = s.d, F = s.f;
  const bool jump = s.arch == Arch::kJumpReLU;
  MONOSEM_RETURN_IF_ERROR(Encode(c, s, p, x, ws));
  const float* be = p.b_enc.data();
  const float* th = p.threshold.data();
  const float* Wd = p.w_dec.data();
  // Decoder row norms (the L1 penalty includes them).
  std::vector<float>& norm = ws->dec_norm;
  norm.resize(F);
#pragma omp parallel for if (c.par)
  for (int64_t i = 0; i < F; ++i) norm[i] = std::sqrt(Dot(Wd + i * d, Wd + i * d, d));
  // Fused pass: bias + activation + fired counts + penalty + column sums.
  // relu_l1 keeps f in pre; jumprelu keeps pre in pre and f in f.
  float* pre = ws->pre.data();
  float* fj = jump ? Sized(ws->f, {B, F}).data() : nullptr;
  const int threads = omp_get_max_threads();
  std::vector<int64_t> fired_local(static_cast<size_t>(threads) * F, 0);
  std::vector<double> fsum_local(static_cast<size_t>(threads) * F, 0.0);
  double sparsity = 0, l0 = 0;
  const auto relu_l1_row = simd::Active().relu_l1_row;
  // relu_l1 emits the active entries while the row is in L1, into per-thread
  // lists sized for the sparse path's density bound (a denser batch takes
  // the dense path, and a thread whose list fills up stops emitting).
  const int64_t list_cap = B * F / kSparseDensity / threads + F;
  if (!jump) {
    ws->entry_idx.resize(threads);
    ws->entry_val.resize(threads);
    ws->entry_count.resize(B);
    ws->entry_at.resize(B);
    ws->entry_thread.resize(B);
  }
  bool overflow = false;
#pragma omp parallel reduction(+ : sparsity, l0) reduction(|| : overflow) if (c.par)
  {
    const int t = omp_get_thread_num();
    int64_t* fired = fired_local.data() + static_cast<size_t>(t) * F;
    double* fsum = fsum_local.data() + static_cast<size_t>(t) * F;
    int32_t* list_idx = nullptr;
    float* list_val = nullptr;
    if (!jump) {
      // Grown, never shrunk: steady training writes into memory it has.
      if (static_cast<int64_t>(ws->entry_idx[t].size()) < list_cap) {
        ws->entry_idx[t].resize(list_cap);
        ws->entry_val[t].resize(list_cap);
      }
      list_idx = ws->entry_idx[t].data();
      list_val = ws->entry_val[t].data();
    }
    int64_t used = 0;
#pragma omp for schedule(static)
    for (int64_t n = 0; n < B; ++n) {
      float* row = pre + n * F;
      float sp = 0, cnt = 0;
      if (!jump) {
        const bool room = !overflow && used + F <= list_cap;
        overflow = overflow || !room;
        const int64_t k = relu_l1_row(row, be, norm.data(), F, fired, fsum, &sp, &cnt,
                                      room ? list_idx + used : nullptr,
                                      room ? list_val + used : nullptr);
        ws->entry_count[n] = k;
        ws->entry_at[n] = used;
        ws->entry_thread[n] = t;
        used += room ? k : 0;
      } else {
        float* frow = fj + n * F;
        for (int64_t i = 0; i < F; ++i) {
          const float v = row[i] + be[i];
          const bool on = v > th[i];
          const float f = on ? v : 0.0f;
          row[i] = v;
          frow[i] = f;
          fired[i] += f > 0.0f;
          fsum[i] += f;
          cnt += f > 0.0f;
          sp += on ? 1.0f : 0.0f;
        }
      }
      sparsity += sp;
      l0 += cnt;
    }
  }
  ReduceThreadLocal(fired_local, threads, F, out->fired.data());
  std::vector<double> fsum(F);
  ReduceThreadLocal(fsum_local, threads, F, fsum.data());
  SaeParams& g = out->grad;
  // A trained ReLU SAE fires a few features per vector (L0 ~ 10 of
  // thousands): then the decoder, dW_dec, df and dW_enc over the active
  // entries only cost O(nnz d), where the four dense GEMMs cost 8 B F d.
  // The row AXPYs and dots run at a fraction of the GEMM's FLOP rate, so
  // the sparse path pays below a density of about 1/16 (kSparseDensity).
  if (!jump && l0 * kSparseDensity <= static_cast<double>(B) * F) {
    if (overflow) {
      PositiveToCsr(c, B, F, ws);
    } else {
      EntriesToCsr(c, B, ws);
    }
    SparseBackward(c, s, p, x, /*use_aux=*/false, /*l1_term=*/true, ws, out);
    if (s.l1 != 0) DecoderNormGrad(c, s, p, B, fsum, /*skip_unused=*/true, norm, &g);
    out->sparsity = sparsity / B;
    out->aux = 0;
    out->loss = out->recon + s.l1 * out->sparsity;
    if (codes != nullptr) FillDenseCodes(B, F, pre, codes);
    return absl::OkStatus();
  }
  Tensor& fmat = jump ? ws->f : ws->pre;
  // x_hat = b_dec + f W_dec; then dxhat = 2 (x_hat - x) / B in place.
  Tensor& dxhat_t = Sized(ws->dxhat, {B, d});
  float* dxhat = dxhat_t.data();
  FillRows(c, B, d, p.b_dec.data(), dxhat);
  MONOSEM_RETURN_IF_ERROR(c.backend.Gemm(Trans::kNo, Trans::kNo, 1.0f, fmat, p.w_dec, 1.0f, &dxhat_t));
  double recon = 0;
  const float* X = x.data();
  const float two_over_b = 2.0f / B;
#pragma omp parallel for reduction(+ : recon) if (c.par)
  for (int64_t t = 0; t < B * d; ++t) {
    const float e = dxhat[t] - X[t];
    recon += static_cast<double>(e) * e;
    dxhat[t] = two_over_b * e;
  }
  out->recon = recon / B;
  out->sparsity = sparsity / B;
  out->l0 = l0 / B;
  out->aux = 0;
  out->loss = out->recon + s.l1 * out->sparsity;
  // dW_dec = f^T dxhat (+ the L1 term's gradient through ||W_dec,i||).
  MONOSEM_RETURN_IF_ERROR(c.backend.Gemm(Trans::kYes, Trans::kNo, 1.0f, fmat, dxhat_t, 0.0f, &g.w_dec));
  if (!jump && s.l1 != 0) DecoderNormGrad(c, s, p, B, fsum, /*skip_unused=*/false, norm, &g);
  // df = dxhat W_dec^T, then dpre in place, with db_enc and dtheta.
  Tensor& dpre_t = Sized(ws->dpre, {B, F});
  MONOSEM_RETURN_IF_ERROR(c.backend.Gemm(Trans::kNo, Trans::kYes, 1.0f, dxhat_t, p.w_dec, 0.0f, &dpre_t));
  float* dpre = dpre_t.data();
  std::vector<double> db_local(static_cast<size_t>(threads) * F, 0.0);
  std::vector<double> dth_local(jump ? static_cast<size_t>(threads) * F : 0, 0.0);
  const float l1_over_b = s.l1 / B;
  const float inv_bw = 1.0f / s.bandwidth;
  const auto relu_l1_dpre = simd::Active().relu_l1_dpre_row;
#pragma omp parallel if (c.par)
  {
    const int t = omp_get_thread_num();
    double* db = db_local.data() + static_cast<size_t>(t) * F;
    double* dth = jump ? dth_local.data() + static_cast<size_t>(t) * F : nullptr;
#pragma omp for schedule(static)
    for (int64_t n = 0; n < B; ++n) {
      float* dp = dpre + n * F;
      const float* row = pre + n * F;
      if (!jump) {
        relu_l1_dpre(row, dp, norm.data(), l1_over_b, F, db);
      } else {
        for (int64_t i = 0; i < F; ++i) {
          const float z = row[i], df = dp[i];
          const float v = z > th[i] ? df : 0.0f;
          dp[i] = v;
          db[i] += v;
          if (std::fabs((z - th[i]) * inv_bw) < 0.5f) {
            dth[i] += -(th[i] * inv_bw) * df - l1_over_b * inv_bw;
          }
        }
      }
    }
  }
  std::vector<double> db(F);
  ReduceThreadLocal(db_local, threads, F, db.data());
  for (int64_t i = 0; i < F; ++i) g.b_enc[i] = static_cast<float>(db[i]);
  if (jump) {
    std::vector<double> dth(F);
    ReduceThreadLocal(dth_local, threads, F, dth.data());
    for (int64_t i = 0; i < F; ++i) g.threshold[i] = static_cast<float>(dth[i]);
  } else {
    g.threshold.Fill(0.0f);
  }
  // dW_enc = dpre^T xc.
  MONOSEM_RETURN_IF_ERROR(c.backend.Gemm(Trans::kYes, Trans::kNo, 1.0f, dpre_t, ws->xc, 0.0f, &g.w_enc));
  BiasDecGrad(s, p, B, dxhat, /*features=*/nullptr, &g);
  if (codes != nullptr) FillDenseCodes(B, F, fmat.data(), codes);
  return absl::OkStatus();
}

}  // namespace monosem::sae::cpu
