//! `meshtls proxy-config secret` (`pc s`): istioctl's secret table from a config dump file,
//! stdin, a local admin endpoint or (with cluster mode) a pod; plus `--check` for CI.
use std::io::{self, Write};

use anyhow::Context;

use crate::cli::{ProxyConfigCommand, ProxyConfigSecretArgs, SecretFormat};
use crate::cmd::cert_inspect::resolve_now;
use crate::configdump::admin::Timeouts;
use crate::configdump::export;
use crate::configdump::rows::{Options, rows};
use crate::configdump::source::{Source, load};
use crate::configdump::table::{Layout, check, render};
use crate::exit::ExitStatus;
use crate::output::Printer;

pub fn run(command: ProxyConfigCommand, printer: &mut Printer) -> anyhow::Result<ExitStatus> {
    match command {
        ProxyConfigCommand::Secret(args) => secret(args, printer),
    }
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
        warn_days,
        now,
    } = args;
    let now = resolve_now(now.as_deref())?;
    let source = Source::resolve(
        pod.as_deref(),
        file,
        admin.as_deref(),
        &namespace,
        proxy_admin_port,
    )?;
    let dump = load(&source, io::stdin().lock(), Timeouts::default())?;
    let rows = rows(&dump, now, Options { all_certs });

    match output {
        SecretFormat::Short | SecretFormat::Wide => {
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
        let problems = check(row, now, warn_days);
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
