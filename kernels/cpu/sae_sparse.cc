// The cpu SAE kernels' sparse half: for topk / batch_topk (and a sparse
// relu_l1 batch), a decoder forward and a backward that touch only the active
// (feature, vector) pairs: O(B*k*d), never O(B*F*d). The scatter into dW_dec /
// dW_enc goes through a per-feature transposed list (a counting sort whose
// counts ARE the dead-feature counters), so it is parallel over features,
// race-free and deterministic. b_dec's encoder-side gradient is
// -W_enc^T db_enc (a GEMV), not the B x F x d GEMM autograd runs for d(xc).
#include <omp.h>

#include <algorithm>
#include <cstring>
#include <numeric>
#include <vector>

#include "kernels/cpu/cpu_backend.h"
#include "kernels/cpu/sae_workspace.h"

namespace monosem::sae::cpu {

void SparseDecode(const Ctx& c, const SaeSpec& s, const SaeParams& p, int64_t B, const Csr& a,
                  float* xhat) {
  const int64_t d = s.d;
  const float* W = p.w_dec.data();
  const float* bd = p.b_dec.data();
#pragma omp parallel for schedule(static) if (c.par)
  for (int64_t n = 0; n < B; ++n) {
    float* o = xhat + n * d;
    std::memcpy(o, bd, d * sizeof(float));
    for (int64_t e = a.row_ptr[n]; e < a.row_ptr[n + 1]; ++e) AxpyRow(a.val[e], W + a.idx[e] * d, o, d);
  }
}

void BiasDecGrad(const SaeSpec& s, const SaeParams& p, int64_t B, const float* dxhat,
                 const std::vector<int32_t>* features, SaeParams* g) {
  const int64_t d = s.d;
  std::vector<double> acc(d, 0.0);
  for (int64_t n = 0; n < B; ++n) {
    for (int64_t j = 0; j < d; ++j) acc[j] += dxhat[n * d + j];
  }
  std::vector<float> enc(d, 0.0f);
  const float* We = p.w_enc.data();
  if (features == nullptr) {
    CpuGemvT(s.f, d, We, g->b_enc.data(), enc.data());
  } else {
    for (int32_t i : *features) AxpyRow(g->b_enc[i], We + static_cast<int64_t>(i) * d, enc.data(), d);
  }
  for (int64_t j = 0; j < d; ++j) g->b_dec[j] = static_cast<float>(acc[j] - enc[j]);
}

void SparseBackward(const Ctx& c, const SaeSpec& s, const SaeParams& p, const Tensor& x,
                    bool use_aux, bool l1_term, SaeWorkspace* ws, SaeStepOut* out,
                    const Bands* bands) {
  const int64_t B = x.dim(0), d = s.d, F = s.f;
  const Csr& act = ws->active;
  const RowSlots& aux_sel = ws->aux;
  const int64_t nnz = act.row_ptr[B];
  // Sparse decode and the residual gradients.
  float* dxhat = Sized(ws->dxhat, {B, d}).data();
  SparseDecode(c, s, p, B, act, dxhat);
  const float* X = x.data();
  const float* Wd = p.w_dec.data();
  const float two_over_b = 2.0f / B;
  const int64_t ka = use_aux ? s.k_aux : 0;
  ws->dehat.resize(use_aux ? B * d : 0);
  float* dehat = ws->dehat.data();
  double recon = 0, aux = 0;
#pragma omp parallel for schedule(static) reduction(+ : recon, aux) if (c.par)
  for (int64_t n = 0; n < B; ++n) {
    float* dx = dxhat + n * d;
    for (int64_t j = 0; j < d; ++j) {
      const float e = dx[j] - X[n * d + j];
      recon += static_cast<double>(e) * e;
      dx[j] = e;  // e for now
    }
    if (use_aux) {
      float* de = dehat + n * d;
      std::fill(de, de + d, 0.0f);
      for (int64_t a = 0; a < aux_sel.count[n]; ++a) {
        AxpyRow(aux_sel.val[n * ka + a], Wd + aux_sel.idx[n * ka + a] * d, de, d);
      }
      for (int64_t j = 0; j < d; ++j) {
        const float diff = de[j] + dx[j];  // ehat - (x - x_hat)
        aux += static_cast<double>(diff) * diff;
        de[j] = s.aux_coef * two_over_b * diff;
      }
    }
#pragma omp simd
    for (int64_t j = 0; j < d; ++j) dx[j] *= two_over_b;
  }
  // dpre for every active entry (main and aux): one dot product of length d.
  const float l1_over_b = s.l1 / B;
  const float* dec_norm = ws->dec_norm.data();
  ws->dval.resize(nnz);
  ws->daux.resize(B * std::max<int64_t>(ka, 1));
  float* dval = ws->dval.data();
  float* daux = ws->daux.data();
#pragma omp parallel for schedule(static) if (c.par)
  for (int64_t n = 0; n < B; ++n) {
    const float* dx = dxhat + n * d;
    for (int64_t e = act.row_ptr[n]; e < act.row_ptr[n + 1]; ++e) {
      const float* up = bands == nullptr ? dx : bands->Row(bands->band_of[act.idx[e]], n);
      dval[e] = Dot(up, Wd + act.idx[e] * d, d);
      if (l1_term) dval[e] += l1_over_b * dec_norm[act.idx[e]];
    }
    for (int64_t a = 0; a < (use_aux ? aux_sel.count[n] : 0); ++a) {
      daux[n * ka + a] = Dot(dehat + n * d, Wd + aux_sel.idx[n * ka + a] * d, d);
    }
  }
  // Transposed lists: feature -> entries, by a counting sort. Its counts of
  // main entries are exactly this batch's firing counts.
  const int64_t n_aux =
      use_aux ? std::accumulate(aux_sel.count.begin(), aux_sel.count.end(), int64_t{0}) : 0;
  std::vector<int64_t>& start = ws->start;
  start.assign(F + 1, 0);
  for (int64_t e = 0; e < nnz; ++e) ++start[act.idx[e] + 1];
  for (int64_t i = 0; i < F; ++i) out->fired[i] = start[i + 1];
  for (int64_t n = 0; n < B && use_aux; ++n) {
    for (int64_t a = 0; a < aux_sel.count[n]; ++a) ++start[aux_sel.idx[n * ka + a] + 1];
  }
  for (int64_t i = 0; i < F; ++i) start[i + 1] += start[i];
  // Entry code: e >= 0 main entry e (row in list_row), e < 0 aux entry.
  ws->list.resize(nnz + n_aux);
  ws->list_row.resize(nnz + n_aux);
  int64_t* list = ws->list.data();
  int64_t* list_row = ws->list_row.data();
  std::vector<int64_t> fill(start.begin(), start.end() - 1);
  for (int64_t n = 0; n < B; ++n) {
    for (int64_t e = act.row_ptr[n]; e < act.row_ptr[n + 1]; ++e) {
      const int64_t slot = fill[act.idx[e]]++;
      list[slot] = e;
      list_row[slot] = n;
    }
    for (int64_t a = 0; a < (use_aux ? aux_sel.count[n] : 0); ++a) {
      const int64_t slot = fill[aux_sel.idx[n * ka + a]]++;
      list[slot] = -1 - (n * ka + a);
      list_row[slot] = n;
    }
  }
  SaeParams& g = out->grad;
  const float* XC = ws->xc.data();
  std::vector<int32_t> touched;
  touched.reserve(F);
  for (int64_t i = 0; i < F; ++i) {
    if (start[i + 1] > start[i]) touched.push_back(static_cast<int32_t>(i));
  }
#pragma omp parallel for schedule(dynamic, 16) if (c.par)
  for (int64_t i = 0; i < F; ++i) {
    float* gd = g.w_dec.data() + i * d;
    float* ge = g.w_enc.data() + i * d;
    std::memset(gd, 0, d * sizeof(float));
    std::memset(ge, 0, d * sizeof(float));
    double db = 0;
    for (int64_t t = start[i]; t < start[i + 1]; ++t) {
      const int64_t code = list[t], n = list_row[t];
      float val, dp;
      const float* up;
      if (code >= 0) {
        val = act.val[code];
        dp = dval[code];
        up = bands == nullptr ? dxhat + n * d : bands->Row(bands->band_of[i], n);
      } else {
        const int64_t a = -1 - code;
        val = aux_sel.val[a];
        dp = daux[a];
        up = dehat + n * d;
      }
      AxpyRow(val, up, gd, d);
      AxpyRow(dp, XC + n * d, ge, d);
      db += dp;
    }
    g.b_enc[i] = static_cast<float>(db);
  }
  g.threshold.Fill(0.0f);
  BiasDecGrad(s, p, B, bands == nullptr ? dxhat : bands->Row(0, 0), &touched, &g);
  out->recon = recon / B;
  out->aux = aux / B;
  out->l0 = static_cast<double>(nnz) / B;
}

}  // namespace monosem::sae::cpu
