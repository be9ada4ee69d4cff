//! Starting and stopping the sidecar: everything is resolved and loaded before any port is
//! bound; then N worker threads (one current-thread runtime each, like Envoy's workers) accept
//! on the shared sockets, and a control thread serves the admin API and reloads secrets.
use std::cell::Cell;
use std::net::{SocketAddr, TcpListener as StdListener};
use std::rc::Rc;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use arc_swap::ArcSwapOption;
use http::HeaderValue;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::watch;

use super::accept::{ListenerShared, connection};
use super::access_log::{Sink, Writer};
use super::admin::{self, AdminState, BoundListener};
use super::config::{Http1Engine, Protocol, ProxyConfig, Security};
use super::forward::Upstream;
use super::headers::XfccPolicy;
use super::limits::{Admission, Budget, raise_open_files};
use super::listener::ListenerContext;
use super::reload::Reloader;
use super::secrets::SecretStore;
use super::stats::ListenerStats;
use super::telemetry::{Destination, IstioMetrics};

/// Why the proxy could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    // The command that started the proxy names the flag that moves the port.
    #[error("binding port {port} on {address}: {cause}")]
    Bind {
        port: u16,
        address: SocketAddr,
        cause: std::io::Error,
    },
    #[error("binding the admin API on {address}: {cause}")]
    Admin {
        address: SocketAddr,
        cause: std::io::Error,
    },
    #[error("{0}")]
    Secrets(String),
    #[error("opening the access log: {0}")]
    AccessLog(std::io::Error),
    #[error("starting a thread: {0}")]
    Thread(std::io::Error),
}

/// A running sidecar. Dropping it does not stop it; call `shutdown`.
pub struct RunningProxy {
    pub admin: SocketAddr,
    pub listeners: Vec<BoundListener>,
    shutdown: watch::Sender<bool>,
    threads: Vec<JoinHandle<()>>,
}

impl RunningProxy {
    /// The local address of the listener for workload port `port`.
    pub fn address_of(&self, port: u16) -> Option<SocketAddr> {
        self.listeners
            .iter()
            .find(|l| l.port == port)
            .map(|l| l.address)
    }

    /// A receiver that turns true when the proxy is asked to stop (signal or `/quitquitquit`).
    pub fn stopping(&self) -> watch::Receiver<bool> {
        self.shutdown.subscribe()
    }

    /// Stops accepting, lets requests in flight finish (up to the drain timeout), and joins.
    pub fn shutdown(self) {
        let _ = self.shutdown.send(true);
        self.join();
    }

    /// Waits until the proxy has stopped (after `/quitquitquit` or `shutdown` elsewhere).
    pub fn join(self) {
        for thread in self.threads {
            let _ = thread.join();
        }
    }
}

fn bind(address: SocketAddr) -> std::io::Result<StdListener> {
    let listener = StdListener::bind(address)?;
    listener.set_nonblocking(true)?;
    Ok(listener)
}

/// Starts the sidecar described by `config`.
pub fn start(config: ProxyConfig) -> Result<RunningProxy, StartError> {
    let files = raise_open_files();
    if files.now != files.was {
        log::debug!(
            "open-files limit raised from {} to {}",
            files.was,
            files.now
        );
    }
    let budget = Budget::new(
        files.now,
        config.downstream.max_connections,
        config.upstream.max_connections,
        config.concurrency.max(1),
        config.listeners.len(),
    );
    log::debug!(
        "at most {} downstream connections, {} app connections per worker and listener",
        budget.connections,
        budget.app_connections
    );
    if !config.admin.ip().is_loopback() {
        log::warn!(
            "the admin API on {} is reachable beyond this host, and it can stop the proxy \
             (/quitquitquit) and show its configuration; bind it to 127.0.0.1 unless that is meant",
            config.admin
        );
    }
    let admission = Admission::new(budget.connections);
    let config = Arc::new(config);
    let store = Arc::new(SecretStore::default());
    let slots: Vec<Arc<ArcSwapOption<super::tls::hello::ServerConfigs>>> = config
        .listeners
        .iter()
        .map(|_| Arc::new(ArcSwapOption::empty()))
        .collect();
    let mut reloader =
        Reloader::new(&config, &slots, Arc::clone(&store)).map_err(StartError::Secrets)?;
    let own_spiffe_id = reloader.mesh.as_ref().map(|m| m.spiffe_id().to_string());
    let sink = Sink::open(&config.access_log).map_err(StartError::AccessLog)?;

    let mut sockets = Vec::new();
    let mut shared = Vec::new();
    let mut bound = Vec::new();
    for (listener, slot) in config.listeners.iter().zip(&slots) {
        let socket = bind(listener.bind).map_err(|cause| StartError::Bind {
            port: listener.port,
            address: listener.bind,
            cause,
        })?;
        let address = socket.local_addr().map_err(|cause| StartError::Bind {
            port: listener.port,
            address: listener.bind,
            cause,
        })?;
        let destination = Destination::new(
            &config.workload.names,
            &config.workload.namespace,
            own_spiffe_id.as_deref(),
            listener.service.as_deref(),
        );
        let stats = Arc::new(ListenerStats::new(
            listener.protocol == Protocol::Tcp,
            IstioMetrics::new(destination),
        ));
        bound.push(BoundListener {
            port: listener.port,
            name: listener.name.clone(),
            address,
            stats: Arc::clone(&stats),
        });
        shared.push(Arc::new(ListenerShared {
            config: listener.clone(),
            tls: Arc::clone(slot),
            stats,
            spiffe_prefix: format!("spiffe://{}/", config.trust_domain),
            own_spiffe_id: own_spiffe_id.clone(),
        }));
        sockets.push(socket);
    }
    let admin_socket = bind(config.admin).map_err(|cause| StartError::Admin {
        address: config.admin,
        cause,
    })?;
    let admin_address = admin_socket
        .local_addr()
        .map_err(|cause| StartError::Admin {
            address: config.admin,
            cause,
        })?;

    let (shutdown_tx, shutdown_rx) = watch::channel(false);
    let mut threads = Vec::new();
    for worker in 0..config.concurrency.max(1) {
        let worker_sockets: Vec<StdListener> = sockets
            .iter()
            .map(StdListener::try_clone)
            .collect::<Result<_, _>>()
            .map_err(StartError::Thread)?;
        let shared = shared.clone();
        let config = Arc::clone(&config);
        let shutdown = shutdown_rx.clone();
        let sink = sink.clone();
        let admission = Arc::clone(&admission);
        let thread = std::thread::Builder::new()
            .name(format!("worker_{worker}"))
            .spawn(move || {
                run_worker(
                    worker_sockets,
                    shared,
                    config,
                    Limits { admission, budget },
                    sink,
                    shutdown,
                )
            })
            .map_err(StartError::Thread)?;
        threads.push(thread);
    }
    let state = Arc::new(AdminState {
        store,
        listeners: bound.clone(),
        shutdown: shutdown_tx.clone(),
    });
    let interval = config.reload_interval;
    let control = std::thread::Builder::new()
        .name("main".to_string())
        .spawn(move || run_control(admin_socket, state, &mut reloader, interval, shutdown_rx))
        .map_err(StartError::Thread)?;
    threads.push(control);
    Ok(RunningProxy {
        admin: admin_address,
        listeners: bound,
        shutdown: shutdown_tx,
        threads,
    })
}

fn current_thread_runtime() -> Option<tokio::runtime::Runtime> {
    match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => Some(runtime),
        Err(e) => {
            log::error!("starting a runtime: {e}");
            None
        }
    }
}

/// What a worker needs to hold the proxy's limits.
struct Limits {
    admission: Arc<Admission>,
    budget: Budget,
}

/// The pause after a failed `accept` (EMFILE, ENFILE, ENOBUFS…): doubled while it keeps failing,
/// so a process out of descriptors does not spin, and reset by the next success.
const ACCEPT_BACKOFF_FIRST: Duration = Duration::from_millis(5);
const ACCEPT_BACKOFF_MAX: Duration = Duration::from_secs(1);

fn run_worker(
    sockets: Vec<StdListener>,
    shared: Vec<Arc<ListenerShared>>,
    config: Arc<ProxyConfig>,
    limits: Limits,
    sink: Option<Sink>,
    mut shutdown: watch::Receiver<bool>,
) {
    let Some(runtime) = current_thread_runtime() else {
        return;
    };
    let local = tokio::task::LocalSet::new();
    local.block_on(&runtime, async move {
        let live = Rc::new(Cell::new(0usize));
        let access_log = sink.map(|sink| Rc::new(Writer::new(sink)));
        for (socket, shared) in sockets.into_iter().zip(shared) {
            let listener = match TcpListener::from_std(socket) {
                Ok(listener) => listener,
                Err(e) => {
                    log::error!("port {}: {e}", shared.config.port);
                    continue;
                }
            };
            let context = Rc::new(listener_context(
                &shared,
                &config,
                limits.budget.app_connections,
                access_log.clone(),
            ));
            let live = Rc::clone(&live);
            let mut stop = shutdown.clone();
            let for_connections = shutdown.clone();
            let admission = Arc::clone(&limits.admission);
            tokio::task::spawn_local(async move {
                let mut backoff = ACCEPT_BACKOFF_FIRST;
                loop {
                    tokio::select! {
                        accepted = listener.accept() => match accepted {
                            Ok((stream, remote)) => {
                                backoff = ACCEPT_BACKOFF_FIRST;
                                let Some(place) = admission.admit() else {
                                    // Envoy's overload answer: the new connection is closed.
                                    ListenerStats::count(&shared.stats.downstream_global_cx_overflow);
                                    log::debug!(
                                        "port {}: {remote} closed: {} connections open",
                                        shared.config.port,
                                        admission.limit()
                                    );
                                    drop(stream);
                                    continue;
                                };
                                tokio::task::spawn_local(connection(
                                    stream, remote, Arc::clone(&shared), Rc::clone(&context),
                                    Rc::clone(&live), for_connections.clone(), place,
                                ));
                            }
                            Err(e) => {
                                if backoff == ACCEPT_BACKOFF_FIRST {
                                    log::warn!("port {}: accept failed: {e}", shared.config.port);
                                }
                                tokio::time::sleep(backoff).await;
                                backoff = (backoff * 2).min(ACCEPT_BACKOFF_MAX);
                            }
                        },
                        _ = stop.wait_for(|s| *s) => break,
                    }
                }
            });
        }
        if let Some(log) = &access_log {
            let log = Rc::clone(log);
            tokio::task::spawn_local(async move {
                let mut tick = tokio::time::interval(Duration::from_secs(1));
                loop {
                    tick.tick().await;
                    log.flush();
                }
            });
        }
        let _ = shutdown.wait_for(|s| *s).await;
        // Drain: connections finish their requests in flight, bounded by the drain timeout.
        let deadline = Instant::now() + config.drain_timeout;
        while live.get() > 0 && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        if let Some(log) = &access_log {
            log.flush();
        }
    });
}

fn listener_context(
    shared: &ListenerShared,
    config: &ProxyConfig,
    app_connections: usize,
    access_log: Option<Rc<Writer>>,
) -> ListenerContext {
    let listener = &shared.config;
    let (scheme, xfcc) = match listener.security {
        Security::Plaintext => ("http", XfccPolicy::SanitizeSet),
        Security::Terminate(_) => ("https", XfccPolicy::SanitizeSet),
        Security::IstioMutual | Security::Permissive => ("https", XfccPolicy::AppendForward),
    };
    let decorator = format!(
        "{}.{}:{}/*",
        config.workload.sidecar_name, config.workload.namespace, listener.port
    );
    ListenerContext {
        port: listener.port,
        scheme: HeaderValue::from_static(scheme),
        decorator: HeaderValue::from_str(&decorator).unwrap_or(HeaderValue::from_static("-")),
        upstream: Upstream::new(
            listener.endpoint.clone(),
            listener.protocol,
            config.upstream,
            app_connections,
            Arc::clone(&shared.stats),
        ),
        stats: Arc::clone(&shared.stats),
        xfcc,
        access_log,
        cluster: format!("inbound|{}||", listener.port),
        upstream_host: listener.endpoint.to_string(),
        // The lean path speaks HTTP/1.1 to the app; an h2 port's requests all go through hyper.
        http1: match listener.protocol {
            Protocol::Http2 => Http1Engine::Hyper,
            Protocol::Http | Protocol::Tcp => config.http1,
        },
        h2: config.h2,
        idle_timeout: config.downstream.idle_timeout,
        header_read_timeout: config.downstream.header_read_timeout,
        protocol: listener.protocol,
    }
}

/// How long an admin client may take to send a request head.
const ADMIN_HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);

fn run_control(
    admin_socket: StdListener,
    state: Arc<AdminState>,
    reloader: &mut Reloader,
    interval: Duration,
    mut shutdown: watch::Receiver<bool>,
) {
    let Some(runtime) = current_thread_runtime() else {
        return;
    };
    runtime.block_on(async move {
        let admin = match TcpListener::from_std(admin_socket) {
            Ok(admin) => admin,
            Err(e) => {
                log::error!("admin API: {e}");
                return;
            }
        };
        // Reloader::new has just polled; the first re-read is one interval later.
        let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + interval, interval);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                accepted = admin.accept() => {
                    if let Ok((stream, _)) = accepted {
                        let state = Arc::clone(&state);
                        tokio::spawn(async move {
                            let service = service_fn(move |request| admin::handle(request, Arc::clone(&state)));
                            let _ = hyper::server::conn::http1::Builder::new()
                                .timer(TokioTimer::new())
                                .header_read_timeout(ADMIN_HEADER_READ_TIMEOUT)
                                .serve_connection(TokioIo::new(stream), service)
                                .await;
                        });
                    }
                }
                _ = tick.tick() => reloader.poll(time::OffsetDateTime::now_utc()),
                _ = shutdown.wait_for(|s| *s) => break,
            }
        }
    });
}

/// Blocks until SIGTERM, SIGINT, or `stopping` turns true (e.g. `/quitquitquit`).
pub fn wait_for_signal(stopping: Option<watch::Receiver<bool>>) -> std::io::Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let mut terminate =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
        let stopped = async {
            match stopping {
                Some(mut rx) => {
                    let _ = rx.wait_for(|s| *s).await;
                }
                None => std::future::pending::<()>().await,
            }
        };
        tokio::select! {
            _ = terminate.recv() => {}
            _ = tokio::signal::ctrl_c() => {}
            _ = stopped => {}
        }
        Ok(())
    })
}
