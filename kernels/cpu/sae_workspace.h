// The cpu SAE kernels' working memory, named, and the small vector helpers
// their passes share. One workspace belongs to one kernel set (one call at a
// time); buffers grow to the largest batch seen and are reused, so steady
// training allocates nothing.
//
// The kernels are split by what they do, each file a set of free functions
// over this workspace:
//   sae_select.cc   fused encoder + TopK / BatchTopK / AuxK selection
//   sae_sparse.cc   sparse decode and the backward over active entries
//   sae_dense.cc    dense epilogues (relu_l1, jumprelu) and their backward
//   sae_optim.cc    Adam, decoder-norm projection and normalization
//   sae_gated.cc    the gated SAE (dense, two pre-activations)
//   sae_matryoshka.cc  the nested prefix reconstructions of Matryoshka BatchTopK
//   sae_cpu.cc      the kernel set: dispatch by architecture, registration
#ifndef MONOSEM_KERNELS_CPU_SAE_WORKSPACE_H_
#define MONOSEM_KERNELS_CPU_SAE_WORKSPACE_H_

#include <algorithm>
#include <cstdint>
#include <vector>

#include "kernels/cpu/simd/kernels.h"
#include "monosem/backend.h"
#include "monosem/models/sae/sae_kernels.h"
#include "monosem/tensor.h"

namespace monosem::sae::cpu {

namespace simd = ::monosem::cpu::simd;

// One call's context: the backend whose GEMM the passes use (the cpu backend
// or one derived from it), and whether loops fork OpenMP threads (only where
// the work pays for a fork/join: on a loaded 2-core machine a parallel region
// around a tiny loop costs more than the loop).
struct Ctx {
  Backend& backend;
  bool par;

  static bool Parallel(int64_t work) { return work >= (int64_t{1} << 22); }
};

// Selected entries per row in fixed-width slots (row n owns [n*width, ...),
// `count[n]` of them used), sorted by feature index.
struct RowSlots {
  int64_t width = 0;
  std::vector<int32_t> idx;
  std::vector<float> val;
  std::vector<int64_t> count;

  void Reset(int64_t rows, int64_t w) {
    width = w;
    idx.resize(rows * std::max<int64_t>(w, 1));
    val.resize(rows * std::max<int64_t>(w, 1));
    count.assign(rows, 0);
  }
};

// Active entries as CSR: row n's entries are [row_ptr[n], row_ptr[n + 1]).
struct Csr {
  std::vector<int64_t> row_ptr;
  std::vector<int32_t> idx;
  std::vector<float> val;

  // Sizes idx/val for the row counts already in row_ptr.
  void SizeFromRowPtr(int64_t rows) {
    idx.resize(row_ptr[rows]);
    val.resize(row_ptr[rows]);
  }
};

// Matryoshka: the upstream gradient of each band of features (band m holds
// features [w_{m-1}, w_m)), row n of band m at up[(m * rows + n) * d]: the sum
// of 2 (x_hat_l - x) / B over every prefix l that contains the band.
struct Bands {
  std::vector<float> up;
  std::vector<int32_t> band_of;  // [F]
  int64_t rows = 0, d = 0;
  const float* Row(int32_t m, int64_t n) const { return up.data() + (m * rows + n) * d; }
  float* Row(int32_t m, int64_t n) { return up.data() + (m * rows + n) * d; }
};

struct SaeWorkspace {
  Tensor xc;    // [B, d]  x - b_dec (the encoder's input; dW_enc's right factor)
  Tensor pre;   // [B, F]  W_enc xc; each pass says whether it holds the bias
  Tensor f;     // [B, F]  jumprelu's codes (relu_l1 keeps its codes in pre)
  Tensor dpre;  // [B, F]  the dense backward's d loss / d pre
  Tensor dxhat; // [B, d]  x_hat, then d loss / d x_hat
  std::vector<float> dehat;     // [B, d] AuxK: d loss / d (its reconstruction)
  std::vector<float> dec_norm;  // [F] decoder row norms (relu_l1's penalty)
  std::vector<uint8_t> deadbits;  // [F / 8 + 1] packed dead mask for the AVX2 scan
  RowSlots top;  // topk's selection
  RowSlots aux;  // AuxK's selection among dead latents
  Csr active;    // the active (vector, feature) entries
  std::vector<float> dval;  // [nnz] d loss / d pre of each active entry
  std::vector<float> daux;  // [B * k_aux] the same for the AuxK entries
  // relu_l1's fused pass emits each thread's active entries into its own
  // list (sae_dense.cc); row n's are entry_count[n] entries at entry_at[n]
  // of list entry_thread[n].
  std::vector<std::vector<int32_t>> entry_idx;
  std::vector<std::vector<float>> entry_val;
  std::vector<int64_t> entry_count, entry_at;
  std::vector<int32_t> entry_thread;
  // Feature -> entries (a counting sort of the active and AuxK entries):
  // feature i's are [start[i], start[i + 1]) of list / list_row.
  std::vector<int64_t> start, list, list_row;
  Tensor gate;   // [B, F]  gated: ReLU(pi_gate), then d loss / d it through the aux term
  Tensor dxaux;  // [B, d]  gated: the frozen-decoder reconstruction, then its gradient
  Bands bands;   // matryoshka's per-band upstream gradients
};

// `t` with `shape`, reallocated only when the shape changes.
inline Tensor& Sized(Tensor& t, const Shape& shape) {
  if (t.shape() != shape || t.empty()) t = Tensor::Uninitialized(shape);
  return t;
}

// Row helpers on the SIMD path this CPU supports (kernels/cpu/simd).
inline float Dot(const float* a, const float* b, int64_t n) { return simd::Active().dot(a, b, n); }

inline void AxpyRow(float alpha, const float* x, float* y, int64_t n) {
  simd::Active().axpy(alpha, x, y, n);
}

// ---- sae_select.cc ----
// xc = x - b_dec; pre = xc W_enc^T (no bias yet).
absl::Status Encode(const Ctx& c, const SaeSpec& s, const SaeParams& p, const Tensor& x,
                    SaeWorkspace* ws);
// Packs `dead` (F bytes or empty) into ws->deadbits; true if any is dead.
bool PackDeadBits(const std::vector<uint8_t>& dead, int64_t F, SaeWorkspace* ws);
// Per row: the k largest positive biased pre into ws->top and, with use_aux,
// the k_aux largest among dead latents into ws->aux (pre stays unbiased).
void SelectTopK(const Ctx& c, const SaeSpec& s, const SaeParams& p, int64_t B, bool use_aux,
                SaeWorkspace* ws);
// ws->top as CSR in ws->active.
void TopKToCsr(int64_t B, SaeWorkspace* ws);
// Global batch top-(k*B) over the positive biased pre (pre is biased in
// place) as CSR in ws->active; returns the smallest kept value.
float SelectBatchTopK(const Ctx& c, const SaeSpec& s, const SaeParams& p, int64_t B,
                      SaeWorkspace* ws);
// BatchTopK's AuxK candidates per row into ws->aux (pre already biased).
void SelectBatchAux(const Ctx& c, const SaeSpec& s, int64_t B, SaeWorkspace* ws);

// The entries of ws->pre [B, F] with keep(value, feature) as CSR in
// ws->active: a counting pass, then a fill, both parallel over rows.
template <typename Keep>
void PreToCsr(const Ctx& c, int64_t B, int64_t F, Keep keep, SaeWorkspace* ws) {
  const float* pre = ws->pre.data();
  Csr& a = ws->active;
  std::vector<int64_t> cnt(B, 0);
#pragma omp parallel for schedule(static) if (c.par)
  for (int64_t n = 0; n < B; ++n) {
    const float* row = pre + n * F;
    int64_t k = 0;
    for (int64_t i = 0; i < F; ++i) k += keep(row[i], i);
    cnt[n] = k;
  }
  a.row_ptr.assign(B + 1, 0);
  for (int64_t n = 0; n < B; ++n) a.row_ptr[n + 1] = a.row_ptr[n] + cnt[n];
  a.SizeFromRowPtr(B);
#pragma omp parallel for schedule(static) if (c.par)
  for (int64_t n = 0; n < B; ++n) {
    const float* row = pre + n * F;
    int64_t o = a.row_ptr[n];
    for (int64_t i = 0; i < F; ++i) {
      if (keep(row[i], i)) {
        a.idx[o] = static_cast<int32_t>(i);
        a.val[o++] = row[i];
      }
    }
  }
}

// The entries of ws->pre [B, F] that are > 0 as CSR in ws->active (what
// PreToCsr makes with keep = v > 0, on the SIMD path).
void PositiveToCsr(const Ctx& c, int64_t B, int64_t F, SaeWorkspace* ws);

// ---- sae_sparse.cc ----
// x_hat = b_dec + sum over ws->active of v * W_dec[i]: O(nnz * d).
void SparseDecode(const Ctx& c, const SaeSpec& s, const SaeParams& p, int64_t B, const Csr& a,
                  float* xhat);
// The backward over ws->active and, with use_aux, ws->aux: x_hat, the
// reconstruction (and aux) terms, every gradient, the firing counts and l0,
// in O(nnz * d + F * d). With l1_term (relu_l1), each active entry's dpre
// gets its penalty's gradient s.l1 ||W_dec,i|| / B from ws->dec_norm (the
// ||W_dec,i|| gradient itself is the caller's).
// With `bands` (matryoshka), an active entry of feature i in row n takes its
// upstream gradient from bands->Row(band_of[i], n) instead of dxhat, and
// db_dec from band 0 (which every prefix contains).
void SparseBackward(const Ctx& c, const SaeSpec& s, const SaeParams& p, const Tensor& x,
                    bool use_aux, bool l1_term, SaeWorkspace* ws, SaeStepOut* out,
                    const Bands* bands = nullptr);
// db_dec = sum_n dxhat_n - W_enc^T db_enc (the encoder side as a GEMV, or over
// the listed features only when `features` is given).
void BiasDecGrad(const SaeSpec& s, const SaeParams& p, int64_t B, const float* dxhat,
                 const std::vector<int32_t>* features, SaeParams* g);

// ---- sae_dense.cc ----
// Forward epilogue of relu_l1 / jumprelu after Encode: codes in ws->pre,
// x_hat = b_dec + f W_dec.
absl::Status DenseForward(const Ctx& c, const SaeSpec& s, const SaeParams& p, int64_t B,
                          SaeWorkspace* ws, Tensor* x_hat, SaeCodes* codes);
absl::Status DenseLossAndGrad(const Ctx& c, const SaeSpec& s, const SaeParams& p,
                              const Tensor& x, SaeWorkspace* ws, SaeStepOut* out,
                              SaeCodes* codes);
// Dense codes [B, F] copied from f.
void FillDenseCodes(int64_t B, int64_t F, const float* f, SaeCodes* codes);
// Sparse codes from ws->active.
void FillSparseCodes(const SaeSpec& s, int64_t B, const Csr& a, SaeCodes* codes);

// ---- sae_gated.cc ----
// After Encode (ws->pre = W_enc xc): the gated codes and x_hat.
absl::Status GatedForward(const Ctx& c, const SaeSpec& s, const SaeParams& p, int64_t B,
                          SaeWorkspace* ws, Tensor* x_hat, SaeCodes* codes);
absl::Status GatedLossAndGrad(const Ctx& c, const SaeSpec& s, const SaeParams& p,
                              const Tensor& x, SaeWorkspace* ws, SaeStepOut* out,
                              SaeCodes* codes);

// ---- sae_matryoshka.cc ----
// After the batch selection (ws->active, rows sorted by feature): every
// prefix's reconstruction error into ws->bands; returns the mean squared
// error summed over the proper prefixes.
double MatryoshkaBands(const Ctx& c, const SaeSpec& s, const SaeParams& p, const Tensor& x,
                       SaeWorkspace* ws);

// ---- sae_optim.cc ----
void ProjectDecoderGrad(const Tensor& w, Tensor* g);
void NormalizeDecoderRows(Tensor* w);
void Adam(const AdamConfig& c, int64_t step, const Tensor& grad, Tensor* p, Tensor* m,
          Tensor* v, bool par);

}  // namespace monosem::sae::cpu

#endif  // MONOSEM_KERNELS_CPU_SAE_WORKSPACE_H_
