// Skip-gram negative-sampling throughput per backend at the Brown shapes:
// 56,057 words (Brown's vocabulary with min_count 1), d = 3 and 50, K = 5,
// pairs and negatives drawn like word2vec's (Zipf counts, unigram outputs,
// count^0.75 negatives), so the rows touched are scattered as in training.
// One iteration = one batch of pairs (16,384; 256 for the torch peer, whose
// autograd loop runs a pair at a time). Counters: pairs/s (items_per_second);
// flops per pair (K + 1)·6d (the dot, e += g·o and o += g·l) + 2d (the
// input update); bytes: each touched row read and written once.
#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "benchmarks/bench_util.h"
#include "monosem/backend.h"
#include "monosem/compare.h"
#include "monosem/models/embeddings/sgns_kernels.h"
#include "monosem/models/embeddings/word2vec.h"
#include "monosem/philox.h"
#include "monosem/random_fill.h"

namespace monosem::bench {
namespace {

constexpr int64_t kVocab = 56057;
constexpr int kNegatives = 5;
constexpr int64_t kValidatedPairs = 512;

struct Pairs {
  std::vector<int32_t> input, output, negatives;
  std::vector<float> lr;
  SgnsBatch View() const { return {input, output, negatives, lr, kNegatives}; }
};

Pairs MakePairs(int64_t n, uint64_t seed) {
  std::vector<int64_t> counts(kVocab);
  for (int64_t w = 0; w < kVocab; ++w) counts[w] = 1000000 / (w + 1) + 1;
  const NegativeSampler unigram(counts, 1.0), negative(counts, 0.75);
  Philox rng(seed, 3);
  Pairs p;
  for (int64_t i = 0; i < n; ++i) {
    p.input.push_back(unigram.Draw(rng.NextWord()));
    p.output.push_back(unigram.Draw(rng.NextWord()));
    p.lr.push_back(0.01f);
    for (int k = 0; k < kNegatives; ++k) p.negatives.push_back(negative.Draw(rng.NextWord()));
  }
  return p;
}

// The reduction depth of the worst row (tests/kernels/sgns_kernels_test.cc).
int64_t Depth(const Pairs& p, int64_t d) {
  std::vector<int64_t> in(kVocab, 0), out(kVocab, 0);
  for (size_t i = 0; i < p.input.size(); ++i) {
    in[p.input[i]] += kNegatives + 1;
    ++out[p.output[i]];
    for (int k = 0; k < kNegatives; ++k) ++out[p.negatives[i * kNegatives + k]];
  }
  const int64_t rows =
      std::max(*std::max_element(in.begin(), in.end()), *std::max_element(out.begin(), out.end()));
  return (d + 8) * rows;
}

void InitVectors(int64_t d, Tensor* in, Tensor* out) {
  *in = Tensor::Uninitialized({kVocab, d});
  *out = Tensor::Uninitialized({kVocab, d});
  FillUniform(1, 1, -0.5f / d, 0.5f / d, in);
  FillUniform(1, 2, -0.1f, 0.1f, out);
}

absl::StatusOr<Outputs> RunOnce(const std::string& backend, const Pairs& pairs, int64_t d) {
  auto kernels = SgnsKernelRegistry::Create(BackendRegistry::Create(backend));
  if (!kernels.ok()) return kernels.status();
  Tensor in, out;
  InitVectors(d, &in, &out);
  if (absl::Status s = (*kernels)->Train(pairs.View(), &in, &out, nullptr); !s.ok()) return s;
  const Tolerance tol = Float32Tolerance(Depth(pairs, d));
  Outputs o;
  o.push_back({"in_vectors", std::move(in), tol});
  o.push_back({"out_vectors", std::move(out), tol});
  return o;
}

void BM_SgnsBatch(benchmark::State& state, const std::string& name, int64_t d) {
  auto backend = BackendRegistry::Create(name);
  if (!UsableOrSkip(state, name, backend)) return;
  const Pairs check = MakePairs(kValidatedPairs, 7);
  if (!MatchesReference(
          state, name, absl::StrCat("skip-gram d", d),
          [&] { return RunOnce("reference", check, d); },
          [&] { return RunOnce(name, check, d); })) {
    return;
  }
  auto kernels = SgnsKernelRegistry::Create(**backend);
  if (!kernels.ok()) {
    state.SkipWithError(std::string(kernels.status().message()).c_str());
    return;
  }
  const int64_t n = SmokeMode() || name == "torch" ? 256 : 16384;
  const Pairs pairs = MakePairs(n, 11);
  Tensor in, out;
  InitVectors(d, &in, &out);
  for (auto _ : state) {
    PlantedSlowdown planted;
    if (absl::Status s = (*kernels)->Train(pairs.View(), &in, &out, nullptr); !s.ok()) {
      state.SkipWithError(std::string(s.message()).c_str());
      return;
    }
  }
  state.SetItemsProcessed(state.iterations() * n);
  const double per_pair_flops = (kNegatives + 1) * 6.0 * d + 2.0 * d;
  const double per_pair_bytes = (kNegatives + 2) * 2.0 * d * sizeof(float);
  SetThroughput(state, n * per_pair_flops, n * per_pair_bytes);
}

void Register() {
  for (const std::string& name : SgnsKernelRegistry::Names()) {
    for (int64_t d : {3, 50}) {
      benchmark::RegisterBenchmark(absl::StrCat("BM_SgnsBatch/d", d, "/", name).c_str(),
                                   BM_SgnsBatch, name, d)
          ->UseRealTime()
          ->Unit(benchmark::kMillisecond);
    }
  }
}

MONOSEM_BENCHMARK_REGISTRAR(sgns, Register);

}  // namespace
}  // namespace monosem::bench
