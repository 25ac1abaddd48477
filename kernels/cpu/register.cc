#include "kernels/cpu/cpu_backend.h"
#include "kernels/cpu/simd/isa.h"

namespace monosem {

// The kernels run on any x86-64 CPU (the widest SIMD path it supports is
// picked at run time); the backend is unavailable only when MONOSEM_CPU_ISA
// asks for a path that cannot run here, so that nobody times or tests a path
// they did not ask for.
absl::Status CpuBackend::Available() const { return cpu::IsaOverrideStatus(); }

MONOSEM_REGISTER_BACKEND("cpu", CpuBackend);

}  // namespace monosem
