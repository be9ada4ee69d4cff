#!/usr/bin/env bash
# Times `meshtls certgen` (3 x RSA-2048) against the page's six openssl commands, side by side.
# Usage: bench/certgen.sh [ROUNDS]   (needs a release build: cargo build --release)
set -euo pipefail
rounds=${1:-10}
bin="$(cd "$(dirname "$0")/.." && pwd)/target/release/meshtls"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

page_openssl() {
  openssl req -x509 -sha256 -nodes -days 365 -newkey rsa:2048 -subj '/O=example Inc./CN=example.com' -keyout example.com.key -out example.com.crt
  openssl req -out httpbin.test.svc.cluster.local.csr -newkey rsa:2048 -nodes -keyout httpbin.test.svc.cluster.local.key -subj "/CN=httpbin.test.svc.cluster.local/O=httpbin organization"
  openssl x509 -req -days 365 -CA example.com.crt -CAkey example.com.key -set_serial 1 -in httpbin.test.svc.cluster.local.csr -out httpbin.test.svc.cluster.local.crt
  openssl req -out client.test.svc.cluster.local.csr -newkey rsa:2048 -nodes -keyout client.test.svc.cluster.local.key -subj "/CN=client.test.svc.cluster.local/O=client organization"
  openssl x509 -req -days 365 -CA example.com.crt -CAkey example.com.key -set_serial 1 -in client.test.svc.cluster.local.csr -out client.test.svc.cluster.local.crt
}

now_ms() { date +%s%3N; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

m_times=(); o_times=()
for i in $(seq "$rounds"); do
  # Alternate the order each round so neither side always runs on a warm cache.
  for who in $([ $((i % 2)) -eq 0 ] && echo "meshtls openssl" || echo "openssl meshtls"); do
    dir="$work/$who-$i"; mkdir -p "$dir"
    start=$(now_ms)
    if [ "$who" = meshtls ]; then "$bin" certgen --out "$dir" >/dev/null; else (cd "$dir" && page_openssl >/dev/null 2>&1); fi
    took=$(( $(now_ms) - start ))
    if [ "$who" = meshtls ]; then m_times+=("$took"); else o_times+=("$took"); fi
  done
done
m=$(printf '%s\n' "${m_times[@]}" | median); o=$(printf '%s\n' "${o_times[@]}" | median)
echo "certgen default set, $rounds rounds, median wall time:"
echo "  meshtls certgen        ${m} ms  (all: ${m_times[*]})"
echo "  page openssl commands  ${o} ms  (all: ${o_times[*]})"
awk -v m="$m" -v o="$o" 'BEGIN { printf "  ratio meshtls/openssl  %.2f\n", m / o }'
