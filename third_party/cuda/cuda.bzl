"""cuda_library: .cu files compiled by nvcc (by its absolute path) into a cc_library.

The nvcc genrules are tagged manual, so `bazel build //...` never runs nvcc;
they build only when a target selected under --config=cuda depends on them.
"""

load("@rules_cc//cc:defs.bzl", "cc_library")

NVCC = "/usr/local/cuda/bin/nvcc"

# sm_90 machine code for the H200, plus compute_90 PTX for newer GPUs to JIT.
NVCC_ARCH = "-gencode arch=compute_90,code=sm_90 -gencode arch=compute_90,code=compute_90"

def cuda_library(name, srcs, hdrs = [], deps = [], nvcc_flags = ""):
    objs = []
    for src in srcs:
        obj = "_%s_%s.o" % (name, src.replace("/", "_").rsplit(".", 1)[0])
        native.genrule(
            name = obj.replace(".", "_") + "_nvcc",
            srcs = [src] + hdrs,
            outs = [obj],
            cmd = ("%s -std=c++17 -O3 %s -Xcompiler -fPIC -I. -I$(GENDIR) %s " +
                   "-c $(location %s) -o $@") % (NVCC, NVCC_ARCH, nvcc_flags, src),
            tags = ["manual"],
        )
        objs.append(obj)
    cc_library(
        name = name,
        srcs = objs,
        hdrs = hdrs,
        # @cuda is named only under --config=cuda, so a machine without
        # /usr/local/cuda never fetches the repository.
        deps = deps + cuda_deps(["@cuda//:cudart"]),
        alwayslink = 1,
        tags = ["manual"],
    )

def cuda_deps(labels):
    """Labels in @cuda, selected only under --config=cuda (see CUDA_ONLY)."""
    return select({
        "//kernels/cuda:enabled": labels,
        "//conditions:default": [],
    })

# target_compatible_with for targets that exist only under --config=cuda.
CUDA_ONLY = select({
    "//kernels/cuda:enabled": [],
    "//conditions:default": ["//kernels/cuda:incompatible"],
})
