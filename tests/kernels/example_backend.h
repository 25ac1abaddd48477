// The example derived backend (example_backend.cc): cpu with its own ReLU.
#ifndef MONOSEM_TESTS_KERNELS_EXAMPLE_BACKEND_H_
#define MONOSEM_TESTS_KERNELS_EXAMPLE_BACKEND_H_

#include <atomic>
#include <cstdint>
#include <string>

#include "kernels/cpu/cpu_backend.h"

namespace monosem {

class ExampleBackend : public CpuBackend {
 public:
  std::string name() const override { return "example"; }
  std::string parent() const override { return "cpu"; }

  // How many times the override ran (the test checks that the inherited
  // kernel sets reach it through their backend).
  static std::atomic<int64_t> relu_calls;

 protected:
  absl::Status ReluImpl(const Tensor& x, Tensor* y) override;
};

}  // namespace monosem

#endif  // MONOSEM_TESTS_KERNELS_EXAMPLE_BACKEND_H_
