// File helpers. Every output monosem writes goes through WriteFileAtomic:
// a temporary file in the same folder, flushed and fsync'ed, then renamed over
// the target, so a crash or a full disk never leaves a half-written file.
#ifndef MONOSEM_IO_FILE_IO_H_
#define MONOSEM_IO_FILE_IO_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace monosem {

absl::StatusOr<std::string> ReadFile(const std::string& path);
// ReadFile for inputs a user names (configs, cfg.json, trainer.json): refuses
// a file over `max_bytes` after reading at most max_bytes + 1 of it, so that
// `--config /dev/zero` or a multi-gigabyte file fails at once with its name
// and the bound instead of filling memory.
absl::StatusOr<std::string> ReadFileBounded(const std::string& path, int64_t max_bytes);
// The bound for configs and JSON side files: far above any real one.
inline constexpr int64_t kMaxConfigBytes = int64_t{64} << 20;
absl::Status WriteFileAtomic(const std::string& path, absl::string_view contents);
// mkdir -p.
absl::Status MakeDirs(const std::string& path);

}  // namespace monosem

#endif  // MONOSEM_IO_FILE_IO_H_
