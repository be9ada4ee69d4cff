//! Stage 4 of the pipeline: the embedded sidecar. `config` is what it runs; `accept` → `tls` →
//! `serve` → `forward` is the request path; `secrets`, `reload`, `admin` and `stats` the control side.
pub mod accept;
pub mod access_log;
pub mod admin;
pub mod config;
pub mod forward;
pub mod headers;
pub mod reload;
pub mod run;
pub mod secrets;
pub mod serve;
pub mod stats;
pub mod tls;
