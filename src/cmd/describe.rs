//! `meshtls describe -f FILE|DIR|- [--workload LABELS]`: read the task, pick the workload as
//! `proxy` would, print what each ingress port gets and why (text or JSON). Always exit 0 once
//! the input reads: describe reports, `analyze` judges.
use crate::cli::{DescribeArgs, ReportFormat};
use crate::describe::{describe, text};
use crate::exit::{DataError, ExitStatus};
use crate::output::Printer;
use crate::resolve::{read_input, resolve_now};
use crate::task::select::Selector;

pub fn run(args: DescribeArgs, printer: &mut Printer) -> anyhow::Result<ExitStatus> {
    let DescribeArgs {
        input,
        workload,
        enable_tls_on_sidecar_ingress,
        namespace,
        output,
        now,
    } = args;
    let mut task = read_input(&input, &[], &namespace)?
        .into_task()
        .map_err(|e| DataError(e.to_string()))?;
    task.tls_flag_from_outside = enable_tls_on_sidecar_ingress;
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
