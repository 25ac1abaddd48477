// Golden cases for skip-gram with negative sampling: single batches of pairs
// at awkward shapes (the kernel contract of sgns_kernels.h: in/out vectors
// after the batch and its loss), and a whole word2vec run on a generated
// corpus (the trainer's pairs, windows, sub-sampling and negatives on top of
// the kernel). Inputs are Philox draws; outputs are the reference's.
//
// This set lives in its own library (//golden:sgns_set), linked into the
// host golden test and the regen tool but not into the GPU one: no device
// backend has skip-gram kernels (tests/kernels/kernel_set_coverage_test.cc).
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "golden/golden_sets.h"
#include "monosem/compare.h"
#include "monosem/golden.h"
#include "monosem/models/embeddings/sgns_kernels.h"
#include "monosem/models/embeddings/word2vec.h"
#include "monosem/philox.h"
#include "monosem/status.h"

namespace monosem {
namespace {

absl::StatusOr<int64_t> IntParam(const GoldenCase& c, const std::string& key) {
  MONOSEM_ASSIGN_OR_RETURN(double v, ParamDouble(c, key));
  return static_cast<int64_t>(v);
}

// The batch's indices come from a U[0, 1) input: floor(u · V), so one float
// input carries inputs, outputs and negatives (small V makes a negative equal
// the output word often, which exercises word2vec's skip rule).
absl::StatusOr<TensorMap> BatchOp(Backend& b, const GoldenCase& c, TensorMap& in) {
  MONOSEM_ASSIGN_OR_RETURN(int64_t V, IntParam(c, "vocab"));
  MONOSEM_ASSIGN_OR_RETURN(int64_t P, IntParam(c, "pairs"));
  MONOSEM_ASSIGN_OR_RETURN(int64_t K, IntParam(c, "k"));
  MONOSEM_ASSIGN_OR_RETURN(const Tensor* u, GoldenInput(c, in, "index_u"));
  MONOSEM_ASSIGN_OR_RETURN(const Tensor* lr_in, GoldenInput(c, in, "lr"));
  MONOSEM_ASSIGN_OR_RETURN(const Tensor* in_v, GoldenInput(c, in, "in_vectors"));
  MONOSEM_ASSIGN_OR_RETURN(const Tensor* out_v, GoldenInput(c, in, "out_vectors"));
  if (u->size() != P * (2 + K) || lr_in->size() != P) {
    return absl::InvalidArgumentError(absl::StrCat("golden case '", c.name(), "': input sizes"));
  }
  auto index = [&](int64_t i) {
    return static_cast<int32_t>(std::min<int64_t>(V - 1, static_cast<int64_t>((*u)[i] * V)));
  };
  std::vector<int32_t> input(P), output(P), negatives(P * K);
  std::vector<float> lr(P);
  for (int64_t p = 0; p < P; ++p) {
    input[p] = index(p * (2 + K));
    output[p] = index(p * (2 + K) + 1);
    for (int64_t k = 0; k < K; ++k) negatives[p * K + k] = index(p * (2 + K) + 2 + k);
    lr[p] = (*lr_in)[p];
  }
  SgnsBatch batch{input, output, negatives, lr, static_cast<int>(K)};
  MONOSEM_ASSIGN_OR_RETURN(auto kernels, SgnsKernelRegistry::Create(b));
  Tensor iv = in_v->Clone(), ov = out_v->Clone();
  double loss = 0;
  MONOSEM_RETURN_IF_ERROR(kernels->Train(batch, &iv, &ov, &loss));
  TensorMap r;
  r.emplace("in_vectors_after", std::move(iv));
  r.emplace("out_vectors_after", std::move(ov));
  MONOSEM_ASSIGN_OR_RETURN(Tensor l, Tensor::FromValues({1}, {static_cast<float>(loss)}));
  r.emplace("loss", std::move(l));
  return r;
}

// A Zipf-like corpus from Philox: word w of `words` drawn with weight 1/(w+1).
std::vector<std::vector<std::string>> GeneratedCorpus(int64_t words, int64_t sentences,
                                                      int64_t length, uint64_t seed) {
  std::vector<double> cum(words);
  double total = 0;
  for (int64_t w = 0; w < words; ++w) cum[w] = (total += 1.0 / (w + 1));
  const Philox rng(seed, 0);
  std::vector<std::vector<std::string>> out(sentences);
  uint64_t i = 0;
  for (auto& s : out) {
    for (int64_t t = 0; t < length; ++t) {
      const double r = rng.UniformAt(i++) * total;
      const int64_t w = std::lower_bound(cum.begin(), cum.end(), r) - cum.begin();
      s.push_back(absl::StrCat("w", std::min(w, words - 1)));
    }
  }
  return out;
}

absl::StatusOr<TensorMap> RunOp(Backend& b, const GoldenCase& c, TensorMap&) {
  MONOSEM_ASSIGN_OR_RETURN(int64_t words, IntParam(c, "words"));
  MONOSEM_ASSIGN_OR_RETURN(int64_t sentences, IntParam(c, "sentences"));
  MONOSEM_ASSIGN_OR_RETURN(int64_t length, IntParam(c, "length"));
  MONOSEM_ASSIGN_OR_RETURN(int64_t dim, IntParam(c, "dim"));
  MONOSEM_ASSIGN_OR_RETURN(int64_t epochs, IntParam(c, "epochs"));
  MONOSEM_ASSIGN_OR_RETURN(double sample, ParamDouble(c, "sample"));
  const TokenizedCorpus corpus = BuildCorpus(GeneratedCorpus(words, sentences, length, 41));
  Word2VecConfig config;
  config.dim = static_cast<int>(dim);
  config.epochs = static_cast<int>(epochs);
  config.sample = sample;
  config.seed = 5;
  config.batch_pairs = 97;  // several kernel calls per epoch
  MONOSEM_ASSIGN_OR_RETURN(auto kernels, SgnsKernelRegistry::Create(b));
  MONOSEM_ASSIGN_OR_RETURN(Word2VecModel m, TrainWord2Vec(corpus, config, *kernels));
  TensorMap r;
  r.emplace("in_vectors", std::move(m.in_vectors));
  r.emplace("out_vectors", std::move(m.out_vectors));
  MONOSEM_ASSIGN_OR_RETURN(
      Tensor l, Tensor::FromValues({2}, {static_cast<float>(m.epoch_loss.back()),
                                         static_cast<float>(m.epoch_pairs.back())}));
  r.emplace("last_epoch_loss_and_pairs", std::move(l));
  return r;
}

MONOSEM_REGISTER_GOLDEN_OP(sgns_batch, "sgns_batch", BatchOp);
MONOSEM_REGISTER_GOLDEN_OP(word2vec_run, "word2vec_run", RunOp);

GoldenFile SgnsCases() {
  GoldenFile f;
  f.set_description(
      "Skip-gram with negative sampling: single batches (in/out vectors [V, d] after the "
      "batch, and its loss; indices floor(index_u * V)) at awkward shapes, and whole word2vec "
      "runs on a generated Zipf corpus (gensim's defaults, with and without sub-sampling). "
      "Regenerate with: bazel run //golden:regen");
  struct Shape {
    int64_t vocab, d, pairs, k;
  };
  uint64_t seed = 700;
  for (const Shape& s : std::vector<Shape>{{1, 3, 4, 2}, {6, 1, 20, 5}, {13, 7, 60, 5},
                                           {40, 129, 25, 3}, {9, 17, 30, 0}}) {
    GoldenCase* c = f.add_cases();
    c->set_name(absl::StrCat("sgns_batch_V", s.vocab, "_d", s.d, "_P", s.pairs, "_K", s.k));
    c->set_op("sgns_batch");
    auto& p = *c->mutable_params();
    p["vocab"] = absl::StrCat(s.vocab);
    p["pairs"] = absl::StrCat(s.pairs);
    p["k"] = absl::StrCat(s.k);
    ++seed;
    *c->add_inputs() = UniformInput("in_vectors", {s.vocab, s.d}, seed, 1, -0.5f, 0.5f);
    *c->add_inputs() = UniformInput("out_vectors", {s.vocab, s.d}, seed, 2, -0.5f, 0.5f);
    *c->add_inputs() = UniformInput("index_u", {s.pairs * (2 + s.k)}, seed, 3, 0.0f, 1.0f);
    *c->add_inputs() = UniformInput("lr", {s.pairs}, seed, 4, 0.0f, 0.05f);
    // As tests/kernels/sgns_kernels_test: (d + 8 rounding steps per update)
    // times the most updates a row can receive, here bounded by every pair's.
    *c->mutable_tolerance() = ToSpec(Float32Tolerance((s.d + 8) * s.pairs * (s.k + 1)));
  }
  for (double sample : {1e-3, 0.0}) {
    GoldenCase* c = f.add_cases();
    c->set_name(sample > 0 ? "word2vec_run_defaults" : "word2vec_run_no_subsampling");
    c->set_op("word2vec_run");
    auto& p = *c->mutable_params();
    p["words"] = "30";
    p["sentences"] = "40";
    p["length"] = "9";
    p["dim"] = "6";
    p["epochs"] = "3";
    p["sample"] = absl::StrCat(sample);
    // Thousands of dependent float32 updates: compared at training-curve
    // precision, as the cpu-vs-reference whole-run test does (1e-4 absolute).
    ToleranceSpec t;
    t.set_atol(1e-4);
    t.set_rtol(1e-3);
    t.set_mean_rtol(1e-3);
    t.set_depth(1);
    *c->mutable_tolerance() = t;
  }
  return f;
}

MONOSEM_REGISTER_GOLDEN_SET(sgns, "sgns.textproto", SgnsCases);

}  // namespace
}  // namespace monosem
