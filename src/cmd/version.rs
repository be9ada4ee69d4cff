//! `meshtls version [--short] [-o text|json|yaml]`: the build's version, commit and TLS stack, as
//! `istioctl version` prints the client's.
use crate::cli::{DataFormat, VersionArgs};
use crate::exit::ExitStatus;
use crate::k8s::yaml::to_yaml;
use crate::output::Printer;
use crate::version::BuildInfo;

pub fn run(args: VersionArgs, printer: &mut Printer) -> anyhow::Result<ExitStatus> {
    let VersionArgs { short, output } = args;
    let info = BuildInfo::current();
    let short_form = serde_json::json!({ "version": info.version });
    match (short, output) {
        (true, DataFormat::Text) => printer.line(info.version)?,
        (true, DataFormat::Json) => printer.line(&serde_json::to_string_pretty(&short_form)?)?,
        (true, DataFormat::Yaml) => printer.write_str(&to_yaml(&short_form)?)?,
        (false, DataFormat::Text) => printer.write_str(&info.text())?,
        (false, DataFormat::Json) => printer.line(&serde_json::to_string_pretty(&info)?)?,
        (false, DataFormat::Yaml) => printer.write_str(&to_yaml(&info)?)?,
    }
    Ok(ExitStatus::Success)
}
