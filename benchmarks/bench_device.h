// Where a backend's benchmark operands live, so that one benchmark body times
// host and device backends alike (a device backend is one more registered
// backend, not a separate benchmark):
//   - operands of a device backend (cuda) are device tensors, filled from the
//     same host inputs the reference validation used: timings exclude PCIe
//     transfers;
//   - device backends run asynchronously, so each timed iteration ends with
//     Synchronize(); on host backends it is a no-op;
//   - on a device, inputs rotate through enough sets to exceed twice its L2
//     cache, so an iteration reads what earlier ones evicted (host backends
//     keep one set, as their committed baselines were measured);
//   - throughput counters are fractions of the peaks of the device the
//     backend runs on, measured in the same process (host: OpenBLAS SGEMM and
//     memcpy, bench_util.h; cuda: cuBLAS SGEMM and a device copy).
// The cuda half is compiled only under --config=cuda; without a GPU (or
// without that config) every device helper is the host one.
#ifndef MONOSEM_BENCHMARKS_BENCH_DEVICE_H_
#define MONOSEM_BENCHMARKS_BENCH_DEVICE_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "benchmark/benchmark.h"
#include "monosem/backend.h"
#include "monosem/tensor.h"

namespace monosem::bench {

// A copy of `host` where `backend` computes.
absl::StatusOr<Tensor> Place(const Backend& backend, const Tensor& host);

// A host copy of `t`, wherever it lives.
absl::StatusOr<Tensor> ToHost(const Tensor& t);

// Waits for the work `backend` has queued (no-op on host backends).
absl::Status Synchronize(const Backend& backend);

// How many input sets of `bytes_per_set` to rotate through on `backend`.
int InputRotations(const Backend& backend, int64_t bytes_per_set);

// SetThroughput (bench_util.h) against the peaks of `backend`'s device.
void SetThroughputOn(benchmark::State& state, const Backend& backend, double flops, double bytes);

// Adds the device's name and measured peaks to the benchmark context when a
// device backend can run here (called once by bench_main).
void AddDeviceContext();

}  // namespace monosem::bench

#endif  // MONOSEM_BENCHMARKS_BENCH_DEVICE_H_
