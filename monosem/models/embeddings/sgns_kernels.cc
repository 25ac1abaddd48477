#include "monosem/models/embeddings/sgns_kernels.h"

#include <cmath>

#include "absl/strings/str_cat.h"

namespace monosem {
namespace {

absl::Status CheckIndices(const char* what, absl::Span<const int32_t> ids, int64_t vocab) {
  for (size_t i = 0; i < ids.size(); ++i) {
    if (ids[i] < 0 || ids[i] >= vocab) {
      return absl::InvalidArgumentError(absl::StrCat(
          "skip-gram kernels: ", what, "[", i, "] = ", ids[i], " is outside [0, ", vocab, ")"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status SgnsKernels::Train(const SgnsBatch& batch, Tensor* in_vectors, Tensor* out_vectors,
                                double* loss) {
  if (in_vectors == nullptr || out_vectors == nullptr) {
    return absl::InvalidArgumentError("skip-gram kernels: null vectors");
  }
  if (in_vectors->rank() != 2 || in_vectors->shape() != out_vectors->shape() ||
      in_vectors->dim(0) == 0 || in_vectors->dim(1) == 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "skip-gram kernels: in and out vectors must both be [V, d] with V, d > 0, got ",
        ShapeToString(in_vectors->shape()), " and ", ShapeToString(out_vectors->shape())));
  }
  if (in_vectors->device() != Device::kHost || out_vectors->device() != Device::kHost) {
    return absl::InvalidArgumentError("skip-gram kernels: vectors must be host tensors");
  }
  const int64_t P = batch.pairs(), K = batch.negatives_per_pair;
  if (K < 0) return absl::InvalidArgumentError("skip-gram kernels: negative K");
  if (static_cast<int64_t>(batch.output.size()) != P ||
      static_cast<int64_t>(batch.lr.size()) != P ||
      static_cast<int64_t>(batch.negatives.size()) != P * K) {
    return absl::InvalidArgumentError(
        absl::StrCat("skip-gram kernels: batch of ", P, " pairs with ", batch.output.size(),
                     " outputs, ", batch.lr.size(), " learning rates and ", batch.negatives.size(),
                     " negatives (K = ", K, ")"));
  }
  const int64_t V = in_vectors->dim(0);
  if (auto s = CheckIndices("input", batch.input, V); !s.ok()) return s;
  if (auto s = CheckIndices("output", batch.output, V); !s.ok()) return s;
  if (auto s = CheckIndices("negatives", batch.negatives, V); !s.ok()) return s;
  for (int64_t p = 0; p < P; ++p) {
    if (!std::isfinite(batch.lr[p]) || batch.lr[p] < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("skip-gram kernels: lr[", p, "] = ", batch.lr[p]));
    }
  }
  if (P == 0) return absl::OkStatus();
  return TrainImpl(batch, in_vectors, out_vectors, loss);
}

}  // namespace monosem
