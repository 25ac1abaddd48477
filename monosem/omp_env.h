// OpenMP's default wait policy spins idle threads after every parallel
// region; on a 2-core machine they then fight OpenBLAS's (and LibTorch's)
// own threads for the cores, which measured as a 5x slowdown of the
// transformer step and a meaningless "6.8x" cpu/torch ratio. libgomp reads
// OMP_WAIT_POLICY once, when it loads, so the only reliable fix from inside
// the program is to set it and re-execute before anything runs.
#ifndef MONOSEM_OMP_ENV_H_
#define MONOSEM_OMP_ENV_H_

namespace monosem {

// If OMP_WAIT_POLICY is unset, sets it to "passive" and re-executes this
// program with the same arguments. Returns (doing nothing) when it is already
// set, so a user's own choice wins; also returns if the re-exec fails.
// That re-exec (and only it: no extra start-up where none was needed) also
// sets OPENBLAS_CORETYPE=SkylakeX when it is unset and OpenBLAS took its
// AVX2 kernels (Haswell, Zen) on a CPU with AVX-512 F, BW, VL, DQ and CD
// (AMD's AVX-512 cores, which OpenBLAS 0.3.21 does not know): its sgemm
// runs 1.8x faster there (omp_env.cc).
void EnsurePassiveOmpWait(char** argv);

}  // namespace monosem

#endif  // MONOSEM_OMP_ENV_H_
