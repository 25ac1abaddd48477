#!/bin/bash
# Packs the GPU test and benchmark binaries, with the shared libraries they
# need, into one folder that runs on a machine with only the NVIDIA driver
# (libcuda comes from the driver; LibTorch is neither needed nor shipped).
#
#   kernels/cuda/package.sh [--without-cublas] [OUT_DIR]
#       (default OUT_DIR: ${TMPDIR:-/tmp}/monosem_cuda_package; run from anywhere)
#
# --without-cublas leaves out libcublas.so.13 and libcublasLt.so.13 (600 MB,
# more than the 64 MiB the device tool carries); the run scripts then take
# them from python3's NVIDIA wheels (PyTorch built for CUDA 13 ships them) and
# say so, or stop with a message naming what is missing.
#
# Then, on the GPU machine:  OUT_DIR/run_tests.sh   and   OUT_DIR/run_bench.sh
# The libraries are found with ldd; everything is copied except the C
# library, the dynamic loader and the driver's libraries (libcuda,
# libnvidia-*), which must come from the target machine. After packing, the
# script checks with LD_LIBRARY_PATH=OUT_DIR/lib that every other library
# resolves inside the folder, and runs one packaged test as a smoke check
# (it skips, saying why, where there is no GPU).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
WITHOUT_CUBLAS=0
if [[ "${1:-}" == "--without-cublas" ]]; then
  WITHOUT_CUBLAS=1
  shift
fi
OUT="${1:-${TMPDIR:-/tmp}/monosem_cuda_package}"
OUT="$(mkdir -p "$OUT" && cd "$OUT" && pwd)"
cd "$ROOT"

TESTS=(
  //tests/kernels:cuda_backend_test
  //tests/kernels:cuda_philox_test
  //tests/kernels:cuda_cross_backend_test
  //tests/kernels:cuda_toy_kernels_test
  //tests/golden:cuda_golden_test
  //tests/kernels:cuda_sae_kernels_test
  //tests/kernels:cuda_transformer_kernels_test
)
# The ordinary benchmarks on the GPU link set (cuda is one more backend in
# them; see benchmarks/benchmark.bzl).
BENCH=(
  //benchmarks:cuda_gemm_bench
  //benchmarks:cuda_elementwise_bench
  //benchmarks:cuda_toy_train_bench
)

bazel build --config=cuda "${TESTS[@]}" "${BENCH[@]}"
BIN="$(bazel info --config=cuda bazel-bin 2>/dev/null)"

rm -rf "${OUT:?}"/bin "$OUT"/lib "$OUT"/golden "$OUT"/peers
mkdir -p "$OUT/bin" "$OUT/lib" "$OUT/golden" "$OUT/peers"
for t in "${TESTS[@]}" "${BENCH[@]}"; do
  path="${t#//}"
  cp "$BIN/${path/://}" "$OUT/bin/"
done
cp golden/*.textproto "$OUT/golden/"
cp benchmarks/peers/*.py "$OUT/peers/"

# Libraries that must come from the target machine: glibc's pieces, the
# loader and the NVIDIA driver.
is_system() {
  case "$1" in
    linux-vdso.so*|ld-linux*|libc.so*|libm.so*|libdl.so*|libpthread.so*|librt.so*) return 0 ;;
    libcuda.so*|libnvidia-*|libnvcuvid*) return 0 ;;
    libcublas.so*|libcublasLt.so*) [[ $WITHOUT_CUBLAS == 1 ]] && return 0 ;;
  esac
  return 1
}

# ldd on the binaries where Bazel built them: their RUNPATH ($ORIGIN/...
# _solib_k8) finds Bazel's own per-library .so files only from there.
for t in "${TESTS[@]}" "${BENCH[@]}"; do
  path="${t#//}"
  while read -r name arrow lib rest; do
    [[ "$arrow" == "=>" ]] || continue
    is_system "$name" && continue
    if [[ ! -f "$lib" ]]; then
      echo "package.sh: $t needs $name, which ldd cannot find" >&2
      exit 1
    fi
    [[ -e "$OUT/lib/$name" ]] || cp -L "$lib" "$OUT/lib/$name"
  done < <(ldd "$BIN/${path/://}")
done
chmod u+w "$OUT"/bin/* "$OUT"/lib/*

cat > "$OUT/env.sh" <<'RUN'
# Sourced by the run scripts: the packaged libraries, and cuBLAS from
# python3's NVIDIA wheels when the package was made --without-cublas.
export LD_LIBRARY_PATH="$PWD/lib"
if [[ ! -e lib/libcublasLt.so.13 ]]; then
  wheel_dir="$(python3 - <<'PY' 2>/dev/null
import glob, os, site, sys
roots = list(site.getsitepackages()) + [site.getusersitepackages()]
for root in roots:
    for f in glob.glob(os.path.join(root, "nvidia", "**", "libcublasLt.so.13"), recursive=True):
        print(os.path.dirname(f))
        sys.exit(0)
PY
)"
  if [[ -z "$wheel_dir" ]]; then
    echo "libcublasLt.so.13 is not packaged (--without-cublas) and python3 has no NVIDIA wheel with it" >&2
    exit 1
  fi
  echo "cuBLAS from $wheel_dir"
  export LD_LIBRARY_PATH="$LD_LIBRARY_PATH:$wheel_dir"
fi
RUN
cat > "$OUT/run_tests.sh" <<'RUN'
#!/bin/bash
# Runs every packaged GPU test with the packaged libraries. Exit status 0 when
# all pass (cuda cases skip, saying why, where there is no GPU).
cd "$(dirname "$0")"
source ./env.sh
export TEST_TMPDIR="$(mktemp -d)"
rc=0
for t in bin/*_test; do
  echo "== $t"
  args=()
  # The cross-backend suite's own check that torch is registered does not
  # apply to the torch-free GPU link set.
  [[ "$t" == *cuda_cross_backend_test ]] && args=(--gtest_filter=-Registry.*)
  "$t" "${args[@]}" "$@" || rc=1
done
exit $rc
RUN
cat > "$OUT/run_bench.sh" <<'RUN'
#!/bin/bash
# The cuda rows of the GPU benchmarks (JSON to <benchmark>.json; each case is
# checked against the reference before it is timed), then the PyTorch peer at
# the same shapes (JSON to torch_peer.json) when python3 has torch with CUDA.
cd "$(dirname "$0")"
source ./env.sh
for b in bin/cuda_*_bench; do
  echo "== $b"
  "$b" --benchmark_filter='/cuda$' --benchmark_out="$(basename "$b").json" \
    --benchmark_out_format=json "$@" || exit 1
done
if python3 -c 'import torch; assert torch.cuda.is_available()' 2>/dev/null; then
  python3 peers/torch_cuda_bench.py --out torch_peer.json
else
  echo "SKIP torch peer: python3 has no torch with CUDA here"
fi
RUN
chmod +x "$OUT/run_tests.sh" "$OUT/run_bench.sh"

# Check: with only the folder on LD_LIBRARY_PATH, every library that is not
# the target machine's own resolves inside the folder.
bad=0
for b in "$OUT"/bin/*; do
  while read -r name arrow lib rest; do
    [[ "$arrow" == "=>" ]] || continue
    is_system "$name" && continue
    if [[ "$lib" != "$OUT/lib/"* ]]; then
      echo "package.sh: $b: $name resolves to $lib, not inside $OUT/lib" >&2
      bad=1
    fi
  done < <(LD_LIBRARY_PATH="$OUT/lib" ldd "$b")
done
[[ $bad == 0 ]] || exit 1
echo "== smoke: $OUT/bin/cuda_backend_test with LD_LIBRARY_PATH=$OUT/lib"
(cd "$OUT" && env -u LD_PRELOAD LD_LIBRARY_PATH="$OUT/lib" bin/cuda_backend_test)
echo "package.sh: packed $(ls "$OUT/bin" | wc -l) binaries and $(ls "$OUT/lib" | wc -l) libraries ($(du -sh "$OUT" | cut -f1)) into $OUT"
