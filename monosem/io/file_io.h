// File helpers. Every output monosem writes goes through WriteFileAtomic:
// a temporary file in the same folder, flushed and fsync'ed, then renamed over
// the target, so a crash or a full disk never leaves a half-written file.
#ifndef MONOSEM_IO_FILE_IO_H_
#define MONOSEM_IO_FILE_IO_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace monosem {

absl::StatusOr<std::string> ReadFile(const std::string& path);
absl::Status WriteFileAtomic(const std::string& path, absl::string_view contents);
// mkdir -p.
absl::Status MakeDirs(const std::string& path);

}  // namespace monosem

#endif  // MONOSEM_IO_FILE_IO_H_
