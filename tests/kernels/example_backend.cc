// A tiny example of adding a backend by derivation: the cpu backend with its
// ReLU replaced by a plain loop. It is one class and one registration line;
// it registers no kernel sets, yet gets the cpu backend's toy, transformer and
// SAE kernel sets, constructed on itself (monosem/kernel_set.h), and the
// ordinary cross-backend tests cover it by linking this file (BUILD.bazel).
#include "tests/kernels/example_backend.h"

namespace monosem {

std::atomic<int64_t> ExampleBackend::relu_calls{0};

absl::Status ExampleBackend::ReluImpl(const Tensor& x, Tensor* y) {
  relu_calls.fetch_add(1, std::memory_order_relaxed);
  const float* in = x.data();
  float* out = y->data();
  for (int64_t i = 0; i < x.size(); ++i) out[i] = in[i] > 0.0f ? in[i] : 0.0f;
  return absl::OkStatus();
}

MONOSEM_REGISTER_BACKEND("example", ExampleBackend);

}  // namespace monosem
