//! Differential and hostile tests of the lean h2 server (`proxy::h2`): the same h2 exchanges
//! (an `h2` crate client, or raw frames) go through `H2Engine::Lean` and `H2Engine::Hyper` in
//! front of a scripted app, and what the client and the app saw must agree; the limits only the
//! lean server keeps (floods, rapid resets) are checked on their own.
use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use bytes::Bytes;
use meshtls::proxy::config::{H2Engine, Http1Engine};
use meshtls::proxy::run::{RunningProxy, start};

use crate::common::tempdir;
use crate::http1_engines::{App, Message, Reply, close, config, is_uuid_v4, keep};

const PORT: u16 = 9080;
const TIMEOUT: Duration = Duration::from_secs(5);
const PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
const OK: &[u8] =
    b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\nX-App: 1\r\n\r\nhello";
const HEAD_OK: &[u8] = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n";
const NO_CONTENT: &[u8] = b"HTTP/1.1 204 No Content\r\n\r\n";
const CHUNKED_OK: &[u8] = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-Sum\r\n\r\n4\r\nWiki\r\n5\r\npedia\r\n0\r\nX-Sum: 9\r\n\r\n";
const PRIVATE: &[u8] = b"HTTP/1.1 200 OK\r\nConnection: x-private\r\nX-Private: 1\r\nKeep-Alive: timeout=5\r\nContent-Length: 2\r\n\r\nok";
const GRPC_OK: &[u8] = b"HTTP/1.1 200 OK\r\nContent-Type: application/grpc\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n\x00\x00\x00\x00\x00\r\n0\r\ngrpc-status: 0\r\ngrpc-message: fine\r\n\r\n";
const UNTIL_CLOSE: &[u8] = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end";

fn big_response(len: usize) -> Vec<u8> {
    let mut reply = format!("HTTP/1.1 200 OK\r\nContent-Length: {len}\r\n\r\n").into_bytes();
    reply.extend((0..len).map(|i| (i % 251) as u8));
    reply
}

/// A proxy with a plaintext listener in front of the scripted app, its h2 served by `engine`.
fn proxy(app: SocketAddr, engine: H2Engine) -> (RunningProxy, tempfile::TempDir) {
    let root = tempdir();
    let mut config = config(app, Http1Engine::Lean, root.path());
    config.h2 = engine;
    (start(config).expect("the proxy starts"), root)
}

// ---- through the `h2` crate's client ----

/// One request: method, path, extra headers, the body's pieces (each a DATA frame), trailers.
#[derive(Clone, Default)]
struct Ask {
    method: &'static str,
    path: String,
    authority: &'static str,
    headers: Vec<(String, String)>,
    body: Vec<Vec<u8>>,
    trailers: Vec<(&'static str, &'static str)>,
}

fn get(path: &str) -> Ask {
    Ask {
        method: "GET",
        path: path.to_string(),
        authority: "app.test",
        ..Ask::default()
    }
}

/// What the client got: status, masked headers, body and trailers, or the reset reason.
#[derive(Debug, PartialEq)]
enum Got {
    Answered {
        status: u16,
        headers: Vec<(String, String)>,
        body: String,
        trailers: Vec<(String, String)>,
    },
    Reset(String),
}

fn masked(headers: &http::HeaderMap) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = headers
        .iter()
        .map(|(name, value)| {
            let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
            let value = match name.as_str() {
                "date" => "<date>".to_string(),
                "x-envoy-upstream-service-time" if value.parse::<u64>().is_ok() => "<ms>".into(),
                "x-request-id" if is_uuid_v4(&value) => "<generated>".into(),
                _ => value,
            };
            (name.as_str().to_string(), value)
        })
        .collect();
    out.sort();
    out
}

fn summary(body: &[u8]) -> String {
    if body.len() <= 64 {
        return body.escape_ascii().to_string();
    }
    let fnv = |h: u64, b: &u8| (h ^ u64::from(*b)).wrapping_mul(0x100_0000_01b3);
    let hash = body.iter().fold(0xcbf2_9ce4_8422_2325, fnv);
    format!("{} bytes, fnv {hash:016x}", body.len())
}

fn reason_of(error: &h2::Error) -> String {
    match error.reason() {
        Some(reason) => format!("{reason:?}"),
        None => "io".to_string(),
    }
}

/// Sends `asks` one after another on one h2 connection (prior knowledge) to `address`.
fn send(address: SocketAddr, asks: &[Ask]) -> Vec<Got> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async move {
        let tcp = tokio::net::TcpStream::connect(address)
            .await
            .expect("connects");
        let (client, connection) = h2::client::handshake(tcp).await.expect("h2 handshake");
        tokio::spawn(async move {
            let _ = connection.await;
        });
        let mut got = Vec::new();
        for ask in asks {
            let mut client = match client.clone().ready().await {
                Ok(client) => client,
                Err(e) => {
                    got.push(Got::Reset(format!("connection: {}", reason_of(&e))));
                    continue;
                }
            };
            let mut request = http::Request::builder()
                .method(ask.method)
                .uri(format!("http://{}{}", ask.authority, ask.path));
            for (name, value) in &ask.headers {
                request = request.header(name.as_str(), value.as_str());
            }
            let request = request.body(()).expect("a request");
            let end = ask.body.is_empty() && ask.trailers.is_empty();
            let (response, mut stream) = match client.send_request(request, end) {
                Ok(sent) => sent,
                Err(e) => {
                    got.push(Got::Reset(format!("not sent: {e}")));
                    continue;
                }
            };
            let mut sending = Ok(());
            for (i, piece) in ask.body.iter().enumerate() {
                let last = i + 1 == ask.body.len() && ask.trailers.is_empty();
                stream.reserve_capacity(piece.len());
                sending = stream.send_data(Bytes::from(piece.clone()), last);
                if sending.is_err() {
                    break;
                }
            }
            if !ask.trailers.is_empty() && sending.is_ok() {
                let mut trailers = http::HeaderMap::new();
                for (name, value) in &ask.trailers {
                    trailers.insert(*name, http::HeaderValue::from_static(value));
                }
                let _ = stream.send_trailers(trailers);
            }
            let answer = async {
                let response = response.await.map_err(|e| reason_of(&e))?;
                let status = response.status().as_u16();
                let headers = masked(response.headers());
                let mut body = response.into_body();
                let mut bytes = Vec::new();
                while let Some(chunk) = body.data().await {
                    let chunk = chunk.map_err(|e| reason_of(&e))?;
                    let _ = body.flow_control().release_capacity(chunk.len());
                    bytes.extend_from_slice(&chunk);
                }
                let trailers = body.trailers().await.map_err(|e| reason_of(&e))?;
                Ok::<Got, String>(Got::Answered {
                    status,
                    headers,
                    body: summary(&bytes),
                    trailers: trailers.as_ref().map(masked).unwrap_or_default(),
                })
            };
            let outcome = match tokio::time::timeout(TIMEOUT, answer).await {
                Ok(Ok(answered)) => answered,
                Ok(Err(reason)) => Got::Reset(reason),
                Err(_) => Got::Reset("no answer in time".to_string()),
            };
            got.push(outcome);
        }
        got
    })
}

struct Case {
    name: &'static str,
    asks: Vec<Ask>,
    app: Vec<Reply>,
    check: fn(&[Got], &[Message]) -> Result<(), String>,
}

fn case(name: &'static str, asks: Vec<Ask>, app: Vec<Reply>) -> Case {
    Case {
        name,
        asks,
        app,
        check: |_, _| Ok(()),
    }
}

fn run(case: &Case, engine: H2Engine) -> (Vec<Got>, Vec<Message>) {
    let app = App::start(&case.app);
    let (proxy, _root) = proxy(app.addr, engine);
    let address = proxy.address_of(PORT).expect("the listener is bound");
    let got = send(address, &case.asks);
    proxy.shutdown();
    let (seen, _) = app.finish();
    (got, seen)
}

fn status_of(got: &Got) -> Option<u16> {
    match got {
        Got::Answered { status, .. } => Some(*status),
        Got::Reset(_) => None,
    }
}

fn cases() -> Vec<Case> {
    let with = |ask: Ask, change: fn(&mut Ask)| {
        let mut ask = ask;
        change(&mut ask);
        ask
    };
    let header = |name: &str, value: String| (name.to_string(), value);
    vec![
        Case {
            check: |got, app| {
                let ok = status_of(&got[0]) == Some(200) && app.len() == 1;
                let first = app.first().map(|m| m.first.as_str()).unwrap_or("");
                match ok && first == "GET /get?q=1 HTTP/1.1" {
                    true => Ok(()),
                    false => Err(format!("{got:?} / {app:?}")),
                }
            },
            ..case(
                "GET with headers",
                vec![with(get("/get?q=1"), |a| {
                    a.headers = vec![
                        ("user-agent".into(), "diff/1".into()),
                        ("x-custom".into(), "one".into()),
                        ("x-custom".into(), "two".into()),
                        ("cookie".into(), "a=1".into()),
                        ("cookie".into(), "b=2".into()),
                    ]
                })],
                vec![keep(OK)],
            )
        },
        case(
            "three GETs on one connection",
            vec![get("/1"), get("/2"), get("/3")],
            vec![keep(OK), keep(OK), keep(OK)],
        ),
        case(
            "HEAD",
            vec![with(get("/head"), |a| a.method = "HEAD")],
            vec![keep(HEAD_OK)],
        ),
        case(
            "POST with a length, in two DATA frames",
            vec![with(get("/post"), |a| {
                a.method = "POST";
                a.headers = vec![("content-length".into(), "11".into())];
                a.body = vec![b"hello".to_vec(), b" world".to_vec()];
            })],
            vec![keep(OK)],
        ),
        case(
            "POST without a length",
            vec![with(get("/stream"), |a| {
                a.method = "POST";
                a.body = vec![b"abc".to_vec(), b"def".to_vec(), b"g".to_vec()];
            })],
            vec![keep(OK)],
        ),
        case(
            "POST with trailers",
            vec![with(get("/trailers"), |a| {
                a.method = "POST";
                a.headers = vec![("te".into(), "trailers".into())];
                a.body = vec![b"data".to_vec()];
                a.trailers = vec![("x-checksum", "42")];
            })],
            vec![keep(OK)],
        ),
        case(
            "POST of 2 MiB (past both 1 MiB windows)",
            vec![with(get("/upload"), |a| {
                a.method = "POST";
                a.headers = vec![("content-length".into(), (2 << 20).to_string())];
                a.body = (0..32).map(|i| vec![i as u8; 64 * 1024]).collect();
            })],
            vec![keep(OK)],
        ),
        case(
            "a chunked response with trailers",
            vec![with(get("/chunks"), |a| {
                a.headers = vec![("te".into(), "trailers".into())]
            })],
            vec![keep(CHUNKED_OK)],
        ),
        case(
            "a gRPC-style response (trailers after a frame)",
            vec![with(get("/grpc.health.v1.Health/Check"), |a| {
                a.method = "POST";
                a.headers = vec![
                    ("content-type".into(), "application/grpc".into()),
                    ("te".into(), "trailers".into()),
                ];
                a.body = vec![vec![0, 0, 0, 0, 0]];
            })],
            vec![keep(GRPC_OK)],
        ),
        case(
            "a response of 3 MiB (past the client's 64 KiB window)",
            vec![get("/big")],
            vec![keep(&big_response(3 << 20))],
        ),
        case("204", vec![get("/none")], vec![keep(NO_CONTENT)]),
        case(
            "connection-specific response headers are dropped",
            vec![get("/private")],
            vec![keep(PRIVATE)],
        ),
        case(
            "a response read until the app closes",
            vec![get("/until-close"), get("/after")],
            vec![close(UNTIL_CLOSE), keep(OK)],
        ),
        case(
            "the app closes without answering",
            vec![get("/dropped"), get("/after")],
            vec![close(b""), keep(OK)],
        ),
        case(
            "a host header beside :authority",
            vec![with(get("/host"), |a| {
                a.headers = vec![("host".into(), "evil.example".into())]
            })],
            vec![keep(OK)],
        ),
        case(
            "a header of 17 KB",
            vec![with(get("/17k"), |a| {
                a.headers = vec![("x-big".into(), "a".repeat(17_000))]
            })],
            vec![keep(OK)],
        ),
        Case {
            check: |got, app| match (got, app) {
                ([Got::Reset(reason), Got::Answered { .. }], [_]) if reason == "INTERNAL_ERROR" => {
                    Ok(())
                }
                _ => Err(format!("70 KB: {got:?}")),
            },
            ..case(
                "a header of 70 KB is reset, and the connection goes on",
                vec![
                    with(get("/70k"), |a| {
                        a.headers = vec![("x-big".into(), "a".repeat(70_000))]
                    }),
                    get("/after"),
                ],
                vec![keep(OK)],
            )
        },
        case(
            "101 headers",
            vec![Ask {
                headers: (0..101)
                    .map(|i| header(&format!("x-h-{i}"), i.to_string()))
                    .collect(),
                ..get("/many")
            }],
            vec![keep(OK)],
        ),
        case(
            "Expect: 100-continue",
            vec![with(get("/expect"), |a| {
                a.method = "PUT";
                a.headers = vec![
                    ("expect".into(), "100-continue".into()),
                    ("content-length".into(), "5".into()),
                ];
                a.body = vec![b"hello".to_vec()];
            })],
            vec![keep(OK)],
        ),
        case(
            "a client-supplied x-request-id is kept",
            vec![with(get("/id"), |a| {
                a.headers = vec![("x-request-id".into(), "abc-123".into())]
            })],
            vec![keep(OK)],
        ),
    ]
}

/// The lean and hyper h2 servers give the same answers, and the app the same requests.
pub(crate) fn h2_engines_agree_on_requests_and_responses() {
    let started = Instant::now();
    let mut failures = Vec::new();
    let cases = cases();
    for case in &cases {
        let lean = run(case, H2Engine::Lean);
        let hyper = run(case, H2Engine::Hyper);
        let statuses: Vec<Option<u16>> = lean.0.iter().map(status_of).collect();
        eprintln!("{}: lean {statuses:?}", case.name);
        if let Err(e) = (case.check)(&lean.0, &lean.1) {
            failures.push(format!("{}: {e}", case.name));
        }
        if lean.0 != hyper.0 {
            failures.push(format!(
                "{}: the client got\n  lean:  {:?}\n  hyper: {:?}",
                case.name, lean.0, hyper.0
            ));
        }
        if lean.1 != hyper.1 {
            failures.push(format!(
                "{}: the app got\n  lean:  {:?}\n  hyper: {:?}",
                case.name, lean.1, hyper.1
            ));
        }
    }
    eprintln!("{} cases in {:?}", cases.len(), started.elapsed());
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

// ---- raw frames ----

fn frame(kind: u8, flags: u8, stream: u32, payload: &[u8]) -> Vec<u8> {
    let len = payload.len() as u32;
    let mut out = len.to_be_bytes()[1..].to_vec();
    out.push(kind);
    out.push(flags);
    out.extend_from_slice(&stream.to_be_bytes());
    out.extend_from_slice(payload);
    out
}

const SETTINGS: u8 = 0x4;
const HEADERS: u8 = 0x1;
const DATA: u8 = 0x0;
const RST_STREAM: u8 = 0x3;
const PING: u8 = 0x6;
const GOAWAY: u8 = 0x7;
const WINDOW_UPDATE: u8 = 0x8;
const CONTINUATION: u8 = 0x9;
const END_STREAM: u8 = 0x1;
const END_HEADERS: u8 = 0x4;

/// An HPACK literal field without indexing, name and value as raw strings.
fn literal(name: &str, value: &str) -> Vec<u8> {
    let mut out = vec![0x00];
    for s in [name, value] {
        assert!(s.len() < 127);
        out.push(s.len() as u8);
        out.extend_from_slice(s.as_bytes());
    }
    out
}

/// A GET's header block (`:method GET`, `:scheme http`, `:path`, `:authority`) and `extra`.
fn get_block(path: &str, extra: &[(&str, &str)]) -> Vec<u8> {
    let mut block = vec![0x82, 0x86];
    block.extend(literal(":path", path));
    block.extend(literal(":authority", "app.test"));
    for (name, value) in extra {
        block.extend(literal(name, value));
    }
    block
}

/// A client speaking raw frames to the proxy.
struct Raw {
    stream: TcpStream,
    read: Vec<u8>,
    /// The proxy closed (or reset) the connection.
    closed: bool,
}

/// A frame the proxy sent.
#[derive(Debug, Clone, PartialEq)]
struct Seen {
    kind: u8,
    flags: u8,
    stream: u32,
    payload: Vec<u8>,
}

impl Seen {
    fn code(&self) -> u32 {
        let at = if self.kind == GOAWAY { 4 } else { 0 };
        self.payload
            .get(at..at + 4)
            .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
            .unwrap_or(u32::MAX)
    }
}

impl Raw {
    /// Connects, sends the preface and an empty SETTINGS.
    fn open(address: SocketAddr) -> Raw {
        let stream = TcpStream::connect_timeout(&address, TIMEOUT).expect("connects");
        stream
            .set_read_timeout(Some(Duration::from_millis(200)))
            .expect("timeout");
        let mut raw = Raw {
            stream,
            read: Vec::new(),
            closed: false,
        };
        let mut hello = PREFACE.to_vec();
        hello.extend(frame(SETTINGS, 0, 0, &[]));
        raw.send(&hello);
        raw
    }

    fn send(&mut self, bytes: &[u8]) -> bool {
        self.stream.write_all(bytes).is_ok()
    }

    /// Frames until `until` matches one or `wait` passes (then `None`); `Some` of all seen.
    fn frames_until(&mut self, wait: Duration, until: impl Fn(&Seen) -> bool) -> (Vec<Seen>, bool) {
        let deadline = Instant::now() + wait;
        let mut seen = Vec::new();
        loop {
            while self.read.len() >= 9 {
                let len = usize::from(self.read[0]) << 16
                    | usize::from(self.read[1]) << 8
                    | usize::from(self.read[2]);
                if self.read.len() < 9 + len {
                    break;
                }
                let frame = Seen {
                    kind: self.read[3],
                    flags: self.read[4],
                    stream: u32::from_be_bytes([
                        self.read[5],
                        self.read[6],
                        self.read[7],
                        self.read[8],
                    ]) & 0x7fff_ffff,
                    payload: self.read[9..9 + len].to_vec(),
                };
                self.read.drain(..9 + len);
                let done = until(&frame);
                seen.push(frame);
                if done {
                    return (seen, true);
                }
            }
            if Instant::now() > deadline {
                return (seen, false);
            }
            let mut chunk = [0u8; 65536];
            match self.stream.read(&mut chunk) {
                Ok(n) if n > 0 => self.read.extend_from_slice(&chunk[..n]),
                Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
                _ => {
                    self.closed = true;
                    return (seen, false);
                }
            }
        }
    }

    /// The GOAWAY's error code, if one comes within `wait`.
    fn goaway(&mut self, wait: Duration) -> Option<u32> {
        let (seen, found) = self.frames_until(wait, |f| f.kind == GOAWAY && f.code() != 0);
        found.then(|| seen.last().map(Seen::code)).flatten()
    }
}

/// Whether a fresh client still gets a 200 through `address`.
fn still_serves(address: SocketAddr) -> bool {
    matches!(
        send(address, &[get("/alive")])[..],
        [Got::Answered { status: 200, .. }]
    )
}

/// What a connection did after a raw exchange: it ended (with the GOAWAY's code, if one came),
/// or it reset the stream or answered it, and then served a request of its own (stream 3).
fn answer_to(address: SocketAddr, bytes: &[u8]) -> String {
    let mut raw = Raw::open(address);
    raw.send(bytes);
    let ends = |f: &Seen| (f.kind == HEADERS || f.kind == DATA) && f.flags & END_STREAM != 0;
    let (seen, found) = raw.frames_until(TIMEOUT, |f| {
        f.kind == GOAWAY && f.code() != 0 || f.kind == RST_STREAM || ends(f)
    });
    let first = match seen.last().filter(|_| found) {
        Some(f) if f.kind == GOAWAY => return format!("ended, GOAWAY {:#x}", f.code()),
        Some(f) if f.kind == RST_STREAM => format!("RST_STREAM {:#x}", f.code()),
        Some(_) => "answered".to_string(),
        None if raw.closed => return "ended, closed".to_string(),
        None => return "no answer".to_string(),
    };
    raw.send(&frame(
        HEADERS,
        END_STREAM | END_HEADERS,
        3,
        &get_block("/next", &[]),
    ));
    let (_, answered) = raw.frames_until(TIMEOUT, |f| f.stream == 3 && ends(f));
    format!(
        "{first}, then {}",
        if answered { "served" } else { "not served" }
    )
}

/// Whether an answer is the one expected: "ended" stands for the connection ending either way
/// (Envoy closes it without a GOAWAY where the lean server sends one first).
fn answers_match(got: &str, expected: &str) -> bool {
    got == expected || (expected == "ended" && got.starts_with("ended"))
}

/// Raw exchanges that break the protocol, and what Envoy 1.40 answers each with (its codec,
/// oghttp2, with Istio's inbound defaults; re-checked against a real Envoy when one is here).
fn bad_frames() -> Vec<(&'static str, Vec<u8>, &'static str)> {
    let request = |extra: &[(&str, &str)]| get_block("/", extra);
    let ended = END_STREAM | END_HEADERS;
    vec![
        (
            "a frame past 16 KiB",
            frame(DATA, 0, 1, &vec![0; 16_385]),
            "ended, GOAWAY 0x6",
        ),
        (
            "DATA on a stream never opened",
            frame(DATA, 0, 5, b"x"),
            "ended, GOAWAY 0x1",
        ),
        (
            "a connection window past 2^31-1",
            frame(WINDOW_UPDATE, 0, 0, &0x7fff_ffffu32.to_be_bytes()),
            "ended",
        ),
        (
            "a PING of 7 bytes",
            frame(PING, 0, 0, &[0; 7]),
            "ended, GOAWAY 0x6",
        ),
        (
            "an upper-case header name",
            frame(HEADERS, ended, 1, &request(&[("X-Upper", "1")])),
            "ended",
        ),
        (
            "HPACK index 0",
            frame(HEADERS, ended, 1, &[0x80]),
            "ended, GOAWAY 0x9",
        ),
        (
            "a header block interrupted by DATA",
            [
                frame(HEADERS, END_STREAM, 1, &request(&[])),
                frame(DATA, 0, 1, b"x"),
            ]
            .concat(),
            "ended, GOAWAY 0x1",
        ),
        (
            "a client stream with an even id",
            frame(HEADERS, ended, 2, &request(&[])),
            "ended",
        ),
        (
            "a connection header",
            frame(HEADERS, ended, 1, &request(&[("connection", "close")])),
            "ended",
        ),
        (
            "te other than trailers",
            frame(HEADERS, ended, 1, &request(&[("te", "gzip")])),
            "ended",
        ),
        (
            "no :path",
            frame(
                HEADERS,
                ended,
                1,
                &[&[0x82u8, 0x86][..], &literal(":authority", "a")].concat(),
            ),
            "ended",
        ),
        (
            "an :authority with a space",
            frame(
                HEADERS,
                ended,
                1,
                &[
                    &[0x82u8, 0x86][..],
                    &literal(":path", "/"),
                    &literal(":authority", "a b"),
                ]
                .concat(),
            ),
            "ended",
        ),
        (
            "a pseudo-header after a field",
            frame(
                HEADERS,
                ended,
                1,
                &[request(&[("x-a", "1")]), literal(":path", "/again")].concat(),
            ),
            "ended",
        ),
        (
            "END_STREAM with a length of 5",
            frame(HEADERS, ended, 1, &request(&[("content-length", "5")])),
            "ended",
        ),
        (
            "a body longer than its length",
            [
                frame(
                    HEADERS,
                    END_HEADERS,
                    1,
                    &request(&[("content-length", "2")]),
                ),
                frame(DATA, END_STREAM, 1, b"abc"),
            ]
            .concat(),
            "RST_STREAM 0x1, then served",
        ),
        (
            "a stream window update of 0",
            [
                frame(
                    HEADERS,
                    END_HEADERS,
                    1,
                    &request(&[("content-length", "1")]),
                ),
                frame(WINDOW_UPDATE, 0, 1, &0u32.to_be_bytes()),
            ]
            .concat(),
            "ended",
        ),
        (
            "a PING",
            [
                frame(PING, 0, 0, b"12345678"),
                frame(HEADERS, ended, 1, &request(&[])),
            ]
            .concat(),
            "answered, then served",
        ),
    ]
}

/// The lean h2 server answers broken frames as Envoy does (the expectations are Envoy's, and
/// a real Envoy is put to the same exchanges); hyper's answers are printed beside them.
pub(crate) fn lean_h2_answers_bad_frames_as_envoy_does() {
    let app = App::start(&[]);
    let (lean, _root) = proxy(app.addr, H2Engine::Lean);
    let (hyper, _root2) = proxy(app.addr, H2Engine::Hyper);
    let lean_address = lean.address_of(PORT).expect("bound");
    let hyper_address = hyper.address_of(PORT).expect("bound");
    let envoy = crate::hostile::plaintext_envoy(app.addr);
    let envoy_missing = envoy.is_none();
    let mut failures = Vec::new();
    for (name, bytes, expected) in bad_frames() {
        let ours = answer_to(lean_address, &bytes);
        let theirs = answer_to(hyper_address, &bytes);
        let envoys = envoy
            .as_ref()
            .map(|(_, address)| answer_to(*address, &bytes));
        eprintln!("{name}: lean {ours}; hyper {theirs}; envoy {envoys:?}");
        if !answers_match(&ours, expected) {
            failures.push(format!("{name}: lean {ours}, Envoy's answer is {expected}"));
        }
        if let Some(envoys) = envoys
            && !answers_match(&envoys, expected)
        {
            failures.push(format!(
                "{name}: the real Envoy answered {envoys}, not {expected}"
            ));
        }
    }
    if !still_serves(lean_address) {
        failures.push("a fresh client is not served".into());
    }
    lean.shutdown();
    hyper.shutdown();
    drop(envoy);
    let _ = app.finish();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    if envoy_missing {
        crate::harness::skip(
            "envoy is not installed: the lean server was checked against Envoy's recorded \
             answers only (run .ci/run's install step)"
                .to_string(),
        );
    }
}

/// The limits a flood meets: streams reset before their response (CVE-2023-44487), empty DATA
/// frames, a header block without end (CVE-2024-27316) and PINGs from a client that reads no
/// answer. Each ends the connection or stops reading it; then a fresh client is still served.
fn flood_answers(address: SocketAddr) -> Vec<(&'static str, String)> {
    let mut answers = Vec::new();
    let mut raw = Raw::open(address);
    let mut burst = Vec::new();
    for i in 0..600u32 {
        let id = 2 * i + 1;
        let block = get_block("/reset", &[("content-length", "1")]);
        burst.extend(frame(HEADERS, END_HEADERS, id, &block));
        burst.extend(frame(RST_STREAM, 0, id, &8u32.to_be_bytes()));
    }
    raw.send(&burst);
    answers.push(("rapid reset", ended(&mut raw)));

    let mut raw = Raw::open(address);
    let mut empties = frame(HEADERS, END_HEADERS, 1, &get_block("/empty", &[]));
    for _ in 0..3 {
        empties.extend(frame(DATA, 0, 1, &[]));
    }
    raw.send(&empties);
    answers.push(("empty DATA frames", ended(&mut raw)));

    let mut raw = Raw::open(address);
    raw.send(&frame(HEADERS, 0, 1, &get_block("/cont", &[])));
    let filler = literal("x-fill", &"f".repeat(100));
    let piece: Vec<u8> = filler.iter().copied().cycle().take(16_000).collect();
    for _ in 0..40 {
        if !raw.send(&frame(CONTINUATION, 0, 1, &piece)) {
            break;
        }
    }
    answers.push(("endless CONTINUATION", ended(&mut raw)));

    // Bounded by time and count: 2,000 writes of 2,000 PINGs would owe 68 MB of ACKs, far past
    // what the sockets buffer, so a server that stops reading (or closes) blocks them first.
    let mut raw = Raw::open(address);
    let ping = frame(PING, 0, 0, b"12345678");
    let flood: Vec<u8> = ping
        .iter()
        .copied()
        .cycle()
        .take(ping.len() * 2000)
        .collect();
    raw.stream
        .set_write_timeout(Some(Duration::from_millis(500)))
        .expect("timeout");
    let started = Instant::now();
    let mut sent = 0usize;
    while started.elapsed() < Duration::from_secs(5) && sent < 2000 {
        if raw.stream.write_all(&flood).is_err() {
            break;
        }
        sent += 1;
    }
    let verdict = if sent < 2000 { "held" } else { "read in full" };
    answers.push(("PINGs never read", verdict.to_string()));
    answers
}

/// How a connection ended: its GOAWAY's code, or `closed`.
fn ended(raw: &mut Raw) -> String {
    match raw.goaway(TIMEOUT) {
        Some(code) => format!("ended, GOAWAY {code:#x}"),
        None if raw.closed => "ended, closed".to_string(),
        None => "still open".to_string(),
    }
}

/// The lean server meets floods as Envoy does (Envoy's limits: premature resets past half of
/// 500 streams, more than one empty frame in a row, its header limits); a real Envoy, when here,
/// is put to the same floods.
pub(crate) fn lean_h2_holds_floods_to_envoys_limits() {
    let expected = [
        ("rapid reset", "ended"),
        ("empty DATA frames", "ended"),
        ("endless CONTINUATION", "ended, GOAWAY 0x9"),
        ("PINGs never read", "held"),
    ];
    let app = App::start(&[]);
    let (proxy, _root) = proxy(app.addr, H2Engine::Lean);
    let address = proxy.address_of(PORT).expect("bound");
    let envoy = crate::hostile::plaintext_envoy(app.addr);
    let mut failures = Vec::new();
    let mut servers = vec![("lean", address)];
    if let Some((_, envoy)) = &envoy {
        servers.push(("envoy", *envoy));
    }
    for (server, address) in servers {
        let answers = flood_answers(address);
        for ((name, got), (_, want)) in answers.iter().zip(expected) {
            eprintln!("{server} {name}: {got}");
            if !answers_match(got, want) {
                failures.push(format!("{server} {name}: {got}, wanted {want}"));
            }
        }
        if !still_serves(address) {
            failures.push(format!(
                "{server}: a fresh client is not served after the floods"
            ));
        }
    }
    let envoy_missing = envoy.is_none();
    drop(envoy);
    proxy.shutdown();
    let _ = app.finish();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    if envoy_missing {
        crate::harness::skip(
            "envoy is not installed: the lean server was checked against Envoy's recorded \
             answers only (run .ci/run's install step)"
                .to_string(),
        );
    }
}
