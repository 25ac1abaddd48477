#include "monosem/models/embeddings/embedding_sae.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "monosem/backend.h"
#include "monosem/models/sae/sae_kernels.h"
#include "monosem/philox.h"
#include "monosem/status.h"

namespace monosem {

EmbeddingRowSource::EmbeddingRowSource(const Tensor& vectors, std::vector<int32_t> rows,
                                       uint64_t seed)
    : vectors_(vectors), rows_(std::move(rows)), seed_(seed) {}

absl::Status EmbeddingRowSource::Next(int64_t batch, Tensor* out) {
  const int64_t d = dim(), n = static_cast<int64_t>(rows_.size());
  if (n == 0) return absl::FailedPreconditionError("EmbeddingRowSource: no rows");
  if (out->shape() != Shape{batch, d}) *out = Tensor::Uninitialized({batch, d});
  for (int64_t b = 0; b < batch; ++b, ++pos_) {
    const int64_t epoch = pos_ / n;
    if (epoch != epoch_) {
      // Fisher-Yates on Philox(seed, epoch).
      order_ = rows_;
      const Philox rng(seed_, static_cast<uint64_t>(epoch));
      for (int64_t i = n - 1; i > 0; --i) {
        const int64_t j = static_cast<int64_t>(rng.UniformAt(static_cast<uint64_t>(i)) * (i + 1));
        std::swap(order_[i], order_[std::min(j, i)]);
      }
      epoch_ = epoch;
    }
    const float* src = vectors_.data() + static_cast<int64_t>(order_[pos_ % n]) * d;
    std::copy(src, src + d, out->data() + b * d);
  }
  return absl::OkStatus();
}

absl::StatusOr<WordSae> TrainWordSae(const Tensor& vectors, const std::vector<int32_t>& rows,
                                     const WordSaeConfig& config) {
  const int64_t d = vectors.dim(1);
  WordSae out;
  out.spec.arch = sae::Arch::kTopK;
  out.spec.d = d;
  out.spec.f = config.features_per_dim * d;
  out.spec.k = std::max<int64_t>(1, config.k_per_10_dims * d / 10);
  out.spec.k_aux = std::min<int64_t>(out.spec.f, 2 * out.spec.k);
  sae::TrainOptions opt;
  opt.steps = config.steps;
  opt.batch = config.batch;
  opt.adam.lr = config.lr;
  opt.seed = config.seed;
  opt.geometric_median_sample = std::min<int64_t>(4096, static_cast<int64_t>(rows.size()));
  EmbeddingRowSource src(vectors, rows, config.seed);
  MONOSEM_ASSIGN_OR_RETURN(auto trainer, sae::SaeTrainer::Create(out.spec, opt, config.backend));
  MONOSEM_RETURN_IF_ERROR(trainer->Init(src));
  MONOSEM_RETURN_IF_ERROR(trainer->Train(src, {config.steps}));
  out.params = trainer->params().Clone();
  if (!trainer->log().empty()) {
    out.final_recon = trainer->log().back().recon;
    out.final_l0 = trainer->log().back().l0;
    out.dead = trainer->log().back().dead;
  }
  double sq = 0;
  for (int32_t w : rows) {
    const float* v = vectors.data() + static_cast<int64_t>(w) * d;
    for (int64_t k = 0; k < d; ++k) sq += static_cast<double>(v[k]) * v[k];
  }
  out.mean_sq_norm = rows.empty() ? 0.0 : sq / static_cast<double>(rows.size());
  return out;
}

absl::StatusOr<ScoreMatrix> SaeActivations(const WordSae& s, const Tensor& vectors,
                                           const std::vector<int32_t>& words,
                                           const std::string& backend) {
  const int64_t d = vectors.dim(1), f = s.spec.f, n = static_cast<int64_t>(words.size());
  MONOSEM_ASSIGN_OR_RETURN(auto kernels,
                           sae::SaeKernelRegistry::Create(BackendRegistry::Create(backend)));
  ScoreMatrix m;
  m.rows = n;
  m.cols = f;
  m.v.assign(n * f, 0.0f);
  constexpr int64_t kChunk = 2048;
  for (int64_t start = 0; start < n; start += kChunk) {
    const int64_t b = std::min(kChunk, n - start);
    Tensor x = Tensor::Uninitialized({b, d});
    for (int64_t i = 0; i < b; ++i) {
      const float* src = vectors.data() + static_cast<int64_t>(words[start + i]) * d;
      std::copy(src, src + d, x.data() + i * d);
    }
    sae::SaeCodes codes;
    Tensor x_hat = Tensor::Uninitialized({b, d});
    MONOSEM_RETURN_IF_ERROR(kernels->Forward(s.spec, s.params, x, &codes, &x_hat));
    const Tensor dense = codes.ToDense();
    std::copy(dense.data(), dense.data() + b * f, m.v.data() + start * f);
  }
  return m;
}

std::vector<float> DecoderDirections(const WordSae& s) {
  return std::vector<float>(s.params.w_dec.data(), s.params.w_dec.data() + s.params.w_dec.size());
}

}  // namespace monosem
