//! `meshtls validate -f FILE|DIR|-`: read every document, check Istio resources against their CRD
//! schema and Istio's rules, print errors then warnings (text or JSON); exit 65 on errors.
use serde::Serialize;

use crate::cli::{ReportFormat, ValidateArgs};
use crate::exit::ExitStatus;
use crate::mesh::validate::schema::is_istio_kind;
use crate::mesh::validate::{Level, Violation, validate_value};
use crate::output::Printer;
use crate::resolve::read_input;

#[derive(Serialize)]
struct JsonReport<'a> {
    errors: Vec<&'a Violation>,
    warnings: Vec<&'a Violation>,
}

pub fn run(args: ValidateArgs, printer: &mut Printer) -> anyhow::Result<ExitStatus> {
    let ValidateArgs {
        input,
        output,
        namespace,
    } = args;
    let read = read_input(&input, &[], &namespace)?;
    let mut findings = Vec::new();
    let mut checked = 0;
    for document in &read.documents {
        let kind = document
            .value
            .get("kind")
            .and_then(|k| k.as_str())
            .unwrap_or_default();
        checked += usize::from(is_istio_kind(kind));
        findings.extend(validate_value(&document.value, &namespace));
    }
    if checked == 0 {
        crate::output::warn(&format!(
            "the input holds no Istio resource (Sidecar, PeerAuthentication){}, so nothing was \
             validated",
            match read.documents.len() {
                0 => " and no document at all".to_string(),
                n => format!(" among its {n} document(s)"),
            }
        ));
    }
    // Errors first, then warnings; each group keeps the input order.
    findings.sort_by_key(|f| std::cmp::Reverse(f.level));
    let errors = findings.iter().filter(|f| f.level == Level::Error).count();
    let warnings = findings.len() - errors;
    match output {
        ReportFormat::Json => {
            let report = JsonReport {
                errors: findings
                    .iter()
                    .filter(|f| f.level == Level::Error)
                    .collect(),
                warnings: findings
                    .iter()
                    .filter(|f| f.level == Level::Warning)
                    .collect(),
            };
            printer.line(&serde_json::to_string_pretty(&report)?)?;
        }
        ReportFormat::Text => {
            for finding in &findings {
                printer.line(&finding.to_string())?;
            }
            if findings.is_empty() {
                printer.line(&format!(
                    "✔ No validation issues found in {checked} Istio resource(s)."
                ))?;
            } else {
                printer.line(&format!("{errors} error(s), {warnings} warning(s)"))?;
            }
        }
    }
    Ok(if errors > 0 {
        ExitStatus::DataError
    } else {
        ExitStatus::Success
    })
}
