//! Making the request: TCP, then rustls with the `ServerVerifier` and an optional client
//! certificate, then one GET over HTTP/1.1 or h2 (by ALPN); the response head comes back.
use std::net::SocketAddr;
use std::sync::Arc;

use bytes::Bytes;
use http::{HeaderMap, Request, StatusCode, Version};
use http_body_util::Empty;
use hyper_util::rt::TokioIo;
use rustls::ClientConfig;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use rustls::sign::{CertifiedKey, SingleCertAndKey};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

use super::classify::{Recorder, RequestError, Seen, classify_tls, hyper_error, why_failed};
use super::verifier::{ServerCheck, ServerVerifier};

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

pub async fn get_inner(
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
