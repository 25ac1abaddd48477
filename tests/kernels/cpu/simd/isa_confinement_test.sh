#!/bin/bash
# No instruction beyond the baseline x86-64 ISA outside the per-level SIMD
# units: every AVX / AVX-512 instruction (a VEX or EVEX mnemonic, a ymm, zmm
# or mask register) in the statically linked cpu backend must sit in a
# function of namespace monosem::cpu::simd::avx2 or ::avx512, which run only
# after the CPU was seen to support them. Anything else would die with
# SIGILL on an older CPU (an inline function or template instantiated in a
# wide unit whose copy the linker kept for everyone, say).
set -euo pipefail
bin="$1"
[[ -x "$bin" ]] || { echo "no binary at $bin" >&2; exit 1; }
report=$(objdump -d --no-show-raw-insn -C "$bin" | awk '
  /^[0-9a-f]+ <.*>:$/ { fn = $0; next }
  {
    insn = $2
    wide = insn ~ /^v[a-z]/ || insn ~ /^k(mov|and|or|xor|not|test|shift|add|unpck)/ ||
           $0 ~ /%[yz]mm[0-9]/ || $0 ~ /%k[0-7]/
    if (!wide) next
    total++
    if (fn ~ /monosem::cpu::simd::avx(2|512)::/) { confined++; next }
    if (!(fn in seen)) { seen[fn] = 1; print "outside the SIMD units: " fn " first: " $0 }
  }
  END { printf "wide instructions: %d, inside the SIMD units: %d\n", total, confined }')
echo "$report"
if grep -q "^outside the SIMD units" <<<"$report"; then
  echo "FAIL: wide-ISA code outside kernels/cpu/simd's avx2/avx512 units" >&2
  exit 1
fi
# The check must have something to check: the wide units are linked in.
grep -q "inside the SIMD units: [1-9]" <<<"$report" || { echo "FAIL: no SIMD unit code found" >&2; exit 1; }
