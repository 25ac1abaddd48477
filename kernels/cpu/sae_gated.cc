// The gated SAE on the cpu (math in monosem/models/sae/sae_kernels.h). One
// encoder GEMM gives u = W_enc xc, shared by both paths (pi_gate = u + b_gate,
// pi_mag = exp(r_mag) u + b_mag); a fused pass forms the codes f and the
// gate's ReLU; the main and the frozen-decoder reconstructions and their
// backward are GEMMs on the backend. Per-feature sums are thread-local and
// reduced in a fixed order, so results do not depend on scheduling.
#include <omp.h>

#include <cmath>
#include <cstring>
#include <vector>

#include "kernels/cpu/sae_workspace.h"
#include "monosem/status.h"

namespace monosem::sae::cpu {
namespace {

// Per-thread [threads, F] accumulators of one type, summed in thread order.
template <typename T>
class PerThread {
 public:
  PerThread(int threads, int64_t f) : f_(f), v_(static_cast<size_t>(threads) * f, T{0}) {}
  T* Of(int t) { return v_.data() + static_cast<size_t>(t) * f_; }
  T Sum(int64_t i) const {
    T acc{0};
    for (size_t o = i; o < v_.size(); o += f_) acc += v_[o];
    return acc;
  }

 private:
  int64_t f_;
  std::vector<T> v_;
};

std::vector<float> ExpRows(const SaeParams& p) {
  std::vector<float> e(p.r_mag.size());
  for (int64_t i = 0; i < p.r_mag.size(); ++i) e[i] = std::exp(p.r_mag[i]);
  return e;
}

// out = b_dec in every row, then out += codes W_dec.
absl::Status DecodeDense(const Ctx& c, const SaeParams& p, const Tensor& codes, Tensor* out) {
  const int64_t B = out->dim(0), d = out->dim(1);
  float* o = out->data();
#pragma omp parallel for if (c.par)
  for (int64_t n = 0; n < B; ++n) std::memcpy(o + n * d, p.b_dec.data(), d * sizeof(float));
  return c.backend.Gemm(Trans::kNo, Trans::kNo, 1.0f, codes, p.w_dec, 1.0f, out);
}

// In place: reconstruction -> 2 (x_hat - x) / B; returns sum ||x_hat - x||^2.
double ResidualGrad(const Ctx& c, const Tensor& x, Tensor* xhat) {
  const int64_t n = x.size(), B = x.dim(0);
  const float* X = x.data();
  float* r = xhat->data();
  const float two_over_b = 2.0f / B;
  double sum = 0;
#pragma omp parallel for reduction(+ : sum) if (c.par)
  for (int64_t t = 0; t < n; ++t) {
    const float e = r[t] - X[t];
    sum += static_cast<double>(e) * e;
    r[t] = two_over_b * e;
  }
  return sum;
}

}  // namespace

absl::Status GatedForward(const Ctx& c, const SaeSpec& s, const SaeParams& p, int64_t B,
                          SaeWorkspace* ws, Tensor* x_hat, SaeCodes* codes) {
  const int64_t F = s.f;
  const std::vector<float> er = ExpRows(p);
  const float* bg = p.b_enc.data();
  const float* bm = p.b_mag.data();
  float* u = ws->pre.data();  // becomes f in place
#pragma omp parallel for schedule(static) if (c.par)
  for (int64_t n = 0; n < B; ++n) {
    float* row = u + n * F;
#pragma omp simd
    for (int64_t i = 0; i < F; ++i) {
      const float mag = er[i] * row[i] + bm[i];
      row[i] = (row[i] + bg[i] > 0.0f && mag > 0.0f) ? mag : 0.0f;
    }
  }
  MONOSEM_RETURN_IF_ERROR(DecodeDense(c, p, ws->pre, x_hat));
  if (codes != nullptr) FillDenseCodes(B, F, u, codes);
  return absl::OkStatus();
}

absl::Status GatedLossAndGrad(const Ctx& c, const SaeSpec& s, const SaeParams& p,
                              const Tensor& x, SaeWorkspace* ws, SaeStepOut* out,
                              SaeCodes* codes) {
  const int64_t B = x.dim(0), d = s.d, F = s.f;
  MONOSEM_RETURN_IF_ERROR(Encode(c, s, p, x, ws));
  const std::vector<float> er = ExpRows(p);
  const float* bg = p.b_enc.data();
  const float* bm = p.b_mag.data();
  const float* Wd = p.w_dec.data();
  std::vector<float>& norm = ws->dec_norm;
  norm.resize(F);
#pragma omp parallel for if (c.par)
  for (int64_t i = 0; i < F; ++i) norm[i] = std::sqrt(Dot(Wd + i * d, Wd + i * d, d));

  // Pass 1: codes f, the gate's ReLU, firing counts, penalty, L0.
  const float* u = ws->pre.data();
  Tensor& f_t = Sized(ws->f, {B, F});
  Tensor& gate_t = Sized(ws->gate, {B, F});
  float* f = f_t.data();
  float* gate = gate_t.data();
  const int threads = omp_get_max_threads();
  PerThread<int64_t> fired(threads, F);
  PerThread<double> gsum(threads, F);
  double sparsity = 0, l0 = 0;
#pragma omp parallel reduction(+ : sparsity, l0) if (c.par)
  {
    const int t = omp_get_thread_num();
    int64_t* fr = fired.Of(t);
    double* gs = gsum.Of(t);
#pragma omp for schedule(static)
    for (int64_t n = 0; n < B; ++n) {
      const float* ur = u + n * F;
      float* fo = f + n * F;
      float* go = gate + n * F;
      for (int64_t i = 0; i < F; ++i) {
        const float pg = ur[i] + bg[i];
        const float mag = er[i] * ur[i] + bm[i];
        const bool open = pg > 0.0f;
        fo[i] = open && mag > 0.0f ? mag : 0.0f;
        go[i] = open ? pg : 0.0f;
        fr[i] += fo[i] > 0.0f;
        gs[i] += go[i];
        l0 += fo[i] > 0.0f;
        sparsity += static_cast<double>(go[i]) * norm[i];
      }
    }
  }
  for (int64_t i = 0; i < F; ++i) out->fired[i] = fired.Sum(i);

  // Reconstructions and their residual gradients: the main one through the
  // decoder, the auxiliary one through a frozen decoder (only its upstream
  // gradient to ReLU(pi_gate) is used).
  Tensor& dxhat = Sized(ws->dxhat, {B, d});
  Tensor& dxaux = Sized(ws->dxaux, {B, d});
  MONOSEM_RETURN_IF_ERROR(DecodeDense(c, p, f_t, &dxhat));
  MONOSEM_RETURN_IF_ERROR(DecodeDense(c, p, gate_t, &dxaux));
  out->recon = ResidualGrad(c, x, &dxhat) / B;
  out->aux = ResidualGrad(c, x, &dxaux) / B;
  out->sparsity = sparsity / B;
  out->l0 = l0 / B;
  out->min_kept = 0;
  out->loss = out->recon + s.l1 * out->sparsity + out->aux;

  // dW_dec = f^T dxhat + the penalty's gradient through ||W_dec,i||.
  SaeParams& g = out->grad;
  MONOSEM_RETURN_IF_ERROR(c.backend.Gemm(Trans::kYes, Trans::kNo, 1.0f, f_t, dxhat, 0.0f, &g.w_dec));
  if (s.l1 != 0) {
#pragma omp parallel for if (c.par)
    for (int64_t i = 0; i < F; ++i) {
      const double gi = gsum.Sum(i);
      if (norm[i] == 0 || gi == 0) continue;
      AxpyRow(static_cast<float>(s.l1 / B * gi / norm[i]), Wd + i * d, g.w_dec.data() + i * d, d);
    }
  }
  // df = dxhat W_dec^T (into dpre), dfa = dxaux W_dec^T (over the gate buffer).
  Tensor& dpre_t = Sized(ws->dpre, {B, F});
  MONOSEM_RETURN_IF_ERROR(c.backend.Gemm(Trans::kNo, Trans::kYes, 1.0f, dxhat, p.w_dec, 0.0f, &dpre_t));
  MONOSEM_RETURN_IF_ERROR(c.backend.Gemm(Trans::kNo, Trans::kYes, 1.0f, dxaux, p.w_dec, 0.0f, &gate_t));

  // Pass 2: d loss / d u through both paths, with the bias and r_mag sums.
  float* dpre = dpre_t.data();
  const float* dfa = gate;
  const float l1_over_b = s.l1 / B;
  PerThread<double> db_gate(threads, F), db_mag(threads, F), dr(threads, F);
#pragma omp parallel if (c.par)
  {
    const int t = omp_get_thread_num();
    double* dbg = db_gate.Of(t);
    double* dbm = db_mag.Of(t);
    double* drt = dr.Of(t);
#pragma omp for schedule(static)
    for (int64_t n = 0; n < B; ++n) {
      const float* ur = u + n * F;
      const float* fr = f + n * F;
      const float* da = dfa + n * F;
      float* dp = dpre + n * F;
      for (int64_t i = 0; i < F; ++i) {
        if (!(ur[i] + bg[i] > 0.0f)) {  // gate closed: no path carries a gradient
          dp[i] = 0.0f;
          continue;
        }
        const float dgate = l1_over_b * norm[i] + da[i];
        const float dmag = fr[i] > 0.0f ? dp[i] : 0.0f;
        dbg[i] += dgate;
        dbm[i] += dmag;
        drt[i] += static_cast<double>(dmag) * er[i] * ur[i];
        dp[i] = dgate + dmag * er[i];
      }
    }
  }
  // dW_enc = dpre^T xc; db_dec = sum dxhat - W_enc^T (sum_n dpre), which
  // BiasDecGrad reads from g.b_enc: the total first, then b_gate's own.
  MONOSEM_RETURN_IF_ERROR(c.backend.Gemm(Trans::kYes, Trans::kNo, 1.0f, dpre_t, ws->xc, 0.0f, &g.w_enc));
  for (int64_t i = 0; i < F; ++i) {
    const double bgi = db_gate.Sum(i), bmi = db_mag.Sum(i);
    g.b_enc[i] = static_cast<float>(bgi + er[i] * bmi);
    g.b_mag[i] = static_cast<float>(bmi);
    g.r_mag[i] = static_cast<float>(dr.Sum(i));
  }
  BiasDecGrad(s, p, B, dxhat.data(), /*features=*/nullptr, &g);
  for (int64_t i = 0; i < F; ++i) g.b_enc[i] = static_cast<float>(db_gate.Sum(i));
  g.threshold.Fill(0.0f);
  if (codes != nullptr) FillDenseCodes(B, F, f, codes);
  return absl::OkStatus();
}

}  // namespace monosem::sae::cpu
