//! A curl-like HTTPS client for the checks: rustls with either curl's server check (hostname,
//! with the CN used only when a certificate has no SAN) or Istio's (chain to ROOTCA plus the
//! expected SPIFFE ID), an optional client certificate, and HTTP/1.1 or h2 by ALPN.
mod classify;
mod request;
mod verifier;

use std::net::SocketAddr;
use std::time::Duration;

pub use classify::RequestError;
pub use request::{Head, TlsOptions};
pub use verifier::{ServerCheck, ServerVerifier};

/// Sends `HEAD`-like `GET path` with `Host: host` and returns the response head.
/// Plaintext when `tls` is `None`. Everything is bounded by `timeout`.
pub async fn get(
    address: SocketAddr,
    host: &str,
    path: &str,
    tls: Option<TlsOptions>,
    timeout: Duration,
) -> Result<(Head, bool), RequestError> {
    tokio::time::timeout(timeout, request::get_inner(address, host, path, tls))
        .await
        .map_err(|_| RequestError::Timeout(timeout))?
}
