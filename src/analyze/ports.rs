//! Check 7: the Service's `targetPort`s against the Sidecar's ingress ports, and each listener's
//! `defaultEndpoint` port against the app's declared container ports.
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{Service, ServicePort};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::{Applied, Code, Finding, Input, selects};

/// The app containers' declared ports (istio-proxy left out): (name, number).
fn container_ports(deployment: &Deployment) -> Vec<(Option<String>, u32)> {
    deployment
        .spec
        .as_ref()
        .and_then(|s| s.template.spec.as_ref())
        .map(|pod| {
            pod.containers
                .iter()
                .filter(|c| c.name != "istio-proxy")
                .flat_map(|c| c.ports.iter().flatten())
                .filter_map(|p| {
                    u32::try_from(p.container_port)
                        .ok()
                        .map(|n| (p.name.clone(), n))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The workload port a Service port sends to: `targetPort` (a number, or a container port
/// name), defaulting to `port`.
fn target_port(port: &ServicePort, deployment: &Deployment) -> Option<u32> {
    match &port.target_port {
        None => u32::try_from(port.port).ok(),
        Some(IntOrString::Int(n)) => u32::try_from(*n).ok(),
        Some(IntOrString::String(name)) => container_ports(deployment)
            .into_iter()
            .find(|(n, _)| n.as_deref() == Some(name.as_str()))
            .map(|(_, number)| number),
    }
}

/// The Services (with their origins) whose selector picks `applied`'s pods.
pub fn services_of<'a>(
    input: &'a Input,
    applied: &Applied<'_>,
) -> Vec<(&'a Service, &'a super::Origin)> {
    input
        .services()
        .into_iter()
        .filter(|(service, origin)| {
            origin.namespace == applied.workload.namespace
                && service
                    .spec
                    .as_ref()
                    .and_then(|s| s.selector.as_ref())
                    .is_some_and(|sel| selects(sel, &applied.workload.labels))
        })
        .collect()
}

/// The Service ports that send to workload port `number`: (service name, service port).
pub fn fronting(input: &Input, applied: &Applied<'_>, number: u32) -> Vec<(String, i32)> {
    services_of(input, applied)
        .into_iter()
        .flat_map(|(service, origin)| {
            service
                .spec
                .iter()
                .flat_map(|s| s.ports.iter().flatten())
                .filter(|p| target_port(p, applied.workload.deployment) == Some(number))
                .map(|p| (origin.name.clone(), p.port))
                .collect::<Vec<_>>()
        })
        .collect()
}

pub fn check(input: &Input, findings: &mut Vec<Finding>) {
    for applied in input.applied() {
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
        for (service, origin) in services_of(input, &applied) {
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
