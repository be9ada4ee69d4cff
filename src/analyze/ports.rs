//! Check 7: the Service's `targetPort`s against the Sidecar's ingress ports, and each listener's
//! `defaultEndpoint` port against the app's declared container ports.
use super::{Code, Finding, Input};
use crate::task::services::{container_ports, target_port};

pub fn check(input: &Input, findings: &mut Vec<Finding>) {
    for applied in input.task.applied() {
        let ingress: Vec<u32> = applied
            .sidecar
            .spec
            .ingress
            .iter()
            .filter_map(|l| l.port.as_ref().map(|p| p.number))
            .collect();
        if ingress.is_empty() {
            continue;
        }
        let listed: Vec<String> = ingress.iter().map(u32::to_string).collect();
        let listed = listed.join(", ");
        let deployment = applied.workload.deployment;
        for (service, origin) in input.task.services_of(&applied) {
            for port in service.spec.iter().flat_map(|s| s.ports.iter().flatten()) {
                let Some(target) = target_port(port, deployment) else {
                    continue;
                };
                if ingress.contains(&target) {
                    continue;
                }
                let name = port
                    .name
                    .as_deref()
                    .map_or(String::new(), |n| format!("{n} "));
                findings.push(Finding::new(
                    Code::TargetPortNotIngress,
                    origin,
                    format!(
                        "port {name}({}) targets port {target}, which is not an ingress port of Sidecar {}/{} ({listed}) for Deployment {}/{}: its traffic bypasses the Sidecar's listeners and their tls; set targetPort to an ingress port or add an ingress listener for {target}",
                        port.port,
                        applied.sidecar_origin.namespace,
                        applied.sidecar_origin.name,
                        applied.workload.namespace,
                        applied.workload.name
                    ),
                ));
            }
        }
        let declared: Vec<u32> = container_ports(deployment)
            .into_iter()
            .map(|(_, n)| n)
            .collect();
        if declared.is_empty() {
            continue;
        }
        for listener in &applied.sidecar.spec.ingress {
            let Some(endpoint) = listener.default_endpoint.as_deref() else {
                continue;
            };
            if endpoint.starts_with("unix://") {
                continue;
            }
            let Some(port) = endpoint
                .rsplit_once(':')
                .and_then(|(_, p)| p.parse::<u32>().ok())
            else {
                continue;
            };
            if declared.contains(&port) {
                continue;
            }
            let shown: Vec<String> = declared.iter().map(u32::to_string).collect();
            findings.push(Finding::new(
                Code::EndpointPortNotContainer,
                applied.sidecar_origin,
                format!(
                    "ingress port {} sends to defaultEndpoint {endpoint}, but no container of Deployment {}/{} declares containerPort {port} (declared: {}); point defaultEndpoint at the app's port",
                    listener.port.as_ref().map_or(0, |p| p.number),
                    applied.workload.namespace,
                    applied.workload.name,
                    shown.join(", ")
                ),
            ));
        }
    }
}
