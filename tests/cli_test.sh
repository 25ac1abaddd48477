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
# --config with a toy section: a custom run honouring sizes, instances,
# sparsity, importance and train {steps, batch_size, lr, seed}.
cat > "$OUT.toy.textproto" <<'CFG'
name: "mini"
toy {
  n_features: 6
  n_hidden: 2
  relu_output: true
  n_instances: 3
  importance_decay: 0.8
  sparsity: [0, 0.5, 0.9]
}
train { steps: 40 batch_size: 64 lr: 0.02 seed: 7 }
CFG
expect 0 "custom_represented\[mini_i2_S0.9\]" -- reproduce --suite=toy --config "$OUT.toy.textproto" --out "$OUT/toy"
if ! grep -q "40 steps, batch 64, lr 0.02, seed 7" "$OUT/toy/results.json" ||
   grep -q "n5_m2\|n20_m5" "$OUT/toy/results.json"; then
  echo "FAIL: the toy --config run did not honour the config (or ran the default experiments)"
  fail=1
fi
lines=$(wc -l < "$OUT/toy/toy_custom.csv")
if [[ "$lines" != 19 ]] || ! head -1 "$OUT/toy/toy_custom.csv" | grep -q ",w0,w1$"; then
  echo "FAIL: toy_custom.csv should have 3 instances x 6 features (+ header) and columns w0,w1"
  fail=1
fi
# Train-only overrides apply to the selected experiments; --only selects them.
printf 'train { steps: 30 batch_size: 32 }\n' > "$OUT.train.textproto"
# (30 steps is too short for exp1's judged rows to pass: exit 0 or 1 are both fine.)
"$BIN" reproduce --suite=toy --only=exp1 --config "$OUT.train.textproto" --out "$OUT/toy1" >/dev/null 2>&1
if ! grep -q "30 steps, batch 32" "$OUT/toy1/results.json" || grep -q "n5_m2" "$OUT/toy1/results.json"; then
  echo "FAIL: --only=exp1 with train overrides"; fail=1
fi
printf 'toy { n_features: 3 n_hidden: 5 }\n' > "$OUT.bad_toy.textproto"
expect 1 "n_hidden \(5\) must not exceed n_features \(3\)" -- reproduce --suite=toy --config "$OUT.bad_toy.textproto" --out "$OUT/toy2"
printf 'toy { n_features: 3 n_hidden: 1 colour: 2 }\n' > "$OUT.unk_toy.textproto"
expect 2 "colour" -- reproduce --suite=toy --config "$OUT.unk_toy.textproto" --out "$OUT/toy3"
expect 1 "unknown experiment 'exp9'" -- reproduce --suite=toy --only=exp9 --quick --out "$OUT/toy4"
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
