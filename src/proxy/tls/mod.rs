//! Stage 4, TLS: loading the files a listener names, the rustls server configs (Sidecar ingress
//! termination and Istio mTLS), and a client verifier that also accepts the page's v1 leaves.
pub mod hello;
pub mod material;
pub mod read_ahead;
pub mod server;
pub mod verifier;
