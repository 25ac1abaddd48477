#include "monosem/data/corpus.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <map>

#include "absl/strings/str_cat.h"
#include "monosem/data/corpus_leaves.h"
#include "monosem/philox.h"
#include "monosem/status.h"
#include "monosem/textproto.h"

namespace monosem {
namespace {

using corpus_internal::BuiltinCatalog;
using corpus_internal::Catalog;

const char kDefaultConfigText[] = R"pb(# The built-in corpus's default mixture.
# Genre weights are the probability of a document's genre; documents have the
# same length distribution, so they are also (about) the fraction of bytes.
# Within a genre, leaf k (in catalog order) gets a share ~ (k + 1)^-1.
# Arabic is rare, as in the Pile (~0.13% of its tokens).
seed: 1
language_seed: 7
genres { genre: "prose" weight: 0.2557 }
genres { genre: "code" weight: 0.12 }
genres { genre: "html" weight: 0.06 }
genres { genre: "dialogue" weight: 0.05 }
genres { genre: "data" weight: 0.04 }
genres { genre: "citation" weight: 0.035 }
genres { genre: "http" weight: 0.035 }
genres { genre: "numbers" weight: 0.035 }
genres { genre: "markup" weight: 0.03 }
genres { genre: "log" weight: 0.03 }
genres { genre: "latin" weight: 0.03 }
genres { genre: "dna" weight: 0.03 }
genres { genre: "base64" weight: 0.03 }
genres { genre: "korean" weight: 0.03 }
genres { genre: "table" weight: 0.025 }
genres { genre: "url" weight: 0.025 }
genres { genre: "math" weight: 0.025 }
genres { genre: "cjk" weight: 0.025 }
genres { genre: "cyrillic" weight: 0.025 }
genres { genre: "hex" weight: 0.02 }
genres { genre: "hebrew" weight: 0.012 }
genres { genre: "indic" weight: 0.012 }
genres { genre: "greek" weight: 0.008 }
genres { genre: "emoji" weight: 0.006 }
genres { genre: "sea" weight: 0.005 }
genres { genre: "arabic" weight: 0.0013 }
leaf_zipf_exponent: 1.0
doc_bytes_min: 200
doc_bytes_max: 2000
vocab_size: 2000
zipf_exponent: 1.1
)pb";

struct Resolved {
  uint64_t seed, language_seed;
  std::vector<int> leaves;      // leaf ids with positive weight
  std::vector<double> weights;  // their probabilities (sum 1)
  int doc_min, doc_max, vocab;
  double zipf;
};

absl::Status Bad(const std::string& field, const std::string& what) {
  return absl::InvalidArgumentError(absl::StrCat("corpus config: ", field, ": ", what));
}

std::string KnownGenres() {
  std::string names;
  for (int g : BuiltinCatalog().genres) absl::StrAppend(&names, names.empty() ? "" : ", ", BuiltinLabels().names[g]);
  return names;
}

absl::Status CheckWeight(const std::string& field, const CorpusConfig::GenreWeight& gw) {
  if (!std::isfinite(gw.weight()) || gw.weight() < 0) {
    return Bad(field, absl::StrCat("\"", gw.genre(), "\" has weight ", gw.weight(),
                                   "; weights must be finite and >= 0"));
  }
  return absl::OkStatus();
}

absl::StatusOr<Resolved> Resolve(const CorpusConfig& config) {
  const CorpusConfig& d = DefaultCorpusConfig();
  const Catalog& cat = BuiltinCatalog();
  Resolved r;
  r.seed = config.seed() != 0 ? config.seed() : d.seed();
  r.language_seed = config.language_seed() != 0 ? config.language_seed() : d.language_seed();
  r.doc_min = config.doc_bytes_min() != 0 ? config.doc_bytes_min() : d.doc_bytes_min();
  r.doc_max = config.doc_bytes_max() != 0 ? config.doc_bytes_max() : d.doc_bytes_max();
  r.vocab = config.vocab_size() != 0 ? config.vocab_size() : d.vocab_size();
  r.zipf = config.zipf_exponent() != 0 ? config.zipf_exponent() : d.zipf_exponent();
  const double leaf_s = config.has_leaf_zipf_exponent() ? config.leaf_zipf_exponent() : d.leaf_zipf_exponent();
  if (r.doc_min < 1 || r.doc_max < r.doc_min) {
    return Bad("doc_bytes_min/doc_bytes_max", absl::StrCat("need 1 <= doc_bytes_min (", r.doc_min,
                                                           ") <= doc_bytes_max (", r.doc_max, ")"));
  }
  if (r.vocab < 16 || r.vocab > 1000000) {
    return Bad("vocab_size", absl::StrCat(r.vocab, " is outside [16, 1000000]"));
  }
  if (!std::isfinite(r.zipf) || r.zipf <= 0 || r.zipf > 10) {
    return Bad("zipf_exponent", absl::StrCat(r.zipf, " is outside (0, 10]"));
  }
  if (!std::isfinite(leaf_s) || leaf_s < 0 || leaf_s > 10) {
    return Bad("leaf_zipf_exponent", absl::StrCat(leaf_s, " is outside [0, 10]"));
  }

  // Genre weights.
  std::map<int, double> genre_weight;
  const auto& genres = config.genres().empty() ? d.genres() : config.genres();
  for (const auto& gw : genres) {
    auto id = BuiltinLabelId(gw.genre());
    if (!id.ok() || *id == kLabelUnknown) {
      return Bad("genres", absl::StrCat("unknown genre \"", gw.genre(), "\" (known: ", KnownGenres(), ")"));
    }
    if (cat.labels.parent[*id] >= 0) {
      return Bad("genres", absl::StrCat("\"", gw.genre(), "\" is a leaf; give leaf weights in `leaves`"));
    }
    MONOSEM_RETURN_IF_ERROR(CheckWeight("genres", gw));
    if (!genre_weight.emplace(*id, gw.weight()).second) {
      return Bad("genres", absl::StrCat("\"", gw.genre(), "\" is listed twice"));
    }
  }
  // Explicit leaf weights, grouped by genre.
  std::map<int, std::map<int, double>> leaf_weight;
  for (const auto& lw : config.leaves()) {
    auto id = BuiltinLabelId(lw.genre());
    if (!id.ok() || cat.labels.parent[*id] < 0) {
      return Bad("leaves", absl::StrCat("unknown leaf \"", lw.genre(),
                                        "\" (leaves are \"genre/leaf\", e.g. \"base64/pem\"; see docs/data.md)"));
    }
    MONOSEM_RETURN_IF_ERROR(CheckWeight("leaves", lw));
    if (!leaf_weight[cat.labels.parent[*id]].emplace(*id, lw.weight()).second) {
      return Bad("leaves", absl::StrCat("\"", lw.genre(), "\" is listed twice"));
    }
  }

  double total = 0;
  for (const auto& [g, w] : genre_weight) total += w;
  if (total <= 0) return Bad("genres", "every genre weight is zero");
  for (const auto& [g, w] : genre_weight) {
    if (w == 0) continue;
    const std::vector<int>& leaves = BuiltinLeavesOf(g);
    std::vector<double> share(leaves.size(), 0.0);
    auto listed = leaf_weight.find(g);
    for (size_t k = 0; k < leaves.size(); ++k) {
      share[k] = listed != leaf_weight.end()
                     ? (listed->second.count(leaves[k]) ? listed->second.at(leaves[k]) : 0.0)
                     : std::pow(static_cast<double>(k + 1), -leaf_s);
    }
    double sum = 0;
    for (double x : share) sum += x;
    if (sum <= 0) continue;  // every listed leaf of this genre has weight 0
    for (size_t k = 0; k < leaves.size(); ++k) {
      if (share[k] <= 0) continue;
      r.leaves.push_back(leaves[k]);
      r.weights.push_back(w / total * share[k] / sum);
    }
  }
  if (r.leaves.empty()) return Bad("leaves", "every leaf of the weighted genres has weight zero");
  double norm = 0;
  for (double w : r.weights) norm += w;
  for (double& w : r.weights) w /= norm;
  return r;
}

// Start of the UTF-8 character containing bytes[i] (i itself if it starts one).
size_t CharStart(const std::vector<uint8_t>& bytes, size_t i) {
  while (i > 0 && (bytes[i] & 0xC0) == 0x80) --i;
  return i;
}

// Chooses each document's leaf: the leaf with the largest deficit
// (documents it is owed so far minus documents it got), a deterministic
// apportionment that keeps every leaf within about one document of its share
// at every prefix, so even the rarest leaves occur in a short corpus. Random
// phases stop leaves of equal weight from always coming in catalog order.
class LeafSchedule {
 public:
  LeafSchedule(const std::vector<double>& weights, Philox& rng)
      : w_(weights), phase_(weights.size()), count_(weights.size(), 0) {
    for (double& p : phase_) p = rng.Uniform();
  }
  size_t Next() {
    ++docs_;
    size_t best = 0;
    double best_deficit = -1e300;
    for (size_t i = 0; i < w_.size(); ++i) {
      const double deficit = (static_cast<double>(docs_) - 1.0 + phase_[i]) * w_[i] - count_[i];
      if (deficit > best_deficit) {
        best_deficit = deficit;
        best = i;
      }
    }
    ++count_[best];
    return best;
  }

 private:
  std::vector<double> w_, phase_;
  std::vector<int64_t> count_;
  int64_t docs_ = 0;
};

}  // namespace

const LabelSet& BuiltinLabels() { return BuiltinCatalog().labels; }

absl::StatusOr<LabelId> BuiltinLabelId(const std::string& name) {
  static const auto* index = [] {
    auto* m = new std::map<std::string, LabelId>;
    const LabelSet& l = BuiltinCatalog().labels;
    for (int i = 0; i < l.size(); ++i) (*m)[l.names[i]] = static_cast<LabelId>(i);
    return m;
  }();
  auto it = index->find(name);
  if (it == index->end()) return absl::NotFoundError(absl::StrCat("no built-in label \"", name, "\""));
  return it->second;
}

const std::vector<int>& BuiltinLeavesOf(int genre_id) {
  static const std::vector<int> kNone;
  const Catalog& cat = BuiltinCatalog();
  for (size_t g = 0; g < cat.genres.size(); ++g) {
    if (cat.genres[g] == genre_id) return cat.leaves[g];
  }
  return kNone;
}

const std::string& DefaultCorpusConfigText() {
  static const auto* text = new std::string(kDefaultConfigText);
  return *text;
}

const CorpusConfig& DefaultCorpusConfig() {
  static const CorpusConfig* config = [] {
    auto parsed = ParseCorpusConfig(DefaultCorpusConfigText(), "<embedded default corpus config>");
    return new CorpusConfig(parsed.ok() ? *parsed : CorpusConfig());
  }();
  return *config;
}

absl::StatusOr<CorpusConfig> ParseCorpusConfig(const std::string& text,
                                               const std::string& filename) {
  CorpusConfig config;
  if (absl::Status s = ParseTextProto(text, filename, &config); !s.ok()) return s;
  return config;
}

absl::StatusOr<Corpus> GenerateCorpus(const CorpusConfig& config, int64_t n_bytes) {
  if (n_bytes <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("empty corpus: asked for ", n_bytes, " bytes; need at least 1"));
  }
  MONOSEM_ASSIGN_OR_RETURN(Resolved r, Resolve(config));
  const corpus_internal::LeafWriter writer(r.language_seed, r.vocab, r.zipf);
  Corpus corpus;
  corpus.labels = BuiltinLabels();
  corpus.bytes.reserve(n_bytes + r.doc_max + 4096);
  corpus.label.reserve(n_bytes + r.doc_max + 4096);
  Philox mix(r.seed, 0);
  LeafSchedule schedule(r.weights, mix);
  std::string doc;
  for (uint64_t d = 0; static_cast<int64_t>(corpus.bytes.size()) < n_bytes; ++d) {
    const int leaf = r.leaves[schedule.Next()];
    const int target = r.doc_min + static_cast<int>(mix.UniformInt(r.doc_max - r.doc_min + 1));
    Philox rng(r.seed, d + 1);
    doc.clear();
    writer.Document(leaf, target, rng, &doc);
    doc += '\n';
    corpus.bytes.insert(corpus.bytes.end(), doc.begin(), doc.end());
    corpus.label.insert(corpus.label.end(), doc.size(), static_cast<LabelId>(leaf));
  }
  CutCorpus(&corpus, n_bytes);
  return corpus;
}

void CutCorpus(Corpus* corpus, int64_t n_bytes) {
  const size_t cut = static_cast<size_t>(n_bytes);
  if (cut >= corpus->bytes.size()) return;
  const size_t start = CharStart(corpus->bytes, cut);
  // The character at `start` spans past the cut: drop it, pad with '\n'.
  const LabelId pad = corpus->label[start > 0 ? start - 1 : 0];
  corpus->bytes.resize(start);
  corpus->label.resize(start);
  while (corpus->bytes.size() < cut) {
    corpus->bytes.push_back('\n');
    corpus->label.push_back(pad);
  }
}

Corpus SliceCorpus(const Corpus& corpus, int64_t begin, int64_t end) {
  Corpus out;
  out.labels = corpus.labels;
  begin = std::clamp<int64_t>(begin, 0, corpus.size());
  end = std::clamp<int64_t>(end, begin, corpus.size());
  out.bytes.assign(corpus.bytes.begin() + begin, corpus.bytes.begin() + end);
  out.label.assign(corpus.label.begin() + begin, corpus.label.begin() + end);
  return out;
}

Corpus TopLevelCorpus(const Corpus& corpus) {
  Corpus out;
  std::vector<LabelId> map;
  out.labels = TopLevelLabels(corpus.labels, &map);
  out.bytes = corpus.bytes;
  out.label.resize(corpus.label.size());
  for (size_t i = 0; i < corpus.label.size(); ++i) {
    out.label[i] = corpus.label[i] < map.size() ? map[corpus.label[i]] : kLabelUnknown;
  }
  return out;
}

namespace {
double EntropyOfCounts(const std::array<int64_t, 256>& counts, int64_t total) {
  if (total == 0) return 0;
  double h = 0;
  for (int64_t c : counts) {
    if (c == 0) continue;
    const double p = static_cast<double>(c) / static_cast<double>(total);
    h -= p * std::log(p);
  }
  return h;
}
}  // namespace

double UnigramEntropyNats(absl::Span<const uint8_t> bytes) {
  std::array<int64_t, 256> counts{};
  for (uint8_t b : bytes) ++counts[b];
  return EntropyOfCounts(counts, static_cast<int64_t>(bytes.size()));
}

std::vector<double> UnigramEntropyNatsPerLabel(const Corpus& corpus) {
  const size_t n = corpus.labels.names.size();
  std::vector<std::array<int64_t, 256>> counts(n, std::array<int64_t, 256>{});
  std::vector<int64_t> totals(n, 0);
  for (size_t i = 0; i < corpus.bytes.size(); ++i) {
    // A byte counts for its label and every ancestor (bounded: no cycles).
    int g = corpus.label[i] < n ? corpus.label[i] : -1;
    for (size_t steps = 0; g >= 0 && steps < n; ++steps, g = corpus.labels.parent[g]) {
      ++counts[g][corpus.bytes[i]];
      ++totals[g];
    }
  }
  std::vector<double> h(n, 0.0);
  for (size_t g = 0; g < n; ++g) h[g] = EntropyOfCounts(counts[g], totals[g]);
  return h;
}

std::vector<int64_t> LabelByteCounts(const Corpus& corpus) {
  const size_t n = corpus.labels.names.size();
  std::vector<int64_t> own(n, 0);
  for (LabelId g : corpus.label) {
    if (g < n) ++own[g];
  }
  std::vector<int64_t> counts(n, 0);
  for (size_t i = 0; i < n; ++i) {
    int g = static_cast<int>(i);
    for (size_t steps = 0; g >= 0 && steps < n; ++steps, g = corpus.labels.parent[g]) counts[g] += own[i];
  }
  return counts;
}

}  // namespace monosem
