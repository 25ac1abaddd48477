#include "monosem/models/sae/sae_sources.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "monosem/status.h"

namespace monosem::sae {

absl::StatusOr<std::unique_ptr<StoreSource>> StoreSource::Open(const std::string& dir,
                                                               uint64_t seed,
                                                               int64_t buffer_bytes,
                                                               float scale) {
  ShuffleBufferOptions o;
  o.buffer_bytes = buffer_bytes;
  o.batch_size = 4096;
  o.seed = seed;
  MONOSEM_ASSIGN_OR_RETURN(std::unique_ptr<ShuffleBuffer> buffer, ShuffleBuffer::Open(dir, o));
  if (buffer->info().n <= 0) {
    return absl::InvalidArgumentError(absl::StrCat("activation store ", dir, " holds no vectors"));
  }
  std::unique_ptr<StoreSource> s(new StoreSource());
  s->buffer_ = std::move(buffer);
  s->dir_ = dir;
  s->scale_ = scale;
  return s;
}

absl::Status StoreSource::Next(int64_t batch, Tensor* out) {
  const int64_t d = dim();
  if (out->rank() != 2 || out->dim(0) != batch || out->dim(1) != d) {
    return absl::InvalidArgumentError(absl::StrCat("store source: output must be [", batch, ", ", d,
                                                   "], got ", ShapeToString(out->shape())));
  }
  int64_t done = 0;
  int empty_reads = 0;
  while (done < batch) {
    if (chunk_pos_ == chunk_rows_) {
      MONOSEM_ASSIGN_OR_RETURN(chunk_rows_, buffer_->NextBatch(&chunk_, &meta_));
      chunk_pos_ = 0;
      if (chunk_rows_ == 0) {  // end of an epoch: the next call starts the next one
        if (++empty_reads > 1) {
          return absl::DataLossError(absl::StrCat("activation store ", dir_, " yielded no vectors"));
        }
        continue;
      }
      empty_reads = 0;
    }
    const int64_t take = std::min(batch - done, chunk_rows_ - chunk_pos_);
    const float* src = chunk_.data() + chunk_pos_ * d;
    float* dst = out->data() + done * d;
    bool finite = true;
    for (int64_t t = 0; t < take * d; ++t) {
      dst[t] = src[t] * scale_;
      finite &= std::isfinite(src[t]);
    }
    if (!finite) {  // name the first bad vector by where it was harvested
      for (int64_t t = 0; t < take * d; ++t) {
        if (std::isfinite(src[t])) continue;
        const VectorMeta& m = meta_[chunk_pos_ + t / d];
        return absl::DataLossError(absl::StrCat(
            "activation store ", dir_, ": the vector of context ", m.context, " position ",
            m.position, " has ", src[t], " in column ", t % d, " (activations must be finite)"));
      }
    }
    chunk_pos_ += take;
    done += take;
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<TensorSource>> TensorSource::Create(Tensor data, float scale) {
  if (data.rank() != 2 || data.dim(0) <= 0 || data.dim(1) <= 0) {
    return absl::InvalidArgumentError(absl::StrCat("tensor source: need a non-empty [N, d] matrix, got ",
                                                   ShapeToString(data.shape())));
  }
  return std::unique_ptr<TensorSource>(new TensorSource(std::move(data), scale));
}

absl::Status TensorSource::Next(int64_t batch, Tensor* out) {
  const int64_t n = data_.dim(0), d = data_.dim(1);
  if (out->rank() != 2 || out->dim(0) != batch || out->dim(1) != d) {
    return absl::InvalidArgumentError(absl::StrCat("tensor source: output must be [", batch, ", ", d,
                                                   "], got ", ShapeToString(out->shape())));
  }
  for (int64_t r = 0; r < batch; ++r) {
    const float* src = data_.data() + pos_ * d;
    float* dst = out->data() + r * d;
    for (int64_t j = 0; j < d; ++j) dst[j] = src[j] * scale_;
    pos_ = pos_ + 1 == n ? 0 : pos_ + 1;
  }
  return absl::OkStatus();
}

absl::StatusOr<float> NormScale(BatchSource& src, int64_t n) {
  if (n <= 0) return absl::InvalidArgumentError("norm scale: sample size must be positive");
  const int64_t d = src.dim();
  Tensor x({n, d});
  MONOSEM_RETURN_IF_ERROR(src.Next(n, &x));
  double sum = 0;
  for (int64_t r = 0; r < n; ++r) {
    double nn = 0;
    for (int64_t j = 0; j < d; ++j) nn += static_cast<double>(x[r * d + j]) * x[r * d + j];
    sum += std::sqrt(nn);
  }
  const double mean = sum / n;
  if (!(mean > 0) || !std::isfinite(mean)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "norm scale: the mean norm of ", n, " sampled vectors is ", mean,
        " (all zero or non-finite), so the activations cannot be normalised"));
  }
  return static_cast<float>(std::sqrt(static_cast<double>(d)) / mean);
}

}  // namespace monosem::sae
