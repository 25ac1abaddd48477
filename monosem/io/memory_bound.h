// Sizes checked against the machine before allocating: a run whose memory
// estimate exceeds what the machine has available is refused with the
// estimate in the message, instead of dying later in std::bad_alloc (or being
// killed by the OOM killer half-way through).
#ifndef MONOSEM_IO_MEMORY_BOUND_H_
#define MONOSEM_IO_MEMORY_BOUND_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"

namespace monosem {

// MemAvailable from /proc/meminfo in bytes; -1 where it cannot be read (then
// nothing is refused on this ground).
int64_t AvailableMemoryBytes();

// OK when `estimate_bytes` (a double: estimates of absurd configs overflow
// int64) fits in the memory available; else InvalidArgument naming `what`
// (e.g. "run.textproto: sae train"), the estimate and the memory available.
absl::Status CheckMemoryEstimate(double estimate_bytes, const std::string& what);

// "1.5 GiB"-style sizes for messages.
std::string HumanBytes(double bytes);

}  // namespace monosem

#endif  // MONOSEM_IO_MEMORY_BOUND_H_
