// An activation store's manifest.json beside one valid shard
// (shard-00000.msact, 3 vectors of d 2): versions, labels, shard names
// (which must stay in the folder), sizes that disagree with the shards.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "fuzz/fuzz_file.h"
#include "monosem/data/activation_store.h"

namespace {

const std::string& StoreDir() {
  static const std::string* dir = [] {
    auto* d = new std::string(monosem::fuzz::ScratchDir() + "/store");
    monosem::ActivationStoreOptions o;
    o.dir = *d;
    o.d = 2;
    o.checkpoint_hash = "fuzz";
    auto w = monosem::ActivationStoreWriter::Create(o);
    if (!w.ok()) __builtin_trap();
    const std::vector<float> v = {1, 2, 3, 4, 5, 6};
    const std::vector<monosem::VectorMeta> meta(3);
    if (!(*w)->Append(v, meta).ok() || !(*w)->Finish().ok()) __builtin_trap();
    return d;
  }();
  return *dir;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string& dir = StoreDir();
  monosem::fuzz::WriteScratch("store/manifest.json", data, size);
  (void)monosem::OpenActivationStore(dir);
  return 0;
}
