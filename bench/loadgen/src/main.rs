//! meshtls-loadgen: the load generator of bench/run.sh. HTTP/1.1 or h2 over mTLS (rustls,
//! aws-lc-rs) with a client certificate; keep-alive (any body size), full handshakes, resumed
//! connections, many idle connections, a cold-start probe and a peak-RSS reader. Loopback only;
//! every loop is bounded in time and count.
use std::cell::{Cell, RefCell};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::rc::Rc;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rustls::client::Resumption;
use rustls::{ClientConfig, HandshakeKind, RootCertStore};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

const USAGE: &str = "usage: loadgen MODE [options] [-- COMMAND...]
modes:
  keepalive   requests on C kept-alive connections (p50/p99 latency); --h2 for h2
  idle        open --conns N connections, one request each, hold them idle: the RSS that costs
              --pid, and whether a new client is still served
  handshake   one request per connection, a full mTLS handshake each (resumption off)
  resume      one request per connection, TLS session resumption on
  cold        exec COMMAND, then probe until the first 200; prints the ms and the pid (left running)
  rss         print the peak RSS (VmHWM) of --pid and its child processes
options:
  --addr HOST:PORT   loopback target (default 127.0.0.1:9080)
  --plain            plain HTTP instead of TLS
  --ca FILE --cert FILE --key FILE --sni NAME   server CA, client certificate and key, SNI
  -c N               concurrent connections (default 32)
  -d SECS            measured duration (default 4, at most 60)
  --warmup SECS      unmeasured warm-up before (default 1, at most 10)
  -n N               stop after N measured requests (default 10000000)
  --path PATH        request path (default /status/200)
  --body N           POST an N-byte body (at most 16 MiB) instead of a GET
  --h2               keepalive over h2 (ALPN h2), --streams concurrent streams a connection
  --streams N        h2 streams in flight on each connection (default 1, at most 256)
  --conns N          idle: connections to hold (default 10000, at most 30000)
  --pid PID          a process whose CPU time (and children's) is measured; repeatable
  --timeout-ms MS    cold: give up after MS (default 10000, at most 60000)
  --log FILE         cold: the command's stdout and stderr (default: discarded)
  --label TEXT       copied to the output";

const MAX_LATENCIES: usize = 5_000_000;
const IO_TIMEOUT: Duration = Duration::from_secs(5);
const CLOCK_TICKS_PER_SECOND: f64 = 100.0;

/// The largest request body `--body` sends.
const MAX_BODY: usize = 16 * 1024 * 1024;
/// The largest response the buffered (chunked or until-close) parse holds.
const MAX_BUFFERED_RESPONSE: usize = 4 * 1024 * 1024;
/// Connections dialled at once in idle mode.
const IDLE_DIALERS: usize = 32;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Mode {
    KeepAlive,
    Idle,
    Handshake,
    Resume,
    Cold,
    Rss,
}

struct Options {
    mode: Mode,
    addr: SocketAddr,
    plain: bool,
    ca: Option<PathBuf>,
    cert: Option<PathBuf>,
    key: Option<PathBuf>,
    sni: String,
    concurrency: usize,
    duration: Duration,
    warmup: Duration,
    max_requests: u64,
    path: String,
    body: Option<usize>,
    h2: bool,
    streams: usize,
    conns: usize,
    pids: Vec<u32>,
    timeout: Duration,
    log: Option<PathBuf>,
    label: String,
    command: Vec<String>,
}

fn parse_args(args: Vec<String>) -> Result<Options, String> {
    let mut it = args.into_iter();
    let mode = match it.next().as_deref() {
        Some("keepalive") => Mode::KeepAlive,
        Some("idle") => Mode::Idle,
        Some("handshake") => Mode::Handshake,
        Some("resume") => Mode::Resume,
        Some("cold") => Mode::Cold,
        Some("rss") => Mode::Rss,
        _ => return Err(USAGE.to_string()),
    };
    let mut o = Options {
        mode,
        addr: SocketAddr::from(([127, 0, 0, 1], 9080)),
        plain: false,
        ca: None,
        cert: None,
        key: None,
        sni: "localhost".to_string(),
        concurrency: 32,
        duration: Duration::from_secs(4),
        warmup: Duration::from_secs(1),
        max_requests: 10_000_000,
        path: "/status/200".to_string(),
        body: None,
        h2: false,
        streams: 1,
        conns: 10_000,
        pids: Vec::new(),
        timeout: Duration::from_secs(10),
        log: None,
        label: String::new(),
        command: Vec::new(),
    };
    while let Some(flag) = it.next() {
        if flag == "--" {
            o.command = it.by_ref().collect();
            break;
        }
        if flag == "--plain" {
            o.plain = true;
            continue;
        }
        if flag == "--h2" {
            o.h2 = true;
            continue;
        }
        let value = it
            .next()
            .ok_or_else(|| format!("{flag} needs a value\n{USAGE}"))?;
        let bad = |what: &str| format!("{flag} {value:?}: {what}");
        let secs = |v: &str, max: f64| -> Result<Duration, String> {
            let s: f64 = v.parse().map_err(|_| bad("expected seconds"))?;
            if !(0.0..=max).contains(&s) {
                return Err(bad(&format!("must be 0 to {max}")));
            }
            Ok(Duration::from_secs_f64(s))
        };
        match flag.as_str() {
            "--addr" => o.addr = value.parse().map_err(|_| bad("expected HOST:PORT"))?,
            "--ca" => o.ca = Some(PathBuf::from(&value)),
            "--cert" => o.cert = Some(PathBuf::from(&value)),
            "--key" => o.key = Some(PathBuf::from(&value)),
            "--sni" => o.sni = value.clone(),
            "-c" => {
                o.concurrency = value.parse().map_err(|_| bad("expected a count"))?;
                if !(1..=1024).contains(&o.concurrency) {
                    return Err(bad("must be 1 to 1024"));
                }
            }
            "-d" => o.duration = secs(&value, 60.0)?,
            "--warmup" => o.warmup = secs(&value, 10.0)?,
            "-n" => o.max_requests = value.parse().map_err(|_| bad("expected a count"))?,
            "--path" => o.path = value.clone(),
            "--body" => {
                let n: usize = value.parse().map_err(|_| bad("expected a size in bytes"))?;
                if n > MAX_BODY {
                    return Err(bad("must be at most 16 MiB"));
                }
                o.body = Some(n);
            }
            "--streams" => {
                o.streams = value.parse().map_err(|_| bad("expected a count"))?;
                if !(1..=256).contains(&o.streams) {
                    return Err(bad("must be 1 to 256"));
                }
            }
            "--conns" => {
                o.conns = value.parse().map_err(|_| bad("expected a count"))?;
                if !(1..=30_000).contains(&o.conns) {
                    return Err(bad("must be 1 to 30000"));
                }
            }
            "--pid" => o
                .pids
                .push(value.parse().map_err(|_| bad("expected a pid"))?),
            "--timeout-ms" => {
                let ms: u64 = value.parse().map_err(|_| bad("expected milliseconds"))?;
                o.timeout = Duration::from_millis(ms.min(60_000));
            }
            "--log" => o.log = Some(PathBuf::from(&value)),
            "--label" => o.label = value.clone(),
            _ => return Err(format!("unknown option {flag}\n{USAGE}")),
        }
    }
    if !o.addr.ip().is_loopback() {
        return Err(format!(
            "--addr {}: only loopback targets are allowed",
            o.addr
        ));
    }
    if o.mode == Mode::Cold && o.command.is_empty() {
        return Err("cold needs the command after --".to_string());
    }
    if o.mode == Mode::Rss && o.pids.is_empty() {
        return Err("rss needs --pid".to_string());
    }
    if o.h2 && (o.mode != Mode::KeepAlive || o.plain || o.body.is_some()) {
        return Err("--h2 is for keepalive over TLS, without --body".to_string());
    }
    Ok(o)
}

fn client_config(o: &Options, resumption: bool) -> Result<Arc<ClientConfig>, String> {
    client_config_alpn(o, resumption, o.h2)
}

fn client_config_alpn(
    o: &Options,
    resumption: bool,
    h2: bool,
) -> Result<Arc<ClientConfig>, String> {
    let (Some(ca), Some(cert), Some(key)) = (&o.ca, &o.cert, &o.key) else {
        return Err("TLS needs --ca, --cert and --key (or --plain)".to_string());
    };
    let mut roots = RootCertStore::empty();
    for c in CertificateDer::pem_file_iter(ca).map_err(|e| format!("{}: {e}", ca.display()))? {
        let c = c.map_err(|e| format!("{}: {e}", ca.display()))?;
        roots.add(c).map_err(|e| format!("{}: {e}", ca.display()))?;
    }
    let chain = CertificateDer::pem_file_iter(cert)
        .map_err(|e| format!("{}: {e}", cert.display()))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("{}: {e}", cert.display()))?;
    let key = PrivateKeyDer::from_pem_file(key).map_err(|e| format!("{}: {e}", key.display()))?;
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let mut config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_root_certificates(roots)
        .with_client_auth_cert(chain, key)
        .map_err(|e| format!("client certificate: {e}"))?;
    config.alpn_protocols = if h2 {
        vec![b"h2".to_vec()]
    } else {
        vec![b"http/1.1".to_vec()]
    };
    config.resumption = if resumption {
        Resumption::in_memory_sessions(4096)
    } else {
        Resumption::disabled()
    };
    Ok(Arc::new(config))
}

/// What the workers share (one thread: plain cells).
#[derive(Default)]
struct Shared {
    measuring: Cell<bool>,
    stop: Cell<bool>,
    ok: Cell<u64>,
    /// Body bytes moved by the measured requests (response bodies read, request bodies sent).
    bytes: Cell<u64>,
    errors: Cell<u64>,
    resumed: Cell<u64>,
    full: Cell<u64>,
    latencies_us: RefCell<Vec<u32>>,
    first_error: RefCell<Option<String>>,
}

impl Shared {
    fn error(&self, e: String) {
        if self.measuring.get() {
            self.errors.set(self.errors.get() + 1);
        }
        let mut first = self.first_error.borrow_mut();
        if first.is_none() {
            *first = Some(e);
        }
    }

    fn done(&self, started: Instant, kind: Option<HandshakeKind>, bytes: u64) {
        if !self.measuring.get() {
            return;
        }
        self.ok.set(self.ok.get() + 1);
        self.bytes.set(self.bytes.get() + bytes);
        match kind {
            Some(HandshakeKind::Resumed) => self.resumed.set(self.resumed.get() + 1),
            Some(_) => self.full.set(self.full.get() + 1),
            None => {}
        }
        let mut lat = self.latencies_us.borrow_mut();
        if lat.len() < MAX_LATENCIES {
            let us = started.elapsed().as_micros().min(u128::from(u32::MAX)) as u32;
            lat.push(us);
        }
    }
}

struct Target {
    addr: SocketAddr,
    sni: ServerName<'static>,
    tls: Option<TlsConnector>,
    request: Vec<u8>,
    request_close: Vec<u8>,
    /// The request body (`--body`), sent after either head.
    body: Rc<Vec<u8>>,
    /// h2's `:authority` and path, as one URI.
    uri: http::Uri,
}

/// A response read off a connection buffer.
struct Buffer {
    data: Vec<u8>,
    filled: usize,
}

impl Buffer {
    fn new() -> Buffer {
        Buffer {
            data: vec![0; 16 * 1024],
            filled: 0,
        }
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// How a response body is delimited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Framing {
    Empty,
    Length(u64),
    /// Chunked, or until the close: the whole response is buffered and parsed.
    Chunked,
    UntilClose,
}

/// A response head at the start of a buffer.
struct Head {
    len: usize,
    status: u16,
    close: bool,
    framing: Framing,
}

/// Parses the response head at the start of `buf`; Ok(None) when more bytes are needed.
fn parse_head(buf: &[u8]) -> Result<Option<Head>, String> {
    let Some(end) = find(buf, b"\r\n\r\n") else {
        return if buf.len() > 64 * 1024 {
            Err("response header over 64 KiB".to_string())
        } else {
            Ok(None)
        };
    };
    let head = std::str::from_utf8(&buf[..end]).map_err(|_| "non-UTF-8 response head")?;
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or("");
    let status: u16 = status_line
        .get(9..12)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("bad status line {status_line:?}"))?;
    let mut length = None;
    let mut chunked = false;
    let mut close = status_line.starts_with("HTTP/1.0");
    for line in lines {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim();
        if name.eq_ignore_ascii_case("content-length") {
            length = Some(value.parse::<u64>().map_err(|_| "bad content-length")?);
        } else if name.eq_ignore_ascii_case("transfer-encoding") {
            chunked = value.to_ascii_lowercase().contains("chunked");
        } else if name.eq_ignore_ascii_case("connection") {
            let v = value.to_ascii_lowercase();
            close = v.contains("close") || (close && !v.contains("keep-alive"));
        }
    }
    let framing = if status == 204 || status == 304 || (100..200).contains(&status) {
        Framing::Empty
    } else if chunked {
        Framing::Chunked
    } else {
        match length {
            Some(0) => Framing::Empty,
            Some(n) => Framing::Length(n),
            None => Framing::UntilClose,
        }
    };
    Ok(Some(Head {
        len: end + 4,
        status,
        close,
        framing,
    }))
}

/// Parses one whole response at the start of `buf`: Ok(Some((consumed, status, close))) when
/// whole, Ok(None) when more bytes are needed. `eof` ends a body delimited by the close.
fn parse_response(buf: &[u8], eof: bool) -> Result<Option<(usize, u16, bool)>, String> {
    let Some(head) = parse_head(buf)? else {
        return Ok(None);
    };
    let (body, status, close) = (head.len, head.status, head.close);
    match head.framing {
        Framing::Empty => return Ok(Some((body, status, close))),
        Framing::Length(n) => {
            let n = usize::try_from(n).unwrap_or(usize::MAX);
            return Ok((buf.len() >= body.saturating_add(n)).then(|| (body + n, status, close)));
        }
        Framing::Chunked | Framing::UntilClose => {}
    }
    if head.framing == Framing::Chunked {
        let mut at = body;
        loop {
            let Some(line_end) = find(&buf[at..], b"\r\n") else {
                return Ok(None);
            };
            let size_text =
                std::str::from_utf8(&buf[at..at + line_end]).map_err(|_| "bad chunk")?;
            let size_text = size_text.split(';').next().unwrap_or("").trim();
            let size = usize::from_str_radix(size_text, 16).map_err(|_| "bad chunk size")?;
            at += line_end + 2;
            if size == 0 {
                // Trailers, then an empty line.
                let Some(t) = find(&buf[at..], b"\r\n") else {
                    return Ok(None);
                };
                if t == 0 {
                    return Ok(Some((at + 2, status, close)));
                }
                let Some(t) = find(&buf[at..], b"\r\n\r\n") else {
                    return Ok(None);
                };
                return Ok(Some((at + t + 4, status, close)));
            }
            if buf.len() < at + size + 2 {
                return Ok(None);
            }
            at += size + 2;
        }
    }
    if eof {
        Ok(Some((buf.len(), status, true)))
    } else {
        Ok(None)
    }
}

/// Reads more of the response onto `buf` (grown up to the buffered limit); 0 at the end.
async fn fill<S: AsyncRead + Unpin>(stream: &mut S, buf: &mut Buffer) -> Result<usize, String> {
    if buf.filled == buf.data.len() {
        if buf.data.len() >= MAX_BUFFERED_RESPONSE {
            return Err("buffered response over 4 MiB".to_string());
        }
        let grown = buf.data.len() * 2;
        buf.data.resize(grown, 0);
    }
    let n = stream
        .read(&mut buf.data[buf.filled..])
        .await
        .map_err(|e| format!("read: {e}"))?;
    buf.filled += n;
    Ok(n)
}

/// Writes `request` (and `body`) and reads one response; returns its status, whether the
/// server closes, and the body bytes moved. A body of known length is read and dropped as it
/// comes, so any size goes through a 16 KiB buffer.
async fn exchange<S>(
    stream: &mut S,
    request: &[u8],
    body: &[u8],
    buf: &mut Buffer,
) -> Result<(u16, bool, u64), String>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let io = async {
        stream
            .write_all(request)
            .await
            .map_err(|e| format!("write: {e}"))?;
        if !body.is_empty() {
            stream
                .write_all(body)
                .await
                .map_err(|e| format!("write: {e}"))?;
        }
        stream.flush().await.map_err(|e| format!("flush: {e}"))?;
        let head = loop {
            if let Some(head) = parse_head(&buf.data[..buf.filled])? {
                break head;
            }
            if fill(stream, buf).await? == 0 {
                return Err("connection closed mid-response".to_string());
            }
        };
        match head.framing {
            Framing::Empty => {
                consume(buf, head.len);
                Ok((head.status, head.close, body.len() as u64))
            }
            Framing::Length(n) => {
                consume(buf, head.len);
                let mut left = n;
                loop {
                    let here = usize::try_from(left).unwrap_or(usize::MAX).min(buf.filled);
                    consume(buf, here);
                    left -= here as u64;
                    if left == 0 {
                        break;
                    }
                    if fill(stream, buf).await? == 0 {
                        return Err("connection closed mid-response".to_string());
                    }
                }
                Ok((head.status, head.close, n + body.len() as u64))
            }
            Framing::Chunked | Framing::UntilClose => {
                let mut eof = false;
                loop {
                    if let Some((used, status, close)) =
                        parse_response(&buf.data[..buf.filled], eof)?
                    {
                        let moved = (used - head.len + body.len()) as u64;
                        consume(buf, used);
                        return Ok((status, close, moved));
                    }
                    if eof {
                        return Err("connection closed mid-response".to_string());
                    }
                    eof = fill(stream, buf).await? == 0;
                }
            }
        }
    };
    tokio::time::timeout(IO_TIMEOUT, io)
        .await
        .map_err(|_| "timed out".to_string())?
}

/// Drops the first `n` bytes of the buffer.
fn consume(buf: &mut Buffer, n: usize) {
    buf.data.copy_within(n..buf.filled, 0);
    buf.filled -= n;
}

enum Conn {
    Plain(TcpStream),
    Tls(Box<tokio_rustls::client::TlsStream<TcpStream>>),
}

async fn connect(target: &Target) -> Result<(Conn, Option<HandshakeKind>), String> {
    let dial = async {
        let tcp = TcpStream::connect(target.addr)
            .await
            .map_err(|e| format!("connect: {e}"))?;
        let _ = tcp.set_nodelay(true);
        match &target.tls {
            None => Ok((Conn::Plain(tcp), None)),
            Some(connector) => {
                let tls = connector
                    .connect(target.sni.clone(), tcp)
                    .await
                    .map_err(|e| format!("TLS handshake: {e}"))?;
                let kind = tls.get_ref().1.handshake_kind();
                Ok((Conn::Tls(Box::new(tls)), kind))
            }
        }
    };
    tokio::time::timeout(IO_TIMEOUT, dial)
        .await
        .map_err(|_| "connect timed out".to_string())?
}

async fn exchange_on(
    conn: &mut Conn,
    request: &[u8],
    body: &[u8],
    buf: &mut Buffer,
) -> Result<(u16, bool, u64), String> {
    match conn {
        Conn::Plain(s) => exchange(s, request, body, buf).await,
        Conn::Tls(s) => exchange(s.as_mut(), request, body, buf).await,
    }
}

async fn close(conn: Conn) {
    let closing = async {
        match conn {
            Conn::Plain(mut s) => {
                let _ = s.shutdown().await;
            }
            Conn::Tls(mut s) => {
                let _ = s.shutdown().await;
            }
        }
    };
    let _ = tokio::time::timeout(Duration::from_secs(1), closing).await;
}

async fn keepalive_worker(target: Rc<Target>, shared: Rc<Shared>) {
    let mut buf = Buffer::new();
    while !shared.stop.get() {
        let mut conn = match connect(&target).await {
            Ok((conn, _)) => conn,
            Err(e) => {
                shared.error(e);
                tokio::time::sleep(Duration::from_millis(10)).await;
                continue;
            }
        };
        buf.filled = 0;
        while !shared.stop.get() {
            let started = Instant::now();
            match exchange_on(&mut conn, &target.request, &target.body, &mut buf).await {
                Ok((200, close, moved)) => {
                    shared.done(started, None, moved);
                    if close {
                        break;
                    }
                }
                Ok((status, _, _)) => {
                    shared.error(format!("status {status}"));
                    break;
                }
                Err(e) => {
                    shared.error(e);
                    break;
                }
            }
        }
    }
}

/// One h2 connection at a time, `streams` requests in flight on it; a new connection when it fails.
async fn h2_worker(target: Rc<Target>, shared: Rc<Shared>, streams: usize) {
    while !shared.stop.get() {
        let tls = match connect(&target).await {
            Ok((Conn::Tls(tls), _)) => tls,
            Ok((Conn::Plain(_), _)) => {
                shared.error("h2 needs TLS".to_string());
                return;
            }
            Err(e) => {
                shared.error(e);
                tokio::time::sleep(Duration::from_millis(10)).await;
                continue;
            }
        };
        if tls.get_ref().1.alpn_protocol() != Some(b"h2") {
            shared.error("the server did not choose h2 (ALPN)".to_string());
            tokio::time::sleep(Duration::from_millis(10)).await;
            continue;
        }
        let handshake = h2::client::Builder::new()
            .initial_window_size(1 << 20)
            .initial_connection_window_size(16 << 20)
            .handshake::<_, bytes::Bytes>(tls);
        let (send, connection) = match tokio::time::timeout(IO_TIMEOUT, handshake).await {
            Ok(Ok(pair)) => pair,
            Ok(Err(e)) => {
                shared.error(format!("h2 handshake: {e}"));
                tokio::time::sleep(Duration::from_millis(10)).await;
                continue;
            }
            Err(_) => {
                shared.error("h2 handshake timed out".to_string());
                continue;
            }
        };
        let driver = tokio::task::spawn_local(async move {
            let _ = connection.await;
        });
        let workers: Vec<_> = (0..streams)
            .map(|_| {
                tokio::task::spawn_local(h2_stream(
                    send.clone(),
                    Rc::clone(&target),
                    Rc::clone(&shared),
                ))
            })
            .collect();
        drop(send);
        for w in workers {
            let _ = w.await;
        }
        driver.abort();
    }
}

/// Requests one after another on one stream slot of an h2 connection, until it fails or the run stops.
async fn h2_stream(
    mut send: h2::client::SendRequest<bytes::Bytes>,
    target: Rc<Target>,
    shared: Rc<Shared>,
) {
    while !shared.stop.get() {
        let started = Instant::now();
        let request = http::Request::builder()
            .method(http::Method::GET)
            .uri(target.uri.clone())
            .header("user-agent", "meshtls-loadgen")
            .header("accept", "*/*")
            .body(());
        let Ok(request) = request else {
            shared.error("bad request URI".to_string());
            return;
        };
        let one = async {
            send = send.clone().ready().await.map_err(|e| format!("h2: {e}"))?;
            let (response, _) = send
                .send_request(request, true)
                .map_err(|e| format!("h2 request: {e}"))?;
            let response = response.await.map_err(|e| format!("h2 response: {e}"))?;
            let status = response.status().as_u16();
            let mut body = response.into_body();
            let mut moved = 0u64;
            while let Some(chunk) = body.data().await {
                let chunk = chunk.map_err(|e| format!("h2 body: {e}"))?;
                moved += chunk.len() as u64;
                let _ = body.flow_control().release_capacity(chunk.len());
            }
            Ok::<_, String>((status, moved))
        };
        match tokio::time::timeout(IO_TIMEOUT, one).await {
            Ok(Ok((200, moved))) => shared.done(started, None, moved),
            Ok(Ok((status, _))) => {
                shared.error(format!("status {status}"));
                return;
            }
            Ok(Err(e)) => {
                shared.error(e);
                return;
            }
            Err(_) => {
                shared.error("h2 request timed out".to_string());
                return;
            }
        }
    }
}

async fn connection_worker(target: Rc<Target>, shared: Rc<Shared>) {
    let mut buf = Buffer::new();
    while !shared.stop.get() {
        let started = Instant::now();
        let (mut conn, kind) = match connect(&target).await {
            Ok(c) => c,
            Err(e) => {
                shared.error(e);
                tokio::time::sleep(Duration::from_millis(10)).await;
                continue;
            }
        };
        buf.filled = 0;
        match exchange_on(&mut conn, &target.request_close, &target.body, &mut buf).await {
            Ok((200, _, moved)) => shared.done(started, kind, moved),
            Ok((status, _, _)) => shared.error(format!("status {status}")),
            Err(e) => shared.error(e),
        }
        close(conn).await;
    }
}

/// utime+stime in seconds of `pid` and its child processes.
fn cpu_seconds(pid: u32) -> f64 {
    let mut total = 0.0;
    for p in with_children(pid) {
        if let Ok(stat) = std::fs::read_to_string(format!("/proc/{p}/stat")) {
            // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
            if let Some(rest) = stat.rsplit_once(')').map(|(_, r)| r) {
                let fields: Vec<&str> = rest.split_whitespace().collect();
                let ticks: f64 = [11, 12]
                    .iter()
                    .filter_map(|&i| fields.get(i).and_then(|f| f.parse::<f64>().ok()))
                    .sum();
                total += ticks / CLOCK_TICKS_PER_SECOND;
            }
        }
    }
    total
}

fn with_children(pid: u32) -> Vec<u32> {
    let mut all = vec![pid];
    if let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) {
        for task in tasks.flatten() {
            if let Ok(children) = std::fs::read_to_string(task.path().join("children")) {
                all.extend(
                    children
                        .split_whitespace()
                        .filter_map(|c| c.parse::<u32>().ok()),
                );
            }
        }
    }
    all.sort_unstable();
    all.dedup();
    all
}

/// Sum of VmHWM (KiB) over `pid` and its child processes.
fn hwm_kib(pid: u32) -> u64 {
    with_children(pid)
        .into_iter()
        .filter_map(|p| std::fs::read_to_string(format!("/proc/{p}/status")).ok())
        .filter_map(|status| {
            status
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        })
        .sum()
}

/// Sum of VmRSS (KiB) over `pid` and its child processes: what they hold now.
fn rss_kib(pid: u32) -> u64 {
    with_children(pid)
        .into_iter()
        .filter_map(|p| std::fs::read_to_string(format!("/proc/{p}/status")).ok())
        .filter_map(|status| {
            status
                .lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        })
        .sum()
}

fn self_cpu_seconds() -> f64 {
    cpu_seconds(std::process::id())
}

fn percentile(sorted: &[u32], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    f64::from(sorted[rank.clamp(1, sorted.len()) - 1]) / 1000.0
}

fn json_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn build_target(o: &Options) -> Result<Target, String> {
    let tls = if o.plain {
        None
    } else {
        let resumption = matches!(o.mode, Mode::Resume | Mode::KeepAlive | Mode::Idle);
        Some(TlsConnector::from(client_config(o, resumption)?))
    };
    let sni = ServerName::try_from(o.sni.clone()).map_err(|e| format!("--sni: {e}"))?;
    let host = format!("{}:{}", o.sni, o.addr.port());
    let (method, length) = match o.body {
        Some(n) => ("POST", format!("Content-Length: {n}\r\n")),
        None => ("GET", String::new()),
    };
    let request = format!(
        "{method} {} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: meshtls-loadgen\r\nAccept: */*\r\n{length}\r\n",
        o.path
    );
    let request_close = format!(
        "{method} {} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: meshtls-loadgen\r\nAccept: */*\r\n{length}Connection: close\r\n\r\n",
        o.path
    );
    let uri = format!("https://{host}{}", o.path)
        .parse()
        .map_err(|_| format!("--path {:?}: not a valid path", o.path))?;
    Ok(Target {
        addr: o.addr,
        sni,
        tls,
        request: request.into_bytes(),
        request_close: request_close.into_bytes(),
        body: Rc::new(vec![b'x'; o.body.unwrap_or(0)]),
        uri,
    })
}

/// A copy of `target` with a session cache of its own. rustls keeps at most 8 TLS 1.3 tickets
/// per server name, fewer than the connections in flight, so one shared cache would make some
/// connections handshake in full; each worker with its own cache resumes every time.
fn own_session_cache(target: &Target, o: &Options) -> Result<Target, String> {
    let mut config = (*client_config(o, true)?).clone();
    config.resumption = Resumption::in_memory_sessions(16);
    Ok(Target {
        addr: target.addr,
        sni: target.sni.clone(),
        tls: Some(TlsConnector::from(Arc::new(config))),
        request: target.request.clone(),
        request_close: target.request_close.clone(),
        body: Rc::clone(&target.body),
        uri: target.uri.clone(),
    })
}

async fn load(o: Options) -> Result<String, String> {
    let target = Rc::new(build_target(&o)?);
    let shared = Rc::new(Shared::default());
    let mut workers = Vec::new();
    for _ in 0..o.concurrency {
        let t = if o.mode == Mode::Resume && !o.plain {
            Rc::new(own_session_cache(&target, &o)?)
        } else {
            Rc::clone(&target)
        };
        let s = Rc::clone(&shared);
        workers.push(match o.mode {
            Mode::KeepAlive if o.h2 => tokio::task::spawn_local(h2_worker(t, s, o.streams)),
            Mode::KeepAlive => tokio::task::spawn_local(keepalive_worker(t, s)),
            _ => tokio::task::spawn_local(connection_worker(t, s)),
        });
    }
    tokio::time::sleep(o.warmup).await;
    let cpu0: Vec<f64> = o.pids.iter().map(|&p| cpu_seconds(p)).collect();
    let own0 = self_cpu_seconds();
    let t0 = Instant::now();
    shared.measuring.set(true);
    let deadline = t0 + o.duration;
    while Instant::now() < deadline && shared.ok.get() < o.max_requests {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    shared.measuring.set(false);
    let secs = t0.elapsed().as_secs_f64();
    let own = self_cpu_seconds() - own0;
    let target_cpu: f64 = o
        .pids
        .iter()
        .zip(&cpu0)
        .map(|(&p, &c)| cpu_seconds(p) - c)
        .sum();
    shared.stop.set(true);
    let _ = tokio::time::timeout(Duration::from_secs(3), async {
        for w in workers {
            let _ = w.await;
        }
    })
    .await;
    let mut lat = shared.latencies_us.take();
    lat.sort_unstable();
    let ok = shared.ok.get();
    let hwm: u64 = o.pids.iter().map(|&p| hwm_kib(p)).sum();
    let bytes = shared.bytes.get();
    let mib = bytes as f64 / 1_048_576.0;
    let mut out = format!(
        "{{\"mode\":\"{}\",\"label\":{},\"h2\":{},\"streams\":{},\"ok\":{ok},\"bytes\":{bytes},\"mib_per_s\":{:.1},\"errors\":{},\"secs\":{secs:.3},\"rate\":{:.1},\"p50_ms\":{:.3},\"p90_ms\":{:.3},\"p99_ms\":{:.3},\"max_ms\":{:.3},\"resumed\":{},\"full\":{},\"loadgen_cpu\":{:.3}",
        mode_name(o.mode),
        json_string(&o.label),
        o.h2,
        o.streams,
        mib / secs,
        shared.errors.get(),
        ok as f64 / secs,
        percentile(&lat, 50.0),
        percentile(&lat, 90.0),
        percentile(&lat, 99.0),
        percentile(&lat, 100.0),
        shared.resumed.get(),
        shared.full.get(),
        own / secs,
    );
    if !o.pids.is_empty() {
        let per_request = if ok > 0 {
            target_cpu * 1e6 / ok as f64
        } else {
            0.0
        };
        out.push_str(&format!(
            ",\"target_cpu\":{:.3},\"target_cpu_us_per_req\":{per_request:.2},\"target_hwm_kib\":{hwm}",
            target_cpu / secs
        ));
        if mib >= 1.0 {
            out.push_str(&format!(
                ",\"target_cpu_us_per_mib\":{:.1}",
                target_cpu * 1e6 / mib
            ));
        }
    }
    if let Some(e) = shared.first_error.borrow().as_ref() {
        out.push_str(&format!(",\"first_error\":{}", json_string(e)));
    }
    out.push('}');
    Ok(out)
}

/// Idle mode: `--conns` connections, each after one request, held open; the RSS of `--pid`
/// before and after, and whether a new client (a full handshake) is still served.
async fn idle(o: Options) -> Result<String, String> {
    let target = build_target(&o)?;
    let before: u64 = o.pids.iter().map(|&p| rss_kib(p)).sum();
    let held: Rc<RefCell<Vec<Conn>>> = Rc::new(RefCell::new(Vec::with_capacity(o.conns)));
    let shared = Rc::new(Shared::default());
    shared.measuring.set(true);
    let started = Instant::now();
    let deadline = started + o.duration.max(Duration::from_secs(1));
    let mut dialers = Vec::new();
    for _ in 0..IDLE_DIALERS.min(o.conns) {
        // Each dialer resumes its own sessions (see own_session_cache).
        let t = Rc::new(if o.plain {
            build_target(&o)?
        } else {
            own_session_cache(&target, &o)?
        });
        let (held, shared, want) = (Rc::clone(&held), Rc::clone(&shared), o.conns);
        dialers.push(tokio::task::spawn_local(async move {
            let mut buf = Buffer::new();
            let mut failures = 0u32;
            while held.borrow().len() < want && Instant::now() < deadline && failures < 100 {
                let started = Instant::now();
                let (mut conn, kind) = match connect(&t).await {
                    Ok(c) => c,
                    Err(e) => {
                        failures += 1;
                        shared.error(e);
                        tokio::time::sleep(Duration::from_millis(10)).await;
                        continue;
                    }
                };
                buf.filled = 0;
                match exchange_on(&mut conn, &t.request, &t.body, &mut buf).await {
                    Ok((200, false, moved)) => {
                        shared.done(started, kind, moved);
                        held.borrow_mut().push(conn);
                    }
                    Ok((status, _, _)) => {
                        failures += 1;
                        shared.error(format!("status {status} (or a close)"));
                    }
                    Err(e) => {
                        failures += 1;
                        shared.error(e);
                    }
                }
            }
        }));
    }
    for d in dialers {
        let _ = d.await;
    }
    let open_secs = started.elapsed().as_secs_f64();
    // Let the peer settle (its handshake buffers freed, timers set), then read what it holds.
    tokio::time::sleep(Duration::from_millis(1000)).await;
    let after: u64 = o.pids.iter().map(|&p| rss_kib(p)).sum();
    let open = held.borrow().len();
    // A new client, with a full handshake, while all of them are held.
    let fresh = Target {
        tls: match o.plain {
            true => None,
            false => Some(TlsConnector::from(client_config(&o, false)?)),
        },
        ..build_target(&o)?
    };
    let probe_started = Instant::now();
    let mut buf = Buffer::new();
    let probe = match connect(&fresh).await {
        Ok((mut conn, _)) => {
            let answer = exchange_on(&mut conn, &fresh.request_close, &fresh.body, &mut buf).await;
            close(conn).await;
            answer.map(|(status, _, _)| status)
        }
        Err(e) => Err(e),
    };
    let probe_ms = probe_started.elapsed().as_secs_f64() * 1000.0;
    // Still open? Each held connection that the peer closed meanwhile reads as readable.
    let conns = held.take();
    let still_open = conns
        .iter()
        .filter(|c| match c {
            Conn::Plain(s) => s.peek_closed_now().is_none(),
            Conn::Tls(s) => s.get_ref().0.peek_closed_now().is_none(),
        })
        .count();
    drop(conns);
    let per_conn = if open > 0 {
        (after as f64 - before as f64) / open as f64
    } else {
        0.0
    };
    let mut out = format!(
        "{{\"mode\":\"idle\",\"label\":{},\"conns\":{open},\"still_open\":{still_open},\"open_secs\":{open_secs:.2},\"resumed\":{},\"full\":{},\"errors\":{},\"rss_before_kib\":{before},\"rss_after_kib\":{after},\"kib_per_conn\":{per_conn:.2},\"new_client_status\":{},\"new_client_ms\":{probe_ms:.2}",
        json_string(&o.label),
        shared.resumed.get(),
        shared.full.get(),
        shared.errors.get(),
        probe.as_ref().map_or(0, |s| *s),
    );
    if let Err(e) = &probe {
        out.push_str(&format!(",\"new_client_error\":{}", json_string(e)));
    }
    if let Some(e) = shared.first_error.borrow().as_ref() {
        out.push_str(&format!(",\"first_error\":{}", json_string(e)));
    }
    out.push('}');
    Ok(out)
}

/// Whether the peer has closed an idle connection: readable with nothing (EOF) or an error,
/// seen without blocking. `None` while it is open and quiet.
trait PeekClosed {
    fn peek_closed_now(&self) -> Option<()>;
}

impl PeekClosed for TcpStream {
    fn peek_closed_now(&self) -> Option<()> {
        let mut byte = [0u8; 1];
        let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
        let mut buf = tokio::io::ReadBuf::new(&mut byte);
        match self.poll_peek(&mut cx, &mut buf) {
            std::task::Poll::Ready(Ok(0)) | std::task::Poll::Ready(Err(_)) => Some(()),
            // Bytes (a ticket, a GOAWAY) mean it is still open.
            _ => None,
        }
    }
}

/// Raises this process's open-files soft limit to the hard one (idle mode holds thousands).
fn raise_open_files() {
    use rustix::process::{Resource, Rlimit, getrlimit, setrlimit};
    let limit = getrlimit(Resource::Nofile);
    if limit.current.is_some() && limit.current != limit.maximum {
        let _ = setrlimit(
            Resource::Nofile,
            Rlimit {
                current: limit.maximum,
                maximum: limit.maximum,
            },
        );
    }
}

fn mode_name(mode: Mode) -> &'static str {
    match mode {
        Mode::KeepAlive => "keepalive",
        Mode::Idle => "idle",
        Mode::Handshake => "handshake",
        Mode::Resume => "resume",
        Mode::Cold => "cold",
        Mode::Rss => "rss",
    }
}

async fn cold(o: Options) -> Result<String, String> {
    let target = build_target(&o)?;
    let (stdout, stderr) = match &o.log {
        Some(path) => {
            let file =
                std::fs::File::create(path).map_err(|e| format!("{}: {e}", path.display()))?;
            let copy = file.try_clone().map_err(|e| e.to_string())?;
            (Stdio::from(file), Stdio::from(copy))
        }
        None => (Stdio::null(), Stdio::null()),
    };
    // Seed this process's RNG now, so its one-time cost is not counted against the proxy.
    let mut seed = [0u8; 16];
    aws_lc_rs::rand::fill(&mut seed).map_err(|_| "the RNG failed".to_string())?;
    let started = Instant::now();
    let mut child = Command::new(&o.command[0])
        .args(&o.command[1..])
        .stdin(Stdio::null())
        .stdout(stdout)
        .stderr(stderr)
        .spawn()
        .map_err(|e| format!("starting {}: {e}", o.command[0]))?;
    let pid = child.id();
    let mut attempts = 0u64;
    let mut last_error = String::new();
    let mut buf = Buffer::new();
    while started.elapsed() < o.timeout {
        attempts += 1;
        if let Ok(Some(status)) = child.try_wait() {
            return Err(format!(
                "{} exited with {status} before answering",
                o.command[0]
            ));
        }
        match connect(&target).await {
            Ok((mut conn, _)) => {
                buf.filled = 0;
                match exchange_on(&mut conn, &target.request_close, &target.body, &mut buf).await {
                    Ok((200, _, _)) => {
                        let ms = started.elapsed().as_secs_f64() * 1000.0;
                        close(conn).await;
                        return Ok(format!(
                            "{{\"mode\":\"cold\",\"label\":{},\"ms\":{ms:.2},\"pid\":{pid},\"attempts\":{attempts}}}",
                            json_string(&o.label)
                        ));
                    }
                    Ok((status, _, _)) => last_error = format!("status {status}"),
                    Err(e) => last_error = e,
                }
                close(conn).await;
            }
            Err(e) => last_error = e,
        }
        tokio::time::sleep(Duration::from_micros(500)).await;
    }
    let _ = child.kill();
    let _ = child.wait();
    Err(format!(
        "no 200 within {:?} ({attempts} attempts; last: {last_error})",
        o.timeout
    ))
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let options = match parse_args(args) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(64);
        }
    };
    if options.mode == Mode::Rss {
        let total: u64 = options.pids.iter().map(|&p| hwm_kib(p)).sum();
        println!("{{\"mode\":\"rss\",\"hwm_kib\":{total}}}");
        return;
    }
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("runtime: {e}");
            std::process::exit(1);
        }
    };
    raise_open_files();
    let local = tokio::task::LocalSet::new();
    let result = local.block_on(&runtime, async move {
        match options.mode {
            Mode::Cold => cold(options).await,
            Mode::Idle => idle(options).await,
            _ => load(options).await,
        }
    });
    match result {
        Ok(line) => println!("{line}"),
        Err(e) => {
            eprintln!("loadgen: {e}");
            std::process::exit(1);
        }
    }
}
