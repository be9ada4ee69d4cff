//! `meshtls apply -f FILE|DIR|-`: server-side apply of any manifests, with kubectl's output
//! lines (`kube::apply` does the work, for `render --apply` and `create secret --apply` too).
use anyhow::bail;

use crate::cli::{ApplyArgs, DataFormat, DryRun};
use crate::exit::ExitStatus;
use crate::kube::apply::{ApplyOptions, apply_documents, apply_documents_reporting};
use crate::output::{Printer, print_data};
use crate::resolve::{connect_options, read_input};

pub fn run(args: ApplyArgs, printer: &mut Printer) -> anyhow::Result<ExitStatus> {
    let ApplyArgs {
        input,
        namespace,
        dry_run,
        force_conflicts,
        output,
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
    let opts = connect_options(&kube, namespace);
    if output == DataFormat::Text {
        apply_documents(&opts, docs, options, printer)?;
        return Ok(ExitStatus::Success);
    }
    let mut applied = Vec::new();
    apply_documents_reporting(&opts, docs, options, &mut |a| {
        applied.push(a.clone());
        Ok(())
    })?;
    let value = serde_json::json!({ "applied": applied });
    print_data(&value, output, printer)?;
    Ok(ExitStatus::Success)
}
