// Run configs are text protos (proto/config.proto). A malformed file is
// rejected with "FILE:LINE:COLUMN: what is wrong"; an unknown field is an
// error, not silently ignored.
#ifndef MONOSEM_CONFIG_H_
#define MONOSEM_CONFIG_H_

#include <string>

#include "absl/status/statusor.h"
#include "proto/config.pb.h"

namespace monosem {

absl::StatusOr<RunConfig> ParseRunConfig(const std::string& text, const std::string& filename);
absl::StatusOr<RunConfig> LoadRunConfig(const std::string& path);

}  // namespace monosem

#endif  // MONOSEM_CONFIG_H_
