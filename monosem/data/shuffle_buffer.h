// Streams an activation store in shuffled batches through a bounded buffer:
// memory is the buffer (buffer_bytes) plus one block of one shard plus the
// batch, whatever the size of the store.
//
// Each epoch visits the shards in a seeded random order, reads each block by
// block, and draws every output vector uniformly from the buffer (filled to
// capacity first, then refilled one vector per draw), so each vector is
// delivered exactly once per epoch. Epoch e's order is a function of
// (seed, e) only: the same seed gives the same batches on every machine.
// The shuffle is local (a vector moves at most ~capacity places from where
// the harvest wrote it); the shard order adds global mixing. Use a buffer
// several times larger than a context's sampled vectors, and harvest
// (AppendSampledActivations) in shuffled context order, for SAE training.
#ifndef MONOSEM_DATA_SHUFFLE_BUFFER_H_
#define MONOSEM_DATA_SHUFFLE_BUFFER_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "monosem/data/activation_store.h"
#include "monosem/philox.h"
#include "monosem/tensor.h"

namespace monosem {

struct ShuffleBufferOptions {
  int64_t buffer_bytes = 256 << 20;  // float32 vectors + their metadata
  int64_t batch_size = 4096;
  uint64_t seed = 0;
};

class ShuffleBuffer {
 public:
  static absl::StatusOr<std::unique_ptr<ShuffleBuffer>> Open(const std::string& dir,
                                                             const ShuffleBufferOptions& options);

  // Fills `batch` with [rows, d] (reshaped / reallocated as needed) and `meta`
  // with rows entries, rows <= batch_size. Returns 0 at the end of an epoch;
  // the next call starts the next epoch.
  absl::StatusOr<int64_t> NextBatch(Tensor* batch, std::vector<VectorMeta>* meta);

  const ActivationStoreInfo& info() const { return info_; }
  int64_t capacity() const { return capacity_; }  // vectors the buffer holds
  int64_t epoch() const { return epoch_; }

 private:
  ShuffleBuffer() = default;
  absl::Status StartEpoch();
  // Moves one vector from the input into buffer slot `slot`; false at the end of the epoch's input.
  absl::StatusOr<bool> Pull(int64_t slot);

  ActivationStoreInfo info_;
  ShuffleBufferOptions options_;
  int64_t d_ = 0;
  int64_t capacity_ = 0;
  std::vector<float> values_;  // capacity * d
  std::vector<VectorMeta> meta_;
  int64_t filled_ = 0;

  std::unique_ptr<Philox> rng_;
  int64_t epoch_ = -1;
  std::vector<int64_t> shard_order_;
  size_t next_shard_ = 0;
  std::unique_ptr<ActivationShardReader> shard_;
  std::vector<float> block_values_;
  std::vector<VectorMeta> block_meta_;
  int64_t block_pos_ = 0;
  bool input_done_ = true;
};

}  // namespace monosem

#endif  // MONOSEM_DATA_SHUFFLE_BUFFER_H_
