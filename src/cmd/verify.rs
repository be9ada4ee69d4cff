//! `meshtls verify`: resolve names, ports, addresses and certificates (flags over `-f` over the
//! page), run the page's checks and the negative ones with the local client (or, with --kube, curl
//! in the sleep pods), report, exit 0 or 3.
use std::collections::HashMap;
use std::net::{SocketAddr, ToSocketAddrs};
use std::path::Path;
use std::time::Duration;

use anyhow::Context;
use time::OffsetDateTime;

use crate::cli::{KubeArgs, TableFormat, TargetArgs, VerifyArgs};
use crate::exit::{DataError, ExitStatus, UsageError};
use crate::kube::explain;
use crate::kube::incluster::sleep_pods;
use crate::output::Printer;
use crate::page;
use crate::resolve::connect_options;
use crate::resolve::read_input;
use crate::task::select::Selector;
use crate::verify::checks::{CurlFiles, Listener, Target, plan};
use crate::verify::cluster::{ClientFiles, KubeRunner};
use crate::verify::local::{LocalRunner, MaterialFiles, Materials, refusing};
use crate::verify::target::{from_task, page_target};
use crate::verify::{report, run_all};

pub fn run(args: VerifyArgs, printer: &mut Printer) -> anyhow::Result<ExitStatus> {
    let VerifyArgs {
        target,
        targets,
        certs,
        cacert,
        cert,
        key,
        ca_key,
        mesh_dir,
        no_negative,
        timeout,
        verbose,
        output,
        kube,
        kube_workdir,
        cluster,
    } = args;
    if kube {
        let target = resolve_target(target)?;
        let files = MaterialFiles::resolve(&target, certs, cacert, cert, key, ca_key, mesh_dir);
        return verify_in_cluster(
            &target,
            &files,
            &cluster,
            kube_workdir,
            !no_negative,
            Duration::from_secs(timeout),
            verbose,
            output,
            printer,
        );
    }
    let target = resolve_target(target)?;
    let addresses = resolve_addresses(&target, &targets)?;
    let files = MaterialFiles::resolve(&target, certs, cacert, cert, key, ca_key, mesh_dir);
    let now = OffsetDateTime::now_utc();
    let materials = Materials::load(&files, &target, now).with_context(|| {
        format!(
            "loading the client certificates; make them with `meshtls certgen --out DIR` and pass \
             --certs DIR, or give --cacert/--cert/--key (CA file: {})",
            files.cacert.display()
        )
    })?;
    // A check that cannot run is not a failed check: with nothing listening, say what to start.
    let refusing = refusing(&addresses, Duration::from_secs(timeout));
    if !refusing.is_empty() && refusing.len() == addresses.len() {
        let listed: Vec<String> = refusing
            .iter()
            .map(|(listener, address)| {
                let ports = target.ports(*listener);
                format!(
                    "{address} (port {}, Service {})",
                    ports.workload, ports.service
                )
            })
            .collect();
        anyhow::bail!(
            "nothing listens on {}: start the sidecar with `meshtls proxy -f task.yaml --app` \
             (task.yaml from `meshtls render`), or pass --target PORT=HOST:PORT for each listener",
            listed.join(" or ")
        );
    }
    let mut runner = LocalRunner::new(
        target.clone(),
        addresses.clone(),
        materials,
        Duration::from_secs(timeout),
    )?;
    let results = run_all(plan(&target, !no_negative), &mut runner);
    let curl_files = files.curl_files();
    report::print(
        &results,
        &target,
        &addresses,
        &curl_files,
        verbose,
        output,
        printer,
    )
    .map_err(Into::into)
}

/// `--kube`: the page's curl in the sleep pods. The outside pod gets the CA and the client pair
/// first; the results print as local verify prints them.
#[allow(clippy::too_many_arguments)]
fn verify_in_cluster(
    target: &Target,
    files: &MaterialFiles,
    cluster: &KubeArgs,
    workdir: String,
    negative: bool,
    timeout: Duration,
    verbose: bool,
    output: TableFormat,
    printer: &mut Printer,
) -> anyhow::Result<ExitStatus> {
    let read = |path: &Path| {
        std::fs::read(path).with_context(|| {
            format!(
                "reading {} to copy into the outside sleep pod; make the certificates with \
                 `meshtls certgen --out DIR` and pass --certs DIR, or give --cacert/--cert/--key",
                path.display()
            )
        })
    };
    let client_files = ClientFiles {
        ca_crt: read(&files.cacert)?,
        client_crt: read(&files.cert)?,
        client_key: read(&files.key)?,
    };
    let runtime = crate::kube::runtime()?;
    let opts = connect_options(cluster, None);
    let connected = runtime.block_on(async {
        let kube_target = crate::kube::connect::resolve(&opts).await?;
        let client = kube_target.client()?;
        let pods = tokio::time::timeout(
            crate::kube::DEFAULT_TIMEOUT,
            sleep_pods(&client, &target.namespace, OUTSIDE_NAMESPACE),
        )
        .await
        .map_err(|e| explain(e.into(), &kube_target))?
        .map_err(|e| explain(e.into(), &kube_target))?;
        anyhow::Ok((client, pods))
    });
    let (client, pods) = connected?;
    let mut runner = KubeRunner::new(
        runtime,
        client,
        target.clone(),
        pods,
        workdir,
        &client_files,
        timeout,
    )
    .context("copying the CA and the client pair into the outside sleep pod")?;
    let results = run_all(plan(target, negative), &mut runner);
    report::print(
        &results,
        target,
        &HashMap::new(),
        &CurlFiles::default(),
        verbose,
        output,
        printer,
    )
    .map_err(Into::into)
}

/// Where the page runs its outside client.
const OUTSIDE_NAMESPACE: &str = "default";

/// Page defaults, then the manifests, then flags.
fn resolve_target(args: TargetArgs) -> anyhow::Result<Target> {
    let TargetArgs {
        input,
        workload,
        namespace,
        service,
        sidecar_name,
        service_account,
        tls_port,
        http_port,
        service_tls_port,
        service_http_port,
        cluster_domain,
    } = args;
    let mut target = page_target();
    target.cluster_domain = cluster_domain;
    let from_files = !input.files.is_empty();
    if from_files {
        let read_namespace = namespace.as_deref().unwrap_or(page::NAMESPACE);
        let task = read_input(&input, &[], read_namespace)?
            .into_task()
            .map_err(|e| DataError(e.to_string()))?;
        let selector = Selector {
            workload,
            sidecar: sidecar_name.clone(),
        };
        target = from_task(&task, &selector, target).map_err(DataError)?;
    }
    fn set<T>(slot: &mut T, value: Option<T>) {
        if let Some(value) = value {
            *slot = value;
        }
    }
    let account_given = service_account.is_some();
    let service_given = service.is_some();
    set(&mut target.namespace, namespace);
    set(&mut target.service, service);
    set(&mut target.sidecar_name, sidecar_name);
    set(&mut target.service_account, service_account);
    if service_given && !account_given && !from_files {
        target.service_account = target.service.clone();
    }
    set(&mut target.tls.workload, tls_port);
    set(&mut target.internal.workload, http_port);
    set(&mut target.tls.service, service_tls_port);
    set(&mut target.internal.service, service_http_port);
    Ok(target)
}

/// `--target PORT=HOST:PORT` for either listener (by service or workload port); the rest go to
/// 127.0.0.1 at the workload port.
pub fn resolve_addresses(
    target: &Target,
    specs: &[String],
) -> anyhow::Result<HashMap<Listener, SocketAddr>> {
    let mut addresses = HashMap::new();
    for spec in specs {
        let bad = |why: &str| {
            UsageError(format!(
                "--target {spec:?}: {why}; use PORT=HOST:PORT, e.g. --target {}=127.0.0.1:{}",
                target.tls.service, target.tls.workload
            ))
        };
        let (port, address) = spec.split_once('=').ok_or_else(|| bad("no PORT="))?;
        let port: u16 = port.parse().map_err(|_| bad("PORT is not a number"))?;
        let listener = [Listener::Tls, Listener::Internal]
            .into_iter()
            .find(|l| {
                let pair = target.ports(*l);
                pair.service == port || pair.workload == port
            })
            .ok_or_else(|| {
                bad(&format!(
                    "{port} is none of the ports {}, {} (TLS) or {}, {} (in-mesh)",
                    target.tls.service,
                    target.tls.workload,
                    target.internal.service,
                    target.internal.workload
                ))
            })?;
        let resolved = address
            .to_socket_addrs()
            .map_err(|e| bad(&format!("cannot resolve {address}: {e}")))?
            .next()
            .ok_or_else(|| bad(&format!("{address} resolves to nothing")))?;
        addresses.insert(listener, resolved);
    }
    for listener in [Listener::Tls, Listener::Internal] {
        addresses
            .entry(listener)
            .or_insert_with(|| SocketAddr::from(([127, 0, 0, 1], target.ports(listener).workload)));
    }
    Ok(addresses)
}
