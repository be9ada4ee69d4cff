//! meshtls: set up, run and check TLS termination in an Istio sidecar, locally or on Kubernetes.
//! "The page" is the istio.io task this automates (its names and numbers: `page`).
//!
//! The modules follow the task's pipeline: `pki` (certificates) → `k8s` (Kubernetes objects) →
//! `mesh` (Istio's API types and rules) → `task` (the task model: read once, decided once) →
//! `proxy` (the sidecar) / `render` / `analyze` / `describe` → `verify` / `configdump` (inspect)
//! → `kube` (cluster mode). `cli` holds the command line, `resolve` turns flags into library
//! inputs, `cmd` has one module per subcommand, `output` the printer.
#![forbid(unsafe_code)]

pub mod analyze;
pub mod cli;
pub mod cmd;
pub mod configdump;
pub mod describe;
pub mod envoy;
pub mod exit;
pub mod fsx;
#[cfg(any(test, feature = "fuzzing"))]
#[doc(hidden)]
pub mod fuzz;
pub mod httpbin;
pub mod k8s;
pub mod kube;
pub mod logging;
pub mod mesh;
pub mod output;
pub mod page;
pub mod pki;
pub mod proxy;
pub mod redact;
pub mod render;
pub mod resolve;
pub mod task;
pub mod tls;
pub mod verify;
pub mod version;

use std::io::{self, Write};
use std::process::ExitCode;

use crate::cli::{Cli, Command};
pub use crate::exit::ExitStatus;
use crate::output::Printer;

/// How an error is introduced on stderr: tools we imitate differ (`Error:` vs kubectl's `error:`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorStyle {
    /// istioctl: `Error: <message>`.
    Istioctl,
    /// kubectl: `error: <message>`.
    Kubectl,
}

/// A failed run: the error chain, how to print it, and the exit status.
#[derive(Debug)]
pub struct Failure {
    pub error: anyhow::Error,
    pub style: ErrorStyle,
    pub status: ExitStatus,
}

impl Failure {
    /// Prints the error chain once on stderr and returns the exit code. A closed stdout
    /// (`meshtls … | head`) is not an error.
    pub fn report(self) -> ExitCode {
        if is_broken_pipe(&self.error) {
            return ExitStatus::Success.into();
        }
        let prefix = match self.style {
            ErrorStyle::Istioctl => "Error",
            ErrorStyle::Kubectl => "error",
        };
        let _ = writeln!(io::stderr(), "{prefix}: {}", error_text(&self.error));
        self.status.into()
    }
}

/// The error chain as one line, `outer: cause: …`, with each cause once: a cause whose text an
/// outer message already quotes (`reading F: No such file…` over that io error) is not repeated.
pub fn error_text(error: &anyhow::Error) -> String {
    let mut text = String::new();
    for cause in error.chain() {
        let part = cause.to_string();
        if part.is_empty() || text.contains(&part) {
            continue;
        }
        if !text.is_empty() {
            text.push_str(": ");
        }
        text.push_str(&part);
    }
    text
}

fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<io::Error>()
            .is_some_and(|io| io.kind() == io::ErrorKind::BrokenPipe)
    })
}

/// Runs one parsed command line against stdout.
pub fn run(cli: Cli) -> Result<ExitStatus, Failure> {
    logging::init();
    let mut printer = Printer::stdout();
    let style = match &cli.command {
        Command::Create(_) => ErrorStyle::Kubectl,
        _ => ErrorStyle::Istioctl,
    };
    let result = match cli.command {
        Command::Certgen(args) => cmd::certgen::run(args, &mut printer),
        Command::Cert(cli::CertCommand::Inspect(args)) => {
            cmd::cert_inspect::run(args, &mut printer)
        }
        Command::Create(cli::CreateCommand::Secret(which)) => {
            cmd::create_secret::run(which, &mut printer)
        }
        Command::Render(args) => cmd::render::run(args, &mut printer),
        Command::Validate(args) => cmd::validate::run(args, &mut printer),
        Command::Analyze(args) => cmd::analyze::run(args, &mut printer),
        Command::Completion(args) => cmd::completion::run(args, &mut printer),
        Command::ProxyConfig(which) => cmd::proxy_config::run(which, &mut printer),
        Command::Apply(args) => cmd::apply::run(args, &mut printer),
        Command::Check(args) => cmd::check::run(args, &mut printer),
        Command::Cleanup(args) => cmd::cleanup::run(args, &mut printer),
        Command::Describe(args) => cmd::describe::run(args, &mut printer),
        Command::Verify(args) => cmd::verify::run(args, &mut printer),
        Command::Demo(args) => cmd::demo::run(args, &mut printer),
        Command::Proxy(args) => cmd::proxy::run(args, &mut printer),
        Command::Httpbin(args) => cmd::httpbin::run(args, &mut printer),
        Command::Version(args) => cmd::version::run(args, &mut printer),
    };
    let result = result.and_then(|status| {
        printer.flush()?;
        Ok(status)
    });
    result.map_err(|error| Failure {
        status: ExitStatus::of_error(&error),
        error,
        style,
    })
}

#[cfg(test)]
mod tests {
    use super::error_text;

    #[test]
    fn each_cause_is_printed_once() {
        #[derive(Debug, thiserror::Error)]
        #[error("reading f: {source}")]
        struct Reading {
            source: std::io::Error,
        }
        let io = std::io::Error::new(std::io::ErrorKind::NotFound, "no such file");
        let error = anyhow::Error::from(Reading { source: io }).context("loading the certificates");
        assert_eq!(
            error_text(&error),
            "loading the certificates: reading f: no such file"
        );
        let plain = anyhow::anyhow!("inner").context("outer");
        assert_eq!(error_text(&plain), "outer: inner");
    }
}
