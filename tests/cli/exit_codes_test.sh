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

exit $fail
