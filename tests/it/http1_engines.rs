//! Differential tests of the proxy's HTTP/1.1 engines: the same raw exchanges go through
//! `Http1Engine::Lean` and `Http1Engine::Hyper` in front of a scripted app, and the normalised
//! results (client side and app side) must be equal; a few absolute expectations are checked too.
use std::collections::VecDeque;
use std::io::{self, ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use meshtls::proxy::config::{
    AccessLog, DownstreamLimits, Endpoint, H2Engine, Http1Engine, ListenerConfig, Protocol,
    ProxiedWorkload, ProxyConfig, Security, UpstreamLimits,
};
use meshtls::proxy::run::start;

use crate::common::tempdir;

const TIMEOUT: Duration = Duration::from_secs(4);
const PORT: u16 = 9080;
const GENERATED: &str = "<generated>";
/// Headers the app must never get from this listener, and those the client must never get.
const APP_NEVER: &str =
    "connection keep-alive proxy-connection trailer upgrade x-forwarded-client-cert";
const CLIENT_NEVER: &str = "keep-alive proxy-connection te trailer upgrade";
const FOLLOW_UP: &[u8] = b"GET /follow-up HTTP/1.1\r\nHost: app.test\r\n\r\n";
const DEFAULT_REPLY: &[u8] = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
const GET: &[u8] = b"GET /get?q=1 HTTP/1.1\r\nHost: app.test\r\nUser-Agent: diff/1\r\n\r\n";
const OK: &[u8] =
    b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\nX-App: 1\r\n\r\nhello";
const CLOSE: &[u8] = b"GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n";
const KEEP_ALIVE: &[u8] = b"GET / HTTP/1.1\r\nHost: a\r\nConnection: keep-alive\r\n\r\n";
const CHUNKED: &[u8] = b"POST /chunked HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n";
const ABSOLUTE: &[u8] = b"GET http://example.test/status/200 HTTP/1.1\r\n\r\n";
const ABSOLUTE_HOST: &[u8] = b"GET http://example.test/x HTTP/1.1\r\nHost: other.test\r\n\r\n";
const NO_HOST: &[u8] = b"GET /nohost HTTP/1.1\r\n\r\n";
const TWO_HOSTS: &[u8] = b"GET /two-hosts HTTP/1.1\r\nHost: a.test\r\nHost: b.test\r\n\r\n";
const APP_CL_TE: &[u8] =
    b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n";
const APP_TWO_CL: &[u8] = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nok!";
const FORGED: &[u8] = b"GET /forged HTTP/1.1\r\nHost: a\r\nX-Forwarded-Proto: https\r\nX-Forwarded-Client-Cert: Hash=forged\r\nX-Request-Id: abc\r\n\r\n";
const MIXED_CASE: &[u8] = b"GET /case HTTP/1.1\r\nhOsT: app.test\r\nX-MiXeD-CaSe: Value\r\n\r\n";
const OBS_FOLD: &[u8] = b"GET /fold HTTP/1.1\r\nHost: a\r\nX-Folded: first\r\n second\r\n\r\n";
const OBS_TEXT: &[u8] = b"GET /text HTTP/1.1\r\nHost: a\r\nX-Text: caf\xe9\r\n\r\n";
const EXPECT: &[u8] =
    b"POST /expect HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n";
const HEAD: &[u8] = b"HEAD /head HTTP/1.1\r\nHost: app.test\r\n\r\n";
const HEAD_OK: &[u8] = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n";
const TE_TRAILERS: &[u8] = b"GET /chunks HTTP/1.1\r\nHost: app.test\r\nTE: trailers\r\n\r\n";
const CHUNKED_OK: &[u8] = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-Sum\r\n\r\n4\r\nWiki\r\n5;x=y\r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n0\r\nX-Sum: 7\r\n\r\n";
const UNTIL_CLOSE: &[u8] = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end";
const NO_CONTENT: &[u8] = b"HTTP/1.1 204 No Content\r\n\r\n";
const NOT_MOD: &[u8] = b"HTTP/1.1 304 Not Modified\r\nETag: \"x\"\r\n\r\n";
const EARLY_HINTS: &[u8] = b"HTTP/1.1 103 Early Hints\r\nLink: </s.css>; rel=preload\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
const HTTP10: &[u8] = b"HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\nold";
const PRIVATE: &[u8] = b"HTTP/1.1 200 OK\r\nConnection: x-private\r\nX-Private: 1\r\nServer: gunicorn\r\nContent-Length: 2\r\n\r\nok";
const FAILURE: &str = "upstream connect error or disconnect/reset before headers. reset reason: remote connection failure";
const TERMINATION: &str = "reset reason: connection termination";

/// A socket with a read buffer: heads, lines, counted, chunked and close-delimited bodies.
struct Wire {
    stream: TcpStream,
    buf: Vec<u8>,
}

fn broken(what: impl Into<String>) -> io::Error {
    io::Error::new(ErrorKind::InvalidData, what.into())
}

impl Wire {
    fn new(stream: TcpStream) -> Wire {
        let _ = stream.set_read_timeout(Some(TIMEOUT));
        let _ = stream.set_write_timeout(Some(TIMEOUT));
        let _ = stream.set_nodelay(true);
        let buf = Vec::new();
        Wire { stream, buf }
    }

    /// Reads more; false at the end of the stream.
    fn fill(&mut self) -> io::Result<bool> {
        let mut chunk = [0u8; 16384];
        let n = self.stream.read(&mut chunk)?;
        self.buf.extend_from_slice(&chunk[..n]);
        Ok(n > 0)
    }

    /// Everything up to and including `delim`; None if the stream ends first.
    fn until(&mut self, delim: &[u8]) -> io::Result<Option<Vec<u8>>> {
        loop {
            if let Some(at) = find(&self.buf, delim) {
                return Ok(Some(self.buf.drain(..at + delim.len()).collect()));
            }
            if !self.fill()? {
                return Ok(None);
            }
        }
    }

    fn take(&mut self, n: usize) -> io::Result<Vec<u8>> {
        while self.buf.len() < n {
            if !self.fill()? {
                let got = self.buf.len();
                return Err(broken(format!("closed after {got} of {n} bytes")));
            }
        }
        Ok(self.buf.drain(..n).collect())
    }

    fn rest(&mut self) -> io::Result<Vec<u8>> {
        while self.fill()? {}
        Ok(std::mem::take(&mut self.buf))
    }

    /// A chunked body, decoded, and its trailer lines.
    fn chunked(&mut self) -> io::Result<(Vec<u8>, Vec<String>)> {
        let mut body = Vec::new();
        loop {
            let line = self.until(b"\r\n")?.ok_or_else(|| broken("closed"))?;
            let size = line.split(|&b| b == b';').next().unwrap_or_default();
            let size = std::str::from_utf8(size.trim_ascii()).ok();
            let size = size.and_then(|s| usize::from_str_radix(s, 16).ok());
            match size.ok_or_else(|| broken(escape(&line)))? {
                0 => break,
                size => body.extend(self.take(size)?),
            }
            self.take(2)?;
        }
        let mut trailers = Vec::new();
        loop {
            match self.until(b"\r\n")?.ok_or_else(|| broken("closed"))? {
                line if line == b"\r\n" => return Ok((body, trailers)),
                line => trailers.push(escape(line.trim_ascii_end())),
            }
        }
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

pub(crate) fn escape(bytes: &[u8]) -> String {
    bytes.escape_ascii().to_string()
}

/// A body as text, or its length, FNV-1a hash and start when it is long.
fn show(body: &[u8]) -> String {
    if body.len() <= 200 {
        return escape(body);
    }
    let fnv = |h: u64, b: &u8| (h ^ u64::from(*b)).wrapping_mul(0x100_0000_01b3);
    let hash = body.iter().fold(0xcbf2_9ce4_8422_2325, fnv);
    let start = escape(&body[..32]);
    format!("{} bytes, fnv {hash:016x}, {start}…", body.len())
}

/// A request as the app read it or a response as the client read it, normalised: headers
/// (lowercased names) stably sorted by name, volatile values masked, the body decoded.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct Message {
    pub(crate) first: String,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: String,
    pub(crate) trailers: Vec<String>,
}

type Mask = fn(&str, String) -> String;

fn parse_head(raw: &[u8], mask: Mask) -> Message {
    let mut m = Message::default();
    for line in raw.split(|&b| b == b'\n').map(|l| l.trim_ascii_end()) {
        let (name, value) = line.split_at(line.iter().position(|&b| b == b':').unwrap_or(0));
        let name = escape(name).to_ascii_lowercase();
        match value.strip_prefix(b":") {
            _ if m.first.is_empty() => m.first = escape(line),
            Some(value) => m.headers.push((name, escape(value.trim_ascii()))),
            None if !line.is_empty() => m.headers.push((escape(line), String::new())),
            None => {}
        }
    }
    m.headers.sort_by(|a, b| a.0.cmp(&b.0));
    for (name, value) in &mut m.headers {
        *value = mask(name, std::mem::take(value));
    }
    m
}

/// Reads the body `m`'s headers frame: chunked, Content-Length, else none or (`to_eof`) all.
fn read_body(wire: &mut Wire, m: &mut Message, to_eof: bool) -> io::Result<()> {
    let (body, trailers) = if is_chunked(&m.headers) {
        wire.chunked()?
    } else if let Some(n) = values(&m.headers, "content-length").first() {
        let n = n.parse().map_err(|_| broken(*n))?;
        (wire.take(n)?, Vec::new())
    } else if to_eof {
        (wire.rest()?, Vec::new())
    } else {
        Default::default()
    };
    (m.body, m.trailers) = (show(&body), trailers);
    Ok(())
}

fn values<'a>(headers: &'a [(String, String)], name: &str) -> Vec<&'a str> {
    let named = headers.iter().filter(|(n, _)| n == name);
    named.map(|(_, v)| v.as_str()).collect()
}

fn is_chunked(headers: &[(String, String)]) -> bool {
    let te = values(headers, "transfer-encoding").join(",");
    te.to_ascii_lowercase().contains("chunked")
}

pub(crate) fn is_uuid_v4(v: &str) -> bool {
    v.len() == 36
        && v.bytes().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => c == b'-',
            14 => c == b'4',
            19 => b"89ab".contains(&c),
            _ => c.is_ascii_digit() || (b'a'..=b'f').contains(&c),
        })
}

fn mask_request_id(name: &str, v: String) -> String {
    let generated = name == "x-request-id" && is_uuid_v4(&v);
    if generated { GENERATED.to_string() } else { v }
}

fn mask_response(name: &str, v: String) -> String {
    match name {
        "date" => "<date>".to_string(),
        "x-envoy-upstream-service-time" if v.parse::<u64>().is_ok() => "<ms>".to_string(),
        _ => v,
    }
}

/// One scripted app reply: raw bytes, then keep reading (false) or close (true).
#[derive(Clone)]
pub(crate) struct Reply(pub(crate) Vec<u8>, pub(crate) bool);

pub(crate) fn keep(bytes: &[u8]) -> Reply {
    Reply(bytes.to_vec(), false)
}

pub(crate) fn close(bytes: &[u8]) -> Reply {
    Reply(bytes.to_vec(), true)
}

/// The scripted app: answers requests in arrival order with the next reply (then `DEFAULT_REPLY`).
pub(crate) struct App {
    pub(crate) addr: SocketAddr,
    seen: Arc<Mutex<Vec<Message>>>,
    accepted: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
    thread: JoinHandle<Vec<JoinHandle<()>>>,
}

impl App {
    pub(crate) fn start(script: &[Reply]) -> App {
        let listener = TcpListener::bind("127.0.0.1:0").expect("the app binds");
        let addr = listener.local_addr().expect("the app's address");
        let script = Arc::new(Mutex::new(script.iter().cloned().collect::<VecDeque<_>>()));
        let seen: Arc<Mutex<Vec<Message>>> = Arc::default();
        let (accepted, stop): (Arc<AtomicUsize>, Arc<AtomicBool>) = Default::default();
        let (log, count, stopping) = (Arc::clone(&seen), Arc::clone(&accepted), Arc::clone(&stop));
        let thread = std::thread::spawn(move || {
            let mut handlers = Vec::new();
            for stream in listener.incoming() {
                if stopping.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                count.fetch_add(1, Ordering::SeqCst);
                let (log, script) = (Arc::clone(&log), Arc::clone(&script));
                let serve = move || serve_app(Wire::new(stream), &log, &script);
                handlers.push(std::thread::spawn(serve));
            }
            handlers
        });
        App {
            addr,
            seen,
            accepted,
            stop,
            thread,
        }
    }

    /// Stops accepting, waits for the connections to end, and returns what the app saw.
    pub(crate) fn finish(self) -> (Vec<Message>, usize) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect_timeout(&self.addr, TIMEOUT);
        for handler in self.thread.join().expect("the app's accept loop") {
            let _ = handler.join();
        }
        let seen = std::mem::take(&mut *self.seen.lock().expect("the app's log"));
        (seen, self.accepted.load(Ordering::SeqCst))
    }
}

fn serve_app(mut wire: Wire, seen: &Mutex<Vec<Message>>, script: &Mutex<VecDeque<Reply>>) {
    while let Ok(Some(raw)) = wire.until(b"\r\n\r\n") {
        let mut request = parse_head(&raw, mask_request_id);
        let read = read_body(&mut wire, &mut request, false);
        if let Err(e) = &read {
            request.body = format!("<incomplete: {e}>");
        }
        seen.lock().expect("the app's log").push(request);
        let reply = script.lock().expect("the app's script").pop_front();
        let Reply(bytes, close) = reply.unwrap_or_else(|| keep(DEFAULT_REPLY));
        if read.is_err() || wire.stream.write_all(&bytes).is_err() || close {
            return;
        }
    }
}

/// Everything compared between the engines.
#[derive(Debug, PartialEq)]
pub(crate) struct Outcome {
    /// Interim (1xx) and final responses, the follow-up's included.
    pub(crate) responses: Vec<Message>,
    /// How the client connection ended: `open` (follow-up answered), `closed`, or an error.
    pub(crate) end: String,
    pub(crate) app: Vec<Message>,
    pub(crate) app_connections: usize,
}

pub(crate) type Check = fn(&Outcome) -> Result<(), String>;

pub(crate) struct Case {
    pub(crate) name: String,
    pub(crate) client: Vec<Vec<u8>>,
    pub(crate) app: Vec<Reply>,
    pub(crate) requests: usize,
    pub(crate) head: bool,
    /// Some(ms): expect keep-alive and send `FOLLOW_UP` that long after; None: read to EOF.
    pub(crate) follow_up: Option<u64>,
    pub(crate) app_down: bool,
    /// One more app connection is expected on the lean path: it hands the client's connection
    /// to hyper midway (hyper's upstream pool is its own), or it drops an app connection whose
    /// response it refused where hyper drains and reuses it.
    pub(crate) extra_app_connection: bool,
    pub(crate) check: Check,
}

pub(crate) fn case(name: &str, client: &[&[u8]], app: &[Reply]) -> Case {
    Case {
        name: name.to_string(),
        client: client.iter().map(|c| c.to_vec()).collect(),
        app: app.to_vec(),
        requests: 1,
        head: false,
        follow_up: Some(0),
        app_down: false,
        extra_app_connection: false,
        check: |_| Ok(()),
    }
}

impl Case {
    fn with(mut self, change: fn(&mut Case)) -> Case {
        change(&mut self);
        self
    }

    fn check(self, check: Check) -> Case {
        Case { check, ..self }
    }
}

fn ensure(ok: bool, what: &str) -> Result<(), String> {
    if ok { Ok(()) } else { Err(what.to_string()) }
}

fn response(o: &Outcome, i: usize) -> Result<&Message, String> {
    o.responses.get(i).ok_or(format!("no response #{i}"))
}

fn status(o: &Outcome, i: usize, code: &str) -> Result<(), String> {
    let line = &response(o, i)?.first;
    let what = format!("#{i} is {line}, not {code}");
    ensure(line.split(' ').nth(1) == Some(code), &what)
}

/// One plaintext HTTP listener on `PORT` in front of `app`, served by `engine`.
pub(crate) fn config(app: SocketAddr, engine: Http1Engine, root: &Path) -> ProxyConfig {
    let loopback = SocketAddr::from(([127, 0, 0, 1], 0));
    ProxyConfig {
        workload: ProxiedWorkload {
            namespace: "test".to_string(),
            service_account: "httpbin".to_string(),
            sidecar_name: "ingress-sidecar".to_string(),
            names: Default::default(),
        },
        listeners: vec![ListenerConfig {
            port: PORT,
            name: "http".to_string(),
            bind: loopback,
            security: Security::Plaintext,
            protocol: Protocol::Http,
            endpoint: Endpoint::Tcp(app),
            service: None,
        }],
        admin: loopback,
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
        access_log: AccessLog::Off,
        reload_interval: Duration::from_secs(5),
        workload_cert_ttl: Duration::from_secs(24 * 3600),
        http1: engine,
        h2: H2Engine::default(),
    }
}

/// Reads interim responses up to and including a final one; no body after HEAD (`head`).
fn read_final(wire: &mut Wire, head: bool, into: &mut Vec<Message>) -> Result<(), String> {
    let fail = |e: io::Error| format!("{:?}: {e}", e.kind());
    loop {
        let raw = wire.until(b"\r\n\r\n").map_err(fail)?.ok_or("closed")?;
        let mut r = parse_head(&raw, mask_response);
        let code = r.first.split(' ').nth(1).unwrap_or_default();
        let interim = code.starts_with('1');
        let bodyless = head || interim || code == "204" || code == "304";
        let read = if bodyless {
            Ok(())
        } else {
            read_body(wire, &mut r, true)
        };
        if let Err(e) = &read {
            r.body = format!("<incomplete: {e}>");
        }
        into.push(r);
        read.map_err(fail)?;
        if !interim {
            return Ok(());
        }
    }
}

/// The client's side: writes the chunks (a few ms apart), reads the responses, then probes.
fn exchange(addr: SocketAddr, case: &Case) -> Outcome {
    let stream = TcpStream::connect_timeout(&addr, TIMEOUT).expect("connect to the proxy");
    let mut wire = Wire::new(stream);
    for (i, chunk) in case.client.iter().enumerate() {
        if i > 0 {
            std::thread::sleep(Duration::from_millis(5));
        }
        if wire.stream.write_all(chunk).is_err() {
            break; // the proxy has answered and closed; read what it said
        }
    }
    let mut responses = Vec::new();
    for _ in 0..case.requests {
        if let Err(end) = read_final(&mut wire, case.head, &mut responses) {
            return outcome(responses, end);
        }
    }
    let end = match case.follow_up {
        Some(ms) => {
            std::thread::sleep(Duration::from_millis(ms));
            let sent = wire.stream.write_all(FOLLOW_UP).map_err(|e| e.to_string());
            match sent.and_then(|()| read_final(&mut wire, false, &mut responses)) {
                Ok(()) => "open".to_string(),
                Err(e) => format!("follow-up failed: {e}"),
            }
        }
        None => match wire.rest() {
            Ok(rest) if rest.is_empty() => "closed".to_string(),
            Ok(rest) => format!("closed after extra bytes {}", show(&rest)),
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                "still open after the read timeout".to_string()
            }
            Err(e) => format!("{:?}", e.kind()),
        },
    };
    outcome(responses, end)
}

fn outcome(responses: Vec<Message>, end: String) -> Outcome {
    let (app, app_connections) = (Vec::new(), 0);
    Outcome {
        responses,
        end,
        app,
        app_connections,
    }
}

/// Runs `case` through a fresh proxy with `engine` in front of a fresh app.
pub(crate) fn run(case: &Case, engine: Http1Engine) -> Outcome {
    let root = tempdir();
    let app = App::start(&case.app);
    let target = match case.app_down {
        true => TcpListener::bind("127.0.0.1:0").and_then(|gone| gone.local_addr()),
        false => Ok(app.addr),
    };
    let target = target.expect("a port the app listens on, or one nothing does");
    let proxy = start(config(target, engine, root.path())).expect("the proxy starts");
    let addr = proxy.address_of(PORT).expect("the listener is bound");
    let mut outcome = exchange(addr, case);
    proxy.shutdown();
    (outcome.app, outcome.app_connections) = app.finish();
    outcome
}

/// `Err` naming the first of `names` that `h` holds.
fn none_of(h: &[(String, String)], names: &str, who: &str) -> Result<(), String> {
    match names.split(' ').find(|name| !values(h, name).is_empty()) {
        Some(name) => Err(format!("{who} got {name}")),
        None => Ok(()),
    }
}

/// What must hold for every case under every engine.
pub(crate) fn common_checks(case: &Case, o: &Outcome) -> Result<(), String> {
    let client_id = find(&case.client.concat().to_ascii_lowercase(), b"x-request-id:").is_some();
    for r in &o.app {
        let h = &r.headers;
        none_of(h, APP_NEVER, "the app")?;
        // Of `TE`, Envoy passes on `trailers` only.
        let te = values(h, "te").iter().all(|v| *v == "trailers");
        ensure(te, "the app gets no TE but trailers")?;
        let proto = values(h, "x-forwarded-proto") == ["http"];
        ensure(proto, "the app gets one x-forwarded-proto: http")?;
        let ids = values(h, "x-request-id");
        let id = ids.len() == 1 && (client_id || ids[0] == GENERATED);
        ensure(id, "one x-request-id, generated if none came")?;
        let framing = values(h, "content-length").len() + values(h, "transfer-encoding").len();
        ensure(framing <= 1, "at most one framing header")?;
        let smuggled = r.first.contains("smuggled");
        ensure(!smuggled, "no smuggled request reaches the app")?;
    }
    for r in &o.responses {
        let h = &r.headers;
        none_of(h, CLIENT_NEVER, "the client")?;
        let connection = values(h, "connection").iter().all(|v| *v == "close");
        ensure(connection, "no connection header but close")?;
        let ms = values(h, "x-envoy-upstream-service-time");
        ensure(ms.iter().all(|v| *v == "<ms>"), "service time in digits")?;
        let server = values(h, "server").iter().all(|v| *v == "istio-envoy");
        ensure(server, "the server header is istio-envoy")?;
    }
    (case.check)(o)
}

/// The fields where `lean` and `hyper` differ, one pair of lines each.
pub(crate) fn diff(lean: &Outcome, hyper: &Outcome) -> String {
    let mut out = String::new();
    let mut field = |what: String, a: String, b: String| {
        if a != b {
            out.push_str(&format!("  {what}:\n    lean:  {a}\n    hyper: {b}\n"));
        }
    };
    for i in 0..lean.responses.len().max(hyper.responses.len()) {
        let (a, b) = (lean.responses.get(i), hyper.responses.get(i));
        field(format!("response #{i}"), format!("{a:?}"), format!("{b:?}"));
    }
    field("end".into(), lean.end.clone(), hyper.end.clone());
    for i in 0..lean.app.len().max(hyper.app.len()) {
        let (a, b) = (lean.app.get(i), hyper.app.get(i));
        field(format!("app #{i}"), format!("{a:?}"), format!("{b:?}"));
    }
    let (a, b) = (lean.app_connections, hyper.app_connections);
    field("app connections".into(), a.to_string(), b.to_string());
    out
}

/// A head Envoy's codec refuses: the lean engine answers it as Envoy does (its reason phrase as
/// a `text/plain` body), hyper's codec with no body, and for an unknown transfer coding `400`
/// where Envoy says `501`. Past that the outcomes must be the same: one answer, then a close,
/// and nothing reaches the app.
fn codec_answers_agree(lean: &Outcome, hyper: &Outcome) -> bool {
    let ([l], [h]) = (lean.responses.as_slice(), hyper.responses.as_slice()) else {
        return false;
    };
    let code = |m: &Message| m.first.split(' ').nth(1).unwrap_or("").to_string();
    let phrase = l.first.splitn(3, ' ').nth(2).unwrap_or("");
    let envoys = l.body == phrase && values(&l.headers, "content-type") == ["text/plain"];
    let same_status = code(l) == code(h) || (code(l) == "501" && code(h) == "400");
    // `Content-Length` with `Transfer-Encoding: chunked`: Envoy (and the lean engine) refuse
    // it; hyper drops the length (RFC 9112 §6.3) and the app gets one framing, chunked.
    let both_framings = code(l) == "400"
        && envoys
        && lean.app.is_empty()
        && hyper.app.iter().all(|m| {
            values(&m.headers, "transfer-encoding") == ["chunked"]
                && values(&m.headers, "content-length").is_empty()
        });
    if both_framings {
        return true;
    }
    envoys
        && same_status
        && h.body.is_empty()
        && lean.app.is_empty()
        && hyper.app.is_empty()
        && lean.end == hyper.end
}

/// Runs every case under both engines; fails listing every difference and broken expectation.
fn differential(cases: Vec<Case>) {
    let started = Instant::now();
    let mut failures = Vec::new();
    for case in &cases {
        let mut lean = run(case, Http1Engine::Lean);
        let hyper = run(case, Http1Engine::Hyper);
        if case.extra_app_connection && lean.app_connections == hyper.app_connections + 1 {
            lean.app_connections = hyper.app_connections;
        }
        let statuses: Vec<&str> = hyper.responses.iter().map(|r| r.first.as_str()).collect();
        eprintln!("{}: hyper {statuses:?}, {}", case.name, hyper.end);
        for (engine, outcome) in [("lean", &lean), ("hyper", &hyper)] {
            if let Err(e) = common_checks(case, outcome) {
                let mut shown = format!("{outcome:#?}");
                shown.truncate(6000);
                failures.push(format!("{} [{engine}]: {e}\n{shown}", case.name));
            }
        }
        if lean != hyper && !codec_answers_agree(&lean, &hyper) {
            let name = &case.name;
            failures.push(format!("{name}: engines differ\n{}", diff(&lean, &hyper)));
        }
    }
    eprintln!("{} cases in {:?}", cases.len(), started.elapsed());
    let failed = format!("{} failures in {} cases", failures.len(), cases.len());
    assert!(failures.is_empty(), "{failed}:\n\n{}", failures.join("\n"));
}

fn simple_get() -> Case {
    case("01 simple GET", &[GET], &[keep(OK)])
}

fn split_post() -> Case {
    let head = b"POST /post HTTP/1.1\r\nHost: app.test\r\nContent-Length: 11\r\n\r\nhel";
    case(
        "02 POST in 3 writes",
        &[head, b"lo w", b"orld"],
        &[keep(OK)],
    )
}

fn pipelined() -> Case {
    let two = b"GET /one HTTP/1.1\r\nHost: app.test\r\n\r\nGET /two HTTP/1.1\r\nHost: a\r\n\r\n";
    let second = keep(b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\ntwo");
    case("03 pipelined GETs", &[two], &[keep(OK), second]).with(|c| c.requests = 2)
}

fn chunked_response() -> Case {
    case("13 chunked response", &[TE_TRAILERS], &[keep(CHUNKED_OK)])
}

fn get_with(name: &str, headers: &str) -> Case {
    let request = format!("GET /h HTTP/1.1\r\nHost: app.test\r\n{headers}\r\n");
    case(name, &[request.as_bytes()], &[keep(OK)])
}

pub(crate) fn engines_agree_on_client_requests() {
    let a = "a".repeat(2000);
    let big: String = (0..35).map(|i| format!("X-Big-{i}: {a}\r\n")).collect();
    let many: String = (0..120).map(|i| format!("X-H-{i}: {i}\r\n")).collect();
    let mut cases = vec![
        simple_get(),
        split_post(),
        pipelined(),
        case("04 Connection: close", &[CLOSE], &[keep(OK)])
            .with(|c| c.follow_up = None)
            .check(|o| {
                let close = values(&response(o, 0)?.headers, "connection") == ["close"];
                ensure(close && o.end == "closed", "close, then the end")
            }),
        case("05 Connection: keep-alive", &[KEEP_ALIVE], &[keep(OK)])
            .check(|o| ensure(o.end == "open", "the connection stays open")),
        case("06 chunked request", &[CHUNKED], &[keep(OK)]),
        case("08 absolute-form", &[ABSOLUTE], &[keep(OK)]).check(|o| {
            let line = o.app.first().map(|r| r.first.as_str());
            ensure(line == Some("GET /status/200 HTTP/1.1"), "origin-form")
        }),
        case("08 absolute-form and Host", &[ABSOLUTE_HOST], &[keep(OK)]),
        case("09 no Host", &[NO_HOST], &[keep(OK)]),
        case("09 two Hosts", &[TWO_HOSTS], &[keep(OK)]),
        case("09 Host, then no Host", &[GET, NO_HOST], &[]).with(|c| {
            c.requests = 2;
            c.extra_app_connection = true;
        }),
        case("06 plain, then chunked", &[GET, CHUNKED], &[]).with(|c| {
            c.requests = 2;
            c.extra_app_connection = true;
        }),
        case("10 forged headers", &[FORGED], &[keep(OK)]).check(|o| {
            let id = o.app.first().map(|r| values(&r.headers, "x-request-id"));
            ensure(id == Some(vec!["abc"]), "the client's x-request-id is kept")
        }),
        case("11 mixed-case names", &[MIXED_CASE], &[keep(OK)]),
        case("11 obs-fold", &[OBS_FOLD], &[keep(OK)]).with(|c| c.follow_up = None),
        case("11 obs-text", &[OBS_TEXT], &[keep(OK)]),
        case("22 Expect: 100-continue", &[EXPECT, b"hello"], &[keep(OK)]),
        get_with("25 70 KB of headers", &big),
        get_with("25 120 headers", &many).with(|c| c.follow_up = None),
    ];
    for target in ["/a%20b?x=1&y=[2]", "/\"quoted\"", "/{braces}"] {
        let request = format!("GET {target} HTTP/1.1\r\nHost: app.test\r\n\r\n");
        let name = format!("24 target {target}");
        cases.push(case(&name, &[request.as_bytes()], &[keep(OK)]));
    }
    differential(cases);
}

pub(crate) fn engines_agree_on_smuggling_attempts() {
    let attempt = |name: &str, framing: &str, body: &str| {
        let tail = "GET /smuggled HTTP/1.1\r\nHost: app.test\r\n\r\n";
        let request = format!("POST /a HTTP/1.1\r\nHost: app.test\r\n{framing}\r\n{body}{tail}");
        let case = case(name, &[request.as_bytes()], &[keep(OK)]);
        case.with(|c| (c.requests, c.follow_up) = (2, None))
    };
    let (te, cl) = ("Transfer-Encoding: chunked\r\n", "Content-Length: 6\r\n");
    let cl5 = "Content-Length: 5\r\n";
    differential(vec![
        attempt("07 CL then TE", &format!("{cl}{te}"), "0\r\n\r\n"),
        attempt("07 TE then CL", &format!("{te}{cl}"), "0\r\n\r\n"),
        attempt("07 two Content-Lengths", &format!("{cl}{cl5}"), "hello "),
        attempt("07 Content-Length: +5", "Content-Length: +5\r\n", "hello"),
    ]);
}

pub(crate) fn engines_agree_on_app_responses() {
    let two: [&[u8]; 2] = [
        b"GET /1 HTTP/1.1\r\nHost: a\r\n\r\n",
        b"GET /2 HTTP/1.1\r\nHost: a\r\n\r\n",
    ];
    let mib: Vec<u8> = (0..1u32 << 20).map(|i| (i % 251) as u8).collect();
    let mut upload = b"POST /up HTTP/1.1\r\nHost: a\r\nContent-Length: 1048576\r\n\r\n".to_vec();
    upload.extend_from_slice(&mib);
    let mut download = b"HTTP/1.1 200 OK\r\nContent-Length: 1048576\r\n\r\n".to_vec();
    download.extend_from_slice(&mib);
    let mut chunks = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
    for piece in mib[..256 << 10].chunks(4096) {
        chunks.extend_from_slice(format!("{:x}\r\n", piece.len()).as_bytes());
        chunks.extend_from_slice(piece);
        chunks.extend_from_slice(b"\r\n");
    }
    chunks.extend_from_slice(b"0\r\n\r\n");
    differential(vec![
        case("12 HEAD", &[HEAD], &[keep(HEAD_OK)]).with(|c| c.head = true),
        chunked_response(),
        case("14 close-delimited", &[GET], &[close(UNTIL_CLOSE)]),
        case("15 204 and 304", &two, &[keep(NO_CONTENT), keep(NOT_MOD)]).with(|c| c.requests = 2),
        case("16 103 Early Hints", &[GET], &[keep(EARLY_HINTS)]),
        case("17 HTTP/1.0 app", &[GET], &[close(HTTP10)]),
        case("18 app hop-by-hop and Server", &[GET], &[keep(PRIVATE)]).check(|o| {
            let private = values(&response(o, 0)?.headers, "x-private");
            ensure(private.is_empty(), "x-private is stripped")
        }),
        case("07 app sends CL and TE", &[GET], &[keep(APP_CL_TE)])
            .with(|c| c.extra_app_connection = true),
        case("07 app sends two CLs", &[GET], &[keep(APP_TWO_CL)]),
        case("21 1 MiB up and down", &[&upload], &[keep(&download)]),
        case("21 256 KiB chunked down", &[GET], &[keep(&chunks)]),
    ]);
}

pub(crate) fn engines_agree_on_upstream_failures() {
    let termination = |o: &Outcome| {
        status(o, 0, "503")?;
        let body = &response(o, 0)?.body;
        ensure(body.ends_with(TERMINATION), "connection termination")
    };
    let second_ok: Check = |o| status(o, 1, "200");
    differential(vec![
        case("19 app sends garbage", &[GET], &[close(b"hello\r\n\r\n")]).check(termination),
        case("19 app closes silently", &[GET], &[close(b"")]).check(termination),
        case("20 app not listening", &[GET], &[])
            .with(|c| c.app_down = true)
            .check(|o| {
                status(o, 0, "503")?;
                let body = &response(o, 0)?.body;
                ensure(body == FAILURE, "connection failure")
            }),
        case("23 app closes the pooled connection", &[GET], &[close(OK)]).check(second_ok),
        case("23 app closes it, 200 ms idle", &[GET], &[close(OK)])
            .with(|c| c.follow_up = Some(200))
            .check(second_ok),
    ]);
}

/// xorshift64: a fixed seed, so a failing split reproduces.
pub(crate) struct Rng(pub(crate) u64);

impl Rng {
    pub(crate) fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n.max(1) as u64) as usize
    }
}

pub(crate) fn engines_agree_on_random_splits() {
    let mut rng = Rng(0x6874_7470_3131_6469);
    let mut cases = Vec::new();
    for _ in 0..2 {
        for base in [simple_get(), split_post(), pipelined(), chunked_response()] {
            let bytes = base.client.concat();
            let mut cuts: Vec<usize> = (0..5).map(|_| 1 + rng.below(bytes.len() - 1)).collect();
            cuts.sort_unstable();
            cuts.dedup();
            let bounds: Vec<usize> = [0]
                .into_iter()
                .chain(cuts.clone())
                .chain([bytes.len()])
                .collect();
            let client = bounds
                .windows(2)
                .map(|w| bytes[w[0]..w[1]].to_vec())
                .collect();
            let name = format!("26 {} split at {cuts:?}", base.name);
            cases.push(Case {
                name,
                client,
                ..base
            });
        }
    }
    differential(cases);
}

pub(crate) fn lean_simple_get_adds_exactly_envoys_headers() {
    let o = run(&simple_get(), Http1Engine::Lean);
    let r = o.responses.first().expect("a response");
    let names: Vec<&str> = r.headers.iter().map(|(n, _)| n.as_str()).collect();
    let expected = "content-length content-type date server x-app x-envoy-decorator-operation \
                    x-envoy-upstream-service-time";
    assert_eq!(names, expected.split(' ').collect::<Vec<_>>(), "{o:#?}");
    assert_eq!(r.first, "HTTP/1.1 200 OK");
    assert_eq!(values(&r.headers, "server"), ["istio-envoy"]);
    let decorator = values(&r.headers, "x-envoy-decorator-operation");
    assert_eq!(decorator, ["ingress-sidecar.test:9080/*"]);
    let ms = values(&r.headers, "x-envoy-upstream-service-time");
    assert_eq!((ms, r.body.as_str()), (vec!["<ms>"], "hello"));
    let seen = o.app.first().expect("the app got the request");
    assert_eq!(seen.first, "GET /get?q=1 HTTP/1.1");
    assert_eq!(values(&seen.headers, "x-forwarded-proto"), ["http"]);
    assert_eq!(values(&seen.headers, "x-request-id"), [GENERATED]);
    assert_eq!((o.app.len(), o.end.as_str()), (2, "open"));
}

/// The access-log lines of a GET, a HEAD and a request to an app that is down, with the
/// per-run parts (times, ports, generated ids) masked.
fn access_log(engine: Http1Engine) -> Vec<String> {
    let root = tempdir();
    let dead = TcpListener::bind("127.0.0.1:0").and_then(|gone| gone.local_addr());
    let dead = dead.expect("a port nothing listens on");
    let mut lines = Vec::new();
    for (script, down) in [(vec![keep(OK), keep(HEAD_OK)], false), (Vec::new(), true)] {
        let app = App::start(&script);
        let target = if down { dead } else { app.addr };
        let log = root.path().join("access.log");
        let mut config = config(target, engine, root.path());
        config.access_log = AccessLog::File(log.clone());
        let proxy = start(config).expect("the proxy starts");
        let addr = proxy.address_of(PORT).expect("the listener is bound");
        let stream = TcpStream::connect_timeout(&addr, TIMEOUT).expect("connects");
        let client = stream
            .local_addr()
            .expect("the client's address")
            .to_string();
        let mut wire = Wire::new(stream);
        let mut responses = Vec::new();
        let get = b"GET /get?q=1 HTTP/1.1\r\nHost: app.test\r\nUser-Agent: diff/1\r\nX-Forwarded-For: 10.0.0.1\r\nX-Request-Id: fixed\r\n\r\n";
        wire.stream.write_all(get).expect("sends");
        read_final(&mut wire, false, &mut responses).expect("a response");
        if !down {
            wire.stream.write_all(HEAD).expect("sends");
            read_final(&mut wire, true, &mut responses).expect("a response");
        }
        drop(wire);
        proxy.shutdown();
        app.finish();
        let text = std::fs::read_to_string(&log).expect("the access log");
        let masked = text
            .replace(&addr.to_string(), "<proxy>")
            .replace(&client, "<client>")
            .replace(&target.to_string(), "<app>");
        lines.extend(masked.lines().map(mask_log_line));
        std::fs::remove_file(&log).expect("the log is removed between runs");
    }
    lines
}

/// Masks the start time, duration, upstream time and a generated request id of one line.
fn mask_log_line(line: &str) -> String {
    let mut tokens: Vec<String> = line.split(' ').map(str::to_string).collect();
    let digits = |t: &String| -> String {
        match t.bytes().all(|b| b.is_ascii_digit()) {
            true => "<ms>".to_string(),
            false => t.clone(),
        }
    };
    if tokens.len() > 15 {
        tokens[0] = "[<start>]".to_string();
        tokens[11] = digits(&tokens[11]);
        tokens[12] = digits(&tokens[12]);
        if tokens[15].len() == 38 {
            tokens[15] = "\"<generated>\"".to_string();
        }
    }
    tokens.join(" ")
}

pub(crate) fn engines_write_the_same_access_log_lines() {
    let lean = access_log(Http1Engine::Lean);
    let hyper = access_log(Http1Engine::Hyper);
    assert_eq!(lean.len(), 3, "{lean:#?}");
    assert!(
        lean[0].contains("\"GET /get?q=1 HTTP/1.1\" 200 - via_upstream"),
        "{lean:#?}"
    );
    assert!(
        lean[0].contains("\"10.0.0.1\" \"diff/1\" \"fixed\" \"app.test\""),
        "{lean:#?}"
    );
    assert!(lean[1].contains("\"HEAD /head HTTP/1.1\" 200"), "{lean:#?}");
    assert!(
        lean[2]
            .contains(" 503 UF upstream_reset_before_response_started{remote_connection_failure} "),
        "{lean:#?}"
    );
    assert_eq!(lean, hyper);
}

pub(crate) fn http10_and_a_missing_host_get_envoys_local_replies() {
    let http10: &[u8] = b"GET /old HTTP/1.0\r\nHost: app.test\r\n\r\n";
    for engine in [Http1Engine::Lean, Http1Engine::Hyper] {
        // Envoy's status line says HTTP/1.1, and so does the lean engine's; hyper answers a
        // 1.0 client in 1.0.
        let upgrade = match engine {
            Http1Engine::Lean => "HTTP/1.1 426 Upgrade Required",
            Http1Engine::Hyper => "HTTP/1.0 426 Upgrade Required",
        };
        let cases = [
            (NO_HOST, "HTTP/1.1 400 Bad Request", ""),
            (http10, upgrade, "Upgrade Required"),
        ];
        for (request, status, body) in cases {
            let local = case("local reply", &[request], &[]).with(|c| c.follow_up = None);
            let o = run(&local, engine);
            let r = o.responses.first().expect("a response");
            assert_eq!(
                (r.first.as_str(), r.body.as_str()),
                (status, body),
                "{o:#?}"
            );
            assert_eq!(values(&r.headers, "connection"), ["close"], "{o:#?}");
            assert_eq!(values(&r.headers, "server"), ["istio-envoy"], "{o:#?}");
            assert!(o.app.is_empty() && o.end == "closed", "{o:#?}");
        }
    }
}

/// The app's side of a WebSocket upgrade: it records the head it got, answers 101, then sends
/// back every byte it reads, upper-cased, until the proxy closes.
fn upgrade_app(listener: TcpListener) -> JoinHandle<String> {
    std::thread::spawn(move || {
        let Ok((stream, _)) = listener.accept() else {
            return String::new();
        };
        let _ = stream.set_read_timeout(Some(TIMEOUT));
        let mut wire = Wire::new(stream);
        let head = match wire.until(b"\r\n\r\n") {
            Ok(Some(raw)) => parse_head(&raw, mask_request_id),
            _ => return "no head".to_string(),
        };
        let switching = b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: x\r\n\r\n";
        if wire.stream.write_all(switching).is_err() {
            return "write failed".to_string();
        }
        let mut pending = std::mem::take(&mut wire.buf);
        loop {
            if !pending.is_empty() {
                let upper = pending.to_ascii_uppercase();
                if wire.stream.write_all(&upper).is_err() {
                    break;
                }
                pending.clear();
            }
            let mut chunk = [0u8; 1024];
            match wire.stream.read(&mut chunk) {
                Ok(0) | Err(_) => break,
                Ok(n) => pending.extend_from_slice(&chunk[..n]),
            }
        }
        format!("{head:?}")
    })
}

/// One WebSocket upgrade through `engine`: the 101 the client got, the bytes that came back
/// after it, and the head the app got.
fn upgrade_through(engine: Http1Engine) -> (Message, String, String) {
    let root = tempdir();
    let listener = TcpListener::bind("127.0.0.1:0").expect("the app binds");
    let app_addr = listener.local_addr().expect("the app's address");
    let app = upgrade_app(listener);
    let proxy = start(config(app_addr, engine, root.path())).expect("the proxy starts");
    let addr = proxy.address_of(PORT).expect("the listener is bound");
    let stream = TcpStream::connect_timeout(&addr, TIMEOUT).expect("connect");
    stream.set_read_timeout(Some(TIMEOUT)).expect("timeout");
    let mut wire = Wire::new(stream);
    let request = b"GET /ws HTTP/1.1\r\nHost: app.test\r\nConnection: keep-alive, Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
    wire.stream.write_all(request).expect("write");
    let head = match wire.until(b"\r\n\r\n") {
        Ok(Some(raw)) => parse_head(&raw, mask_response),
        other => panic!("{engine:?}: no 101: {other:?}"),
    };
    let _ = wire.stream.write_all(b"raw bytes, both ways");
    let back = wire
        .take(20)
        .map(|b| show(&b))
        .unwrap_or_else(|e| e.to_string());
    drop(wire);
    proxy.shutdown();
    let app_saw = app.join().expect("the app's thread");
    (head, back, app_saw)
}

pub(crate) fn engines_agree_on_websocket_upgrades() {
    let lean = upgrade_through(Http1Engine::Lean);
    let hyper = upgrade_through(Http1Engine::Hyper);
    assert_eq!(lean, hyper, "the engines differ");
    let (head, back, app_saw) = lean;
    assert!(head.first.starts_with("HTTP/1.1 101"), "{head:?}");
    assert_eq!(values(&head.headers, "upgrade"), ["websocket"], "{head:?}");
    assert_eq!(values(&head.headers, "connection"), ["Upgrade"], "{head:?}");
    assert_eq!(values(&head.headers, "server"), ["istio-envoy"], "{head:?}");
    assert_eq!(back, "RAW BYTES, BOTH WAYS");
    assert!(
        app_saw.contains("(\"upgrade\", \"websocket\")"),
        "{app_saw}"
    );
    assert!(
        app_saw.contains("(\"connection\", \"upgrade\")"),
        "{app_saw}"
    );
    assert!(app_saw.contains("sec-websocket-key"), "{app_saw}");
}

pub(crate) fn engines_agree_on_other_upgrades() {
    let h2c = b"GET /h2c HTTP/1.1\r\nHost: app.test\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAAP__\r\n\r\n";
    let unknown =
        b"GET /foo HTTP/1.1\r\nHost: app.test\r\nConnection: Upgrade\r\nUpgrade: foo/2\r\n\r\n";
    differential(vec![
        // Envoy strips an h2c upgrade and serves the request.
        case("26 Upgrade: h2c", &[h2c], &[keep(OK)]).check(|o| {
            let app = o.app.first().ok_or("the app got nothing")?;
            none_of(&app.headers, "http2-settings", "the app")?;
            status(o, 0, "200")
        }),
        // Envoy refuses an upgrade type it is not configured for: 403, the app sees nothing.
        case("26 Upgrade: foo/2", &[unknown], &[])
            .with(|c| c.follow_up = None)
            .check(|o| {
                ensure(o.app.is_empty(), "the app gets nothing")?;
                status(o, 0, "403")
            }),
    ]);
}
