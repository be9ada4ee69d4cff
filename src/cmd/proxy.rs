//! `meshtls proxy`: resolve the task's YAML into listeners, mount the Secrets as the kubelet
//! would (re-mounted when the file changes), start the sidecar, and drain on SIGTERM/SIGINT.
use std::net::SocketAddr;

use anyhow::Context;

use crate::cli::{ManifestInput, ProxyArgs};
use crate::exit::ExitStatus;
use crate::httpbin;
use crate::output::{Printer, warn};
use crate::page;
use crate::proxy::config::{
    AccessLog, DownstreamLimits, Endpoint, Protocol, Security, UpstreamLimits,
};
use crate::proxy::inbound::{Inbound, Placement, Runtime, resolve};
use crate::proxy::mount::{mount_all, watch_secrets};
use crate::proxy::run::{StartError, start, wait_for_signal};
use crate::resolve::read_input;
use crate::task::select::Selector;

/// The namespace objects without one are read into, as `kubectl apply` would apply them.
const NAMESPACE: &str = "default";

pub fn run(args: ProxyArgs, printer: &mut Printer) -> anyhow::Result<ExitStatus> {
    let ProxyArgs {
        input,
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
        idle_timeout,
        max_connections,
        max_app_connections,
        response_timeout,
        http1_engine,
        h2_engine,
        app,
        app_listen,
    } = args;
    // Resolve everything before anything is bound or written.
    let task = read_input(&input, &[], NAMESPACE)?.into_task()?;
    let placement = Placement {
        selector: Selector {
            workload,
            sidecar: None,
        },
        bind,
        port_map: port_map.into_iter().collect(),
        endpoint_overrides: endpoint_override.into_iter().collect(),
        app: None,
        force_tls_flag: enable_tls_on_sidecar_ingress,
    };
    let access_log = match access_log.as_str() {
        "stdout" | "-" => AccessLog::Stdout,
        "off" | "none" => AccessLog::Off,
        path => AccessLog::File(path.into()),
    };
    let app = match app {
        true => {
            let address = app_listen.unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 0)));
            Some(httpbin::start(address).with_context(|| {
                format!("starting httpbin on {address} (move it with --app-listen HOST:PORT)")
            })?)
        }
        false => None,
    };
    let placement = Placement {
        app: app.as_ref().map(|app| Endpoint::Tcp(app.address)),
        ..placement
    };
    let inbound = resolve(&task, &placement)?;
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
    let mesh_dir = mesh_dir.or_else(page::mesh_dir);
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
            upstream: UpstreamLimits {
                max_connections: max_app_connections.map(|n| n as usize),
                response_timeout,
                ..UpstreamLimits::default()
            },
            downstream: DownstreamLimits {
                idle_timeout,
                max_connections: max_connections.map(|n| n as usize),
                ..DownstreamLimits::default()
            },
            http1: http1_engine,
            h2: h2_engine,
        },
    );
    let proxy = start(config).map_err(|e| {
        let hint = match &e {
            StartError::Bind { port, .. } => format!(
                "; move it with --port-map {port}=LOCAL (0 picks a free port), or stop what holds it"
            ),
            StartError::Admin { .. } => {
                "; pick another --admin HOST:PORT, or stop what holds it".to_string()
            }
            _ => String::new(),
        };
        anyhow::anyhow!("{e}{hint}")
    })?;
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

    let ManifestInput { files, recursive } = input;
    let watcher = mounting.then(|| {
        watch_secrets(
            files,
            recursive,
            NAMESPACE.to_string(),
            placement.clone(),
            pod_root.clone(),
            proxy.stopping(),
        )
    });
    wait_for_signal(Some(proxy.stopping())).context("waiting for SIGTERM or SIGINT")?;
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

fn describe(inbound: &Inbound) -> Vec<(u16, String)> {
    inbound
        .listeners
        .iter()
        .map(|l| {
            let security = match &l.security {
                Security::Plaintext => "plaintext (DISABLE)".to_string(),
                Security::Terminate(tls) => {
                    format!("{} TLS termination", tls.client_auth.mode().as_str())
                }
                Security::IstioMutual => "Istio mTLS (STRICT)".to_string(),
                Security::Permissive => "Istio mTLS or plaintext (PERMISSIVE)".to_string(),
            };
            let served = match l.protocol {
                Protocol::Http => "",
                Protocol::Http2 => ", then h2",
                Protocol::Tcp => ", then TCP",
            };
            (
                l.port,
                format!("{} {security}{served} → {}", l.name, l.endpoint),
            )
        })
        .collect()
}
