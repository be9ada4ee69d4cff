#!/usr/bin/env python3
"""RSS of `meshtls proxy` while N clients each hold an unfinished request head of SIZE bytes
(just under Envoy's 60 KiB limit), over mTLS to the page's external port, on loopback.
Usage: bench/slow_heads.py PID PORT CERTS_DIR [N=1000] [SIZE=61000] [HOLD_S=5]
Bounded: N <= 5000, every socket closed at the end."""
import resource, socket, ssl, sys, time

pid, port, certs = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
n = min(int(sys.argv[4]) if len(sys.argv) > 4 else 1000, 5000)
size = int(sys.argv[5]) if len(sys.argv) > 5 else 61000
hold = float(sys.argv[6]) if len(sys.argv) > 6 else 5
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
fqdn = "httpbin.test.svc.cluster.local"
ctx = ssl.create_default_context(cafile=f"{certs}/example.com.crt")
ctx.load_cert_chain(f"{certs}/client.test.svc.cluster.local.crt", f"{certs}/client.test.svc.cluster.local.key")
ctx.set_alpn_protocols(["http/1.1"])

def rss_kb():
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])

head = b"GET /status/200 HTTP/1.1\r\nHost: " + fqdn.encode() + b"\r\nX-Pad: "
pad = b"a" * (size - len(head))
before = rss_kb()
held, refused = [], 0
started = time.time()
for _ in range(n):
    try:
        s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=5), server_hostname=fqdn)
        s.sendall(head + pad)
        held.append(s)
    except OSError:
        refused += 1
time.sleep(hold)
during = rss_kb()
answered = 0
for s in held:
    s.setblocking(False)
    try:
        if s.recv(64):
            answered += 1
    except (ssl.SSLWantReadError, BlockingIOError, OSError):
        pass
    s.close()
time.sleep(1)
print(f"{len(held)} slow heads of {size} bytes ({refused} refused, {answered} answered early) "
      f"in {time.time() - started:.1f}s: RSS {before // 1024} MB before, {during // 1024} MB while held, "
      f"{rss_kb() // 1024} MB after")
