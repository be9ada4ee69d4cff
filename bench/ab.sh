#!/usr/bin/env bash
# Two meshtls binaries side by side on one workload (A/B for a change whose cost callgrind
# misjudges: memcpy's `rep movsb` counts per byte, system calls not at all). Both proxies run at
# once (127.0.0.1 and 127.0.0.5, port 9080, pinned to CPU 0 with the app), the load generator on
# CPU 1 alternates between them; prints the proxy's CPU per request and per MiB, each round.
# Usage: bench/ab.sh keepalive|h2x1|h2x32|get1m|post1m BINARY_A BINARY_B [ROUNDS] [SECS]
#        (env LOADGEN_BIN; ROUNDS 1 to 9, default 5; SECS a run, default 2, at most 10). Loopback only.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
mode=$1 a=$2 b=$3 rounds=${4:-5} secs=${5:-2}
loadgen=${LOADGEN_BIN:-${CARGO_TARGET_DIR:-$repo/target}/release/meshtls-loadgen}
[ "$rounds" -ge 1 ] && [ "$rounds" -le 9 ] || { echo "ROUNDS must be 1 to 9" >&2; exit 64; }
[ "$secs" -ge 1 ] && [ "$secs" -le 10 ] || { echo "SECS must be 1 to 10" >&2; exit 64; }
case $mode in
  keepalive) args=(keepalive -c 32) ;;
  h2x1) args=(keepalive --h2 -c 32 --streams 1) ;;
  h2x32) args=(keepalive --h2 -c 4 --streams 32) ;;
  get1m) args=(keepalive -c 8 --path /fixed/1048576) ;;
  post1m) args=(keepalive -c 8 --path /discard --body 1048576) ;;
  *) echo "unknown workload $mode" >&2; exit 64 ;;
esac
work=$(mktemp -d /tmp/meshtls-ab.XXXXXX)
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"' EXIT
"$a" certgen --out "$work/certs" >/dev/null
"$a" render --certs "$work/certs" >"$work/task.yaml"
app_port=18092
taskset -c 0 "$a" httpbin --listen 127.0.0.1:$app_port >/dev/null 2>&1 &
pids+=($!)
declare -A pid_of=() addr_of=([A]=127.0.0.1 [B]=127.0.0.5)
for side in A B; do
  bin=$a
  [ "$side" = B ] && bin=$b
  mkdir -p "$work/mesh-$side"
  taskset -c 0 "$bin" proxy -f "$work/task.yaml" --bind "${addr_of[$side]}" --port-map 9080=9080 \
    --port-map 9081=19081 --endpoint-override 80=127.0.0.1:$app_port --admin 127.0.0.1:0 \
    --access-log off --mesh-dir "$work/mesh-$side" >"$work/proxy-$side.log" 2>&1 &
  pid_of[$side]=$!
  pids+=($!)
done
c="$work/certs"
tls=(--ca "$c/example.com.crt" --cert "$c/client.test.svc.cluster.local.crt" --key "$c/client.test.svc.cluster.local.key" --sni httpbin.test.svc.cluster.local)
for side in A B; do
  for _ in $(seq 100); do
    taskset -c 1 "$loadgen" handshake "${tls[@]}" --addr "${addr_of[$side]}:9080" -c 1 -d 0.5 --warmup 0 -n 1 2>/dev/null | grep -q '"ok":1' && break
    sleep 0.1
  done
done
printf '%-6s %-5s %12s %10s %14s %12s\n' round side "req/s" "MiB/s" "µs/request" "µs/MiB"
for round in $(seq "$rounds"); do
  for side in A B; do
    out=$(taskset -c 1 "$loadgen" "${args[@]}" "${tls[@]}" --addr "${addr_of[$side]}:9080" -d "$secs" --warmup 0.5 --pid "${pid_of[$side]}")
    python3 -c 'import json,sys; d=json.loads(sys.argv[3]); print("%-6s %-5s %12.0f %10.1f %14.2f %12s" % (sys.argv[1], sys.argv[2], d["rate"], d["mib_per_s"], d["target_cpu_us_per_req"], ("%.0f" % d["target_cpu_us_per_mib"]) if "target_cpu_us_per_mib" in d else "-"))' "$round" "$side" "$out"
  done
done
