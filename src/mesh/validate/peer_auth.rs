//! Istio's `ValidatePeerAuthentication`: port-level mTLS and the workload selector.
use super::report::Report;
use crate::mesh::peer_auth::PeerAuthentication;

/// Istio's `ValidatePeerAuthentication`.
pub fn peer_authentication_rules(pa: &PeerAuthentication, report: &mut Report) {
    let spec = &pa.spec;
    let empty_selector = spec
        .selector
        .as_ref()
        .is_none_or(|s| s.match_labels.is_empty());
    let ports = spec.port_level_mtls.as_ref();
    if empty_selector && ports.is_some_and(|p| !p.is_empty()) {
        report.error(
            "spec.portLevelMtls",
            "mesh/namespace peer authentication cannot have port level mTLS",
        );
    }
    if ports.is_some_and(|p| p.is_empty()) {
        report.error(
            "spec.portLevelMtls",
            "port level mTLS, if defined, must have at least one element",
        );
    }
    for port in ports.into_iter().flat_map(|p| p.keys()) {
        if *port == 0 || *port > 65535 {
            report.error(
                format!("spec.portLevelMtls[{port}]"),
                "port must be in range 1..65535",
            );
        }
    }
    if let Some(selector) = &spec.selector {
        for (k, v) in &selector.match_labels {
            let pair = format!("{k}={v}");
            if k.is_empty() {
                report.error(
                    "spec.selector.matchLabels",
                    format!("empty key is not supported in selector: {pair:?}"),
                );
            }
            if k.contains('*') || v.contains('*') {
                report.error(
                    "spec.selector.matchLabels",
                    format!("wildcard is not supported in selector: {pair:?}"),
                );
            }
        }
        if selector.match_labels.is_empty() {
            report.warning(
                "spec.selector",
                "workload selector specified without labels",
            );
        }
    }
}
