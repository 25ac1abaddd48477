#include "monosem/io/memory_bound.h"

#include <cmath>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace monosem {

int64_t AvailableMemoryBytes() {
  std::ifstream in("/proc/meminfo");
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string key;
    int64_t kib = 0;
    if (fields >> key >> kib && key == "MemAvailable:") return kib * 1024;
  }
  return -1;
}

std::string HumanBytes(double bytes) {
  static const char* kUnits[] = {"bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  int u = 0;
  while (bytes >= 1024 && u < 6) {
    bytes /= 1024;
    ++u;
  }
  return u == 0 ? absl::StrCat(static_cast<int64_t>(bytes), " bytes")
                : absl::StrFormat("%.3g %s", bytes, kUnits[u]);
}

absl::Status CheckMemoryEstimate(double estimate_bytes, const std::string& what) {
  const int64_t available = AvailableMemoryBytes();
  // NaN or inf can only come from an absurd size: refuse it too.
  if (available < 0 && std::isfinite(estimate_bytes)) return absl::OkStatus();
  if (std::isfinite(estimate_bytes) && estimate_bytes <= static_cast<double>(available)) {
    return absl::OkStatus();
  }
  return absl::InvalidArgumentError(absl::StrCat(
      what, ": needs an estimated ", HumanBytes(estimate_bytes), " of memory, more than the ",
      available < 0 ? std::string("addressable") : HumanBytes(static_cast<double>(available)),
      " available (/proc/meminfo MemAvailable); make the sizes smaller"));
}

}  // namespace monosem
