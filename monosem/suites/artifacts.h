// Typed hand-offs between reproduce suites (proto/artifacts.proto). One
// reader and one writer per message, so that the suite that leaves a file and
// the suite that picks it up cannot disagree on its format. Files are
// protobuf JSON, like results.json: readable by people and by any protobuf
// library, and written atomically (temporary file, then rename).
#ifndef MONOSEM_SUITES_ARTIFACTS_H_
#define MONOSEM_SUITES_ARTIFACTS_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "proto/artifacts.pb.h"

namespace monosem {

// OUT/transformer_manifest.json.
std::string TransformerManifestPath(const std::string& out_dir);

// Writes `manifest` to `path` atomically.
absl::Status WriteTransformerManifest(const std::string& path,
                                      const TransformerManifest& manifest);

// Reads `path`. A file that is not the message's JSON, or a model without a
// checkpoint, hash or activation store, is InvalidArgument naming the file
// and the field.
absl::StatusOr<TransformerManifest> ReadTransformerManifest(const std::string& path);

}  // namespace monosem

#endif  // MONOSEM_SUITES_ARTIFACTS_H_
