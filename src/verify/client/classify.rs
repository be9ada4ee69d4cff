//! Why a request failed, in the checks' terms: refused, reset, a TLS alert from the server, a
//! refused server certificate, or plain HTTP trouble; `Recorder` keeps what the server said last.
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use rustls::{CertificateError, Error};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// How a request failed, in the terms the checks report.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RequestError {
    #[error("connection refused or unreachable: {0}")]
    Connect(String),
    #[error("connection reset by peer")]
    Reset,
    #[error("the server rejected the TLS handshake: {0}")]
    TlsRejectedByServer(String),
    #[error("the server's certificate was rejected: {0}")]
    ServerCertificate(String),
    #[error("TLS failed: {0}")]
    Tls(String),
    /// The client could not be set up (its key, the SNI): nothing was sent, so nothing is proven.
    #[error("the client could not be set up: {0}")]
    ClientSetup(String),
    #[error("HTTP failed: {0}")]
    Http(String),
    #[error("timed out after {0:?}")]
    Timeout(Duration),
}

impl RequestError {
    /// The line curl prints for a failure like this one, with curl's exit code.
    pub fn curl_text(&self) -> String {
        match self {
            RequestError::Connect(why) => format!("curl: (7) Failed to connect: {why}"),
            RequestError::Reset => "curl: (56) Recv failure: Connection reset by peer".to_string(),
            RequestError::TlsRejectedByServer(why) => {
                format!("curl: (56) the server rejected the TLS session: {why}")
            }
            RequestError::ServerCertificate(why) => {
                format!("curl: (60) SSL certificate problem: {why}")
            }
            RequestError::Tls(why) => format!("curl: (35) TLS connect error: {why}"),
            RequestError::ClientSetup(why) => format!("curl: (58) {why}"),
            RequestError::Http(why) => format!("curl: (52) {why}"),
            RequestError::Timeout(after) => {
                format!(
                    "curl: (28) Operation timed out after {} ms",
                    after.as_millis()
                )
            }
        }
    }
}

/// An I/O error after the handshake: a reset, a TLS alert (TLS 1.3 servers reject a client
/// certificate after the client has finished), or something else.
fn io_error(e: &std::io::Error) -> RequestError {
    match e.kind() {
        std::io::ErrorKind::ConnectionReset => RequestError::Reset,
        _ => match e.get_ref().and_then(|inner| inner.downcast_ref::<Error>()) {
            Some(Error::AlertReceived(alert)) => {
                RequestError::TlsRejectedByServer(format!("TLS alert {alert:?}"))
            }
            Some(other) => RequestError::Tls(other.to_string()),
            // Some layers keep only the message of rustls's error.
            None => match e.to_string().strip_prefix("received fatal alert: ") {
                Some(alert) => RequestError::TlsRejectedByServer(format!("TLS alert {alert}")),
                None => RequestError::Http(e.to_string()),
            },
        },
    }
}

/// A request failed: the connection task knows the cause better ("operation was canceled" hides
/// a TLS alert or a reset), so ask it first.
pub async fn why_failed(
    error: &hyper::Error,
    connection: tokio::task::JoinHandle<Result<(), hyper::Error>>,
    seen: &Seen,
) -> RequestError {
    let from_request = hyper_error(error);
    if !matches!(from_request, RequestError::Http(_)) {
        return from_request;
    }
    // Let the connection task finish: it may still be reading what the server said last.
    let from_connection = match tokio::time::timeout(Duration::from_secs(1), connection).await {
        Ok(Ok(Err(cause))) => Some(hyper_error(&cause)),
        _ => None,
    };
    // A TLS 1.3 server that refuses the client certificate alerts and closes (the Recorder
    // keeps the alert); the alert may also be lost to the reset that follows, as for curl.
    if let Some(said) = seen.get() {
        return said;
    }
    match from_connection {
        Some(better) if !matches!(better, RequestError::Http(_)) => better,
        _ => RequestError::Http(format!(
            "the server closed the connection without a response ({error})"
        )),
    }
}

/// What the server said last on a connection: a TLS alert, or a reset.
#[derive(Debug, Clone, Default)]
pub struct Seen(Arc<Mutex<Option<RequestError>>>);

impl Seen {
    fn get(&self) -> Option<RequestError> {
        self.0.lock().ok().and_then(|g| g.clone())
    }

    /// Keeps an alert over a reset, and the first of each.
    fn note(&self, error: &std::io::Error) {
        let classified = io_error(error);
        if let Ok(mut slot) = self.0.lock() {
            match (&*slot, &classified) {
                (None, RequestError::TlsRejectedByServer(_) | RequestError::Reset)
                | (Some(RequestError::Reset), RequestError::TlsRejectedByServer(_)) => {
                    *slot = Some(classified)
                }
                _ => {}
            }
        }
    }
}

/// A stream that remembers read failures. hyper reports a request on a connection the server
/// ended as "operation was canceled" or "broken pipe"; a TLS 1.3 server that refuses the client
/// certificate says why in an alert after the client's handshake is done, and this keeps it.
pub struct Recorder<T> {
    pub inner: T,
    pub seen: Seen,
}

impl<T: AsyncRead + Unpin> AsyncRead for Recorder<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let poll = Pin::new(&mut self.inner).poll_read(cx, buf);
        if let Poll::Ready(Err(e)) = &poll {
            self.seen.note(e);
        }
        poll
    }
}

impl<T: AsyncRead + AsyncWrite + Unpin> AsyncWrite for Recorder<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let poll = Pin::new(&mut self.inner).poll_write(cx, buf);
        if let Poll::Ready(Err(e)) = &poll {
            self.seen.note(e);
            // The server is gone; what it sent last (an alert) may still be waiting.
            let mut scratch = [0u8; 512];
            let mut last = ReadBuf::new(&mut scratch);
            if let Poll::Ready(Err(e)) = Pin::new(&mut self.inner).poll_read(cx, &mut last) {
                self.seen.note(&e);
            }
        }
        poll
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        let poll = Pin::new(&mut self.inner).poll_flush(cx);
        if let Poll::Ready(Err(e)) = &poll {
            self.seen.note(e);
        }
        poll
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        let poll = Pin::new(&mut self.inner).poll_shutdown(cx);
        if let Poll::Ready(Err(e)) = &poll {
            self.seen.note(e);
        }
        poll
    }
}

pub fn hyper_error(error: &hyper::Error) -> RequestError {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(e) = source {
        if let Some(io) = e.downcast_ref::<std::io::Error>() {
            return io_error(io);
        }
        source = e.source();
    }
    RequestError::Http(error.to_string())
}

pub fn classify_tls(error: &std::io::Error) -> RequestError {
    if error.kind() == std::io::ErrorKind::ConnectionReset {
        return RequestError::Reset;
    }
    match error.get_ref().and_then(|e| e.downcast_ref::<Error>()) {
        Some(Error::AlertReceived(alert)) => {
            RequestError::TlsRejectedByServer(format!("{alert:?}"))
        }
        Some(Error::InvalidCertificate(reason)) => {
            RequestError::ServerCertificate(certificate_reason(reason))
        }
        Some(other) => RequestError::Tls(other.to_string()),
        None => match error.kind() {
            std::io::ErrorKind::UnexpectedEof => RequestError::TlsRejectedByServer(
                "the server closed the connection during the handshake".to_string(),
            ),
            _ => RequestError::Tls(error.to_string()),
        },
    }
}

/// Why a server certificate was refused, in words (`Other` carries our own message).
fn certificate_reason(reason: &CertificateError) -> String {
    match reason {
        CertificateError::Other(other) => other.to_string(),
        CertificateError::UnknownIssuer => "unknown issuer (not signed by --cacert)".to_string(),
        CertificateError::Expired => "certificate has expired".to_string(),
        CertificateError::NotValidYet => "certificate is not yet valid".to_string(),
        CertificateError::BadSignature => "bad signature".to_string(),
        other => format!("{other:?}"),
    }
}
