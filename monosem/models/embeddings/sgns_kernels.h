// Skip-gram with negative sampling (Mikolov et al. 2013), the hot loop of
// word2vec, per backend.
//
// A batch is a sequence of P training pairs. Pair p names the word whose
// input vector is trained (input[p]), the word it should predict (output[p])
// and K negative words (negatives[p*K .. p*K+K-1]), with its learning rate
// lr[p]. The pairs are applied IN ORDER, each update visible to the next
// (plain sequential SGD, what word2vec does on one thread), so a backend may
// vectorize within a pair but not reorder pairs: the result is deterministic
// and independent of how a run is cut into batches. For pair p, with
// l = in[input[p]] and σ the logistic function:
//
//   e = 0 (a d-vector)
//   for (t, label) in (output[p], 1), (negatives..., 0):
//     skip a negative equal to output[p] (word2vec's rule)
//     f = l · out[t];   g = lr[p] (label − σ(f))
//     e += g out[t]          (out[t] before its update)
//     out[t] += g l
//   in[input[p]] += e
//
// The loss (when requested) is Σ_p [−log σ(f_pos) − Σ_neg log σ(−f_neg)] with
// each f taken before its update. The reference (reference/sgns_reference.cc)
// is the specification: dots, σ, g and e in double, parameters stored float.
//
// Layouts: in_vectors, out_vectors [V, d] row-major float32, host tensors;
// indices in [0, V).
#ifndef MONOSEM_MODELS_EMBEDDINGS_SGNS_KERNELS_H_
#define MONOSEM_MODELS_EMBEDDINGS_SGNS_KERNELS_H_

#include <cstdint>

#include "absl/status/status.h"
#include "absl/types/span.h"
#include "monosem/kernel_set.h"
#include "monosem/tensor.h"

namespace monosem {

struct SgnsBatch {
  absl::Span<const int32_t> input;      // [P]
  absl::Span<const int32_t> output;     // [P]
  absl::Span<const int32_t> negatives;  // [P * K]
  absl::Span<const float> lr;           // [P]
  int negatives_per_pair = 0;           // K (0: no negatives)

  int64_t pairs() const { return static_cast<int64_t>(input.size()); }
};

class SgnsKernels : public KernelSet {
 public:
  static constexpr char kRegistryKind[] = "skip-gram kernels";
  explicit SgnsKernels(Backend& backend) : KernelSet(backend) {}

  // Applies the batch to in_vectors and out_vectors; adds the batch's loss to
  // *loss when loss is non-null. Shapes and indices are checked here for
  // every backend.
  absl::Status Train(const SgnsBatch& batch, Tensor* in_vectors, Tensor* out_vectors, double* loss);

 protected:
  virtual absl::Status TrainImpl(const SgnsBatch& batch, Tensor* in_vectors, Tensor* out_vectors,
                                 double* loss) = 0;
};

using SgnsKernelRegistry = KernelSetRegistry<SgnsKernels>;

}  // namespace monosem

#endif  // MONOSEM_MODELS_EMBEDDINGS_SGNS_KERNELS_H_
