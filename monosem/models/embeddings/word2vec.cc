#include "monosem/models/embeddings/word2vec.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "monosem/philox.h"
#include "monosem/status.h"

namespace monosem {
namespace {

constexpr uint64_t kInit = 1;
uint64_t SubsampleStream(int epoch) { return 16 + 4 * static_cast<uint64_t>(epoch); }
uint64_t WindowStream(int epoch) { return 17 + 4 * static_cast<uint64_t>(epoch); }
uint64_t NegativeStream(int epoch) { return 18 + 4 * static_cast<uint64_t>(epoch); }
constexpr int kMaxDim = 1 << 16;

absl::Status CheckConfig(const Word2VecConfig& c) {
  if (c.dim < 1 || c.dim > kMaxDim || c.window < 1 || c.negative < 0 || c.epochs < 1 ||
      c.batch_pairs < 1 || !(c.alpha >= 0) || !(c.min_alpha >= 0) || !(c.sample >= 0)) {
    return absl::InvalidArgumentError(
        absl::StrCat("word2vec: need 1 <= dim <= ", kMaxDim,
                     ", window >= 1, negative >= 0, epochs >= 1, "
                     "batch_pairs >= 1 and non-negative alpha, min_alpha, sample"));
  }
  return absl::OkStatus();
}

// Pairs waiting for the kernels.
struct PairBuffer {
  std::vector<int32_t> input, output, negatives;
  std::vector<float> lr;
  void Clear() {
    input.clear();
    output.clear();
    negatives.clear();
    lr.clear();
  }
};

}  // namespace

double KeepProbability(int64_t count, int64_t total, double sample) {
  if (sample <= 0 || count <= 0) return 1.0;
  const double threshold = sample * static_cast<double>(total);
  const double c = static_cast<double>(count);
  return std::min(1.0, (std::sqrt(c / threshold) + 1.0) * threshold / c);
}

std::vector<uint64_t> NegativeTable(const std::vector<int64_t>& counts, double exponent) {
  std::vector<double> cum(counts.size());
  double total = 0.0;
  for (size_t i = 0; i < counts.size(); ++i) {
    total += std::pow(static_cast<double>(counts[i]), exponent);
    cum[i] = total;
  }
  std::vector<uint64_t> table(counts.size());
  constexpr double kScale = 4294967296.0;  // 2^32
  for (size_t i = 0; i < counts.size(); ++i) {
    table[i] = static_cast<uint64_t>(std::llround(cum[i] / total * kScale));
  }
  if (!table.empty()) table.back() = uint64_t{1} << 32;  // every r < 2^32 finds a word
  return table;
}

int32_t DrawNegative(const std::vector<uint64_t>& table, uint32_t r) {
  return static_cast<int32_t>(std::upper_bound(table.begin(), table.end(), uint64_t{r}) -
                              table.begin());
}

NegativeSampler::NegativeSampler(const std::vector<int64_t>& counts, double exponent)
    : table_(NegativeTable(counts, exponent)), first_(65537) {
  // first_[b] = DrawNegative(table_, b << 16): every r in bucket b draws a word
  // at or after it, and at or before first_[b + 1].
  for (uint64_t b = 0; b <= 65536; ++b) {
    const uint64_t r = b << 16;
    first_[b] =
        static_cast<int32_t>(std::upper_bound(table_.begin(), table_.end(), r) - table_.begin());
  }
}

int32_t NegativeSampler::Draw(uint32_t r) const {
  const uint32_t b = r >> 16;
  const int32_t hi = std::min<int32_t>(first_[b + 1] + 1, static_cast<int32_t>(table_.size()));
  return static_cast<int32_t>(
      std::upper_bound(table_.begin() + first_[b], table_.begin() + hi, uint64_t{r}) -
      table_.begin());
}

Tensor InitialVectors(int64_t vocab, int dim, uint64_t seed) {
  Tensor v = Tensor::Uninitialized({vocab, dim});
  const Philox rng(seed, kInit);
  const float scale = 1.0f / static_cast<float>(dim);
  for (int64_t w = 0; w < vocab; ++w) {
    for (int k = 0; k < dim; ++k) {
      const float u = rng.UniformAt(static_cast<uint64_t>(w) * kMaxDim + k);
      v[w * dim + k] = (2.0f * u - 1.0f) * scale;
    }
  }
  return v;
}

absl::StatusOr<Word2VecModel> TrainWord2Vec(const TokenizedCorpus& corpus,
                                            const Word2VecConfig& config, SgnsKernels& kernels) {
  MONOSEM_RETURN_IF_ERROR(CheckConfig(config));
  const int64_t V = corpus.vocab.size();
  if (V == 0) return absl::InvalidArgumentError("word2vec: empty vocabulary");
  Word2VecModel model;
  model.in_vectors = InitialVectors(V, config.dim, config.seed);
  model.out_vectors = Tensor::Filled({V, config.dim}, 0.0f);

  std::vector<double> keep(V);
  for (int64_t w = 0; w < V; ++w) {
    keep[w] = KeepProbability(corpus.vocab.counts[w], corpus.tokens, config.sample);
  }
  const NegativeSampler sampler(corpus.vocab.counts, config.ns_exponent);
  const int K = config.negative;
  const double total_work = static_cast<double>(config.epochs) * corpus.tokens;

  PairBuffer buf;
  double loss = 0.0;
  bool measure_loss = false;
  auto flush = [&]() -> absl::Status {
    SgnsBatch batch{buf.input, buf.output, buf.negatives, buf.lr, K};
    MONOSEM_RETURN_IF_ERROR(kernels.Train(batch, &model.in_vectors, &model.out_vectors,
                                          measure_loss ? &loss : nullptr));
    buf.Clear();
    return absl::OkStatus();
  };

  std::vector<int32_t> kept;
  for (int epoch = 0; epoch < config.epochs; ++epoch) {
    const Philox subsample(config.seed, SubsampleStream(epoch));
    const Philox window(config.seed, WindowStream(epoch));
    // Negative n of the epoch is word n of the stream (word n % 4 of block
    // n / 4); a block is computed once for its four words.
    const Philox negatives(config.seed, NegativeStream(epoch));
    uint64_t negative_index = 0;
    PhiloxBlock block{};
    auto next_word = [&]() {
      if (negative_index % 4 == 0) block = negatives.Block(negative_index / 4);
      return block[negative_index++ % 4];
    };
    measure_loss = config.loss_every_epoch || epoch == config.epochs - 1;
    loss = 0.0;
    int64_t pairs = 0, kept_tokens = 0, token = 0;
    for (const std::vector<int32_t>& sentence : corpus.sentences) {
      // The learning rate falls linearly with the tokens processed so far.
      const double progress = (static_cast<double>(epoch) * corpus.tokens + token) / total_work;
      const float lr = static_cast<float>(
          std::max(config.min_alpha, config.alpha - (config.alpha - config.min_alpha) * progress));
      kept.clear();
      std::vector<uint64_t> kept_index;  // corpus index of each kept token
      for (int32_t w : sentence) {
        if (keep[w] >= 1.0 || subsample.UniformAt(token) < keep[w]) {
          kept.push_back(w);
          kept_index.push_back(token);
        }
        ++token;
      }
      kept_tokens += static_cast<int64_t>(kept.size());
      const int64_t n = static_cast<int64_t>(kept.size());
      for (int64_t i = 0; i < n; ++i) {
        int64_t reach = config.window;
        if (config.shrink_windows) {
          reach -= static_cast<int64_t>(
              (static_cast<uint64_t>(window.WordAt(kept_index[i])) * config.window) >> 32);
        }
        const int64_t lo = std::max<int64_t>(0, i - reach), hi = std::min(n - 1, i + reach);
        for (int64_t j = lo; j <= hi; ++j) {
          if (j == i) continue;
          // gensim's skip-gram trains the context word's vector to predict the centre word.
          buf.input.push_back(kept[j]);
          buf.output.push_back(kept[i]);
          buf.lr.push_back(lr);
          for (int k = 0; k < K; ++k) buf.negatives.push_back(sampler.Draw(next_word()));
          ++pairs;
        }
      }
      if (static_cast<int64_t>(buf.input.size()) >= config.batch_pairs)
        MONOSEM_RETURN_IF_ERROR(flush());
    }
    if (!buf.input.empty()) MONOSEM_RETURN_IF_ERROR(flush());
    model.epoch_loss.push_back(!measure_loss ? NAN : pairs > 0 ? loss / pairs : 0.0);
    model.epoch_pairs.push_back(pairs);
    model.epoch_kept.push_back(kept_tokens);
  }
  return model;
}

}  // namespace monosem
