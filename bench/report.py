#!/usr/bin/env python3
# Summarises bench/run.sh's results (one JSON object per line): medians with min-max per peer,
# ratios of meshtls to Envoy and nginx, the issue-7 targets; prints the table, writes BENCHMARKS.md.
# Usage: report.py RESULTS.jsonl VERSIONS.txt COMMANDS.txt OUT.md ROUNDS DURATION WARMUP [SLICES]
import json
import statistics
import sys

results_path, versions_path, commands_path, out_path, rounds, duration, warmup = sys.argv[1:8]
slices = sys.argv[8] if len(sys.argv) > 8 else "1"
raw = [json.loads(line) for line in open(results_path) if line.strip()]
PEERS = ["meshtls", "envoy", "nginx"]


def merge_slices(raw):
    """One row per peer, set, round and workload: its slices' requests over their seconds, CPU
    over requests, counts summed, and latency percentiles weighted by each slice's requests."""
    merged, groups = [], {}
    for r in raw:
        if "slice" not in r:
            merged.append(r)
            continue
        groups.setdefault((r["peer"], r["set"], r["round"], r["mode"]), []).append(r)
    for parts in groups.values():
        row = dict(parts[0])
        del row["slice"]
        ok = sum(p["ok"] for p in parts)
        secs = sum(p["secs"] for p in parts)
        for key in ("ok", "errors", "resumed", "full", "secs"):
            row[key] = sum(p.get(key, 0) for p in parts)
        row["rate"] = ok / secs if secs else 0
        weight = [(p["ok"] or 1) for p in parts]
        for key in ("p50_ms", "p90_ms", "p99_ms"):
            row[key] = sum(p[key] * w for p, w in zip(parts, weight)) / sum(weight)
        row["max_ms"] = max(p["max_ms"] for p in parts)
        row["loadgen_cpu"] = sum(p["loadgen_cpu"] * p["secs"] for p in parts) / secs if secs else 0
        if all("target_cpu_us_per_req" in p for p in parts):
            cpu_us = sum(p["target_cpu_us_per_req"] * p["ok"] for p in parts)
            row["target_cpu_us_per_req"] = cpu_us / ok if ok else 0
            row["target_cpu"] = cpu_us / 1e6 / secs if secs else 0
        merged.append(row)
    return merged


rows = merge_slices(raw)

# metric key -> (title, unit, select(row) -> value or None, higher is better, format)
METRICS = [
    ("ka_rate", "keep-alive req/s (c=32)", lambda r: r["rate"] if r["mode"] == "keepalive" and r["set"] == "rsa" else None, True, "{:,.0f}"),
    ("ka_p50", "keep-alive p50 ms", lambda r: r["p50_ms"] if r["mode"] == "keepalive" and r["set"] == "rsa" else None, False, "{:.2f}"),
    ("ka_p99", "keep-alive p99 ms", lambda r: r["p99_ms"] if r["mode"] == "keepalive" and r["set"] == "rsa" else None, False, "{:.2f}"),
    ("hs_rsa", "full mTLS handshakes/s RSA-2048", lambda r: r["rate"] if r["mode"] == "handshake" and r["set"] == "rsa" else None, True, "{:,.0f}"),
    ("hs_ecdsa", "full mTLS handshakes/s ECDSA P-256", lambda r: r["rate"] if r["mode"] == "handshake" and r["set"] == "ecdsa" else None, True, "{:,.0f}"),
    ("resume", "resumed connections/s RSA", lambda r: r["rate"] if r["mode"] == "resume" and r["set"] == "rsa" else None, True, "{:,.0f}"),
    ("cold", "cold start to first 200 ms", lambda r: r["ms"] if r["mode"] == "cold" and r["set"] == "rsa" else None, False, "{:.1f}"),
    ("rss_listen", "peak RSS listening, no request yet MiB", lambda r: r["hwm_kib"] / 1024 if r["mode"] == "rss_listen" and r["set"] == "rsa" else None, False, "{:.1f}"),
    ("rss_idle", "peak RSS idle after the first request MiB", lambda r: r["hwm_kib"] / 1024 if r["mode"] == "rss" and r["set"] == "rsa" else None, False, "{:.1f}"),
    ("rss_load", "peak RSS under load MiB", lambda r: r["hwm_kib"] / 1024 if r["mode"] == "rss_load" and r["set"] == "rsa" else None, False, "{:.1f}"),
    ("cpu_req", "proxy CPU µs/request (keep-alive)", lambda r: r.get("target_cpu_us_per_req") if r["mode"] == "keepalive" and r["set"] == "rsa" else None, False, "{:.1f}"),
    ("cpu_hs", "proxy CPU µs/full handshake RSA", lambda r: r.get("target_cpu_us_per_req") if r["mode"] == "handshake" and r["set"] == "rsa" else None, False, "{:.0f}"),
]


def values(peer, key):
    select = next(m[2] for m in METRICS if m[0] == key)
    out = []
    for r in rows:
        if r["peer"] != peer:
            continue
        v = select(r)
        if v is not None:
            out.append(v)
    return out


def median(peer, key):
    v = values(peer, key)
    return statistics.median(v) if v else None


def cell(peer, key):
    fmt = next(m[4] for m in METRICS if m[0] == key)
    v = values(peer, key)
    if not v:
        return "—"
    text = fmt.format(statistics.median(v))
    if len(v) > 1:
        text += f" ({fmt.format(min(v))}–{fmt.format(max(v))})"
    return text


def ratio(key, other):
    a, b = median("meshtls", key), median(other, key)
    if a is None or not b:
        return None
    return a / b


direct = [r["rate"] for r in rows if r["peer"] == "direct"]
direct_text = (f"{statistics.median(direct):,.0f} ({min(direct):,.0f}–{max(direct):,.0f})" if direct else "—")

lines = []
lines.append("| metric | meshtls | Envoy | nginx | meshtls/Envoy | meshtls/nginx |")
lines.append("|---|---|---|---|---|---|")
for key, title, _, higher, _ in METRICS:
    re_, rn = ratio(key, "envoy"), ratio(key, "nginx")
    better = "higher is better" if higher else "lower is better"
    lines.append(
        f"| {title} ({better}) | {cell('meshtls', key)} | {cell('envoy', key)} | {cell('nginx', key)} | "
        f"{'—' if re_ is None else f'{re_:.2f}×'} | {'—' if rn is None else f'{rn:.2f}×'} |"
    )
lines.append(f"| direct to the app, no proxy: keep-alive req/s | {direct_text} | | | | |")
table = "\n".join(lines)


def check(ok):
    return "met" if ok else "**missed**"


targets = []
def target(name, value_text, ok):
    targets.append(f"| {name} | {value_text} | {check(ok)} |")

def r(key, other):
    return ratio(key, other) or 0.0

target("keep-alive req/s ≥ 2.5× Envoy", f"{r('ka_rate', 'envoy'):.2f}×", r("ka_rate", "envoy") >= 2.5)
target("keep-alive req/s ≥ 1.1× nginx", f"{r('ka_rate', 'nginx'):.2f}×", r("ka_rate", "nginx") >= 1.1)
m99, n99 = median("meshtls", "ka_p99"), median("nginx", "ka_p99")
target("keep-alive p99 ≤ nginx's", f"{m99 or 0:.2f} ms vs {n99 or 0:.2f} ms", m99 is not None and n99 is not None and m99 <= n99)
target("full handshakes/s RSA-2048 ≥ 1.0× Envoy", f"{r('hs_rsa', 'envoy'):.2f}×", r("hs_rsa", "envoy") >= 1.0)
target("full handshakes/s ECDSA P-256 ≥ 1.0× Envoy", f"{r('hs_ecdsa', 'envoy'):.2f}×", r("hs_ecdsa", "envoy") >= 1.0)
target("resumed connections/s ≥ 1.0× Envoy", f"{r('resume', 'envoy'):.2f}×", r("resume", "envoy") >= 1.0)
mc, nc = median("meshtls", "cold"), median("nginx", "cold")
target("cold start ≤ nginx's and ≤ 25 ms", f"{mc or 0:.1f} ms vs nginx {nc or 0:.1f} ms", mc is not None and nc is not None and mc <= nc and mc <= 25)
ri, rl = median("meshtls", "rss_idle"), median("meshtls", "rss_load")
rn_ = median("meshtls", "rss_listen")
target("peak RSS idle ≤ 12 MiB (after the first request)", f"{ri or 0:.1f} MiB (listening, before any request: {rn_ or 0:.1f} MiB)", ri is not None and ri <= 12)
target("peak RSS under load ≤ 24 MiB", f"{rl or 0:.1f} MiB", rl is not None and rl <= 24)

# Sanity: errors, resumption really on/off, how busy the load generator was.
notes = []
errors = sum(r.get("errors", 0) for r in rows)
notes.append(f"- Errors over the whole run: {errors}.")
for peer in PEERS:
    res = [r for r in rows if r["peer"] == peer and r["mode"] == "resume"]
    full = [r for r in rows if r["peer"] == peer and r["mode"] == "handshake"]
    resumed = sum(r["resumed"] for r in res)
    total = sum(r["ok"] for r in res)
    full_resumed = sum(r["resumed"] for r in full)
    lg = [r["loadgen_cpu"] for r in rows if r["peer"] == peer and r["mode"] in ("keepalive", "handshake", "resume")]
    notes.append(
        f"- {peer}: {resumed}/{total} connections resumed in the resumption runs, {full_resumed} in the "
        f"no-resumption runs; load generator CPU {min(lg, default=0):.0%}–{max(lg, default=0):.0%} of CPU 1."
    )

versions = open(versions_path).read().strip()
commands = open(commands_path).read().strip()
md = f"""# Benchmarks: meshtls proxy vs Envoy vs nginx

Written by `bench/run.sh` (issue 7). Only ratios from one run count: absolute figures drift on
this shared machine. {rounds} rounds with the peer order rotated; each cell is the median with
min–max over the rounds. Each workload meets each peer for {warmup} s of warm-up and {duration} s
measured per round, cut into {slices} slices that alternate between the peers.

## Set-up

- Every proxy listens on port 9080 with MUTUAL TLS (server certificate, client certificate
  verified against the CA; ALPN h2 and http/1.1; the client offers http/1.1) and forwards plain
  HTTP/1.1 over kept-alive upstream connections to one app, `meshtls httpbin`, answering
  `/status/200`. Each has its own loopback address (meshtls 127.0.0.1, Envoy 127.0.0.2, nginx
  127.0.0.3), so in each round all three run at once and every workload runs against them back to
  back, in the round's peer order and in slices that alternate between them: this machine's speed drifts over tens of seconds, and peers
  measured minutes apart would compare the drift, not the proxies. An idle peer uses no CPU.
- The proxy and the app are pinned to CPU 0 (a one-core pod), the load generator to CPU 1.
  One worker each: Envoy `--concurrency 1`, nginx `worker_processes 1`, meshtls its default (1).
  Access logs off everywhere.
- Certificates from `meshtls certgen`: RSA-2048 (the default) and `--key-type ecdsa-p256`.
- Load generator: `bench/loadgen` (tokio + rustls on aws-lc-rs, current-thread runtime), HTTP/1.1.
  Keep-alive at c=32; full handshakes and resumed connections at c=16, one request per
  connection (`Connection: close`); "full" has session resumption disabled in the client, so
  every connection verifies the client certificate; "resumed" gives each client connection
  slot its own session cache (TLS 1.3 tickets), and the run counts how many resumed.
- Cold start: the load generator execs the proxy and probes (TCP connect, full mTLS handshake,
  `GET /status/200`) every 0.5 ms until the first 200.
- Peak RSS: `VmHWM` of the proxy's processes (nginx: master + worker): once listening before
  any request (a separate start), idle after the first request (the cold-start probe), and
  under load after all the runs. CPU per request: the proxy's utime+stime over the
  measured window divided by the requests (or connections) served.

## Results

{table}

## Targets (issue 7, ratios from this run, medians of {rounds} rounds)

| target | this run | |
|---|---|---|
{chr(10).join(targets)}

## Checks

{chr(10).join(notes)}

## Profiles and what changed (issue 7)

Measured with `bench/profile.sh` (callgrind instruction counts; a busy machine does not skew
them) and `perf record -e cpu-clock` on the release binary.

| where | top items before | change | gain |
|---|---|---|---|
| cold start | aws-lc `tree_jitter_initialize_once` (CPU-jitter entropy seeding): 76% of start-up samples, ~80 ms | `.cargo/config.toml`: `AWS_LC_SYS_NO_JITTER_ENTROPY=1` (seed from getrandom + RDRAND, as BoringSSL) | 150–250 → 45–60 ms (busy machine) |
| cold start | 3 × `fsync` while mounting the Secrets, ~30 ms (strace) | kubelet-style mounts written without fsync (volatile copies, remade at every start) | 45–60 → ~40 ms |
| keep-alive | `strip_hop_by_hop` 7% (14 `&str` header lookups: parse + hash each), `request_id` 4% (crypto RNG per request), `PathAndQuery::from_shared` (URI re-parsed from a copied String), a task spawned per request for pool check-in | one pass over header names; per-worker splitmix64 for x-request-id; access-log copies only with the log on; origin-form URI kept; pool check-in inline when ready | 47.6k → 40.1k instructions/request |
| keep-alive | 38.6k instructions/request, flat: hyper's server and client each parse into and write out of a `HeaderMap` (httparse 5.6%, HeaderMap hashing and inserts ~12%, header encoding 8%), the upstream connection is its own task (32%, with a channel hop each way), memcpy of large futures 6.8%; kernel ~50% of the proxy's CPU at 4 syscalls/request | a lean HTTP/1.1 path (`src/proxy/h1/`): each head parsed once with httparse and rewritten straight into the bytes for the other side, one task per client connection driving a raw pooled app connection, buffers reused per connection; hyper keeps every request outside the plain case (tested side by side in `tests/it/http1_engines.rs`) | 38.6k → 19.0k instructions/request; proxy CPU per keep-alive request 0.66–1.14× nginx's → 0.55–0.73× (0.97× in one run disturbed by the host, L of 2026-11-28) |
| RSS, cold start | 8.4 MB of the 8.7 MB text mapped at start (fault-around over a 14 MB binary) | release profile `lto = "fat"` (binary 14.2 → 12.2 MB) | peak RSS idle 12.8 → ~11.9 MiB; cold start 40 → ~28 ms |
| RSS, cold start | cluster mode (the kube client) joined the binary: a 13.8 MB `.text`, of which 9.1 MB was mapped at start (the proxy's functions lie all over it, and each page fault maps the 64 KB around it); peak RSS idle 14.3 MiB | release builds hand `link/text-order.txt` (the 2,364 functions callgrind sees the proxy run; `bench/text-order.sh`) to rust-lld via `build.rs`, so they sit together in 3.1 MB | text mapped at start 9.1 → 3.0 MB; peak RSS idle 14.3 → ~8.4 MiB |
| cold start | 53.6M instructions from exec to listening: Istio's CRD YAML (108 KB) parsed at each start, 30M (56%); the server's RSA key parsed three times (rcgen, then rustls), each with aws-lc's `RSA_check_key` (5M) | the CRDs embedded as compact JSON without descriptions (a unit test keeps it equal to the YAML); the key parsed once into rustls' signer and matched to the certificate by its SubjectPublicKeyInfo; the one workload key made inline, not on a thread | 53.6M → 12.0M instructions; cold start ~20 → ~10 ms |
| full handshake | ECDSA verify 46%, SHA-384 key schedule/HKDF 28%, X25519 14% (same work as Envoy); ours on top: identity parse/format 2.7%, x509-parser parses 2.3% | per-worker cache of the last peer identity (same leaf certificate); webpki's lazy parse for handshake signatures (old path on any failure); O(n) RFC 2253 escaping | 3.03M → 2.91M instructions per ECDSA handshake |

## Machine and versions

```
{versions}
```

## Commands

`bash bench/run.sh` (env `ROUNDS`, `DURATION`, `WARMUP`) reproduces everything. It writes the
certificates (`meshtls certgen`, RSA and `--key-type ecdsa-p256`), `task.yaml` (`meshtls render
--certs`), Envoy's bootstrap and nginx's configuration (see the script) under `$WORK`, then runs:

```
{commands}
```
"""
open(out_path, "w").write(md)
print(table)
print()
print("\n".join(targets))
print()
print("\n".join(notes))
print(versions)
