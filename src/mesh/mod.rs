//! Stage 3 of the pipeline: Istio resources (Sidecar, PeerAuthentication, IstioOperator) as typed
//! serde models that read and write the same YAML, plus Istio's validation rules and CRD schemas.
pub mod go;
pub mod install;
pub mod object;
pub mod peer_auth;
pub mod policy;
pub mod sidecar;
pub mod telemetry;
pub mod validate;
