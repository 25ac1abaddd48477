// Hand-written tensors and dense SAE codes for the metric tests, whose cases
// are small enough to work out by hand.
#ifndef TESTS_MODELS_SAE_SMALL_CODES_H_
#define TESTS_MODELS_SAE_SMALL_CODES_H_

#include <cstdint>
#include <vector>

#include "monosem/models/sae/sae_kernels.h"
#include "monosem/tensor.h"

namespace monosem::sae::testing {

// A [r, c] tensor of the given row-major values.
inline Tensor T(int64_t r, int64_t c, std::vector<float> v) {
  return *Tensor::FromValues({r, c}, v);
}

// Dense codes [rows, f] of the given row-major values.
inline SaeCodes Dense(int64_t rows, int64_t f, std::vector<float> v) {
  SaeCodes c;
  c.rows = rows;
  c.f = f;
  c.dense = T(rows, f, std::move(v));
  return c;
}

}  // namespace monosem::sae::testing

#endif  // TESTS_MODELS_SAE_SMALL_CODES_H_
