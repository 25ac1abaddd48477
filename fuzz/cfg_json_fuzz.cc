// A SAELens folder's cfg.json (architecture, d_in/d_sae, k in either key,
// dtype, normalisation flags, our "monosem" spec) beside a fixed, valid
// sae_weights.safetensors for a ReLU SAE with d_in 4, d_sae 8.
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>

#include "fuzz/fuzz_file.h"
#include "monosem/io/safetensors.h"
#include "monosem/models/sae/sae_io.h"

namespace {

void WriteWeightsOnce() {
  static bool done = [] {
    std::map<std::string, monosem::Tensor> t;
    t.emplace("W_enc", monosem::Tensor({4, 8}));
    t.emplace("W_dec", monosem::Tensor({8, 4}));
    t.emplace("b_enc", monosem::Tensor({8}));
    t.emplace("b_dec", monosem::Tensor({4}));
    t.emplace("threshold", monosem::Tensor({8}));
    if (!monosem::WriteSafetensors(monosem::fuzz::ScratchDir() + "/sae_weights.safetensors", t).ok()) {
      __builtin_trap();
    }
    return true;
  }();
  (void)done;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  WriteWeightsOnce();
  monosem::fuzz::WriteScratch("cfg.json", data, size);
  (void)monosem::sae::LoadSaeLens(monosem::fuzz::ScratchDir());
  return 0;
}
