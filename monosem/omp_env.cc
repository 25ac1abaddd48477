#include "monosem/omp_env.h"

#include <unistd.h>

#include <cstdlib>

namespace monosem {

void EnsurePassiveOmpWait(char** argv) {
  if (std::getenv("OMP_WAIT_POLICY") != nullptr) return;
  if (setenv("OMP_WAIT_POLICY", "passive", 1) != 0) return;
  execv("/proc/self/exe", argv);
  // execv only returns on failure: carry on with the default policy.
}

}  // namespace monosem
