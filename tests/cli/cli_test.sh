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
expect 2 "'huge' is not a scale \(quick, default or paper\)" -- reproduce --scale=huge --out "$OUT"
expect 2 "--quick and --scale=paper disagree" -- reproduce --quick --scale=paper --out "$OUT"
expect 2 "flag --out needs a value" -- reproduce --out
expect 2 "unknown suite 'nope'" -- reproduce --suite=nope --out "$OUT"
expect 2 "unknown backend 'gpu9'" -- reproduce --backend=gpu9 --out "$OUT"
printf 'name: "x"\ntrain {\n  steps: banana\n}\n' > "$OUT.bad.textproto"
expect 2 "bad.textproto:3:" -- reproduce --config "$OUT.bad.textproto" --out "$OUT"
expect 2 "cannot open" -- reproduce --config /nonexistent.textproto --out "$OUT"
expect 0 "reference" -- backends
expect 0 "smoke" -- suites
# The sae suite reuses the transformer suite's outputs, so it is listed (and
# run) after it.
order=$("$BIN" suites | cut -f1 | tr '\n' ' ')
if [[ "$order" != *"transformer "*"sae "* ]]; then
  echo "FAIL: suites not ordered transformer before sae: $order"; fail=1
else
  echo "ok: suite order $order"
fi
# A suite's own errors exit 1 (2 is for what the CLI itself can reject).
expect 1 "unknown experiment 'bogus' in --only" -- reproduce --suite=sae --only=bogus --quick --out "$OUT"
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
expect 2 "bad_toy.textproto: toy.n_hidden is 5; allowed: at most toy.n_features \(3\)" -- reproduce --suite=toy --config "$OUT.bad_toy.textproto" --out "$OUT/toy2"
printf 'toy { n_features: 3 n_hidden: 1 colour: 2 }\n' > "$OUT.unk_toy.textproto"
expect 2 "colour" -- reproduce --suite=toy --config "$OUT.unk_toy.textproto" --out "$OUT/toy3"
expect 1 "unknown experiment 'exp9'" -- reproduce --suite=toy --only=exp9 --quick --out "$OUT/toy4"
printf 'transformer { n_ctx: 100000 }\n' > "$OUT.ctx.textproto"
expect 2 "ctx.textproto: transformer.n_ctx is 100000; allowed: an integer in \[1, 65536\]" -- reproduce --suite=transformer --quick --config "$OUT.ctx.textproto" --out "$OUT"
printf 'data { n_train: -1 }\n' > "$OUT.empty.textproto"
expect 2 "empty.textproto: data.n_train is -1" -- reproduce --suite=transformer --quick --config "$OUT.empty.textproto" --out "$OUT"
printf 'transformer { d_model: 16 n_heads: 2 n_ctx: 16 d_mlp: 16 }\ntrain { steps: 200 }\n' > "$OUT.tiny.textproto"
expect 0 "loss_per_byte_heldout\\[A\\].*pass" -- reproduce --suite=transformer --quick --config "$OUT.tiny.textproto" --out "$OUT/t"
if ! grep -q '"activations"' "$OUT/t/transformer_manifest.json" 2>/dev/null; then
  echo "FAIL: transformer_manifest.json missing"; fail=1
fi
# sae train -> eval -> resume on tiny synthetic settings. relu_l1 resamples at
# steps 5, 10, 15, 20: --until 12 splits the run between them, and the resumed
# run must write the very same weights as the uninterrupted one.
cat > "$OUT.sae.textproto" <<'CFG'
name: "tiny_sae"
sae { architecture: RELU_L1 d_in: 8 d_sae: 16 l1_coefficient: 0.05 }
train { steps: 40 batch_size: 32 seed: 3 }
CFG
rm -rf "$OUT/saeA" "$OUT/saeB"
expect 0 "wrote .*saeA/sae \(SAELens folder\)" -- sae train --config "$OUT.sae.textproto" --out "$OUT/saeA" --checkpoint_every 10
if ! grep -q '"architecture": "standard"' "$OUT/saeA/sae/cfg.json" || [[ ! -s "$OUT/saeA/checkpoint/trainer.json" ]]; then
  echo "FAIL: sae train did not write the SAELens folder and the checkpoint"; fail=1
fi
expect 0 "window	2048" -- sae eval --sae "$OUT/saeA/sae" --n 2048
expect 0 "fvu	[0-9]" -- sae eval --sae "$OUT/saeA/sae" --data synthetic --n 512 --backend reference
expect 0 "stopped at step 12 of 40" -- sae train --config "$OUT.sae.textproto" --out "$OUT/saeB" --until 12
if [[ -e "$OUT/saeB/sae" ]]; then echo "FAIL: --until 12 wrote the final SAE"; fail=1; fi
expect 0 "resumed from .*saeB/checkpoint at step 12" -- sae train --config "$OUT.sae.textproto" --out "$OUT/saeB" --resume
if ! cmp -s "$OUT/saeA/sae/sae_weights.safetensors" "$OUT/saeB/sae/sae_weights.safetensors"; then
  echo "FAIL: the resumed run's weights differ from the uninterrupted run's"; fail=1
else
  echo "ok: resumed weights are identical"
fi
# A float32 [4, 8] matrix in a hand-made safetensors file as eval data.
H='{"x":{"dtype":"F32","shape":[4,8],"data_offsets":[0,128]}}'
{ printf "\\x$(printf %02x ${#H})\\x00\\x00\\x00\\x00\\x00\\x00\\x00"; printf '%s' "$H"
  for i in $(seq 16); do printf '\x00\x00\x80\x3f\x00\x00\x00\x3f'; done; } > "$OUT.matrix.safetensors"
expect 0 "window	64" -- sae eval --sae "$OUT/saeA/sae" --data "$OUT.matrix.safetensors" --n 64
expect 1 "holds .* tensors" -- sae eval --sae "$OUT/saeA/sae" --data "$OUT/saeA/sae/sae_weights.safetensors"
printf 'sae { architecture: TOPK d_in: 8 d_sae: 4 k: 9 }\n' > "$OUT.bad_sae.textproto"
expect 2 "bad_sae.textproto: sae: k = 9 exceeds the dictionary size F = 4" -- sae train --config "$OUT.bad_sae.textproto" --out "$OUT/saeC"
printf 'sae { architecture: TOPK d_in: eight }\n' > "$OUT.bad_sae2.textproto"
expect 2 "bad_sae2.textproto:1:" -- sae train --config "$OUT.bad_sae2.textproto" --out "$OUT/saeC"
expect 2 "no sae \{ \} section" -- sae train --config "$OUT.train.textproto" --out "$OUT/saeC"
# The gated and Matryoshka BatchTopK architectures through the config (their
# SAELens folders are round-tripped in tests/models/sae/sae_io_test.cc).
printf 'sae { architecture: GATED d_in: 8 d_sae: 16 l1_coefficient: 0.05 }\ntrain { steps: 10 batch_size: 32 }\n' > "$OUT.gated.textproto"
expect 0 "wrote .*saeG/sae \(SAELens folder\)" -- sae train --config "$OUT.gated.textproto" --out "$OUT/saeG"
if ! grep -q '"architecture": "gated"' "$OUT/saeG/sae/cfg.json"; then echo "FAIL: gated cfg.json"; fail=1; fi
printf 'sae { architecture: MATRYOSHKA_BATCH_TOPK d_in: 8 d_sae: 16 k: 2 matryoshka_widths: 2 matryoshka_widths: 8 }\ntrain { steps: 10 batch_size: 32 }\n' > "$OUT.matr.textproto"
expect 0 "wrote .*saeM/sae \(SAELens folder\)" -- sae train --config "$OUT.matr.textproto" --out "$OUT/saeM"
if ! grep -q '"matryoshka_widths"' "$OUT/saeM/sae/cfg.json"; then echo "FAIL: matryoshka cfg.json"; fail=1; fi
printf 'sae { architecture: MATRYOSHKA_BATCH_TOPK d_in: 8 d_sae: 16 k: 2 matryoshka_widths: 8 matryoshka_widths: 2 }\n' > "$OUT.bad_matr.textproto"
expect 2 "bad_matr.textproto: sae: matryoshka_widths\[1\] = 2" -- sae train --config "$OUT.bad_matr.textproto" --out "$OUT/saeC"
expect 2 "--config FILE and --out DIR are required" -- sae train --config "$OUT.sae.textproto"
expect 2 "neither 'synthetic'" -- sae train --config "$OUT.sae.textproto" --out "$OUT/saeC" --data /nonexistent/acts
expect 1 "no checkpoint in .*saeC/checkpoint" -- sae train --config "$OUT.sae.textproto" --out "$OUT/saeC" --resume
expect 1 "/nonexistent/sae/cfg.json" -- sae eval --sae /nonexistent/sae
expect 2 "--sae DIR is required" -- sae eval
expect 2 "expected 'train' or 'eval', got 'frob'" -- sae frob
expect 2 "unknown flag '--until=3' for 'sae eval'" -- sae eval --sae "$OUT/saeA/sae" --until=3
exit $fail
