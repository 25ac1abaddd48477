// Picks the table of the path ActiveIsa() names. Compiled for the baseline
// ISA, like everything outside the per-level units.
#include "kernels/cpu/simd/kernels.h"

namespace monosem::cpu::simd {
namespace avx512 {
const Kernels& Table();
}
namespace avx2 {
const Kernels& Table();
}
namespace portable {
const Kernels& Table();
}

const Kernels& ForIsa(Isa isa) {
  switch (isa) {
    case Isa::kAvx512: return avx512::Table();
    case Isa::kAvx2: return avx2::Table();
    case Isa::kPortable: break;
  }
  return portable::Table();
}

const Kernels& Active() { return ForIsa(ActiveIsa()); }

}  // namespace monosem::cpu::simd
