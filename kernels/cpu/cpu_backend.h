// The optimized CPU backend: AVX2/FMA-vectorized, OpenMP-threaded kernels.
// Plain dense GEMM goes to OpenBLAS (a well-kept BLAS); the backend earns its
// place with the fused and sparse kernels that no BLAS has (see docs/).
//
// The backend's kernel sets (toy_cpu.cc, transformer_cpu.cc, sae_*.cc) are
// created on it and call its Gemm, so OpenBLAS is called from one file
// (gemm.cc), which alone decides its thread policy. A backend derived from
// this one (override a kernel, name a parent() of "cpu") runs on the same
// kernel sets.
#ifndef MONOSEM_KERNELS_CPU_CPU_BACKEND_H_
#define MONOSEM_KERNELS_CPU_CPU_BACKEND_H_

#include <cstdint>

#include "monosem/backend.h"

namespace monosem {

class CpuBackend : public Backend {
 public:
  std::string name() const override { return "cpu"; }
  absl::Status Available() const override;

 protected:
  MONOSEM_BACKEND_KERNEL_OVERRIDES;
};

// y[n] = A^T x for row-major A [m, n] and x [m] (OpenBLAS sgemv; the SAE
// kernels' b_dec gradient).
void CpuGemvT(int64_t m, int64_t n, const float* a, const float* x, float* y);

}  // namespace monosem

#endif  // MONOSEM_KERNELS_CPU_CPU_BACKEND_H_
