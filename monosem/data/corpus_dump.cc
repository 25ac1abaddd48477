// Prints a slice of the built-in corpus with genre boundaries marked, and
// the per-genre byte shares and unigram entropies (nats per byte).
//   bazel run //monosem/data:corpus_dump -- [n_bytes] [seed]
#include <cstdio>
#include <cstdlib>

#include "monosem/data/corpus.h"

int main(int argc, char** argv) {
  const int64_t n = argc > 1 ? std::atoll(argv[1]) : 4000;
  monosem::CorpusConfig config;
  if (argc > 2) config.set_seed(std::strtoull(argv[2], nullptr, 10));
  auto corpus = monosem::GenerateCorpus(config, n);
  if (!corpus.ok()) {
    std::fprintf(stderr, "%s\n", std::string(corpus.status().message()).c_str());
    return 1;
  }
  const int64_t show = n < 6000 ? n : 6000;
  int last = -1;
  for (int64_t i = 0; i < show; ++i) {
    if (corpus->genre[i] != last) {
      last = corpus->genre[i];
      std::printf("\n=== [%s]\n", corpus->genre_names[last].c_str());
    }
    std::putchar(corpus->bytes[i]);
  }
  const auto counts = monosem::GenreByteCounts(*corpus);
  const auto h = monosem::UnigramEntropyNatsPerGenre(*corpus);
  std::printf("\n\nunigram entropy %.4f nats/byte over %lld bytes\n",
              monosem::UnigramEntropyNats(corpus->bytes), static_cast<long long>(n));
  for (size_t g = 0; g < counts.size(); ++g) {
    std::printf("%-9s %8.4f%% of bytes, %.3f nats/byte\n", corpus->genre_names[g].c_str(),
                100.0 * counts[g] / n, h[g]);
  }
  return 0;
}
