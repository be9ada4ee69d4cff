//! `meshtls validate -f FILE|-`: read every document, check Istio resources against their CRD
//! schema and Istio's rules, print errors then warnings (text or JSON); exit 65 on errors.
use std::io::Read;

use anyhow::Context;
use serde::Serialize;

use crate::cli::{ReportFormat, ValidateArgs};
use crate::exit::{DataError, ExitStatus};
use crate::k8s::yaml::read_documents;
use crate::mesh::validate::schema::is_istio_kind;
use crate::mesh::validate::{Finding, Level, validate_value};
use crate::output::Printer;

#[derive(Serialize)]
struct JsonReport<'a> {
    errors: Vec<&'a Finding>,
    warnings: Vec<&'a Finding>,
}

pub fn run(args: ValidateArgs, printer: &mut Printer) -> anyhow::Result<ExitStatus> {
    let ValidateArgs {
        files,
        output,
        namespace,
    } = args;
    let mut findings = Vec::new();
    let mut checked = 0;
    for file in &files {
        let text = read_input(file)?;
        let shown = if file == "-" {
            "<stdin>"
        } else {
            file.as_str()
        };
        let docs = read_documents(&text)
            .map_err(|e| DataError(format!("{shown}:{}:{}: {}", e.line, e.column, e.message)))?;
        for doc in &docs {
            let kind = doc.get("kind").and_then(|k| k.as_str()).unwrap_or_default();
            checked += usize::from(is_istio_kind(kind));
            findings.extend(validate_value(doc, &namespace));
        }
    }
    // Errors first, then warnings; each group keeps the input order.
    findings.sort_by_key(|f| f.level);
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

pub(crate) fn read_input(file: &str) -> anyhow::Result<String> {
    if file == "-" {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .context("reading stdin")?;
        return Ok(text);
    }
    std::fs::read_to_string(file).with_context(|| format!("reading {file}"))
}
