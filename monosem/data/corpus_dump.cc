// Prints a slice of the built-in corpus with label boundaries marked, then a
// per-label table: label, parent, bytes, share, unigram entropy (nats/byte).
// Parents count the bytes of all their leaves.
//   bazel run //monosem/data:corpus_dump -- [n_bytes] [seed] [--table]
// --table prints only the table, as Markdown (the table in docs/data.md).
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "monosem/data/corpus.h"

int main(int argc, char** argv) {
  bool table_only = false;
  int positional = 0;
  int64_t n = 4000;
  monosem::CorpusConfig config;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--table") == 0) {
      table_only = true;
    } else if (positional++ == 0) {
      n = std::atoll(argv[i]);
    } else {
      config.set_seed(std::strtoull(argv[i], nullptr, 10));
    }
  }
  const auto t0 = std::chrono::steady_clock::now();
  auto corpus = monosem::GenerateCorpus(config, n);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (!corpus.ok()) {
    std::fprintf(stderr, "%s\n", std::string(corpus.status().message()).c_str());
    return 1;
  }
  const monosem::LabelSet& labels = corpus->labels;
  if (!table_only) {
    const int64_t show = n < 6000 ? n : 6000;
    int last = -1;
    for (int64_t i = 0; i < show; ++i) {
      if (corpus->label[i] != last) {
        last = corpus->label[i];
        std::printf("\n=== [%s]\n", labels.names[last].c_str());
      }
      std::putchar(corpus->bytes[i]);
    }
    std::printf("\n\n");
  }
  const auto counts = monosem::LabelByteCounts(*corpus);
  const auto h = monosem::UnigramEntropyNatsPerLabel(*corpus);
  int leaves = 0;
  for (int i = 0; i < labels.size(); ++i) leaves += labels.parent[i] >= 0 ? 1 : 0;
  std::printf("%lld bytes, %d labels (%d leaves), generated in %.2f s; unigram entropy %.4f nats/byte\n\n",
              static_cast<long long>(n), labels.size(), leaves, seconds,
              monosem::UnigramEntropyNats(corpus->bytes));
  std::printf("| label | parent | bytes | share | unigram entropy (nats/byte) |\n");
  std::printf("|---|---|---:|---:|---:|\n");
  for (int g = 0; g < labels.size(); ++g) {
    const int p = labels.parent[g];
    std::printf("| %s | %s | %lld | %.4f%% | %.3f |\n", labels.names[g].c_str(),
                p >= 0 ? labels.names[p].c_str() : "-", static_cast<long long>(counts[g]),
                100.0 * static_cast<double>(counts[g]) / static_cast<double>(n), h[g]);
  }
  return 0;
}
