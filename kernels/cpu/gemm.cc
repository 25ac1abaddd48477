// Dense GEMM for the cpu backend: OpenBLAS sgemm, row-major.
#include <cblas.h>

#include "kernels/cpu/cpu_backend.h"

namespace monosem {

absl::Status CpuBackend::GemmImpl(Trans ta, Trans tb, const GemmShape& s, float alpha,
                                  const Tensor& a, const Tensor& b, float beta, Tensor* c) {
  if (s.m == 0 || s.n == 0) return absl::OkStatus();
  if (s.k == 0) {
    // BLAS leaves C alone when k == 0 only if beta == 1; spell the math out.
    float* C = c->data();
    for (int64_t i = 0; i < s.m * s.n; ++i) C[i] = beta == 0.0f ? 0.0f : beta * C[i];
    return absl::OkStatus();
  }
  const int lda = static_cast<int>(ta == Trans::kNo ? s.k : s.m);
  const int ldb = static_cast<int>(tb == Trans::kNo ? s.n : s.k);
  cblas_sgemm(CblasRowMajor, ta == Trans::kNo ? CblasNoTrans : CblasTrans,
              tb == Trans::kNo ? CblasNoTrans : CblasTrans, static_cast<int>(s.m),
              static_cast<int>(s.n), static_cast<int>(s.k), alpha, a.data(), lda, b.data(), ldb,
              beta, c->data(), static_cast<int>(s.n));
  return absl::OkStatus();
}

}  // namespace monosem
