#include "monosem/suites/artifacts.h"

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/json_util.h"
#include "monosem/io/file_io.h"
#include "monosem/status.h"

namespace monosem {
namespace {

absl::Status WriteProtoJson(const std::string& path, const google::protobuf::Message& m) {
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  // Unset fields stay out (proto3 reads them back as their defaults): a
  // config's unset AdamW betas would otherwise read as "beta1: 0".
  options.preserve_proto_field_names = true;
  std::string json;
  if (auto s = google::protobuf::util::MessageToJsonString(m, &json, options); !s.ok()) {
    return absl::InternalError(absl::StrCat("cannot encode ", path, ": ", s.ToString()));
  }
  return WriteFileAtomic(path, json);
}

absl::Status ReadProtoJson(const std::string& path, google::protobuf::Message* m) {
  MONOSEM_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  // Unknown fields are errors: a misspelt field must not read as "absent".
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  if (auto s = google::protobuf::util::JsonStringToMessage(text, m, options); !s.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": not a ", m->GetTypeName(), " in JSON: ", s.ToString()));
  }
  return absl::OkStatus();
}

}  // namespace

std::string TransformerManifestPath(const std::string& out_dir) {
  return (std::filesystem::path(out_dir) / "transformer_manifest.json").string();
}

absl::Status WriteTransformerManifest(const std::string& path,
                                      const TransformerManifest& manifest) {
  return WriteProtoJson(path, manifest);
}

absl::StatusOr<TransformerManifest> ReadTransformerManifest(const std::string& path) {
  TransformerManifest m;
  MONOSEM_RETURN_IF_ERROR(ReadProtoJson(path, &m));
  for (int i = 0; i < m.models_size(); ++i) {
    const TransformerArtifact& a = m.models(i);
    for (const auto& [field, value] : {std::pair<const char*, const std::string&>{"name", a.name()},
                                       {"checkpoint", a.checkpoint()},
                                       {"checkpoint_hash", a.checkpoint_hash()},
                                       {"activations", a.activations()}}) {
      if (value.empty()) {
        return absl::InvalidArgumentError(
            absl::StrCat(path, ": models[", i, "].", field, " is missing"));
      }
    }
  }
  return m;
}

}  // namespace monosem
