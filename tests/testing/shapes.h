// The one shape table of tests and benchmarks: the awkward GEMM sizes the
// cross-backend checks run (1, primes, non-multiples of the vector width, K
// larger than a cache) and the shapes the models really use, which the
// benchmarks time. Nothing else in tests/ or benchmarks/ lists shapes of its
// own, so a new model shape is added here once and is both checked and timed.
#ifndef MONOSEM_TESTS_TESTING_SHAPES_H_
#define MONOSEM_TESTS_TESTING_SHAPES_H_

#include <cstdint>
#include <string>
#include <vector>

#include "monosem/backend.h"

namespace monosem::testing {

struct GemmDims {
  int64_t m, n, k;
};

// Awkward GEMM sizes for the cross-backend checks (each is run with every
// transpose combination): 1, primes, non-multiples of 16, and K = 140003
// floats = 547 KiB, larger than the 512 KiB L2 per core here.
const std::vector<GemmDims>& AwkwardGemmDims();

// Where a shape may run: everywhere, or only on device backends (too large
// for a host backend to time in reasonable time or memory).
enum class Where { kAll, kDeviceOnly };

// A GEMM of a model: C[m,n] = op(A) op(B) with op(A) [m,k], op(B) [k,n].
struct ModelGemm {
  std::string name;  // what it is: "toy_fwd_b1024_n400_m30", ...
  GemmDims dims;
  Trans ta, tb;
  Where where = Where::kAll;
};

// The forward and backward GEMMs of the three models at their default sizes,
// then the SAE encoder at the large dictionary sizes (device backends only).
const std::vector<ModelGemm>& ModelGemms();

// One toy-model training configuration (n features into m dimensions, that
// many instances trained side by side on batches of `batch`).
struct ToyTrainShape {
  std::string name;  // "n400_m30_I32_B1024", ...
  int64_t n, m, instances, batch;
  Where where = Where::kAll;
};
const std::vector<ToyTrainShape>& ToyTrainShapes();

// A 2-D activation or parameter tensor for the elementwise and row-reduction
// kernels.
struct Matrix {
  std::string name;  // "act_t4096_f512", ...
  int64_t rows, cols;
  Where where = Where::kAll;
};
const std::vector<Matrix>& ElementwiseMatrices();

}  // namespace monosem::testing

#endif  // MONOSEM_TESTS_TESTING_SHAPES_H_
