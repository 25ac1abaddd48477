// Linked only into //tests:cuda_toy_cross_backend_test. Its link set has no
// toy kernels but reference and (where a GPU is) cuda, so without a GPU the
// ToyCrossBackend suite has no backend to run; that is an honest skip, not an
// error (kernels/cuda/toy_cuda.cc registers the cuda toy kernels only where
// a GPU is; docs/cuda.md).
#include "gtest/gtest.h"

GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(ToyCrossBackend);
