// The toy model of superposition: setup, data, initialization and training,
// written once against Backend (AdamW) and ToyKernels (forward/backward).
//
// Data: x_i = 0 with probability S_j (instance j's sparsity), else U[0, 1).
// Element e = (step·B + b)·n + i of instance j is drawn from one Philox word,
//   u = Philox(seed, 2j + 1).UniformAt(e),  x = u < S ? 0 : (u − S) / (1 − S),
// which is exactly "zero with probability S, else uniform" (given u ≥ S, u is
// uniform on [S, 1)) at a quarter of the generator cost of two draws.
// Init: W_j ~ Xavier-normal per instance, std sqrt(2 / (m + n)), from
// Philox(seed, 2j).NormalAt(k); b = 0. (The official notebook calls
// xavier_normal_ on the stacked [I, m, n] tensor, whose fan-in/out then
// include the instance count; we use the per-matrix fan, which is what
// Xavier init means for one model, and say so here.)
#ifndef MONOSEM_MODELS_TOY_TOY_MODEL_H_
#define MONOSEM_MODELS_TOY_TOY_MODEL_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "monosem/backend.h"
#include "monosem/models/toy/toy_kernels.h"
#include "monosem/tensor.h"
#include "proto/config.pb.h"

namespace monosem {

struct ToySpec {
  int64_t n = 0;          // features
  int64_t m = 0;          // hidden dimensions
  int64_t instances = 1;
  bool relu = true;
  std::vector<float> importance;  // [instances * n]
  std::vector<float> sparsity;    // [instances]
  // Training (the notebook's defaults).
  int64_t steps = 10000;
  int64_t batch = 1024;
  AdamWParams adam;  // lr 1e-3, betas (0.9, 0.999), eps 1e-8, weight decay 0.01
  uint64_t seed = 0;
  // 1-based steps at which the per-instance training loss is recorded (the
  // loss of that step's batch, before its update).
  std::vector<int64_t> record_steps;
};

// m > n, n = 0, m = 0, S outside [0, 1], negative or non-finite importance,
// wrong vector sizes, non-positive steps or batch: one clear message each.
absl::Status ValidateToySpec(const ToySpec& spec);

// Importance from a config: exactly one of importance_decay (I_i = d^i),
// importance (n values, or n per instance), importance_linspace_base
// (I_i = base^(−linspace(0, 1, n))); none means all ones.
absl::StatusOr<std::vector<float>> ToyImportance(const ToyModelConfig& c, int64_t instances);

// A spec from a run config (toy model + train); unset fields keep the
// notebook defaults. Validated.
absl::StatusOr<ToySpec> ToySpecFromConfig(const RunConfig& config);

// The batch of `step` (0-based) for every instance: x [I, B, n].
void ToyBatch(const ToySpec& spec, int64_t step, Tensor* x);
// A batch from an arbitrary Philox stream offset (evaluation sets).
void ToyBatchFrom(const ToySpec& spec, uint64_t seed, int64_t step, Tensor* x);

// Xavier-normal W [I, m, n] and zero b [I, n].
void ToyInit(const ToySpec& spec, Tensor* w, Tensor* b);

// Importance as a [I, n] tensor.
Tensor ToyImportanceTensor(const ToySpec& spec);

struct ToyTrainResult {
  Tensor w;  // [I, m, n]
  Tensor b;  // [I, n]
  std::vector<int64_t> recorded_steps;
  std::vector<std::vector<float>> recorded_loss;  // [record][instance]
  std::vector<float> last_loss;                   // [instance], the final step's batch
};

// Trains every instance for spec.steps AdamW steps. A non-finite loss stops
// training with "toy training: non-finite loss (nan) at step 12, instance 3
// (S = 0.9)".
absl::StatusOr<ToyTrainResult> TrainToy(const ToySpec& spec, Backend& backend,
                                        ToyKernels& kernels);

// Mean loss per instance on `batches` fresh batches of spec.batch from an
// evaluation stream (seed ^ 0x5eed), so that runs are compared on the same data.
absl::StatusOr<std::vector<double>> EvaluateToy(const ToySpec& spec, const Tensor& w,
                                                const Tensor& b, ToyKernels& kernels,
                                                int64_t batches);

}  // namespace monosem

#endif  // MONOSEM_MODELS_TOY_TOY_MODEL_H_
