// Helpers for harnesses whose parser reads a file (or a folder): the input is
// written to a per-process scratch folder first.
#ifndef MONOSEM_FUZZ_FUZZ_FILE_H_
#define MONOSEM_FUZZ_FUZZ_FILE_H_

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace monosem::fuzz {

// A folder of this process's own, created once (under $TMPDIR or /tmp).
inline const std::string& ScratchDir() {
  static const std::string* dir = [] {
    const char* tmp = std::getenv("TMPDIR");
    std::string d = std::string(tmp != nullptr ? tmp : "/tmp") + "/monosem_fuzz." + std::to_string(::getpid());
    std::string cmd = "mkdir -p '" + d + "'";
    if (std::system(cmd.c_str()) != 0) std::abort();
    return new std::string(d);
  }();
  return *dir;
}

// Writes `size` bytes to ScratchDir()/name and returns the path.
inline std::string WriteScratch(const std::string& name, const uint8_t* data, size_t size) {
  const std::string path = ScratchDir() + "/" + name;
  FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) std::abort();
  if (size > 0 && std::fwrite(data, 1, size, f) != size) std::abort();
  std::fclose(f);
  return path;
}

}  // namespace monosem::fuzz

#endif  // MONOSEM_FUZZ_FUZZ_FILE_H_
