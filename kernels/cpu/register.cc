#include "absl/strings/str_cat.h"
#include "kernels/cpu/cpu_backend.h"

namespace monosem {

// The kernels are compiled for AVX2 + FMA (x86-64-v3); refuse to run them on
// an older CPU rather than die on an illegal instruction.
absl::Status CpuBackend::Available() const {
  if (!__builtin_cpu_supports("avx2") || !__builtin_cpu_supports("fma")) {
    return absl::UnavailableError("cpu backend needs AVX2 and FMA; this CPU lacks them");
  }
  return absl::OkStatus();
}

MONOSEM_REGISTER_BACKEND("cpu", CpuBackend);

}  // namespace monosem
