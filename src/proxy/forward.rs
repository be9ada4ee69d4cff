//! Forwarding to the app: per-worker pools of HTTP/1.1 connections (hyper's senders, and raw
//! streams for the lean path and hyper's bodiless GETs), one shared h2 connection on `HTTP2`/`GRPC`
//! ports (prior knowledge, as Envoy's cluster), connect and idle timeouts, Envoy's reset reasons.
use std::cell::RefCell;
use std::io;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};
use std::time::Instant;

use bytes::BytesMut;
use http_body_util::Either;
use hyper::body::Incoming;
use hyper::client::conn::http1::{self, SendRequest};
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, ReadBuf};
use tokio::net::{TcpStream, UnixStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::accept::LocalExec;
use super::body::RequestBody;
use super::config::{Endpoint, Protocol, UpstreamLimits};
use super::h1::raw_client::{self, RawBody};
use super::stats::ListenerStats;

/// Why a request got no response from the app, in Envoy's words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResetReason {
    /// The app did not accept the connection (refused, unreachable or timed out).
    ConnectionFailure,
    /// The app closed or reset the connection before sending response headers.
    ConnectionTermination,
    /// Every connection to the app this worker may open was busy for the connect timeout
    /// (Envoy's circuit breaker).
    Overflow,
    /// No response headers within the response timeout (Envoy's route timeout).
    Timeout,
}

/// Why a request sent through hyper got no response from the app.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    App(ResetReason),
    /// The client's request body broke off or was malformed: the client's fault, not the app's.
    RequestBody,
}

impl ResetReason {
    pub fn envoy_text(self) -> &'static str {
        match self {
            // Envoy 1.40's words for a refused connection (older Envoys said `connection failure`).
            ResetReason::ConnectionFailure => "remote connection failure",
            ResetReason::ConnectionTermination => "connection termination",
            ResetReason::Overflow => "overflow",
            ResetReason::Timeout => "timeout",
        }
    }

    /// Envoy's response code details for the access log.
    pub fn details(self) -> &'static str {
        match self {
            ResetReason::ConnectionFailure => {
                "upstream_reset_before_response_started{remote_connection_failure}"
            }
            ResetReason::ConnectionTermination => {
                "upstream_reset_before_response_started{connection_termination}"
            }
            ResetReason::Overflow => "upstream_reset_before_response_started{overflow}",
            ResetReason::Timeout => "upstream_response_timeout",
        }
    }

    /// Envoy's response flag for the access log.
    pub fn flag(self) -> &'static str {
        match self {
            ResetReason::ConnectionFailure => "UF",
            ResetReason::ConnectionTermination => "UC",
            ResetReason::Overflow => "UO",
            ResetReason::Timeout => "UT",
        }
    }

    /// The status of Envoy's local reply: 504 for a timeout, else 503.
    pub fn status(self) -> u16 {
        match self {
            ResetReason::Timeout => 504,
            _ => 503,
        }
    }

    /// Waits for `answer` up to `timeout` (none: as long as it takes); a timeout counts
    /// `upstream_rq_timeout` and drops the request's app connection.
    pub fn within<T, F>(
        timeout: Option<std::time::Duration>,
        stats: &ListenerStats,
        answer: F,
    ) -> Within<'_, F>
    where
        F: std::future::Future<Output = Result<T, ResetReason>>,
    {
        Within {
            answer,
            deadline: timeout.map(tokio::time::sleep),
            stats,
        }
    }
}

pin_project_lite::pin_project! {
    /// `answer`, or Envoy's timeout once the deadline passes. A future of its own, so that
    /// `answer` has one place in it, with or without a deadline.
    pub struct Within<'a, F> {
        #[pin]
        answer: F,
        #[pin]
        deadline: Option<tokio::time::Sleep>,
        stats: &'a ListenerStats,
    }
}

impl<T, F> std::future::Future for Within<'_, F>
where
    F: std::future::Future<Output = Result<T, ResetReason>>,
{
    type Output = Result<T, ResetReason>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        if let Poll::Ready(result) = this.answer.poll(cx) {
            return Poll::Ready(result);
        }
        match this.deadline.as_pin_mut().map(|sleep| sleep.poll(cx)) {
            Some(Poll::Ready(())) => {
                ListenerStats::count(&this.stats.upstream_rq_timeout);
                Poll::Ready(Err(ResetReason::Timeout))
            }
            _ => Poll::Pending,
        }
    }
}

/// A stream to the app over TCP or a Unix socket.
pub enum AppStream {
    Tcp(TcpStream),
    Unix(UnixStream),
}

impl AppStream {
    /// Our end's address (`ip:port`), or empty for a Unix socket.
    pub fn local_addr(&self) -> String {
        match self {
            AppStream::Tcp(s) => s.local_addr().map(|a| a.to_string()).unwrap_or_default(),
            AppStream::Unix(_) => String::new(),
        }
    }

    /// Whether the runtime has seen the idle stream become readable: the app closed it, or
    /// sent bytes nobody asked for. Either way it must not carry another request. This reads
    /// the readiness the runtime already has; it makes no system call.
    fn readable_while_idle(&self) -> bool {
        let mut cx = Context::from_waker(Waker::noop());
        let ready = match self {
            AppStream::Tcp(s) => s.poll_read_ready(&mut cx),
            AppStream::Unix(s) => s.poll_read_ready(&mut cx),
        };
        ready.is_ready()
    }
}

/// A raw connection to the app for the lean path, with what it has read and not yet used.
pub struct RawConnection {
    pub stream: AppStream,
    pub unread: BytesMut,
    /// Whether it came from the pool (and so may have been closed by the app meanwhile).
    pub reused: bool,
    /// Its place among the worker's app connections, freed when it is dropped.
    _slot: OwnedSemaphorePermit,
}

impl RawConnection {
    /// Reads what the app sent next onto `unread`; 0 when it closed the connection.
    pub async fn fill(&mut self) -> io::Result<usize> {
        self.fill_with(RAW_BUFFER).await
    }

    /// `fill` with room for `room` bytes: bodies are read in large pieces.
    pub async fn fill_with(&mut self, room: usize) -> io::Result<usize> {
        self.unread.reserve(room);
        self.stream.read_buf(&mut self.unread).await
    }
}

impl AsyncRead for AppStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            AppStream::Tcp(s) => Pin::new(s).poll_read(cx, buf),
            AppStream::Unix(s) => Pin::new(s).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for AppStream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            AppStream::Tcp(s) => Pin::new(s).poll_write(cx, buf),
            AppStream::Unix(s) => Pin::new(s).poll_write(cx, buf),
        }
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            AppStream::Tcp(s) => Pin::new(s).poll_write_vectored(cx, bufs),
            AppStream::Unix(s) => Pin::new(s).poll_write_vectored(cx, bufs),
        }
    }

    fn is_write_vectored(&self) -> bool {
        true
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            AppStream::Tcp(s) => Pin::new(s).poll_flush(cx),
            AppStream::Unix(s) => Pin::new(s).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            AppStream::Tcp(s) => Pin::new(s).poll_shutdown(cx),
            AppStream::Unix(s) => Pin::new(s).poll_shutdown(cx),
        }
    }
}

type Sender = SendRequest<RequestBody>;
type H2Sender = hyper::client::conn::http2::SendRequest<RequestBody>;

/// The app's response body: read by hyper's client, or from a raw connection.
pub type AppBody = Either<Incoming, RawBody>;

/// The first read buffer of a raw connection; a response head fits in it.
const RAW_BUFFER: usize = 8 * 1024;

/// One worker's connections to one app endpoint.
pub struct Upstream {
    endpoint: Endpoint,
    /// `Http2`: requests go over `h2`, else over HTTP/1.1.
    protocol: Protocol,
    /// The h2 connection requests share (h2 multiplexes them).
    h2: RefCell<Option<H2Sender>>,
    limits: UpstreamLimits,
    stats: Arc<ListenerStats>,
    idle: RefCell<Vec<(Sender, Instant)>>,
    idle_raw: RefCell<Vec<(RawConnection, Instant)>>,
    /// One permit per app connection this worker may hold open.
    slots: Arc<Semaphore>,
}

impl Upstream {
    /// `max_connections` is the resolved cap on this worker's open connections to the app.
    pub fn new(
        endpoint: Endpoint,
        protocol: Protocol,
        limits: UpstreamLimits,
        max_connections: usize,
        stats: Arc<ListenerStats>,
    ) -> Rc<Upstream> {
        Rc::new(Upstream {
            endpoint,
            protocol,
            h2: RefCell::new(None),
            limits,
            stats,
            idle: RefCell::new(Vec::new()),
            idle_raw: RefCell::new(Vec::new()),
            slots: Arc::new(Semaphore::new(max_connections.max(1))),
        })
    }

    pub fn endpoint(&self) -> &Endpoint {
        &self.endpoint
    }

    pub fn response_timeout(&self) -> Option<std::time::Duration> {
        self.limits.response_timeout
    }

    pub fn stats(&self) -> &ListenerStats {
        &self.stats
    }

    /// Sends `request`, which came in over `downstream`, to the app. A pooled connection that
    /// turns out closed is retried once on a fresh one, since the request was never written.
    pub async fn send(
        self: &Rc<Self>,
        request: Request<RequestBody>,
        downstream: http::Version,
    ) -> Result<Response<AppBody>, Failure> {
        // The raw path's future is small and every plain request takes it; hyper's (and h2's)
        // hold kilobytes of state, so they are boxed, not carried in every request's future.
        if self.protocol == Protocol::Http2 {
            let response = Box::pin(self.send_h2(request)).await?;
            return Ok(response.map(Either::Left));
        }
        if raw_client::suits(&request, downstream) {
            let response = raw_client::send(self, request).await?;
            return Ok(response.map(Either::Right));
        }
        Box::pin(self.send_hyper(request)).await
    }

    /// Sends `request` on a pooled HTTP/1.1 connection of hyper's.
    async fn send_hyper(
        self: &Rc<Self>,
        mut request: Request<RequestBody>,
    ) -> Result<Response<AppBody>, Failure> {
        for _ in 0..2 {
            let (mut sender, reused) = match self.checkout() {
                Some(sender) => (sender, true),
                None => (self.connect().await.map_err(Failure::App)?, false),
            };
            match sender.try_send_request(request).await {
                Ok(response) => {
                    self.checkin_when_ready(sender);
                    return Ok(response.map(Either::Left));
                }
                // The request body failed on the client's side (hyper reports a user error).
                Err(failed) if failed.error().is_user() => return Err(Failure::RequestBody),
                Err(mut failed) => match failed.take_message() {
                    Some(unsent) if reused => request = unsent,
                    _ => {
                        ListenerStats::count(&self.stats.upstream_rq_reset);
                        return Err(Failure::App(ResetReason::ConnectionTermination));
                    }
                },
            }
        }
        ListenerStats::count(&self.stats.upstream_rq_reset);
        Err(Failure::App(ResetReason::ConnectionTermination))
    }

    /// Sends `request` on the shared h2 connection (a new one when there is none or it is
    /// closing): `:authority` from the Host the request carries, `http` as the scheme.
    async fn send_h2(&self, request: Request<RequestBody>) -> Result<Response<Incoming>, Failure> {
        let (mut parts, body) = request.into_parts();
        let authority = parts
            .headers
            .remove(http::header::HOST)
            .and_then(|host| http::uri::Authority::try_from(host.as_bytes()).ok())
            .or_else(|| match &self.endpoint {
                Endpoint::Tcp(addr) => http::uri::Authority::try_from(addr.to_string()).ok(),
                Endpoint::Unix(_) => None,
            })
            .unwrap_or_else(|| http::uri::Authority::from_static("localhost"));
        let mut uri = http::uri::Parts::from(std::mem::take(&mut parts.uri));
        uri.scheme = Some(http::uri::Scheme::HTTP);
        uri.authority = Some(authority);
        if uri.path_and_query.is_none() {
            uri.path_and_query = Some(http::uri::PathAndQuery::from_static("/"));
        }
        parts.uri = http::Uri::from_parts(uri).map_err(|_| Failure::RequestBody)?;
        parts.version = http::Version::HTTP_2;
        let request = Request::from_parts(parts, body);
        let shared = self
            .h2
            .borrow()
            .clone()
            .filter(|sender| !sender.is_closed());
        let mut sender = match shared {
            Some(sender) => sender,
            None => {
                let sender = self.connect_h2().await.map_err(Failure::App)?;
                *self.h2.borrow_mut() = Some(sender.clone());
                sender
            }
        };
        if sender.ready().await.is_err() {
            ListenerStats::count(&self.stats.upstream_rq_reset);
            return Err(Failure::App(ResetReason::ConnectionTermination));
        }
        match sender.send_request(request).await {
            Ok(response) => Ok(response),
            Err(e) if e.is_user() => Err(Failure::RequestBody),
            Err(e) => {
                log::debug!("h2 request to the app at {}: {e}", self.endpoint);
                ListenerStats::count(&self.stats.upstream_rq_reset);
                Err(Failure::App(ResetReason::ConnectionTermination))
            }
        }
    }

    async fn connect_h2(&self) -> Result<H2Sender, ResetReason> {
        let (stream, slot) = self.open().await?;
        let (sender, connection) = hyper::client::conn::http2::Builder::new(LocalExec)
            .handshake(TokioIo::new(stream))
            .await
            .map_err(|_| ResetReason::ConnectionFailure)?;
        tokio::task::spawn_local(async move {
            if let Err(e) = connection.await {
                log::debug!("upstream h2 connection ended: {e}");
            }
            drop(slot);
        });
        Ok(sender)
    }

    /// The most recently used idle connection that is still open and within the idle timeout.
    fn checkout(&self) -> Option<Sender> {
        let mut idle = self.idle.borrow_mut();
        while let Some((sender, since)) = idle.pop() {
            if sender.is_ready()
                && !sender.is_closed()
                && since.elapsed() < self.limits.idle_timeout
            {
                return Some(sender);
            }
        }
        None
    }

    /// Returns the connection to the pool once its response body has been read: at once when
    /// it already has (an empty or fully buffered body, the common case), else from a task.
    fn checkin_when_ready(self: &Rc<Self>, mut sender: Sender) {
        if sender.is_ready() {
            self.idle.borrow_mut().push((sender, Instant::now()));
            return;
        }
        let pool = Rc::clone(self);
        tokio::task::spawn_local(async move {
            if sender.ready().await.is_ok() {
                pool.idle.borrow_mut().push((sender, Instant::now()));
            }
        });
    }

    /// A connection of its own (never pooled) for a TCP port or an upgraded request, and its
    /// place among the worker's app connections, freed when dropped.
    pub async fn dedicated(&self) -> Result<(AppStream, OwnedSemaphorePermit), ResetReason> {
        self.open().await
    }

    /// A raw connection for the lean path: the most recently used idle one that is still open
    /// and within the idle timeout, else a new one.
    pub async fn raw(&self) -> Result<RawConnection, ResetReason> {
        if let Some(connection) = self.checkout_raw() {
            return Ok(connection);
        }
        // Boxed: connecting is rare, and its future would otherwise sit in every connection's
        // task, idle ones included (a task is as large as its largest state).
        let (stream, slot) = Box::pin(self.open()).await?;
        Ok(RawConnection {
            stream,
            unread: BytesMut::with_capacity(RAW_BUFFER),
            reused: false,
            _slot: slot,
        })
    }

    fn checkout_raw(&self) -> Option<RawConnection> {
        let mut idle = self.idle_raw.borrow_mut();
        while let Some((mut connection, since)) = idle.pop() {
            if since.elapsed() < self.limits.idle_timeout
                && !connection.stream.readable_while_idle()
            {
                connection.reused = true;
                return Some(connection);
            }
        }
        None
    }

    /// Returns a raw connection whose exchange finished cleanly to the pool.
    pub fn checkin_raw(&self, connection: RawConnection) {
        if connection.unread.is_empty() {
            self.idle_raw
                .borrow_mut()
                .push((connection, Instant::now()));
        }
    }

    /// Closes the longest-idle connection of each pool; whether there was one.
    fn evict_oldest_idle(&self) -> bool {
        let mut evicted = false;
        let mut raw = self.idle_raw.borrow_mut();
        if !raw.is_empty() {
            drop(raw.remove(0));
            evicted = true;
        }
        let mut senders = self.idle.borrow_mut();
        if !senders.is_empty() {
            drop(senders.remove(0));
            evicted = true;
        }
        evicted
    }

    /// Counts a request the app reset, as hyper's path does.
    pub fn count_reset(&self) {
        ListenerStats::count(&self.stats.upstream_rq_reset);
    }

    async fn connect(&self) -> Result<Sender, ResetReason> {
        let (stream, slot) = self.open().await?;
        let (sender, connection) = http1::Builder::new()
            .handshake(TokioIo::new(stream))
            .await
            .map_err(|_| ResetReason::ConnectionFailure)?;
        tokio::task::spawn_local(async move {
            if let Err(e) = connection.await {
                log::debug!("upstream connection ended: {e}");
            }
            drop(slot);
        });
        Ok(sender)
    }

    /// A new stream to the app, within the connect timeout, and its place among the worker's
    /// app connections: waiting for one counts against the same timeout, then overflows.
    async fn open(&self) -> Result<(AppStream, OwnedSemaphorePermit), ResetReason> {
        let waited = Instant::now();
        let mut slot = Arc::clone(&self.slots).try_acquire_owned();
        if slot.is_err() {
            // Idle connections hold places too: the oldest of each pool makes way.
            let evicted = self.evict_oldest_idle();
            slot = Arc::clone(&self.slots).try_acquire_owned();
            if slot.is_err() && evicted {
                tokio::task::yield_now().await;
                slot = Arc::clone(&self.slots).try_acquire_owned();
            }
        }
        let slot = match slot {
            Ok(slot) => slot,
            Err(_) => {
                let waiting = Arc::clone(&self.slots).acquire_owned();
                match tokio::time::timeout(self.limits.connect_timeout, waiting).await {
                    Ok(Ok(slot)) => slot,
                    _ => {
                        log::debug!(
                            "every app connection of this worker to {} is busy",
                            self.endpoint
                        );
                        ListenerStats::count(&self.stats.upstream_rq_pending_overflow);
                        return Err(ResetReason::Overflow);
                    }
                }
            }
        };
        let left = self.limits.connect_timeout.saturating_sub(waited.elapsed());
        ListenerStats::count(&self.stats.upstream_cx_total);
        let connecting = async {
            match &self.endpoint {
                Endpoint::Tcp(addr) => {
                    let stream = TcpStream::connect(addr).await?;
                    stream.set_nodelay(true)?;
                    Ok::<_, io::Error>(AppStream::Tcp(stream))
                }
                Endpoint::Unix(path) => Ok(AppStream::Unix(UnixStream::connect(path).await?)),
            }
        };
        match tokio::time::timeout(left, connecting).await {
            Ok(Ok(stream)) => Ok((stream, slot)),
            Ok(Err(e)) => {
                log::debug!("connecting to the app at {}: {e}", self.endpoint);
                ListenerStats::count(&self.stats.upstream_cx_connect_fail);
                Err(ResetReason::ConnectionFailure)
            }
            Err(_) => {
                log::debug!("connecting to the app at {}: timed out", self.endpoint);
                ListenerStats::count(&self.stats.upstream_cx_connect_fail);
                Err(ResetReason::ConnectionFailure)
            }
        }
    }
}
