#!/bin/bash
# The monosem binary's exit codes and messages for good and bad usage.
set -u
BIN="$1"
OUT="${TEST_TMPDIR:-/tmp}/cli"
fail=0
expect() {  # expect CODE PATTERN -- ARGS...
  local want="$1" pattern="$2"; shift 3
  local got log
  log=$("$BIN" "$@" 2>&1); got=$?
  if [[ "$got" != "$want" ]] || ! grep -qE -- "$pattern" <<<"$log"; then
    echo "FAIL: monosem $* -> exit $got (want $want), output:"; echo "$log" | head -20
    fail=1
  else
    echo "ok: monosem $* -> $got"
  fi
}
expect 2 "usage: monosem" -- 
expect 2 "unknown command 'frobnicate'" -- frobnicate
expect 2 "unknown flag '--bogus'" -- reproduce --bogus
expect 2 "unknown flag '--frobs=3'" -- reproduce --frobs=3
expect 2 "bad value for --quick" -- reproduce --quick=banana
expect 2 "flag --out needs a value" -- reproduce --out
expect 2 "unknown suite 'nope'" -- reproduce --suite=nope --out "$OUT"
expect 2 "unknown backend 'gpu9'" -- reproduce --backend=gpu9 --out "$OUT"
printf 'name: "x"\ntrain {\n  steps: banana\n}\n' > "$OUT.bad.textproto"
expect 2 "bad.textproto:3:" -- reproduce --config "$OUT.bad.textproto" --out "$OUT"
expect 2 "cannot open" -- reproduce --config /nonexistent.textproto --out "$OUT"
expect 0 "reference" -- backends
expect 0 "smoke" -- suites
expect 0 "1 passed|passed, 0 failed" -- reproduce --suite=smoke --quick --out "$OUT"
if [[ ! -s "$OUT/results.json" ]] || ! grep -q '"suite": "smoke"' "$OUT/results.json"; then
  echo "FAIL: results.json missing or without smoke rows"; fail=1
fi
printf 'transformer { n_ctx: 100000 }\n' > "$OUT.ctx.textproto"
expect 1 "transformer.n_ctx 100000 is over the maximum context length" -- reproduce --suite=transformer --quick --config "$OUT.ctx.textproto" --out "$OUT"
printf 'data { n_train: -1 }\n' > "$OUT.empty.textproto"
expect 1 "empty corpus" -- reproduce --suite=transformer --quick --config "$OUT.empty.textproto" --out "$OUT"
printf 'transformer { d_model: 16 n_heads: 2 n_ctx: 16 d_mlp: 16 }\ntrain { steps: 200 }\n' > "$OUT.tiny.textproto"
expect 0 "loss_per_byte_heldout\\[A\\].*pass" -- reproduce --suite=transformer --quick --config "$OUT.tiny.textproto" --out "$OUT/t"
if ! grep -q '"activations"' "$OUT/t/transformer_manifest.json" 2>/dev/null; then
  echo "FAIL: transformer_manifest.json missing"; fail=1
fi
exit $fail
