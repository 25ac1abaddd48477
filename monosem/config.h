// Run configs are text protos (proto/config.proto). A malformed file is
// rejected with "FILE:LINE:COLUMN: what is wrong"; an unknown field is an
// error, not silently ignored.
//
// LoadRunConfig is the one place a config file is read: the file is read
// with a size bound, parsed, and every field range-checked by
// ValidateRunConfig, whose errors name the file, the field, the bad value and
// the allowed range ("run.textproto: transformer.n_heads is 0; allowed: an
// integer >= 1"). Fields have explicit presence: unset takes the model's or
// suite's default, 0 never means "unset". The sizes a config asks for are
// checked against the machine's available memory before anything is
// allocated.
#ifndef MONOSEM_CONFIG_H_
#define MONOSEM_CONFIG_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "proto/config.pb.h"

namespace monosem {

// Parses only (no range checks): for tests and callers that validate later.
absl::StatusOr<RunConfig> ParseRunConfig(const std::string& text, const std::string& filename);
// Reads (at most kMaxConfigBytes), parses and validates.
absl::StatusOr<RunConfig> LoadRunConfig(const std::string& path);

// Every field's range, cross-field constraints (n_hidden <= n_features, one
// importance spec, d_model a multiple of n_heads, train fields the model does
// not use) and a memory estimate of the run the config describes, refused
// above /proc/meminfo's MemAvailable. InvalidArgument naming `filename`.
absl::Status ValidateRunConfig(const RunConfig& config, const std::string& filename);

}  // namespace monosem

#endif  // MONOSEM_CONFIG_H_
