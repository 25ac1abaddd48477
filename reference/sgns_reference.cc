// Skip-gram with negative sampling, reference kernels: the specification of
// monosem/models/embeddings/sgns_kernels.h written out pair by pair, target by
// target. Dots, σ, the gradient coefficient and the input-vector update are
// double; each parameter is rounded to float when it is stored, as every
// backend must store float32 parameters.
#include <algorithm>
#include <cmath>
#include <vector>

#include "monosem/models/embeddings/sgns_kernels.h"

namespace monosem {
namespace {

// log σ(x), stable for large |x|.
double LogSigmoid(double x) {
  return x >= 0 ? -std::log1p(std::exp(-x)) : x - std::log1p(std::exp(x));
}

class ReferenceSgnsKernels : public SgnsKernels {
 public:
  using SgnsKernels::SgnsKernels;

 protected:
  absl::Status TrainImpl(const SgnsBatch& batch, Tensor* in_vectors, Tensor* out_vectors,
                         double* loss) override {
    const int64_t d = in_vectors->dim(1);
    const int K = batch.negatives_per_pair;
    std::vector<double> e(d);
    double total = 0.0;
    for (int64_t p = 0; p < batch.pairs(); ++p) {
      float* l = in_vectors->data() + batch.input[p] * d;
      const double lr = batch.lr[p];
      std::fill(e.begin(), e.end(), 0.0);
      for (int k = -1; k < K; ++k) {
        const int32_t t = k < 0 ? batch.output[p] : batch.negatives[p * K + k];
        if (k >= 0 && t == batch.output[p]) continue;
        const double label = k < 0 ? 1.0 : 0.0;
        float* o = out_vectors->data() + t * d;
        double f = 0.0;
        for (int64_t i = 0; i < d; ++i) f += static_cast<double>(l[i]) * o[i];
        total -= LogSigmoid(k < 0 ? f : -f);
        const double g = lr * (label - 1.0 / (1.0 + std::exp(-f)));
        for (int64_t i = 0; i < d; ++i) {
          e[i] += g * o[i];
          o[i] = static_cast<float>(o[i] + g * l[i]);
        }
      }
      for (int64_t i = 0; i < d; ++i) l[i] = static_cast<float>(l[i] + e[i]);
    }
    if (loss != nullptr) *loss += total;
    return absl::OkStatus();
  }
};

MONOSEM_REGISTER_KERNEL_SET(SgnsKernels, "reference", ReferenceSgnsKernels);

}  // namespace
}  // namespace monosem
