//! Stage 5 (inspect): Envoy's `/config_dump`, reduced to its SecretsConfigDump, and the
//! secret table `meshtls proxy-config secret` prints (istioctl's, byte for byte, plus extras).
//! `source` fetches, `model` parses (into `envoy::secrets`), `rows` describes, `table`/`export` render.
pub mod admin;
pub mod export;
pub mod model;
pub mod rows;
pub mod source;
pub mod table;

use crate::envoy::secrets::SECRETS_CONFIG_DUMP_TYPE;

/// What can go wrong between the bytes of a config dump and its secret rows.
#[derive(Debug, thiserror::Error)]
pub enum DumpError {
    /// istioctl's wording, so scripts that match it keep working.
    #[error("config dump has no configuration type {SECRETS_CONFIG_DUMP_TYPE}")]
    NoSecretsConfigDump,
    #[error("the config dump is not valid JSON")]
    NotJson(#[source] crate::redact::SafeError),
    #[error("its SecretsConfigDump does not have the expected shape")]
    BadShape(#[source] crate::redact::SafeError),
}
