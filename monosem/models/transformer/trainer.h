// Training the transformer: AdamW (Backend::AdamW, PyTorch semantics) with a
// linear warmup and cosine decay, global-norm gradient clipping, a seed, and
// checkpoints that resume bitwise.
//
// Data comes from a TokenSource: a pure function of the step, so a resumed
// run sees exactly the batches an uninterrupted run would (the transformer
// suite feeds it the labelled corpus).
#ifndef MONOSEM_MODELS_TRANSFORMER_TRAINER_H_
#define MONOSEM_MODELS_TRANSFORMER_TRAINER_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "monosem/backend.h"
#include "monosem/models/transformer/transformer.h"
#include "proto/config.pb.h"

namespace monosem {

// Windows of ctx + 1 token ids, [batch, ctx + 1] row-major, for `step`
// (1-based). Must be deterministic in step.
using TokenSource =
    std::function<absl::StatusOr<std::vector<int32_t>>(int64_t step, int64_t batch, int64_t window)>;

// Uniform random ids in [0, vocab) from Philox(seed, stream = step).
TokenSource PhiloxTokenSource(uint64_t seed, int64_t vocab);
// Windows of a fixed token stream at Philox-chosen offsets (seed, step, row).
// An empty or too-short stream is an error when a batch is drawn.
TokenSource StreamTokenSource(std::vector<int32_t> stream, uint64_t seed);

struct TrainOptions {
  int64_t steps = 1000;
  int64_t batch_size = 32;
  int64_t ctx = 0;  // 0: the model's n_ctx
  AdamWParams adam{3e-3f, 0.9f, 0.999f, 1e-8f, 0.01f};  // adam.lr is the peak rate
  int64_t warmup_steps = 100;
  float min_lr_fraction = 0.1f;
  float grad_clip = 1.0f;  // <= 0: no clipping
  uint64_t seed = 0;       // initialization

  // TrainConfig fields that are set (non-zero) override the defaults.
  static TrainOptions FromProto(const TrainConfig& c);
  TrainConfig ToProto() const;
};

// Learning rate at 1-based `step`: peak * step / warmup during warmup, then a
// cosine from peak down to peak * min_lr_fraction at `steps`.
double ScheduledLearningRate(const TrainOptions& o, int64_t step);

struct StepStats {
  int64_t step = 0;
  double loss = 0.0;
  double grad_norm = 0.0;  // before clipping
  double lr = 0.0;
};

// Training runs here unless a caller names another backend.
inline constexpr char kDefaultTrainingBackend[] = "cpu";

class TransformerTrainer {
 public:
  // On the registered backend `backend_name` (default cpu), which the trainer owns.
  static absl::StatusOr<std::unique_ptr<TransformerTrainer>> Create(
      const TransformerDims& dims, const TrainOptions& options,
      const std::string& backend_name = kDefaultTrainingBackend);
  // Fresh parameters from InitParams(dims, options.seed).
  static absl::StatusOr<std::unique_ptr<TransformerTrainer>> Create(const TransformerDims& dims,
                                                                    const TrainOptions& options,
                                                                    Backend* backend);
  // From a checkpoint folder (SaveCheckpoint); its config gives dims and options.
  static absl::StatusOr<std::unique_ptr<TransformerTrainer>> Resume(const std::string& dir,
                                                                    Backend* backend);
  static absl::StatusOr<std::unique_ptr<TransformerTrainer>> Resume(
      const std::string& dir, const std::string& backend_name = kDefaultTrainingBackend);

  // One optimizer step on `batch`; a non-finite loss or gradient is an error
  // naming the step, and leaves the parameters unchanged.
  absl::StatusOr<StepStats> Step(const TokenBatch& batch);
  // Steps until step() == until (<= options.steps), drawing from `source`.
  absl::Status Train(const TokenSource& source, int64_t until,
                     const std::function<void(const StepStats&)>& on_step = nullptr);

  // Folder with model.safetensors, optimizer.safetensors and config.textproto,
  // replaced as a whole (written beside it, then renamed).
  absl::Status SaveCheckpoint(const std::string& dir) const;

  int64_t step() const { return step_; }
  const NamedTensors& params() const { return params_; }
  NamedTensors& mutable_params() { return params_; }
  const TrainOptions& options() const { return options_; }
  const Transformer& model() const { return model_; }

 private:
  TransformerTrainer(Transformer model, TrainOptions options)
      : model_(std::move(model)), options_(options) {}
  std::unique_ptr<Backend> owned_backend_;  // declared first: outlives model_
  Transformer model_;
  TrainOptions options_;
  NamedTensors params_, m_, v_, grads_;
  int64_t step_ = 0;
};

// Loads model.safetensors of a checkpoint folder and checks it against the
// folder's config.textproto: clear errors for a missing tensor or a shape
// that does not match.
absl::StatusOr<NamedTensors> LoadTransformerWeights(const std::string& dir, TransformerDims* dims);

// FNV-1a 64 of a checkpoint's model.safetensors bytes, as "fnv1a64:<hex>": the
// transformer suite's manifest and every activation store name the model they
// came from by it, and the sae suite refuses a checkpoint that no longer
// matches.
std::string CheckpointHash(const std::string& bytes);

}  // namespace monosem

#endif  // MONOSEM_MODELS_TRANSFORMER_TRAINER_H_
