//! Check 8: what `meshtls validate` finds in each document as written (Istio's rules and the CRD
//! schemas), and documents of a known kind that cannot be read as that kind.
use crate::mesh::validate::{self, validate_value};
use crate::task::read::Input as ReadInput;

use super::{Code, Finding};

/// The findings of check 8, in input order. `namespace` is `-n`.
pub fn check(read: &ReadInput, namespace: &str) -> Vec<Finding> {
    let mut findings = Vec::new();
    for document in &read.documents {
        let origin = &document.origin;
        let validation = validate_value(&document.value, namespace);
        let rejected = validation.iter().any(|f| f.level == validate::Level::Error);
        for f in validation {
            let code = match f.level {
                validate::Level::Error => Code::ValidationError,
                validate::Level::Warning | validate::Level::Info => Code::ValidationWarning,
            };
            findings.push(Finding::new(
                code,
                origin,
                format!("{}: {}", f.path, f.message),
            ));
        }
        // Validation already said why an Istio resource does not parse.
        if rejected {
            continue;
        }
        for failed in read.rejected.iter().filter(|r| &r.origin == origin) {
            findings.push(Finding::new(
                Code::ValidationError,
                origin,
                failed.message.clone(),
            ));
        }
    }
    findings
}
