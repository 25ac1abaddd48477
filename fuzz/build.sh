#!/bin/bash
# Builds the libFuzzer harnesses (fuzz/*_fuzz.cc) with Debian's clang and
# -fsanitize=fuzzer,address,undefined against the same sources Bazel builds
# (listed below), into ${FUZZ_BUILD:-fuzz/.build}. Bazel's toolchain here is
# gcc, which has no libFuzzer, so the harnesses are built by this script.
# Needs: clang (clang++), libclang-rt-14-dev, protobuf-compiler, libabsl-dev,
# libprotobuf-dev, libzstd-dev, nlohmann-json3-dev, pkg-config (ci/setup).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD="${FUZZ_BUILD:-fuzz/.build}"
CXX="${CXX_FUZZ:-clang++}"
mkdir -p "$BUILD/obj/proto" "$BUILD/gen"

# The parsers and what they link: an archive, so that each harness pulls in
# only the objects it needs.
SOURCES=(
  monosem/io/file_io.cc monosem/io/safetensors.cc monosem/io/memory_bound.cc
  monosem/tensor.cc monosem/philox.cc monosem/portable_math.cc monosem/backend.cc
  monosem/config.cc monosem/textproto.cc
  monosem/models/sae/sae.cc monosem/models/sae/sae_json.cc monosem/models/sae/sae_io.cc
  monosem/models/sae/sae_kernels.cc
  monosem/data/activation_store.cc monosem/data/bf16.cc monosem/data/text_loader.cc
  monosem/data/corpus.cc monosem/data/corpus_tables.cc monosem/data/corpus_leaves.cc
  monosem/data/utf8.cc
)
FLAGS=(-std=c++17 -O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined
       -fno-sanitize-recover=undefined -I. -I"$BUILD/gen" -Wno-unknown-pragmas)
LIBS=($(pkg-config --libs absl_status absl_statusor absl_strings absl_str_format absl_flat_hash_map \
         absl_synchronization absl_span) -lprotobuf -lzstd -lpthread)

if [[ ! -f "$BUILD/gen/proto/config.pb.cc" || proto/config.proto -nt "$BUILD/gen/proto/config.pb.cc" ]]; then
  protoc --cpp_out="$BUILD/gen" proto/config.proto
fi

compile() {  # compile SRC OBJ: only when the source (or a header) is newer
  local src="$1" obj="$2"
  if [[ -f "$obj" && "$obj" -nt "$src" &&
        -z "$(find monosem proto fuzz "$BUILD/gen" -path "$BUILD/obj" -prune -o -name '*.h' -newer "$obj" -print -quit)" ]]; then
    return 0
  fi
  mkdir -p "$(dirname "$obj")"
  "$CXX" "${FLAGS[@]}" -c "$src" -o "$obj"
}
export -f compile
objs=()
jobs=0
for src in "${SOURCES[@]}" "$BUILD/gen/proto/config.pb.cc"; do
  obj="$BUILD/obj/$(echo "$src" | tr / _).o"
  objs+=("$obj")
  compile "$src" "$obj" &
  jobs=$((jobs + 1))
  if (( jobs % ${FUZZ_JOBS:-2} == 0 )); then wait; fi
done
wait
for o in "${objs[@]}"; do [[ -f "$o" ]] || { echo "fuzz/build.sh: $o missing" >&2; exit 1; }; done
# The archive only when an object changed (the harnesses relink then).
if [[ ! -f "$BUILD/libmonosem_fuzz.a" || -n "$(find "$BUILD/obj" -name '*.o' -newer "$BUILD/libmonosem_fuzz.a" -print -quit)" ]]; then
  rm -f "$BUILD/libmonosem_fuzz.a"
  ar rcs "$BUILD/libmonosem_fuzz.a" "${objs[@]}"
fi

for h in fuzz/*_fuzz.cc; do
  name=$(basename "$h" .cc)
  compile "$h" "$BUILD/obj/$name.o"
  if [[ -f "$BUILD/$name" && "$BUILD/$name" -nt "$BUILD/obj/$name.o" && "$BUILD/$name" -nt "$BUILD/libmonosem_fuzz.a" ]]; then
    continue
  fi
  "$CXX" "${FLAGS[@]}" -fsanitize=fuzzer "$BUILD/obj/$name.o" "$BUILD/libmonosem_fuzz.a" "${LIBS[@]}" \
    -o "$BUILD/$name"
done
echo "fuzz/build.sh: built $(ls fuzz/*_fuzz.cc | wc -l) harnesses in $BUILD"
