//! Istio's own validation of Sidecar and PeerAuthentication (istio/istio
//! `pkg/config/validation`), with its exact messages, plus the CRD schema check. Pure.
mod peer_auth;
mod report;
pub mod schema;
mod sidecar;
mod tls;

pub use peer_auth::peer_authentication_rules;
pub use report::{Level, Report, Violation};
pub use sidecar::sidecar_rules;
pub use tls::{is_valid_cipher_suite, tls_options};

use super::peer_auth::{KIND as PEER_AUTHENTICATION, PeerAuthentication};
use super::sidecar::{KIND as SIDECAR, Sidecar};

/// Checks one document given as a JSON value: the CRD schema first, then (if the schema
/// passed) Istio's rules on the typed resource. Other kinds give no findings.
pub fn validate_value(value: &serde_json::Value, default_namespace: &str) -> Vec<Violation> {
    let kind = value
        .get("kind")
        .and_then(|k| k.as_str())
        .unwrap_or_default();
    let api_version = value
        .get("apiVersion")
        .and_then(|k| k.as_str())
        .unwrap_or_default();
    let meta = value.get("metadata");
    let field = |key: &str| {
        meta.and_then(|m| m.get(key))
            .and_then(|v| v.as_str())
            .map(str::to_string)
    };
    let name = field("name").unwrap_or_default();
    let namespace = field("namespace").unwrap_or_else(|| default_namespace.to_string());
    let Some(crd_schema) = schema::for_resource(api_version, kind) else {
        if schema::is_istio_kind(kind) && api_version.contains(".istio.io/") {
            let mut report = Report::default();
            report.error(
                "apiVersion",
                format!("no matches for kind {kind:?} in version {api_version:?}"),
            );
            return report.into_findings(kind, &namespace, &name);
        }
        return Vec::new();
    };
    let mut report = Report::default();
    schema::check(crd_schema, value, &mut report);
    // Istio's rules need the typed resource; when the schema already explained why it does not
    // parse, the parse error would only repeat that.
    let schema_failed = report.has_errors();
    let mut parse_error = |e: serde_json::Error| {
        if !schema_failed {
            report.error("spec", e.to_string());
        }
    };
    let pruned = if schema_failed {
        schema::prune(crd_schema, value)
    } else {
        value.clone()
    };
    let mut rules = Report::default();
    match kind {
        SIDECAR => match serde_json::from_value::<Sidecar>(pruned) {
            Ok(sc) => sidecar_rules(&sc, &mut rules),
            Err(e) => parse_error(e),
        },
        PEER_AUTHENTICATION => match serde_json::from_value::<PeerAuthentication>(pruned) {
            Ok(pa) => peer_authentication_rules(&pa, &mut rules),
            Err(e) => parse_error(e),
        },
        _ => {}
    }
    report.items.extend(rules.items);
    report.into_findings(kind, &namespace, &name)
}
