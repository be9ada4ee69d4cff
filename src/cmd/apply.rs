//! `meshtls apply -f FILE|-`: server-side apply of any manifests, with kubectl's output lines;
//! also the shared path for `render --apply` and `create secret --apply`.
use std::io::Read;

use anyhow::{Context, bail};
use serde_json::Value;

use crate::cli::{ApplyArgs, DryRun, KubeArgs};
use crate::exit::{DataError, ExitStatus};
use crate::k8s::yaml::read_documents;
use crate::kube::apply::{ApplyOptions, apply_all};
use crate::kube::connect::{self, ConnectOptions};
use crate::kube::discovery::Resolver;
use crate::kube::{DEFAULT_TIMEOUT, Target, runtime};
use crate::output::Printer;

pub fn run(args: ApplyArgs, printer: &mut Printer) -> anyhow::Result<ExitStatus> {
    let ApplyArgs {
        files,
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
    let mut docs = Vec::new();
    for file in &files {
        let text = if file == "-" {
            let mut text = String::new();
            std::io::stdin()
                .read_to_string(&mut text)
                .context("reading stdin")?;
            text
        } else {
            std::fs::read_to_string(file).with_context(|| format!("reading {file}"))?
        };
        let parsed = read_documents(&text)
            .map_err(|e| DataError(format!("{file}:{}:{}: {}", e.line, e.column, e.message)))?;
        docs.extend(parsed);
    }
    let options = ApplyOptions {
        server_dry_run,
        force_conflicts,
    };
    apply_documents(&kube, namespace, docs, options, printer)
}

/// The connection options for a command's flags.
pub(crate) fn connect_options(kube: &KubeArgs, namespace: Option<String>) -> ConnectOptions {
    let KubeArgs {
        kubeconfig,
        context,
    } = kube.clone();
    ConnectOptions {
        kubeconfig,
        context,
        namespace,
    }
}

/// Whether an error chain holds a `kube` error that is not the API server's own answer: the
/// server was never reached (refused, TLS, DNS, timeout).
fn is_unreachable(error: &anyhow::Error) -> bool {
    // Library errors box their `kube::Error` sources, so look for both forms.
    error.chain().any(|cause| {
        let kube = cause
            .downcast_ref::<::kube::Error>()
            .or_else(|| cause.downcast_ref::<Box<::kube::Error>>().map(|b| &**b));
        kube.is_some_and(|e| {
            !matches!(
                e,
                ::kube::Error::Api(_) | ::kube::Error::Discovery(_) | ::kube::Error::SerdeError(_)
            )
        })
    })
}

/// Names the context and server in an error that never reached the server, and what to try.
pub(crate) fn explain(error: anyhow::Error, target: &Target) -> anyhow::Error {
    if is_unreachable(&error) || error.is::<tokio::time::error::Elapsed>() {
        // One line, each cause once (hyper repeats `client error (Connect)`).
        anyhow::anyhow!(
            "cannot reach the Kubernetes API server {} (context {:?}); is the cluster running? (`kubectl --context {} cluster-info`): {}",
            target.server,
            target.context,
            target.context,
            crate::kube::flatten_error(error.as_ref())
        )
    } else {
        error
    }
}

/// Connects, then applies `docs` in order, printing one kubectl line per object as it goes.
pub(crate) fn apply_documents(
    kube: &KubeArgs,
    namespace: Option<String>,
    docs: Vec<Value>,
    options: ApplyOptions,
    printer: &mut Printer,
) -> anyhow::Result<ExitStatus> {
    let explicit = namespace.is_some();
    let opts = connect_options(kube, namespace);
    runtime()?.block_on(async move {
        let target = connect::resolve(&opts).await?;
        let client = target.client()?;
        let mut resolver = Resolver::new(client);
        let mut write_error = None;
        let mut print = |applied: &crate::kube::apply::Applied| {
            if let Err(e) = printer.line(&applied.to_string()) {
                write_error.get_or_insert(e);
            }
        };
        let result = tokio::time::timeout(
            DEFAULT_TIMEOUT,
            apply_all(
                &mut resolver,
                docs,
                &target.namespace,
                explicit,
                options,
                &mut print,
            ),
        )
        .await;
        if let Some(e) = write_error {
            return Err(e.into());
        }
        match result {
            Ok(Ok(_)) => Ok(ExitStatus::Success),
            Ok(Err(e)) => Err(explain(e.into(), &target)),
            Err(elapsed) => Err(explain(elapsed.into(), &target)),
        }
    })
}
