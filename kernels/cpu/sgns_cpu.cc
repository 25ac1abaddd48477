// Skip-gram with negative sampling, cpu kernels: one batch of pairs, in
// order, on the SIMD path this CPU supports (kernels/cpu/simd/sgns.cc has the
// loop and why it prefetches).
#include <vector>

#include "kernels/cpu/simd/kernels.h"
#include "monosem/models/embeddings/sgns_kernels.h"

namespace monosem {
namespace {

class CpuSgnsKernels : public SgnsKernels {
 public:
  using SgnsKernels::SgnsKernels;

 protected:
  absl::Status TrainImpl(const SgnsBatch& batch, Tensor* in_vectors, Tensor* out_vectors,
                         double* loss) override {
    const int64_t d = in_vectors->dim(1);
    std::vector<float> err(d);
    cpu::simd::Active().sgns_train(batch.pairs(), batch.negatives_per_pair, d, batch.input.data(),
                                   batch.output.data(), batch.negatives.data(), batch.lr.data(),
                                   in_vectors->data(), out_vectors->data(), err.data(), loss);
    return absl::OkStatus();
  }
};

MONOSEM_REGISTER_KERNEL_SET(SgnsKernels, "cpu", CpuSgnsKernels);

}  // namespace
}  // namespace monosem
