// An SAE checkpoint's trainer.json as SaeTrainer::Resume reads it: the JSON
// object, the spec, the options (with their ranges) and the counters.
#include <cstddef>
#include <cstdint>
#include <string>

#include "monosem/models/sae/sae_json.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace sae = monosem::sae;
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto j = sae::ParseJsonObject(text, "trainer.json");
  if (!j.ok()) return 0;
  if (j->contains("spec")) (void)sae::SpecFromJson((*j)["spec"], "trainer.json: spec");
  if (j->contains("options")) (void)sae::OptionsFromJson((*j)["options"], "trainer.json: options");
  int64_t step = 0;
  uint64_t seed = 0;
  std::string backend;
  (void)sae::JsonInt(*j, "step", "trainer.json", &step);
  (void)sae::JsonUint(*j, "seed", "trainer.json", &seed);
  (void)sae::JsonString(*j, "backend", "trainer.json", &backend);
  return 0;
}
