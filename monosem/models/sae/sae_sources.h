// BatchSources over real activations (the synthetic one is synthetic.h):
//   StoreSource   the transformer's activation store, streamed through the
//                 bounded ShuffleBuffer (memory: the buffer, not the store),
//                 epoch after epoch;
//   TensorSource  an in-memory [N, d] matrix read in order, cycling (held-out
//                 evaluation windows, whose order must match their labels).
// Both multiply every vector by `scale`: SAEs train on activations
// normalised so that the mean norm is sqrt(d) (Anthropic's convention, which
// makes one lambda fit every layer and model); NormScale computes it and
// FoldInputScale (sae_io.h) turns the trained SAE back into raw units.
#ifndef MONOSEM_MODELS_SAE_SAE_SOURCES_H_
#define MONOSEM_MODELS_SAE_SAE_SOURCES_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "monosem/data/activation_store.h"
#include "monosem/data/shuffle_buffer.h"
#include "monosem/models/sae/sae.h"
#include "monosem/tensor.h"

namespace monosem::sae {

class StoreSource : public BatchSource {
 public:
  // Opens the finished store in `dir`; errors name the folder.
  static absl::StatusOr<std::unique_ptr<StoreSource>> Open(const std::string& dir,
                                                           uint64_t seed,
                                                           int64_t buffer_bytes = 64 << 20,
                                                           float scale = 1.0f);
  int64_t dim() const override { return buffer_->info().d; }
  // Exactly `batch` vectors, continuing into the next epoch when one ends.
  absl::Status Next(int64_t batch, Tensor* out) override;

  const ActivationStoreInfo& info() const { return buffer_->info(); }
  int64_t epoch() const { return buffer_->epoch(); }
  float scale() const { return scale_; }
  void set_scale(float s) { scale_ = s; }

 private:
  StoreSource() = default;
  std::unique_ptr<ShuffleBuffer> buffer_;
  std::string dir_;
  float scale_ = 1.0f;
  Tensor chunk_;                  // the last NextBatch, partly consumed
  std::vector<VectorMeta> meta_;  // NextBatch's metadata output (SAE training ignores it)
  int64_t chunk_rows_ = 0, chunk_pos_ = 0;
};

class TensorSource : public BatchSource {
 public:
  // `data` [N, d] with N > 0, else InvalidArgument.
  static absl::StatusOr<std::unique_ptr<TensorSource>> Create(Tensor data, float scale = 1.0f);
  int64_t dim() const override { return data_.dim(1); }
  absl::Status Next(int64_t batch, Tensor* out) override;
  int64_t rows() const { return data_.dim(0); }
  void Rewind() { pos_ = 0; }

 private:
  explicit TensorSource(Tensor data, float scale) : data_(std::move(data)), scale_(scale) {}
  Tensor data_;
  float scale_;
  int64_t pos_ = 0;
};

// sqrt(d) / (mean ||x|| over the next n vectors of `src`): the factor that
// gives the activations a mean norm of sqrt(d). An all-zero sample is an error.
absl::StatusOr<float> NormScale(BatchSource& src, int64_t n);

}  // namespace monosem::sae

#endif  // MONOSEM_MODELS_SAE_SAE_SOURCES_H_
