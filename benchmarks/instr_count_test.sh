#!/bin/bash
# instr_count under callgrind on one small kernel: deterministic counts pass
# the instruction gate, a planted instruction-count increase fails it.
set -euo pipefail
if ! command -v valgrind >/dev/null; then
  echo "valgrind not installed: skipping"
  exit 0
fi
count=benchmarks/instr_count
tool=ci/gate_tool
cfg=ci/gate_config.json
t=${TEST_TMPDIR:-$(mktemp -d)}
f='^BM_Instr/Relu/b1024_n400/cpu$'
"$count" --filter="$f" --out="$t/a.json"
"$count" --filter="$f" --out="$t/b.json"
MONOSEM_INSTR_PLANTED_EXTRA=0.5 "$count" --filter="$f" --out="$t/slow.json"
grep -q '"instructions"' "$t/a.json"
"$tool" compare --config "$cfg" --mode instructions --baseline "$t/a.json" --run "$t/b.json"
set +e
"$tool" compare --config "$cfg" --mode instructions --baseline "$t/a.json" --run "$t/slow.json"
rc=$?
set -e
if [[ $rc != 1 ]]; then
  echo "FAIL: planted instruction-count increase not caught (rc $rc)"
  exit 1
fi
echo "PASS: unchanged counts pass, planted +50% calls caught"
