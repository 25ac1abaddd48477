// The optimized CPU backend: AVX2/FMA-vectorized, OpenMP-threaded kernels.
// Plain dense GEMM goes to OpenBLAS (a well-kept BLAS); the backend earns its
// place with the fused and sparse kernels that no BLAS has (see docs/).
#ifndef MONOSEM_KERNELS_CPU_CPU_BACKEND_H_
#define MONOSEM_KERNELS_CPU_CPU_BACKEND_H_

#include "monosem/backend.h"

namespace monosem {

class CpuBackend : public Backend {
 public:
  std::string name() const override { return "cpu"; }
  absl::Status Available() const override;

 protected:
  absl::Status GemmImpl(Trans ta, Trans tb, const GemmShape& s, float alpha, const Tensor& a,
                        const Tensor& b, float beta, Tensor* c) override;
  absl::Status AddRowBiasImpl(const Tensor& bias, Tensor* x) override;
  absl::Status SumRowsImpl(const Tensor& x, Tensor* out) override;
  absl::Status ReluImpl(const Tensor& x, Tensor* y) override;
  absl::Status ReluBackwardImpl(const Tensor& y, const Tensor& dy, Tensor* dx) override;
  absl::Status AxpbyImpl(float alpha, const Tensor& x, float beta, Tensor* y) override;
  absl::Status MulImpl(const Tensor& a, const Tensor& b, Tensor* out) override;
  absl::Status AdamWImpl(const AdamWParams& p, int64_t step, const Tensor& grad, Tensor* param,
                         Tensor* m, Tensor* v) override;
};

}  // namespace monosem

#endif  // MONOSEM_KERNELS_CPU_CPU_BACKEND_H_
