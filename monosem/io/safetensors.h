// safetensors (https://github.com/huggingface/safetensors, the format spec):
// 8-byte little-endian header length N, N bytes of JSON
//   {"name": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, ...,
//    "__metadata__": {"key": "value"}}
// then the raw little-endian data; offsets are relative to the data section.
// monosem reads and writes named float32 tensors only; any other dtype, a bad
// header, offsets outside the file or a missing tensor is an error naming the
// file. Writes are atomic (monosem/io/file_io.h).
#ifndef MONOSEM_IO_SAFETENSORS_H_
#define MONOSEM_IO_SAFETENSORS_H_

#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "monosem/tensor.h"

namespace monosem {

struct Safetensors {
  std::map<std::string, Tensor> tensors;
  std::map<std::string, std::string> metadata;
};

// In memory. `name` (a file name) prefixes every error.
absl::StatusOr<std::string> SerializeSafetensors(const std::map<std::string, Tensor>& tensors,
                                                 const std::map<std::string, std::string>& metadata = {});
absl::StatusOr<Safetensors> ParseSafetensors(absl::string_view bytes, const std::string& name);

absl::Status WriteSafetensors(const std::string& path, const std::map<std::string, Tensor>& tensors,
                              const std::map<std::string, std::string>& metadata = {});
absl::StatusOr<Safetensors> ReadSafetensors(const std::string& path);

// The tensor `name` from a parsed file, or NotFound naming file and tensor.
absl::StatusOr<Tensor*> FindTensor(Safetensors& file, const std::string& name,
                                   const std::string& filename);

}  // namespace monosem

#endif  // MONOSEM_IO_SAFETENSORS_H_
