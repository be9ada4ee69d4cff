//! `meshtls describe -f FILE|DIR|- [--workload LABELS]`, or `describe pod NAME[.NS]` from the
//! cluster: read the task, pick the workload as `proxy` would, print each ingress port's outcome
//! and why (text or JSON). Exit 0 once the input reads: describe reports, `analyze` judges.
use crate::cli::{DescribeArgs, ReportFormat};
use crate::describe::{describe, text};
use crate::exit::{DataError, ExitStatus, UsageError};
use crate::kube::objects::read_pod;
use crate::output::Printer;
use crate::resolve::{connect_options, read_input, resolve_now};
use crate::task::select::Selector;

pub fn run(args: DescribeArgs, printer: &mut Printer) -> anyhow::Result<ExitStatus> {
    let DescribeArgs {
        resource,
        input,
        workload,
        enable_tls_on_sidecar_ingress,
        namespace,
        istio_namespace,
        kube,
        output,
        now,
    } = args;
    let (mut task, workload) = match resource.as_slice() {
        [] => {
            let namespace = namespace.unwrap_or_else(|| "default".to_string());
            let task = read_input(&input, &[], &namespace)?
                .into_task()
                .map_err(|e| DataError(e.to_string()))?;
            (task, workload)
        }
        [kind, name] if matches!(kind.as_str(), "pod" | "pods" | "po") => {
            if !input.files.is_empty() {
                return Err(
                    UsageError("describe pod reads the cluster: leave out -f".to_string()).into(),
                );
            }
            // As istioctl: NAME.NAMESPACE splits on the last dot.
            let (pod, pod_namespace) = match name.rsplit_once('.') {
                Some((pod, ns)) => (pod.to_string(), Some(ns.to_string())),
                None => (name.clone(), namespace),
            };
            let (cluster, labels) = read_pod(
                &connect_options(&kube, pod_namespace),
                &pod,
                &istio_namespace,
            )?;
            (cluster.task, workload.or(Some(labels)))
        }
        other => {
            return Err(UsageError(format!(
                "describe takes `pod NAME[.NAMESPACE]` or -f FILE, not {:?}",
                other.join(" ")
            ))
            .into());
        }
    };
    task.tls_flag_from_outside |= enable_tls_on_sidecar_ingress;
    let selector = Selector {
        workload,
        sidecar: None,
    };
    let selected = task
        .select(&selector)
        .map_err(|e| DataError(e.to_string()))?;
    let description = describe(&task, &selected, resolve_now(now));
    match output {
        ReportFormat::Json => printer.line(&serde_json::to_string_pretty(&description)?)?,
        ReportFormat::Text => printer.write_str(&text(&description))?,
    }
    Ok(ExitStatus::Success)
}
