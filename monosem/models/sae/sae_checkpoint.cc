// SaeTrainer::SaveCheckpoint / Resume: everything a Step reads besides the
// next batch, so that train(t) + save + resume + train(T - t) is bitwise
// train(T). The data stream is restored by skipping the vectors drawn.
#include <algorithm>
#include <cmath>
#include <map>
#include <vector>

#include "absl/strings/str_cat.h"
#include "monosem/backend.h"
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
    // A corrupt state would otherwise surface steps later as a divergence
    // blamed on the learning rate: Adam's second moment is >= 0, all finite.
    const bool second_moment = prefix == "v.";
    for (int64_t i = 0; i < got->size(); ++i) {
      const float x = (*got)[i];
      if (!std::isfinite(x) || (second_moment && x < 0)) {
        return absl::InvalidArgumentError(absl::StrCat(
            path, ": tensor '", prefix, name, "'[", i, "] = ", x,
            second_moment ? " (Adam's second moment must be finite and >= 0)" : " (must be finite)"));
      }
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
  // since_fired holds F counters: 1 GiB bounds any real dictionary.
  MONOSEM_ASSIGN_OR_RETURN(std::string text, ReadFileBounded(json_path, int64_t{1} << 30));
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
  // A checkpoint is written after a step, never before the first.
  if (t->step_ < 1 || t->step_ > opt.steps) {
    return absl::InvalidArgumentError(absl::StrCat(json_path, ": field 'step' is ", t->step_,
                                                   "; allowed: 1 to options.steps (", opt.steps, ")"));
  }
  // 'resamples' counts latents resampled: at most F at each resampling step
  // passed.
  const std::vector<int64_t> resample_steps = t->ResampleSteps();
  const int64_t resample_events = static_cast<int64_t>(
      std::count_if(resample_steps.begin(), resample_steps.end(), [&](int64_t at) { return at <= t->step_; }));
  if (t->resampled_ < 0 || t->resampled_ > resample_events * spec.f) {
    return absl::InvalidArgumentError(absl::StrCat(json_path, ": field 'resamples' is ", t->resampled_,
                                                   "; allowed: 0 to ", resample_events * spec.f, " at step ",
                                                   t->step_));
  }
  // Every vector drawn is a batch, the geometric-median sample or a
  // resampling pool: anything else was not written by a run.
  const int64_t min_drawn = t->step_ * opt.batch;
  const int64_t max_drawn = min_drawn + (opt.geometric_median_init ? opt.geometric_median_sample : 0) +
                            resample_events * std::max<int64_t>(opt.resample_pool, 1);
  if (t->drawn_ < min_drawn || t->drawn_ > max_drawn) {
    return absl::InvalidArgumentError(absl::StrCat(json_path, ": field 'vectors_drawn' is ", t->drawn_,
                                                   "; allowed at step ", t->step_, ": ", min_drawn, " to ",
                                                   max_drawn));
  }
  std::string written_by;
  MONOSEM_RETURN_IF_ERROR(JsonString(j, "backend", json_path, &written_by));
  // Every backend the project has, registered in this build or not: a run
  // checkpointed on a CUDA machine resumes on a CPU-only one.
  std::vector<std::string> known = BackendRegistry::Names();
  for (const char* name : {"reference", "cpu", "torch", "cuda"}) known.push_back(name);
  if (std::find(known.begin(), known.end(), written_by) == known.end()) {
    return absl::InvalidArgumentError(absl::StrCat(json_path, ": field 'backend' is '", written_by,
                                                   "', not a registered backend"));
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
