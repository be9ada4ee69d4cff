//! Checks 2 and 3: each Sidecar ingress port's effective PeerAuthentication mode, as the task
//! model decided it. `tls` needs DISABLE there; a plain port should not be PERMISSIVE.
use crate::mesh::peer_auth::MtlsMode;
use crate::task::decide::{Ignored, TlsGate, explain_mode};

use super::{Code, Finding, Input};

pub fn check(input: &Input, findings: &mut Vec<Finding>) {
    for applied in input.task.applied() {
        let w = &applied.workload;
        for port in input.task.ingress_ports(&applied) {
            if port.listener.port.is_none() {
                continue;
            }
            let named = port.label();
            match &port.tls {
                TlsGate::Terminate(_) => {}
                TlsGate::Ignored { reasons, .. } => {
                    for reason in reasons {
                        // The install flag is check 1's, per Sidecar.
                        if let Ignored::Mode(_) = reason {
                            findings.push(Finding::new(
                                Code::TlsPortNotDisabled,
                                applied.sidecar_origin,
                                format!(
                                    "ingress port {named} has tls, but {}",
                                    reason.explain(w, port.number)
                                ),
                            ));
                        }
                    }
                }
                TlsGate::Absent => match port.mtls.mode {
                    MtlsMode::Strict | MtlsMode::Disable => {}
                    MtlsMode::Permissive | MtlsMode::Unset => findings.push(Finding::new(
                        Code::PermissivePlainPort,
                        applied.sidecar_origin,
                        format!(
                            "ingress port {named} of Deployment {}/{} is {}: it accepts plaintext from outside the mesh; make it STRICT (the page's namespace PeerAuthentication `default` with mtls mode STRICT)",
                            w.namespace,
                            w.name,
                            explain_mode(&port.mtls)
                        ),
                    )),
                },
            }
        }
    }
}
