#include "monosem/published.h"

#include <cmath>
#include <limits>

#include "absl/strings/str_cat.h"

namespace monosem {
namespace {

constexpr double kClaim = std::numeric_limits<double>::quiet_NaN();

constexpr char kElhage[] = "Elhage et al. 2022, Toy Models of Superposition";
constexpr char kBricken[] = "Bricken et al. 2023, Towards Monosemanticity";
constexpr char kSharkey[] =
    "Sharkey, Braun, Millidge 2022, Taking features out of superposition with sparse "
    "autoencoders";
constexpr char kGao[] = "Gao et al. 2024, Scaling and evaluating sparse autoencoders";
// Measurements of a PyTorch implementation on this machine class (not
// published numbers; they say what a correct implementation should see).
constexpr char kNotes[] = "PUBLISHED.md replication notes (PyTorch, this machine class)";
constexpr char kMetrics[] = "METRICS.md";
constexpr char kChanin[] = "Chanin, Garriga-Alonso 2026, SynthSAEBench (arXiv 2602.14687)";
constexpr char kSynthPlace[] = "SynthSAEBench-16k architectures at L0 = 25";
constexpr char kSynthSetup[] =
    "16,384 true features in 768 dimensions (hierarchy, mutually exclusive children, correlated "
    "firing); SAEs of width 4,096 trained on 200M samples at batch 1,024, L0 = 25; feature_f1 "
    "and mcc of matched features, explained variance";
constexpr char kWilliams[] =
    "Williams 2024, Exploring Polysemantic Universality with Embeddings (notebook "
    "DanielJMWilliams/PolysemanticUniversality)";

constexpr PublishedValue kTable[] = {
    // Toy Models of Superposition.
    {"toy.n20_m5.top5_exact", 1, kElhage, "Demonstrating Superposition (n=20, m=5)",
     "I_i = 0.7^i; at S = 0 the linear and the ReLU model represent exactly the 5 most "
     "important features (1 = yes)"},
    {"toy.n20_m5.represented_m", 5, kElhage, "Demonstrating Superposition (n=20, m=5)",
     "the linear model represents m = 5 features at every sparsity; the ReLU model at S = 0"},
    {"toy.n20_m5.relu_represented_sparse", kClaim, kNotes, "n=20, m=5, 10k steps at batch 1024",
     "ReLU model: 9-10 features represented at S = 0.9, 11-12 at S = 0.99"},
    {"toy.n20_m5.relu_represented_grows", kClaim, kElhage,
     "Demonstrating Superposition (n=20, m=5)",
     "as sparsity rises the ReLU model represents more features than it has dimensions"},
    {"toy.n5_m2.represented_sparsest", 5, kElhage, "introduction figure (n=5, m=2)",
     "I_i = 0.9^i, feature probability 20^-linspace(0, 1, 10): five features in two "
     "dimensions at the sparse end"},
    {"toy.n5_m2.pentagon_di_deviation", 0, kElhage, "introduction figure (n=5, m=2)",
     "a regular pentagon: every D_i = 2/5"},
    {"toy.n5_m2.represented_dense", 2, kElhage, "introduction figure (n=5, m=2)",
     "feature probability 1: the top m = 2 features"},
    {"toy.phase.lowest_loss_run_agreement", 624.0 / 625, kNotes, "phase diagram (n=2, m=1)",
     "the lowest-loss of 10 runs per point matches the exact optimum at 624 of 625 points "
     "(25x25 grid, AdamW lr 1e-3, 10k steps)"},
    {"toy.phase.closed_form", kClaim, kElhage, "Superposition as a Phase Change (n=2, m=1)",
     "closed-form losses of the ignore, dedicate and antipodal solutions"},
    {"toy.phase.exact_vs_closed_form", 0.966, kNotes, "phase diagram (n=2, m=1)",
     "the exact optimum agrees with the closed-form class at 96.6% of a 25x25 log grid"},
    {"toy.phase.exact_vs_closed_form_excl_boundary", 0.977, kNotes, "phase diagram (n=2, m=1)",
     "97.7% away from (5%) the closed-form boundaries, same grid"},
    {"toy.uniform.d_star_dense", 1.0, kElhage,
     "The Geometry of Superposition: Uniform Superposition",
     "n=400, m=30, I_i = 1: D* = m / ||W||_F^2 sticks at 1 at low sparsity"},
    {"toy.uniform.d_star_half_plateau", 0.5, kElhage,
     "The Geometry of Superposition: Uniform Superposition",
     "n=400, m=30: D* sticks at 1/2 (antipodal pairs) over a range of sparsity"},
    {"toy.uniform.dimensionality_clusters", kClaim, kElhage,
     "The Geometry of Superposition: Feature Dimensionality",
     "D_i clusters at 1, 3/4, 2/3, 1/2, 2/5 and 3/8"},
    {"toy.uniform.no_cluster_three_fifths", 0, kElhage,
     "The Geometry of Superposition: Feature Dimensionality", "no cluster of D_i at 3/5"},
    {"toy.uniform.sum_di_over_m", 1.0, kElhage,
     "The Geometry of Superposition: Feature Dimensionality",
     "sum_i D_i = m when features pack efficiently"},

    // The one-layer transformer.
    {"transformer.loss_below_unigram", kClaim, kNotes, "one-layer byte transformer",
     "d 128, 4 heads, ctx 128, MLP 512 on a multi-genre byte stream: below the unigram "
     "entropy after about 0.1M tokens"},
    {"transformer.genre_loss_floors", kClaim, kNotes, "one-layer byte transformer",
     "nears the per-genre unigram floors for DNA, digits and base64 by a few million tokens"},
    {"transformer.train_tokens_per_s", 40000, kNotes, "PyTorch 1.13 CPU speed, 1 thread",
     "d 128, 4 heads, ctx 128, MLP 512, batch 32 x 128: about 40k training tokens/s"},
    {"transformer.neurons_polysemantic", kClaim, kBricken, "the polysemantic neuron example",
     "one layer, MLP of 512 neurons: single neurons respond to unrelated contexts (academic "
     "citations, English dialogue, HTTP requests, Korean text)"},
    {"transformer.neuron_genre_f1", kClaim, kMetrics, "genre_f1",
     "neurons: the best single neuron with its best threshold as a genre detector"},
    {"transformer.real_text", kClaim, kBricken, "the transformer's training data",
     "the one-layer transformers were trained on the Pile, real text of many kinds (100B tokens)"},
    {"transformer.harvest_per_context", 250, kBricken, "activation harvest",
     "250 positions sampled per context of the transformer's training data"},

    // SAEs on synthetic ground truth.
    {"sae.synthetic.mmcs", kClaim, kSharkey, "toy-data results (MMCS)",
     "512 ground-truth features in 256 dimensions, about 5 active per sample; Adam lr 1e-3, "
     "batch 4096: near-perfect recovery at the right L1 coefficient and dictionary size"},
    {"sae.synthetic.mmcs_peaks_inside_sweep", kClaim, kSharkey,
     "toy-data results (MMCS over the L1 coefficient)",
     "recovery falls off on either side of the best L1 coefficient"},
    {"sae.synthetic.mmcs_grows_with_dictionary", kClaim, kSharkey,
     "toy-data results (MMCS over dictionary size)",
     "a larger dictionary recovers more of the ground truth"},
    {"sae.topk.dead_without_mitigations", 0.90, kGao, "Section 2.4, preventing dead latents",
     "TopK SAEs without AuxK and the encoder-from-decoder init: up to 90% dead latents"},
    {"sae.topk.dead_with_mitigations", 0.07, kGao, "Section 2.4, preventing dead latents",
     "with AuxK (k_aux 256, 1/32) and the init: 7% dead in a 16M-latent SAE"},
    {"sae.topk.fvu_falls_with_k", kClaim, kGao, "scaling laws in k",
     "normalized MSE falls as k grows"},
    {"sae.gated.fewer_firing_features", kClaim,
     "Rajamanoharan et al. 2024, Improving Dictionary Learning with Gated Sparse Autoencoders",
     "Section 5, the L0 / loss recovered frontier",
     "gated SAEs need about half as many firing features as ReLU SAEs for comparable fidelity"},
    {"sae.matryoshka.nested_prefixes", kClaim,
     "Bussmann et al. 2025, Learning Multi-Level Features with Matryoshka Sparse Autoencoders",
     "Section 3, Matryoshka BatchTopK",
     "nested prefix losses with one BatchTopK selection over the full width (SAELens PR 571 "
     "fixed a per-level top-k); trades a little reconstruction for less feature absorption"},

    // SAEs on a hierarchical synthetic world (SynthSAEBench-16k).
    {"sae.synthsaebench.matryoshka_batch_topk.f1", 0.879, kChanin, kSynthPlace, kSynthSetup},
    {"sae.synthsaebench.matryoshka_batch_topk.mcc", 0.793, kChanin, kSynthPlace, kSynthSetup},
    {"sae.synthsaebench.matryoshka_batch_topk.ev", 0.779, kChanin, kSynthPlace, kSynthSetup},
    {"sae.synthsaebench.batch_topk.f1", 0.732, kChanin, kSynthPlace, kSynthSetup},
    {"sae.synthsaebench.batch_topk.mcc", 0.757, kChanin, kSynthPlace, kSynthSetup},
    {"sae.synthsaebench.batch_topk.ev", 0.792, kChanin, kSynthPlace, kSynthSetup},
    {"sae.synthsaebench.jumprelu.f1", 0.732, kChanin, kSynthPlace, kSynthSetup},
    {"sae.synthsaebench.jumprelu.mcc", 0.753, kChanin, kSynthPlace, kSynthSetup},
    {"sae.synthsaebench.jumprelu.ev", 0.795, kChanin, kSynthPlace, kSynthSetup},
    {"sae.synthsaebench.relu_l1.f1", 0.556, kChanin, kSynthPlace, kSynthSetup},
    {"sae.synthsaebench.relu_l1.mcc", 0.604, kChanin, kSynthPlace, kSynthSetup},
    {"sae.synthsaebench.relu_l1.ev", 0.765, kChanin, kSynthPlace, kSynthSetup},
    {"sae.synthsaebench.f1_order", kClaim, kChanin, kSynthPlace,
     "feature_f1: Matryoshka BatchTopK (0.879) above BatchTopK and JumpReLU (0.732 each), both "
     "above standard L1 (0.556)"},

    // SAEs on the transformer's MLP.
    {"sae.mlp.dictionary_ladder", kClaim, kBricken, "runs A/0-A/5",
     "ReLU + L1 SAEs of 512 ... 131,072 features on the 512-neuron MLP of a one-layer "
     "transformer; Adam, batch 8192, about 8B activation vectors, neuron resampling"},
    {"sae.mlp.a1_dead_fraction", 168.0 / 4096, kBricken, "run A/1 (4,096 features)",
     "168 of 4,096 features dead (no activation over 100M samples)"},
    {"sae.mlp.a1_ultralow_fraction", 292.0 / (4096 - 168), kBricken, "run A/1 (4,096 features)",
     "292 ultralow-density (< 1e-6) features among the 3,928 live ones"},
    {"sae.mlp.a1_loss_recovered", 0.79, kBricken, "run A/1 (4,096 features)",
     "79% of the loss recovered with the SAE's reconstruction spliced into the MLP "
     "(zero ablation as the baseline)"},
    {"sae.mlp.universality_features", 0.72, kBricken, "Universality",
     "median over A/1's features of the max activation correlation with any B/1 feature"},
    {"sae.mlp.universality_neurons", 0.46, kBricken, "Universality",
     "median over A's neurons of the max activation correlation with any neuron of B"},
    {"sae.mlp.universality_arabic_feature", 0.91, kBricken, "Universality (Arabic feature)",
     "the Arabic-script feature of A/1: max correlation with B/1's features"},
    {"sae.mlp.universality_dna_feature", 0.92, kBricken, "Universality (DNA feature)",
     "the DNA feature of A/1: max correlation with B/1's features"},
    {"sae.mlp.universality_base64_feature", 0.85, kBricken, "Universality (base64 feature)",
     "the base64 feature of A/1: max correlation with B/1's features"},
    {"sae.mlp.universality_hebrew_feature", 0.92, kBricken, "Universality (Hebrew feature)",
     "the Hebrew feature of A/1: max correlation with B/1's features"},
    {"sae.mlp.features_more_specific", kClaim, kBricken, "Detailed Investigations",
     "features are far more specific than neurons (Arabic script is 0.13% of tokens but 81% "
     "of the Arabic feature's activation)"},
    {"sae.mlp.feature_splitting", kClaim, kBricken, "Feature Splitting",
     "larger dictionaries split a feature of a smaller one into several finer features "
     "(the paper's example: one base64 feature in the smallest run, several in larger ones)"},
    {"sae.mlp.dead_with_resampling", kClaim, kBricken, "Neuron Resampling",
     "resampling dead neurons leaves fewer dead features than training without it"},
    {"sae.mlp.loss_recovered_grows", kClaim, kBricken, "runs A/0-A/5",
     "larger dictionaries recover more of the loss (A/0 ... A/5)"},

    // Exploring Polysemantic Universality with Embeddings: gensim Word2Vec(sg=1,
    // window=5, min_count=1) with its other defaults.
    {"embeddings.toy.cosines", kClaim, kWilliams, "minimal corpora (MinimalCorpus.py)",
     "one-word sentences One..Five; Dog/Tree/Bark/Creak; countries and capitals; Yes/No in "
     "Polish, French, German; 2-4 dimensions; cosines and mean angle between word vectors"},
    {"embeddings.brown.no_overlap_across_sizes", kClaim, kWilliams,
     "approach 3: dimension words across models (conclusion)",
     "NLTK Brown, 3/40/50/60 dimensions; the top 5 words by cosine with each basis vector "
     "barely overlap across models, except between Brown models of similar size"},
    {"embeddings.brown.dimension_words", kClaim, kWilliams, "approach 3: dimension words",
     "NLTK Brown, 3/40/50/60 dimensions; top 5 words by cosine with each basis vector"},
    {"embeddings.difference_vectors", kClaim, kWilliams,
     "approach 2: vectors between dissimilar words",
     "the 10 words nearest to v_x - v_y for dissimilar x, y (squirrel/phone, potato/square, "
     "poland/yoga on GloVe 50 and Google News 300) did not look alike across models"},
    {"embeddings.cross_corpus.dimension_words", kClaim, kWilliams,
     "approach 3: dimension words across models (conclusion)",
     "almost no overlap of dimension words between models other than Brown models of similar "
     "size (the notebook's other models: GloVe 50, Google News 300; here WordNet's glosses)"},
    {"embeddings.sae.features_more_universal", kClaim, kBricken, "Universality",
     "dictionary features recur across models trained from different seeds, unlike neurons "
     "(one-layer transformers); carried here to SAEs on word2vec vectors against their basis "
     "directions"},
};

}  // namespace

absl::Span<const PublishedValue> PublishedTable() { return kTable; }

const PublishedValue* FindPublished(absl::string_view id) {
  for (const PublishedValue& p : kTable) {
    if (id == p.id) return &p;
  }
  return nullptr;
}

double PublishedNumber(absl::string_view id) {
  const PublishedValue* p = FindPublished(id);
  return p != nullptr ? p->value : std::numeric_limits<double>::quiet_NaN();
}

std::string PublishedSource(absl::string_view id) {
  const PublishedValue* p = FindPublished(id);
  if (p == nullptr) return absl::StrCat("unknown published value '", id, "'");
  return SourceOf(*p);
}

std::string SourceOf(const PublishedValue& entry) {
  return absl::StrCat(entry.paper, ": ", entry.place);
}

}  // namespace monosem
