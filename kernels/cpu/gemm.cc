// Dense GEMM (and the one GEMV) of the cpu backend: OpenBLAS, row-major. The
// only file of the backend that calls OpenBLAS, so its thread policy lives
// here.
#include <cblas.h>

#include "kernels/cpu/cpu_backend.h"

namespace monosem {
namespace {

// Small GEMMs run on one thread: on a loaded machine OpenBLAS's spinning
// workers cost far more than they save below a few MFLOP. Debian's pthread
// OpenBLAS (0.3.21) has only a process-wide thread count, no per-call one,
// so a small call lowers it for its duration and restores it after.
constexpr double kSmallFlops = 4.0e6;

class BlasThreads {
 public:
  explicit BlasThreads(double mnk) {
    if (mnk < kSmallFlops) {
      saved_ = openblas_get_num_threads();
      if (saved_ > 1) openblas_set_num_threads(1);
    }
  }
  ~BlasThreads() {
    if (saved_ > 1) openblas_set_num_threads(saved_);
  }
  BlasThreads(const BlasThreads&) = delete;
  BlasThreads& operator=(const BlasThreads&) = delete;

 private:
  int saved_ = 0;
};

}  // namespace

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
  BlasThreads threads(static_cast<double>(s.m) * s.n * s.k);
  cblas_sgemm(CblasRowMajor, ta == Trans::kNo ? CblasNoTrans : CblasTrans,
              tb == Trans::kNo ? CblasNoTrans : CblasTrans, static_cast<int>(s.m),
              static_cast<int>(s.n), static_cast<int>(s.k), alpha, a.data(), lda, b.data(), ldb,
              beta, c->data(), static_cast<int>(s.n));
  return absl::OkStatus();
}

void CpuGemvT(int64_t m, int64_t n, const float* a, const float* x, float* y) {
  cblas_sgemv(CblasRowMajor, CblasTrans, static_cast<int>(m), static_cast<int>(n), 1.0f, a,
              static_cast<int>(n), x, 1, 0.0f, y, 1);
}

}  // namespace monosem
