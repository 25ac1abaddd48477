// One activation-store shard: fixed header, JSON header, blocks (float32 or
// bf16), their checksums and the trailer, read to the end.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "fuzz/fuzz_file.h"
#include "monosem/data/activation_store.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = monosem::fuzz::WriteScratch("shard-00000.msact", data, size);
  auto reader = monosem::ActivationShardReader::Open(path);
  if (!reader.ok()) return 0;
  std::vector<float> values;
  std::vector<monosem::VectorMeta> meta;
  for (int blocks = 0; blocks < 1024; ++blocks) {
    auto rows = (*reader)->ReadBlock(&values, &meta);
    if (!rows.ok() || *rows == 0) break;
  }
  return 0;
}
