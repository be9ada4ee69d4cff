//! `meshtls proxy-config secret` (`pc s`): istioctl's secret table from a config dump file,
//! stdin, a local admin endpoint or (with cluster mode) a pod; plus `--check` for CI.
use std::io::{self, Write};

use anyhow::Context;

use crate::cli::KubeArgs;
use crate::cli::{ProxyConfigCommand, ProxyConfigSecretArgs, SecretFormat};
use crate::configdump::admin::Timeouts;
use crate::configdump::export;
use crate::configdump::model::SecretsDump;
use crate::configdump::rows::{Options, rows};
use crate::configdump::source::{PodRef, SECRETS_PATH, Source, load, parse_pod_answer};
use crate::configdump::table::{Layout, check, render};
use crate::exit::ExitStatus;
use crate::kube::portforward::{admin_get, resolve_pod};
use crate::kube::with_cluster;
use crate::output::Printer;
use crate::resolve::connect_options;
use crate::resolve::{resolve_now, resolve_warn_within};

pub fn run(command: ProxyConfigCommand, printer: &mut Printer) -> anyhow::Result<ExitStatus> {
    match command {
        ProxyConfigCommand::Secret(args) => secret(args, printer),
    }
}

/// Reads the secrets dump of a pod through a port-forward to its admin port, as istioctl does.
fn pod_dump(
    arg: &str,
    namespace: Option<String>,
    admin_port: u16,
    kube: &KubeArgs,
) -> anyhow::Result<SecretsDump> {
    let opts = connect_options(kube, namespace);
    with_cluster(&opts, |client, cluster| async move {
        let pod = PodRef::parse(arg, &cluster.namespace, admin_port)?;
        let name = resolve_pod(&client, &pod).await?;
        let answer = admin_get(&client, &pod.namespace, &name, admin_port, SECRETS_PATH).await?;
        Ok(parse_pod_answer(&pod, answer.status, &answer.body)?)
    })
}

fn secret(args: ProxyConfigSecretArgs, printer: &mut Printer) -> anyhow::Result<ExitStatus> {
    let ProxyConfigSecretArgs {
        pod,
        file,
        admin,
        proxy_admin_port,
        namespace,
        output,
        all_certs,
        check: check_rows,
        warn_within,
        warn_days,
        now,
        kube,
    } = args;
    let now = resolve_now(now);
    let warn = resolve_warn_within(warn_within, warn_days);
    // A pod's namespace defaults to the context's, so the kubeconfig is read only for a pod.
    let default_ns = namespace.clone().unwrap_or_else(|| "default".to_string());
    let source = Source::resolve(
        pod.as_deref(),
        file,
        admin.as_deref(),
        &default_ns,
        proxy_admin_port,
    )?;
    let dump = match (&source, pod.as_deref()) {
        (Source::Pod(_), Some(arg)) => pod_dump(arg, namespace, proxy_admin_port, &kube)?,
        _ => load(&source, io::stdin().lock(), Timeouts::default())?,
    };
    let rows = rows(&dump, now, Options { all_certs });

    match output {
        SecretFormat::Text | SecretFormat::Wide => {
            let layout = if output == SecretFormat::Wide {
                Layout::Wide
            } else {
                Layout::Short
            };
            printer.write_str(&render(&rows, layout, now))?;
        }
        SecretFormat::Json => {
            printer.write_str(&export::to_json(&dump).context("writing the dump as JSON")?)?;
        }
        SecretFormat::Yaml => printer.write_str(&export::to_yaml(&dump))?,
    }
    if !check_rows {
        return Ok(ExitStatus::Success);
    }
    // The verdict goes to stderr so stdout stays the table (or the dump).
    printer.flush()?;
    let mut stderr = io::stderr().lock();
    let mut failed = 0;
    for row in &rows {
        let problems = check(row, now, warn);
        if !problems.is_empty() {
            failed += 1;
            let what: Vec<String> = problems.iter().map(ToString::to_string).collect();
            let domain = row
                .trust_domain
                .as_deref()
                .map(|d| format!(" (trust domain {d})"))
                .unwrap_or_default();
            writeln!(stderr, "FAIL {}{domain}: {}", row.name, what.join("; "))?;
        }
    }
    if failed > 0 {
        writeln!(
            stderr,
            "check failed: {failed} of {} secret rows have problems",
            rows.len()
        )?;
        Ok(ExitStatus::ChecksFailed)
    } else {
        writeln!(
            stderr,
            "check passed: {} secret rows are active and valid",
            rows.len()
        )?;
        Ok(ExitStatus::Success)
    }
}
