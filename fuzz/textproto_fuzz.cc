// Text-proto run configs: parse, then the range and memory validation every
// config file gets (monosem/config.h).
#include <cstddef>
#include <cstdint>
#include <string>

#include "monosem/config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto config = monosem::ParseRunConfig(text, "fuzz.textproto");
  if (config.ok()) (void)monosem::ValidateRunConfig(*config, "fuzz.textproto");
  return 0;
}
