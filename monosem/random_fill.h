// Fills tensors from Philox streams by element address (philox.h), so that the
// same (seed, stream) gives the same tensor on every backend and machine.
#ifndef MONOSEM_RANDOM_FILL_H_
#define MONOSEM_RANDOM_FILL_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "monosem/tensor.h"
#include "proto/golden.pb.h"

namespace monosem {

// t[i] = lo + (hi - lo) * UniformAt(i).
void FillUniform(uint64_t seed, uint64_t stream, float lo, float hi, Tensor* t);
// t[i] = mean + stddev * NormalAt(i).
void FillNormal(uint64_t seed, uint64_t stream, float mean, float stddev, Tensor* t);
// t[i] = BernoulliAt(i, p) ? 1 : 0.
void FillBernoulli(uint64_t seed, uint64_t stream, float p, Tensor* t);

// Materializes a golden InputSpec; rejects bad shapes and parameters.
absl::StatusOr<Tensor> MakeInput(const InputSpec& spec);

}  // namespace monosem

#endif  // MONOSEM_RANDOM_FILL_H_
