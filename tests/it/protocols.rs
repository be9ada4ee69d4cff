//! The ports Istio serves besides HTTP, end to end with real clients (issue 15, item 1):
//! WebSocket through the HTTP connection manager (curl and tokio-tungstenite), gRPC on a GRPC
//! port (a hand-written h2 and HTTP/1.1 client over hyper: unary, server streaming, status and
//! trailers), `openssl s_client` on a TLS port and a raw socket on a TCP port, both in front of
//! httpbin's TCP echo. One test drives the same exchanges through a real Envoy 1.40 configured
//! as istiod configures these ports, and compares the outcomes. Loopback only, every loop bounded.
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use http_body_util::{BodyExt, Full};
use meshtls::httpbin::{self, RunningHttpbin};
use meshtls::proxy::config::{
    AccessLog, DownstreamLimits, Endpoint, H2Engine, Http1Engine, ListenerConfig, Protocol,
    ProxiedWorkload, ProxyConfig, Security, UpstreamLimits,
};
use meshtls::proxy::run::{RunningProxy, start};
use serde_json::{Value, json};

use crate::common::{free_port, require_tool, start_envoy, tempdir};
use crate::parity::envoy::{cluster_to, hcm, tcp_proxy};
use crate::proxy::{FQDN, fixture_from};

/// The decorator's Sidecar, as `<name>.<namespace>`.
const SIDECAR: &str = "ingress-sidecar.test";

const TIMEOUT: Duration = Duration::from_secs(10);
/// Workload ports of the three plaintext (PeerAuthentication DISABLE) listeners.
const HTTP_PORT: u16 = 9081;
const GRPC_PORT: u16 = 9082;
const TCP_PORT: u16 = 9083;
const GRPC_DOWN_PORT: u16 = 9084;
const WS_KEY: &str = "dGhlIHNhbXBsZSBub25jZQ==";

fn loopback(port: u16) -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], port))
}

fn app() -> RunningHttpbin {
    httpbin::start_with(loopback(0), Some(loopback(0))).expect("httpbin and its TCP echo start")
}

fn echo_of(app: &RunningHttpbin) -> SocketAddr {
    app.tcp_echo.expect("the TCP echo runs")
}

fn listener(port: u16, protocol: Protocol, endpoint: SocketAddr) -> ListenerConfig {
    ListenerConfig {
        port,
        name: format!("p{port}"),
        bind: loopback(0),
        security: Security::Plaintext,
        protocol,
        endpoint: Endpoint::Tcp(endpoint),
        service: None,
    }
}

fn config(root: &Path, listeners: Vec<ListenerConfig>, engine: Http1Engine) -> ProxyConfig {
    ProxyConfig {
        workload: ProxiedWorkload {
            namespace: "test".to_string(),
            service_account: "httpbin".to_string(),
            sidecar_name: "ingress-sidecar".to_string(),
            names: Default::default(),
        },
        listeners,
        admin: loopback(0),
        concurrency: 1,
        upstream: UpstreamLimits {
            connect_timeout: Duration::from_secs(2),
            ..UpstreamLimits::default()
        },
        downstream: DownstreamLimits::default(),
        root: root.to_path_buf(),
        mesh_dir: None,
        trust_domain: "cluster.local".to_string(),
        drain_timeout: Duration::from_secs(1),
        access_log: AccessLog::File(root.join("access.log")),
        reload_interval: Duration::from_secs(5),
        workload_cert_ttl: Duration::from_secs(24 * 3600),
        http1: engine,
        h2: H2Engine::default(),
    }
}

/// The sidecar with an HTTP, a GRPC and a TCP port, all DISABLE, in front of `app`.
fn sidecar(root: &Path, app: &RunningHttpbin, engine: Http1Engine) -> RunningProxy {
    let listeners = vec![
        listener(HTTP_PORT, Protocol::Http, app.address),
        listener(GRPC_PORT, Protocol::Http2, app.address),
        listener(TCP_PORT, Protocol::Tcp, echo_of(app)),
    ];
    start(config(root, listeners, engine)).expect("the proxy starts")
}

/// `sidecar`, plus a GRPC port whose app is `down` (nothing listens there).
fn sidecar_with_down(root: &Path, app: &RunningHttpbin, down: SocketAddr) -> RunningProxy {
    let listeners = vec![
        listener(HTTP_PORT, Protocol::Http, app.address),
        listener(GRPC_PORT, Protocol::Http2, app.address),
        listener(TCP_PORT, Protocol::Tcp, echo_of(app)),
        listener(GRPC_DOWN_PORT, Protocol::Http2, down),
    ];
    start(config(root, listeners, Http1Engine::Lean)).expect("the proxy starts")
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a test runtime")
}

// ---- WebSocket ----

/// `curl --http1.1 -i -N` with the upgrade headers: its response head (curl waits for frames
/// until --max-time, so only the head is kept).
fn curl_websocket(addr: SocketAddr, upgrade: &str) -> String {
    let out = Command::new("curl")
        .args(["--http1.1", "-i", "-N", "-sS", "--max-time", "2"])
        .args(["-H", "Connection: Upgrade", "-H"])
        .arg(format!("Upgrade: {upgrade}"))
        .args(["-H", &format!("Sec-WebSocket-Key: {WS_KEY}")])
        .args(["-H", "Sec-WebSocket-Version: 13"])
        .arg(format!("http://{addr}/websocket/echo"))
        .output()
        .expect("curl runs");
    let text = String::from_utf8_lossy(&out.stdout).replace("\r\n", "\n");
    text.split("\n\n").next().unwrap_or("").to_string()
}

/// A head's status line and the headers a comparison keeps, lower-cased, sorted.
fn head_summary(head: &str, keep: &[&str]) -> String {
    let mut lines = head.lines();
    let status = lines.next().unwrap_or("").trim().to_string();
    let mut kept: Vec<String> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
        .filter(|(n, _)| keep.contains(&n.as_str()))
        .map(|(n, v)| format!("{n}: {v}"))
        .collect();
    kept.sort();
    format!("{status} | {}", kept.join(" | "))
}

const WS_HEADERS: &[&str] = &["upgrade", "connection", "sec-websocket-accept", "server"];

/// Five text messages through a real WebSocket client: how many came back unchanged.
fn websocket_echoes(addr: SocketAddr) -> usize {
    use futures::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::Message;
    runtime().block_on(async move {
        let stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
        let url = format!("ws://{addr}/websocket/echo");
        let (mut ws, response) = tokio::time::timeout(
            TIMEOUT,
            tokio_tungstenite::client_async(url.as_str(), stream),
        )
        .await
        .expect("the handshake in time")
        .expect("the handshake succeeds");
        assert_eq!(response.status().as_u16(), 101);
        let mut echoed = 0;
        for i in 0..5 {
            let text = format!("message {i}: {}", "x".repeat(i * 300));
            ws.send(Message::text(text.clone())).await.expect("send");
            let reply = tokio::time::timeout(TIMEOUT, ws.next()).await;
            if let Ok(Some(Ok(Message::Text(got)))) = reply
                && got.as_str() == text
            {
                echoed += 1;
            }
        }
        let _ = ws.close(None).await;
        echoed
    })
}

/// A raw upgrade request with `upgrade` as its type: the status line of the answer, and whether
/// the app (httpbin's `/headers`) saw an Upgrade header.
fn raw_upgrade(addr: SocketAddr, upgrade: &str) -> String {
    let mut stream = TcpStream::connect_timeout(&addr, TIMEOUT).expect("connect");
    stream.set_read_timeout(Some(TIMEOUT)).expect("timeout");
    let request = format!(
        "GET /headers HTTP/1.1\r\nHost: app.test\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: {upgrade}\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\nConnection: close\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).expect("write");
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response);
    let text = String::from_utf8_lossy(&response);
    let status = text.lines().next().unwrap_or("").trim().to_string();
    let app_saw = text.contains("\"Upgrade\"") || text.contains("\"Http2-Settings\"");
    format!("{status} | app saw upgrade headers: {app_saw}")
}

// ---- gRPC ----

/// What a gRPC call came back with.
#[derive(Debug, PartialEq)]
struct GrpcOutcome {
    status: u16,
    content_type: String,
    /// `grpc-status` from the trailers, or from the headers of a trailers-only response.
    grpc_status: Option<String>,
    grpc_message: Option<String>,
    /// The message payloads (5-byte prefix removed).
    messages: Vec<Vec<u8>>,
    /// Whether the messages came over time (first to last ≥ 150 ms) rather than at once.
    streamed: bool,
}

/// Calls `grpc.health.v1.Health/<method>` for `service` over h2 (prior knowledge) or HTTP/1.1.
fn grpc_call(addr: SocketAddr, method: &str, service: &str, h2: bool) -> GrpcOutcome {
    runtime().block_on(async move {
        let mut payload = Vec::new();
        if !service.is_empty() {
            payload.push(0x0a);
            payload.push(service.len() as u8);
            payload.extend_from_slice(service.as_bytes());
        }
        let body = Full::new(httpbin::grpc_message(&payload));
        let request = http::Request::post(format!("http://{addr}/grpc.health.v1.Health/{method}"))
            .header("content-type", "application/grpc")
            .header("te", "trailers")
            .header("host", format!("{addr}"))
            .body(body)
            .expect("a request");
        let io = hyper_util::rt::TokioIo::new(
            tokio::net::TcpStream::connect(addr).await.expect("connect"),
        );
        let response = if h2 {
            let (mut sender, connection) =
                hyper::client::conn::http2::handshake(hyper_util::rt::TokioExecutor::new(), io)
                    .await
                    .expect("h2 handshake");
            tokio::spawn(connection);
            sender.send_request(request).await
        } else {
            let (mut sender, connection) = hyper::client::conn::http1::handshake(io)
                .await
                .expect("http/1.1 handshake");
            tokio::spawn(connection);
            sender.send_request(request).await
        };
        let response = response.expect("a response");
        let status = response.status().as_u16();
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let content_type = header("content-type").unwrap_or_default();
        let mut grpc_status = header("grpc-status");
        let grpc_message = header("grpc-message");
        let mut body = response.into_body();
        let (mut data, mut arrivals) = (Vec::new(), Vec::new());
        let deadline = Instant::now() + TIMEOUT;
        while let Ok(Some(Ok(frame))) = tokio::time::timeout_at(deadline.into(), body.frame()).await
        {
            match frame.into_data() {
                Ok(bytes) => {
                    arrivals.push(Instant::now());
                    data.extend_from_slice(&bytes);
                }
                Err(frame) => {
                    if let Ok(trailers) = frame.into_trailers()
                        && let Some(v) = trailers.get("grpc-status")
                    {
                        grpc_status = v.to_str().ok().map(str::to_string);
                    }
                }
            }
        }
        let mut messages = Vec::new();
        let mut at = 0;
        while data.len() >= at + 5 {
            let len = u32::from_be_bytes([data[at + 1], data[at + 2], data[at + 3], data[at + 4]])
                as usize;
            messages.push(data[at + 5..(at + 5 + len).min(data.len())].to_vec());
            at += 5 + len;
        }
        let streamed = match (arrivals.first(), arrivals.last()) {
            (Some(first), Some(last)) => last.duration_since(*first) >= Duration::from_millis(150),
            _ => false,
        };
        GrpcOutcome {
            status,
            content_type,
            grpc_status,
            grpc_message,
            messages,
            streamed,
        }
    })
}

const SERVING: &[u8] = &[0x08, 0x01];

// ---- TCP ----

/// Sends `bytes` on a raw socket, half-closes, and reads everything back until the proxy closes.
fn tcp_echo(addr: SocketAddr, bytes: &[u8]) -> Vec<u8> {
    let mut stream = TcpStream::connect_timeout(&addr, TIMEOUT).expect("connect");
    stream.set_read_timeout(Some(TIMEOUT)).expect("timeout");
    stream.write_all(bytes).expect("write");
    stream
        .shutdown(std::net::Shutdown::Write)
        .expect("half-close");
    let mut back = Vec::new();
    let _ = stream.read_to_end(&mut back);
    back
}

fn admin_stats(admin: SocketAddr) -> String {
    let out = Command::new("curl")
        .args(["-sS", "--max-time", "5", &format!("http://{admin}/stats")])
        .output()
        .expect("curl runs");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stat(stats: &str, name: &str) -> Option<u64> {
    stats.lines().find_map(|l| {
        l.strip_prefix(name)?
            .strip_prefix(": ")?
            .trim()
            .parse()
            .ok()
    })
}

/// Every exchange of the comparison, as one line each, for one proxy's three ports.
fn exchanges(
    http: SocketAddr,
    grpc: SocketAddr,
    tcp: SocketAddr,
    grpc_down: SocketAddr,
) -> Vec<(String, String)> {
    let payload: Vec<u8> = (0..50_000u32).map(|i| (i % 251) as u8).collect();
    let echoed = tcp_echo(tcp, &payload);
    vec![
        (
            "websocket via curl".into(),
            head_summary(&curl_websocket(http, "websocket"), WS_HEADERS),
        ),
        (
            "websocket, 5 messages".into(),
            format!("{} of 5 echoed", websocket_echoes(http)),
        ),
        ("Upgrade: h2c".into(), raw_upgrade(http, "h2c")),
        ("Upgrade: foo".into(), raw_upgrade(http, "foo")),
        (
            "gRPC Check over h2".into(),
            format!("{:?}", grpc_call(grpc, "Check", "", true)),
        ),
        (
            "gRPC Check, unknown service".into(),
            format!("{:?}", grpc_call(grpc, "Check", "nope", true)),
        ),
        (
            "gRPC Watch (server streaming) over h2".into(),
            format!("{:?}", grpc_call(grpc, "Watch", "httpbin", true)),
        ),
        (
            "gRPC Check over HTTP/1.1".into(),
            format!("{:?}", grpc_call(grpc, "Check", "", false)),
        ),
        (
            "gRPC Check, the app down".into(),
            format!("{:?}", grpc_call(grpc_down, "Check", "", true)),
        ),
        (
            "TCP echo of 50 000 bytes".into(),
            format!("{} bytes back, same: {}", echoed.len(), echoed == payload),
        ),
    ]
}

pub(crate) fn websocket_upgrades_pass_through_with_the_101() {
    if !require_tool("curl") {
        return;
    }
    let root = tempdir();
    let app = app();
    for engine in [Http1Engine::Lean, Http1Engine::Hyper] {
        let proxy = sidecar(root.path(), &app, engine);
        let http = proxy.address_of(HTTP_PORT).expect("bound");
        let head = curl_websocket(http, "websocket");
        let accept = httpbin::websocket_accept_key(WS_KEY.as_bytes());
        assert!(head.starts_with("HTTP/1.1 101"), "{engine:?}: {head}");
        assert!(
            head.to_ascii_lowercase().contains("upgrade: websocket"),
            "{head}"
        );
        assert!(head.contains(&accept), "{engine:?}: {head}");
        assert!(head.contains("server: istio-envoy"), "{engine:?}: {head}");
        assert_eq!(websocket_echoes(http), 5, "{engine:?}");
        proxy.shutdown();
    }
    app.shutdown();
}

pub(crate) fn grpc_ports_speak_h2_to_the_app_with_status_and_trailers() {
    let root = tempdir();
    let app = app();
    let proxy = sidecar(root.path(), &app, Http1Engine::Lean);
    let grpc = proxy.address_of(GRPC_PORT).expect("bound");
    let unary = grpc_call(grpc, "Check", "", true);
    assert_eq!(unary.status, 200, "{unary:?}");
    assert_eq!(unary.content_type, "application/grpc");
    assert_eq!(unary.grpc_status.as_deref(), Some("0"), "{unary:?}");
    assert_eq!(unary.messages, [SERVING]);
    let unknown = grpc_call(grpc, "Check", "nope", true);
    assert_eq!(unknown.grpc_status.as_deref(), Some("5"), "{unknown:?}");
    let watch = grpc_call(grpc, "Watch", "", true);
    assert_eq!(watch.messages.len(), httpbin::WATCH_MESSAGES, "{watch:?}");
    assert!(
        watch.streamed,
        "messages arrive as the app sends them: {watch:?}"
    );
    assert_eq!(watch.grpc_status.as_deref(), Some("0"));
    // An HTTP/1.1 client on a GRPC port still reaches the h2 app.
    let http11 = grpc_call(grpc, "Check", "", false);
    assert_eq!(
        (http11.status, http11.messages.len()),
        (200, 1),
        "{http11:?}"
    );
    proxy.shutdown();
    app.shutdown();
}

pub(crate) fn tcp_ports_proxy_bytes_with_envoys_counters_and_log_line() {
    let root = tempdir();
    let app = app();
    let proxy = sidecar(root.path(), &app, Http1Engine::Lean);
    let tcp = proxy.address_of(TCP_PORT).expect("bound");
    assert_eq!(tcp_echo(tcp, b"hello over tcp"), b"hello over tcp");
    let payload = vec![7u8; 200_000];
    assert_eq!(tcp_echo(tcp, &payload), payload);
    let stats = admin_stats(proxy.admin);
    let prefix = format!("tcp.inbound|{TCP_PORT}||");
    let want = [
        ("downstream_cx_total", 2),
        ("downstream_cx_rx_bytes_total", 200_014),
        ("downstream_cx_tx_bytes_total", 200_014),
    ];
    for (name, value) in want {
        let full = format!("{prefix}.{name}");
        assert_eq!(stat(&stats, &full), Some(value), "{full} in\n{stats}");
    }
    assert!(
        !stats.contains(&format!("http.inbound_0.0.0.0_{TCP_PORT}")),
        "a TCP port has no HTTP counters"
    );
    proxy.shutdown();
    let log = std::fs::read_to_string(root.path().join("access.log")).unwrap_or_default();
    let line = log.lines().find(|l| l.contains(" 14 14 ")).unwrap_or("");
    assert!(line.contains("\"- - -\" 0 - - - \"-\" 14 14 "), "{log}");
    assert!(line.contains(&format!("inbound|{TCP_PORT}||")), "{log}");
    app.shutdown();
}

/// One line through `openssl s_client` to `port`: what came back (empty when refused).
fn s_client_line(port: u16, ca: &Path, identity: Option<(&Path, &Path)>) -> String {
    let mut cmd = Command::new("openssl");
    cmd.args([
        "s_client",
        "-quiet",
        "-connect",
        &format!("127.0.0.1:{port}"),
    ])
    .args(["-servername", FQDN, "-verify_return_error", "-CAfile"])
    .arg(ca);
    if let Some((cert, key)) = identity {
        cmd.arg("-cert").arg(cert).arg("-key").arg(key);
    }
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("openssl runs");
    let mut stdin = child.stdin.take().expect("stdin");
    let _ = stdin.write_all(b"hello through TLS\n");
    let mut stdout = child.stdout.take().expect("stdout");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut got = Vec::new();
        let mut byte = [0u8; 1];
        while let Ok(1) = stdout.read(&mut byte) {
            got.push(byte[0]);
            if got.ends_with(b"\n") {
                break;
            }
        }
        let _ = tx.send(got);
    });
    let got = rx.recv_timeout(TIMEOUT).unwrap_or_default();
    drop(stdin);
    let _ = child.kill();
    let _ = child.wait();
    String::from_utf8_lossy(&got).into_owned()
}

/// `openssl s_client` through a TLS port (MUTUAL, terminated) and a STRICT TCP port (Istio
/// mTLS): the line it sends comes back from the TCP echo, and each port's TLS still holds.
pub(crate) fn tls_and_strict_tcp_ports_terminate_then_proxy_tcp() {
    if !require_tool("openssl") {
        return;
    }
    let app = app();
    let echo = echo_of(&app);
    let f = fixture_from(false, |config| {
        for listener in &mut config.listeners {
            listener.protocol = Protocol::Tcp;
            listener.endpoint = Endpoint::Tcp(echo);
        }
    });
    let port = f.external().port();
    let ca = f.cert("example.com.crt");
    let (cert, key) = (
        f.cert("client.test.svc.cluster.local.crt"),
        f.cert("client.test.svc.cluster.local.key"),
    );
    assert_eq!(
        s_client_line(port, &ca, Some((&cert, &key))),
        "hello through TLS\n"
    );
    assert_eq!(
        s_client_line(port, &ca, None),
        "",
        "MUTUAL: no client certificate, no bytes"
    );

    // STRICT: an in-mesh client's workload certificate from the mesh CA, then TCP.
    use meshtls::pki::mesh_ca::MeshCa;
    let now = time::OffsetDateTime::now_utc();
    let mesh = MeshCa::load_or_create(f.mesh.path(), now).expect("the mesh CA");
    let issued = mesh
        .issue_workload(
            "spiffe://cluster.local/ns/test/sa/sleep",
            Duration::from_secs(3600),
            now,
        )
        .expect("a workload certificate");
    let dir = tempdir();
    let (root, cert, key) = (
        dir.path().join("root.pem"),
        dir.path().join("sleep.pem"),
        dir.path().join("sleep.key"),
    );
    std::fs::write(&root, mesh.root_pem.as_bytes()).expect("write");
    std::fs::write(&cert, issued.cert_pem.as_bytes()).expect("write");
    std::fs::write(&key, issued.key.expose()).expect("write");
    let strict = f.internal();
    assert_eq!(
        s_client_line(strict.port(), &root, Some((&cert, &key))),
        "hello through TLS\n"
    );
    let mut plain = TcpStream::connect_timeout(&strict, TIMEOUT).expect("connect");
    plain.set_read_timeout(Some(TIMEOUT)).expect("timeout");
    let _ = plain.write_all(b"plaintext");
    let mut back = Vec::new();
    let read = plain.read_to_end(&mut back);
    assert!(
        back.is_empty() && read.is_err(),
        "STRICT resets plaintext: {read:?}"
    );
    drop(f);
    app.shutdown();
}

// ---- The same exchanges through a real Envoy ----

fn envoy_listener(port: u16, filter: Value) -> Value {
    json!({"name": format!("inbound_{port}"),
        "address": {"socket_address": {"address": "127.0.0.1", "port_value": port}},
        "filter_chains": [{"filters": [filter]}]})
}

pub(crate) fn envoy_and_meshtls_agree_on_websocket_grpc_and_tcp() {
    if !require_tool("envoy") || !require_tool("curl") {
        return;
    }
    let root = tempdir();
    let app = app();
    let (admin, http, grpc, tcp) = (free_port(), free_port(), free_port(), free_port());
    let (grpc_down, nothing) = (free_port(), loopback(free_port()));
    let bootstrap = json!({
        "admin": {"address": {"socket_address": {"address": "127.0.0.1", "port_value": admin}}},
        "static_resources": {
            "listeners": [
                envoy_listener(http, hcm(http, SIDECAR)),
                envoy_listener(grpc, hcm(grpc, SIDECAR)),
                envoy_listener(tcp, tcp_proxy(tcp)),
                envoy_listener(grpc_down, hcm(grpc_down, SIDECAR)),
            ],
            "clusters": [
                cluster_to(http, app.address, false),
                cluster_to(grpc, app.address, true),
                cluster_to(tcp, echo_of(&app), false),
                cluster_to(grpc_down, nothing, true),
            ],
        },
    });
    let _envoy = start_envoy(root.path(), &bootstrap, admin);
    let envoy = exchanges(
        loopback(http),
        loopback(grpc),
        loopback(tcp),
        loopback(grpc_down),
    );
    let envoy_stats = admin_stats(loopback(admin));

    let proxy = sidecar_with_down(root.path(), &app, nothing);
    let ours = exchanges(
        proxy.address_of(HTTP_PORT).expect("bound"),
        proxy.address_of(GRPC_PORT).expect("bound"),
        proxy.address_of(TCP_PORT).expect("bound"),
        proxy.address_of(GRPC_DOWN_PORT).expect("bound"),
    );
    let our_stats = admin_stats(proxy.admin);
    proxy.shutdown();
    app.shutdown();

    let mut differences = Vec::new();
    for ((name, theirs), (_, mine)) in envoy.iter().zip(&ours) {
        eprintln!("{name}:\n  envoy:   {theirs}\n  meshtls: {mine}");
        if theirs != mine {
            differences.push(format!("{name}:\n  envoy:   {theirs}\n  meshtls: {mine}"));
        }
    }
    // The same tcp_proxy counter names, and the same counts for the one connection.
    for name in [
        "downstream_cx_total",
        "downstream_cx_rx_bytes_total",
        "downstream_cx_tx_bytes_total",
    ] {
        let theirs = stat(&envoy_stats, &format!("tcp.inbound|{tcp}||.{name}"));
        let mine = stat(&our_stats, &format!("tcp.inbound|{TCP_PORT}||.{name}"));
        if theirs != mine || theirs.is_none() {
            differences.push(format!("tcp.*.{name}: envoy {theirs:?}, meshtls {mine:?}"));
        }
    }
    assert!(
        differences.is_empty(),
        "{} of {} exchanges differ:\n{}",
        differences.len(),
        envoy.len() + 3,
        differences.join("\n")
    );
}
