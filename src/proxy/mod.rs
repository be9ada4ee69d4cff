//! Stage 5 of the pipeline: the embedded sidecar. `inbound` makes its `config` from the task
//! model and `mount` plays the kubelet; `accept` → `tls` → `h1` (lean HTTP/1.1), `h2` (our h2
//! server) or hyper → `serve` → `forward` is the request path; `secrets`, `reload`, `admin` and
//! `stats` the control side.
pub mod accept;
pub mod access_log;
pub mod admin;
pub mod body;
pub mod config;
pub mod forward;
pub mod h1;
pub mod h2;
pub mod headers;
pub mod inbound;
pub mod limits;
pub mod linger;
pub mod listener;
pub mod mount;
pub mod reload;
pub mod run;
pub mod secrets;
pub mod serve;
pub mod splice;
pub mod stats;
pub mod tcp;
pub mod telemetry;
pub mod tls;
pub mod upgrade;
