//! A curl-like HTTPS client for the checks: rustls with either curl's server check (hostname,
//! with the CN used only when a certificate has no SAN) or Istio's (chain to ROOTCA plus the
//! expected SPIFFE ID), an optional client certificate, and HTTP/1.1 or h2 by ALPN.
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, Request, StatusCode, Version};
use http_body_util::Empty;
use hyper_util::rt::TokioIo;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::WebPkiSupportedAlgorithms;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::sign::{CertifiedKey, SingleCertAndKey};
use rustls::{CertificateError, ClientConfig, DigitallySignedStruct, Error, SignatureScheme};
use std::pin::Pin;
use std::task::{Context, Poll};
use time::OffsetDateTime;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

use crate::pki::inspect::{parse, verify_chain};
use crate::tls::peer::{certificate_error, verify_with_key};

/// How the client decides the server is who it should be.
#[derive(Debug, Clone)]
pub enum ServerCheck {
    /// curl's rule: the name must match a DNS SAN, or the CN when there is no SAN at all.
    Hostname {
        roots: Vec<CertificateDer<'static>>,
        name: String,
    },
    /// Istio's rule: chain to the mesh root and present this SPIFFE ID.
    Spiffe {
        roots: Vec<CertificateDer<'static>>,
        id: String,
    },
}

/// What a request sends over TLS.
#[derive(Debug)]
pub struct TlsOptions {
    pub check: ServerCheck,
    /// Client certificate chain and key, for mTLS.
    pub identity: Option<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>)>,
    pub sni: String,
    pub alpn: Vec<Vec<u8>>,
}

/// The head of a response, as `curl -I` shows it.
#[derive(Debug, Clone)]
pub struct Head {
    pub version: Version,
    pub status: StatusCode,
    pub headers: HeaderMap,
}

impl Head {
    /// `HTTP/2 200` or `HTTP/1.1 200 OK` and the headers, curl style.
    pub fn curl_text(&self) -> String {
        let mut out = match self.version {
            Version::HTTP_2 => format!("HTTP/2 {}\n", self.status.as_u16()),
            _ => format!(
                "HTTP/1.1 {} {}\n",
                self.status.as_u16(),
                self.status.canonical_reason().unwrap_or("")
            ),
        };
        for (name, value) in &self.headers {
            out.push_str(&format!("{name}: {}\n", value.to_str().unwrap_or("")));
        }
        out
    }
}

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

/// Checks server certificates as `ServerCheck` says; notes when the CN stood in for a SAN.
#[derive(Debug)]
pub struct ServerVerifier {
    check: ServerCheck,
    algorithms: WebPkiSupportedAlgorithms,
    cn_fallback_used: Mutex<bool>,
}

impl ServerVerifier {
    pub fn new(check: ServerCheck) -> ServerVerifier {
        ServerVerifier {
            check,
            algorithms: crate::tls::provider().signature_verification_algorithms,
            cn_fallback_used: Mutex::new(false),
        }
    }

    /// Whether the last verification matched the host name against the CN (no SAN present).
    pub fn cn_fallback_used(&self) -> bool {
        self.cn_fallback_used.lock().map(|g| *g).unwrap_or(false)
    }
}

fn name_error(expected: &str, presented: Vec<String>) -> Error {
    Error::InvalidCertificate(CertificateError::Other(rustls::OtherError(Arc::new(
        std::io::Error::other(if presented.is_empty() {
            format!("the certificate's CN does not match target host name '{expected}'")
        } else {
            format!(
                "no alternative certificate subject name matches target host name '{expected}' (it has {})",
                presented.join(", ")
            )
        }),
    ))))
}

impl ServerCertVerifier for ServerVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, Error> {
        let leaf = parse(end_entity)
            .map_err(|_| Error::InvalidCertificate(CertificateError::BadEncoding))?;
        let (roots, expected) = match &self.check {
            ServerCheck::Hostname { roots, name } => (roots, name),
            ServerCheck::Spiffe { roots, id } => (roots, id),
        };
        if leaf.version().0 >= 2 {
            // X.509 v3: webpki's full path validation, for server authentication.
            let anchors: Vec<_> = roots
                .iter()
                .filter_map(|c| webpki::anchor_from_trusted_cert(c).ok())
                .collect();
            let cert = webpki::EndEntityCert::try_from(end_entity)
                .map_err(|_| Error::InvalidCertificate(CertificateError::BadEncoding))?;
            cert.verify_for_usage(
                self.algorithms.all,
                &anchors,
                intermediates,
                now,
                webpki::KeyUsage::server_auth(),
                None,
                None,
            )
            .map_err(webpki_error)?;
        } else {
            // X.509 v1 (the page's openssl leaves): chain signature and validity by hand.
            let anchors: Vec<_> = roots.iter().filter_map(|c| parse(c).ok()).collect();
            let others: Vec<_> = intermediates.iter().filter_map(|c| parse(c).ok()).collect();
            let when = OffsetDateTime::from_unix_timestamp(now.as_secs() as i64)
                .map_err(|_| Error::General("clock out of range".to_string()))?;
            verify_chain(&leaf, &others, &anchors, when)
                .map_err(|e| Error::InvalidCertificate(certificate_error(&e)))?;
        }
        let sans = crate::pki::inspect::subject_alt_names(&leaf);
        let matched = match &self.check {
            ServerCheck::Spiffe { .. } => sans.iter().any(|s| s == &format!("URI:{expected}")),
            ServerCheck::Hostname { .. } if sans.is_empty() => {
                // No SAN at all (the page's v1 leaves): curl falls back to the CN.
                let cn = leaf
                    .subject()
                    .iter_common_name()
                    .next()
                    .and_then(|cn| cn.as_str().ok());
                let matched = cn.is_some_and(|cn| cn.eq_ignore_ascii_case(expected));
                if let Ok(mut used) = self.cn_fallback_used.lock() {
                    *used = matched;
                }
                matched
            }
            ServerCheck::Hostname { .. } => sans.iter().any(|s| {
                s.strip_prefix("DNS:")
                    .is_some_and(|dns| dns_matches(dns, expected))
            }),
        };
        if !matched {
            return Err(name_error(expected, sans));
        }
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        verify_with_key(message, cert, dss, &self.algorithms, false)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        verify_with_key(message, cert, dss, &self.algorithms, true)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

fn webpki_error(error: webpki::Error) -> Error {
    let reason = match error {
        webpki::Error::UnknownIssuer => CertificateError::UnknownIssuer,
        webpki::Error::CertExpired { .. } => CertificateError::Expired,
        webpki::Error::CertNotValidYet { .. } => CertificateError::NotValidYet,
        webpki::Error::InvalidSignatureForPublicKey => CertificateError::BadSignature,
        other => CertificateError::Other(rustls::OtherError(Arc::new(std::io::Error::other(
            format!("{other:?}"),
        )))),
    };
    Error::InvalidCertificate(reason)
}

/// DNS name matching with a single leading wildcard label, case-insensitive.
fn dns_matches(pattern: &str, name: &str) -> bool {
    match pattern.strip_prefix("*.") {
        Some(suffix) => name
            .split_once('.')
            .is_some_and(|(first, rest)| !first.is_empty() && rest.eq_ignore_ascii_case(suffix)),
        None => pattern.eq_ignore_ascii_case(name),
    }
}

/// Sends `HEAD`-like `GET path` with `Host: host` and returns the response head.
/// Plaintext when `tls` is `None`. Everything is bounded by `timeout`.
pub async fn get(
    address: SocketAddr,
    host: &str,
    path: &str,
    tls: Option<TlsOptions>,
    timeout: Duration,
) -> Result<(Head, bool), RequestError> {
    tokio::time::timeout(timeout, get_inner(address, host, path, tls))
        .await
        .map_err(|_| RequestError::Timeout(timeout))?
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

async fn get_inner(
    address: SocketAddr,
    host: &str,
    path: &str,
    tls: Option<TlsOptions>,
) -> Result<(Head, bool), RequestError> {
    let stream = TcpStream::connect(address)
        .await
        .map_err(|e| RequestError::Connect(e.to_string()))?;
    let _ = stream.set_nodelay(true);
    let request = || {
        Request::get(path)
            .header(http::header::HOST, host)
            .header(http::header::USER_AGENT, "meshtls-verify")
            .body(Empty::<Bytes>::new())
            .map_err(|e| RequestError::Http(e.to_string()))
    };
    let Some(options) = tls else {
        return send_h1(TokioIo::new(stream), request()?, &Seen::default())
            .await
            .map(|h| (h, false));
    };
    let verifier = Arc::new(ServerVerifier::new(options.check.clone()));
    let builder = ClientConfig::builder_with_provider(crate::tls::provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| RequestError::ClientSetup(e.to_string()))?
        .dangerous()
        .with_custom_certificate_verifier(verifier.clone());
    let mut config = match options.identity {
        // Not `with_client_auth_cert`: it parses the leaf with webpki, which refuses the page's
        // X.509 v1 client certificates that curl and Envoy accept.
        Some((chain, key)) => {
            let signer = crate::tls::provider()
                .key_provider
                .load_private_key(key)
                .map_err(|e| RequestError::ClientSetup(format!("the client key: {e}")))?;
            let certified = CertifiedKey::new(chain, signer);
            builder.with_client_cert_resolver(Arc::new(SingleCertAndKey::from(certified)))
        }
        None => builder.with_no_client_auth(),
    };
    config.alpn_protocols = options.alpn.clone();
    let sni = ServerName::try_from(options.sni.clone())
        .map_err(|e| RequestError::ClientSetup(format!("SNI {:?}: {e}", options.sni)))?;
    let tls = TlsConnector::from(Arc::new(config))
        .connect(sni, stream)
        .await
        .map_err(|e| classify_tls(&e))?;
    let h2 = matches!(
        tls.get_ref().1.alpn_protocol(),
        Some(b"h2") | Some(b"istio-h2")
    );
    let seen = Seen::default();
    let io = TokioIo::new(Recorder {
        inner: tls,
        seen: seen.clone(),
    });
    let head = if h2 {
        let (mut sender, connection) =
            hyper::client::conn::http2::Builder::new(hyper_util::rt::TokioExecutor::new())
                .handshake(io)
                .await
                .map_err(|e| hyper_error(&e))?;
        let connection = tokio::spawn(connection);
        let mut req = request()?;
        *req.version_mut() = Version::HTTP_2;
        *req.uri_mut() = format!("https://{host}{path}")
            .parse()
            .map_err(|_| RequestError::Http("bad URL".to_string()))?;
        req.headers_mut().remove(http::header::HOST);
        let response = match sender.send_request(req).await {
            Ok(response) => response,
            Err(e) => return Err(why_failed(&e, connection, &seen).await),
        };
        Head {
            version: response.version(),
            status: response.status(),
            headers: response.headers().clone(),
        }
    } else {
        send_h1(io, request()?, &seen).await?
    };
    Ok((head, verifier.cn_fallback_used()))
}

async fn send_h1<IO>(
    io: IO,
    request: Request<Empty<Bytes>>,
    seen: &Seen,
) -> Result<Head, RequestError>
where
    IO: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
{
    let (mut sender, connection) = hyper::client::conn::http1::handshake(io)
        .await
        .map_err(|e| hyper_error(&e))?;
    let connection = tokio::spawn(connection);
    let response = match sender.send_request(request).await {
        Ok(response) => response,
        Err(e) => return Err(why_failed(&e, connection, seen).await),
    };
    Ok(Head {
        version: response.version(),
        status: response.status(),
        headers: response.headers().clone(),
    })
}

/// A request failed: the connection task knows the cause better ("operation was canceled" hides
/// a TLS alert or a reset), so ask it first.
async fn why_failed(
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
struct Seen(Arc<Mutex<Option<RequestError>>>);

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
struct Recorder<T> {
    inner: T,
    seen: Seen,
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

fn hyper_error(error: &hyper::Error) -> RequestError {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(e) = source {
        if let Some(io) = e.downcast_ref::<std::io::Error>() {
            return io_error(io);
        }
        source = e.source();
    }
    RequestError::Http(error.to_string())
}

fn classify_tls(error: &std::io::Error) -> RequestError {
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

#[cfg(test)]
mod tests {
    use super::dns_matches;

    #[test]
    fn wildcards_cover_one_label() {
        assert!(dns_matches("*.test.svc", "httpbin.test.svc"));
        assert!(!dns_matches("*.test.svc", "a.b.test.svc"));
        assert!(dns_matches("HTTPBIN", "httpbin"));
    }
}
