#!/bin/bash
# The exit-code convention (monosem/cli/exit_codes.h) across every command:
# 2 for bad usage or a bad config, 1 for bad data and run-time errors, and a
# message that names the file and the field at fault.
set -u
BIN="$1"
T="${TEST_TMPDIR:-/tmp}/exit_codes"
rm -rf "$T"; mkdir -p "$T"
fail=0
expect() {  # expect CODE PATTERN -- ARGS...
  local want="$1" pattern="$2"; shift 3
  local got log
  log=$(timeout 60 "$BIN" "$@" 2>&1); got=$?
  if [[ "$got" != "$want" ]] || ! grep -qE -- "$pattern" <<<"$log"; then
    echo "FAIL: monosem $* -> exit $got (want $want, message /$pattern/), output:"
    echo "$log" | tail -5
    fail=1
  else
    echo "ok: monosem $* -> $got"
  fi
}

# The convention is in the help text.
expect 0 "exit codes .every command.:" -- help
expect 0 "2  bad usage or a bad config" -- help

# --out that is a regular file: the same run-time error (1) from every command
# that writes.
touch "$T/afile"
printf 'name: "x"\nsae { architecture: TOPK d_in: 8 d_sae: 16 k: 2 }\ntrain { steps: 4 batch_size: 8 }\n' \
  > "$T/sae.textproto"
expect 1 "afile exists and is not a directory" -- reproduce --suite=smoke --quick --out "$T/afile"
expect 1 "afile exists and is not a directory" -- sae train --config "$T/sae.textproto" --out "$T/afile"

# Usage: a required flag missing, in every command that has one.
expect 2 "--sae DIR is required" -- sae eval
expect 2 "--out DIR .a results folder. is required" -- report
expect 2 "--sae DIR, --transformer CKPT and --out DIR are required" -- browse
expect 2 "--feature I, --value V and --prompt TEXT are required" -- steer
expect 2 "--n must be > 0, got 0" -- sae eval --sae "$T" --n 0

# Bad data (1), naming the file.
expect 1 "$T/cfg.json" -- sae eval --sae "$T"
expect 1 "$T/results.json" -- report --out "$T"

# Bad configs (2): the file, the field, the bad value and the allowed range.
cfg() { printf '%s\n' "$2" > "$T/$1.textproto"; }
cfg n_heads 'transformer { n_heads: 0 }'
expect 2 "n_heads.textproto: transformer.n_heads is 0; allowed: an integer >= 1" -- \
  reproduce --suite=transformer --quick --config "$T/n_heads.textproto" --out "$T/o"
cfg inst 'toy { n_features: 5 n_hidden: 2 n_instances: 0 }'
expect 2 "inst.textproto: toy.n_instances is 0" -- reproduce --suite=toy --only=custom --config "$T/inst.textproto" --out "$T/o"
cfg steps 'sae { architecture: TOPK d_in: 8 d_sae: 16 k: 2 } train { steps: -5 }'
expect 2 "steps.textproto: train.steps is -5; allowed: an integer >= 1" -- sae train --config "$T/steps.textproto" --out "$T/o"
cfg lr 'sae { architecture: TOPK d_in: 8 d_sae: 16 k: 2 } train { lr: inf }'
expect 2 "lr.textproto: train.lr is inf; allowed: finite and > 0" -- sae train --config "$T/lr.textproto" --out "$T/o"
cfg beta1 'sae { architecture: TOPK d_in: 8 d_sae: 16 k: 2 } train { beta1: 1.5 }'
expect 2 "beta1.textproto: train.beta1 is 1.5; allowed: in \[0, 1\)" -- sae train --config "$T/beta1.textproto" --out "$T/o"
# Read with a bound: fails at once instead of reading gigabytes.
expect 2 "/dev/zero: larger than" -- reproduce --config /dev/zero --out "$T/o"
expect 2 "/dev/zero: larger than" -- sae train --config /dev/zero --out "$T/o"

# Sizes beyond the machine's memory (2), with the estimate; never bad_alloc.
cfg big_f 'sae { architecture: TOPK d_in: 8 d_sae: 2147483647 k: 4 }'
expect 2 "big_f.textproto: sae \(d_in 8, d_sae 2147483647.*needs an estimated" -- sae train --config "$T/big_f.textproto" --out "$T/o"
cfg big_b 'sae { architecture: TOPK d_in: 8 d_sae: 32 k: 4 } train { batch_size: 2147483647 }'
expect 2 "big_b.textproto: .*batch 2147483647.*needs an estimated" -- sae train --config "$T/big_b.textproto" --out "$T/o"
cfg big_toy 'toy { n_features: 100000000 n_hidden: 5 n_instances: 100000 }'
expect 2 "big_toy.textproto: toy model .*needs an estimated" -- reproduce --suite=toy --only=custom --config "$T/big_toy.textproto" --out "$T/o"
cfg big_data 'data { n_train: 100000000000000 }'
expect 2 "big_data.textproto: data .*needs an estimated" -- reproduce --suite=transformer --quick --config "$T/big_data.textproto" --out "$T/o"
mkdir -p "$T/huge_sae"
printf '{"architecture": "standard", "d_in": 1000000000000, "d_sae": 8, "dtype": "float32"}' > "$T/huge_sae/cfg.json"
expect 1 "huge_sae/cfg.json: d_in 1000000000000 x d_sae 8.*needs an estimated" -- sae eval --sae "$T/huge_sae"

# --resume refuses a checkpoint of another run, naming the field (1).
cfg run 'sae { architecture: RELU_L1 d_in: 8 d_sae: 16 l1_coefficient: 0.01 } train { steps: 8 batch_size: 16 } data { seed: 3 }'
expect 0 "stopped at step 4 of 8" -- sae train --config "$T/run.textproto" --out "$T/r" --until 4
cfg run_b1 'sae { architecture: RELU_L1 d_in: 8 d_sae: 16 l1_coefficient: 0.01 } train { steps: 8 batch_size: 16 beta1: 0.5 } data { seed: 3 }'
expect 1 "was trained with another train.beta1" -- sae train --config "$T/run_b1.textproto" --out "$T/r" --resume
cfg run_rs 'sae { architecture: RELU_L1 d_in: 8 d_sae: 16 l1_coefficient: 0.01 disable_resampling: true } train { steps: 8 batch_size: 16 } data { seed: 3 }'
expect 1 "was trained with another sae.disable_resampling" -- sae train --config "$T/run_rs.textproto" --out "$T/r" --resume
cfg run_seed 'sae { architecture: RELU_L1 d_in: 8 d_sae: 16 l1_coefficient: 0.01 } train { steps: 8 batch_size: 16 } data { seed: 4 }'
expect 1 "was trained with another data.seed \(3 then, 4 now\)" -- sae train --config "$T/run_seed.textproto" --out "$T/r" --resume
# A float32 [4, 8] matrix in a hand-made safetensors file as other data.
H='{"x":{"dtype":"F32","shape":[4,8],"data_offsets":[0,128]}}'
{ printf "\\x$(printf %02x ${#H})\\x00\\x00\\x00\\x00\\x00\\x00\\x00"; printf '%s' "$H"
  for i in $(seq 16); do printf '\x00\x00\x80\x3f\x00\x00\x00\x3f'; done; } > "$T/matrix.safetensors"
expect 1 "was trained with another --data \(synthetic then" -- sae train --config "$T/run.textproto" --out "$T/r" --resume --data "$T/matrix.safetensors"
expect 0 "resumed from .*r/checkpoint at step 4" -- sae train --config "$T/run.textproto" --out "$T/r" --resume
# A hand-edited trainer.json is validated like any input.
cp -r "$T/r" "$T/r2"
rm -rf "$T/r2/sae"; sed -i 's/"step": 8/"step": 0/' "$T/r2/checkpoint/trainer.json"
expect 1 "trainer.json: field 'step' is 0; allowed: 1 to" -- sae train --config "$T/run.textproto" --out "$T/r2" --resume

# A regular file where OUT/sae or OUT/checkpoint goes: refused (1), kept.
mkdir -p "$T/f"; echo keep > "$T/f/sae"
expect 1 "f/sae exists and is not a directory" -- sae train --config "$T/run.textproto" --out "$T/f"
if [[ "$(cat "$T/f/sae")" != keep ]]; then echo "FAIL: OUT/sae (a file) was changed"; fail=1; fi
mkdir -p "$T/g"; echo keep > "$T/g/checkpoint"
expect 1 "g/checkpoint exists and is not a directory" -- sae train --config "$T/run.textproto" --out "$T/g"
if [[ "$(cat "$T/g/checkpoint")" != keep ]]; then echo "FAIL: OUT/checkpoint (a file) was changed"; fail=1; fi

# Non-finite data is an error (1) in training and evaluation input, naming
# the file and the first bad row; there is no flag to let it through (a NaN
# makes every metric NaN).
H='{"x":{"dtype":"F32","shape":[4,8],"data_offsets":[0,128]}}'
{ printf "\\x$(printf %02x ${#H})\\x00\\x00\\x00\\x00\\x00\\x00\\x00"; printf '%s' "$H"
  for i in $(seq 10); do printf '\x00\x00\x80\x3f\x00\x00\x00\x3f'; done
  printf '\x00\x00\xc0\x7f\x00\x00\x80\x3f'
  for i in $(seq 5); do printf '\x00\x00\x80\x3f\x00\x00\x00\x3f'; done; } > "$T/nan.safetensors"
cfg run8 'sae { architecture: TOPK d_in: 8 d_sae: 16 k: 2 } train { steps: 2 batch_size: 4 }'
expect 1 "nan.safetensors: tensor 'x' row 2 column 4 is nan" -- sae train --config "$T/run8.textproto" --out "$T/n" --data "$T/nan.safetensors"
expect 1 "nan.safetensors: tensor 'x' row 2 column 4 is nan" -- sae eval --sae "$T/r/sae" --data "$T/nan.safetensors"

exit $fail
