//! `meshtls apply -f FILE|DIR|-`: server-side apply of any manifests, with kubectl's output
//! lines (`kube::apply` does the work, for `render --apply` and `create secret --apply` too).
use anyhow::bail;

use crate::cli::{ApplyArgs, DryRun};
use crate::exit::ExitStatus;
use crate::kube::apply::{ApplyOptions, apply_documents};
use crate::output::Printer;
use crate::resolve::{connect_options, read_input};

pub fn run(args: ApplyArgs, printer: &mut Printer) -> anyhow::Result<ExitStatus> {
    let ApplyArgs {
        input,
        namespace,
        dry_run,
        force_conflicts,
        kube,
    } = args;
    let server_dry_run = match dry_run {
        DryRun::None => false,
        DryRun::Server => true,
        DryRun::Client => bail!(
            "--dry-run=client cannot check a server-side apply: use --dry-run=server, or `meshtls validate -f`"
        ),
    };
    let read = read_input(&input, &[], namespace.as_deref().unwrap_or("default"))?;
    let docs = read.documents.into_iter().map(|d| d.value).collect();
    let options = ApplyOptions {
        server_dry_run,
        force_conflicts,
    };
    apply_documents(&connect_options(&kube, namespace), docs, options, printer)?;
    Ok(ExitStatus::Success)
}
