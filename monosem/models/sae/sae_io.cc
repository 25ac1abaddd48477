#include "monosem/models/sae/sae_io.h"

#include <cmath>
#include <set>

#include "absl/strings/str_cat.h"
#include "monosem/io/file_io.h"
#include "monosem/io/memory_bound.h"
#include "monosem/io/safetensors.h"
#include "monosem/models/sae/sae_json.h"
#include "monosem/status.h"
#include "nlohmann/json.hpp"

namespace monosem::sae {
namespace {

const char* SaeLensArchitecture(Arch a) {
  switch (a) {
    case Arch::kReluL1: return "standard";
    case Arch::kTopK: return "topk";
    case Arch::kBatchTopK:  // inference with the global threshold = JumpReLU
    case Arch::kMatryoshkaBatchTopK:
    case Arch::kJumpReLU: return "jumprelu";
    case Arch::kGated: return "gated";
  }
  return "?";
}

bool HasThreshold(Arch a) { return a == Arch::kJumpReLU || IsBatchTopK(a); }

// SAELens's gated layout names the gate bias b_gate (there is no b_enc).
const char* EncoderBiasName(Arch a) { return a == Arch::kGated ? "b_gate" : "b_enc"; }

// [F, d] encoder rows <-> SAELens's [d, F]; the same loop both ways.
Tensor Transpose(const Tensor& t) {
  const int64_t r = t.dim(0), c = t.dim(1);
  Tensor out({c, r});
  for (int64_t i = 0; i < r; ++i) {
    for (int64_t j = 0; j < c; ++j) out[j * r + i] = t[i * c + j];
  }
  return out;
}

absl::Status BadCfg(const std::string& cfg, const std::string& what) {
  return absl::InvalidArgumentError(absl::StrCat(cfg, ": ", what));
}

// The SAELens architecture (either key style) as ours.
absl::StatusOr<Arch> ArchFromCfg(const nlohmann::json& c, const std::string& cfg) {
  // Required: a folder without it is not one SAELens (v3 on) wrote, and
  // guessing "standard" would silently load a TopK SAE as ReLU.
  std::string arch, act;
  MONOSEM_RETURN_IF_ERROR(JsonString(c, "architecture", cfg, &arch));
  if (c.contains("activation_fn_str") && !c["activation_fn_str"].is_null()) {
    MONOSEM_RETURN_IF_ERROR(JsonString(c, "activation_fn_str", cfg, &act));
    if (act != "relu" && act != "topk") {
      return BadCfg(cfg, absl::StrCat("field 'activation_fn_str' is '", act,
                                      "': monosem loads 'relu' and 'topk' only"));
    }
  }
  if (arch == "standard" || arch == "relu") return act == "topk" ? Arch::kTopK : Arch::kReluL1;
  if (arch == "topk") return Arch::kTopK;
  if (arch == "batchtopk") return Arch::kBatchTopK;
  if (arch == "jumprelu") return Arch::kJumpReLU;
  if (arch == "gated") return Arch::kGated;
  if (arch == "matryoshka_batchtopk") return Arch::kMatryoshkaBatchTopK;
  return BadCfg(cfg, absl::StrCat("field 'architecture' is '", arch,
                                  "': monosem loads standard, relu, topk, batchtopk, jumprelu, "
                                  "gated and matryoshka_batchtopk"));
}

// k from v6 "k" or v3-v5 "activation_fn_kwargs": {"k": K}; an integer >= 1
// (SAELens's batchtopk allows a float k: it must still be integral here).
absl::StatusOr<int64_t> KFromCfg(const nlohmann::json& c, const std::string& cfg) {
  const nlohmann::json* k = nullptr;
  std::string field = "k";
  if (c.contains("k") && !c["k"].is_null()) {
    k = &c["k"];
  } else if (c.contains("activation_fn_kwargs") && c["activation_fn_kwargs"].is_object() &&
             c["activation_fn_kwargs"].contains("k")) {
    k = &c["activation_fn_kwargs"]["k"];
    field = "activation_fn_kwargs.k";
  }
  if (k == nullptr) return BadCfg(cfg, "field 'k' (or 'activation_fn_kwargs.k') is missing");
  // Both given and different: which one SAELens used is unknowable.
  if (field == "k" && c.contains("activation_fn_kwargs") && c["activation_fn_kwargs"].is_object() &&
      c["activation_fn_kwargs"].contains("k") && c["activation_fn_kwargs"]["k"] != *k) {
    return BadCfg(cfg, absl::StrCat("field 'k' (", k->dump(), ") contradicts 'activation_fn_kwargs.k' (",
                                    c["activation_fn_kwargs"]["k"].dump(), ")"));
  }
  if (!k->is_number() || k->get<double>() < 1 || k->get<double>() != std::floor(k->get<double>())) {
    return BadCfg(cfg, absl::StrCat("field '", field, "' must be an integer >= 1, got ", k->dump()));
  }
  return static_cast<int64_t>(k->get<double>());
}

absl::Status CheckShape(const std::string& file, const std::string& name, const Tensor& t,
                        const Shape& want) {
  if (t.shape() == want) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(file, ": tensor '", name, "' has shape ",
                                                 ShapeToString(t.shape()), ", cfg.json needs ",
                                                 ShapeToString(want)));
}

std::map<std::string, std::string> MetadataFromCfg(const nlohmann::json& c) {
  std::map<std::string, std::string> out;
  auto put = [&](const std::string& k, const nlohmann::json& v) {
    out[k] = v.is_string() ? v.get<std::string>() : v.dump();
  };
  if (c.contains("metadata") && c["metadata"].is_object()) {
    for (auto it = c["metadata"].begin(); it != c["metadata"].end(); ++it) put(it.key(), it.value());
    return out;
  }
  // v3-v5 keep model_name, hook_name, ... at the top level.
  static const auto* arch_keys = new std::set<std::string>{
      "architecture", "d_in", "d_sae", "dtype", "device", "apply_b_dec_to_input",
      "normalize_activations", "k", "activation_fn_str", "activation_fn_kwargs", "monosem",
      "metadata", "finetuning_scaling_factor", "reshape_activations", "rescale_acts_by_decoder_norm",
      "matryoshka_widths"};
  for (auto it = c.begin(); it != c.end(); ++it) {
    if (!arch_keys->count(it.key())) put(it.key(), it.value());
  }
  return out;
}

}  // namespace

absl::Status SaveSaeLens(const std::string& dir, const SaeSpec& spec, const SaeParams& params,
                         const std::map<std::string, std::string>& extra_metadata) {
  MONOSEM_RETURN_IF_ERROR(ValidateSpec(spec));
  MONOSEM_RETURN_IF_ERROR(ValidateParams(spec, params));
  std::map<std::string, Tensor> tensors;
  tensors.emplace("W_enc", Transpose(params.w_enc));
  tensors.emplace("W_dec", params.w_dec.Clone());
  tensors.emplace(EncoderBiasName(spec.arch), params.b_enc.Clone());
  tensors.emplace("b_dec", params.b_dec.Clone());
  if (HasThreshold(spec.arch)) tensors.emplace("threshold", params.threshold.Clone());
  if (spec.arch == Arch::kGated) {
    tensors.emplace("r_mag", params.r_mag.Clone());
    tensors.emplace("b_mag", params.b_mag.Clone());
  }

  nlohmann::ordered_json c = nlohmann::ordered_json::object();
  c["architecture"] = SaeLensArchitecture(spec.arch);
  c["d_in"] = spec.d;
  c["d_sae"] = spec.f;
  c["dtype"] = "float32";
  c["device"] = "cpu";
  c["apply_b_dec_to_input"] = true;
  c["normalize_activations"] = "none";
  c["reshape_activations"] = "none";
  if (spec.arch == Arch::kTopK) {
    c["k"] = spec.k;
    c["rescale_acts_by_decoder_norm"] = false;
  }
  // Saved for inference as SAELens does (a JumpReLU with the global
  // threshold), the training widths kept beside it.
  if (spec.arch == Arch::kMatryoshkaBatchTopK) c["matryoshka_widths"] = spec.prefix_widths;
  // v3-v5: the activation is a function name; topk is "standard" + "topk".
  c["activation_fn_str"] = spec.arch == Arch::kTopK ? "topk" : "relu";
  c["activation_fn_kwargs"] = spec.arch == Arch::kTopK ? nlohmann::ordered_json{{"k", spec.k}}
                                                       : nlohmann::ordered_json::object();
  c["finetuning_scaling_factor"] = false;
  nlohmann::ordered_json meta = nlohmann::ordered_json::object();
  for (const auto& [k, v] : extra_metadata) meta[k] = v;
  c["metadata"] = meta;
  nlohmann::ordered_json ours = nlohmann::ordered_json::object();
  const nlohmann::json s = SpecToJson(spec);
  for (auto it = s.begin(); it != s.end(); ++it) ours[it.key()] = it.value();
  c["monosem"] = ours;

  return WriteFolderAtomic(dir, [&](const std::string& partial) -> absl::Status {
    MONOSEM_RETURN_IF_ERROR(WriteSafetensors(absl::StrCat(partial, "/", kSaeLensWeightsFile), tensors));
    std::string text;
    try {
      text = c.dump(2);
    } catch (const std::exception& e) {
      // Only metadata strings come from the caller; name the bad one.
      for (const auto& [k, v] : extra_metadata) {
        try {
          (void)nlohmann::json(k).dump();
          (void)nlohmann::json(v).dump();
        } catch (const std::exception&) {
          return absl::InvalidArgumentError(absl::StrCat(
              dir, "/", kSaeLensConfigFile, ": metadata '", k, "' is not valid UTF-8 text"));
        }
      }
      return absl::InternalError(absl::StrCat(dir, "/", kSaeLensConfigFile, ": ", e.what()));
    }
    return WriteFileAtomic(absl::StrCat(partial, "/", kSaeLensConfigFile), text + "\n");
  });
}

absl::StatusOr<LoadedSae> LoadSaeLens(const std::string& dir) {
  const std::string cfg = absl::StrCat(dir, "/", kSaeLensConfigFile);
  const std::string weights = absl::StrCat(dir, "/", kSaeLensWeightsFile);
  MONOSEM_ASSIGN_OR_RETURN(std::string text, ReadFileBounded(cfg, kMaxConfigBytes));
  MONOSEM_ASSIGN_OR_RETURN(nlohmann::json c, ParseJsonObject(text, cfg));

  // Absent means SAELens's default float32; null is not a dtype.
  if (c.contains("dtype")) {
    std::string dtype;
    MONOSEM_RETURN_IF_ERROR(JsonString(c, "dtype", cfg, &dtype));
    if (dtype != "float32" && dtype != "torch.float32") {
      return BadCfg(cfg, absl::StrCat("field 'dtype' is '", dtype, "': monosem loads float32 only"));
    }
  }
  if (c.contains("normalize_activations") && !c["normalize_activations"].is_null()) {
    std::string norm;
    MONOSEM_RETURN_IF_ERROR(JsonString(c, "normalize_activations", cfg, &norm));
    if (norm != "none") {
      return BadCfg(cfg, absl::StrCat("field 'normalize_activations' is '", norm,
                                      "': monosem loads 'none' only (fold the scale into the "
                                      "weights first, see FoldInputScale)"));
    }
  }
  for (const char* flag : {"rescale_acts_by_decoder_norm", "finetuning_scaling_factor"}) {
    if (c.contains(flag) && c[flag].is_boolean() && c[flag].get<bool>()) {
      return BadCfg(cfg, absl::StrCat("field '", flag, "' is true: not supported by monosem"));
    }
  }
  bool apply_b_dec = true;  // SAELens's default
  if (c.contains("apply_b_dec_to_input") && !c["apply_b_dec_to_input"].is_null()) {
    MONOSEM_RETURN_IF_ERROR(JsonBool(c, "apply_b_dec_to_input", cfg, &apply_b_dec));
  }

  LoadedSae out;
  SaeSpec& spec = out.spec;
  MONOSEM_ASSIGN_OR_RETURN(spec.arch, ArchFromCfg(c, cfg));
  MONOSEM_RETURN_IF_ERROR(JsonInt(c, "d_in", cfg, &spec.d));
  MONOSEM_RETURN_IF_ERROR(JsonInt(c, "d_sae", cfg, &spec.f));
  if (spec.d <= 0 || spec.f <= 0) {
    return BadCfg(cfg, absl::StrCat("fields 'd_in' and 'd_sae' must be > 0, got ", spec.d, " and ", spec.f));
  }
  if (UsesK(spec.arch)) {
    MONOSEM_ASSIGN_OR_RETURN(spec.k, KFromCfg(c, cfg));
  }
  if (spec.arch == Arch::kMatryoshkaBatchTopK) {
    MONOSEM_ASSIGN_OR_RETURN(spec.prefix_widths, JsonWidths(c, "matryoshka_widths", cfg));
    // SAELens appends d_sae when the list stops short of it.
    if (!spec.prefix_widths.empty() && spec.prefix_widths.back() < spec.f) spec.prefix_widths.push_back(spec.f);
  }
  // Our own folders: the exact spec (l1, k_aux, batch_topk saved as jumprelu).
  if (c.contains("monosem")) {
    MONOSEM_ASSIGN_OR_RETURN(SaeSpec ours, SpecFromJson(c["monosem"], cfg + ": monosem"));
    const bool same_arch = ours.arch == spec.arch ||
                           (IsBatchTopK(ours.arch) && spec.arch == Arch::kJumpReLU);
    if (!same_arch || ours.d != spec.d || ours.f != spec.f) {
      return BadCfg(cfg, absl::StrCat("field 'monosem' (", ArchName(ours.arch), ", d ", ours.d, ", F ",
                                      ours.f, ") contradicts the SAELens fields (", ArchName(spec.arch),
                                      ", d_in ", spec.d, ", d_sae ", spec.f, ")"));
    }
    spec = ours;
  }
  if (absl::Status s = ValidateSpec(spec); !s.ok()) return BadCfg(cfg, std::string(s.message()));

  // Sizes from cfg.json are checked before anything is allocated from them:
  // the weights (float32) must fit in the file and the loaded SAE in memory.
  const double weight_bytes = 4.0 * (2.0 * static_cast<double>(spec.d) * static_cast<double>(spec.f) +
                                     static_cast<double>(spec.d) + 2.0 * static_cast<double>(spec.f));
  MONOSEM_RETURN_IF_ERROR(CheckMemoryEstimate(
      3 * weight_bytes, absl::StrCat(cfg, ": d_in ", spec.d, " x d_sae ", spec.f, " (the SAE and its copies)")));
  MONOSEM_ASSIGN_OR_RETURN(Safetensors file, ReadSafetensors(weights));
  // A NaN or Inf weight makes every metric NaN downstream ("mse nan", exit 0):
  // refuse it here, named by tensor and index.
  for (const auto& [tensor_name, t] : file.tensors) {
    for (int64_t i = 0; i < t.size(); ++i) {
      if (!std::isfinite(t[i])) {
        return absl::InvalidArgumentError(absl::StrCat(weights, ": tensor '", tensor_name, "'[", i,
                                                       "] = ", t[i], " (weights must be finite)"));
      }
    }
  }
  const int64_t F = spec.f, d = spec.d;
  out.params = SaeParams::Zeros(spec);
  SaeParams& p = out.params;
  MONOSEM_ASSIGN_OR_RETURN(Tensor * w_enc, FindTensor(file, "W_enc", weights));
  MONOSEM_RETURN_IF_ERROR(CheckShape(weights, "W_enc", *w_enc, {d, F}));
  p.w_enc = Transpose(*w_enc);
  MONOSEM_ASSIGN_OR_RETURN(Tensor * w_dec, FindTensor(file, "W_dec", weights));
  MONOSEM_RETURN_IF_ERROR(CheckShape(weights, "W_dec", *w_dec, {F, d}));
  p.w_dec = std::move(*w_dec);
  const char* b_enc_name = EncoderBiasName(spec.arch);
  MONOSEM_ASSIGN_OR_RETURN(Tensor * b_enc, FindTensor(file, b_enc_name, weights));
  MONOSEM_RETURN_IF_ERROR(CheckShape(weights, b_enc_name, *b_enc, {F}));
  p.b_enc = std::move(*b_enc);
  if (spec.arch == Arch::kGated) {
    for (auto [name, t] : {std::pair<const char*, Tensor*>{"r_mag", &p.r_mag}, {"b_mag", &p.b_mag}}) {
      MONOSEM_ASSIGN_OR_RETURN(Tensor * got, FindTensor(file, name, weights));
      MONOSEM_RETURN_IF_ERROR(CheckShape(weights, name, *got, {F}));
      *t = std::move(*got);
    }
  }
  MONOSEM_ASSIGN_OR_RETURN(Tensor * b_dec, FindTensor(file, "b_dec", weights));
  MONOSEM_RETURN_IF_ERROR(CheckShape(weights, "b_dec", *b_dec, {d}));
  p.b_dec = std::move(*b_dec);
  if (HasThreshold(spec.arch)) {
    // A SAELens batchtopk training folder holds the scalar topk_threshold.
    auto scalar = file.tensors.find("topk_threshold");
    if (IsBatchTopK(spec.arch) && !file.tensors.count("threshold") &&
        scalar != file.tensors.end() && scalar->second.size() == 1) {
      p.threshold.Fill(scalar->second[0]);
    } else {
      MONOSEM_ASSIGN_OR_RETURN(Tensor * th, FindTensor(file, "threshold", weights));
      MONOSEM_RETURN_IF_ERROR(CheckShape(weights, "threshold", *th, {F}));
      p.threshold = std::move(*th);
    }
    // SAELens computes ReLU(pre) * [pre > threshold]; ours pre * [pre > threshold]:
    // the same only for thresholds >= 0.
    for (int64_t i = 0; i < F; ++i) {
      if (!(p.threshold[i] >= 0) || !std::isfinite(p.threshold[i])) {
        return absl::InvalidArgumentError(absl::StrCat(weights, ": tensor 'threshold'[", i, "] = ",
                                                       p.threshold[i], " (must be finite and >= 0)"));
      }
    }
  }
  if (!apply_b_dec) {
    // SAELens: pre = W_enc x + b_enc; ours: W_enc (x - b_dec) + b_enc'.
    for (int64_t i = 0; i < F; ++i) {
      double acc = p.b_enc[i];
      double wb = 0;
      for (int64_t j = 0; j < d; ++j) wb += static_cast<double>(p.w_enc[i * d + j]) * p.b_dec[j];
      p.b_enc[i] = static_cast<float>(acc + wb);
      // gated: the magnitude path shares W_enc (scaled by exp(r_mag)).
      if (spec.arch == Arch::kGated) p.b_mag[i] = static_cast<float>(p.b_mag[i] + std::exp(static_cast<double>(p.r_mag[i])) * wb);
    }
  }
  out.metadata = MetadataFromCfg(c);
  return out;
}

SaeParams FoldInputScale(const SaeSpec& spec, const SaeParams& params, float s) {
  (void)spec;
  SaeParams p = params.Clone();
  for (int64_t t = 0; t < p.w_enc.size(); ++t) p.w_enc[t] = params.w_enc[t] * s;
  for (int64_t t = 0; t < p.w_dec.size(); ++t) p.w_dec[t] = params.w_dec[t] / s;
  for (int64_t t = 0; t < p.b_dec.size(); ++t) p.b_dec[t] = params.b_dec[t] / s;
  return p;
}

}  // namespace monosem::sae
