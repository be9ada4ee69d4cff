//! The findings of validation: one resource's `Report` while its rules run, then `Violation`s
//! tagged with its kind and name. Shared by the CRD schema check and Istio's rules.
use std::fmt;

use serde::Serialize;

use crate::redact;

/// How bad a finding is, for validation and analyze alike; the order is istioctl's
/// (Info < Warning < Error). Validation itself reports only warnings and errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum Level {
    Info,
    Warning,
    Error,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Info => "Info",
            Level::Warning => "Warning",
            Level::Error => "Error",
        }
    }
}

/// One problem in one resource, at one field path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Violation {
    pub level: Level,
    pub kind: String,
    pub namespace: String,
    pub name: String,
    pub path: String,
    pub message: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let level = self.level.as_str();
        write!(
            f,
            "{level} ({} {}/{}) {}: {}",
            self.kind, self.namespace, self.name, self.path, self.message
        )
    }
}

/// Violations of one resource before they are tagged with its kind and name.
#[derive(Debug, Default)]
pub struct Report {
    pub items: Vec<(Level, String, String)>,
}

impl Report {
    pub fn error(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.items.push((Level::Error, safe(path), safe(message)));
    }

    pub fn warning(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.items.push((Level::Warning, safe(path), safe(message)));
    }

    pub fn has_errors(&self) -> bool {
        self.items
            .iter()
            .any(|(level, _, _)| *level == Level::Error)
    }

    pub fn into_findings(self, kind: &str, namespace: &str, name: &str) -> Vec<Violation> {
        self.items
            .into_iter()
            .map(|(level, path, message)| Violation {
                level,
                kind: redact::value(kind),
                namespace: redact::value(namespace),
                name: redact::value(name),
                path,
                message,
            })
            .collect()
    }
}

/// Paths and messages quote the input (field names, values): made safe once, here.
fn safe(text: impl Into<String>) -> String {
    redact::message(&text.into())
}
