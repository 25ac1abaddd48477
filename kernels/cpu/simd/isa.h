// Which SIMD path the cpu backend's kernels run: chosen at run time, never
// assumed at build time. The kernels are compiled once per ISA level
// (kernels/cpu/simd/BUILD.bazel: AVX-512, AVX2 + FMA, portable C++) and the
// widest level this CPU runs is picked, unless MONOSEM_CPU_ISA names a
// narrower one (tests run every path the machine can run that way).
//
// This file and its .cc are compiled for the baseline x86-64 ISA: they must
// run (and say what is missing) on any CPU.
#ifndef MONOSEM_KERNELS_CPU_SIMD_ISA_H_
#define MONOSEM_KERNELS_CPU_SIMD_ISA_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace monosem::cpu {

// Ordered narrowest first: a CPU that runs a level runs every level below it.
enum class Isa { kPortable = 0, kAvx2 = 1, kAvx512 = 2 };

// "portable", "avx2", "avx512" (the MONOSEM_CPU_ISA spellings).
const char* IsaName(Isa isa);
// The inverse of IsaName; an error naming the accepted spellings otherwise.
absl::StatusOr<Isa> ParseIsa(absl::string_view name);

// The widest level this CPU (and its OS, for the wide registers) runs:
// avx512 needs AVX-512 F, BW, VL and DQ plus AVX2 and FMA; avx2 needs AVX2
// and FMA.
Isa DetectedIsa();
// Every level this CPU runs, narrowest first.
std::vector<Isa> RunnableIsas();

// The level the kernels run now: MONOSEM_CPU_ISA when it is set to a level
// this CPU runs ("auto" or unset: DetectedIsa()), else DetectedIsa().
Isa ActiveIsa();
// OK, or why MONOSEM_CPU_ISA cannot be honoured (an unknown spelling, or a
// level this CPU lacks). The cpu backend reports it as unavailable then,
// rather than run a path nobody asked for.
absl::Status IsaOverrideStatus();

// Switches the path for the rest of the process (tests, benchmarks); an error
// if this CPU cannot run `isa`, leaving the path as it was.
absl::Status SetActiveIsa(Isa isa);

// "avx512 (detected avx512)" or "avx2 (forced by MONOSEM_CPU_ISA; detected
// avx512)": what benchmarks print as their context.
std::string IsaDescription();

}  // namespace monosem::cpu

#endif  // MONOSEM_KERNELS_CPU_SIMD_ISA_H_
