// Prints the SIMD path the cpu backend runs here. Linked statically with the
// whole cpu backend, it is also the binary isa_confinement_test inspects.
#include <cstdio>

#include "kernels/cpu/simd/isa.h"
#include "monosem/backend.h"

int main() {
  auto cpu = monosem::BackendRegistry::Create("cpu");
  if (!cpu.ok()) {
    std::fprintf(stderr, "no cpu backend: %s\n", std::string(cpu.status().message()).c_str());
    return 1;
  }
  const absl::Status available = (*cpu)->Available();
  std::printf("cpu backend SIMD path: %s%s%s\n", monosem::cpu::IsaDescription().c_str(),
              available.ok() ? "" : "; unavailable: ",
              available.ok() ? "" : std::string(available.message()).c_str());
  return available.ok() ? 0 : 2;
}
