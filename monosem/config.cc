#include "monosem/config.h"

#include "absl/strings/str_cat.h"
#include "monosem/io/file_io.h"
#include "monosem/status.h"
#include "monosem/textproto.h"

namespace monosem {
absl::StatusOr<RunConfig> ParseRunConfig(const std::string& text, const std::string& filename) {
  RunConfig config;
  MONOSEM_RETURN_IF_ERROR(ParseTextProto(text, filename, &config));
  return config;
}

absl::StatusOr<RunConfig> LoadRunConfig(const std::string& path) {
  MONOSEM_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  return ParseRunConfig(text, path);
}

}  // namespace monosem
