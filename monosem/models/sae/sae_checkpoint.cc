// SaeTrainer::SaveCheckpoint / Resume: everything a Step reads besides the
// next batch, so that train(t) + save + resume + train(T - t) is bitwise
// train(T). The data stream is restored by skipping the vectors drawn.
#include <map>

#include "absl/strings/str_cat.h"
#include "monosem/io/file_io.h"
#include "monosem/io/safetensors.h"
#include "monosem/models/sae/sae.h"
#include "monosem/models/sae/sae_json.h"
#include "monosem/status.h"

namespace monosem::sae {
namespace {

constexpr char kStateFile[] = "state.safetensors";
constexpr char kTrainerFile[] = "trainer.json";
constexpr char kFormat[] = "monosem sae checkpoint";

// The parameter set `prefix + name` from a parsed state file, checked against the spec.
absl::Status LoadSet(Safetensors& file, const std::string& path, const std::string& prefix,
                     const SaeSpec& spec, SaeParams* out) {
  *out = SaeParams::Zeros(spec);
  for (auto& [name, t] : out->Named()) {
    MONOSEM_ASSIGN_OR_RETURN(Tensor * got, FindTensor(file, prefix + name, path));
    if (got->shape() != t->shape()) {
      return absl::InvalidArgumentError(absl::StrCat(path, ": tensor '", prefix, name, "' has shape ",
                                                     ShapeToString(got->shape()), ", the spec needs ",
                                                     ShapeToString(t->shape())));
    }
    *t = std::move(*got);
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status SaeTrainer::SaveCheckpoint(const std::string& dir) const {
  if (!initialised_) return absl::FailedPreconditionError("sae: SaveCheckpoint before Init()");
  std::map<std::string, Tensor> tensors;
  for (const auto& [name, t] : params_.Named()) tensors.emplace(name, t->Clone());
  for (const auto& [name, t] : m_.Named()) tensors.emplace("m." + name, t->Clone());
  for (const auto& [name, t] : v_.Named()) tensors.emplace("v." + name, t->Clone());
  nlohmann::json j = nlohmann::json::object();
  j["format"] = kFormat;
  j["backend"] = kernels_->name();  // informational: resuming may pick another
  j["spec"] = SpecToJson(spec_);
  j["options"] = OptionsToJson(opt_);
  j["step"] = step_;
  j["resamples"] = resampled_;
  j["vectors_drawn"] = drawn_;
  j["since_fired"] = since_fired_;
  nlohmann::json log = nlohmann::json::array();
  for (const StepLog& l : log_) {
    log.push_back({{"step", l.step}, {"loss", l.loss}, {"recon", l.recon}, {"l0", l.l0}, {"dead", l.dead}});
  }
  j["log"] = log;
  const std::string text = j.dump(1);
  return WriteFolderAtomic(dir, [&](const std::string& partial) -> absl::Status {
    MONOSEM_RETURN_IF_ERROR(WriteSafetensors(absl::StrCat(partial, "/", kStateFile), tensors,
                                             {{"format", kFormat}, {"step", std::to_string(step_)}}));
    return WriteFileAtomic(absl::StrCat(partial, "/", kTrainerFile), text);
  });
}

absl::StatusOr<std::unique_ptr<SaeTrainer>> SaeTrainer::Resume(const std::string& dir,
                                                               const std::string& backend,
                                                               BatchSource& src) {
  const std::string json_path = absl::StrCat(dir, "/", kTrainerFile);
  MONOSEM_ASSIGN_OR_RETURN(std::string text, ReadFile(json_path));
  MONOSEM_ASSIGN_OR_RETURN(nlohmann::json j, ParseJsonObject(text, json_path));
  std::string format;
  MONOSEM_RETURN_IF_ERROR(JsonString(j, "format", json_path, &format));
  if (format != kFormat) {
    return absl::InvalidArgumentError(absl::StrCat(json_path, ": field 'format' is '", format,
                                                   "', expected '", kFormat, "'"));
  }
  if (!j.contains("spec") || !j.contains("options")) {
    return absl::InvalidArgumentError(absl::StrCat(json_path, ": fields 'spec' and 'options' are required"));
  }
  MONOSEM_ASSIGN_OR_RETURN(SaeSpec spec, SpecFromJson(j["spec"], json_path + ": spec"));
  MONOSEM_ASSIGN_OR_RETURN(TrainOptions opt, OptionsFromJson(j["options"], json_path + ": options"));
  if (src.dim() != spec.d) {
    return absl::InvalidArgumentError(absl::StrCat(dir, ": the checkpoint's SAE has d_in = ", spec.d,
                                                   " but the data has d = ", src.dim()));
  }
  MONOSEM_ASSIGN_OR_RETURN(std::unique_ptr<SaeTrainer> t, Create(spec, opt, backend));

  MONOSEM_RETURN_IF_ERROR(JsonInt(j, "step", json_path, &t->step_));
  MONOSEM_RETURN_IF_ERROR(JsonInt(j, "resamples", json_path, &t->resampled_));
  MONOSEM_RETURN_IF_ERROR(JsonInt(j, "vectors_drawn", json_path, &t->drawn_));
  if (t->step_ < 0 || t->step_ > opt.steps || t->resampled_ < 0 || t->drawn_ < 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        json_path, ": step ", t->step_, " (of ", opt.steps, "), resamples ", t->resampled_,
        " or vectors_drawn ", t->drawn_, " out of range"));
  }
  const auto sf = j.find("since_fired");
  if (sf == j.end() || !sf->is_array() || static_cast<int64_t>(sf->size()) != spec.f) {
    return absl::InvalidArgumentError(
        absl::StrCat(json_path, ": field 'since_fired' must be an array of F = ", spec.f, " counters"));
  }
  t->since_fired_.clear();
  for (const auto& v : *sf) {
    if (!v.is_number_integer() || v.get<int64_t>() < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat(json_path, ": field 'since_fired' holds ", v.dump(), ", not a count"));
    }
    t->since_fired_.push_back(v.get<int64_t>());
  }
  const auto log = j.find("log");
  if (log == j.end() || !log->is_array()) {
    return absl::InvalidArgumentError(absl::StrCat(json_path, ": field 'log' must be an array"));
  }
  for (const auto& e : *log) {
    StepLog l;
    const std::string where = json_path + ": log entry";
    MONOSEM_RETURN_IF_ERROR(JsonInt(e, "step", where, &l.step));
    MONOSEM_RETURN_IF_ERROR(JsonDouble(e, "loss", where, &l.loss));
    MONOSEM_RETURN_IF_ERROR(JsonDouble(e, "recon", where, &l.recon));
    MONOSEM_RETURN_IF_ERROR(JsonDouble(e, "l0", where, &l.l0));
    MONOSEM_RETURN_IF_ERROR(JsonInt(e, "dead", where, &l.dead));
    t->log_.push_back(l);
  }

  const std::string state_path = absl::StrCat(dir, "/", kStateFile);
  MONOSEM_ASSIGN_OR_RETURN(Safetensors state, ReadSafetensors(state_path));
  MONOSEM_RETURN_IF_ERROR(LoadSet(state, state_path, "", spec, &t->params_));
  MONOSEM_RETURN_IF_ERROR(LoadSet(state, state_path, "m.", spec, &t->m_));
  MONOSEM_RETURN_IF_ERROR(LoadSet(state, state_path, "v.", spec, &t->v_));
  t->initialised_ = true;
  if (absl::Status s = src.Skip(t->drawn_); !s.ok()) {
    return absl::Status(s.code(), absl::StrCat(dir, ": cannot fast-forward the data past the ",
                                               t->drawn_, " vectors already used: ", s.message()));
  }
  return t;
}

}  // namespace monosem::sae
