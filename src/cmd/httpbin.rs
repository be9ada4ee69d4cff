//! `meshtls httpbin`: the embedded app on its own, until SIGTERM or SIGINT.
use anyhow::Context;

use crate::cli::HttpbinArgs;
use crate::exit::ExitStatus;
use crate::httpbin;
use crate::output::Printer;

pub fn run(args: HttpbinArgs, printer: &mut Printer) -> anyhow::Result<ExitStatus> {
    let HttpbinArgs { listen, tcp_echo } = args;
    let app = httpbin::start_with(listen, tcp_echo).with_context(|| match tcp_echo {
        Some(echo) => {
            format!("listening on {listen} and {echo}: pick another --listen or --tcp-echo")
        }
        None => format!("listening on {listen}: pick another --listen"),
    })?;
    printer.line(&format!("httpbin listening on http://{}", app.address))?;
    if let Some(echo) = app.tcp_echo {
        printer.line(&format!("TCP echo listening on {echo}"))?;
    }
    printer.flush()?;
    crate::proxy::run::wait_for_signal(None).context("waiting for SIGTERM or SIGINT")?;
    app.shutdown();
    Ok(ExitStatus::Success)
}
