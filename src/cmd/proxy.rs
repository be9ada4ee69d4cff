//! `meshtls proxy`: resolve the task's YAML into listeners, mount the Secrets as the kubelet
//! would (re-mounted when the file changes), start the sidecar, and drain on SIGTERM/SIGINT.
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, bail};
use tokio::sync::watch;

use crate::cli::ProxyArgs;
use crate::exit::ExitStatus;
use crate::httpbin;
use crate::k8s::volumes::materialize;
use crate::mesh::inbound::{Inbound, Placement, Runtime, resolve};
use crate::mesh::select::parse_selector;
use crate::output::{Printer, warn};
use crate::proxy::config::{AccessLog, Endpoint, Security, UpstreamLimits};
use crate::proxy::run::start;
use crate::render::manifest::{Manifest, parse_known_manifests};

pub fn run(args: ProxyArgs, printer: &mut Printer) -> anyhow::Result<ExitStatus> {
    let ProxyArgs {
        files,
        workload,
        bind,
        port_map,
        endpoint_override,
        admin,
        enable_tls_on_sidecar_ingress,
        root,
        state_dir,
        mesh_dir,
        concurrency,
        drain_timeout,
        access_log,
        http1_engine,
        app,
        app_listen,
    } = args;
    // Resolve everything before anything is bound or written.
    let app = match app {
        true => {
            let address = app_listen.unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 0)));
            Some(
                httpbin::start(address)
                    .with_context(|| format!("starting httpbin on {address}"))?,
            )
        }
        false => None,
    };
    let placement = Placement {
        workload: workload
            .as_deref()
            .map(parse_selector)
            .transpose()
            .map_err(anyhow::Error::msg)?,
        bind,
        port_map: parse_port_map(&port_map)?,
        endpoint_overrides: parse_endpoint_overrides(&endpoint_override)?,
        app: app.as_ref().map(|app| Endpoint::Tcp(app.address)),
        force_tls_flag: enable_tls_on_sidecar_ingress,
    };
    let drain_timeout = parse_duration(&drain_timeout)?;
    let access_log = match access_log.as_str() {
        "stdout" | "-" => AccessLog::Stdout,
        "off" | "none" => AccessLog::Off,
        path => AccessLog::File(PathBuf::from(path)),
    };
    let manifests = read_manifests(&files)?;
    let inbound = resolve(&manifests, &placement)?;
    for warning in &inbound.warnings {
        warn(warning);
    }

    // The pod's view of the Secrets: mounted from the input, or a folder the user manages.
    let _temporary;
    let (pod_root, mounting) = match (root, state_dir) {
        (Some(root), _) => (root, false),
        (None, Some(dir)) => (dir.join("pod"), true),
        (None, None) => {
            let dir = tempfile_dir()?;
            let pod = dir.path().join("pod");
            _temporary = dir;
            (pod, true)
        }
    };
    if mounting {
        mount_all(&inbound, &pod_root, 1)?;
    }
    let mesh_dir = mesh_dir.or_else(default_mesh_dir);
    let summary = describe(&inbound);
    let config = Inbound::into_config(
        inbound,
        Runtime {
            admin,
            concurrency: usize::from(concurrency),
            root: pod_root.clone(),
            mesh_dir,
            access_log,
            drain_timeout,
            upstream: UpstreamLimits::default(),
            http1: http1_engine,
        },
    );
    let proxy = start(config)?;
    for line in summary {
        let (port, rest) = line;
        let local = proxy
            .address_of(port)
            .map(|a| a.to_string())
            .unwrap_or_default();
        printer.line(&format!("port {port} → {local}  {rest}"))?;
    }
    printer.line(&format!("admin → http://{}", proxy.admin))?;
    printer.flush()?;

    let watcher = mounting.then(|| {
        watch_secrets(
            files.clone(),
            placement.clone(),
            pod_root.clone(),
            proxy.stopping(),
        )
    });
    wait_for_signal(Some(proxy.stopping()))?;
    log::info!("draining (up to {drain_timeout:?})");
    proxy.shutdown();
    if let Some(watcher) = watcher {
        let _ = watcher.join();
    }
    if let Some(app) = app {
        app.shutdown();
    }
    Ok(ExitStatus::Success)
}

fn tempfile_dir() -> anyhow::Result<tempfile::TempDir> {
    tempfile::Builder::new()
        .prefix("meshtls-proxy-")
        .tempdir()
        .context("creating a temporary folder for the mounted Secrets; pass --state-dir")
}

/// `$HOME/.meshtls/mesh`, the mesh CA folder `verify` uses too.
pub fn default_mesh_dir() -> Option<PathBuf> {
    std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".meshtls").join("mesh"))
}

fn read_manifests(files: &[PathBuf]) -> anyhow::Result<Vec<Manifest>> {
    let mut all = Vec::new();
    for file in files {
        let text = if file == Path::new("-") {
            std::io::read_to_string(std::io::stdin()).context("reading stdin")?
        } else {
            std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?
        };
        let (known, skipped) =
            parse_known_manifests(&text).with_context(|| format!("parsing {}", file.display()))?;
        if !skipped.is_empty() {
            log::debug!(
                "{}: ignoring kinds the proxy does not use: {}",
                file.display(),
                skipped.join(", ")
            );
        }
        all.extend(known);
    }
    Ok(all)
}

/// Mounts every Secret of `inbound` under `pod_root` (also `demo`'s step 4).
pub fn mount_all(inbound: &Inbound, pod_root: &Path, generation: u64) -> anyhow::Result<()> {
    for (mount, secret) in &inbound.mounts {
        let data = secret.as_ref().map(|s| s.data.clone()).unwrap_or_default();
        materialize(pod_root, &mount.mount_path, &data, generation).with_context(|| {
            format!(
                "mounting secret {} at {}",
                mount.secret_name, mount.mount_path
            )
        })?;
    }
    Ok(())
}

/// Re-mounts the Secrets when the input files change, as the kubelet updates a mounted Secret.
fn watch_secrets(
    files: Vec<PathBuf>,
    placement: Placement,
    pod_root: PathBuf,
    mut stopping: watch::Receiver<bool>,
) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        let read_all = |files: &[PathBuf]| {
            files
                .iter()
                .map(|f| std::fs::read(f).unwrap_or_default())
                .collect::<Vec<_>>()
        };
        let mut seen = read_all(&files);
        let mut generation = 1;
        while !*stopping.borrow_and_update() {
            std::thread::sleep(Duration::from_millis(500));
            let now = read_all(&files);
            if now == seen {
                continue;
            }
            seen = now;
            let remounted = read_manifests(&files)
                .and_then(|m| resolve(&m, &placement).map_err(anyhow::Error::from))
                .and_then(|inbound| {
                    generation += 1;
                    mount_all(&inbound, &pod_root, generation)
                });
            match remounted {
                Ok(()) => log::info!(
                    "input changed: Secrets re-mounted (listener changes need a restart)"
                ),
                Err(e) => log::warn!(
                    "input changed but cannot be used, keeping the mounted Secrets: {e:#}"
                ),
            }
        }
    })
}

fn describe(inbound: &Inbound) -> Vec<(u16, String)> {
    inbound
        .listeners
        .iter()
        .map(|l| {
            let security = match &l.security {
                Security::Plaintext => "plaintext (DISABLE)".to_string(),
                Security::Terminate(tls) => {
                    format!("{:?} TLS termination", tls.mode).to_uppercase()
                }
                Security::IstioMutual => "Istio mTLS (STRICT)".to_string(),
                Security::Permissive => "Istio mTLS or plaintext (PERMISSIVE)".to_string(),
            };
            (l.port, format!("{} {security} → {}", l.name, l.endpoint))
        })
        .collect()
}

/// Blocks until SIGTERM, SIGINT, or `stopping` turns true (e.g. `/quitquitquit`).
pub fn wait_for_signal(stopping: Option<watch::Receiver<bool>>) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the signal handler")?;
    runtime.block_on(async move {
        let mut terminate =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
                .context("installing the SIGTERM handler")?;
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

fn parse_port_map(entries: &[String]) -> anyhow::Result<BTreeMap<u16, u16>> {
    entries
        .iter()
        .map(|entry| {
            let parsed = entry
                .split_once('=')
                .and_then(|(a, b)| Some((a.trim().parse().ok()?, b.trim().parse().ok()?)));
            parsed.with_context(|| {
                format!("--port-map {entry:?}: expected PORT=LOCAL, e.g. 9080=18080")
            })
        })
        .collect()
}

fn parse_endpoint_overrides(entries: &[String]) -> anyhow::Result<BTreeMap<u16, Endpoint>> {
    entries
        .iter()
        .map(|entry| {
            let hint = || {
                format!(
                    "--endpoint-override {entry:?}: expected PORT=HOST:PORT or PORT=unix:///path"
                )
            };
            let (port, target) = entry.split_once('=').with_context(hint)?;
            let port: u16 = port.trim().parse().ok().with_context(hint)?;
            let endpoint = match target.strip_prefix("unix://") {
                Some(path) => Endpoint::Unix(PathBuf::from(path)),
                None => Endpoint::Tcp(target.trim().parse().ok().with_context(hint)?),
            };
            Ok((port, endpoint))
        })
        .collect()
}

/// `5s`, `500ms`, `2m`.
pub fn parse_duration(text: &str) -> anyhow::Result<Duration> {
    let text = text.trim();
    let (number, unit) = text.split_at(
        text.find(|c: char| !c.is_ascii_digit())
            .unwrap_or(text.len()),
    );
    let value: u64 = number
        .parse()
        .with_context(|| format!("duration {text:?}: expected e.g. 5s or 500ms"))?;
    Ok(match unit {
        "ms" => Duration::from_millis(value),
        "s" | "" => Duration::from_secs(value),
        "m" => Duration::from_secs(value * 60),
        _ => bail!("duration {text:?}: the unit must be ms, s or m"),
    })
}
