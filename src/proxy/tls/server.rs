//! rustls server configs: Sidecar ingress termination (SIMPLE, MUTUAL, OPTIONAL_MUTUAL with
//! versions and cipher suites) and Istio mTLS (workload identity, ROOTCA, SPIFFE peers).
use std::sync::Arc;

use rustls::pki_types::CertificateRevocationListDer;
use rustls::server::{NoClientAuth, ServerSessionMemoryCache};
use rustls::sign::{CertifiedKey, SingleCertAndKey};
use rustls::{ServerConfig, SupportedCipherSuite, SupportedProtocolVersion};

use super::material::{CertAndKey, TrustBundle};
use super::verifier::ClientVerifier;
use crate::proxy::config::{ClientAuth, TlsTermination, TlsVersion};
use crate::tls::suite_by_openssl_name;

/// ALPN for a Sidecar ingress TLS port: h2 first, as Envoy offers.
pub const INGRESS_ALPN: &[&[u8]] = &[b"h2", b"http/1.1"];

/// ALPN for Istio mTLS ports: Istio's own names, then the plain ones.
pub const MESH_ALPN: &[&[u8]] = &[
    b"istio-h2",
    b"h2",
    b"istio-http/1.1",
    b"istio-http/1.0",
    b"http/1.1",
    b"istio-peer-exchange",
    b"istio",
];

/// Whether a negotiated ALPN value means HTTP/2.
pub fn is_h2(alpn: Option<&[u8]>) -> bool {
    matches!(alpn, Some(b"h2") | Some(b"istio-h2"))
}

fn versions(min: TlsVersion, max: TlsVersion) -> Vec<&'static SupportedProtocolVersion> {
    let mut out = Vec::new();
    if min <= TlsVersion::V1_3 && max >= TlsVersion::V1_3 {
        out.push(&rustls::version::TLS13);
    }
    if min <= TlsVersion::V1_2 && max >= TlsVersion::V1_2 {
        out.push(&rustls::version::TLS12);
    }
    out
}

/// The certificate and key as rustls serves them. Unlike `with_single_cert`, this accepts
/// X.509 v1 leaves (webpki cannot parse them); the key was matched to the certificate on load.
fn certified_key(cert: &CertAndKey) -> Arc<SingleCertAndKey> {
    Arc::new(SingleCertAndKey::from(CertifiedKey::new(
        cert.chain.clone(),
        Arc::clone(&cert.key),
    )))
}

fn finish(mut config: ServerConfig, alpn: &[&[u8]]) -> Arc<ServerConfig> {
    config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
    config.session_storage = ServerSessionMemoryCache::new(4096);
    if let Ok(ticketer) = rustls::crypto::aws_lc_rs::Ticketer::new() {
        config.ticketer = ticketer;
    }
    Arc::new(config)
}

/// The server config for a Sidecar ingress `tls` block. A new config (new ticket keys) is
/// built on every reload, so no session made under old certificates resumes under new ones.
pub fn termination_config(
    settings: &TlsTermination,
    cert: &CertAndKey,
    ca: Option<&TrustBundle>,
    crls: &[CertificateRevocationListDer<'static>],
) -> Result<Arc<ServerConfig>, rustls::Error> {
    let mut provider = rustls::crypto::aws_lc_rs::default_provider();
    if !settings.cipher_suites.is_empty() {
        let wanted: Vec<SupportedCipherSuite> = settings
            .cipher_suites
            .iter()
            .filter_map(|name| suite_by_openssl_name(name))
            .collect();
        // cipherSuites restricts TLS 1.2 only, as in Envoy; TLS 1.3 suites stay.
        provider
            .cipher_suites
            .retain(|s| s.version() == &rustls::version::TLS13 || wanted.contains(s));
    }
    let provider = Arc::new(provider);
    let builder = ServerConfig::builder_with_provider(Arc::clone(&provider))
        .with_protocol_versions(&versions(settings.min_version, settings.max_version))?;
    let builder = match (&settings.client_auth, ca) {
        (ClientAuth::Off, _) => builder.with_client_cert_verifier(Arc::new(NoClientAuth)),
        (auth, Some(ca)) => builder.with_client_cert_verifier(Arc::new(ClientVerifier::new(
            ca.roots.clone(),
            crls.to_vec(),
            matches!(auth, ClientAuth::Required(_)),
        )?)),
        (_, None) => {
            return Err(rustls::Error::General(
                "MUTUAL TLS requires a client CA bundle".to_string(),
            ));
        }
    };
    let config = builder.with_cert_resolver(certified_key(cert));
    Ok(finish(config, INGRESS_ALPN))
}

/// The server config for Istio mTLS: the workload's `default` identity, peers verified
/// against `ROOTCA` with a SPIFFE ID of the trust domain, both inside the handshake.
pub fn mesh_config(
    identity: &CertAndKey,
    root: &TrustBundle,
    spiffe_prefix: &str,
) -> Result<Arc<ServerConfig>, rustls::Error> {
    let verifier = ClientVerifier::new(root.roots.clone(), Vec::new(), true)?
        .requiring_uri_prefix(spiffe_prefix.to_string());
    let provider = crate::tls::provider();
    let config = ServerConfig::builder_with_provider(Arc::clone(&provider))
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])?
        .with_client_cert_verifier(Arc::new(verifier))
        .with_cert_resolver(certified_key(identity));
    Ok(finish(config, MESH_ALPN))
}
