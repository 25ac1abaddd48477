#include "monosem/data/shuffle_buffer.h"

#include <algorithm>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "monosem/status.h"

namespace monosem {

absl::StatusOr<std::unique_ptr<ShuffleBuffer>> ShuffleBuffer::Open(
    const std::string& dir, const ShuffleBufferOptions& options) {
  if (options.batch_size <= 0) {
    return absl::InvalidArgumentError(absl::StrCat("shuffle buffer: batch_size ", options.batch_size, " must be > 0"));
  }
  MONOSEM_ASSIGN_OR_RETURN(ActivationStoreInfo info, OpenActivationStore(dir));
  auto s = std::unique_ptr<ShuffleBuffer>(new ShuffleBuffer());
  s->info_ = std::move(info);
  s->options_ = options;
  s->d_ = s->info_.d;
  const int64_t per_vector = s->d_ * static_cast<int64_t>(sizeof(float)) + static_cast<int64_t>(sizeof(VectorMeta));
  s->capacity_ = std::min<int64_t>(options.buffer_bytes / per_vector, std::max<int64_t>(s->info_.n, 1));
  if (s->capacity_ < 1) {
    return absl::InvalidArgumentError(absl::StrCat("shuffle buffer: ", options.buffer_bytes,
                                                   " bytes cannot hold one vector of width ", s->d_));
  }
  s->values_.resize(s->capacity_ * s->d_);
  s->meta_.resize(s->capacity_);
  MONOSEM_RETURN_IF_ERROR(s->StartEpoch());
  return s;
}

absl::Status ShuffleBuffer::StartEpoch() {
  ++epoch_;
  rng_ = std::make_unique<Philox>(options_.seed, static_cast<uint64_t>(epoch_));
  const int64_t shards = static_cast<int64_t>(info_.shard_paths.size());
  shard_order_.resize(shards);
  for (int64_t i = 0; i < shards; ++i) shard_order_[i] = i;
  for (int64_t i = shards - 1; i > 0; --i) {
    std::swap(shard_order_[i], shard_order_[rng_->UniformInt(static_cast<uint32_t>(i + 1))]);
  }
  next_shard_ = 0;
  shard_.reset();
  block_values_.clear();
  block_meta_.clear();
  block_pos_ = 0;
  filled_ = 0;
  input_done_ = false;
  return absl::OkStatus();
}

absl::StatusOr<bool> ShuffleBuffer::Pull(int64_t slot) {
  while (block_pos_ >= static_cast<int64_t>(block_meta_.size())) {
    if (input_done_) return false;
    if (shard_ == nullptr) {
      if (next_shard_ >= shard_order_.size()) {
        input_done_ = true;
        return false;
      }
      MONOSEM_ASSIGN_OR_RETURN(shard_, ActivationShardReader::Open(
                                           info_.shard_paths[shard_order_[next_shard_++]]));
    }
    MONOSEM_ASSIGN_OR_RETURN(int64_t rows, shard_->ReadBlock(&block_values_, &block_meta_));
    block_pos_ = 0;
    if (rows == 0) shard_.reset();
  }
  std::memcpy(&values_[slot * d_], &block_values_[block_pos_ * d_], d_ * sizeof(float));
  meta_[slot] = block_meta_[block_pos_];
  ++block_pos_;
  return true;
}

absl::StatusOr<int64_t> ShuffleBuffer::NextBatch(Tensor* batch, std::vector<VectorMeta>* meta) {
  if (batch->rank() != 2 || batch->dim(0) != options_.batch_size || batch->dim(1) != d_) {
    *batch = Tensor::Uninitialized({options_.batch_size, d_});
  }
  meta->resize(options_.batch_size);
  int64_t rows = 0;
  while (rows < options_.batch_size) {
    while (filled_ < capacity_) {
      MONOSEM_ASSIGN_OR_RETURN(bool got, Pull(filled_));
      if (!got) break;
      ++filled_;
    }
    if (filled_ == 0) break;
    const int64_t j = rng_->UniformInt(static_cast<uint32_t>(filled_));
    std::memcpy(batch->data() + rows * d_, &values_[j * d_], d_ * sizeof(float));
    (*meta)[rows] = meta_[j];
    --filled_;
    if (j != filled_) {
      std::memcpy(&values_[j * d_], &values_[filled_ * d_], d_ * sizeof(float));
      meta_[j] = meta_[filled_];
    }
    ++rows;
  }
  meta->resize(rows);
  if (rows < options_.batch_size) {
    // The epoch is over: hand out what is left, then start the next one.
    if (rows == 0) MONOSEM_RETURN_IF_ERROR(StartEpoch());
    if (rows > 0) {
      Tensor shrunk = Tensor::Uninitialized({rows, d_});
      std::memcpy(shrunk.data(), batch->data(), rows * d_ * sizeof(float));
      *batch = std::move(shrunk);
    }
  }
  return rows;
}

}  // namespace monosem
