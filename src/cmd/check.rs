//! `meshtls check`: read istiod's Deployment, the app's Namespace and pods, and report what the
//! task needs (the TLS flag, injection, the proxy's user volumes), with a fix for each problem.
use crate::cli::CheckArgs;
use crate::exit::ExitStatus;
use crate::kube::check::{evaluate, read_setup};
use crate::output::Printer;
use crate::resolve::connect_options;
use crate::resolve::resolve_params;

pub fn run(args: CheckArgs, printer: &mut Printer) -> anyhow::Result<ExitStatus> {
    let CheckArgs {
        istio_namespace,
        values,
        params,
        kube,
    } = args;
    let params = resolve_params(values.as_deref(), params)?;
    let opts = connect_options(&kube, None);
    let input = read_setup(&opts, istio_namespace, &params.namespace, &params.app)?;
    let findings = evaluate(&input);
    for finding in &findings {
        printer.line(&finding.to_string())?;
    }
    let failed = findings.iter().filter(|f| !f.ok).count();
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
