// The cpu SAE kernels' parameter updates: fused Adam over every parameter,
// and the decoder-row projection and normalization in one read of W_dec.
#include <omp.h>

#include <cmath>

#include "kernels/cpu/sae_workspace.h"

namespace monosem::sae::cpu {

void ProjectDecoderGrad(const Tensor& w, Tensor* g) {
  const int64_t F = w.dim(0), d = w.dim(1);
  const bool par = Ctx::Parallel(F * d * 8);
  const float* W = w.data();
  float* G = g->data();
#pragma omp parallel for schedule(static) if (par)
  for (int64_t i = 0; i < F; ++i) {
    const float* wr = W + i * d;
    float* gr = G + i * d;
    float dot = 0, nn = 0;
#pragma omp simd reduction(+ : dot, nn)
    for (int64_t j = 0; j < d; ++j) {
      dot += wr[j] * gr[j];
      nn += wr[j] * wr[j];
    }
    if (nn == 0) continue;
    const float c = dot / nn;
#pragma omp simd
    for (int64_t j = 0; j < d; ++j) gr[j] -= c * wr[j];
  }
}

void NormalizeDecoderRows(Tensor* w) {
  const int64_t F = w->dim(0), d = w->dim(1);
  const bool par = Ctx::Parallel(F * d * 8);
  float* W = w->data();
#pragma omp parallel for schedule(static) if (par)
  for (int64_t i = 0; i < F; ++i) {
    float* wr = W + i * d;
    const float nn = Dot(wr, wr, d);
    if (nn == 0) continue;
    const float inv = 1.0f / std::sqrt(nn);
#pragma omp simd
    for (int64_t j = 0; j < d; ++j) wr[j] *= inv;
  }
}

void Adam(const AdamConfig& c, int64_t step, const Tensor& grad, Tensor* p, Tensor* m,
          Tensor* v, bool par) {
  const float bc1 = static_cast<float>(1.0 - std::pow(static_cast<double>(c.beta1), static_cast<double>(step)));
  const float bc2_sqrt = static_cast<float>(std::sqrt(1.0 - std::pow(static_cast<double>(c.beta2), static_cast<double>(step))));
  const float b1 = c.beta1, b2 = c.beta2, eps = c.eps;
  const float step_size = c.lr / bc1;
  float* P = p->data();
  const float* G = grad.data();
  float* M = m->data();
  float* V = v->data();
  const int64_t n = p->size();
#pragma omp parallel for simd schedule(static) if (par)
  for (int64_t i = 0; i < n; ++i) {
    const float g = G[i];
    const float mi = b1 * M[i] + (1.0f - b1) * g;
    const float vi = b2 * V[i] + (1.0f - b2) * g * g;
    M[i] = mi;
    V[i] = vi;
    P[i] -= step_size * mi / (std::sqrt(vi) / bc2_sqrt + eps);
  }
}

}  // namespace monosem::sae::cpu
