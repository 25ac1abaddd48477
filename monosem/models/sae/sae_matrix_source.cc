#include "monosem/models/sae/sae_matrix_source.h"

#include <cmath>

#include <cstring>
#include <numeric>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "monosem/io/safetensors.h"
#include "monosem/philox.h"
#include "monosem/status.h"

namespace monosem::sae {

absl::StatusOr<SafetensorsMatrixSource> SafetensorsMatrixSource::Open(const std::string& path,
                                                                      const std::string& tensor_name,
                                                                      uint64_t seed) {
  // The reader's errors (bad header, non-F32 dtype, truncation) name the file.
  MONOSEM_ASSIGN_OR_RETURN(Safetensors file, ReadSafetensors(path));
  Tensor* t = nullptr;
  std::string name = tensor_name;
  if (name.empty()) {
    if (file.tensors.size() != 1) {
      std::vector<std::string> names;
      for (const auto& [n, unused] : file.tensors) names.push_back(n);
      return absl::InvalidArgumentError(absl::StrCat(
          path, ": holds ", file.tensors.size(), " tensors (", absl::StrJoin(names, ", "),
          "); name the one with the training vectors"));
    }
    name = file.tensors.begin()->first;
    t = &file.tensors.begin()->second;
  } else {
    MONOSEM_ASSIGN_OR_RETURN(t, FindTensor(file, name, path));
  }
  if (t->rank() != 2) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": tensor '", name, "' has shape ",
                                                   ShapeToString(t->shape()),
                                                   ", expected a 2-D matrix [rows, d]"));
  }
  if (t->dim(0) == 0 || t->dim(1) == 0) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": tensor '", name, "' has shape ",
                                                   ShapeToString(t->shape()), ": no training vectors"));
  }
  // Non-finite data would make training and every metric NaN without an
  // error: the first bad row is named.
  const int64_t d = t->dim(1);
  for (int64_t i = 0; i < t->size(); ++i) {
    if (!std::isfinite((*t)[i])) {
      return absl::InvalidArgumentError(absl::StrCat(path, ": tensor '", name, "' row ", i / d,
                                                     " column ", i % d, " is ", (*t)[i],
                                                     " (the data must be finite)"));
    }
  }
  SafetensorsMatrixSource s;
  s.path_ = path;
  s.data_ = std::move(*t);
  s.seed_ = seed;
  return s;
}

void SafetensorsMatrixSource::Shuffle(int64_t epoch) {
  const int64_t n = rows();
  order_.resize(n);
  std::iota(order_.begin(), order_.end(), int64_t{0});
  const Philox rng(seed_, static_cast<uint64_t>(epoch));
  for (int64_t i = n - 1; i > 0; --i) {
    const PhiloxBlock b = rng.Block(static_cast<uint64_t>(i));
    const uint64_t r = (static_cast<uint64_t>(b[0]) << 32) | b[1];
    std::swap(order_[i], order_[r % static_cast<uint64_t>(i + 1)]);
  }
  epoch_ = epoch;
}

absl::Status SafetensorsMatrixSource::Next(int64_t batch, Tensor* out) {
  const int64_t d = dim(), n = rows();
  if (out->rank() != 2 || out->dim(0) != batch || out->dim(1) != d) {
    return absl::InvalidArgumentError(absl::StrCat(path_, ": output has shape ",
                                                   ShapeToString(out->shape()), ", expected [",
                                                   batch, ", ", d, "]"));
  }
  for (int64_t b = 0; b < batch; ++b, ++pos_) {
    if (pos_ / n != epoch_) Shuffle(pos_ / n);
    std::memcpy(out->data() + b * d, data_.data() + order_[pos_ % n] * d, d * sizeof(float));
  }
  return absl::OkStatus();
}

absl::Status SafetensorsMatrixSource::Skip(int64_t n) {
  if (n < 0) return absl::InvalidArgumentError(absl::StrCat(path_, ": cannot skip ", n, " vectors"));
  pos_ += n;  // the permutation of the new epoch is made when a row is read
  return absl::OkStatus();
}

}  // namespace monosem::sae
