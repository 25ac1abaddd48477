// JSON forms of an SaeSpec and TrainOptions, shared by the training
// checkpoint (trainer.json) and the SAELens folder's "monosem" object, and
// typed field readers whose errors name the file and the field.
//
// Floats are written as the double they convert to exactly; nlohmann prints
// doubles in their shortest round-trip form, so every value reloads bitwise.
#ifndef MONOSEM_MODELS_SAE_SAE_JSON_H_
#define MONOSEM_MODELS_SAE_SAE_JSON_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "monosem/models/sae/sae.h"
#include "monosem/models/sae/sae_kernels.h"
#include "nlohmann/json.hpp"

namespace monosem::sae {

nlohmann::json SpecToJson(const SaeSpec& s);
// `where` (e.g. "DIR/trainer.json: spec") prefixes every error.
absl::StatusOr<SaeSpec> SpecFromJson(const nlohmann::json& j, const std::string& where);

nlohmann::json OptionsToJson(const TrainOptions& o);
absl::StatusOr<TrainOptions> OptionsFromJson(const nlohmann::json& j, const std::string& where);

// Field readers: NotFound / InvalidArgument "WHERE: field 'KEY' ...".
absl::Status JsonInt(const nlohmann::json& j, const char* key, const std::string& where, int64_t* out);
absl::Status JsonUint(const nlohmann::json& j, const char* key, const std::string& where, uint64_t* out);
absl::Status JsonDouble(const nlohmann::json& j, const char* key, const std::string& where, double* out);
absl::Status JsonFloat(const nlohmann::json& j, const char* key, const std::string& where, float* out);
absl::Status JsonBool(const nlohmann::json& j, const char* key, const std::string& where, bool* out);
absl::Status JsonString(const nlohmann::json& j, const char* key, const std::string& where,
                        std::string* out);
// A list of integers (matryoshka_widths).
absl::StatusOr<std::vector<int64_t>> JsonWidths(const nlohmann::json& j, const char* key,
                                                const std::string& where);

// Parses `text` as a JSON object; `file` names it in errors.
absl::StatusOr<nlohmann::json> ParseJsonObject(const std::string& text, const std::string& file);

// Writes a whole folder or nothing: `write` fills DIR.partial, which then
// replaces DIR (DIR -> DIR.old, DIR.partial -> DIR, DIR.old removed). On any
// error DIR.partial is removed and an existing DIR is left as it was.
absl::Status WriteFolderAtomic(const std::string& dir,
                               const std::function<absl::Status(const std::string& partial)>& write);

}  // namespace monosem::sae

#endif  // MONOSEM_MODELS_SAE_SAE_JSON_H_
