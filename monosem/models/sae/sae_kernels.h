// The SAE kernel interface: one abstract kernel set per backend, created from
// the Backend it runs on and registered by backend name ("reference", "cpu",
// "torch", "cuda": one subclass + MONOSEM_REGISTER_KERNEL_SET(SaeKernels, ...);
// a derived backend inherits its parent's, monosem/kernel_set.h). Models and
// the trainer are written once against it (monosem/models/sae/sae.h).
//
// Layout (row-major float32):
//   W_enc [F, d]  encoder rows (Anthropic's W_e; SAELens stores the transpose)
//   b_enc [F]
//   W_dec [F, d]  decoder rows = dictionary directions (SAELens layout)
//   b_dec [d]     b_d / b_pre, subtracted before the encoder, added after
//   threshold [F] JumpReLU's learned threshold; BatchTopK's (and Matryoshka
//                 BatchTopK's) global inference threshold broadcast to every
//                 feature (so that a BatchTopK SAE is evaluated exactly like a
//                 JumpReLU one); unused otherwise.
//   r_mag [F], b_mag [F]  gated only (empty otherwise): the magnitude path's
//                 row scales (log) and bias; b_enc is the gate bias b_gate and
//                 W_enc the shared W_gate.
//
// Math, per vector x (xc = x - b_dec, pre = W_enc xc + b_enc):
//   relu_l1:    f = ReLU(pre)
//   topk:       f = TopK_k(ReLU(pre))             (ties: the lower index wins)
//   batch_topk: training: keep the k*B largest positive pre over the batch;
//               inference: f = pre * [pre > threshold]
//   jumprelu:   f = pre * H(pre - threshold)
//   gated (Rajamanoharan et al. 2024): u = W_enc xc, pi_gate = u + b_enc,
//               pi_mag = exp(r_mag) * u + b_mag (W_mag = exp(r_mag) row-wise
//               times W_gate), f = H(pi_gate) * ReLU(pi_mag)
//   matryoshka_batch_topk (Bussmann et al. 2025): batch_topk's f (the top
//               k*B is taken over the FULL width and the whole batch, never
//               per prefix); inference as batch_topk
//   x_hat = W_dec^T f + b_dec
//
// Training loss (LossAndGrad), averaged over the batch of B vectors:
//   recon      = ||x - x_hat||^2              (= mse * d)
//   relu_l1:   + l1 * sum_i f_i * ||W_dec,i||  (the decoder norm IS included;
//                it is 1 when rows are kept at unit norm, but its gradient is
//                part of the spec)
//   topk, batch_topk:
//              + aux_coef * ||(x - x_hat) - W_dec^T f_aux||^2, where f_aux keeps
//                the k_aux largest positive pre among dead latents (AuxK,
//                Gao et al.; the residual x - x_hat is a constant)
//   gated:     + l1 * sum_i ReLU(pi_gate_i) * ||W_dec,i||
//              + ||x - (W_dec'^T ReLU(pi_gate) + b_dec')||^2 with W_dec', b_dec'
//                frozen copies (no gradient reaches the decoder through this
//                auxiliary term; pi_gate's own b_dec centring is not frozen).
//                H(pi_gate) passes no gradient: the gate path learns only from
//                the two extra terms.
//   matryoshka_batch_topk: recon is the full width's; the loss adds, for each
//                proper prefix width w of spec.prefix_widths, ||x - x_hat_w||^2
//                with x_hat_w = b_dec + sum_{i < w} f_i W_dec,i (latents beyond
//                the prefix zeroed), and batch_topk's AuxK (on the full residual)
//   jumprelu:  + l0_coef * sum_i H(pre_i - threshold_i)
//                with the straight-through estimator (rectangle kernel K of
//                bandwidth eps): d f/d theta = -(theta/eps) K((pre-theta)/eps),
//                d H/d theta = -(1/eps) K((pre-theta)/eps), d H/d pre = 0.
#ifndef MONOSEM_MODELS_SAE_SAE_KERNELS_H_
#define MONOSEM_MODELS_SAE_SAE_KERNELS_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "monosem/kernel_set.h"
#include "monosem/tensor.h"

namespace monosem::sae {

enum class Arch { kReluL1, kTopK, kBatchTopK, kJumpReLU, kGated, kMatryoshkaBatchTopK };

const char* ArchName(Arch a);
absl::StatusOr<Arch> ParseArch(const std::string& name);

struct SaeSpec {
  Arch arch = Arch::kReluL1;
  int64_t d = 0;              // input dimension
  int64_t f = 0;              // dictionary size
  int64_t k = 0;              // topk / (matryoshka) batch_topk: active latents per vector
  float l1 = 0.0f;            // relu_l1, gated: lambda; jumprelu: the L0 coefficient
  int64_t k_aux = 0;          // topk / (matryoshka) batch_topk: AuxK latents (0: off)
  float aux_coef = 1.0f / 32;
  float bandwidth = 0.001f;   // jumprelu: STE kernel width
  // matryoshka_batch_topk: the nested dictionary widths w_1 < ... < w_L = F
  // (SAELens's matryoshka_widths); empty for every other architecture.
  std::vector<int64_t> prefix_widths;
};

// True for the architectures whose training selects a global top-(k*B).
bool IsBatchTopK(Arch a);
// True for the architectures with a k (topk and both batch_topk kinds).
bool UsesK(Arch a);

// Clear errors for k > F, k <= 0, lambda < 0, bad dimensions, ...
absl::Status ValidateSpec(const SaeSpec& spec);

// The parameters: a named set of tensors (names as in the header), so a
// safetensors writer can save them by iterating.
struct SaeParams {
  Tensor w_enc, b_enc, w_dec, b_dec, threshold;
  Tensor r_mag, b_mag;  // gated only; empty (size 0) otherwise

  static SaeParams Zeros(const SaeSpec& spec);
  SaeParams Clone() const;
  // (name, tensor) in a fixed order: W_enc, b_enc, W_dec, b_dec, threshold,
  // then r_mag, b_mag only when they are allocated (gated), so every other
  // architecture's files and checkpoints are unchanged.
  std::vector<std::pair<std::string, Tensor*>> Named();
  std::vector<std::pair<std::string, const Tensor*>> Named() const;
};

absl::Status ValidateParams(const SaeSpec& spec, const SaeParams& p);

// Feature activations of a batch. Dense [B, F] for relu_l1 and jumprelu;
// for topk and batch_topk a CSR list (rows may hold different counts in
// batch_topk) so that nothing O(B*F) is kept besides the pre-activations.
struct SaeCodes {
  int64_t rows = 0, f = 0;
  bool sparse = false;
  Tensor dense;                  // [rows, F] when !sparse
  std::vector<int64_t> row_ptr;  // [rows + 1] when sparse
  std::vector<int32_t> idx;
  std::vector<float> val;

  // Materializes [rows, F] (tests, small shapes).
  Tensor ToDense() const;
  // fn(row, latent, value) for every stored entry, rows in order: each
  // non-zero of a sparse row; every entry, zeros included, of a dense one.
  template <class Fn>
  void ForEachEntry(Fn fn) const {
    for (int64_t n = 0; n < rows; ++n) {
      if (sparse) {
        for (int64_t e = row_ptr[n]; e < row_ptr[n + 1]; ++e) fn(n, int64_t{idx[e]}, val[e]);
      } else {
        for (int64_t i = 0; i < f; ++i) fn(n, i, dense[n * f + i]);
      }
    }
  }
};

// One training batch's outputs.
struct SaeStepOut {
  double loss = 0;        // total, averaged over the batch
  double recon = 0;       // mean ||x - x_hat||^2
  double sparsity = 0;    // mean penalty term (l1 / l0), before its coefficient
  double aux = 0;         // mean AuxK term, before its coefficient
  double l0 = 0;          // mean #{f_i > 0}
  // matryoshka_batch_topk: the mean reconstruction error summed over the
  // proper prefixes (the full width's is `recon`); 0 otherwise.
  double prefix_recon = 0;
  SaeParams grad;         // d loss / d params (threshold grad only for jumprelu)
  // (gated: `sparsity` is sum_i ReLU(pi_gate_i) ||W_dec,i|| and `aux` the
  // frozen-decoder reconstruction of ReLU(pi_gate), whose coefficient is 1.)
  // Per-feature count of vectors of this batch where f_i > 0: the dead-feature
  // counters are updated from it without another pass over the codes.
  std::vector<int64_t> fired;
  // batch_topk, matryoshka_batch_topk: the smallest kept activation of this batch (the trainer keeps
  // the running inference threshold from it).
  double min_kept = 0;
};

// Adam (no weight decay), one step at 1-based `step`.
struct AdamConfig {
  float lr = 1e-3f;
  float beta1 = 0.9f;
  float beta2 = 0.999f;
  float eps = 1e-8f;
};

class SaeKernels : public KernelSet {
 public:
  static constexpr char kRegistryKind[] = "SAE kernels";
  explicit SaeKernels(Backend& backend) : KernelSet(backend) {}

  // Inference: codes and reconstruction x_hat [B, d] (outputs are written).
  absl::Status Forward(const SaeSpec& spec, const SaeParams& p, const Tensor& x, SaeCodes* codes,
                       Tensor* x_hat);
  // Loss and gradients of one training batch. `dead` (size F, or empty) marks
  // the latents AuxK may use. `codes`, if not null, receives f.
  absl::Status LossAndGrad(const SaeSpec& spec, const SaeParams& p, const Tensor& x,
                           const std::vector<uint8_t>& dead, SaeStepOut* out,
                           SaeCodes* codes = nullptr);
  // g_i -= (g_i . w_i / ||w_i||^2) w_i for every decoder row i.
  absl::Status ProjectDecoderGrad(const Tensor& w_dec, Tensor* g);
  // w_i /= ||w_i|| (rows of zero norm are left alone).
  absl::Status NormalizeDecoderRows(Tensor* w_dec);
  // One fused Adam step over every parameter that has a gradient.
  absl::Status Adam(const AdamConfig& c, int64_t step, const SaeSpec& spec, const SaeParams& grad,
                    SaeParams* p, SaeParams* m, SaeParams* v);

 protected:
  virtual absl::Status ForwardImpl(const SaeSpec& spec, const SaeParams& p, const Tensor& x,
                                   SaeCodes* codes, Tensor* x_hat) = 0;
  // `codes` may be null in both: then no codes are produced.
  virtual absl::Status LossAndGradImpl(const SaeSpec& spec, const SaeParams& p, const Tensor& x,
                                       const std::vector<uint8_t>& dead, SaeStepOut* out,
                                       SaeCodes* codes) = 0;
  virtual absl::Status ProjectDecoderGradImpl(const Tensor& w_dec, Tensor* g) = 0;
  virtual absl::Status NormalizeDecoderRowsImpl(Tensor* w_dec) = 0;
  // Tensors to update: (param, grad, m, v) in the same order; the lists
  // cover the trainable parameters of the architecture.
  struct AdamSlot {
    Tensor* p;
    const Tensor* g;
    Tensor* m;
    Tensor* v;
  };
  virtual absl::Status AdamImpl(const AdamConfig& c, int64_t step,
                                const std::vector<AdamSlot>& slots) = 0;
};

// True when the architecture trains `threshold` by gradient (jumprelu).
bool TrainsThreshold(Arch a);

using SaeKernelRegistry = KernelSetRegistry<SaeKernels>;

}  // namespace monosem::sae

#endif  // MONOSEM_MODELS_SAE_SAE_KERNELS_H_
