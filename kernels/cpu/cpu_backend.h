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
  MONOSEM_BACKEND_KERNEL_OVERRIDES;
};

}  // namespace monosem

#endif  // MONOSEM_KERNELS_CPU_CPU_BACKEND_H_
