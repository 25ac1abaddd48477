// The real-text loaders: the first byte picks plain text, JSONL (text and
// meta.pile_set_name fields) or JSONL inside zstd; the rest is the file.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz/fuzz_file.h"
#include "monosem/data/text_loader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  static const char* kNames[] = {"doc.txt", "doc.jsonl", "doc.jsonl.zst"};
  const std::string path = monosem::fuzz::WriteScratch(kNames[data[0] % 3], data + 1, size - 1);
  monosem::TextLoadOptions o;
  o.genre_field = "meta.pile_set_name";
  o.max_bytes = 1 << 20;
  (void)monosem::LoadText(path, o);
  return 0;
}
