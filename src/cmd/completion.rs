//! `meshtls completion SHELL`: the shell completion script, generated from the clap definition.
use clap::CommandFactory;

use crate::cli::{Cli, CompletionArgs};
use crate::exit::ExitStatus;
use crate::output::Printer;

pub fn run(args: CompletionArgs, printer: &mut Printer) -> anyhow::Result<ExitStatus> {
    let CompletionArgs { shell } = args;
    printer.write_bytes(&script(shell))?;
    Ok(ExitStatus::Success)
}

/// The completion script for `shell`, as committed in `completions/`.
pub fn script(shell: clap_complete::Shell) -> Vec<u8> {
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "meshtls", &mut out);
    out
}
