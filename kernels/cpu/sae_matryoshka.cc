// Matryoshka BatchTopK on the cpu: the selection, AuxK and backward are
// batch_topk's (sae_select.cc, sae_sparse.cc); this pass adds the nested
// prefix reconstructions. A row's active entries are sorted by feature, so
// one walk over them builds x_hat of every prefix in turn (each prefix
// continues from the previous one): O(nnz d + L B d) for L prefixes.
#include <omp.h>

#include <cstring>

#include "kernels/cpu/sae_workspace.h"

namespace monosem::sae::cpu {

double MatryoshkaBands(const Ctx& c, const SaeSpec& s, const SaeParams& p, const Tensor& x,
                       SaeWorkspace* ws) {
  const int64_t B = x.dim(0), d = s.d, F = s.f;
  const std::vector<int64_t>& w = s.prefix_widths;
  const int32_t L = static_cast<int32_t>(w.size());
  Bands& bands = ws->bands;
  bands.rows = B;
  bands.d = d;
  bands.up.resize(static_cast<size_t>(L) * B * d);
  bands.band_of.resize(F);
  for (int32_t m = 0, i = 0; i < F; ++i) {
    while (i >= w[m]) ++m;
    bands.band_of[i] = m;
  }
  const Csr& a = ws->active;
  const float* Wd = p.w_dec.data();
  const float* bd = p.b_dec.data();
  const float* xin = x.data();
  const float two_over_b = 2.0f / B;
  double err = 0;
#pragma omp parallel for schedule(static) reduction(+ : err) if (c.par)
  for (int64_t n = 0; n < B; ++n) {
    int64_t e = a.row_ptr[n];
    for (int32_t m = 0; m < L; ++m) {
      float* r = bands.Row(m, n);
      std::memcpy(r, m == 0 ? bd : bands.Row(m - 1, n), d * sizeof(float));
      for (; e < a.row_ptr[n + 1] && a.idx[e] < w[m]; ++e) AxpyRow(a.val[e], Wd + a.idx[e] * d, r, d);
    }
    // x_hat of each prefix -> 2 (x_hat - x) / B; the full width's error is
    // SparseBackward's `recon`, the proper prefixes' are summed here.
    for (int32_t m = 0; m < L; ++m) {
      float* r = bands.Row(m, n);
      for (int64_t j = 0; j < d; ++j) {
        const float diff = r[j] - xin[n * d + j];
        if (m + 1 < L) err += static_cast<double>(diff) * diff;
        r[j] = two_over_b * diff;
      }
    }
    // Suffix sums: band m's features appear in every prefix l >= m.
    for (int32_t m = L - 2; m >= 0; --m) AxpyRow(1.0f, bands.Row(m + 1, n), bands.Row(m, n), d);
  }
  return err / B;
}

}  // namespace monosem::sae::cpu
