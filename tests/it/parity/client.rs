//! The parity suite's clients: one exchange, put the same way to Envoy and to meshtls, reduced
//! to an outcome text (status, headers minus the volatile ones, body; or the TLS alert, the
//! reset, the close) that two servers agree on exactly when a client could not tell them apart.
use std::io::ErrorKind;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;

use super::corpus::{Client, Exchange, Kind};

pub const TIMEOUT: Duration = Duration::from_secs(5);
const SNI: &str = "httpbin.test.svc.cluster.local";

/// The client identities and roots the corpus uses.
pub struct Identities {
    pub page_roots: rustls::RootCertStore,
    pub page: (Vec<CertificateDer<'static>>, PrivateKeyDer<'static>),
    pub other_ca: (Vec<CertificateDer<'static>>, PrivateKeyDer<'static>),
    pub expired: (Vec<CertificateDer<'static>>, PrivateKeyDer<'static>),
    pub revoked: (Vec<CertificateDer<'static>>, PrivateKeyDer<'static>),
    pub mesh: (Vec<CertificateDer<'static>>, PrivateKeyDer<'static>),
    pub mesh_roots: Vec<CertificateDer<'static>>,
}

fn identity(
    pair: &(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>),
) -> (Vec<CertificateDer<'static>>, PrivateKeyDer<'static>) {
    (pair.0.clone(), pair.1.clone_key())
}

fn tls_config(client: &Client, ids: &Identities) -> Option<rustls::ClientConfig> {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .ok()?;
    let page = || {
        builder
            .clone()
            .with_root_certificates(ids.page_roots.clone())
    };
    let with = |pair| {
        let (chain, key) = identity(pair);
        page().with_client_auth_cert(chain, key).ok()
    };
    let (mut config, alpn): (rustls::ClientConfig, Vec<&[u8]>) = match client {
        Client::Plain => return None,
        Client::Page { alpn } => (with(&ids.page)?, alpn.clone()),
        Client::NoCert => (page().with_no_client_auth(), vec![b"h2", b"http/1.1"]),
        Client::OtherCa => (with(&ids.other_ca)?, vec![b"http/1.1"]),
        Client::Expired => (with(&ids.expired)?, vec![b"http/1.1"]),
        Client::Revoked => (with(&ids.revoked)?, vec![b"http/1.1"]),
        Client::Mesh { alpn } => {
            use meshtls::verify::client::{ServerCheck, ServerVerifier};
            let check = ServerCheck::Spiffe {
                roots: ids.mesh_roots.clone(),
                id: "spiffe://cluster.local/ns/test/sa/httpbin".to_string(),
            };
            let (chain, key) = identity(&ids.mesh);
            let config = builder
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(ServerVerifier::new(check)))
                .with_client_auth_cert(chain, key)
                .ok()?;
            (config, alpn.clone())
        }
    };
    config.alpn_protocols = alpn.into_iter().map(<[u8]>::to_vec).collect();
    config.resumption = rustls::client::Resumption::disabled();
    Some(config)
}

trait Io: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}

/// A connection as the client sees it: established, or the text of why not.
async fn connect(
    address: SocketAddr,
    client: &Client,
    ids: &Identities,
) -> Result<Box<dyn Io>, String> {
    let tcp = TcpStream::connect(address)
        .await
        .map_err(|e| format!("connect: {:?}", e.kind()))?;
    let _ = tcp.set_nodelay(true);
    let Some(config) = tls_config(client, ids) else {
        return Ok(Box::new(tcp));
    };
    let name = match client {
        Client::Mesh { .. } => "outbound_.8080_._.httpbin.test.svc.cluster.local",
        _ => SNI,
    };
    let server = ServerName::try_from(name.to_string()).map_err(|e| e.to_string())?;
    let tls = tokio_rustls::TlsConnector::from(Arc::new(config))
        .connect(server, tcp)
        .await
        .map_err(|e| io_text(&e))?;
    Ok(Box::new(tls))
}

/// What the client learns from an I/O error: the TLS alert it got, a reset, or a close.
pub fn io_text(error: &std::io::Error) -> String {
    if let Some(tls) = error
        .get_ref()
        .and_then(|e| e.downcast_ref::<rustls::Error>())
    {
        return match tls {
            rustls::Error::AlertReceived(alert) => format!("tls alert {alert:?}"),
            other => format!("tls error {other:?}"),
        };
    }
    match error.kind() {
        ErrorKind::ConnectionReset | ErrorKind::BrokenPipe => "reset".to_string(),
        ErrorKind::UnexpectedEof => "closed".to_string(),
        ErrorKind::TimedOut => "timeout".to_string(),
        kind => format!("io {kind:?}"),
    }
}

/// Puts `exchange` to the server at `address` and returns its outcome text.
pub fn run(
    runtime: &tokio::runtime::Runtime,
    address: SocketAddr,
    exchange: &Exchange,
    ids: &Identities,
) -> String {
    runtime.block_on(async {
        match tokio::time::timeout(TIMEOUT * 2, outcome(address, exchange, ids)).await {
            Ok(text) => text,
            Err(_) => "timeout".to_string(),
        }
    })
}

async fn outcome(address: SocketAddr, exchange: &Exchange, ids: &Identities) -> String {
    let io = match connect(address, &exchange.client, ids).await {
        Ok(io) => io,
        Err(why) => return why,
    };
    match &exchange.kind {
        Kind::Raw { bytes, head } => raw(io, bytes, *head).await,
        Kind::H2 {
            method,
            path,
            headers,
            body,
        } => h2(io, method, path, headers, body).await,
        Kind::WebSocket { messages } => websocket(io, messages).await,
        Kind::Tcp { bytes } => tcp(io, bytes).await,
    }
}

/// Reads until the server closes (every raw request asks it to), at most `TIMEOUT`.
async fn read_all(io: &mut Box<dyn Io>) -> (Vec<u8>, Option<String>) {
    let mut got = Vec::new();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        match tokio::time::timeout(TIMEOUT, io.read(&mut buf)).await {
            Err(_) => return (got, Some("timeout".to_string())),
            Ok(Ok(0)) => return (got, None),
            Ok(Ok(n)) => got.extend_from_slice(&buf[..n]),
            Ok(Err(e)) => {
                let text = io_text(&e);
                // A close without close_notify is a close, as curl reports it.
                let end = (text != "closed").then_some(text);
                return (got, end);
            }
        }
    }
}

/// Raw HTTP/1.1 bytes (the request asks for `Connection: close`), read to the end.
async fn raw(mut io: Box<dyn Io>, bytes: &[u8], head: bool) -> String {
    if let Err(e) = io.write_all(bytes).await {
        return format!("write: {}", io_text(&e));
    }
    let _ = io.flush().await;
    let (got, end) = read_all(&mut io).await;
    // An h2 server's preface (a SETTINGS frame): the values in it are each server's own.
    let settings = got.len() >= 9 && got[3] == 4 && got[4] == 0 && got[5..9] == [0, 0, 0, 0];
    let mut text = if settings {
        "h2 server preface (SETTINGS)".to_string()
    } else {
        parse_responses(&got, head)
    };
    if got.is_empty() {
        text = end.clone().unwrap_or_else(|| "closed".to_string());
    } else if let Some(end) = end {
        text.push_str(&format!("\n(then {end})"));
    }
    text
}

/// Every response in `bytes` (1xx interim ones included), each reduced by `http_text`.
fn parse_responses(mut bytes: &[u8], head_request: bool) -> String {
    let mut out = Vec::new();
    loop {
        let mut headers = [httparse::EMPTY_HEADER; 128];
        let mut response = httparse::Response::new(&mut headers);
        let len = match response.parse(bytes) {
            Ok(httparse::Status::Complete(len)) => len,
            _ => {
                out.push(format!(
                    "unparsable: {:?}",
                    String::from_utf8_lossy(&bytes[..bytes.len().min(120)])
                ));
                break;
            }
        };
        let status = response.code.unwrap_or(0);
        let version = response.version.unwrap_or(1);
        let pairs: Vec<(String, String)> = response
            .headers
            .iter()
            .map(|h| {
                (
                    h.name.to_ascii_lowercase(),
                    String::from_utf8_lossy(h.value).into_owned(),
                )
            })
            .collect();
        bytes = &bytes[len..];
        if (100..200).contains(&status) && status != 101 {
            out.push(format!("HTTP/1.{version} {status} (interim)"));
            continue;
        }
        let get = |name: &str| {
            pairs
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.clone())
        };
        let body: Vec<u8> = if head_request || status == 204 || status == 304 || status == 101 {
            Vec::new()
        } else if get("transfer-encoding").is_some_and(|v| v.eq_ignore_ascii_case("chunked")) {
            dechunk(bytes)
        } else if let Some(n) = get("content-length").and_then(|v| v.parse::<usize>().ok()) {
            bytes[..n.min(bytes.len())].to_vec()
        } else {
            bytes.to_vec()
        };
        out.push(http_text(
            &format!("HTTP/1.{version}"),
            status,
            &pairs,
            &body,
            &[],
        ));
        break;
    }
    out.join("\n")
}

fn dechunk(mut bytes: &[u8]) -> Vec<u8> {
    let mut body = Vec::new();
    while let Some(line_end) = bytes.windows(2).position(|w| w == b"\r\n") {
        let size = std::str::from_utf8(&bytes[..line_end])
            .ok()
            .and_then(|s| usize::from_str_radix(s.split(';').next().unwrap_or("").trim(), 16).ok());
        let Some(size) = size else { break };
        bytes = &bytes[line_end + 2..];
        if size == 0 {
            break;
        }
        body.extend_from_slice(&bytes[..size.min(bytes.len())]);
        bytes = &bytes[(size + 2).min(bytes.len())..];
    }
    body
}

/// Headers a client cannot compare between two runs: times and generated ids.
const VOLATILE: [&str; 3] = ["date", "x-envoy-upstream-service-time", "x-request-id"];

/// A response as a comparable text: the status line, the headers sorted (volatile ones left
/// out), the trailers, and the body with its request ids masked (short bodies whole, long ones
/// by length and digest).
pub fn http_text(
    version: &str,
    status: u16,
    headers: &[(String, String)],
    body: &[u8],
    trailers: &[(String, String)],
) -> String {
    let mut kept: Vec<String> = headers
        .iter()
        .filter(|(n, _)| !VOLATILE.contains(&n.as_str()))
        .map(|(n, v)| format!("{n}: {v}"))
        .collect();
    kept.sort();
    let mut text = format!("{version} {status}\n{}", kept.join("\n"));
    for (n, v) in trailers {
        text.push_str(&format!("\ntrailer {n}: {v}"));
    }
    let random = headers
        .iter()
        .any(|(n, v)| n == "content-type" && v == "application/octet-stream");
    if random {
        // httpbin's /bytes are random: only their length can agree.
        text.push_str(&format!("\n\n<{} random bytes>", body.len()));
        return text;
    }
    let body = mask_ids(&String::from_utf8_lossy(body));
    if body.len() <= 2048 {
        text.push_str(&format!("\n\n{body}"));
    } else {
        let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, body.as_bytes());
        let hex: String = digest.as_ref()[..8]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        text.push_str(&format!("\n\n<{} bytes, sha256 {hex}…>", body.len()));
    }
    text
}

/// Replaces UUIDs (request ids the proxies generate) with `<uuid>`.
fn mask_ids(text: &str) -> String {
    let bytes = text.as_bytes();
    let is_uuid = |s: &[u8]| {
        s.len() == 36
            && s.iter().enumerate().all(|(i, b)| match i {
                8 | 13 | 18 | 23 => *b == b'-',
                _ => b.is_ascii_hexdigit(),
            })
    };
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < bytes.len() {
        if i + 36 <= bytes.len() && is_uuid(&bytes[i..i + 36]) {
            out.push_str("<uuid>");
            i += 36;
        } else {
            let c = text[i..].chars().next().unwrap_or('?');
            out.push(c);
            i += c.len_utf8().max(1);
        }
    }
    out
}

#[derive(Clone)]
struct Exec;

impl<F> hyper::rt::Executor<F> for Exec
where
    F: std::future::Future + Send + 'static,
    F::Output: Send + 'static,
{
    fn execute(&self, future: F) {
        tokio::spawn(future);
    }
}

/// One h2 request (prior knowledge on plaintext, ALPN h2 on TLS); trailers are kept.
async fn h2(
    io: Box<dyn Io>,
    method: &str,
    path: &str,
    headers: &[(String, String)],
    body: &[u8],
) -> String {
    let handshake = hyper::client::conn::http2::Builder::new(Exec)
        .timer(hyper_util::rt::TokioTimer::new())
        .max_header_list_size(256 * 1024)
        .handshake(hyper_util::rt::TokioIo::new(io))
        .await;
    let (mut sender, connection) = match handshake {
        Ok(pair) => pair,
        Err(e) => return format!("h2 handshake: {}", h2_error(&e)),
    };
    tokio::spawn(connection);
    let mut request = http::Request::builder()
        .method(method)
        .uri(format!("https://{SNI}{path}"))
        .version(http::Version::HTTP_2);
    for (name, value) in headers {
        request = request.header(name.as_str(), value.as_str());
    }
    let Ok(request) = request.body(Full::new(Bytes::copy_from_slice(body))) else {
        return "bad request in the corpus".to_string();
    };
    let response = match tokio::time::timeout(TIMEOUT, sender.send_request(request)).await {
        Err(_) => return "timeout".to_string(),
        Ok(Err(e)) => return format!("h2 {}", h2_error(&e)),
        Ok(Ok(response)) => response,
    };
    let status = response.status().as_u16();
    let pairs: Vec<(String, String)> = response
        .headers()
        .iter()
        .map(|(n, v)| {
            (
                n.as_str().to_string(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    let mut body = response.into_body();
    let (mut data, mut trailers) = (Vec::new(), Vec::new());
    loop {
        match tokio::time::timeout(TIMEOUT, body.frame()).await {
            Ok(Some(Ok(frame))) => match frame.into_data() {
                Ok(bytes) => data.extend_from_slice(&bytes),
                Err(frame) => {
                    if let Ok(t) = frame.into_trailers() {
                        trailers.extend(t.iter().map(|(n, v)| {
                            (
                                n.as_str().to_string(),
                                String::from_utf8_lossy(v.as_bytes()).into_owned(),
                            )
                        }));
                    }
                }
            },
            Ok(Some(Err(e))) => {
                return format!(
                    "{}\n(then h2 {})",
                    http_text("HTTP/2", status, &pairs, &data, &trailers),
                    h2_error(&e)
                );
            }
            Ok(None) => break,
            Err(_) => return "timeout in the body".to_string(),
        }
    }
    http_text("HTTP/2", status, &pairs, &data, &trailers)
}

/// An h2 failure as the client sees it: the reset or GOAWAY reason, if one came.
fn h2_error(error: &hyper::Error) -> String {
    let mut source: Option<&dyn std::error::Error> = Some(error);
    while let Some(e) = source {
        if let Some(h2) = e.downcast_ref::<h2::Error>() {
            let kind = if h2.is_go_away() {
                "goaway"
            } else if h2.is_reset() {
                "reset"
            } else {
                "error"
            };
            return format!("{kind} {:?}", h2.reason());
        }
        if let Some(io) = e.downcast_ref::<std::io::Error>() {
            return io_text(io);
        }
        source = e.source();
    }
    "error".to_string()
}

/// A WebSocket upgrade on `/websocket/echo`, then each message as a masked text frame; the
/// outcome is the 101's head and what came back.
async fn websocket(mut io: Box<dyn Io>, messages: &[String]) -> String {
    let request = format!(
        "GET /websocket/echo HTTP/1.1\r\nHost: {SNI}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\
         Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n"
    );
    if let Err(e) = io.write_all(request.as_bytes()).await {
        return format!("write: {}", io_text(&e));
    }
    let mut got = Vec::new();
    let mut buf = vec![0u8; 16 * 1024];
    let head_end = loop {
        if let Some(at) = got.windows(4).position(|w| w == b"\r\n\r\n") {
            break at + 4;
        }
        match tokio::time::timeout(TIMEOUT, io.read(&mut buf)).await {
            Ok(Ok(n)) if n > 0 => got.extend_from_slice(&buf[..n]),
            Ok(Ok(_)) => return format!("closed after {:?}", String::from_utf8_lossy(&got)),
            Ok(Err(e)) => return io_text(&e),
            Err(_) => return "timeout".to_string(),
        }
    };
    let head = parse_responses(&got[..head_end], true);
    if !head.starts_with("HTTP/1.1 101") {
        // Not upgraded: the whole answer is the outcome.
        let (rest, _) = read_all(&mut io).await;
        got.extend_from_slice(&rest);
        return parse_responses(&got, false);
    }
    let mut echoed = Vec::new();
    let mut pending = got[head_end..].to_vec();
    for message in messages {
        let mut frame = vec![0x81];
        let len = message.len();
        if len < 126 {
            frame.push(0x80 | len as u8);
        } else {
            frame.push(0x80 | 126);
            frame.extend_from_slice(&(len as u16).to_be_bytes());
        }
        let mask = [1u8, 2, 3, 4];
        frame.extend_from_slice(&mask);
        frame.extend(message.bytes().enumerate().map(|(i, b)| b ^ mask[i % 4]));
        if io.write_all(&frame).await.is_err() {
            echoed.push("write failed".to_string());
            break;
        }
        // One unmasked text frame back.
        loop {
            if pending.len() >= 2 {
                let (len, at) = match pending[1] & 0x7f {
                    126 if pending.len() >= 4 => {
                        (u16::from_be_bytes([pending[2], pending[3]]) as usize, 4)
                    }
                    126 => (usize::MAX, 0),
                    n => (n as usize, 2),
                };
                if len != usize::MAX && pending.len() >= at + len {
                    echoed.push(String::from_utf8_lossy(&pending[at..at + len]).into_owned());
                    pending.drain(..at + len);
                    break;
                }
            }
            match tokio::time::timeout(TIMEOUT, io.read(&mut buf)).await {
                Ok(Ok(n)) if n > 0 => pending.extend_from_slice(&buf[..n]),
                _ => {
                    echoed.push("no echo".to_string());
                    break;
                }
            }
        }
    }
    format!("{head}\nframes: {echoed:?}")
}

/// Raw bytes to a TCP (or TLS) port's echo, then a half-close; what came back.
async fn tcp(mut io: Box<dyn Io>, bytes: &[u8]) -> String {
    if let Err(e) = io.write_all(bytes).await {
        return format!("write: {}", io_text(&e));
    }
    let _ = io.flush().await;
    let mut got = Vec::new();
    let mut buf = vec![0u8; 64 * 1024];
    while got.len() < bytes.len() {
        match tokio::time::timeout(TIMEOUT, io.read(&mut buf)).await {
            Ok(Ok(n)) if n > 0 => got.extend_from_slice(&buf[..n]),
            Ok(Ok(_)) => break,
            Ok(Err(e)) => return format!("{} bytes, then {}", got.len(), io_text(&e)),
            Err(_) => return format!("{} bytes, then timeout", got.len()),
        }
    }
    let _ = io.shutdown().await;
    let (rest, end) = read_all(&mut io).await;
    got.extend_from_slice(&rest);
    let same = got == bytes;
    format!(
        "echoed {} of {} bytes{}{}",
        got.len(),
        bytes.len(),
        if same { ", identical" } else { ", different" },
        end.map(|e| format!(", then {e}")).unwrap_or_default()
    )
}
