//! What the proxy may hold at once, decided before any port is bound: the open-files limit
//! (raised to the hard limit, as Envoy's deployments do), the downstream connection limit and
//! the app connections each worker may open, both derived from it unless configured.
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use rustix::process::{Resource, Rlimit, getrlimit, setrlimit};

/// File descriptors kept back for listeners, the admin API, secrets, logs and the runtime.
const RESERVED_FDS: u64 = 64;

/// The open-files limit before and after start-up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileLimit {
    pub was: u64,
    pub now: u64,
}

/// Raises the soft `RLIMIT_NOFILE` to the hard limit; what it was, and what it is now.
pub fn raise_open_files() -> FileLimit {
    let limit = getrlimit(Resource::Nofile);
    // `None` is RLIM_INFINITY.
    let was = limit.current.unwrap_or(u64::MAX);
    let hard = limit.maximum;
    if limit.current.is_some() && limit.current != hard {
        let raised = Rlimit {
            current: hard,
            maximum: hard,
        };
        if let Err(e) = setrlimit(Resource::Nofile, raised) {
            log::warn!("raising the open-files limit from {was}: {e}");
        }
    }
    let now = getrlimit(Resource::Nofile).current.unwrap_or(u64::MAX);
    FileLimit { was, now }
}

/// The resolved limits, from the configured ones (if any) and the open-files limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    /// Downstream connections across the proxy.
    pub connections: usize,
    /// App connections per worker and listener.
    pub app_connections: usize,
}

impl Budget {
    /// Half the descriptors left after the reserve go to clients, half to the app (a proxied
    /// connection holds one of each); the app's half is shared by workers and listeners.
    pub fn new(
        open_files: u64,
        connections: Option<usize>,
        app_connections: Option<usize>,
        workers: usize,
        listeners: usize,
    ) -> Budget {
        let usable = open_files.saturating_sub(RESERVED_FDS).max(2);
        let half = usize::try_from(usable / 2).unwrap_or(usize::MAX);
        let shares = workers.max(1).saturating_mul(listeners.max(1));
        Budget {
            connections: connections.unwrap_or(half).max(1),
            app_connections: app_connections.unwrap_or(half / shares).max(1),
        }
    }
}

/// The proxy-wide count of downstream connections, shared by every worker.
#[derive(Debug)]
pub struct Admission {
    limit: usize,
    open: AtomicUsize,
}

/// One admitted connection; dropping it frees its place.
#[derive(Debug)]
pub struct Admitted(Arc<Admission>);

impl Drop for Admitted {
    fn drop(&mut self) {
        self.0.open.fetch_sub(1, Ordering::Relaxed);
    }
}

impl Admission {
    pub fn new(limit: usize) -> Arc<Admission> {
        Arc::new(Admission {
            limit,
            open: AtomicUsize::new(0),
        })
    }

    /// A place for one more connection, or `None` at the limit (the caller closes it).
    pub fn admit(self: &Arc<Self>) -> Option<Admitted> {
        let before = self.open.fetch_add(1, Ordering::Relaxed);
        if before >= self.limit {
            self.open.fetch_sub(1, Ordering::Relaxed);
            return None;
        }
        Some(Admitted(Arc::clone(self)))
    }

    pub fn limit(&self) -> usize {
        self.limit
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_budget_splits_the_descriptors_between_clients_and_the_app() {
        let b = Budget::new(1024, None, None, 2, 2);
        assert_eq!(
            b,
            Budget {
                connections: 480,
                app_connections: 120
            }
        );
        let set = Budget::new(1024, Some(10), Some(3), 2, 2);
        assert_eq!(
            set,
            Budget {
                connections: 10,
                app_connections: 3
            }
        );
        assert_eq!(Budget::new(10, None, None, 1, 1).connections, 1);
    }

    #[test]
    fn admission_stops_at_the_limit_and_frees_places() {
        let gate = Admission::new(2);
        let a = gate.admit().expect("first");
        let _b = gate.admit().expect("second");
        assert!(gate.admit().is_none());
        drop(a);
        assert!(gate.admit().is_some());
    }

    #[test]
    fn the_soft_limit_is_raised_to_the_hard_one() {
        let limit = raise_open_files();
        assert_eq!(
            Some(limit.now),
            getrlimit(Resource::Nofile).maximum.or(Some(u64::MAX))
        );
    }
}
