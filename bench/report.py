#!/usr/bin/env python3
# Summarises bench/run.sh's results (one JSON object per line): medians with min-max per peer,
# ratios of meshtls to Envoy, nginx and HAProxy, the targets of issues 7 and 18 with verdicts;
# appends this run's verdicts to RUNS (full runs only) and lists every run there; prints the
# table and writes BENCHMARKS.md, with bench/notes.md (profiles, history) after the figures.
# Usage: report.py RESULTS.jsonl VERSIONS.txt COMMANDS.txt OUT.md ROUNDS DURATION WARMUP SLICES [RUNS.jsonl]
import datetime
import json
import os
import statistics
import sys

results_path, versions_path, commands_path, out_path, rounds, duration, warmup, slices = sys.argv[1:9]
runs_path = sys.argv[9] if len(sys.argv) > 9 else ""
raw = [json.loads(line) for line in open(results_path) if line.strip()]
PEERS = ["meshtls", "envoy", "nginx", "haproxy"]
NAMES = {"meshtls": "meshtls", "envoy": "Envoy", "nginx": "nginx", "haproxy": "HAProxy"}
OTHERS = PEERS[1:]
MIB = 1048576


def merge_slices(raw):
    """One row per peer, set, round and workload: its slices' requests over their seconds, CPU
    over requests, counts summed, and latency percentiles weighted by each slice's requests."""
    merged, groups = [], {}
    for r in raw:
        if "slice" not in r:
            merged.append(r)
            continue
        groups.setdefault((r["peer"], r["set"], r["round"], r["workload"]), []).append(r)
    for parts in groups.values():
        row = dict(parts[0])
        del row["slice"]
        ok = sum(p["ok"] for p in parts)
        secs = sum(p["secs"] for p in parts)
        for key in ("ok", "errors", "resumed", "full", "secs", "bytes"):
            row[key] = sum(p.get(key, 0) for p in parts)
        row["rate"] = ok / secs if secs else 0
        row["mib_per_s"] = row["bytes"] / MIB / secs if secs else 0
        weight = [(p["ok"] or 1) for p in parts]
        for key in ("p50_ms", "p90_ms", "p99_ms"):
            row[key] = sum(p[key] * w for p, w in zip(parts, weight)) / sum(weight)
        row["max_ms"] = max(p["max_ms"] for p in parts)
        row["loadgen_cpu"] = sum(p["loadgen_cpu"] * p["secs"] for p in parts) / secs if secs else 0
        if all("target_cpu_us_per_req" in p for p in parts):
            cpu_us = sum(p["target_cpu_us_per_req"] * p["ok"] for p in parts)
            row["target_cpu_us_per_req"] = cpu_us / ok if ok else 0
            row["target_cpu"] = cpu_us / 1e6 / secs if secs else 0
            mib = row["bytes"] / MIB
            if mib >= 1:
                row["target_cpu_us_per_mib"] = cpu_us / mib
        merged.append(row)
    return merged


rows = merge_slices(raw)
cipher_speed = {r["cipher"]: r["bytes_per_s"] for r in rows if r.get("mode") == "cipher"}
# µs of one core per MiB for the cipher alone (0 when openssl did not say).
cipher_us = {c: (MIB / v * 1e6 if v else 0) for c, v in cipher_speed.items()}
aes_us = cipher_us.get("aes-128-gcm", 0)


def load(workload, field):
    return lambda r: r.get(field) if r.get("workload") == workload and r["set"] == "rsa" and "workers" not in r else None


def plain(mode, field, scale=1.0, set_="rsa"):
    def select(r):
        if r.get("mode") != mode or r["set"] != set_ or "workers" in r or r.get("workload") not in (None,):
            return None
        v = r.get(field)
        return None if v is None else v * scale
    return select


# metric key -> (title, select(row) -> value or None, higher is better, format)
METRICS = [
    ("ka_rate", "HTTP/1.1 keep-alive req/s (c=32)", load("keepalive", "rate"), True, "{:,.0f}"),
    ("ka_p50", "HTTP/1.1 keep-alive p50 ms", load("keepalive", "p50_ms"), False, "{:.2f}"),
    ("ka_p99", "HTTP/1.1 keep-alive p99 ms", load("keepalive", "p99_ms"), False, "{:.2f}"),
    ("cpu_req", "proxy CPU µs/request (HTTP/1.1 keep-alive)", load("keepalive", "target_cpu_us_per_req"), False, "{:.1f}"),
    ("h2x1_rate", "h2 req/s, 32 connections × 1 stream", load("h2x1", "rate"), True, "{:,.0f}"),
    ("h2x1_p99", "h2 p99 ms, 32 × 1", load("h2x1", "p99_ms"), False, "{:.2f}"),
    ("h2x1_cpu", "proxy CPU µs/request, h2 32 × 1", load("h2x1", "target_cpu_us_per_req"), False, "{:.1f}"),
    ("h2x32_rate", "h2 req/s, 4 connections × 32 streams", load("h2x32", "rate"), True, "{:,.0f}"),
    ("h2x32_p99", "h2 p99 ms, 4 × 32", load("h2x32", "p99_ms"), False, "{:.2f}"),
    ("h2x32_cpu", "proxy CPU µs/request, h2 4 × 32", load("h2x32", "target_cpu_us_per_req"), False, "{:.1f}"),
    ("get_mibs", "GET 1 MiB response, MiB/s (8 connections)", load("get1m", "mib_per_s"), True, "{:,.0f}"),
    ("get_cpu", "proxy CPU µs/MiB, GET 1 MiB", load("get1m", "target_cpu_us_per_mib"), False, "{:,.0f}"),
    ("post_mibs", "POST 1 MiB request, MiB/s (8 connections)", load("post1m", "mib_per_s"), True, "{:,.0f}"),
    ("post_cpu", "proxy CPU µs/MiB, POST 1 MiB", load("post1m", "target_cpu_us_per_mib"), False, "{:,.0f}"),
    ("hs_rsa", "full mTLS handshakes/s RSA-2048", load("handshake", "rate"), True, "{:,.0f}"),
    ("hs_ecdsa", "full mTLS handshakes/s ECDSA P-256", lambda r: r.get("rate") if r.get("workload") == "handshake" and r["set"] == "ecdsa" else None, True, "{:,.0f}"),
    ("resume", "resumed connections/s RSA", load("resume", "rate"), True, "{:,.0f}"),
    ("cpu_hs", "proxy CPU µs/full handshake RSA", load("handshake", "target_cpu_us_per_req"), False, "{:.0f}"),
    ("cold", "cold start to first 200 ms", plain("cold", "ms"), False, "{:.1f}"),
    ("rss_listen", "peak RSS listening, no request yet MiB", plain("rss_listen", "hwm_kib", 1 / 1024), False, "{:.1f}"),
    ("rss_idle", "peak RSS idle after the first request MiB", plain("rss", "hwm_kib", 1 / 1024), False, "{:.1f}"),
    ("rss_load", "peak RSS under load MiB", plain("rss_load", "hwm_kib", 1 / 1024), False, "{:.1f}"),
    ("idle_kib", "idle connections: RSS KiB per connection", load("idle", "kib_per_conn"), False, "{:.1f}"),
    ("ka_2w", "2 workers, unpinned: HTTP/1.1 keep-alive req/s", lambda r: r.get("rate") if r.get("workload") == "keepalive_2w" else None, True, "{:,.0f}"),
]
META = {m[0]: m for m in METRICS}


def values(peer, key):
    select = META[key][2]
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
    fmt = META[key][4]
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


def fmt_ratio(x):
    return "—" if x is None else f"{x:.2f}×"


direct = [r["rate"] for r in rows if r["peer"] == "direct"]
direct_text = (f"{statistics.median(direct):,.0f} ({min(direct):,.0f}–{max(direct):,.0f})" if direct else "—")

lines = []
lines.append("| metric | meshtls | Envoy | nginx | HAProxy | ×Envoy | ×nginx | ×HAProxy |")
lines.append("|---|---|---|---|---|---|---|---|")
for key, title, _, higher, _ in METRICS:
    better = "higher is better" if higher else "lower is better"
    lines.append(
        f"| {title} ({better}) | " + " | ".join(cell(p, key) for p in PEERS) + " | "
        + " | ".join(fmt_ratio(ratio(key, o)) for o in OTHERS) + " |"
    )
lines.append(f"| direct to the app, no proxy: HTTP/1.1 keep-alive req/s | {direct_text} | | | | | | |")
table = "\n".join(lines)

# Per-MiB CPU as a multiple of the cipher alone, and what each peer negotiated.
cipher_lines = []
if cipher_speed:
    cipher_lines.append("| cipher (openssl speed -evp, 16 KiB blocks, CPU 0) | GB/s | µs per MiB |")
    cipher_lines.append("|---|---|---|")
    for c, v in cipher_speed.items():
        cipher_lines.append(f"| {c} | {v / 1e9:.2f} | {cipher_us[c]:.0f} |")
    cipher_lines.append("")
    cipher_lines.append("| proxy CPU per MiB ÷ AES-128-GCM's µs per MiB | " + " | ".join(NAMES[p] for p in PEERS) + " |")
    cipher_lines.append("|---|" + "---|" * len(PEERS))
    for key, title in (("get_cpu", "GET 1 MiB"), ("post_cpu", "POST 1 MiB")):
        cells = []
        for p in PEERS:
            m = median(p, key)
            cells.append("—" if m is None or not aes_us else f"{m / aes_us:.1f}×")
        cipher_lines.append(f"| {title} | " + " | ".join(cells) + " |")
cipher_table = "\n".join(cipher_lines)

# Idle connections: the details of the one idle run.
idle_lines = []
idle_rows = {r["peer"]: r for r in rows if r.get("workload") == "idle"}
if idle_rows:
    idle_lines.append("| peer | connections held | still open | resumed / full | RSS before → after MiB | KiB per connection | a new client at that count |")
    idle_lines.append("|---|---|---|---|---|---|---|")
    for p in PEERS:
        r = idle_rows.get(p)
        if not r:
            continue
        new = f"{r['new_client_status']} in {r['new_client_ms']:.1f} ms" if r.get("new_client_status") == 200 else f"**not served** ({r.get('new_client_error', r.get('new_client_status'))})"
        idle_lines.append(
            f"| {NAMES[p]} | {r['conns']:,} | {r['still_open']:,} | {r['resumed']:,} / {r['full']:,} | "
            f"{r['rss_before_kib'] / 1024:.1f} → {r['rss_after_kib'] / 1024:.1f} | {r['kib_per_conn']:.1f} | {new} |"
        )
idle_table = "\n".join(idle_lines)

# Scaling with 2 workers.
scale_lines = []
if any(values(p, "ka_2w") for p in PEERS):
    scale_lines.append("| peer | 1 worker, pinned req/s | 2 workers, unpinned req/s | scaling |")
    scale_lines.append("|---|---|---|---|")
    for p in PEERS:
        one, two = median(p, "ka_rate"), median(p, "ka_2w")
        s = f"{two / one:.2f}×" if one and two else "—"
        scale_lines.append(f"| {NAMES[p]} | {one or 0:,.0f} | {two or 0:,.0f} | {s} |")
scale_table = "\n".join(scale_lines)


def check(ok):
    return "met" if ok else "**not met**"


targets = []  # (name, value text, met)


def target(name, value_text, ok):
    targets.append((name, value_text, bool(ok)))


def r(key, other):
    return ratio(key, other) or 0.0


target("HTTP/1.1 keep-alive req/s ≥ 2.5× Envoy", f"{r('ka_rate', 'envoy'):.2f}×", r("ka_rate", "envoy") >= 2.5)
target("HTTP/1.1 keep-alive req/s ≥ 2.0× nginx (issue 7: 1.1×)", f"{r('ka_rate', 'nginx'):.2f}×", r("ka_rate", "nginx") >= 2.0)
target("HTTP/1.1 keep-alive req/s ≥ 1.5× HAProxy", f"{r('ka_rate', 'haproxy'):.2f}×", r("ka_rate", "haproxy") >= 1.5)
m99, n99 = median("meshtls", "ka_p99"), median("nginx", "ka_p99")
target("HTTP/1.1 keep-alive p99 ≤ nginx's", f"{m99 or 0:.2f} ms vs {n99 or 0:.2f} ms", m99 is not None and n99 is not None and m99 <= n99)
for shape, label in (("h2x1", "32 × 1"), ("h2x32", "4 × 32")):
    k = f"{shape}_rate"
    target(f"h2 {label} req/s ≥ 2.5× Envoy", f"{r(k, 'envoy'):.2f}×", r(k, "envoy") >= 2.5)
    target(f"h2 {label} req/s ≥ 1.1× nginx", f"{r(k, 'nginx'):.2f}×", r(k, "nginx") >= 1.1)
    target(f"h2 {label} req/s ≥ 1.1× HAProxy", f"{r(k, 'haproxy'):.2f}×", r(k, "haproxy") >= 1.1)
    mine = median("meshtls", f"{shape}_p99")
    peers = {p: median(p, f"{shape}_p99") for p in OTHERS}
    best = min((v, p) for p, v in peers.items() if v is not None) if any(v is not None for v in peers.values()) else (None, "")
    target(f"h2 {label} p99 ≤ the best peer's", f"{mine or 0:.2f} ms vs {best[0] or 0:.2f} ms ({NAMES.get(best[1], '?')})",
           mine is not None and best[0] is not None and mine <= best[0])
for key, label in (("get_mibs", "GET 1 MiB"), ("post_mibs", "POST 1 MiB")):
    mine = median("meshtls", key)
    peers = {p: median(p, key) for p in OTHERS}
    best = max(((v, p) for p, v in peers.items() if v is not None), default=(None, ""))
    rr = mine / best[0] if mine and best[0] else 0
    target(f"{label} MiB/s ≥ 1.0× the best peer", f"{rr:.2f}× ({NAMES.get(best[1], '?')})", rr >= 1.0)
for key, label in (("get_cpu", "GET 1 MiB"), ("post_cpu", "POST 1 MiB")):
    mine = median("meshtls", key)
    mult = mine / aes_us if mine and aes_us else 0
    target(f"{label}: proxy CPU per MiB ≤ 3× AES-128-GCM's", f"{mine or 0:,.0f} µs = {mult:.1f}× ({aes_us:.0f} µs)", 0 < mult <= 3)
mi, ei = median("meshtls", "idle_kib"), median("envoy", "idle_kib")
target("idle connection RSS ≤ 0.25× Envoy's", f"{mi or 0:.1f} vs {ei or 0:.1f} KiB ({(mi or 0) / ei if ei else 0:.2f}×)",
       mi is not None and ei is not None and ei > 0 and mi <= 0.25 * ei)
mr = idle_rows.get("meshtls", {})
target(f"a new client served with {mr.get('conns', 0):,} connections held",
       f"{mr.get('new_client_status', 0)}, {mr.get('still_open', 0):,} still open",
       mr.get("new_client_status") == 200 and mr.get("conns", 0) >= 10000)
target("full handshakes/s RSA-2048 ≥ 1.0× Envoy", f"{r('hs_rsa', 'envoy'):.2f}×", r("hs_rsa", "envoy") >= 1.0)
target("full handshakes/s ECDSA P-256 ≥ 1.0× Envoy", f"{r('hs_ecdsa', 'envoy'):.2f}×", r("hs_ecdsa", "envoy") >= 1.0)
target("resumed connections/s ≥ 1.0× Envoy", f"{r('resume', 'envoy'):.2f}×", r("resume", "envoy") >= 1.0)
mc, nc = median("meshtls", "cold"), median("nginx", "cold")
target("cold start ≤ nginx's and ≤ 25 ms", f"{mc or 0:.1f} ms vs nginx {nc or 0:.1f} ms", mc is not None and nc is not None and mc <= nc and mc <= 25)
ri, rl = median("meshtls", "rss_idle"), median("meshtls", "rss_load")
rn_ = median("meshtls", "rss_listen")
target("peak RSS idle ≤ 12 MiB (after the first request)", f"{ri or 0:.1f} MiB (listening: {rn_ or 0:.1f} MiB)", ri is not None and ri <= 12)
target("peak RSS under load ≤ 24 MiB", f"{rl or 0:.1f} MiB", rl is not None and rl <= 24)
target_lines = [f"| {n} | {v} | {check(ok)} |" for n, v, ok in targets]
met = sum(ok for _, _, ok in targets)

# Sanity: errors, resumption really on/off, negotiated protocol and cipher, load generator CPU.
notes = []
errors = sum(r.get("errors", 0) for r in rows if r.get("workload") != "idle")
first = next((r["first_error"] for r in rows if r.get("errors") and r.get("first_error")), None)
notes.append(f"- Errors over the whole run (idle connections aside): {errors}" + (f" (first: {first})." if first else "."))
for peer in PEERS:
    res = [r for r in rows if r["peer"] == peer and r.get("workload") == "resume"]
    full = [r for r in rows if r["peer"] == peer and r.get("workload") == "handshake"]
    resumed = sum(r["resumed"] for r in res)
    total = sum(r["ok"] for r in res)
    full_resumed = sum(r["resumed"] for r in full)
    lg = [r["loadgen_cpu"] for r in rows if r["peer"] == peer and r.get("workload") and r.get("loadgen_cpu") is not None]
    notes.append(
        f"- {NAMES[peer]}: {resumed}/{total} connections resumed in the resumption runs, {full_resumed} in the "
        f"no-resumption runs; load generator CPU {min(lg, default=0):.0%}–{max(lg, default=0):.0%} of one core."
    )

versions = open(versions_path).read().strip()
commands = open(commands_path).read().strip()
now = datetime.datetime.now(datetime.timezone.utc)
commit = next((line.split("(", 1)[1].split(")")[0] for line in versions.splitlines() if line.startswith("meshtls:") and "(" in line), "?")
full_run = rounds == "3" and duration == "2" and warmup == "0.3" and slices == "2" and idle_rows.get("meshtls", {}).get("conns", 0) >= 10000

runs = []
if runs_path:
    if os.path.exists(runs_path):
        runs = [json.loads(line) for line in open(runs_path) if line.strip()]
    if full_run:
        this = {"when": now.strftime("%Y-%m-%d %H:%M"), "commit": commit,
                "targets": [{"name": n, "value": v, "met": ok} for n, v, ok in targets]}
        runs.append(this)
        with open(runs_path, "a") as f:
            f.write(json.dumps(this) + "\n")

runs_lines = []
if runs:
    names = [t["name"] for t in runs[-1]["targets"]]
    head = " | ".join(f"{chr(65 + i)} {run['when'][5:]} ({run['commit']})" for i, run in enumerate(runs))
    runs_lines.append(f"| target | {head} | met in all | met in the last 5 |")
    runs_lines.append("|---|" + "---|" * len(runs) + "---|---|")
    last = runs[-5:]
    for n in names:
        cells, count, seen = [], 0, 0
        for run in runs:
            t = next((t for t in run["targets"] if t["name"] == n), None)
            if t is None:
                cells.append("—")
                continue
            seen += 1
            count += t["met"]
            cells.append(t["value"] + ("" if t["met"] else " ✗"))
        found = [t for run in last for t in run["targets"] if t["name"] == n]
        recent = f"{sum(t['met'] for t in found)} of {len(found)}"
        runs_lines.append(f"| {n} | " + " | ".join(cells) + f" | {count} of {seen} | {recent} |")
runs_table = "\n".join(runs_lines)

notes_md = ""
notes_path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "notes.md")
if os.path.exists(notes_path):
    notes_md = open(notes_path).read().strip()

run_kind = "a full run" if full_run else "a short run (not added to the list of full runs)"
md = f"""# Benchmarks: meshtls proxy vs Envoy vs nginx vs HAProxy

Written by `bench/run.sh` (issues 7 and 18) on {now.strftime("%Y-%m-%d %H:%M")} UTC, {run_kind}. Only ratios
from one run count: absolute figures drift on this shared machine. {rounds} rounds with the peer
order rotated; each cell is the median with min–max over the rounds. Each workload meets each
peer for {warmup} s of warm-up and {duration} s measured per round, cut into {slices} slices that
alternate between the peers. The idle connections and the 2-worker runs are made once a run.

## Set-up

- Every proxy listens on port 9080 with MUTUAL TLS (server certificate, client certificate
  verified against the CA; ALPN h2 and http/1.1) and forwards plain HTTP/1.1 over kept-alive
  upstream connections to one app, `meshtls httpbin`. Each has its own loopback address
  (meshtls 127.0.0.1, Envoy 127.0.0.2, nginx 127.0.0.3, HAProxy 127.0.0.4), so in each round
  all four run at once and every workload runs against them back to back, in the round's peer
  order and in slices that alternate between them: this machine's speed drifts over tens of
  seconds, and peers measured minutes apart would compare the drift, not the proxies. An idle
  peer uses no CPU.
- The proxy and the app are pinned to CPU 0 (a one-core pod), the load generator to CPU 1.
  One worker each: Envoy `--concurrency 1`, nginx `worker_processes 1`, HAProxy `nbthread 1`,
  meshtls its default (1). Access logs off everywhere. nginx streams request bodies
  (`proxy_request_buffering off`, so a POST is not written to a temporary file first).
- Certificates from `meshtls certgen`: RSA-2048 (the default) and `--key-type ecdsa-p256`.
- Load generator: `bench/loadgen` (tokio + rustls on aws-lc-rs, current-thread runtime).
  - HTTP/1.1 keep-alive at c=32 on `/status/200`.
  - h2 keep-alive (ALPN h2, the `h2` crate): 32 connections × 1 stream, and 4 connections × 32
    concurrent streams, on `/status/200`.
  - Large bodies, HTTP/1.1 keep-alive at c=8: `GET /fixed/1048576` (1 MiB from one static
    buffer in the app) and `POST /discard` with a 1 MiB body (the app reads and drops it).
    MiB/s counts body bytes; CPU per MiB is the proxy's CPU over the MiB moved, and is set
    against `openssl speed -evp` on CPU 0 (below).
  - Full handshakes and resumed connections at c=16, one request per connection
    (`Connection: close`); "full" has session resumption disabled in the client, so every
    connection verifies the client certificate; "resumed" gives each client connection slot
    its own session cache (TLS 1.3 tickets), and the run counts how many resumed.
  - Idle connections: right after the start (one request served), 32 dialers open
    connections (each dialer resumes its own TLS 1.3 sessions, so the first of each is a full
    handshake), one `GET /status/200` on each, kept alive and then left idle; after 1 s the
    peer's VmRSS (nginx: master + worker) is read again, ΔVmRSS ÷ connections is the cost of
    one, and a new client (full handshake) asks for `/status/200`.
  - 2 workers: each peer with `--concurrency 2` (meshtls, Envoy), `worker_processes 2`,
    `nbthread 2`, and the proxy, the app and the load generator unpinned; HTTP/1.1
    keep-alive, reported as a scaling ratio (this machine has 2 cores, so it is no target).
- Cold start: the load generator execs the proxy and probes (TCP connect, full mTLS handshake,
  `GET /status/200`) every 0.5 ms until the first 200.
- Peak RSS: `VmHWM` of the proxy's processes (nginx: master + worker): once listening before
  any request (a separate start), idle after the first request (the cold-start probe), and
  under the first round's load (keep-alive, resumed and full handshakes, before the h2, body
  and idle workloads). CPU per request: the proxy's utime+stime over the
  measured window divided by the requests (or connections) served.

## Results

{table}

### Large bodies against the cipher

{cipher_table}

### Idle connections ({idle_rows.get("meshtls", {}).get("conns", 0):,} each)

{idle_table}

### 2 workers

{scale_table}

## Targets (issues 7 and 18, ratios from this run, medians of {rounds} rounds): {met} of {len(targets)} met

| target | this run | |
|---|---|---|
{chr(10).join(target_lines)}

## Checks

{chr(10).join(notes)}

## Every full run of `bash bench/run.sh` (none left out)

Each column is one full run, in order, with its date and time (UTC) and commit; ✗ marks a target not met. Runs A–E (2026-12-02 01:16–02:01) had 0.6 s of warm-up per workload, later runs 0.3 s (so a run fits in about 6 minutes).

{runs_table or "(none yet)"}

{notes_md}

## Machine and versions

```
{versions}
```

## Commands

`bash bench/run.sh` (env `ROUNDS`, `DURATION`, `WARMUP`, `SLICES`, `IDLE_CONNS`) reproduces
everything. It writes the certificates (`meshtls certgen`, RSA and `--key-type ecdsa-p256`),
`task.yaml` (`meshtls render --certs`), Envoy's bootstrap and nginx's and HAProxy's
configurations (see the script) under `$WORK`, then runs:

```
{commands}
```
"""
open(out_path, "w").write(md)
print(table)
print()
print(cipher_table)
print()
print(idle_table)
print()
print(scale_table)
print()
print("\n".join(target_lines))
print(f"{met} of {len(targets)} targets met")
print()
print("\n".join(notes))
print(versions)
