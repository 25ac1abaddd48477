"""monosem_benchmark: a Google Benchmark binary plus a smoke test of it.

    monosem_benchmark(name = "gemm_bench", srcs = ["gemm_bench.cc"], deps = [...])

builds
  :gemm_bench        the benchmark (bazel run -c opt //benchmarks:gemm_bench)
  :gemm_bench_smoke  a test that runs every benchmark in it for one iteration,
                     so `bazel test //...` proves each one still runs.
Both link the calibration benchmarks (benchmarks/calibration.h), so every run
reports the machine's measured peak alongside its own figures.
"""

load("@rules_cc//cc:defs.bzl", "cc_binary", "cc_library", "cc_test")

def monosem_benchmark(name, srcs, deps = [], smoke_size = "medium", smoke_timeout = None):
    cc_library(
        name = name + "_lib",
        srcs = srcs,
        deps = deps + ["//benchmarks:bench_util"],
        alwayslink = 1,
    )
    cc_binary(
        name = name,
        deps = [":" + name + "_lib", "//benchmarks:bench_main"],
    )
    cc_test(
        name = name + "_smoke",
        size = smoke_size,
        timeout = smoke_timeout,
        deps = [":" + name + "_lib", "//benchmarks:bench_smoke_main"],
        tags = ["benchmark_smoke"],
    )
