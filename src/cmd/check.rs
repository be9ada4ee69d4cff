//! `meshtls check`: read istiod's Deployment, the app's Namespace and pods, and report what the
//! task needs (the TLS flag, injection, the proxy's user volumes), with a fix for each problem.
use ::kube::Client;
use ::kube::api::{Api, ListParams};
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{Namespace, Pod};

use crate::cli::{CheckArgs, DataFormat};
use crate::exit::ExitStatus;
use crate::kube::check::{CheckInput, evaluate};
use crate::kube::explain;
use crate::kube::{DEFAULT_TIMEOUT, connect, runtime};
use crate::output::{Printer, print_data};
use crate::resolve::connect_options;
use crate::resolve::resolve_params;

pub fn run(args: CheckArgs, printer: &mut Printer) -> anyhow::Result<ExitStatus> {
    let CheckArgs {
        istio_namespace,
        values,
        params,
        output,
        kube,
    } = args;
    let params = resolve_params(values.as_deref(), params)?;
    let opts = connect_options(&kube, None);
    let input = runtime()?.block_on(async move {
        let target = connect::resolve(&opts).await?;
        let client = target.client()?;
        let read = read(&client, istio_namespace, &params.namespace, &params.app);
        match tokio::time::timeout(DEFAULT_TIMEOUT, read).await {
            Ok(Ok(input)) => Ok(input),
            Ok(Err(e)) => Err(explain(e, &target)),
            Err(elapsed) => Err(explain(elapsed.into(), &target)),
        }
    })?;
    let findings = evaluate(&input);
    let failed = findings.iter().filter(|f| !f.ok).count();
    if output != DataFormat::Text {
        let value = serde_json::json!({
            "namespace": input.namespace_name,
            "app": input.app,
            "passed": failed == 0,
            "checks": findings,
        });
        print_data(&value, output, printer)?;
        return Ok(match failed {
            0 => ExitStatus::Success,
            _ => ExitStatus::ChecksFailed,
        });
    }
    for finding in &findings {
        printer.line(&finding.to_string())?;
    }
    if failed == 0 {
        printer.line(&format!(
            "check passed: {} checks for {}/{}",
            findings.len(),
            input.namespace_name,
            input.app
        ))?;
        Ok(ExitStatus::Success)
    } else {
        printer.line(&format!(
            "check failed: {failed} of {} checks",
            findings.len()
        ))?;
        Ok(ExitStatus::ChecksFailed)
    }
}

async fn read(
    client: &Client,
    istio_namespace: String,
    namespace: &str,
    app: &str,
) -> anyhow::Result<CheckInput> {
    use anyhow::Context;
    let deployments: Api<Deployment> = Api::namespaced(client.clone(), &istio_namespace);
    let istiod = deployments
        .get_opt("istiod")
        .await
        .with_context(|| format!("reading deployment/istiod in {istio_namespace}"))?;
    let namespaces: Api<Namespace> = Api::all(client.clone());
    let ns = namespaces
        .get_opt(namespace)
        .await
        .with_context(|| format!("reading namespace {namespace}"))?;
    let pods: Api<Pod> = Api::namespaced(client.clone(), namespace);
    let mut list = pods
        .list(&ListParams::default().labels(&format!("app={app}")))
        .await
        .with_context(|| format!("listing pods with app={app} in {namespace}"))?
        .items;
    list.sort_by(|a, b| a.metadata.name.cmp(&b.metadata.name));
    Ok(CheckInput {
        istio_namespace,
        istiod,
        namespace_name: namespace.to_string(),
        namespace: ns,
        app: app.to_string(),
        pods: list,
    })
}
