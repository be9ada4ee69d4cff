#!/usr/bin/env bash
# Writes link/text-order.txt: the functions `meshtls proxy` runs, in the order it first runs them
# (callgrind, mangled names). build.rs hands the file to the linker for release builds, so the
# proxy's code sits together and start-up faults in fewer pages of the binary (issue 7: RSS, cold start).
# Usage: bench/text-order.sh   (env SKIP_BUILD=1 to use target/release/meshtls as it is;
#        CARGO_TARGET_DIR is honoured)
# Bounded: a few hundred requests per key type, loopback only, each step times out.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
out=$repo/link/text-order.txt
target_dir=${CARGO_TARGET_DIR:-$repo/target}
bin=$target_dir/release/meshtls
loadgen=$target_dir/release/meshtls-loadgen
command -v valgrind >/dev/null || { echo "valgrind is needed (apt-get install valgrind)" >&2; exit 1; }
if [ "${SKIP_BUILD:-0}" != 1 ]; then
  (cd "$repo" && cargo build --release --quiet)
  (cd "$repo/bench/loadgen" && CARGO_TARGET_DIR="$target_dir" cargo build --release --quiet)
fi
work=$(mktemp -d /tmp/meshtls-order.XXXXXX)
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true; rm -rf "$work"' EXIT
app_port=18091
"$bin" httpbin --listen 127.0.0.1:$app_port >/dev/null 2>&1 &
pids+=($!)

run_set() { # key-type
  local set=$1 dir=$work/$1 c
  c=$dir/certs
  "$bin" certgen --out "$c" --key-type "$set" >/dev/null
  "$bin" render --certs "$c" >"$dir/task.yaml"
  valgrind --tool=callgrind --demangle=no --dump-instr=no --compress-strings=no --compress-pos=no \
    --callgrind-out-file="$dir/callgrind.out" \
    "$bin" proxy -f "$dir/task.yaml" --port-map 9080=19480 --port-map 9081=19481 \
    --endpoint-override 80=127.0.0.1:$app_port --admin 127.0.0.1:19400 --access-log off \
    --mesh-dir "$dir/mesh" >"$dir/proxy.log" 2>&1 &
  local proxy=$!
  pids+=("$proxy")
  local tls=(--addr 127.0.0.1:19480 --ca "$c/example.com.crt" --cert "$c/client.test.svc.cluster.local.crt"
    --key "$c/client.test.svc.cluster.local.key" --sni httpbin.test.svc.cluster.local)
  local ready=0
  for _ in $(seq 240); do
    if "$loadgen" handshake "${tls[@]}" -c 1 -d 1 --warmup 0 -n 1 2>/dev/null | grep -q '"ok":1'; then ready=1; break; fi
    sleep 0.5
  done
  [ $ready = 1 ] || { echo "proxy did not come up" >&2; cat "$dir/proxy.log" >&2; exit 1; }
  # The page's curl (h2), then HTTP/1.1 keep-alive, full handshakes, resumed connections, h2
  # keep-alive and 1 MiB bodies both ways.
  curl -sS -o /dev/null --max-time 20 --cacert "$c/example.com.crt" --cert "$c/client.test.svc.cluster.local.crt" \
    --key "$c/client.test.svc.cluster.local.key" --resolve httpbin.test.svc.cluster.local:19480:127.0.0.1 \
    https://httpbin.test.svc.cluster.local:19480/headers
  "$loadgen" keepalive "${tls[@]}" -c 4 -d 20 --warmup 0 -n 400 >/dev/null
  "$loadgen" handshake "${tls[@]}" -c 2 -d 20 --warmup 0 -n 40 >/dev/null
  "$loadgen" resume "${tls[@]}" -c 2 -d 20 --warmup 0 -n 40 >/dev/null
  "$loadgen" keepalive --h2 "${tls[@]}" -c 2 --streams 4 -d 20 --warmup 0 -n 400 >/dev/null
  "$loadgen" keepalive "${tls[@]}" -c 2 --path /fixed/1048576 -d 20 --warmup 0 -n 4 >/dev/null
  "$loadgen" keepalive "${tls[@]}" -c 2 --path /discard --body 1048576 -d 20 --warmup 0 -n 4 >/dev/null
  for path in ready stats config_dump; do curl -sS -o /dev/null --max-time 20 "http://127.0.0.1:19400/$path"; done
  kill -TERM "$proxy"
  wait "$proxy" || true
}
for set in rsa2048 ecdsa-p256; do mkdir -p "$work/$set"; run_set "$set"; done

# Every function name callgrind saw that is a symbol of the binary, first sighting first.
nm --defined-only "$bin" | awk '$2 ~ /^[tTwW]$/ {print $3}' | sort -u >"$work/symbols"
python3 - "$work/symbols" "$work"/*/callgrind.out* >"$out.tmp" <<'PY'
import re, sys
symbols = set(open(sys.argv[1]).read().split())
seen, order = set(), []
for path in sys.argv[2:]:
    for line in open(path, errors="replace"):
        m = re.match(r"c?fn=(?:\(\d+\) ?)?(\S+)", line)
        if m and m.group(1) in symbols and m.group(1) not in seen:
            seen.add(m.group(1))
            order.append(m.group(1))
print("\n".join(order))
PY
mv "$out.tmp" "$out"
echo "$(wc -l <"$out") functions in $out"
