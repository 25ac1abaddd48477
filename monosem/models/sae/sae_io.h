// SAELens interop: an SAE folder of sae_weights.safetensors + cfg.json.
//
// SAELens's layout (and its forward pass, which ours matches):
//   W_enc [d_in, d_sae]  (ours is [F, d] encoder rows: the transpose)
//   W_dec [d_sae, d_in]  (ours as is)
//   b_enc [d_sae], b_dec [d_in], threshold [d_sae] (jumprelu)
//   pre = (x - b_dec * apply_b_dec_to_input) @ W_enc + b_enc
//   x_hat = f @ W_dec + b_dec
// Architectures: "standard" (ReLU) <-> relu_l1, "topk" <-> topk,
// "jumprelu" <-> jumprelu, and batch_topk saves as "jumprelu" with its global
// threshold broadcast (how SAELens itself saves a BatchTopK SAE, and how ours
// infers). SAELens "batchtopk" (a training folder) loads as batch_topk.
// "gated" <-> gated with SAELens's names: W_enc (= W_gate, transposed),
// b_gate (our b_enc), r_mag, b_mag, W_dec, b_dec. matryoshka_batch_topk saves
// like batch_topk ("jumprelu", as SAELens saves it after training) plus
// cfg.json "matryoshka_widths"; SAELens "matryoshka_batchtopk" (a training
// folder: k, matryoshka_widths, topk_threshold) loads as matryoshka_batch_topk.
//
// cfg.json carries both key styles: v6 ("architecture", "d_in", "d_sae", "k",
// "dtype", "apply_b_dec_to_input", "normalize_activations", "metadata") and
// v3-v5 ("activation_fn_str", "activation_fn_kwargs"), plus a "monosem"
// object (our spec: arch, l1, k_aux, ...) that makes our own reload exact.
#ifndef MONOSEM_MODELS_SAE_SAE_IO_H_
#define MONOSEM_MODELS_SAE_SAE_IO_H_

#include <map>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "monosem/models/sae/sae_kernels.h"

namespace monosem::sae {

inline constexpr char kSaeLensWeightsFile[] = "sae_weights.safetensors";
inline constexpr char kSaeLensConfigFile[] = "cfg.json";

// Writes DIR/sae_weights.safetensors and DIR/cfg.json; the folder is written
// as DIR.partial and renamed, so DIR is never half-written. extra_metadata
// goes into cfg.json's "metadata" object (e.g. hook_name, model_name).
absl::Status SaveSaeLens(const std::string& dir, const SaeSpec& spec, const SaeParams& params,
                         const std::map<std::string, std::string>& extra_metadata = {});

struct LoadedSae {
  SaeSpec spec;
  SaeParams params;
  // cfg.json's "metadata" object (or, for v3-v5 folders, the top-level keys
  // that are not part of the architecture); non-string values as JSON text.
  std::map<std::string, std::string> metadata;
};

// Reads a folder written by SaveSaeLens or by SAELens (either key style).
// apply_b_dec_to_input = false is folded exactly into b_enc (in double):
// b_enc' = b_enc + W_enc b_dec, since our encoder always subtracts b_dec
// (gated: also b_mag' = b_mag + exp(r_mag) W_enc b_dec).
// Errors name the file and the field or tensor: invalid JSON, a non-object
// cfg, dtype other than float32, normalize_activations other than
// "none"/null, an unknown architecture, a missing tensor, a wrong shape.
absl::StatusOr<LoadedSae> LoadSaeLens(const std::string& dir);

// An SAE trained on inputs multiplied by s becomes the same SAE on raw
// inputs: W_enc' = s W_enc, W_dec' = W_dec / s, b_dec' = b_dec / s (b_enc and
// threshold unchanged), so codes are identical and x_hat' = x_hat / s.
// s must be finite and > 0 (callers compute it from data norms).
SaeParams FoldInputScale(const SaeSpec& spec, const SaeParams& params, float s);

}  // namespace monosem::sae

#endif  // MONOSEM_MODELS_SAE_SAE_IO_H_
