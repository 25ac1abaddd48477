// SAE initialisation and training, written once against SaeKernels.
//
// The trainer reads batches from an abstract BatchSource (synthetic data
// today; the activation store's shuffle buffer or a safetensors matrix later)
// and holds the parameters as a named tensor set (SaeParams::Named) so a
// checkpoint writer can save them.
#ifndef MONOSEM_MODELS_SAE_SAE_H_
#define MONOSEM_MODELS_SAE_SAE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "monosem/models/sae/sae_kernels.h"
#include "monosem/tensor.h"
#include "proto/config.pb.h"

namespace monosem::sae {

// Where training vectors come from. Next fills `out` with [batch, dim()].
class BatchSource {
 public:
  virtual ~BatchSource() = default;
  virtual int64_t dim() const = 0;
  virtual absl::Status Next(int64_t batch, Tensor* out) = 0;
  // Advances past n vectors as if Next had delivered them (resuming a run
  // replays the stream from where the checkpoint left it). The default draws
  // and discards in bounded chunks; sources with a counter override it.
  virtual absl::Status Skip(int64_t n);
};

// Weiszfeld's algorithm over the rows of `sample` [N, d], in double: starts at
// the mean, stops when the step is below tol * (mean distance) or after
// max_iter iterations.
Tensor GeometricMedian(const Tensor& sample, int max_iter = 100, double tol = 1e-6);

struct TrainOptions {
  int64_t steps = 1000;
  int64_t batch = 1024;
  AdamConfig adam;
  uint64_t seed = 1;
  // Init tricks (Anthropic / Gao et al.).
  bool geometric_median_init = true;  // b_dec at the geometric median
  int64_t geometric_median_sample = 4096;
  bool encoder_from_decoder = true;   // topk / batch_topk: W_enc = W_dec at init
  bool unit_norm_decoder = true;      // project the gradient, renormalise rows
  float jumprelu_init_threshold = 0.001f;
  // Dead latents: a latent is dead after this many training vectors without
  // firing (AuxK's candidates; Gao et al. use 10M tokens). 0: `steps/8*batch`.
  int64_t dead_tokens = 0;
  // Neuron resampling (relu_l1): the paper's steps 25k, 50k, 75k, 100k with
  // a 12.5k-step window, scaled so that the last resampling is halfway
  // through the run: steps T/8, 2T/8, 3T/8, 4T/8; dead = no firing in the
  // previous T/16 steps.
  bool resample = true;
  int64_t resample_pool = 8192;  // inputs scored (the paper: 819,200)
  double batch_topk_threshold_decay = 0.99;
};

// A spec and training options from a RunConfig's SaeConfig / TrainConfig
// (unset fields keep the papers' defaults); errors name the bad field.
absl::StatusOr<SaeSpec> SpecFromConfig(const SaeConfig& c);
// Set fields replace the defaults; a value outside its range, or a field SAE
// training does not use (weight_decay, warmup_steps, grad_clip,
// min_lr_fraction), is InvalidArgument naming the field, the value and the
// allowed range.
absl::Status ApplyTrainConfig(const SaeConfig& c, const TrainConfig& t, TrainOptions* opt);

struct StepLog {
  int64_t step = 0;
  double loss = 0, recon = 0, l0 = 0;
  int64_t dead = 0;  // latents with no firing in the last dead window
};

class SaeTrainer {
 public:
  static absl::StatusOr<std::unique_ptr<SaeTrainer>> Create(const SaeSpec& spec,
                                                            const TrainOptions& opt,
                                                            const std::string& backend);
  // Initialises the parameters, drawing the geometric-median sample from `src`.
  absl::Status Init(BatchSource& src);
  // Sets the parameters directly (tests, resuming).
  absl::Status SetParams(SaeParams p);
  // One training step; errors name the step when the loss is not finite.
  absl::Status Step(BatchSource& src);
  // Runs the remaining steps; logs at the requested steps (1-based).
  absl::Status Train(BatchSource& src, const std::vector<int64_t>& log_steps = {});
  // Runs steps until step() == min(until, steps): training in pieces with a
  // checkpoint between them.
  absl::Status TrainUntil(BatchSource& src, int64_t until,
                          const std::vector<int64_t>& log_steps = {});

  // A checkpoint folder (state.safetensors: params, Adam m and v;
  // trainer.json: spec, options, step, counters, log), written to DIR.partial
  // and renamed over DIR, so DIR is always either the old or the new one.
  absl::Status SaveCheckpoint(const std::string& dir) const;
  // Restores a SaveCheckpoint folder and fast-forwards `src` (which must be
  // at its start, as a fresh source is) past every vector the saved trainer
  // drew, so the resumed run continues bitwise like an uninterrupted one.
  static absl::StatusOr<std::unique_ptr<SaeTrainer>> Resume(const std::string& dir,
                                                            const std::string& backend,
                                                            BatchSource& src);

  const SaeSpec& spec() const { return spec_; }
  const SaeParams& params() const { return params_; }
  SaeKernels& kernels() { return *kernels_; }
  int64_t step() const { return step_; }
  int64_t resamples() const { return resampled_; }
  // Every vector read from the source so far: training batches, the
  // geometric-median sample and the resampling pools.
  int64_t vectors_drawn() const { return drawn_; }
  const TrainOptions& options() const { return opt_; }
  const std::vector<StepLog>& log() const { return log_; }
  const std::vector<int64_t>& tokens_since_fired() const { return since_fired_; }
  std::vector<int64_t> ResampleSteps() const;
  int64_t DeadTokens() const;

 private:
  SaeTrainer(SaeSpec spec, TrainOptions opt, std::unique_ptr<SaeKernels> k);
  absl::Status Resample(BatchSource& src);
  // src.Next, counted in drawn_.
  absl::Status Draw(BatchSource& src, int64_t n, Tensor* out);

  SaeSpec spec_;
  TrainOptions opt_;
  std::unique_ptr<SaeKernels> kernels_;
  SaeParams params_, m_, v_;
  SaeStepOut out_;
  Tensor batch_;
  std::vector<int64_t> since_fired_;
  int64_t step_ = 0;
  int64_t resampled_ = 0;
  int64_t drawn_ = 0;
  bool initialised_ = false;
  std::vector<StepLog> log_;
};

}  // namespace monosem::sae

#endif  // MONOSEM_MODELS_SAE_SAE_H_
