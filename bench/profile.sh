#!/usr/bin/env bash
# Instruction profile of `meshtls proxy` under callgrind (counts instructions, so a busy machine
# does not skew it): keep-alive requests (HTTP/1.1; h2 32x1 or 4x32 streams; GET or POST of
# 1 MiB bodies), full handshakes or resumed connections over mTLS.
# Usage: bench/profile.sh keepalive|h2x1|h2x32|get1m|post1m|handshake|resume [N] [MESHTLS_BINARY]
#        (N requests, default 20000; env KEY_TYPE=ecdsa-p256 for ECDSA certificates; the
#        instructions per MiB are printed for the body modes)
# Prints the instructions per request and the top functions; leaves the profile in $WORK.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
mode=${1:-keepalive}
n=${2:-20000}
bin=${3:-$repo/target/release/meshtls}
loadgen=${LOADGEN_BIN:-$repo/target/release/meshtls-loadgen}
[ "$n" -ge 1 ] && [ "$n" -le 200000 ] || { echo "N must be 1 to 200000" >&2; exit 64; }
work=$(mktemp -d /tmp/meshtls-profile.XXXXXX)
"$bin" certgen --out "$work/certs" --key-type "${KEY_TYPE:-rsa2048}" >/dev/null
"$bin" render --certs "$work/certs" >"$work/task.yaml"
app_port=18090
"$bin" httpbin --listen 127.0.0.1:$app_port >/dev/null 2>&1 &
app=$!
valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$work/callgrind.out" \
  "$bin" proxy -f "$work/task.yaml" --port-map 9080=9080 --port-map 9081=19081 \
  --endpoint-override 80=127.0.0.1:$app_port --admin 127.0.0.1:15900 --access-log off \
  --mesh-dir "$work/mesh" >"$work/proxy.log" 2>&1 &
proxy=$!
trap 'kill $proxy $app 2>/dev/null || true' EXIT
c="$work/certs"
tls=(--ca "$c/example.com.crt" --cert "$c/client.test.svc.cluster.local.crt" --key "$c/client.test.svc.cluster.local.key" --sni httpbin.test.svc.cluster.local)
ready=0
for _ in $(seq 240); do
  if "$loadgen" handshake "${tls[@]}" -c 1 -d 0.5 --warmup 0 -n 1 2>/dev/null | grep -q '"ok":1'; then ready=1; break; fi
  sleep 0.5
done
[ $ready = 1 ] || { echo "proxy did not come up" >&2; cat "$work/proxy.log" >&2; exit 1; }
case $mode in
  keepalive) args=(keepalive -c 4) ;;
  h2x1) args=(keepalive --h2 -c 4 --streams 1) ;;
  h2x32) args=(keepalive --h2 -c 1 --streams 32) ;;
  get1m) args=(keepalive -c 2 --path /fixed/1048576) ;;
  post1m) args=(keepalive -c 2 --path /discard --body 1048576) ;;
  handshake|resume) args=("$mode" -c 2) ;;
  *) echo "unknown mode $mode" >&2; exit 64 ;;
esac
callgrind_control -i on "$proxy" >/dev/null
"$loadgen" "${args[@]}" "${tls[@]}" -d 60 --warmup 0 -n "$n" | tee "$work/loadgen.json"
callgrind_control -i off "$proxy" >/dev/null
callgrind_control -d "$proxy" >/dev/null
sleep 1
out=$(ls "$work"/callgrind.out* | grep -v 'callgrind.out$' | tail -1)
ok=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["ok"])' "$work/loadgen.json")
total=$(callgrind_annotate "$out" 2>/dev/null | grep 'PROGRAM TOTALS' | awk '{gsub(",", "", $1); print $1}')
echo "instructions: $total for $ok requests = $((total / (ok > 0 ? ok : 1))) per request"
bytes=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["bytes"])' "$work/loadgen.json")
if [ "$bytes" -ge 1048576 ]; then echo "per MiB: $((total * 1048576 / bytes)) instructions ($bytes body bytes)"; fi
callgrind_annotate --inclusive=no "$out" 2>/dev/null | grep -E '^ *[0-9,]+ \(' | head -40 | cut -c1-160
echo "profile: $out"
