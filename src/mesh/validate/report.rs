//! The findings of validation: one resource's `Report` while its rules run, then `Finding`s
//! tagged with its kind and name. Shared by the CRD schema check and Istio's rules.
use std::fmt;

use serde::Serialize;

use crate::redact;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum Level {
    Error,
    Warning,
}

/// One problem in one resource, at one field path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub level: Level,
    pub kind: String,
    pub namespace: String,
    pub name: String,
    pub path: String,
    pub message: String,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let level = match self.level {
            Level::Error => "Error",
            Level::Warning => "Warning",
        };
        write!(
            f,
            "{level} ({} {}/{}) {}: {}",
            self.kind, self.namespace, self.name, self.path, self.message
        )
    }
}

/// Findings of one resource before they are tagged with its kind and name.
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

    pub fn into_findings(self, kind: &str, namespace: &str, name: &str) -> Vec<Finding> {
        self.items
            .into_iter()
            .map(|(level, path, message)| Finding {
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
