//! Stage 1 of the pipeline: certificates. `spec` says what to make, `issue` makes it,
//! `pem`/`key` read any PEM (including the page's X.509 v1 leaves), `inspect` describes it.
pub mod files;
pub mod inspect;
pub mod issue;
pub mod key;
pub mod keyformat;
pub mod mesh_ca;
pub mod pem;
pub mod spec;

use std::path::PathBuf;

/// What can go wrong with certificate material. Messages are lowercase and name the file.
#[derive(Debug, thiserror::Error)]
pub enum PkiError {
    #[error("{path}: no PEM data found; expected -----BEGIN CERTIFICATE-----")]
    NoPem { path: PathBuf },
    #[error("{path}: no certificate found (found only: {found})")]
    NoCertificate { path: PathBuf, found: String },
    #[error("{path}: no private key found (found only: {found})")]
    NoPrivateKey { path: PathBuf, found: String },
    #[error("{path}: malformed PEM: {reason}")]
    BadPem { path: PathBuf, reason: String },
    #[error("{path}: certificate #{index} is not valid DER: {reason}")]
    BadCertificate {
        path: PathBuf,
        index: usize,
        reason: String,
    },
    #[error("{path}: private key is not usable: {reason}")]
    BadPrivateKey { path: PathBuf, reason: String },
    #[error("{key} does not match the public key in {cert}")]
    KeyMismatch { cert: PathBuf, key: PathBuf },
    #[error("invalid host name {host:?}: {reason}")]
    InvalidHost { host: String, reason: String },
    #[error(
        "invalid subject {subject:?}: {reason}; use the openssl form, e.g. /O=example Inc./CN=example.com"
    )]
    InvalidSubject { subject: String, reason: String },
    #[error("{path} is not a CA certificate (basicConstraints CA:TRUE is missing)")]
    NotCa { path: PathBuf },
    #[error(
        "found {} but not {}: a run was killed while making the mesh root; remove {} (nothing was ever signed with it) and start again",
        key.display(), cert.display(), key.display()
    )]
    HalfMeshRoot { key: PathBuf, cert: PathBuf },
    #[error("issuing {what}: {reason}")]
    Issue { what: String, reason: String },
}
