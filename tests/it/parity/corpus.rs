//! The parity corpus: every exchange the suite puts to Envoy and to meshtls, generated from a
//! few lists (paths, statuses, bodies and framings, header shapes, hostile heads, protocols,
//! bad clients) and crossed with the ports of the parity task.

/// Workload ports of the parity task (see `setup.rs`).
pub const PAGE: u16 = 9080; // HTTPS, MUTUAL with the page's CA
pub const MESH: u16 = 9081; // HTTP, STRICT Istio mTLS
pub const GRPC: u16 = 9082; // GRPC, plaintext
pub const TCP: u16 = 9083; // TCP, plaintext, to the echo
pub const TLS: u16 = 9084; // TLS, MUTUAL, then TCP to the echo
pub const PLAIN: u16 = 9085; // HTTP, plaintext
pub const CRL: u16 = 9086; // HTTPS, MUTUAL with the page's CA and its CRL
pub const DOWN: u16 = 9087; // HTTP, plaintext, to an app that is not there
pub const GRPC_DOWN: u16 = 9088; // GRPC, plaintext, to an app that is not there
pub const PORTS: [u16; 9] = [PAGE, MESH, GRPC, TCP, TLS, PLAIN, CRL, DOWN, GRPC_DOWN];

const HOST: &str = "httpbin.test.svc.cluster.local";

/// Who the client is.
#[derive(Debug, Clone)]
pub enum Client {
    Plain,
    /// The page's client certificate, offering these ALPN protocols.
    Page {
        alpn: Vec<&'static [u8]>,
    },
    NoCert,
    OtherCa,
    Expired,
    Revoked,
    /// A mesh workload (`sa/sleep`) with Istio's ALPN.
    Mesh {
        alpn: Vec<&'static [u8]>,
    },
}

impl Client {
    fn page_h1() -> Client {
        Client::Page {
            alpn: vec![b"http/1.1"],
        }
    }
    fn page_h2() -> Client {
        Client::Page {
            alpn: vec![b"h2", b"http/1.1"],
        }
    }
}

/// What is sent once the connection is up.
#[derive(Debug, Clone)]
pub enum Kind {
    /// Bytes as they are (HTTP/1.1, asking for `Connection: close`, or anything else).
    /// `head`: the request is a HEAD (its response has no body).
    Raw {
        bytes: Vec<u8>,
        head: bool,
    },
    H2 {
        method: String,
        path: String,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    },
    WebSocket {
        messages: Vec<String>,
    },
    Tcp {
        bytes: Vec<u8>,
    },
}

#[derive(Debug, Clone)]
pub struct Exchange {
    pub name: String,
    pub port: u16,
    pub client: Client,
    pub kind: Kind,
}

/// How an HTTP/1.1 request's body is framed.
#[derive(Debug, Clone, Copy)]
enum Framing {
    Length,
    Chunked,
}

fn body_of(size: usize) -> Vec<u8> {
    (0..size).map(|i| b'a' + (i % 26) as u8).collect()
}

/// An HTTP/1.1 request with `Host` and `Connection: close`, then `extra` header lines.
fn h1(method: &str, path: &str, extra: &str, body: Option<(Framing, usize)>) -> Vec<u8> {
    let mut head =
        format!("{method} {path} HTTP/1.1\r\nHost: {HOST}\r\nConnection: close\r\n{extra}");
    let payload = body.map(|(_, n)| body_of(n)).unwrap_or_default();
    match body {
        None => {}
        Some((Framing::Length, n)) => head.push_str(&format!("Content-Length: {n}\r\n")),
        Some((Framing::Chunked, _)) => head.push_str("Transfer-Encoding: chunked\r\n"),
    }
    head.push_str("\r\n");
    let mut bytes = head.into_bytes();
    match body {
        Some((Framing::Chunked, _)) => {
            for chunk in payload.chunks(4000) {
                bytes.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
                bytes.extend_from_slice(chunk);
                bytes.extend_from_slice(b"\r\n");
            }
            bytes.extend_from_slice(b"0\r\n\r\n");
        }
        _ => bytes.extend_from_slice(&payload),
    }
    bytes
}

fn big_header(size: usize) -> String {
    format!("X-Big: {}\r\n", "b".repeat(size))
}

fn many_headers(count: usize) -> String {
    (0..count).map(|i| format!("X-H{i}: v\r\n")).collect()
}

const STATUSES: [u16; 24] = [
    200, 201, 202, 204, 206, 301, 302, 303, 304, 307, 308, 400, 401, 403, 404, 405, 409, 410, 418,
    429, 500, 502, 503, 504,
];
const PATHS: [&str; 14] = [
    "/get",
    "/get?a=1&b=two",
    "/headers",
    "/ip",
    "/anything",
    "/anything/deep/path?x=%20y",
    "/bytes/0",
    "/bytes/1",
    "/bytes/1000",
    "/bytes/16384",
    "/bytes/16385",
    "/bytes/65536",
    "/bytes/102400",
    "/nowhere",
];
/// Request body sizes: empty, tiny, around a TLS record (16 KiB) and an h2 frame and window
/// (16 KiB, 64 KiB), and past both.
const BODY_SIZES: [usize; 10] = [
    0, 1, 100, 1000, 4096, 16_384, 16_385, 60_000, 65_536, 300_000,
];

/// The HTTP/1.1 requests, each with its name.
fn h1_requests() -> Vec<(String, Vec<u8>, bool)> {
    let mut out: Vec<(String, Vec<u8>, bool)> = Vec::new();
    let mut add = |name: String, bytes: Vec<u8>| {
        let head = bytes.starts_with(b"HEAD ");
        out.push((name, bytes, head));
    };
    for status in STATUSES {
        add(
            format!("GET /status/{status}"),
            h1("GET", &format!("/status/{status}"), "", None),
        );
    }
    for path in PATHS {
        add(format!("GET {path}"), h1("GET", path, "", None));
    }
    for (method, path) in [
        ("HEAD", "/get"),
        ("HEAD", "/status/404"),
        ("OPTIONS", "/get"),
        ("DELETE", "/anything"),
        ("TRACE", "/anything"),
    ] {
        add(format!("{method} {path}"), h1(method, path, "", None));
    }
    for size in BODY_SIZES {
        for framing in [Framing::Length, Framing::Chunked] {
            add(
                format!("POST /anything {size} B {framing:?}"),
                h1(
                    "POST",
                    "/anything",
                    "Content-Type: text/plain\r\n",
                    Some((framing, size)),
                ),
            );
        }
    }
    for method in ["PUT", "PATCH", "DELETE"] {
        add(
            format!("{method} /anything 100 B"),
            h1(method, "/anything", "", Some((Framing::Length, 100))),
        );
    }
    add(
        "POST with Expect: 100-continue".into(),
        h1(
            "POST",
            "/anything",
            "Expect: 100-continue\r\n",
            Some((Framing::Length, 10)),
        ),
    );
    for (name, extra) in [
        ("a client XFCC", "X-Forwarded-Client-Cert: By=spiffe://evil;Hash=00\r\n".to_string()),
        ("a client X-Forwarded-For", "X-Forwarded-For: 203.0.113.7\r\n".to_string()),
        ("a client X-Forwarded-Proto", "X-Forwarded-Proto: ftp\r\n".to_string()),
        ("a client x-request-id", "X-Request-Id: fixed-id-1\r\n".to_string()),
        ("a client x-envoy header", "X-Envoy-Original-Path: /secret\r\n".to_string()),
        ("TE: trailers", "TE: trailers\r\n".to_string()),
        ("Upgrade: h2c", "Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n".to_string()),
        ("Upgrade: foo", "Connection: Upgrade\r\nUpgrade: foo\r\n".to_string()),
        ("17 KB header", big_header(17_000)),
        ("59 KB header", big_header(59_000)),
        ("70 KB header", big_header(70_000)),
        ("99 headers", many_headers(96)),
        ("101 headers", many_headers(100)),
        ("Keep-Alive header", "Keep-Alive: timeout=5\r\nProxy-Connection: keep-alive\r\n".to_string()),
        ("mixed-case names", "x-MiXeD: Value\r\n".to_string()),
    ] {
        add(format!("GET /headers with {name}"), h1("GET", "/headers", &extra, None));
    }
    let close = "Connection: close\r\n";
    for (name, bytes) in [
        (
            "HTTP/1.0 GET",
            "GET /get HTTP/1.0\r\nHost: h\r\n\r\n".to_string(),
        ),
        (
            "HTTP/1.0 without Host",
            "GET /get HTTP/1.0\r\n\r\n".to_string(),
        ),
        (
            "absolute-form and another Host",
            format!("GET https://{HOST}/get HTTP/1.1\r\nHost: other\r\n{close}\r\n"),
        ),
        (
            "Host with a port",
            format!("GET /get HTTP/1.1\r\nHost: {HOST}:9080\r\n{close}\r\n"),
        ),
        ("no Host", format!("GET /get HTTP/1.1\r\n{close}\r\n")),
        (
            "Host: a b",
            format!("GET /get HTTP/1.1\r\nHost: a b\r\n{close}\r\n"),
        ),
        (
            "Host: evil/../x",
            format!("GET /get HTTP/1.1\r\nHost: evil/../x\r\n{close}\r\n"),
        ),
        (
            "two Hosts",
            format!("GET /get HTTP/1.1\r\nHost: a\r\nHost: b\r\n{close}\r\n"),
        ),
        (
            "CONNECT",
            format!("CONNECT h.test:443 HTTP/1.1\r\nHost: h.test:443\r\n{close}\r\n"),
        ),
        (
            "bad chunk size",
            format!(
                "POST /anything HTTP/1.1\r\nHost: a\r\n{close}Transfer-Encoding: chunked\r\n\r\nzz\r\n\r\n"
            ),
        ),
        (
            "Transfer-Encoding: xchunked",
            format!(
                "POST /anything HTTP/1.1\r\nHost: a\r\n{close}Transfer-Encoding: xchunked\r\n\r\n"
            ),
        ),
        (
            "Content-Length and chunked",
            format!(
                "POST /anything HTTP/1.1\r\nHost: a\r\n{close}Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
            ),
        ),
        (
            "two Content-Lengths",
            format!(
                "POST /anything HTTP/1.1\r\nHost: a\r\n{close}Content-Length: 1\r\nContent-Length: 2\r\n\r\nab"
            ),
        ),
        (
            "Content-Length: -1",
            format!("POST /anything HTTP/1.1\r\nHost: a\r\n{close}Content-Length: -1\r\n\r\n"),
        ),
        (
            "dot segments",
            format!("GET /anything/a/../../etc/passwd HTTP/1.1\r\nHost: a\r\n{close}\r\n"),
        ),
        (
            "double slashes",
            format!("GET //anything//x HTTP/1.1\r\nHost: a\r\n{close}\r\n"),
        ),
        (
            "escaped slash",
            format!("GET /anything/a%2Fb HTTP/1.1\r\nHost: a\r\n{close}\r\n"),
        ),
        (
            "escaped dots",
            format!("GET /anything/%2e%2e/x HTTP/1.1\r\nHost: a\r\n{close}\r\n"),
        ),
        (
            "70 KB target",
            format!(
                "GET /{} HTTP/1.1\r\nHost: a\r\n{close}\r\n",
                "a".repeat(70_000)
            ),
        ),
        (
            "bare LF line ends",
            "GET /get HTTP/1.1\nHost: a\nConnection: close\n\n".to_string(),
        ),
        (
            "space before colon",
            format!("GET /get HTTP/1.1\r\nHost : a\r\n{close}\r\n"),
        ),
        (
            "HTTP/2 preface on HTTP/1.1",
            "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".to_string(),
        ),
        ("garbage", "\x16\x03\x01garbage\r\n\r\n".to_string()),
    ] {
        add(name.to_string(), bytes.into_bytes());
    }
    out
}

/// The h2 requests: (name, method, path, extra headers, body).
type H2Request = (String, &'static str, String, Vec<(String, String)>, Vec<u8>);

fn h2_requests() -> Vec<H2Request> {
    let mut out: Vec<H2Request> = Vec::new();
    for status in STATUSES {
        out.push((
            format!("h2 GET /status/{status}"),
            "GET",
            format!("/status/{status}"),
            vec![],
            vec![],
        ));
    }
    for path in PATHS {
        out.push((
            format!("h2 GET {path}"),
            "GET",
            path.to_string(),
            vec![],
            vec![],
        ));
    }
    out.push(("h2 HEAD /get".into(), "HEAD", "/get".into(), vec![], vec![]));
    for size in BODY_SIZES {
        out.push((
            format!("h2 POST /anything {size} B"),
            "POST",
            "/anything".into(),
            vec![("content-type".into(), "text/plain".into())],
            body_of(size),
        ));
    }
    for (name, headers) in [
        (
            "a client XFCC",
            vec![(
                "x-forwarded-client-cert".to_string(),
                "By=spiffe://evil;Hash=00".to_string(),
            )],
        ),
        (
            "a host header beside :authority",
            vec![("host".to_string(), "evil.example".to_string())],
        ),
        (
            "TE: trailers",
            vec![("te".to_string(), "trailers".to_string())],
        ),
        (
            "17 KB header",
            vec![("x-big".to_string(), "b".repeat(17_000))],
        ),
        (
            "59 KB header",
            vec![("x-big".to_string(), "b".repeat(59_000))],
        ),
        (
            "70 KB header",
            vec![("x-big".to_string(), "b".repeat(70_000))],
        ),
        (
            "99 headers",
            (0..96)
                .map(|i| (format!("x-h{i}"), "v".to_string()))
                .collect(),
        ),
        (
            "101 headers",
            (0..100)
                .map(|i| (format!("x-h{i}"), "v".to_string()))
                .collect(),
        ),
    ] {
        out.push((
            format!("h2 GET /headers with {name}"),
            "GET",
            "/headers".into(),
            headers,
            vec![],
        ));
    }
    out.push((
        "h2 dot segments".into(),
        "GET",
        "/anything/a/../../etc/passwd".into(),
        vec![],
        vec![],
    ));
    out.push((
        "h2 double slashes".into(),
        "GET",
        "//anything//x".into(),
        vec![],
        vec![],
    ));
    out
}

fn grpc_message(payload: &[u8]) -> Vec<u8> {
    let mut out = vec![0u8];
    out.extend_from_slice(&(payload.len() as u32).to_be_bytes());
    out.extend_from_slice(payload);
    out
}

fn health_request(service: &str) -> Vec<u8> {
    let mut payload = Vec::new();
    if !service.is_empty() {
        payload.push(0x0a);
        payload.push(service.len() as u8);
        payload.extend_from_slice(service.as_bytes());
    }
    grpc_message(&payload)
}

/// An SSLv2-format ClientHello (the form very old clients open with).
const SSLV2_HELLO: &[u8] = &[
    0x80, 0x2e, 0x01, 0x00, 0x02, 0x00, 0x15, 0x00, 0x00, 0x00, 0x10, 0x07, 0x00, 0xc0, 0x05, 0x00,
    0x80, 0x03, 0x00, 0x80, 0x01, 0x00, 0x80, 0x06, 0x00, 0x40, 0x04, 0x00, 0x80, 0x02, 0x00, 0x80,
    0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, 0x00,
];

/// Every exchange, in a fixed order.
pub fn all() -> Vec<Exchange> {
    let mut out = Vec::new();
    let mut push = |name: String, port: u16, client: Client, kind: Kind| {
        out.push(Exchange {
            name,
            port,
            client,
            kind,
        })
    };
    // HTTP/1.1 over the page's TLS port, and over the plaintext port.
    for (name, bytes, head) in h1_requests() {
        push(
            format!("{PAGE} tls h1 {name}"),
            PAGE,
            Client::page_h1(),
            Kind::Raw {
                bytes: bytes.clone(),
                head,
            },
        );
        push(
            format!("{PLAIN} plain h1 {name}"),
            PLAIN,
            Client::Plain,
            Kind::Raw { bytes, head },
        );
    }
    // h2 over the page's TLS port (ALPN), and prior knowledge on the plaintext port.
    for (name, method, path, headers, body) in h2_requests() {
        let kind = Kind::H2 {
            method: method.to_string(),
            path,
            headers,
            body,
        };
        push(
            format!("{PAGE} tls {name}"),
            PAGE,
            Client::page_h2(),
            kind.clone(),
        );
        push(format!("{PLAIN} plain {name}"), PLAIN, Client::Plain, kind);
    }
    // From inside the mesh: Istio mTLS with Istio's ALPN, on the STRICT port.
    for path in [
        "/get",
        "/headers",
        "/status/201",
        "/status/404",
        "/status/503",
        "/anything",
        "/bytes/65536",
    ] {
        push(
            format!("{MESH} mesh h1 GET {path}"),
            MESH,
            Client::Mesh {
                alpn: vec![b"istio-http/1.1", b"istio", b"http/1.1"],
            },
            Kind::Raw {
                bytes: h1("GET", path, "", None),
                head: false,
            },
        );
        push(
            format!("{MESH} mesh h2 GET {path}"),
            MESH,
            Client::Mesh {
                alpn: vec![b"istio-h2", b"istio", b"h2"],
            },
            Kind::H2 {
                method: "GET".into(),
                path: path.into(),
                headers: vec![],
                body: vec![],
            },
        );
    }
    push(
        format!("{MESH} mesh h1 a client XFCC"),
        MESH,
        Client::Mesh {
            alpn: vec![b"istio-http/1.1"],
        },
        Kind::Raw {
            bytes: h1(
                "GET",
                "/headers",
                "X-Forwarded-Client-Cert: By=spiffe://evil;Hash=00\r\n",
                None,
            ),
            head: false,
        },
    );
    // WebSocket through the HTTP connection manager.
    for (port, client) in [(PAGE, Client::page_h1()), (PLAIN, Client::Plain)] {
        for messages in [
            vec!["hello"],
            vec!["a", "bb", "ccc"],
            vec![&"x".repeat(300)[..]],
        ] {
            let messages: Vec<String> = messages.into_iter().map(str::to_string).collect();
            push(
                format!(
                    "{port} websocket {} messages of {} B",
                    messages.len(),
                    messages[0].len()
                ),
                port,
                client.clone(),
                Kind::WebSocket { messages },
            );
        }
    }
    // gRPC on the GRPC port (h2c prior knowledge), unary and server streaming.
    for (name, method, service) in [
        ("Check \"\"", "Check", ""),
        ("Check httpbin", "Check", "httpbin"),
        ("Check unknown service", "Check", "nope"),
        ("Watch httpbin (streaming)", "Watch", "httpbin"),
        ("unknown method", "Nope", ""),
    ] {
        let headers = vec![
            ("content-type".to_string(), "application/grpc".to_string()),
            ("te".to_string(), "trailers".to_string()),
        ];
        let kind = Kind::H2 {
            method: "POST".into(),
            path: format!("/grpc.health.v1.Health/{method}"),
            headers,
            body: health_request(service),
        };
        push(format!("{GRPC} grpc {name}"), GRPC, Client::Plain, kind);
    }
    push(
        format!("{GRPC} grpc port, plain HTTP/1.1 GET"),
        GRPC,
        Client::Plain,
        Kind::Raw {
            bytes: h1("GET", "/get", "", None),
            head: false,
        },
    );
    // The app down: Envoy's 503 (and gRPC's trailers-only UNAVAILABLE).
    let raw = |bytes: Vec<u8>| Kind::Raw {
        head: bytes.starts_with(b"HEAD "),
        bytes,
    };
    for (name, bytes) in [
        ("h1 GET", h1("GET", "/get", "", None)),
        ("h1 HEAD", h1("HEAD", "/get", "", None)),
        (
            "h1 POST 1000 B",
            h1("POST", "/anything", "", Some((Framing::Length, 1000))),
        ),
    ] {
        push(
            format!("{DOWN} app down, {name}"),
            DOWN,
            Client::Plain,
            raw(bytes),
        );
    }
    let h2_get = Kind::H2 {
        method: "GET".into(),
        path: "/get".into(),
        headers: vec![],
        body: vec![],
    };
    push(
        format!("{DOWN} app down, h2 GET"),
        DOWN,
        Client::Plain,
        h2_get,
    );
    let grpc_headers = vec![
        ("content-type".to_string(), "application/grpc".to_string()),
        ("te".to_string(), "trailers".to_string()),
    ];
    let check = Kind::H2 {
        method: "POST".into(),
        path: "/grpc.health.v1.Health/Check".into(),
        headers: grpc_headers,
        body: health_request(""),
    };
    push(
        format!("{GRPC_DOWN} app down, grpc Check"),
        GRPC_DOWN,
        Client::Plain,
        check,
    );
    // TCP echo, plain and behind TLS termination.
    for size in [1, 1000, 100_000] {
        push(
            format!("{TCP} tcp echo {size} B"),
            TCP,
            Client::Plain,
            Kind::Tcp {
                bytes: body_of(size),
            },
        );
        push(
            format!("{TLS} tls-terminated tcp echo {size} B"),
            TLS,
            Client::Page { alpn: vec![] },
            Kind::Tcp {
                bytes: body_of(size),
            },
        );
    }
    // Bad clients.
    let get = || Kind::Raw {
        bytes: h1("GET", "/get", "", None),
        head: false,
    };
    for (port, name) in [(PAGE, "page"), (TLS, "tls"), (CRL, "crl")] {
        for (who, client) in [
            ("no certificate", Client::NoCert),
            ("another CA", Client::OtherCa),
            ("an expired certificate", Client::Expired),
        ] {
            let kind = if port == TLS {
                Kind::Tcp {
                    bytes: b"ping".to_vec(),
                }
            } else {
                get()
            };
            push(format!("{port} {name} port, {who}"), port, client, kind);
        }
        push(
            format!("{port} {name} port, plaintext"),
            port,
            Client::Plain,
            get(),
        );
        push(
            format!("{port} {name} port, an SSLv2 ClientHello"),
            port,
            Client::Plain,
            Kind::Raw {
                bytes: SSLV2_HELLO.to_vec(),
                head: false,
            },
        );
    }
    push(
        format!("{CRL} crl port, a revoked certificate"),
        CRL,
        Client::Revoked,
        get(),
    );
    push(
        format!("{CRL} crl port, a good certificate"),
        CRL,
        Client::page_h1(),
        get(),
    );
    push(
        format!("{PAGE} page port, a revoked certificate without a CRL"),
        PAGE,
        Client::Revoked,
        get(),
    );
    for (name, alpn) in [
        ("unknown ALPN", vec![&b"foo"[..]]),
        ("no ALPN", vec![]),
        ("h2 only", vec![&b"h2"[..]]),
    ] {
        let kind = if alpn == [&b"h2"[..]] {
            Kind::H2 {
                method: "GET".into(),
                path: "/get".into(),
                headers: vec![],
                body: vec![],
            }
        } else {
            get()
        };
        push(
            format!("{PAGE} page port, {name}"),
            PAGE,
            Client::Page { alpn },
            kind,
        );
    }
    push(
        format!("{MESH} strict port, plaintext"),
        MESH,
        Client::Plain,
        get(),
    );
    push(
        format!("{MESH} strict port, the page's client certificate"),
        MESH,
        Client::page_h1(),
        get(),
    );
    push(
        format!("{MESH} strict port, no certificate"),
        MESH,
        Client::NoCert,
        get(),
    );
    push(
        format!("{PLAIN} plaintext port, a TLS client"),
        PLAIN,
        Client::page_h1(),
        get(),
    );
    out
}

/// The bounded subset `cargo test` runs: every `step`-th exchange, and every bad client.
pub fn subset(step: usize) -> Vec<Exchange> {
    all()
        .into_iter()
        .enumerate()
        .filter(|(i, e)| i % step == 0 || !matches!(e.client, Client::Plain | Client::Page { .. }))
        .map(|(_, e)| e)
        .collect()
}
