#include "monosem/models/transformer/trainer.h"

#include <cmath>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "google/protobuf/text_format.h"
#include "monosem/config.h"
#include "monosem/io/file_io.h"
#include "monosem/io/safetensors.h"
#include "monosem/philox.h"
#include "monosem/status.h"

namespace monosem {
namespace {

constexpr char kModelFile[] = "model.safetensors";
constexpr char kOptimizerFile[] = "optimizer.safetensors";
constexpr char kConfigFile[] = "config.textproto";

// Weight decay applies to matrices (embeddings included), not to biases or
// LayerNorm parameters, as in GPT-2 / nanoGPT.
bool Decays(const Tensor& t) { return t.rank() >= 2; }

}  // namespace

TokenSource PhiloxTokenSource(uint64_t seed, int64_t vocab) {
  return [seed, vocab](int64_t step, int64_t batch, int64_t window) -> absl::StatusOr<std::vector<int32_t>> {
    if (vocab < 1) return absl::InvalidArgumentError("PhiloxTokenSource: vocab must be >= 1");
    Philox rng(seed, static_cast<uint64_t>(step));
    std::vector<int32_t> out(batch * window);
    for (auto& t : out) t = static_cast<int32_t>(rng.UniformInt(static_cast<uint32_t>(vocab)));
    return out;
  };
}

TokenSource StreamTokenSource(std::vector<int32_t> stream, uint64_t seed) {
  auto s = std::make_shared<std::vector<int32_t>>(std::move(stream));
  return [s, seed](int64_t step, int64_t batch, int64_t window) -> absl::StatusOr<std::vector<int32_t>> {
    if (s->empty()) return absl::InvalidArgumentError("token stream is empty: nothing to train on");
    if (static_cast<int64_t>(s->size()) < window) {
      return absl::InvalidArgumentError(absl::StrCat("token stream has ", s->size(),
                                                     " tokens, fewer than one window of ", window));
    }
    Philox rng(seed, static_cast<uint64_t>(step));
    const uint32_t starts = static_cast<uint32_t>(s->size() - window + 1);
    std::vector<int32_t> out(batch * window);
    for (int64_t r = 0; r < batch; ++r) {
      const uint32_t at = rng.UniformInt(starts);
      std::copy(s->begin() + at, s->begin() + at + window, out.begin() + r * window);
    }
    return out;
  };
}

TrainOptions TrainOptions::FromProto(const TrainConfig& c) {
  TrainOptions o;
  if (c.steps() != 0) o.steps = c.steps();
  if (c.batch_size() != 0) o.batch_size = c.batch_size();
  if (c.lr() != 0) o.adam.lr = c.lr();
  if (c.beta1() != 0) o.adam.beta1 = c.beta1();
  if (c.beta2() != 0) o.adam.beta2 = c.beta2();
  if (c.eps() != 0) o.adam.eps = c.eps();
  if (c.weight_decay() != 0) o.adam.weight_decay = c.weight_decay();
  if (c.seed() != 0) o.seed = c.seed();
  if (c.warmup_steps() != 0) o.warmup_steps = c.warmup_steps();
  if (c.grad_clip() != 0) o.grad_clip = c.grad_clip();
  if (c.min_lr_fraction() != 0) o.min_lr_fraction = c.min_lr_fraction();
  return o;
}

TrainConfig TrainOptions::ToProto() const {
  TrainConfig c;
  c.set_steps(static_cast<int32_t>(steps));
  c.set_batch_size(static_cast<int32_t>(batch_size));
  c.set_lr(adam.lr);
  c.set_beta1(adam.beta1);
  c.set_beta2(adam.beta2);
  c.set_eps(adam.eps);
  c.set_weight_decay(adam.weight_decay);
  c.set_seed(seed);
  c.set_warmup_steps(static_cast<int32_t>(warmup_steps));
  c.set_grad_clip(grad_clip);
  c.set_min_lr_fraction(min_lr_fraction);
  return c;
}

double ScheduledLearningRate(const TrainOptions& o, int64_t step) {
  const double peak = o.adam.lr;
  if (o.warmup_steps > 0 && step <= o.warmup_steps) {
    return peak * static_cast<double>(step) / static_cast<double>(o.warmup_steps);
  }
  const int64_t decay = o.steps - o.warmup_steps;
  if (decay <= 0) return peak;
  double t = static_cast<double>(step - o.warmup_steps) / static_cast<double>(decay);
  t = std::min(1.0, std::max(0.0, t));
  const double floor = peak * o.min_lr_fraction;
  return floor + (peak - floor) * 0.5 * (1.0 + std::cos(M_PI * t));
}

absl::StatusOr<std::unique_ptr<TransformerTrainer>> TransformerTrainer::Create(
    const TransformerDims& dims, const TrainOptions& options, Backend* backend) {
  if (options.steps < 1 || options.batch_size < 1 || options.warmup_steps < 0 || options.ctx < 0 ||
      options.ctx > dims.n_ctx) {
    return absl::InvalidArgumentError(absl::StrCat(
        "transformer training: bad options (steps ", options.steps, ", batch ", options.batch_size,
        ", warmup ", options.warmup_steps, ", ctx ", options.ctx, " of max ", dims.n_ctx, ")"));
  }
  MONOSEM_ASSIGN_OR_RETURN(Transformer model, Transformer::Create(dims, backend));
  std::unique_ptr<TransformerTrainer> t(new TransformerTrainer(std::move(model), options));
  t->params_ = InitParams(dims, options.seed);
  t->m_ = ZeroParams(dims);
  t->v_ = ZeroParams(dims);
  t->grads_ = ZeroParams(dims);
  return t;
}

absl::StatusOr<std::unique_ptr<TransformerTrainer>> TransformerTrainer::Create(
    const TransformerDims& dims, const TrainOptions& options, const std::string& backend_name) {
  MONOSEM_ASSIGN_OR_RETURN(std::unique_ptr<Backend> backend, BackendRegistry::Create(backend_name));
  MONOSEM_RETURN_IF_ERROR(backend->Available());
  MONOSEM_ASSIGN_OR_RETURN(auto trainer, Create(dims, options, backend.get()));
  trainer->owned_backend_ = std::move(backend);
  return trainer;
}

absl::StatusOr<StepStats> TransformerTrainer::Step(const TokenBatch& batch) {
  const int64_t step = step_ + 1;
  ForwardCache cache;
  MONOSEM_RETURN_IF_ERROR(model_.Forward(params_, batch, &cache));
  if (!std::isfinite(cache.loss)) {
    return absl::InternalError(absl::StrCat("transformer training: loss is ", cache.loss,
                                            " at step ", step, "; parameters left as of step ",
                                            step_));
  }
  MONOSEM_RETURN_IF_ERROR(model_.Backward(params_, batch, cache, &grads_));
  double sq = 0.0;
  for (const auto& [name, g] : grads_) {
    for (int64_t i = 0; i < g.size(); ++i) sq += static_cast<double>(g[i]) * g[i];
  }
  const double norm = std::sqrt(sq);
  if (!std::isfinite(norm)) {
    return absl::InternalError(absl::StrCat("transformer training: gradient norm is ", norm,
                                            " at step ", step, "; parameters left as of step ",
                                            step_));
  }
  if (options_.grad_clip > 0 && norm > options_.grad_clip) {
    const float scale = static_cast<float>(options_.grad_clip / (norm + 1e-6));
    for (auto& [name, g] : grads_) {
      for (int64_t i = 0; i < g.size(); ++i) g[i] *= scale;
    }
  }
  const double lr = ScheduledLearningRate(options_, step);
  for (const std::string& name : TransformerParamNames()) {
    AdamWParams p = options_.adam;
    p.lr = static_cast<float>(lr);
    Tensor& w = params_.at(name);
    if (!Decays(w)) p.weight_decay = 0.0f;
    MONOSEM_RETURN_IF_ERROR(model_.backend().AdamW(p, step, grads_.at(name), &w, &m_.at(name),
                                                   &v_.at(name)));
  }
  step_ = step;
  return StepStats{step, cache.loss, norm, lr};
}

absl::Status TransformerTrainer::Train(const TokenSource& source, int64_t until,
                                       const std::function<void(const StepStats&)>& on_step) {
  if (until > options_.steps) {
    return absl::InvalidArgumentError(absl::StrCat("train until step ", until,
                                                   " is past the configured ", options_.steps));
  }
  const int64_t ctx = options_.ctx > 0 ? options_.ctx : model_.dims().n_ctx;
  while (step_ < until) {
    MONOSEM_ASSIGN_OR_RETURN(std::vector<int32_t> windows,
                             source(step_ + 1, options_.batch_size, ctx + 1));
    MONOSEM_ASSIGN_OR_RETURN(TokenBatch batch, NextTokenBatch(windows, options_.batch_size, ctx));
    MONOSEM_ASSIGN_OR_RETURN(StepStats s, Step(batch));
    if (on_step) on_step(s);
  }
  return absl::OkStatus();
}

absl::Status TransformerTrainer::SaveCheckpoint(const std::string& dir_in) const {
  namespace fs = std::filesystem;
  const std::string dir = fs::path(dir_in).lexically_normal().string();
  const std::string partial = dir + ".partial";
  std::error_code ec;
  fs::remove_all(partial, ec);
  MONOSEM_RETURN_IF_ERROR(MakeDirs(partial));
  RunConfig cfg;
  cfg.set_name("transformer");
  cfg.set_backend(model_.backend().name());
  *cfg.mutable_transformer() = model_.dims().ToProto();
  TrainOptions o = options_;
  *cfg.mutable_train() = o.ToProto();
  std::string text;
  google::protobuf::TextFormat::PrintToString(cfg, &text);
  MONOSEM_RETURN_IF_ERROR(WriteFileAtomic(partial + "/" + kConfigFile, text));
  std::map<std::string, Tensor> opt;
  for (const auto& [name, t] : m_) opt.emplace("m." + name, t.Clone());
  for (const auto& [name, t] : v_) opt.emplace("v." + name, t.Clone());
  MONOSEM_RETURN_IF_ERROR(WriteSafetensors(partial + "/" + kOptimizerFile, opt,
                                           {{"step", std::to_string(step_)},
                                            {"optimizer", "adamw"}}));
  MONOSEM_RETURN_IF_ERROR(WriteSafetensors(partial + "/" + kModelFile, params_,
                                           {{"step", std::to_string(step_)},
                                            {"format", "monosem transformer"}}));
  // Swap the finished folder in: old -> .old, partial -> dir, drop .old.
  const std::string old = dir + ".old";
  fs::remove_all(old, ec);
  if (fs::exists(dir)) {
    fs::rename(dir, old, ec);
    if (ec) return absl::InternalError(absl::StrCat(dir, ": cannot move the old checkpoint aside: ", ec.message()));
  }
  fs::rename(partial, dir, ec);
  if (ec) return absl::InternalError(absl::StrCat(dir, ": cannot move the checkpoint into place: ", ec.message()));
  fs::remove_all(old, ec);
  return absl::OkStatus();
}

static absl::StatusOr<RunConfig> LoadCheckpointConfig(const std::string& dir) {
  MONOSEM_ASSIGN_OR_RETURN(RunConfig cfg, LoadRunConfig(dir + "/" + kConfigFile));
  if (!cfg.has_transformer()) {
    return absl::InvalidArgumentError(absl::StrCat(dir, "/", kConfigFile, ": not a transformer config"));
  }
  return cfg;
}

static absl::StatusOr<NamedTensors> LoadChecked(const std::string& path, const TransformerDims& dims,
                                                const std::string& prefix, Safetensors* file) {
  NamedTensors out;
  for (const std::string& name : TransformerParamNames()) {
    MONOSEM_ASSIGN_OR_RETURN(Tensor * t, FindTensor(*file, prefix + name, path));
    out.emplace(name, std::move(*t));
  }
  absl::Status s = CheckParams(dims, out, path + " (config " + kConfigFile + ")");
  if (!s.ok()) return s;
  return out;
}

absl::StatusOr<NamedTensors> LoadTransformerWeights(const std::string& dir, TransformerDims* dims) {
  MONOSEM_ASSIGN_OR_RETURN(RunConfig cfg, LoadCheckpointConfig(dir));
  MONOSEM_ASSIGN_OR_RETURN(*dims, TransformerDims::FromProto(cfg.transformer()));
  const std::string path = dir + "/" + kModelFile;
  MONOSEM_ASSIGN_OR_RETURN(Safetensors file, ReadSafetensors(path));
  return LoadChecked(path, *dims, "", &file);
}

absl::StatusOr<std::unique_ptr<TransformerTrainer>> TransformerTrainer::Resume(
    const std::string& dir, Backend* backend) {
  MONOSEM_ASSIGN_OR_RETURN(RunConfig cfg, LoadCheckpointConfig(dir));
  MONOSEM_ASSIGN_OR_RETURN(TransformerDims dims, TransformerDims::FromProto(cfg.transformer()));
  const TrainOptions options = TrainOptions::FromProto(cfg.train());
  MONOSEM_ASSIGN_OR_RETURN(auto trainer, Create(dims, options, backend));
  MONOSEM_ASSIGN_OR_RETURN(trainer->params_, LoadTransformerWeights(dir, &dims));
  const std::string opt_path = dir + "/" + kOptimizerFile;
  MONOSEM_ASSIGN_OR_RETURN(Safetensors opt, ReadSafetensors(opt_path));
  MONOSEM_ASSIGN_OR_RETURN(trainer->m_, LoadChecked(opt_path, dims, "m.", &opt));
  MONOSEM_ASSIGN_OR_RETURN(trainer->v_, LoadChecked(opt_path, dims, "v.", &opt));
  auto it = opt.metadata.find("step");
  char* end = nullptr;
  const long long step = it == opt.metadata.end() ? -1 : std::strtoll(it->second.c_str(), &end, 10);
  if (it == opt.metadata.end() || end == it->second.c_str() || *end != '\0' || step < 0 ||
      step > options.steps) {
    return absl::InvalidArgumentError(absl::StrCat(opt_path, ": missing or bad 'step' metadata"));
  }
  trainer->step_ = step;
  return trainer;
}

}  // namespace monosem

namespace monosem {

absl::StatusOr<std::unique_ptr<TransformerTrainer>> TransformerTrainer::Resume(
    const std::string& dir, const std::string& backend_name) {
  MONOSEM_ASSIGN_OR_RETURN(std::unique_ptr<Backend> backend, BackendRegistry::Create(backend_name));
  MONOSEM_RETURN_IF_ERROR(backend->Available());
  MONOSEM_ASSIGN_OR_RETURN(auto trainer, Resume(dir, backend.get()));
  trainer->owned_backend_ = std::move(backend);
  return trainer;
}

std::string CheckpointHash(const std::string& bytes) {
  uint64_t h = 1469598103934665603ull;  // FNV-1a
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return absl::StrFormat("fnv1a64:%016x", h);
}

}  // namespace monosem
