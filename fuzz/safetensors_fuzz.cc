// safetensors: header length, JSON header, offsets, dtypes, duplicate names,
// non-finite values. Any input must give a tensor set or an error, never a
// crash, a sanitizer report or an allocation the file cannot back.
#include <cstddef>
#include <cstdint>

#include "monosem/io/safetensors.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto parsed = monosem::ParseSafetensors(
      absl::string_view(reinterpret_cast<const char*>(data), size), "fuzz.safetensors");
  if (parsed.ok()) {
    // A parsed file serializes back (names, shapes and values are valid).
    auto again = monosem::SerializeSafetensors(parsed->tensors, parsed->metadata);
    if (!again.ok()) __builtin_trap();
  }
  return 0;
}
