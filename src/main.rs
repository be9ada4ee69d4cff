//! The `meshtls` binary: parse the command line, run it, report the outcome once.
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = meshtls::cli::Cli::parse_or_exit();
    match meshtls::run(cli) {
        Ok(status) => status.into(),
        Err(failure) => failure.report(),
    }
}
