//! Stage 4, TLS: loading the files a listener names, the rustls server configs (Sidecar ingress
//! termination and Istio mTLS), a client verifier that also accepts the page's v1 leaves, and
//! the downstream session itself.
pub mod hello;
pub mod material;
pub mod server;
pub mod stream;
pub mod verifier;
