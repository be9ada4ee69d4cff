//! `meshtls cleanup [--dry-run]`: the page's clean-up section (Secrets, Services, Deployments,
//! namespace, the sleep in default) plus the other objects `render` makes; only what meshtls applied.
use anyhow::Context;

use crate::cli::{CleanupArgs, DataFormat};
use crate::exit::ExitStatus;
use crate::kube::cleanup::{Item, Report, cleanup};
use crate::kube::discovery::{Resolver, TypeKey};
use crate::kube::with_cluster;
use crate::output::{Printer, print_data};
use crate::render::{Params, What, render};
use crate::resolve::connect_options;
use crate::resolve::resolve_params;
use crate::task::Manifest;

/// Every object `render` (and so `render --apply`) makes, in reverse apply order.
pub fn items(params: &Params) -> anyhow::Result<Vec<Item>> {
    let what = [
        What::Namespace,
        What::PeerAuthentication,
        What::App,
        What::Sidecar,
        What::Sleep,
    ];
    let manifests = render(params, &what, None).context("listing the task's objects")?;
    let docs = manifests
        .iter()
        .map(Manifest::to_value)
        .collect::<Result<Vec<_>, _>>()?;
    let mut items: Vec<Item> = docs.iter().filter_map(Item::from_doc).collect();
    for name in [&params.secret, &params.ca_secret] {
        items.push(Item {
            key: TypeKey::new("v1", "Secret"),
            namespace: Some(params.namespace.clone()),
            name: name.clone(),
        });
    }
    items.reverse();
    Ok(items)
}

pub fn run(args: CleanupArgs, printer: &mut Printer) -> anyhow::Result<ExitStatus> {
    let CleanupArgs {
        dry_run,
        values,
        params,
        output,
        kube,
    } = args;
    let params = resolve_params(values.as_deref(), params)?;
    let items = items(&params)?;
    let opts = connect_options(&kube, None);
    with_cluster(&opts, |client, _| async move {
        let mut resolver = Resolver::new(client);
        let mut write_error = None;
        let mut reports = Vec::new();
        let mut print = |report: &Report| match output {
            DataFormat::Text => {
                if let Err(e) = printer.line(&report.to_string()) {
                    write_error.get_or_insert(e);
                }
            }
            _ => reports.push(report.clone()),
        };
        let result = cleanup(&mut resolver, &items, dry_run, &mut print).await;
        if let Some(e) = write_error {
            return Err(e.into());
        }
        result?;
        if output != DataFormat::Text {
            let value = serde_json::json!({ "dryRun": dry_run, "objects": reports });
            print_data(&value, output, printer)?;
        }
        Ok(ExitStatus::Success)
    })
}
