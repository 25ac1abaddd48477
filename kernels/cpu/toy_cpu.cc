// The toy model's cpu kernel set: instances are split across threads with
// OpenMP, each thread owning whole instances, so there is no reduction across
// threads and results do not depend on the thread count. Each instance runs
// the SIMD path this CPU supports (kernels/cpu/simd/toy.cc has the math).
#include <vector>

#include "kernels/cpu/simd/kernels.h"
#include "monosem/models/toy/toy_kernels.h"

namespace monosem {
namespace {

class CpuToyKernels : public ToyKernels {
 public:
  using ToyKernels::ToyKernels;

 protected:
  absl::Status ForwardBackwardImpl(const ToyDims& d, bool relu, const Tensor& x, const Tensor& w,
                                   const Tensor& b, const Tensor& importance, Tensor* loss,
                                   Tensor* dw, Tensor* db) override {
    const int64_t n = d.n, m = d.m, B = d.batch;
    const cpu::simd::Kernels& k = cpu::simd::Active();
#pragma omp parallel if (d.instances > 1 && B * m * n * d.instances > 4096)
    {
      std::vector<float> scratch(k.toy_scratch_floats(n, m));
#pragma omp for schedule(static)
      for (int64_t j = 0; j < d.instances; ++j) {
        const float* xj = x.data() + j * B * n;
        const float* wj = w.data() + j * m * n;
        float* dwj = dw != nullptr ? dw->data() + j * m * n : nullptr;
        float* dbj = db != nullptr ? db->data() + j * n : nullptr;
        k.toy_instance(B, n, m, relu, xj, wj, b.data() + j * n, importance.data() + j * n,
                       loss->data() + j, dwj, dbj, scratch.data());
      }
    }
    return absl::OkStatus();
  }
};

MONOSEM_REGISTER_KERNEL_SET(ToyKernels, "cpu", CpuToyKernels);

}  // namespace
}  // namespace monosem
