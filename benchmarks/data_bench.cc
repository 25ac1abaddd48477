// Data plumbing throughput: built-in corpus generation (bytes/s of corpus)
// and activation-store streaming through the shuffle buffer (bytes/s of
// float32 activations delivered), float32 and bf16 stores.
#include <cstdlib>
#include <string>
#include <unistd.h>

#include "benchmarks/bench_util.h"
#include "monosem/data/activation_store.h"
#include "monosem/data/corpus.h"
#include "monosem/data/shuffle_buffer.h"

namespace monosem::bench {
namespace {

void BM_GenerateCorpus(benchmark::State& state) {
  const int64_t n = SmokeMode() ? (64 << 10) : state.range(0);
  for (auto _ : state) {
    PlantedSlowdown planted;
    auto c = GenerateCorpus(CorpusConfig(), n);
    if (!c.ok()) {
      state.SkipWithError(std::string(c.status().message()).c_str());
      return;
    }
    benchmark::DoNotOptimize(c->bytes.data());
  }
  SetThroughput(state, 0, static_cast<double>(n));
}
BENCHMARK(BM_GenerateCorpus)->Arg(8 << 20)->UseRealTime()->Unit(benchmark::kMillisecond);

void BM_ShuffleBufferEpoch(benchmark::State& state) {
  const auto dtype = static_cast<ActivationDtype>(state.range(0));
  const int64_t d = 512, n = SmokeMode() ? 2048 : 32768;
  const char* tmp = std::getenv("TEST_TMPDIR");
  const std::string dir = std::string(tmp != nullptr ? tmp : "/tmp") + "/monosem_data_bench_" +
                          std::to_string(::getpid()) + "_" + ActivationDtypeName(dtype);
  {
    ActivationStoreOptions o;
    o.dir = dir;
    o.d = d;
    o.dtype = dtype;
    o.vectors_per_shard = 8192;
    auto w = ActivationStoreWriter::Create(o);
    if (!w.ok()) {
      state.SkipWithError(std::string(w.status().message()).c_str());
      return;
    }
    std::vector<float> v(1024 * d);
    std::vector<VectorMeta> m(1024);
    for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<float>(i % 977) * 0.01f;
    for (int64_t i = 0; i < n; i += 1024) (void)(*w)->Append(v, m);
    if (!(*w)->Finish().ok()) {
      state.SkipWithError("cannot write the store");
      return;
    }
  }
  ShuffleBufferOptions o;
  o.buffer_bytes = 16 << 20;
  o.batch_size = 4096;
  auto s = ShuffleBuffer::Open(dir, o);
  if (!s.ok()) {
    state.SkipWithError(std::string(s.status().message()).c_str());
    return;
  }
  Tensor batch;
  std::vector<VectorMeta> meta;
  for (auto _ : state) {
    PlantedSlowdown planted;
    while (true) {
      auto rows = (*s)->NextBatch(&batch, &meta);
      if (!rows.ok() || *rows == 0) break;
    }
  }
  SetThroughput(state, 0, static_cast<double>(n) * d * sizeof(float));
  for (const std::string& p : (*s)->info().shard_paths) ::unlink(p.c_str());
  ::unlink((dir + "/manifest.json").c_str());
  ::rmdir(dir.c_str());
}
BENCHMARK(BM_ShuffleBufferEpoch)
    ->ArgName("bf16")
    ->Arg(0)
    ->Arg(1)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace monosem::bench
