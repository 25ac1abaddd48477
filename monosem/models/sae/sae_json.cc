#include "monosem/models/sae/sae_json.h"

#include <cmath>
#include <filesystem>
#include <system_error>

#include "absl/strings/str_cat.h"
#include "monosem/io/file_io.h"
#include "monosem/status.h"

namespace monosem::sae {
namespace {

absl::StatusOr<const nlohmann::json*> Field(const nlohmann::json& j, const char* key,
                                            const std::string& where) {
  if (!j.is_object()) return absl::InvalidArgumentError(absl::StrCat(where, ": not a JSON object"));
  auto it = j.find(key);
  if (it == j.end()) return absl::NotFoundError(absl::StrCat(where, ": field '", key, "' is missing"));
  return &*it;
}

absl::Status Wrong(const std::string& where, const char* key, const char* want,
                   const nlohmann::json& got) {
  return absl::InvalidArgumentError(
      absl::StrCat(where, ": field '", key, "' must be ", want, ", got ", got.dump()));
}

}  // namespace

absl::Status JsonInt(const nlohmann::json& j, const char* key, const std::string& where, int64_t* out) {
  MONOSEM_ASSIGN_OR_RETURN(const nlohmann::json* v, Field(j, key, where));
  if (!v->is_number_integer()) return Wrong(where, key, "an integer", *v);
  *out = v->get<int64_t>();
  return absl::OkStatus();
}

absl::Status JsonUint(const nlohmann::json& j, const char* key, const std::string& where, uint64_t* out) {
  MONOSEM_ASSIGN_OR_RETURN(const nlohmann::json* v, Field(j, key, where));
  if (!v->is_number_unsigned()) return Wrong(where, key, "a non-negative integer", *v);
  *out = v->get<uint64_t>();
  return absl::OkStatus();
}

absl::Status JsonDouble(const nlohmann::json& j, const char* key, const std::string& where, double* out) {
  MONOSEM_ASSIGN_OR_RETURN(const nlohmann::json* v, Field(j, key, where));
  if (!v->is_number()) return Wrong(where, key, "a number", *v);
  *out = v->get<double>();
  return absl::OkStatus();
}

absl::Status JsonFloat(const nlohmann::json& j, const char* key, const std::string& where, float* out) {
  double d = 0;
  MONOSEM_RETURN_IF_ERROR(JsonDouble(j, key, where, &d));
  *out = static_cast<float>(d);
  return absl::OkStatus();
}

absl::Status JsonBool(const nlohmann::json& j, const char* key, const std::string& where, bool* out) {
  MONOSEM_ASSIGN_OR_RETURN(const nlohmann::json* v, Field(j, key, where));
  if (!v->is_boolean()) return Wrong(where, key, "true or false", *v);
  *out = v->get<bool>();
  return absl::OkStatus();
}

absl::Status JsonString(const nlohmann::json& j, const char* key, const std::string& where,
                        std::string* out) {
  MONOSEM_ASSIGN_OR_RETURN(const nlohmann::json* v, Field(j, key, where));
  if (!v->is_string()) return Wrong(where, key, "a string", *v);
  *out = v->get<std::string>();
  return absl::OkStatus();
}

absl::StatusOr<nlohmann::json> ParseJsonObject(const std::string& text, const std::string& file) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const std::exception& e) {
    return absl::InvalidArgumentError(absl::StrCat(file, ": not valid JSON: ", e.what()));
  }
  if (!j.is_object()) {
    return absl::InvalidArgumentError(absl::StrCat(file, ": the top level must be a JSON object, got ",
                                                   j.type_name()));
  }
  return j;
}

absl::StatusOr<std::vector<int64_t>> JsonWidths(const nlohmann::json& j, const char* key,
                                                const std::string& where) {
  MONOSEM_ASSIGN_OR_RETURN(const nlohmann::json* v, Field(j, key, where));
  if (!v->is_array()) return Wrong(where, key, "a list of integers", *v);
  std::vector<int64_t> out;
  for (const nlohmann::json& e : *v) {
    if (!e.is_number_integer()) return Wrong(where, key, "a list of integers", *v);
    out.push_back(e.get<int64_t>());
  }
  return out;
}

nlohmann::json SpecToJson(const SaeSpec& s) {
  nlohmann::json j = nlohmann::json::object();
  j["arch"] = ArchName(s.arch);
  j["d"] = s.d;
  j["f"] = s.f;
  j["k"] = s.k;
  j["l1"] = static_cast<double>(s.l1);
  j["k_aux"] = s.k_aux;
  j["aux_coef"] = static_cast<double>(s.aux_coef);
  j["bandwidth"] = static_cast<double>(s.bandwidth);
  // Only where it is used, so every other architecture's JSON is unchanged.
  if (s.arch == Arch::kMatryoshkaBatchTopK) j["matryoshka_widths"] = s.prefix_widths;
  return j;
}

absl::StatusOr<SaeSpec> SpecFromJson(const nlohmann::json& j, const std::string& where) {
  SaeSpec s;
  std::string arch;
  MONOSEM_RETURN_IF_ERROR(JsonString(j, "arch", where, &arch));
  auto a = ParseArch(arch);
  if (!a.ok()) return absl::InvalidArgumentError(absl::StrCat(where, ": field 'arch': ", a.status().message()));
  s.arch = *a;
  MONOSEM_RETURN_IF_ERROR(JsonInt(j, "d", where, &s.d));
  MONOSEM_RETURN_IF_ERROR(JsonInt(j, "f", where, &s.f));
  MONOSEM_RETURN_IF_ERROR(JsonInt(j, "k", where, &s.k));
  MONOSEM_RETURN_IF_ERROR(JsonFloat(j, "l1", where, &s.l1));
  MONOSEM_RETURN_IF_ERROR(JsonInt(j, "k_aux", where, &s.k_aux));
  MONOSEM_RETURN_IF_ERROR(JsonFloat(j, "aux_coef", where, &s.aux_coef));
  MONOSEM_RETURN_IF_ERROR(JsonFloat(j, "bandwidth", where, &s.bandwidth));
  if (s.arch == Arch::kMatryoshkaBatchTopK) {
    MONOSEM_ASSIGN_OR_RETURN(s.prefix_widths, JsonWidths(j, "matryoshka_widths", where));
  }
  if (absl::Status v = ValidateSpec(s); !v.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(where, ": ", v.message()));
  }
  return s;
}

nlohmann::json OptionsToJson(const TrainOptions& o) {
  nlohmann::json j = nlohmann::json::object();
  j["steps"] = o.steps;
  j["batch"] = o.batch;
  j["lr"] = static_cast<double>(o.adam.lr);
  j["beta1"] = static_cast<double>(o.adam.beta1);
  j["beta2"] = static_cast<double>(o.adam.beta2);
  j["eps"] = static_cast<double>(o.adam.eps);
  j["seed"] = o.seed;
  j["geometric_median_init"] = o.geometric_median_init;
  j["geometric_median_sample"] = o.geometric_median_sample;
  j["encoder_from_decoder"] = o.encoder_from_decoder;
  j["unit_norm_decoder"] = o.unit_norm_decoder;
  j["jumprelu_init_threshold"] = static_cast<double>(o.jumprelu_init_threshold);
  j["dead_tokens"] = o.dead_tokens;
  j["resample"] = o.resample;
  j["resample_pool"] = o.resample_pool;
  j["batch_topk_threshold_decay"] = o.batch_topk_threshold_decay;
  return j;
}

absl::StatusOr<TrainOptions> OptionsFromJson(const nlohmann::json& j, const std::string& where) {
  TrainOptions o;
  MONOSEM_RETURN_IF_ERROR(JsonInt(j, "steps", where, &o.steps));
  MONOSEM_RETURN_IF_ERROR(JsonInt(j, "batch", where, &o.batch));
  MONOSEM_RETURN_IF_ERROR(JsonFloat(j, "lr", where, &o.adam.lr));
  MONOSEM_RETURN_IF_ERROR(JsonFloat(j, "beta1", where, &o.adam.beta1));
  MONOSEM_RETURN_IF_ERROR(JsonFloat(j, "beta2", where, &o.adam.beta2));
  MONOSEM_RETURN_IF_ERROR(JsonFloat(j, "eps", where, &o.adam.eps));
  MONOSEM_RETURN_IF_ERROR(JsonUint(j, "seed", where, &o.seed));
  MONOSEM_RETURN_IF_ERROR(JsonBool(j, "geometric_median_init", where, &o.geometric_median_init));
  MONOSEM_RETURN_IF_ERROR(JsonInt(j, "geometric_median_sample", where, &o.geometric_median_sample));
  MONOSEM_RETURN_IF_ERROR(JsonBool(j, "encoder_from_decoder", where, &o.encoder_from_decoder));
  MONOSEM_RETURN_IF_ERROR(JsonBool(j, "unit_norm_decoder", where, &o.unit_norm_decoder));
  MONOSEM_RETURN_IF_ERROR(JsonFloat(j, "jumprelu_init_threshold", where, &o.jumprelu_init_threshold));
  MONOSEM_RETURN_IF_ERROR(JsonInt(j, "dead_tokens", where, &o.dead_tokens));
  MONOSEM_RETURN_IF_ERROR(JsonBool(j, "resample", where, &o.resample));
  MONOSEM_RETURN_IF_ERROR(JsonInt(j, "resample_pool", where, &o.resample_pool));
  MONOSEM_RETURN_IF_ERROR(JsonDouble(j, "batch_topk_threshold_decay", where, &o.batch_topk_threshold_decay));
  // A hand-edited file gets the ranges a config gets.
  auto bad = [&where](const char* field, double v, const char* allowed) {
    return absl::InvalidArgumentError(absl::StrCat(where, ": field '", field, "' is ", v, "; allowed: ", allowed));
  };
  if (o.steps < 1) return bad("steps", o.steps, ">= 1");
  if (o.batch < 1) return bad("batch", o.batch, ">= 1");
  if (!(std::isfinite(o.adam.lr) && o.adam.lr > 0)) return bad("lr", o.adam.lr, "finite and > 0");
  if (!(o.adam.beta1 >= 0 && o.adam.beta1 < 1)) return bad("beta1", o.adam.beta1, "[0, 1)");
  if (!(o.adam.beta2 >= 0 && o.adam.beta2 < 1)) return bad("beta2", o.adam.beta2, "[0, 1)");
  if (!(std::isfinite(o.adam.eps) && o.adam.eps > 0)) return bad("eps", o.adam.eps, "finite and > 0");
  if (o.geometric_median_sample < 0) return bad("geometric_median_sample", o.geometric_median_sample, ">= 0");
  if (o.dead_tokens < 0) return bad("dead_tokens", o.dead_tokens, ">= 0");
  if (o.resample_pool < 0) return bad("resample_pool", o.resample_pool, ">= 0");
  if (!(o.batch_topk_threshold_decay >= 0 && o.batch_topk_threshold_decay <= 1)) {
    return bad("batch_topk_threshold_decay", o.batch_topk_threshold_decay, "[0, 1]");
  }
  if (!std::isfinite(o.jumprelu_init_threshold)) {
    return bad("jumprelu_init_threshold", o.jumprelu_init_threshold, "finite");
  }
  return o;
}

absl::Status WriteFolderAtomic(const std::string& dir_in,
                               const std::function<absl::Status(const std::string& partial)>& write) {
  namespace fs = std::filesystem;
  std::string dir = fs::path(dir_in).lexically_normal().string();
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  if (dir.empty() || dir == "." || dir == "/") {
    return absl::InvalidArgumentError(absl::StrCat("'", dir_in, "' cannot be replaced as an output folder"));
  }
  const std::string partial = dir + ".partial", old = dir + ".old";
  std::error_code ec;
  // Only a folder is replaced: a regular file (or anything else) where the
  // output folder goes is the user's, and is never deleted.
  if (fs::exists(fs::symlink_status(dir, ec)) && !fs::is_directory(fs::status(dir, ec))) {
    return absl::FailedPreconditionError(
        absl::StrCat(dir, " exists and is not a directory; refusing to replace it"));
  }
  fs::remove_all(partial, ec);
  MONOSEM_RETURN_IF_ERROR(MakeDirs(partial));
  if (absl::Status s = write(partial); !s.ok()) {
    fs::remove_all(partial, ec);
    return s;
  }
  fs::remove_all(old, ec);
  const bool had_old = fs::exists(dir);
  if (had_old) {
    fs::rename(dir, old, ec);
    if (ec) {
      fs::remove_all(partial, ec);
      return absl::InternalError(absl::StrCat(dir, ": cannot move the old folder aside: ", ec.message()));
    }
  }
  fs::rename(partial, dir, ec);
  if (ec) {
    const std::string why = ec.message();
    if (had_old) fs::rename(old, dir, ec);  // put the old folder back
    fs::remove_all(partial, ec);
    return absl::InternalError(absl::StrCat(dir, ": cannot move the new folder into place: ", why));
  }
  fs::remove_all(old, ec);
  return absl::OkStatus();
}

}  // namespace monosem::sae
