//! One downstream connection, phase by phase: detect (peek the first byte), TLS (termination or
//! Istio mTLS, with the failure reason counted and logged), then HTTP/1.1 or h2 until drained.
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

use super::tls::hello::ServerConfigs;
use super::tls::stream::TlsStream;
use arc_swap::ArcSwapOption;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio::sync::watch;

use super::body::RequestBody;
use super::config::{H2Engine, Http1Engine, ListenerConfig, Protocol, Security};
use super::h1::{self, HYPER_READ_CAP, Handoff, Rewind};
use super::h2;
use super::headers::PeerIdentity;
use super::limits::Admitted;
use super::linger::Lingering;
use super::listener::{Activity, ConnectionInfo, ListenerContext, RefusedHead, count_refused_head};
use super::serve::{MAX_HEADER_BYTES, MAX_HEADER_COUNT, handle};
use super::stats::{HandshakeFailure, ListenerStats};
use super::tcp;
use super::tls::server::is_h2;
use super::tls::verifier::NotOfTrustDomain;

const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
const TLS_HANDSHAKE_RECORD: u8 = 0x16;
/// How long a connection closed for idleness may take to say goodbye (h2's GOAWAY) before it
/// is dropped: it carries no request, so nothing is lost.
const IDLE_CLOSE_GRACE: Duration = Duration::from_secs(1);
/// The h2 header list size hyper decodes before it answers 431 itself: above Envoy's 60 KiB, so
/// that `serve` can reset the stream past 60 KiB as Envoy does, and bounded, so a stream's
/// headers cost at most this much memory.
const H2_MAX_HEADER_LIST: u32 = 128 * 1024;

/// What every worker shares about one listener.
pub struct ListenerShared {
    pub config: ListenerConfig,
    /// The current server config (termination or mesh); `None` while its secret is warming.
    pub tls: Arc<ArcSwapOption<ServerConfigs>>,
    pub stats: Arc<ListenerStats>,
    /// `spiffe://<trust domain>/`: what a mesh peer's identity must start with.
    pub spiffe_prefix: String,
    /// Our own SPIFFE ID, for XFCC `By=` on mesh ports.
    pub own_spiffe_id: Option<String>,
}

/// Runs hyper's tasks on the worker's own thread.
#[derive(Clone, Copy)]
pub struct LocalExec;

impl<F> hyper::rt::Executor<F> for LocalExec
where
    F: Future + 'static,
{
    fn execute(&self, future: F) {
        tokio::task::spawn_local(future);
    }
}

/// Decrements the active-connection gauges when a connection ends.
struct ActiveGuard {
    stats: Arc<ListenerStats>,
    live: Rc<std::cell::Cell<usize>>,
}

impl Drop for ActiveGuard {
    fn drop(&mut self) {
        self.stats
            .downstream_cx_active
            .fetch_sub(1, std::sync::atomic::Ordering::Relaxed);
        self.live.set(self.live.get().saturating_sub(1));
    }
}

/// Handles one accepted connection to the end.
pub async fn connection(
    stream: TcpStream,
    remote: SocketAddr,
    shared: Arc<ListenerShared>,
    context: Rc<ListenerContext>,
    live: Rc<std::cell::Cell<usize>>,
    shutdown: watch::Receiver<bool>,
    _place: Admitted,
) {
    ListenerStats::count(&shared.stats.downstream_cx_total);
    ListenerStats::count(&shared.stats.downstream_cx_active);
    live.set(live.get() + 1);
    let _guard = ActiveGuard {
        stats: Arc::clone(&shared.stats),
        live,
    };
    let _ = stream.set_nodelay(true);
    let local = stream
        .local_addr()
        .map(|a| a.to_string())
        .unwrap_or_default();
    let info = |peer: PeerIdentity, sni: String, mesh: bool| {
        Rc::new(ConnectionInfo {
            peer,
            mesh,
            local: local.clone(),
            remote: remote.to_string(),
            sni,
            activity: Activity::default(),
        })
    };
    // Detect: what the first byte says the client speaks, against what the port accepts.
    let next = match &shared.config.security {
        Security::Plaintext => Next::Plaintext,
        security => match first_byte(&stream).await {
            Some(TLS_HANDSHAKE_RECORD) => Next::Tls {
                mesh: !matches!(security, Security::Terminate(_)),
            },
            // Istio's inbound TLS chains match `transport_protocol: tls`, which the TLS
            // inspector never sets for an SSLv2-format ClientHello: it matches no chain, and
            // Envoy resets it like plaintext.
            Some(byte) if byte & 0x80 != 0 && is_sslv2_hello(&stream).await => {
                Next::Reset("an SSLv2 ClientHello")
            }
            Some(_) if *security == Security::Permissive => Next::Plaintext,
            Some(_) if matches!(security, Security::Terminate(_)) => {
                Next::Reset("the port only speaks TLS")
            }
            Some(_) => Next::Reset("STRICT mTLS"),
            None => return,
        },
    };
    match next {
        Next::Plaintext => {
            let info = info(PeerIdentity::default(), String::new(), false);
            serve_established(stream, None, info, context, shutdown).await;
        }
        Next::Tls { mesh } => {
            // Boxed, like the other phases a connection passes once (hyper, TCP): a task holds
            // its future's largest state for as long as it lives, idle or not.
            let handshaken = Box::pin(handshake(stream, remote, &shared, mesh)).await;
            if let Some((tls, peer, sni, h2)) = handshaken {
                serve_established(tls, Some(h2), info(peer, sni, mesh), context, shutdown).await;
            }
        }
        Next::Reset(why) => reset_plaintext(stream, remote, &shared, why),
    }
}

/// What a connection turns into after its first byte.
enum Next {
    Plaintext,
    /// A TLS handshake: Istio mTLS (`mesh`) or the Sidecar's own termination.
    Tls {
        mesh: bool,
    },
    /// Plaintext that matches no filter chain, and why.
    Reset(&'static str),
}

/// Whether the client opened with an SSLv2 record (high bit of the length) holding a CLIENT-HELLO.
async fn is_sslv2_hello(stream: &TcpStream) -> bool {
    let mut head = [0u8; 3];
    matches!(
        tokio::time::timeout(HANDSHAKE_TIMEOUT, stream.peek(&mut head)).await,
        Ok(Ok(3))
    ) && head[2] == 1
}

/// Plaintext that matches no filter chain: Envoy closes with the bytes unread, i.e. a reset.
fn reset_plaintext(stream: TcpStream, remote: SocketAddr, shared: &ListenerShared, why: &str) {
    ListenerStats::count(&shared.stats.plaintext_reset);
    log::debug!(
        "port {}: plaintext from {remote} reset ({why})",
        shared.config.port
    );
    let _ = stream.set_zero_linger();
}

async fn first_byte(stream: &TcpStream) -> Option<u8> {
    let mut byte = [0u8; 1];
    match tokio::time::timeout(HANDSHAKE_TIMEOUT, stream.peek(&mut byte)).await {
        Ok(Ok(1)) => Some(byte[0]),
        _ => None,
    }
}

/// The TLS stream is boxed (1.2 KiB inline): every async fn it passes through would otherwise
/// keep a copy's room in the connection's task, four of them by the time it is served.
type Handshaken = (Box<TlsStream>, PeerIdentity, String, bool);

async fn handshake(
    stream: TcpStream,
    remote: SocketAddr,
    shared: &ListenerShared,
    mesh: bool,
) -> Option<Handshaken> {
    let port = shared.config.port;
    let Some(config) = shared.tls.load_full() else {
        shared
            .stats
            .handshake_failed(HandshakeFailure::NoServerCertificate);
        log::warn!(
            "port {port}: TLS from {remote} refused: {}",
            HandshakeFailure::NoServerCertificate.describe()
        );
        return None;
    };
    // The ClientHello first: it chooses the config (cipher order, ALPN) as Envoy would.
    let accepted = tokio::time::timeout(
        HANDSHAKE_TIMEOUT,
        TlsStream::accept(stream, |hello| config.choose(hello)),
    )
    .await;
    let (tls, sni) = match accepted {
        Ok(Ok(accepted)) => accepted,
        Ok(Err(e)) => {
            let why = classify(&e);
            shared.stats.handshake_failed(why);
            log::warn!(
                "port {port}: TLS handshake from {remote} failed: {} ({e})",
                why.describe()
            );
            return None;
        }
        Err(_) => {
            shared.stats.handshake_failed(HandshakeFailure::Other);
            log::warn!("port {port}: TLS handshake from {remote} timed out");
            return None;
        }
    };
    ListenerStats::count(&shared.stats.ssl_handshake);
    let session = tls.session();
    count_negotiated(&shared.stats, session);
    let h2 = is_h2(session.alpn_protocol());
    let by = if mesh {
        shared.own_spiffe_id.as_deref()
    } else {
        None
    };
    let peer = session
        .peer_certificates()
        .and_then(|chain| chain.first())
        .map(|leaf| PeerIdentity::from_leaf_cached(leaf, by))
        .unwrap_or_default();
    if mesh
        && !peer
            .spiffe_id
            .as_deref()
            .is_some_and(|id| id.starts_with(&shared.spiffe_prefix))
    {
        shared.stats.handshake_failed(HandshakeFailure::NotSpiffe);
        log::warn!(
            "port {port}: mTLS peer {remote} refused: {}",
            HandshakeFailure::NotSpiffe.describe()
        );
        return None;
    }
    Some((Box::new(tls), peer, sni, h2))
}

/// Counts a completed handshake's version, cipher and group, resumption and client certificate
/// under Envoy's names.
fn count_negotiated(stats: &ListenerStats, session: &rustls::server::UnbufferedServerConnection) {
    let version = match session.protocol_version() {
        Some(rustls::ProtocolVersion::TLSv1_3) => "TLSv1.3",
        Some(rustls::ProtocolVersion::TLSv1_2) => "TLSv1.2",
        _ => "unknown",
    };
    let cipher = session
        .negotiated_cipher_suite()
        .map_or("unknown", |suite| {
            crate::tls::envoy_cipher_name(suite.suite())
        });
    let curve = session
        .negotiated_key_exchange_group()
        .map(|group| crate::tls::envoy_group_name(group.name()));
    stats.handshake_done(version, cipher, curve);
    if session.handshake_kind() == Some(rustls::HandshakeKind::Resumed) {
        ListenerStats::count(&stats.ssl_session_reused);
    }
    if session
        .peer_certificates()
        .is_none_or(|chain| chain.is_empty())
    {
        ListenerStats::count(&stats.ssl_no_certificate);
    }
}

/// Maps a failed handshake to the reason we count and log.
fn classify(error: &std::io::Error) -> HandshakeFailure {
    use rustls::{CertificateError, Error, PeerIncompatible};
    let Some(inner) = error.get_ref().and_then(|e| e.downcast_ref::<Error>()) else {
        return HandshakeFailure::Other;
    };
    match inner {
        Error::NoCertificatesPresented => HandshakeFailure::NoCertificate,
        Error::InvalidCertificate(
            CertificateError::UnknownIssuer | CertificateError::BadSignature,
        ) => HandshakeFailure::UnknownCa,
        Error::InvalidCertificate(
            CertificateError::Expired
            | CertificateError::ExpiredContext { .. }
            | CertificateError::NotValidYet
            | CertificateError::NotValidYetContext { .. },
        ) => HandshakeFailure::Expired,
        Error::InvalidCertificate(
            CertificateError::Revoked
            | CertificateError::UnknownRevocationStatus
            | CertificateError::ExpiredRevocationList
            | CertificateError::ExpiredRevocationListContext { .. },
        ) => HandshakeFailure::Revoked,
        Error::InvalidCertificate(CertificateError::Other(other))
            if other.0.downcast_ref::<NotOfTrustDomain>().is_some() =>
        {
            HandshakeFailure::NotSpiffe
        }
        Error::InvalidCertificate(_) => HandshakeFailure::BadCertificate,
        Error::PeerIncompatible(why) => match why {
            PeerIncompatible::NoCipherSuitesInCommon => HandshakeFailure::NoCommonCipher,
            PeerIncompatible::NoKxGroupsInCommon => HandshakeFailure::NoCommonGroup,
            PeerIncompatible::NoSignatureSchemesInCommon => HandshakeFailure::NoCommonSignature,
            _ => HandshakeFailure::NoCommonVersion,
        },
        _ => HandshakeFailure::Other,
    }
}

/// What an established stream (after TLS, if any) carries: the port's protocol decides.
async fn serve_established<IO>(
    io: IO,
    h2: Option<bool>,
    info: Rc<ConnectionInfo>,
    context: Rc<ListenerContext>,
    shutdown: watch::Receiver<bool>,
) where
    IO: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    match context.protocol {
        Protocol::Tcp => Box::pin(tcp::proxy(io, info, context)).await,
        Protocol::Http | Protocol::Http2 => serve_http(io, h2, info, context, shutdown).await,
    }
}

/// Serves HTTP on an established stream: h2 or HTTP/1.1 by ALPN, or either (plaintext).
/// HTTP/1.1 starts on the lean path unless configured off; hyper takes what it hands over.
async fn serve_http<IO>(
    io: IO,
    h2: Option<bool>,
    info: Rc<ConnectionInfo>,
    context: Rc<ListenerContext>,
    mut shutdown: watch::Receiver<bool>,
) where
    IO: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let io = match (h2, context.http1) {
        (Some(true), _) if context.h2 == H2Engine::Lean => {
            return Box::pin(serve_h2(io, info, context, shutdown)).await;
        }
        (Some(true), _) | (_, Http1Engine::Hyper) => Rewind::new(bytes::Bytes::new(), io),
        _ => match h1::serve(io, h2.is_none(), &info, &context, &mut shutdown).await {
            Handoff::Done => return,
            // Prior-knowledge h2 on a plaintext port: the lean h2 server, as after ALPN.
            Handoff::Hyper(io)
                if h2.is_none()
                    && context.h2 == H2Engine::Lean
                    && io.unread().starts_with(b"PRI ") =>
            {
                return Box::pin(serve_h2(io, info, context, shutdown)).await;
            }
            Handoff::Hyper(io) => io,
        },
    };
    // hyper's connection state is large; the lean path's connections need not carry its room.
    Box::pin(serve_hyper(io, h2, info, context, shutdown)).await;
}

/// Serves an ALPN-h2 connection on the lean h2 server.
async fn serve_h2<IO>(
    io: IO,
    info: Rc<ConnectionInfo>,
    context: Rc<ListenerContext>,
    shutdown: watch::Receiver<bool>,
) where
    IO: AsyncRead + AsyncWrite + Unpin,
{
    info.activity.restart();
    let ending = Ending {
        info: Rc::clone(&info),
        context: Rc::clone(&context),
    };
    let connection = h2::Connection::new(io, info, context);
    until_done(
        connection,
        |c| c.graceful_shutdown(),
        no_hyper_error,
        ending,
        shutdown,
    )
    .await;
}

/// Serves the rest of a connection with hyper: h2, or HTTP/1.1 the lean path handed over.
async fn serve_hyper<IO>(
    io: Rewind<IO>,
    h2: Option<bool>,
    info: Rc<ConnectionInfo>,
    context: Rc<ListenerContext>,
    shutdown: watch::Receiver<bool>,
) where
    IO: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    // HTTP/1.1 reads are bounded, so hyper's head limit holds to within one read.
    let io = match h2 {
        Some(true) => io,
        _ => io.with_read_cap(HYPER_READ_CAP),
    };
    info.activity.restart();
    let header_read_timeout = context.header_read_timeout;
    let ending = Ending {
        info: Rc::clone(&info),
        context: Rc::clone(&context),
    };
    // Boxed: hyper moves each request's future into its own task (h2) and through its state
    // machine; a pointer moves in a few instructions, the whole future took kilobytes of memcpy.
    let service = service_fn(move |request: http::Request<hyper::body::Incoming>| {
        Box::pin(handle(
            request.map(RequestBody::Hyper),
            Rc::clone(&info),
            Rc::clone(&context),
        ))
    });
    let io = TokioIo::new(Lingering::new(io));
    if h2 == Some(false) {
        // HTTP/1.1 by ALPN: hyper's own builder, the same settings, without the auto builder's
        // version-sniffing wrapper around every read.
        let mut builder = hyper::server::conn::http1::Builder::new();
        builder
            .timer(TokioTimer::new())
            .header_read_timeout(header_read_timeout)
            .max_buf_size(MAX_HEADER_BYTES)
            .max_headers(MAX_HEADER_COUNT);
        let connection = builder.serve_connection(io, service).with_upgrades();
        return until_done(
            connection,
            |c| c.graceful_shutdown(),
            same_error,
            ending,
            shutdown,
        )
        .await;
    }
    let mut builder = hyper_util::server::conn::auto::Builder::new(LocalExec);
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(header_read_timeout)
        .max_buf_size(MAX_HEADER_BYTES)
        .max_headers(MAX_HEADER_COUNT);
    builder
        .http2()
        .timer(TokioTimer::new())
        .max_header_list_size(H2_MAX_HEADER_LIST);
    let builder = match h2 {
        Some(true) => builder.http2_only(),
        _ => builder,
    };
    let connection = builder.serve_connection_with_upgrades(io, service);
    until_done(
        connection,
        |c| c.graceful_shutdown(),
        boxed_hyper_error,
        ending,
        shutdown,
    )
    .await;
}

// The auto builder's connection error is this box; `until_done` takes `fn(&E)`.
#[allow(clippy::borrowed_box)]
fn boxed_hyper_error(error: &Box<dyn std::error::Error + Send + Sync>) -> Option<&hyper::Error> {
    error.downcast_ref()
}

fn same_error(error: &hyper::Error) -> Option<&hyper::Error> {
    Some(error)
}

fn no_hyper_error(_: &h2::ConnectionError) -> Option<&hyper::Error> {
    None
}

/// What a connection's end is counted and logged against.
struct Ending {
    info: Rc<ConnectionInfo>,
    context: Rc<ListenerContext>,
}

impl Ending {
    /// hyper's HTTP/1.1 codec answers a head it cannot parse itself (400, 431 or 414) and ends
    /// the connection with the error: that answer is counted and logged like ours, with
    /// Envoy's `downstream_cx_protocol_error`.
    fn codec_error(&self, error: &hyper::Error) {
        if !error.is_parse() || error.is_parse_version_h2() || error.is_parse_status() {
            return;
        }
        let (status, details) = match error.is_parse_too_large() {
            true if error.to_string().contains("URI") => (414, "http1.uri_too_long"),
            true => (431, "http1.headers_too_large"),
            false => (400, "http1.codec_error"),
        };
        let refused = RefusedHead {
            status,
            codec_error: true,
            details,
            bytes_sent: 0,
        };
        count_refused_head(&self.context, &self.info, refused);
    }
}

/// Resolves once the connection has carried no request for `timeout` (Envoy's HCM
/// `idle_timeout`): requests in flight, h2 streams included, hold the timer back.
async fn idle(activity: &Activity, timeout: Duration) {
    loop {
        match activity.idle_deadline(timeout) {
            Some(deadline) if deadline <= std::time::Instant::now() => return,
            Some(deadline) => tokio::time::sleep_until(deadline.into()).await,
            None => tokio::time::sleep(timeout).await,
        }
    }
}

/// Drives a downstream connection to its end; on shutdown, `graceful_shutdown` lets the requests
/// in flight finish first (hyper's two connection types each have that method, no common trait).
/// The idle timeout closes it the same way.
async fn until_done<C, E>(
    connection: C,
    graceful_shutdown: fn(Pin<&mut C>),
    hyper_error: fn(&E) -> Option<&hyper::Error>,
    ending: Ending,
    mut shutdown: watch::Receiver<bool>,
) where
    C: Future<Output = Result<(), E>>,
    E: std::fmt::Display,
{
    tokio::pin!(connection);
    let idle_timeout = ending.context.idle_timeout;
    let result = tokio::select! {
        result = connection.as_mut() => result,
        _ = shutdown.wait_for(|stop| *stop) => {
            graceful_shutdown(connection.as_mut());
            connection.await
        }
        _ = idle(&ending.info.activity, idle_timeout) => {
            log::debug!("downstream connection idle for {idle_timeout:?}: closing");
            ListenerStats::count(&ending.context.stats.downstream_cx_idle_timeout);
            graceful_shutdown(connection.as_mut());
            // h2 waits for the client to answer the GOAWAY's PING; an idle client need not.
            match tokio::time::timeout(IDLE_CLOSE_GRACE, connection.as_mut()).await {
                Ok(result) => result,
                Err(_) => Ok(()),
            }
        }
    };
    if let Err(e) = result {
        if let Some(error) = hyper_error(&e) {
            ending.codec_error(error);
        }
        log::debug!("downstream connection ended: {e}");
    }
}
