// Cross-backend checks: run one kernel case on a backend and on the reference
// with identical fresh random inputs, poison the outputs first, and compare
// with depth-scaled tolerances (monosem/compare.h). Shared by the
// parametrized cross-backend suite and by the test that proves the checks
// catch broken backends.
#ifndef MONOSEM_TESTS_TESTING_CROSS_CHECK_H_
#define MONOSEM_TESTS_TESTING_CROSS_CHECK_H_

#include <cstdint>
#include <string>
#include <vector>

#include "monosem/backend.h"
#include "monosem/compare.h"

namespace monosem::testing {

// Base seed for fresh inputs: MONOSEM_TEST_SEED if set, else a fixed default,
// so a failure is reproducible and a different seed is one variable away.
uint64_t TestSeed();

// Fills a tensor with NaN so that any element a kernel fails to write fails
// the comparison.
void Poison(Tensor* t);

struct GemmCase {
  int64_t m, n, k;
  Trans ta, tb;
  float alpha, beta;
  std::string Name() const;
};

// The awkward sizes of the shape table (tests/testing/shapes.h: 1, primes,
// non-multiples of 16, K larger than L2), each with every transpose
// combination; beta 0 (poisoned C) and beta != 0 (random C, read).
std::vector<GemmCase> GemmCases();

Comparison CheckGemm(Backend& backend, const GemmCase& c, uint64_t seed);

// Elementwise and reduction ops, by name: "relu", "relu_backward",
// "add_row_bias", "sum_rows", "axpby", "axpby_beta0", "mul", "adamw".
struct OpCase {
  std::string op;
  int64_t rows, cols;
  std::string Name() const;
};
std::vector<OpCase> OpCases();

Comparison CheckOp(Backend& backend, const OpCase& c, uint64_t seed);

}  // namespace monosem::testing

#endif  // MONOSEM_TESTS_TESTING_CROSS_CHECK_H_
