#!/usr/bin/env bash
# Coverage-guided fuzzing of meshtls's untrusted-input parsers with libFuzzer (cargo-fuzz) on the
# stable toolchain: `--sanitizer none` needs no nightly flag. See fuzz/README.md.
#   bash fuzz/run.sh [TARGET|all] [EXECUTIONS]     (default: all, 10000000 each)
# MAX_TIME=SECONDS caps each target's run (0, the default, runs to EXECUTIONS).
set -euo pipefail
cd "$(dirname "$0")"
targets=(h1_request h1_response h1_chunked pem yaml config_dump)
want="${1:-all}"
runs="${2:-10000000}"
max_time="${MAX_TIME:-0}"
if [ "$want" != all ]; then
  printf '%s\n' "${targets[@]}" | grep -qx "$want" || {
    echo "unknown target '$want'; one of: ${targets[*]} or all" >&2
    exit 64
  }
  targets=("$want")
fi
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
flags=(--sanitizer none --debug-assertions)
cargo fuzz build "${flags[@]}"
mkdir -p logs
for target in "${targets[@]}"; do
  # Long enough for each parser's limits: the chunked decoder's 16 KiB of trailers, a head
  # of a few KiB, a PEM chain, a manifest or a dump.
  case "$target" in
    h1_chunked) max_len=20000 ;;
    *) max_len=8192 ;;
  esac
  mkdir -p "corpus/$target"
  echo "== $target: $runs executions (max_len $max_len)"
  status=0
  cargo fuzz run "${flags[@]}" "$target" "corpus/$target" "seeds/$target" -- \
    -runs="$runs" -max_len="$max_len" -max_total_time="$max_time" -timeout=10 \
    -seed=1 -print_final_stats=1 >"logs/$target.log" 2>&1 || status=$?
  grep -E 'DONE|^stat::number_of_executed_units|^stat::average_exec_per_sec|ERROR|panicked' \
    "logs/$target.log" || true
  if [ "$status" -ne 0 ]; then
    echo "$target: crashed (exit $status); the input is in fuzz/artifacts/$target/," \
      "the log in fuzz/logs/$target.log" >&2
    exit 1
  fi
done
