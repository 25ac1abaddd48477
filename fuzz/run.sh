#!/bin/bash
# Builds every libFuzzer harness (fuzz/build.sh) and runs each for SECONDS
# (default 60) from its committed seed corpus fuzz/corpus/<harness>/, with
# AddressSanitizer and UndefinedBehaviorSanitizer. Exits nonzero when a
# harness finds a crash, a leak, a sanitizer report, a timeout or an
# out-of-memory input; the input is left in ${FUZZ_BUILD:-fuzz/.build}/crashes/.
#
#   fuzz/run.sh 15            # CI: 15 s per harness
#   fuzz/run.sh 3600          # a longer hunt
#   fuzz/run.sh 60 safetensors_fuzz   # one harness
#
# New inputs found go to the build folder, never into the committed seeds.
set -uo pipefail
cd "$(dirname "$0")/.."
SECONDS_EACH="${1:-60}"
shift || true
BUILD="${FUZZ_BUILD:-fuzz/.build}"
fuzz/build.sh || exit 2
harnesses=("$@")
if (( ${#harnesses[@]} == 0 )); then
  for h in fuzz/*_fuzz.cc; do harnesses+=("$(basename "$h" .cc)"); done
fi
mkdir -p "$BUILD/crashes"
export TMPDIR="$BUILD/tmp"
rm -rf "$TMPDIR"; mkdir -p "$TMPDIR"
failed=()
for name in "${harnesses[@]}"; do
  work="$BUILD/corpus/$name"
  mkdir -p "$work"
  echo "== $name: ${SECONDS_EACH} s"
  # -rss_limit_mb: an input that makes a parser allocate gigabytes is a bug.
  if ! "$BUILD/$name" "$work" "fuzz/corpus/$name" -max_total_time="$SECONDS_EACH" \
       -rss_limit_mb=2048 -timeout=20 -max_len=65536 -print_final_stats=1 \
       -artifact_prefix="$BUILD/crashes/$name-" > "$BUILD/$name.log" 2>&1; then
    failed+=("$name")
    tail -40 "$BUILD/$name.log"
  else
    grep -E "stat::number_of_executed_units|INITED|DONE" "$BUILD/$name.log" | tail -2
  fi
done
rm -rf "$TMPDIR"
if (( ${#failed[@]} > 0 )); then
  echo "fuzz/run.sh: ${#failed[@]} harness(es) failed: ${failed[*]} (inputs in $BUILD/crashes/)"
  exit 1
fi
echo "fuzz/run.sh: ${#harnesses[@]} harnesses, ${SECONDS_EACH} s each, no failures"
