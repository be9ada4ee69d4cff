//! meshtls: set up, run and check TLS termination in an Istio sidecar, locally or on Kubernetes.
//!
//! The modules follow the task's pipeline: `pki` (certificates) → `k8s` (Secrets and other
//! objects) → `mesh` (Istio resources) → `proxy` → `verify` / `configdump` (inspect).
//! `envoy` holds Envoy's admin wire formats, written by `proxy` and read by `configdump`.
//! `cli` holds the command line, `cmd` one module per subcommand, `output` the printer.
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
        let _ = writeln!(io::stderr(), "{prefix}: {:#}", self.error);
        self.status.into()
    }
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
