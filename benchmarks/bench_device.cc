#include "benchmarks/bench_device.h"

#include <algorithm>
#include <chrono>
#include <functional>
#include <string>

#include "benchmarks/bench_util.h"

#ifdef MONOSEM_BENCH_CUDA
#include <cuda_runtime.h>

#include "kernels/cuda/cuda_backend.h"
#endif

namespace monosem::bench {
namespace {

bool OnDevice(const Backend& backend) { return backend.device() != Device::kHost; }

#ifdef MONOSEM_BENCH_CUDA
struct DevicePeaks {
  double flops = 0, bytes = 0;
  int64_t l2_bytes = 0;
  std::string name;
};

double SecondsOf(const std::function<absl::Status()>& run) {
  const auto t0 = std::chrono::steady_clock::now();
  if (!run().ok() || !CudaSynchronize().ok()) return 0;
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// Best of 5 after a warm-up: an 8192^3 cuBLAS SGEMM and a 1 GiB device copy
// (bytes/s counts read + write, as the host calibration does).
DevicePeaks MeasureDevicePeaks() {
  DevicePeaks p;
  if (!CudaAvailable().ok()) return p;
  cudaDeviceProp prop;
  if (cudaGetDeviceProperties(&prop, 0) != cudaSuccess) return p;
  p.l2_bytes = prop.l2CacheSize;
  p.name = prop.name;
  CudaBackend backend;
  const int64_t g = 8192;
  auto a = CudaDeviceTensor({g, g}), b = CudaDeviceTensor({g, g}), c = CudaDeviceTensor({g, g});
  if (a.ok() && b.ok() && c.ok()) {
    double best = 1e30;
    for (int i = 0; i < 6; ++i) {
      const double s =
          SecondsOf([&] { return backend.Gemm(Trans::kNo, Trans::kNo, 1, *a, *b, 0, &*c); });
      if (i > 0 && s > 0) best = std::min(best, s);
    }
    if (best < 1e30) p.flops = 2.0 * g * g * g / best;
  }
  const int64_t floats = int64_t{1} << 28;  // 1 GiB
  auto src = CudaDeviceTensor({floats}), dst = CudaDeviceTensor({floats});
  if (src.ok() && dst.ok()) {
    double best = 1e30;
    for (int i = 0; i < 6; ++i) {
      const double s = SecondsOf([&] {
        return cudaMemcpy(dst->data(), src->data(), floats * sizeof(float),
                          cudaMemcpyDeviceToDevice) == cudaSuccess
                   ? absl::OkStatus()
                   : absl::InternalError("device copy failed");
      });
      if (i > 0 && s > 0) best = std::min(best, s);
    }
    if (best < 1e30) p.bytes = 2.0 * floats * sizeof(float) / best;
  }
  return p;
}

const DevicePeaks& Peaks() {
  static const DevicePeaks peaks = MeasureDevicePeaks();
  return peaks;
}
#endif  // MONOSEM_BENCH_CUDA

}  // namespace

absl::StatusOr<Tensor> Place(const Backend& backend, const Tensor& host) {
#ifdef MONOSEM_BENCH_CUDA
  if (OnDevice(backend)) {
    auto t = CudaDeviceTensor(host.shape());
    if (!t.ok()) return t.status();
    if (absl::Status s = CudaCopyToDevice(host, &*t); !s.ok()) return s;
    return t;
  }
#endif
  if (OnDevice(backend)) {
    return absl::UnimplementedError(backend.name() + " is a device backend this build lacks");
  }
  return host.Clone();
}

absl::StatusOr<Tensor> ToHost(const Tensor& t) {
  if (t.device() == Device::kHost) return t.Clone();
#ifdef MONOSEM_BENCH_CUDA
  Tensor host = Tensor::Uninitialized(t.shape());
  if (absl::Status s = CudaCopyToHost(t, &host); !s.ok()) return s;
  return host;
#else
  return absl::UnimplementedError("a device tensor in a build without device support");
#endif
}

absl::Status Synchronize(const Backend& backend) {
#ifdef MONOSEM_BENCH_CUDA
  if (OnDevice(backend)) return CudaSynchronize();
#endif
  (void)backend;
  return absl::OkStatus();
}

int InputRotations(const Backend& backend, int64_t bytes_per_set) {
#ifdef MONOSEM_BENCH_CUDA
  if (OnDevice(backend)) {
    // Enough sets to total more than twice the L2, at least 2, at most 64,
    // and at most 8 GiB of device memory.
    const int64_t per_set = std::max<int64_t>(bytes_per_set, 1);
    int64_t r = (2 * Peaks().l2_bytes + per_set - 1) / per_set + 1;
    r = std::min<int64_t>(r, 64);
    r = std::min<int64_t>(r, std::max<int64_t>(1, (int64_t{8} << 30) / per_set));
    return static_cast<int>(std::max<int64_t>(r, 2));
  }
#endif
  (void)backend;
  (void)bytes_per_set;
  return 1;
}

void SetThroughputOn(benchmark::State& state, const Backend& backend, double flops,
                     double bytes) {
#ifdef MONOSEM_BENCH_CUDA
  if (OnDevice(backend)) {
    using benchmark::Counter;
    if (flops > 0) {
      state.counters["flops"] = Counter(flops, Counter::kIsIterationInvariantRate);
      if (Peaks().flops > 0) {
        state.counters["peak_fraction"] =
            Counter(flops / Peaks().flops, Counter::kIsIterationInvariantRate);
      }
    }
    if (bytes > 0) {
      state.counters["bytes"] = Counter(bytes, Counter::kIsIterationInvariantRate);
      if (Peaks().bytes > 0) {
        state.counters["bandwidth_fraction"] =
            Counter(bytes / Peaks().bytes, Counter::kIsIterationInvariantRate);
      }
    }
    return;
  }
#endif
  (void)backend;
  SetThroughput(state, flops, bytes);
}

void AddDeviceContext() {
#ifdef MONOSEM_BENCH_CUDA
  if (Peaks().name.empty()) return;
  benchmark::AddCustomContext("gpu", Peaks().name);
  benchmark::AddCustomContext("gpu_peak_flops", std::to_string(Peaks().flops));
  benchmark::AddCustomContext("gpu_peak_bytes_per_second", std::to_string(Peaks().bytes));
#endif
}

}  // namespace monosem::bench
