//! `meshtls httpbin`: the embedded app on its own, until SIGTERM or SIGINT.
use anyhow::Context;

use crate::cli::HttpbinArgs;
use crate::exit::ExitStatus;
use crate::httpbin;
use crate::output::Printer;

pub fn run(args: HttpbinArgs, printer: &mut Printer) -> anyhow::Result<ExitStatus> {
    let HttpbinArgs { listen } = args;
    let app = httpbin::start(listen)
        .with_context(|| format!("listening on {listen}: pick another --listen"))?;
    printer.line(&format!("httpbin listening on http://{}", app.address))?;
    printer.flush()?;
    crate::proxy::run::wait_for_signal(None).context("waiting for SIGTERM or SIGINT")?;
    app.shutdown();
    Ok(ExitStatus::Success)
}
