//! Writing findings: istioctl's log lines (colour only when asked), or JSON/YAML objects with
//! code, level, origin, reference, message and documentation; plus the summary and verdict.
use serde::Serialize;

use super::{Finding, Level};

/// One finding as JSON/YAML, with istioctl's field names.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Message {
    pub code: &'static str,
    pub name: &'static str,
    pub level: Level,
    pub origin: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    pub message: String,
    /// How to read the code's documentation: `run \`meshtls analyze --explain CODE\``.
    pub documentation: String,
    /// istio.io's page, only for the codes istioctl has too.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub documentation_url: Option<&'static str>,
}

impl From<&Finding> for Message {
    fn from(f: &Finding) -> Message {
        Message {
            code: f.code.id(),
            name: f.code.name(),
            level: f.level,
            origin: f.origin.resource(),
            reference: f.origin.reference(),
            message: f.message.clone(),
            documentation: f.code.documentation(),
            documentation_url: f.code.documentation_url(),
        }
    }
}

/// istioctl's colours: bold red errors, yellow warnings, plain info.
fn colour(level: Level) -> &'static str {
    match level {
        Level::Error => "\x1b[1;31m",
        Level::Warning => "\x1b[33m",
        Level::Info => "",
    }
}

/// One log line; with `colour` the level word is coloured as istioctl does.
pub fn log_line(finding: &Finding, coloured: bool) -> String {
    let line = finding.to_string();
    let prefix = colour(finding.level);
    if !coloured || prefix.is_empty() {
        return line;
    }
    let level = finding.level.as_str();
    format!("{prefix}{level}\x1b[0m{}", &line[level.len()..])
}

/// `✔ No validation issues found when analyzing namespace: test.`, or the count per level.
pub fn summary(findings: &[Finding], namespace: &str) -> String {
    if findings.is_empty() {
        return format!("✔ No validation issues found when analyzing namespace: {namespace}.");
    }
    let count = |level| findings.iter().filter(|f| f.level == level).count();
    format!(
        "Found {} error(s), {} warning(s), {} info(s) when analyzing namespace: {namespace}.",
        count(Level::Error),
        count(Level::Warning),
        count(Level::Info)
    )
}

/// istioctl's verdict when a finding reaches the failure threshold (after `Error: `), with where
/// to read about the codes that reached it.
pub fn failure(namespace: &str, failing: &[Finding]) -> String {
    let mut codes: Vec<&str> = failing.iter().map(|f| f.code.id()).collect();
    codes.sort_unstable();
    codes.dedup();
    let explain = match codes.as_slice() {
        [one] => format!("Run `meshtls analyze --explain {one}`"),
        _ => format!(
            "Run `meshtls analyze --explain CODE` ({})",
            codes.join(", ")
        ),
    };
    format!(
        "Error: Analyzers found issues when analyzing namespace: {namespace}.\n{explain} for more information about causes and resolutions."
    )
}

pub fn messages(findings: &[Finding]) -> Vec<Message> {
    findings.iter().map(Message::from).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::{Code, Origin};

    fn finding(code: Code) -> Finding {
        let origin = Origin {
            kind: "Sidecar".into(),
            namespace: "test".into(),
            name: "s".into(),
            file: None,
            line: None,
        };
        Finding::new(code, &origin, "m")
    }

    #[test]
    fn only_the_level_is_coloured() {
        let error = finding(Code::TlsFlagOff);
        assert_eq!(
            log_line(&error, true),
            "\x1b[1;31mError\x1b[0m [MTLS0001] (Sidecar test/s) m"
        );
        assert_eq!(
            log_line(&error, false),
            "Error [MTLS0001] (Sidecar test/s) m"
        );
    }

    #[test]
    fn summary_counts_each_level() {
        let findings = [finding(Code::TlsFlagOff), finding(Code::CertV1)];
        assert_eq!(
            summary(&findings, "test"),
            "Found 1 error(s), 1 warning(s), 0 info(s) when analyzing namespace: test."
        );
        assert_eq!(
            summary(&[], "test"),
            "✔ No validation issues found when analyzing namespace: test."
        );
    }
}
