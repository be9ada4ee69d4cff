//! `meshtls cert inspect FILE…`: every certificate in each PEM file, any X.509 version,
//! and with `--ca` whether its chain verifies and why not.
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::Context;
use serde::Serialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::cli::{CertInspectArgs, ReportFormat};
use crate::exit::ExitStatus;
use crate::output::Printer;
use crate::pki::PkiError;
use crate::pki::inspect::{CertInfo, Validity, describe, parse, verify_chain};
use crate::pki::pem::certificates;
use crate::resolve::resolve_now;

/// One certificate's report: where it came from, what it is, and the chain verdict.
#[derive(Debug, Serialize)]
struct Report {
    file: String,
    index: usize,
    #[serde(flatten)]
    info: CertInfo,
    #[serde(skip_serializing_if = "Option::is_none")]
    chain: Option<ChainVerdict>,
}

#[derive(Debug, Serialize)]
struct ChainVerdict {
    verified: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    path: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
}

pub fn run(args: CertInspectArgs, printer: &mut Printer) -> anyhow::Result<ExitStatus> {
    let CertInspectArgs {
        files,
        ca,
        output,
        now,
    } = args;
    let now = resolve_now(now);
    let anchors_der = match &ca {
        Some(path) => read_certs(path)?,
        None => Vec::new(),
    };
    let anchors = parse_all(ca.as_deref().unwrap_or(Path::new("")), &anchors_der)?;

    let mut reports = Vec::new();
    let mut any_failed = false;
    for file in &files {
        let ders = read_certs(file)?;
        let parsed = parse_all(file, &ders)?;
        for (index, cert) in parsed.iter().enumerate() {
            let chain = ca.as_ref().map(|_| {
                // Later certificates in the same file may be intermediates.
                let intermediates: Vec<_> = parsed[index + 1..].to_vec();
                match verify_chain(cert, &intermediates, &anchors, now) {
                    Ok(path) => ChainVerdict {
                        verified: true,
                        path: Some(path),
                        reason: None,
                    },
                    Err(e) => ChainVerdict {
                        verified: false,
                        path: None,
                        reason: Some(e.to_string()),
                    },
                }
            });
            any_failed |= chain.as_ref().is_some_and(|c| !c.verified);
            reports.push(Report {
                file: file.display().to_string(),
                index: index + 1,
                info: describe(cert, now),
                chain,
            });
        }
    }

    match output {
        ReportFormat::Json => {
            let mut text = serde_json::to_string_pretty(&reports)?;
            text.push('\n');
            printer.write_str(&text)?;
        }
        ReportFormat::Text => {
            let ca_name = ca
                .as_ref()
                .map(|p| p.display().to_string())
                .unwrap_or_default();
            for (i, report) in reports.iter().enumerate() {
                if i > 0 {
                    printer.line("")?;
                }
                printer.write_str(&text_report(report, &ca_name, now))?;
            }
        }
    }
    Ok(if any_failed {
        ExitStatus::ChecksFailed
    } else {
        ExitStatus::Success
    })
}

fn read_certs(path: &Path) -> anyhow::Result<Vec<rustls_pki_types::CertificateDer<'static>>> {
    let bytes = fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    Ok(certificates(path, &bytes)?)
}

fn parse_all<'a>(
    path: &Path,
    ders: &'a [rustls_pki_types::CertificateDer<'static>],
) -> anyhow::Result<Vec<x509_parser::prelude::X509Certificate<'a>>> {
    ders.iter()
        .enumerate()
        .map(|(i, der)| {
            parse(der).map_err(|reason| {
                PkiError::BadCertificate {
                    path: PathBuf::from(path),
                    index: i + 1,
                    reason,
                }
                .into()
            })
        })
        .collect()
}

fn text_report(report: &Report, ca_name: &str, now: OffsetDateTime) -> String {
    let info = &report.info;
    let days_left = |not_after: &str| -> String {
        OffsetDateTime::parse(not_after, &Rfc3339)
            .map(|t| (t - now).whole_days())
            .map(|d| match info.validity {
                Validity::Expired => format!("expired {} days ago", -d),
                Validity::NotYetValid => "not yet valid".to_string(),
                Validity::Valid => format!("{d} days left"),
            })
            .unwrap_or_default()
    };
    let mut lines = vec![
        format!("{} [certificate {}]", report.file, report.index),
        format!("  Subject:     {}", info.subject),
        format!("  Issuer:      {}", info.issuer),
        format!(
            "  SANs:        {}",
            if info.sans.is_empty() {
                "(none)".to_string()
            } else {
                info.sans.join(", ")
            }
        ),
        format!("  Serial:      {}", info.serial),
        format!("  Not before:  {}", info.not_before),
        format!(
            "  Not after:   {} ({})",
            info.not_after,
            days_left(&info.not_after)
        ),
        format!("  Key:         {}", info.key),
        format!("  CA:          {}", info.is_ca),
        format!(
            "  Version:     {}{}",
            info.version,
            if info.version == 1 {
                " (X.509 v1: no extensions; rustls/webpki reject it as a leaf)"
            } else {
                ""
            }
        ),
    ];
    if let Some(chain) = &report.chain {
        lines.push(match (&chain.path, &chain.reason) {
            (Some(path), _) => format!(
                "  Chain:       verified against {ca_name} ({})",
                path.join(" <- ")
            ),
            (_, Some(reason)) => format!("  Chain:       NOT verified against {ca_name}: {reason}"),
            _ => String::new(),
        });
    }
    let mut text = lines.join("\n");
    text.push('\n');
    text
}
