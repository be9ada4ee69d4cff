//! Stage 4, TLS: loading the files a listener names, the rustls server configs (Sidecar ingress
//! termination and Istio mTLS), and a client verifier that also accepts the page's v1 leaves.
pub mod material;
pub mod server;
pub mod verifier;

use std::sync::Arc;

use rustls::crypto::CryptoProvider;

/// The one crypto provider of the whole tree.
pub fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::aws_lc_rs::default_provider())
}
