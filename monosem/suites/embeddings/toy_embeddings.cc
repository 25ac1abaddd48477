// The notebook's minimal corpora (MinimalCorpus.py): word2vec at 2, 3 and 4
// dimensions with gensim's defaults, as the notebook trains them. With so few
// tokens, sub-sampling at 1e-3 drops most of them, and one-word sentences give
// no training pairs at all, so several of these embeddings are close to their
// random initialization; the rows say how far training moved them. A second
// run of each without sub-sampling (",nosub" in the row names) shows what the
// same training makes of the corpora when every token is used.
#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "monosem/backend.h"
#include "monosem/io/file_io.h"
#include "monosem/models/embeddings/embedding_analysis.h"
#include "monosem/models/embeddings/word2vec.h"
#include "monosem/published.h"
#include "monosem/results.h"
#include "monosem/status.h"
#include "monosem/suites/embeddings/embeddings_experiments.h"

namespace monosem {
namespace {

constexpr char kSuite[] = "embeddings";

struct ToyCorpus {
  std::string name;
  std::vector<std::vector<std::string>> sentences;
  std::vector<std::pair<std::string, std::string>> pairs;  // cosines reported as rows
};

std::vector<ToyCorpus> ToyCorpora() {
  return {
      {"numbers", {{"One"}, {"Two"}, {"Three"}, {"Four"}, {"Five"}}, {{"One", "Two"}}},
      {"bark",
       {{"Dog", "Bark"}, {"Tree", "Bark"}, {"Dog", "Sound", "Bark"}, {"Tree", "Sound", "Creak"}},
       {{"Dog", "Tree"}, {"Dog", "Bark"}, {"Tree", "Bark"}, {"Tree", "Creak"}}},
      {"capital",
       {{"Paris", "Capital"},      {"Rome", "Capital"},     {"Rome", "Italy"},
        {"Paris", "France"},       {"Italy", "Country"},    {"France", "Country"},
        {"England", "Country"},    {"London", "England"},   {"London", "Capital"},
        {"Cardiff", "Wales"},      {"Wales", "Country"},    {"Cardiff", "Capital"},
        {"Madrid", "Spain"},       {"Madrid", "Capital"},   {"Spain", "Country"},
        {"Edinburgh", "Scotland"}, {"Scotland", "Country"}, {"Edinburgh", "Capital"},
        {"Greece", "Athens"},      {"Athens", "Capital"},   {"Greece", "Country"}},
       {{"Paris", "Rome"}, {"France", "Italy"}, {"Paris", "France"}, {"Capital", "Country"}}},
      {"translate",
       {{"Tak", "Yes", "Polish"},
        {"Nie", "No", "Polish"},
        {"Oui", "Yes", "French"},
        {"Non", "No", "French"},
        {"Ja", "Yes", "German"},
        {"Nein", "No", "German"}},
       {{"Yes", "No"}, {"Tak", "Oui"}, {"Nie", "Non"}, {"Tak", "Nie"}}},
  };
}

}  // namespace

absl::StatusOr<std::vector<ResultRow>> RunToyEmbeddings(const EmbeddingsScale& scale) {
  auto kernels = SgnsKernelRegistry::Create(BackendRegistry::Create(scale.backend));
  if (!kernels.ok()) return kernels.status();
  const std::string dir = scale.out_dir + "/embeddings";
  MONOSEM_RETURN_IF_ERROR(MakeDirs(dir));
  const std::string source = PublishedSource("embeddings.toy.cosines");
  std::vector<ResultRow> rows;
  for (const ToyCorpus& toy : ToyCorpora()) {
    const TokenizedCorpus corpus = BuildCorpus(toy.sentences);
    const int64_t V = corpus.vocab.size();
    for (int dim : {2, 3, 4}) {
      for (bool subsample : {true, false}) {
        Word2VecConfig config;  // gensim's defaults
        config.dim = dim;
        if (!subsample) config.sample = 0;
        MONOSEM_ASSIGN_OR_RETURN(Word2VecModel model, TrainWord2Vec(corpus, config, **kernels));
        const Tensor initial = InitialVectors(V, dim, config.seed);
        const std::string tag = absl::StrCat(toy.name, ",d", dim, subsample ? "" : ",nosub");
        // The whole cosine table, one CSV per corpus and size.
        std::string csv = "word";
        for (const std::string& w : corpus.vocab.words) absl::StrAppend(&csv, ",", w);
        csv += "\n";
        double angle_sum = 0, moved = 0;
        int64_t angle_n = 0;
        for (int64_t a = 0; a < V; ++a) {
          absl::StrAppend(&csv, corpus.vocab.words[a]);
          const float* va = model.in_vectors.data() + a * dim;
          for (int64_t b = 0; b < V; ++b) {
            const double c = Cosine(va, model.in_vectors.data() + b * dim, dim);
            absl::StrAppend(&csv, ",", absl::StrFormat("%.4f", c));
            if (a != b) {
              angle_sum += std::acos(std::max(-1.0, std::min(1.0, c))) * 180.0 / M_PI;
              ++angle_n;
            }
          }
          csv += "\n";
          moved += 1.0 - Cosine(va, initial.data() + a * dim, dim);
        }
        MONOSEM_RETURN_IF_ERROR(
            WriteFileAtomic(absl::StrCat(dir, "/toy_", toy.name, "_d", dim,
                                         subsample ? "" : "_nosub", "_cosines.csv"),
                            csv));
        const std::string note =
            absl::StrCat(model.epoch_pairs[0], " training pairs in epoch 1 (", model.epoch_kept[0],
                         " of ", corpus.tokens, " tokens kept by sub-sampling)");
        rows.push_back(MakeRow(kSuite, absl::StrCat("toy_mean_angle_deg[", tag, "]"),
                               angle_n > 0 ? angle_sum / angle_n : 0.0, REPORT_ONLY, NAN, 0, source,
                               note));
        rows.push_back(MakeRow(kSuite, absl::StrCat("toy_mean_1_minus_cos_to_init[", tag, "]"),
                               moved / V, REPORT_ONLY, NAN, 0, source,
                               "how far training turned the vectors from their initialization"));
        for (const auto& [x, y] : toy.pairs) {
          const int32_t ix = corpus.vocab.Find(x), iy = corpus.vocab.Find(y);
          rows.push_back(MakeRow(
              kSuite, absl::StrCat("toy_cos[", tag, ",", x, "~", y, "]"),
              Cosine(model.in_vectors.data() + ix * dim, model.in_vectors.data() + iy * dim, dim),
              REPORT_ONLY, NAN, 0, source));
        }
      }
    }
  }
  return rows;
}

}  // namespace monosem
