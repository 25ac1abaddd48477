// The models of the corpus part: Brown at 3/40/50/60 dimensions and a second
// seed at 50 (the notebook's sizes), and WordNet's glosses at 50. Training is
// the bulk of the suite's time; the models are independent sequential runs,
// so two train at once on the two cores without changing any result.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <iostream>
#include <thread>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "monosem/backend.h"
#include "monosem/results.h"
#include "monosem/status.h"
#include "monosem/suites/embeddings/embeddings_experiments.h"

namespace monosem {
namespace {

constexpr char kSuite[] = "embeddings";

// Every stride-th sentence, so a share of WordNet spans all four parts of
// speech (the files are noun, verb, adjective, adverb in turn).
std::vector<std::vector<std::string>> Spread(std::vector<std::vector<std::string>> all,
                                             int64_t n) {
  if (n <= 0 || static_cast<int64_t>(all.size()) <= n) return all;
  std::vector<std::vector<std::string>> out;
  const double stride = static_cast<double>(all.size()) / static_cast<double>(n);
  for (int64_t i = 0; i < n; ++i) out.push_back(std::move(all[static_cast<size_t>(i * stride)]));
  return out;
}

// --quick: a small share of the corpus, one epoch, two baseline draws.
void MakeQuick(BrownPlan* plan) {
  plan->max_sentences = 4000;
  plan->epochs = 1;
  plan->baseline_draws = 2;
}

std::string CorpusNote(const TokenizedCorpus& c, int epochs) {
  return absl::StrCat(c.sentences.size(), " sentences, ", c.tokens, " tokens, ", c.vocab.size(),
                      " words, ", epochs, " epochs");
}

}  // namespace

std::string BrownModelSpec::Tag() const { return absl::StrCat("d", dim, "_s", seed); }

std::string EmbeddingModel::Tag() const {
  return corpus == "wordnet" ? absl::StrCat("wn_", spec.Tag()) : spec.Tag();
}

BrownPlan MakeBrownPlan(bool quick) {
  BrownPlan plan;
  plan.models = {{3, 1}, {40, 1}, {50, 1}, {60, 1}, {50, 2}};
  if (quick) MakeQuick(&plan);
  return plan;
}

BrownPlan MakeWordNetPlan(bool quick) {
  BrownPlan plan;
  plan.models = {{50, 3}};
  if (quick) MakeQuick(&plan);
  return plan;
}

absl::StatusOr<EmbeddingModels> TrainEmbeddingModels(const EmbeddingsScale& scale,
                                                     const BrownCorpus& brown,
                                                     const WordNetGlosses* wordnet,
                                                     const std::string& wordnet_missing) {
  EmbeddingModels out;
  const BrownPlan bplan = MakeBrownPlan(scale.quick), wplan = MakeWordNetPlan(scale.quick);
  out.baseline_draws = bplan.baseline_draws;
  {
    std::vector<BrownSentence> sentences = AllBrownSentences(brown);
    const int64_t cap = scale.max_sentences > 0 ? scale.max_sentences : bplan.max_sentences;
    if (cap > 0 && static_cast<int64_t>(sentences.size()) > cap) sentences.resize(cap);
    out.brown = std::make_unique<TokenizedCorpus>(BuildCorpus(sentences));  // min_count 1
    out.brown_note = CorpusNote(*out.brown, bplan.epochs);
  }
  if (wordnet != nullptr) {
    const int64_t cap = scale.max_sentences > 0 ? scale.max_sentences : wplan.max_sentences;
    out.wordnet = std::make_unique<TokenizedCorpus>(BuildCorpus(Spread(wordnet->sentences, cap)));
    out.wordnet_note = CorpusNote(*out.wordnet, wplan.epochs);
  }
  out.wordnet_missing = wordnet_missing;

  struct Job {
    std::string corpus;
    BrownModelSpec spec;
    const TokenizedCorpus* data;
    int epochs;
  };
  std::vector<Job> jobs;
  for (const BrownModelSpec& s : bplan.models) jobs.push_back({"brown", s, out.brown.get(), bplan.epochs});
  if (out.wordnet != nullptr) {
    for (const BrownModelSpec& s : wplan.models) {
      jobs.push_back({"wordnet", s, out.wordnet.get(), wplan.epochs});
    }
  }
  out.models.resize(jobs.size());
  std::vector<absl::Status> status(jobs.size());
  std::atomic<size_t> next{0};
  auto worker = [&]() {
    auto kernels = SgnsKernelRegistry::Create(BackendRegistry::Create(scale.backend));
    for (size_t i = next++; i < jobs.size(); i = next++) {
      if (!kernels.ok()) {
        status[i] = kernels.status();
        continue;
      }
      const Job& j = jobs[i];
      Word2VecConfig config;
      config.dim = j.spec.dim;
      config.seed = j.spec.seed + scale.seed_offset;
      config.epochs = j.epochs;
      if (scale.alpha > 0) config.alpha = scale.alpha;
      const auto start = std::chrono::steady_clock::now();
      auto m = TrainWord2Vec(*j.data, config, **kernels);
      if (!m.ok()) {
        status[i] = m.status();
        continue;
      }
      EmbeddingModel& e = out.models[i];
      e.corpus = j.corpus;
      e.spec = j.spec;
      e.data = j.data;
      e.model = *std::move(m);
      e.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    }
  };
  // Two workers: the 2-core machine's budget. A torch run is its own
  // multithreaded peer, so it trains one model at a time.
  const size_t n_workers =
      scale.backend == "torch" ? 1 : std::min<size_t>(2, std::max<size_t>(1, jobs.size()));
  std::vector<std::thread> threads;
  for (size_t t = 1; t < n_workers; ++t) threads.emplace_back(worker);
  worker();
  for (std::thread& t : threads) t.join();
  for (size_t i = 0; i < jobs.size(); ++i) {
    MONOSEM_RETURN_IF_ERROR(status[i]);
    const EmbeddingModel& e = out.models[i];
    std::cout << "embeddings: " << e.corpus << " " << e.Tag() << " trained in "
              << absl::StrFormat("%.1f", e.seconds) << " s (" << e.model.epoch_pairs.back()
              << " pairs in the last epoch)" << std::endl;
  }
  return out;
}

SharedWords SharedVocabulary(const EmbeddingModel& a, const EmbeddingModel& b, int64_t min_count) {
  SharedWords s;
  const Vocab &va = a.data->vocab, &vb = b.data->vocab;
  for (int32_t i = 0; i < va.size(); ++i) {
    if (va.counts[i] < min_count) break;  // counts are non-increasing
    const int32_t j = &va == &vb ? i : vb.Find(va.words[i]);
    if (j < 0 || vb.counts[j] < min_count) continue;
    s.a.push_back(i);
    s.b.push_back(j);
  }
  return s;
}

ResultRow DataMissingRow(const std::string& metric, const std::string& source,
                         const std::string& why) {
  return MakeRow(kSuite, metric, NAN, REPORT_ONLY, NAN, 0, source, absl::StrCat("data missing: ", why));
}

absl::StatusOr<std::vector<ResultRow>> RunCorpusEmbeddings(const EmbeddingsScale& scale,
                                                           const BrownCorpus* brown,
                                                           const std::string& brown_missing,
                                                           const WordNetGlosses* wordnet,
                                                           const std::string& wordnet_missing) {
  if (brown == nullptr) return MissingBrownRows(brown_missing);
  MONOSEM_ASSIGN_OR_RETURN(EmbeddingModels m,
                           TrainEmbeddingModels(scale, *brown, wordnet, wordnet_missing));
  std::vector<ResultRow> rows;
  for (auto part : {DimensionWordRows, DifferenceVectorRows, FeatureUniversalityRows}) {
    MONOSEM_ASSIGN_OR_RETURN(std::vector<ResultRow> more, part(scale, m));
    rows.insert(rows.end(), more.begin(), more.end());
  }
  return rows;
}

absl::StatusOr<std::vector<ResultRow>> RunBrownEmbeddings(const EmbeddingsScale& scale,
                                                          const BrownCorpus* brown,
                                                          const std::string& missing_reason) {
  return RunCorpusEmbeddings(scale, brown, missing_reason, nullptr,
                             "no second corpus given (Brown only)");
}

}  // namespace monosem
