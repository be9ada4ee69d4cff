//! Checks 2 and 3: each Sidecar ingress port's effective PeerAuthentication mode, by Istio's
//! precedence (`mesh::policy`). `tls` needs DISABLE there; a plain port should not be PERMISSIVE.
use crate::mesh::peer_auth::MtlsMode;
use crate::mesh::policy::{Decision, ROOT_NAMESPACE, effective_mode};

use super::{Code, Finding, Input, selector_text};

fn mode_name(mode: MtlsMode) -> &'static str {
    match mode {
        MtlsMode::Unset => "UNSET",
        MtlsMode::Disable => "DISABLE",
        MtlsMode::Permissive => "PERMISSIVE",
        MtlsMode::Strict => "STRICT",
    }
}

/// `STRICT, set by workload PeerAuthentication test/x` or `PERMISSIVE, as no PeerAuthentication applies`.
pub fn explain(decision: &Decision) -> String {
    match &decision.decided_by {
        Some(by) => format!("{}, set by {by}", mode_name(decision.mode)),
        None => format!(
            "{}, as no PeerAuthentication applies",
            mode_name(decision.mode)
        ),
    }
}

pub fn check(input: &Input, findings: &mut Vec<Finding>) {
    let policies = input.policies_by_age();
    for applied in input.applied() {
        let w = &applied.workload;
        for listener in &applied.sidecar.spec.ingress {
            let Some(port) = &listener.port else { continue };
            let decision = effective_mode(
                &policies,
                &w.namespace,
                &w.labels,
                port.number,
                ROOT_NAMESPACE,
            );
            let number = port.number;
            let named = if port.name.is_empty() {
                number.to_string()
            } else {
                format!("{number} ({})", port.name)
            };
            match (&listener.tls, decision.mode) {
                (Some(_), MtlsMode::Disable) | (None, MtlsMode::Strict | MtlsMode::Disable) => {}
                (Some(_), _) => findings.push(Finding::new(
                    Code::TlsPortNotDisabled,
                    applied.sidecar_origin,
                    format!(
                        "ingress port {named} has tls, but the mTLS mode of Deployment {}/{} on port {number} is {}: Istio builds Istio mTLS there and ignores the tls block; add `portLevelMtls: {{{number}: {{mode: DISABLE}}}}` to a PeerAuthentication that selects {}",
                        w.namespace,
                        w.name,
                        explain(&decision),
                        selector_text(&w.labels)
                    ),
                )),
                (None, _) => findings.push(Finding::new(
                    Code::PermissivePlainPort,
                    applied.sidecar_origin,
                    format!(
                        "ingress port {named} of Deployment {}/{} is {}: it accepts plaintext from outside the mesh; make it STRICT (the page's namespace PeerAuthentication `default` with mtls mode STRICT)",
                        w.namespace,
                        w.name,
                        explain(&decision)
                    ),
                )),
            }
        }
    }
}
