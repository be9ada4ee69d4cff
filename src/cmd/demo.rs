//! `meshtls demo`: the whole page on this machine, loopback only: certgen → Secrets → manifests →
//! httpbin and the sidecar started from that YAML (`meshtls proxy`'s path) → verify → the
//! `pc secret` table → stop.
use std::collections::{BTreeMap, HashMap};
use std::io::{self, IsTerminal};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, anyhow, bail};
use time::OffsetDateTime;

use crate::cli::{DataFormat, DemoArgs, TableFormat};
use crate::configdump::admin::{AdminAddr, Timeouts};
use crate::configdump::rows::{Options, rows};
use crate::configdump::source::{Source, load};
use crate::configdump::table::{Layout, render as render_table};
use crate::exit::ExitStatus;
use crate::fsx::{FileMode, write_atomic};
use crate::httpbin::{self, RunningHttpbin};
use crate::mesh::sidecar::ServerTlsMode;
use crate::output::duration_text;
use crate::output::progress::{Progress, StepValue};
use crate::output::{Printer, print_data};
use crate::page;
use crate::pki::files::write_task_files;
use crate::pki::inspect::rfc3339;
use crate::pki::spec::{KeyType, TaskNames, TaskSpec};
use crate::proxy::config::{
    AccessLog, DownstreamLimits, Endpoint, H2Engine, Http1Engine, ProxyConfig, UpstreamLimits,
};
use crate::proxy::inbound::{Placement, Runtime, resolve};
use crate::proxy::mount::mount_all;
use crate::proxy::run::{RunningProxy, StartError, start};
use crate::render::{CertFiles, Params, What, render};
use crate::resolve::{distinct_ports, tls_mode_of};
use crate::task::Task;
use crate::task::manifest::to_multi_yaml;
use crate::task::read::read as read_task;
use crate::task::select::Selector;
use crate::verify::checks::{Listener, Target, plan};
use crate::verify::local::MaterialFiles;
use crate::verify::local::{LocalRunner, Materials};
use crate::verify::report;
use crate::verify::target::{from_task, page_target};
use crate::verify::{CheckResult, all_passed, run_all};

const STEPS: usize = 7;

pub fn run(args: DemoArgs, printer: &mut Printer) -> anyhow::Result<ExitStatus> {
    let DemoArgs {
        dir,
        keep,
        external_port,
        internal_port,
        admin_port,
        app_port,
        no_negative,
        tls_mode,
        verbose,
        output,
    } = args;
    distinct_ports(&[
        ("--external-port", external_port),
        ("--internal-port", internal_port),
        ("--admin-port", admin_port),
        ("--app-port", app_port),
    ])?;
    let mut params = Params::default();
    if let Some(mode) = tls_mode {
        params.tls_mode = tls_mode_of(mode);
    }
    // The negative checks make the sidecar log each rejection it is meant to make; keep the
    // step list readable unless RUST_LOG asks for the log (requests are in access.log).
    if std::env::var_os("RUST_LOG").is_none() {
        log::set_max_level(log::LevelFilter::Error);
    }
    let work = WorkDir::new(dir)?;
    let ports = LocalPorts {
        external: external_port,
        internal: internal_port,
        admin: admin_port,
        app: app_port,
    };
    let mut progress = Progress::new(STEPS, io::stderr().is_terminal());
    let started = Instant::now();
    let mut running = Running::default();
    let mut summary = (output != DataFormat::Text).then(Summary::default);
    let plan = Plan {
        params,
        work: &work,
        ports,
        negative: !no_negative,
        verbose,
        keep,
    };
    let outcome = plan.steps(&mut progress, &mut running, &mut summary, printer);
    // Step 7 always runs: nothing is left listening, whatever happened.
    let failed_at = progress.failed.clone();
    progress.index = STEPS - 1;
    let stop = progress.step("stop", || {
        running.stop();
        Ok(String::new())
    });
    if let Some(mut summary) = summary {
        summary.passed = outcome.is_ok() && stop.is_ok();
        summary.failed_step = failed_at.clone().or_else(|| progress.failed.clone());
        summary.seconds = started.elapsed().as_secs_f64();
        summary.work_dir =
            (work.temporary.is_none() || !summary.passed).then(|| work.path.display().to_string());
        print_data(&summary, output, printer)?;
    }
    printer.flush()?;
    match (outcome, stop) {
        (Ok(()), Ok(_)) => {
            work.finish(true);
            let which = if no_negative {
                "the page's three checks pass"
            } else {
                "the page's checks and the negative ones all pass"
            };
            eprintln!(
                "demo passed in {}: {which}",
                duration_text(started.elapsed())
            );
            Ok(ExitStatus::Success)
        }
        (Err(failure), _) | (Ok(()), Err(failure)) => {
            let status = if failure.is::<ChecksFailed>() {
                ExitStatus::ChecksFailed
            } else {
                ExitStatus::Failure
            };
            let step = failed_at
                .or_else(|| progress.failed.clone())
                .unwrap_or_else(|| "?".to_string());
            eprintln!(
                "demo failed at step {step}: {}\nlogs and files are kept in {} (access log: {}; \
                 RUST_LOG=info shows the sidecar's log)",
                crate::error_text(&failure),
                work.path.display(),
                work.path.join("access.log").display()
            );
            work.finish(false);
            Ok(status)
        }
    }
}

/// `demo -o json|yaml`: what the tables show, as one value.
#[derive(Debug, Default, serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct Summary {
    passed: bool,
    failed_step: Option<String>,
    seconds: f64,
    /// The work folder, when it is kept (`--dir`, or a failure).
    work_dir: Option<String>,
    listeners: Vec<serde_json::Value>,
    checks: serde_json::Value,
    secrets: Vec<serde_json::Value>,
}

/// Local ports; 0 picks a free one.
#[derive(Debug, Clone, Copy)]
struct LocalPorts {
    external: u16,
    internal: u16,
    admin: u16,
    app: u16,
}

/// What is running, so that it can always be stopped.
#[derive(Default)]
struct Running {
    proxy: Option<RunningProxy>,
    app: Option<RunningHttpbin>,
}

impl Running {
    fn stop(&mut self) {
        if let Some(proxy) = self.proxy.take() {
            proxy.shutdown();
        }
        if let Some(app) = self.app.take() {
            app.shutdown();
        }
    }
}

/// Marks a failure that is a failed check (exit 3) rather than an error.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
struct ChecksFailed(String);

/// What the demo does, decided from its flags before anything runs.
struct Plan<'w> {
    params: Params,
    work: &'w WorkDir,
    ports: LocalPorts,
    /// Run the checks that must fail, too.
    negative: bool,
    verbose: bool,
    /// Keep the sidecar running after the checks.
    keep: bool,
}

impl Plan<'_> {
    /// Steps 1 to 6 (step 7, stop, is the caller's, so that it always runs).
    fn steps(
        &self,
        progress: &mut Progress,
        running: &mut Running,
        summary: &mut Option<Summary>,
        printer: &mut Printer,
    ) -> anyhow::Result<()> {
        let Plan {
            params,
            work,
            ports,
            negative,
            verbose,
            keep,
        } = self;
        let (ports, negative, verbose, keep) = (*ports, *negative, *verbose, *keep);
        let no_negative = !negative;
        let certs = work.path.join("certs");
        let mesh_dir = work.path.join("mesh");
        let root = work.path.join("root");

        // 1. The page's six openssl commands, as `meshtls certgen` runs them.
        progress.step("certificates", || {
            write_task_files(
                &certs,
                &page_spec()?,
                false,
                true,
                OffsetDateTime::now_utc(),
            )?;
            Ok(format!("{}", certs.display()))
        })?;

        // 2. The two Secrets, kubectl's bytes.
        let (cert_files, _) = progress.step("secrets", || {
            let cert_files = read_cert_files(&certs, params)?;
            let secrets = render(params, &[What::Secrets], Some(&cert_files))?;
            let path = work.path.join("secrets.yaml");
            write_atomic(
                &path,
                to_multi_yaml(&secrets)?.as_bytes(),
                FileMode::Private,
            )
            .with_context(|| format!("writing {}", path.display()))?;
            let note = format!("{} Secrets → {}", secrets.len(), path.display());
            Ok((cert_files, note))
        })?;

        // 3. Every manifest of the task, as `meshtls render --certs` prints it.
        let task = work.path.join("task.yaml");
        progress.step("manifests", || {
            let manifests = render(params, &What::ALL, Some(&cert_files))?;
            write_atomic(
                &task,
                to_multi_yaml(&manifests)?.as_bytes(),
                FileMode::Private,
            )
            .with_context(|| format!("writing {}", task.display()))?;
            Ok(format!(
                "{} resources → {}",
                manifests.len(),
                task.display()
            ))
        })?;

        // 4. httpbin and the sidecar, from the YAML on disk (the path a user takes).
        let (target, _) = progress.step("sidecar", || {
            let manifests =
                read_task(std::slice::from_ref(&task), false, page::NAMESPACE)?.into_task()?;
            let target = from_task(&manifests, &Selector::default(), page_target())
                .map_err(|e| anyhow!("{}: {e}", task.display()))?;
            let app = httpbin::start(loopback(ports.app)).with_context(|| {
                format!(
                    "starting httpbin on {}; pick another --app-port (0 picks a free one)",
                    loopback(ports.app)
                )
            })?;
            let app_address = app.address;
            running.app = Some(app);
            let (config, warnings) = sidecar_config(
                &manifests,
                &target,
                &root,
                &mesh_dir,
                work,
                ports,
                app_address,
            )?;
            let proxy = start(config).map_err(|e| {
                let flag = match &e {
                    StartError::Bind { port, .. } if *port == target.tls.workload => {
                        "--external-port"
                    }
                    StartError::Bind { .. } => "--internal-port",
                    StartError::Admin { .. } => "--admin-port",
                    _ => "",
                };
                match flag {
                    "" => anyhow!("starting the sidecar: {e}"),
                    flag => anyhow!(
                        "starting the sidecar: {e}; pick another {flag} (0 picks a free one)"
                    ),
                }
            })?;
            running.proxy = Some(proxy);
            // What Istio would do silently (a tls block ignored, ...) is said out loud, as `proxy` does.
            Ok((target, warnings.join("; ")))
        })?;
        let proxy = running
            .proxy
            .as_ref()
            .ok_or_else(|| anyhow!("the sidecar is not running"))?;
        let app_address = running
            .app
            .as_ref()
            .map(|a| a.address)
            .ok_or_else(|| anyhow!("httpbin is not running"))?;
        let addresses = listener_addresses(&target, proxy)?;
        let ports = ports_rows(
            &target,
            params.tls_mode,
            &addresses,
            app_address,
            proxy.admin,
        );
        match summary.as_mut() {
            Some(summary) => {
                summary.listeners = ports[1..]
                    .iter()
                    .map(|row| {
                        serde_json::json!({"listener": row[0], "page": row[1], "local": row[2]})
                    })
                    .collect();
            }
            None => printer.write_str(&crate::output::tabwriter(&ports, 3))?,
        }
        printer.flush()?;

        // 5. The page's checks and the negative ones.
        let files = MaterialFiles::in_dir(&certs, &target, &mesh_dir);
        let results = progress.step("verify", || {
            let materials = Materials::load(&files, &target, OffsetDateTime::now_utc())?;
            let mut runner = LocalRunner::new(
                target.clone(),
                addresses.clone(),
                materials,
                Duration::from_secs(5),
            )?;
            let results = run_all(plan(&target, !no_negative), &mut runner);
            let failed: Vec<&str> = results
                .iter()
                .filter(|r| r.verdict != crate::verify::checks::Verdict::Pass)
                .map(|r| r.check.id.name())
                .collect();
            let note = if failed.is_empty() {
                format!("{} checks", results.len())
            } else {
                format!("{} of {} checks FAILED", failed.len(), results.len())
            };
            Ok((results, failed, note))
        });
        let (results, failed, _) = results?;
        match summary.as_mut() {
            Some(summary) => {
                summary.checks =
                    report::json(&results, &target, all_passed(&results))["checks"].take();
            }
            None => {
                printer.line("")?;
                report::print(
                    &results,
                    &target,
                    &addresses,
                    &files.curl_files(),
                    verbose,
                    TableFormat::Text,
                    printer,
                )?;
            }
        }
        printer.flush()?;
        if !all_passed(&results) {
            return Err(ChecksFailed(format!(
                "{} failed (see the table above)",
                failed.join(", ")
            ))
            .into());
        }

        // 6. What the proxy holds, as `istioctl proxy-config secret` shows it.
        let admin = proxy.admin;
        let table = progress.step("proxy-config secret", || {
        let addr = AdminAddr::parse(&admin.to_string())?;
        let dump = load(&Source::Admin(addr), io::empty(), Timeouts::default())?;
        let now = OffsetDateTime::now_utc();
        let rows = rows(&dump, now, Options::default());
        let names: Vec<&str> = rows.iter().map(|r| r.name.as_str()).collect();
        let want = ["file-cert:", "default", "ROOTCA", "file-root:"];
        let ok = rows.len() == 4
            && want
                .iter()
                .all(|w| names.iter().any(|n| n.starts_with(w)))
            && rows.iter().all(|r| r.valid);
        if !ok {
            bail!(
                "expected 4 active, valid secrets (file-cert:…, default, ROOTCA, file-root:…), got {names:?}"
            );
        }
        let listed: Vec<serde_json::Value> = rows
            .iter()
            .map(|r| {
                serde_json::json!({
                    "name": r.name,
                    "status": r.status.as_str(),
                    "valid": r.valid,
                    "serialNumber": r.cert().map(|c| c.serial.clone()),
                    "notAfter": r.cert().map(|c| rfc3339(c.not_after)),
                })
            })
            .collect();
        Ok(((render_table(&rows, Layout::Short, now), listed), String::new()))
    })?;
        let (text, listed) = table.0;
        match summary {
            Some(summary) => summary.secrets = listed,
            None => {
                printer.line("")?;
                printer.line(&format!("$ meshtls pc secret --admin {admin}"))?;
                printer.write_str(&text)?;
            }
        }
        printer.flush()?;

        if keep {
            printer.write_str(&keep_commands(work, &target, &addresses, admin))?;
            printer.flush()?;
            wait_for_stop(proxy);
        }
        Ok(())
    }
}

fn loopback(port: u16) -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], port))
}

/// The page's certificates as its openssl commands make them (v3, with SANs).
fn page_spec() -> anyhow::Result<TaskSpec> {
    let names = TaskNames {
        ca_subject: "/O=example Inc./CN=example.com",
        server_hosts: &[],
        client_host: None,
        namespace: page::NAMESPACE,
        service: page::APP,
        cluster_domain: page::CLUSTER_DOMAIN,
    };
    Ok(TaskSpec::resolve(&names, KeyType::Rsa2048, 365)?)
}

fn read_cert_files(dir: &Path, params: &Params) -> anyhow::Result<CertFiles> {
    let read = |name: String| {
        let path = dir.join(name);
        std::fs::read(&path).with_context(|| format!("reading {}", path.display()))
    };
    let server = params.server_file();
    Ok(CertFiles {
        ca_crt: read(format!("{}.crt", params.ca_file))?,
        server_crt: read(format!("{server}.crt"))?,
        server_key: read(format!("{server}.key"))?,
    })
}

/// The proxy configuration from the rendered YAML, exactly as `meshtls proxy -f task.yaml --app`
/// makes it: Istio's resolution (workload, Sidecar, PeerAuthentication per port, the tls gates),
/// and the Secrets mounted kubelet-style under `root` where the Deployment's annotations put them.
fn sidecar_config(
    manifests: &Task,
    target: &Target,
    root: &Path,
    mesh_dir: &Path,
    work: &WorkDir,
    ports: LocalPorts,
    app: SocketAddr,
) -> anyhow::Result<(ProxyConfig, Vec<String>)> {
    let placement = Placement {
        port_map: BTreeMap::from([
            (target.tls.workload, ports.external),
            (target.internal.workload, ports.internal),
        ]),
        app: Some(Endpoint::Tcp(app)),
        ..Placement::default()
    };
    let inbound = resolve(manifests, &placement).context("resolving the sidecar from task.yaml")?;
    let warnings = inbound.warnings.clone();
    mount_all(&inbound, root, 1)?;
    let config = inbound.into_config(Runtime {
        admin: loopback(ports.admin),
        concurrency: 1,
        root: root.to_path_buf(),
        mesh_dir: Some(mesh_dir.to_path_buf()),
        access_log: AccessLog::File(work.path.join("access.log")),
        drain_timeout: Duration::from_secs(1),
        upstream: UpstreamLimits {
            connect_timeout: Duration::from_secs(2),
            ..UpstreamLimits::default()
        },
        downstream: DownstreamLimits::default(),
        http1: Http1Engine::default(),
        h2: H2Engine::default(),
    });
    Ok((config, warnings))
}

fn listener_addresses(
    target: &Target,
    proxy: &RunningProxy,
) -> anyhow::Result<HashMap<Listener, SocketAddr>> {
    let mut addresses = HashMap::new();
    for listener in [Listener::Tls, Listener::Internal] {
        let port = target.ports(listener).workload;
        let address = proxy
            .address_of(port)
            .ok_or_else(|| anyhow!("the sidecar has no listener for port {port}"))?;
        addresses.insert(listener, address);
    }
    Ok(addresses)
}

/// The page's logical ports next to the local ones (a header row, then one per listener).
fn ports_rows(
    target: &Target,
    tls_mode: ServerTlsMode,
    addresses: &HashMap<Listener, SocketAddr>,
    app: SocketAddr,
    admin: SocketAddr,
) -> Vec<Vec<String>> {
    let at = |l| {
        addresses
            .get(&l)
            .map(ToString::to_string)
            .unwrap_or_default()
    };
    let rows = vec![
        vec!["LISTENER".into(), "PAGE".into(), "LOCAL".into()],
        vec![
            format!("external (TLS, {})", tls_mode.as_str()),
            format!(
                "Service {} → Sidecar {}",
                target.tls.service, target.tls.workload
            ),
            at(Listener::Tls),
        ],
        vec![
            "internal (Istio mTLS, STRICT)".into(),
            format!(
                "Service {} → Sidecar {}",
                target.internal.service, target.internal.workload
            ),
            at(Listener::Internal),
        ],
        vec![
            "httpbin".to_string(),
            "container port 80".to_string(),
            app.to_string(),
        ],
        vec!["admin".to_string(), "15000".to_string(), admin.to_string()],
    ];
    rows
}

/// Commands to try by hand while `--keep` holds the proxy up.
fn keep_commands(
    work: &WorkDir,
    target: &Target,
    addresses: &HashMap<Listener, SocketAddr>,
    admin: SocketAddr,
) -> String {
    let fqdn = target.fqdn();
    let certs = work.path.join("certs");
    let tls = addresses.get(&Listener::Tls).copied().unwrap_or(admin);
    let internal = addresses.get(&Listener::Internal).copied().unwrap_or(admin);
    let client = format!("client.{}.svc.{}", target.namespace, target.cluster_domain);
    let c = |name: &str| certs.join(name).display().to_string();
    format!(
        "\nThe sidecar keeps running (Ctrl-C stops it). Try:\n\
         \n  # the page's external mTLS check: HTTP/2 200, server: istio-envoy\
         \n  curl -sS -I --resolve {fqdn}:{tp}:{ti} --cacert {ca} --cert {cc} --key {ck} https://{fqdn}:{tp}/status/200\
         \n  # no client certificate: rejected\
         \n  curl -sS -I --resolve {fqdn}:{tp}:{ti} --cacert {ca} https://{fqdn}:{tp}/status/200\
         \n  # plaintext to the in-mesh port: the page's curl: (56) Connection reset by peer\
         \n  curl -sS -I http://{ip}:{ip_port}/status/200\
         \n  # every check again, and the proxy's certificates\
         \n  meshtls verify -f {task} --certs {certs} --mesh-dir {mesh} --target {ts}={tls} --target {is}={internal} -v\
         \n  meshtls pc secret --admin {admin}\n",
        tp = tls.port(),
        ti = tls.ip(),
        ca = c("example.com.crt"),
        cc = c(&format!("{client}.crt")),
        ck = c(&format!("{client}.key")),
        ip = internal.ip(),
        ip_port = internal.port(),
        task = work.path.join("task.yaml").display(),
        certs = certs.display(),
        mesh = work.path.join("mesh").display(),
        ts = target.tls.service,
        is = target.internal.service,
    )
}

/// Blocks until Ctrl-C or the proxy is told to quit (`/quitquitquit`).
fn wait_for_stop(proxy: &RunningProxy) {
    let mut stopping = proxy.stopping();
    let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    else {
        return;
    };
    runtime.block_on(async move {
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = stopping.wait_for(|s| *s) => {}
        }
    });
}

/// The demo's folder: `--dir` as given, or a fresh temporary one that a success removes and a
/// failure keeps (for its logs).
struct WorkDir {
    path: PathBuf,
    temporary: Option<tempfile::TempDir>,
}

impl WorkDir {
    fn new(dir: Option<PathBuf>) -> anyhow::Result<WorkDir> {
        match dir {
            Some(path) => {
                std::fs::create_dir_all(&path)
                    .with_context(|| format!("creating {}", path.display()))?;
                Ok(WorkDir {
                    path,
                    temporary: None,
                })
            }
            None => {
                let dir = tempfile::Builder::new()
                    .prefix("meshtls-demo-")
                    .tempdir()
                    .context("creating a temporary work folder; pass --dir")?;
                Ok(WorkDir {
                    path: dir.path().to_path_buf(),
                    temporary: Some(dir),
                })
            }
        }
    }

    /// Removes a temporary folder after a success; keeps it (and says so) otherwise.
    fn finish(self, success: bool) {
        match (self.temporary, success) {
            (Some(dir), true) => drop(dir),
            (Some(dir), false) => {
                let _ = dir.keep();
            }
            (None, true) => eprintln!("work folder kept: {}", self.path.display()),
            (None, false) => {}
        }
    }
}

/// verify's results, the names of the failed checks, and the note.
impl StepValue for (Vec<CheckResult>, Vec<&'static str>, String) {
    fn note(&self) -> String {
        self.2.clone()
    }

    fn ok(&self) -> bool {
        self.1.is_empty()
    }
}
