//! `meshtls check`: read istiod's Deployment, the app's Namespace and pods, and report what the
//! task needs (the TLS flag, injection, the proxy's user volumes), with a fix for each problem.
use crate::cli::{CheckArgs, DataFormat};
use crate::exit::ExitStatus;
use crate::kube::check::{evaluate, read_setup};
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
    let input = read_setup(&opts, istio_namespace, &params.namespace, &params.app)?;
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
