"""monosem_benchmark: a Google Benchmark binary plus a smoke test of it.

    monosem_benchmark(name = "gemm_bench", srcs = ["gemm_bench.cc"], deps = [...])

builds
  :gemm_bench        the benchmark (bazel run -c opt //benchmarks:gemm_bench),
                     linked with every backend of the build (//kernels:all_backends;
                     under --config=cuda that includes cuda)
  :gemm_bench_smoke  a test that runs every benchmark in it for one iteration,
                     so `bazel test //...` proves each one still runs and,
                     since every benchmark validates its case against the
                     reference before timing, that each one computes the
                     right thing.
Both link the calibration benchmarks (bench_util.cc), so every run reports the
machine's measured peak alongside its own figures.

With gpu_deps (the deps without LibTorch), it also builds, under
--config=cuda only, the same sources on the GPU link set
(//kernels/cuda:gpu_backends: reference, cpu, cuda; the GPU machine has no
LibTorch) with MONOSEM_GPU_LINK_SET defined:
  :cuda_gemm_bench        what kernels/cuda/package.sh ships
  :cuda_gemm_bench_smoke  its one-iteration test
"""

load("@rules_cc//cc:defs.bzl", "cc_binary", "cc_library", "cc_test")
load("//third_party/cuda:cuda.bzl", "CUDA_ONLY")

_BENCH_LIBS = ["//benchmarks:bench_util", "//benchmarks:bench_device"]

def monosem_benchmark(
        name,
        srcs,
        deps = [],
        backends = ["//kernels:all_backends"],
        gpu_deps = None,
        smoke_size = "medium",
        smoke_timeout = None):
    cc_library(
        name = name + "_lib",
        srcs = srcs,
        deps = deps + _BENCH_LIBS,
        alwayslink = 1,
    )
    cc_binary(
        name = name,
        deps = [":" + name + "_lib", "//benchmarks:bench_main"] + backends,
    )
    cc_test(
        name = name + "_smoke",
        size = smoke_size,
        timeout = smoke_timeout,
        deps = [":" + name + "_lib", "//benchmarks:bench_smoke_main"] + backends,
        tags = ["benchmark_smoke"],
    )
    if gpu_deps == None:
        return
    cc_library(
        name = "cuda_" + name + "_lib",
        srcs = srcs,
        local_defines = ["MONOSEM_GPU_LINK_SET"],
        deps = gpu_deps + _BENCH_LIBS,
        alwayslink = 1,
        target_compatible_with = CUDA_ONLY,
    )
    cc_binary(
        name = "cuda_" + name,
        deps = [
            ":cuda_" + name + "_lib",
            "//benchmarks:bench_main",
            "//kernels/cuda:gpu_backends",
        ],
        target_compatible_with = CUDA_ONLY,
    )
    cc_test(
        name = "cuda_" + name + "_smoke",
        size = smoke_size,
        timeout = smoke_timeout,
        deps = [
            ":cuda_" + name + "_lib",
            "//benchmarks:bench_smoke_main",
            "//kernels/cuda:gpu_backends",
        ],
        tags = ["benchmark_smoke"],
        target_compatible_with = CUDA_ONLY,
    )
