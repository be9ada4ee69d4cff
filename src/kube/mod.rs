//! Cluster mode: connect as kubectl (`connect`), find resources (`discovery`), server-side apply
//! (`apply`), a proxy's admin through a port-forward (`portforward`), exec and copy into pods
//! (`exec`; `incluster` for `verify --kube`), the set-up's checks (`check`) and `cleanup`.
pub mod apply;
pub mod check;
pub mod cleanup;
pub mod connect;
pub mod discovery;
pub mod exec;
pub mod incluster;
pub mod portforward;

use std::time::Duration;

pub use connect::{ConnectOptions, Target};

/// How long one cluster command may take before it gives up (every call is bounded).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

/// A single-threaded runtime for one command's cluster calls.
pub fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
}
