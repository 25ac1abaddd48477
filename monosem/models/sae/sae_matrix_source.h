// Training vectors from a float32 matrix [N, d] in a safetensors file: the
// rows in a seeded shuffled order, a fresh permutation each epoch, cycling
// forever. The order is a pure function of (seed, position), so Skip is
// cheap and a resumed run sees the rows an uninterrupted one would.
#ifndef MONOSEM_MODELS_SAE_SAE_MATRIX_SOURCE_H_
#define MONOSEM_MODELS_SAE_SAE_MATRIX_SOURCE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "monosem/models/sae/sae.h"
#include "monosem/tensor.h"

namespace monosem::sae {

class SafetensorsMatrixSource : public BatchSource {
 public:
  // tensor_name "" takes the file's only tensor. Errors name the file: a bad
  // header, a missing tensor (or several when none is named), a dtype other
  // than F32, a tensor that is not 2-D, zero rows or zero columns.
  static absl::StatusOr<SafetensorsMatrixSource> Open(const std::string& path,
                                                      const std::string& tensor_name = "",
                                                      uint64_t seed = 1);
  int64_t dim() const override { return data_.dim(1); }
  int64_t rows() const { return data_.dim(0); }
  absl::Status Next(int64_t batch, Tensor* out) override;
  absl::Status Skip(int64_t n) override;
  int64_t position() const { return pos_; }

 private:
  // The permutation of rows for `epoch` (Fisher-Yates on Philox(seed, epoch)).
  void Shuffle(int64_t epoch);

  std::string path_;
  Tensor data_;
  uint64_t seed_ = 1;
  int64_t pos_ = 0;  // vectors delivered (or skipped) so far
  int64_t epoch_ = -1;
  std::vector<int64_t> order_;
};

}  // namespace monosem::sae

#endif  // MONOSEM_MODELS_SAE_SAE_MATRIX_SOURCE_H_
