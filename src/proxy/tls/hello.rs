//! Choosing the server config from the ClientHello, as Envoy's BoringSSL settings choose:
//! TLS 1.2 in the server's order with Envoy's equal-preference group ([AES-128-GCM|ChaCha20],
//! then AES-256-GCM), TLS 1.3 in the client's order, and no ALPN for a client that offers none
//! of ours (Envoy then serves HTTP/1.1; rustls alone would fail the handshake).
use std::sync::Arc;

use rustls::server::ClientHello;
use rustls::{CipherSuite, ServerConfig};

/// One config with our ALPN list, and the same without any.
#[derive(Debug)]
struct ByAlpn {
    alpn: Arc<ServerConfig>,
    no_alpn: Arc<ServerConfig>,
}

impl ByAlpn {
    fn new(config: ServerConfig) -> ByAlpn {
        let mut no_alpn = config.clone();
        no_alpn.alpn_protocols.clear();
        ByAlpn {
            alpn: Arc::new(config),
            no_alpn: Arc::new(no_alpn),
        }
    }
}

/// A listener's server configs; they share certificates, verifier, session cache and ticket
/// keys, so a session resumes whichever one served it.
#[derive(Debug)]
pub struct ServerConfigs {
    /// The client's cipher order (TLS 1.3).
    client_order: ByAlpn,
    /// TLS 1.2 in the server's order, AES-128-GCM before ChaCha20 within Envoy's group.
    aes_first: ByAlpn,
    /// The same with ChaCha20 first, for a client that prefers it.
    chacha_first: ByAlpn,
}

const TLS13: [CipherSuite; 3] = [
    CipherSuite::TLS13_AES_128_GCM_SHA256,
    CipherSuite::TLS13_AES_256_GCM_SHA384,
    CipherSuite::TLS13_CHACHA20_POLY1305_SHA256,
];

const AES128: [CipherSuite; 2] = [
    CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
    CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
];

const CHACHA: [CipherSuite; 2] = [
    CipherSuite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
    CipherSuite::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
];

impl ServerConfigs {
    /// From the config in the client's order and the two in server order. With a Sidecar's
    /// `cipherSuites` the two server-order configs are the same (Envoy then has no group).
    pub fn new(
        client_order: ServerConfig,
        aes_first: ServerConfig,
        chacha_first: ServerConfig,
    ) -> Arc<ServerConfigs> {
        Arc::new(ServerConfigs {
            client_order: ByAlpn::new(client_order),
            aes_first: ByAlpn::new(aes_first),
            chacha_first: ByAlpn::new(chacha_first),
        })
    }

    /// One config for every client (Istio mTLS ports, whose peers are sidecars).
    pub fn single(config: ServerConfig) -> Arc<ServerConfigs> {
        ServerConfigs::new(config.clone(), config.clone(), config)
    }

    /// The config that serves this ClientHello.
    pub fn choose(&self, hello: &ClientHello<'_>) -> Arc<ServerConfig> {
        let offered = hello.cipher_suites();
        let first = |suites: &[CipherSuite]| offered.iter().position(|s| suites.contains(s));
        let by_alpn = if offered.iter().any(|s| TLS13.contains(s)) {
            // A client offering TLS 1.3 suites negotiates 1.3 when the server allows it; when
            // it does not, the server order below is the one 1.2 would have used either way.
            &self.client_order
        } else {
            match (first(&CHACHA), first(&AES128)) {
                (Some(chacha), Some(aes)) if chacha < aes => &self.chacha_first,
                (Some(_), None) => &self.chacha_first,
                _ => &self.aes_first,
            }
        };
        let ours = &by_alpn.alpn.alpn_protocols;
        let speaks_ours = match hello.alpn() {
            None => true,
            Some(mut protocols) => protocols.any(|p| ours.iter().any(|o| o.as_slice() == p)),
        };
        match speaks_ours {
            true => Arc::clone(&by_alpn.alpn),
            false => Arc::clone(&by_alpn.no_alpn),
        }
    }
}
