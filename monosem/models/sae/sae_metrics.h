// SAE metrics exactly as ../shared/METRICS.md defines them, as streaming
// accumulators: numerators and denominators are summed over the whole
// evaluation window in double and divided once at the end (never a mean of
// per-batch ratios). The window size N is reported with every figure.
#ifndef MONOSEM_MODELS_SAE_SAE_METRICS_H_
#define MONOSEM_MODELS_SAE_SAE_METRICS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "monosem/models/sae/sae.h"
#include "monosem/models/sae/sae_kernels.h"
#include "monosem/tensor.h"

namespace monosem::sae {

struct SaeMetrics {
  int64_t window = 0;  // N evaluation vectors
  int64_t d = 0, f = 0;
  double mse = 0;                 // sum ||x - x_hat||^2 / (N d)
  double nmse = 0;                // sum ||x - x_hat||^2 / sum ||x||^2
  double fvu = 0;                 // sum ||x - x_hat||^2 / sum ||x - mean||^2
  double explained_variance = 0;  // 1 - fvu
  double l0 = 0;                  // mean #{f_i > 0}
  double l1 = 0;                  // mean sum_i f_i
  std::vector<double> density;    // #{n : f_i > 0} / N
  double dead_fraction = 0;       // density 0 over the window
  double ultralow_fraction_1e6 = 0;  // live features with density < 1e-6
  double ultralow_fraction_1e5 = 0;  // ... < 1e-5
  double shrinkage = 0;           // mean <x_hat, x> / ||x||^2 (x = 0 skipped)
  int64_t shrinkage_skipped = 0;  // vectors with ||x|| = 0
};

class SaeMetricsAccumulator {
 public:
  SaeMetricsAccumulator(int64_t d, int64_t f);
  // x, x_hat [B, d]; codes of the same B vectors.
  absl::Status Add(const Tensor& x, const Tensor& x_hat, const SaeCodes& codes);
  SaeMetrics Finish() const;

 private:
  int64_t d_, f_;
  int64_t n_ = 0;
  double sse_ = 0, sx2_ = 0, l0_ = 0, l1_ = 0, shrink_ = 0;
  int64_t shrink_n_ = 0, shrink_skipped_ = 0;
  std::vector<double> mean_, m2_;  // per-dimension running mean and M2 (Chan)
  std::vector<int64_t> fired_;
};

// "Dead" as each library defines it (docs/metrics/dead_latents.md, with
// sources). A latent "fires" on a vector when its code is > 0 unless the
// definition says otherwise; windows count whole batches, as the libraries'
// counters do (a batch in which the latent fires anywhere resets them).
enum class DeadDefinition {
  kNeverFired,         // "never_fired": no firing over the whole logged window
                       // (monosem's dead_fraction, SynthSAEBench, SAEBench's
                       // density 0)
  kSaeLens,            // "saelens": more than 1,000 training steps (batches)
                       // since the latent last fired
  kSparsify,           // "sparsify": more than 10M tokens since it last fired
  kDictionaryLearning, // "dictionary_learning": its BatchTopK/TopK trainers,
                       // >= 10M tokens since it last fired
  kDictionaryLearningEval,  // "dictionary_learning_eval": 1 - frac_alive, no
                            // code != 0 (negative codes count as alive)
  kOpenAi,             // "openai": more than 10M // batch steps since a code
                       // above 1e-3 (openai/sparse_autoencoder)
  kAnthropic2024,      // "anthropic_2024": no firing over the last 1e7 tokens
                       // (needs a window of at least 1e7 tokens)
};
const char* DeadDefinitionName(DeadDefinition d);
// InvalidArgument listing the names.
absl::StatusOr<DeadDefinition> ParseDeadDefinition(const std::string& name);

// Per-latent firing counters over a stream of batches, one batch per step.
class LatentFiringLog {
 public:
  explicit LatentFiringLog(int64_t f);
  absl::Status Add(const SaeCodes& codes);
  int64_t tokens() const { return tokens_; }
  int64_t steps() const { return steps_; }

 private:
  friend absl::StatusOr<double> DeadFraction(const LatentFiringLog& log, DeadDefinition def);
  int64_t f_, tokens_ = 0, steps_ = 0, batch_ = -1;  // batch_: -2 once sizes differ
  std::vector<int64_t> positive_, nonzero_;  // vectors with code > 0, != 0
  std::vector<int64_t> tokens_since_, steps_since_;  // since a batch with code > 0
  std::vector<int64_t> openai_steps_;  // openai's stats_last_nonzero (code > 1e-3)
};

// The fraction of latents dead under `def`; errors when the log cannot
// decide (an empty log; anthropic_2024 below 1e7 tokens; openai with
// batches of different sizes).
absl::StatusOr<double> DeadFraction(const LatentFiringLog& log, DeadDefinition def);

// Runs the SAE over n_eval vectors of `src` in batches and accumulates.
absl::StatusOr<SaeMetrics> Evaluate(SaeKernels& k, const SaeSpec& spec, const SaeParams& p,
                                    BatchSource& src, int64_t n_eval, int64_t batch);

// Feature quality on synthetic data.
struct Recovery {
  double mmcs = 0;  // mean over ground truth g of max_i cos(g, W_dec,i)
  std::vector<double> max_cos;  // per ground-truth feature
  double FracRecovered(double t) const;  // fraction with max cos > t
};
absl::StatusOr<Recovery> MeasureRecovery(const Tensor& ground_truth, const Tensor& w_dec);

// The feature density histogram: log10 bins of width `bin` from `lo` to 0,
// plus a first row for dead features (density 0). CSV with a header.
std::string DensityHistogramCsv(const std::vector<double>& density, int64_t window,
                                double lo = -8.0, double bin = 0.5);

}  // namespace monosem::sae

#endif  // MONOSEM_MODELS_SAE_SAE_METRICS_H_
