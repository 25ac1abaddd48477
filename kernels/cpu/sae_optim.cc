// The cpu SAE kernels' parameter updates: fused Adam over every parameter,
// and the decoder-row projection and normalization, row by row on the SIMD
// path (kernels/cpu/simd).
#include <omp.h>

#include <cmath>

#include "kernels/cpu/sae_workspace.h"

namespace monosem::sae::cpu {

void ProjectDecoderGrad(const Tensor& w, Tensor* g) {
  const int64_t F = w.dim(0), d = w.dim(1);
  const bool par = Ctx::Parallel(F * d * 8);
  const float* W = w.data();
  float* G = g->data();
  const simd::Kernels& k = simd::Active();
#pragma omp parallel for schedule(static) if (par)
  for (int64_t i = 0; i < F; ++i) {
    const float* wr = W + i * d;
    float* gr = G + i * d;
    const float nn = k.dot(wr, wr, d);
    if (nn == 0) continue;
    k.axpy(-(k.dot(wr, gr, d) / nn), wr, gr, d);
  }
}

void NormalizeDecoderRows(Tensor* w) {
  const int64_t F = w->dim(0), d = w->dim(1);
  const bool par = Ctx::Parallel(F * d * 8);
  float* W = w->data();
  const simd::Kernels& k = simd::Active();
#pragma omp parallel for schedule(static) if (par)
  for (int64_t i = 0; i < F; ++i) {
    float* wr = W + i * d;
    const float nn = k.dot(wr, wr, d);
    if (nn == 0) continue;
    k.scale(1.0f / std::sqrt(nn), wr, d);
  }
}

void Adam(const AdamConfig& c, int64_t step, const Tensor& grad, Tensor* p, Tensor* m,
          Tensor* v, bool par) {
  simd::AdamArgs a{};
  a.b1 = c.beta1;
  a.b2 = c.beta2;
  a.eps = c.eps;
  a.step_size = c.lr / static_cast<float>(1.0 - std::pow(static_cast<double>(c.beta1), static_cast<double>(step)));
  a.sqrt_bc2 = static_cast<float>(std::sqrt(1.0 - std::pow(static_cast<double>(c.beta2), static_cast<double>(step))));
  a.adamw = false;
  simd::Active().adam(p->size(), a, grad.data(), p->data(), m->data(), v->data(), par);
}

}  // namespace monosem::sae::cpu
