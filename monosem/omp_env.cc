#include "monosem/omp_env.h"

#include <cblas.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

namespace monosem {
namespace {

// OpenBLAS 0.3.21 does not know AMD's AVX-512 cores (Zen 4 and later) and
// runs its AVX2 Haswell/Zen kernels there: its sgemm, the floor of the SAE
// and transformer steps, measured 1.8x slower than with its SkylakeX
// kernels on such a machine (docs/kernels/sae_performance.md). OpenBLAS
// picks its kernels once, when it loads, from OPENBLAS_CORETYPE; true when
// that choice should be SkylakeX instead of the one it made.
bool WantSkylakeXBlas() {
  if (std::getenv("OPENBLAS_CORETYPE") != nullptr) return false;  // the user's choice
  const char* core = openblas_get_corename();
  if (core == nullptr || (std::strcmp(core, "Haswell") != 0 && std::strcmp(core, "Zen") != 0)) {
    return false;
  }
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
         __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq") &&
         __builtin_cpu_supports("avx512cd");
}

}  // namespace

void EnsurePassiveOmpWait(char** argv) {
  if (std::getenv("OMP_WAIT_POLICY") != nullptr) return;
  if (setenv("OMP_WAIT_POLICY", "passive", 1) != 0) return;
  // Rides on this re-exec only: a process that needs none (OMP_WAIT_POLICY
  // already set, as under bazel test) pays no extra start-up for it.
  if (WantSkylakeXBlas()) setenv("OPENBLAS_CORETYPE", "SkylakeX", 1);
  execv("/proc/self/exe", argv);
  // execv only returns on failure: carry on with the default policy.
}

}  // namespace monosem
