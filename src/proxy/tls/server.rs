//! rustls server configs: Sidecar ingress termination (SIMPLE, MUTUAL, OPTIONAL_MUTUAL with
//! versions and cipher suites) and Istio mTLS (workload identity, ROOTCA, SPIFFE peers).
use std::sync::Arc;

use rustls::pki_types::CertificateRevocationListDer;
use rustls::server::danger::ClientCertVerifier;
use rustls::server::{NoClientAuth, ServerSessionMemoryCache};
use rustls::sign::{CertifiedKey, SingleCertAndKey};
use rustls::{ServerConfig, SupportedCipherSuite, SupportedProtocolVersion};

use super::hello::ServerConfigs;
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

/// A session cache and ticket keys for one listener, shared by all its configs.
fn with_sessions(
    mut config: ServerConfig,
    alpn: &[&[u8]],
    from: Option<&ServerConfig>,
) -> ServerConfig {
    config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
    match from {
        Some(first) => {
            config.session_storage = Arc::clone(&first.session_storage);
            config.ticketer = Arc::clone(&first.ticketer);
        }
        None => {
            config.session_storage = ServerSessionMemoryCache::new(4096);
            if let Ok(ticketer) = rustls::crypto::aws_lc_rs::Ticketer::new() {
                config.ticketer = ticketer;
            }
        }
    }
    config
}

/// Envoy's default TLS 1.2 order: [AES-128-GCM|ChaCha20] (one group), then AES-256-GCM, ECDSA
/// before RSA; `chacha_first` puts ChaCha20 first within the group.
fn envoy_tls12_rank(suite: &SupportedCipherSuite, chacha_first: bool) -> usize {
    use rustls::CipherSuite as C;
    let (aes, chacha) = if chacha_first { (1, 0) } else { (0, 1) };
    match suite.suite() {
        C::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 => aes,
        C::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256 => chacha,
        C::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 => 2 + aes,
        C::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256 => 2 + chacha,
        C::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384 => 4,
        C::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 => 5,
        _ => 6,
    }
}

/// The server config for a Sidecar ingress `tls` block. A new config (new ticket keys) is
/// built on every reload, so no session made under old certificates resumes under new ones.
pub fn termination_config(
    settings: &TlsTermination,
    cert: &CertAndKey,
    ca: Option<&TrustBundle>,
    crls: &[CertificateRevocationListDer<'static>],
) -> Result<Arc<ServerConfigs>, rustls::Error> {
    let mut provider = rustls::crypto::aws_lc_rs::default_provider();
    let wanted: Vec<SupportedCipherSuite> = settings
        .cipher_suites
        .iter()
        .filter_map(|name| suite_by_openssl_name(name))
        .collect();
    if !wanted.is_empty() {
        // cipherSuites restricts TLS 1.2 only, as in Envoy; TLS 1.3 suites stay.
        provider
            .cipher_suites
            .retain(|s| s.version() == &rustls::version::TLS13 || wanted.contains(s));
    }
    let verifier: Arc<dyn ClientCertVerifier> = match (&settings.client_auth, ca) {
        (ClientAuth::Off, _) => Arc::new(NoClientAuth),
        (auth, Some(ca)) => Arc::new(ClientVerifier::new(
            ca.roots.clone(),
            crls.to_vec(),
            matches!(auth, ClientAuth::Required(_)),
        )?),
        (_, None) => {
            return Err(rustls::Error::General(
                "MUTUAL TLS requires a client CA bundle".to_string(),
            ));
        }
    };
    let resolver = certified_key(cert);
    let versions = versions(settings.min_version, settings.max_version);
    let build = |provider: rustls::crypto::CryptoProvider, from: Option<&ServerConfig>| {
        ServerConfig::builder_with_provider(Arc::new(provider))
            .with_protocol_versions(&versions)
            .map(|builder| {
                let config = builder
                    .with_client_cert_verifier(Arc::clone(&verifier))
                    .with_cert_resolver(resolver.clone());
                with_sessions(config, INGRESS_ALPN, from)
            })
    };
    // TLS 1.2 in the server's order: the Sidecar's cipherSuites as listed, else Envoy's.
    let server_order = |chacha_first: bool| {
        let mut ordered = provider.clone();
        ordered.cipher_suites.sort_by_key(|suite| {
            if suite.version() == &rustls::version::TLS13 {
                return 0;
            }
            1 + match wanted.iter().position(|w| w == suite) {
                Some(listed) => listed,
                None => envoy_tls12_rank(suite, chacha_first),
            }
        });
        ordered
    };
    let client_order = build(provider.clone(), None)?;
    let mut aes_first = build(server_order(false), Some(&client_order))?;
    let mut chacha_first = build(server_order(true), Some(&client_order))?;
    aes_first.ignore_client_order = true;
    chacha_first.ignore_client_order = true;
    Ok(ServerConfigs::new(client_order, aes_first, chacha_first))
}

/// The server config for Istio mTLS: the workload's `default` identity, peers verified
/// against `ROOTCA` with a SPIFFE ID of the trust domain, both inside the handshake.
pub fn mesh_config(
    identity: &CertAndKey,
    root: &TrustBundle,
    spiffe_prefix: &str,
) -> Result<Arc<ServerConfigs>, rustls::Error> {
    let verifier = ClientVerifier::new(root.roots.clone(), Vec::new(), true)?
        .requiring_uri_prefix(spiffe_prefix.to_string());
    let provider = crate::tls::provider();
    let config = ServerConfig::builder_with_provider(Arc::clone(&provider))
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])?
        .with_client_cert_verifier(Arc::new(verifier))
        .with_cert_resolver(certified_key(identity));
    Ok(ServerConfigs::single(with_sessions(
        config, MESH_ALPN, None,
    )))
}
