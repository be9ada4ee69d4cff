//! The Services in front of a workload: those whose selector picks its pods, and which of their
//! ports send to a given workload port (`targetPort` by number or container-port name).
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{Service, ServicePort};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::select::Selected;
use super::{Origin, Task};
use crate::k8s::labels::selects;

/// One Service port that reaches a workload port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fronting {
    pub service: String,
    pub port: i32,
    /// The Service port's name (`https`), empty when unnamed.
    pub port_name: String,
}

/// The app containers' declared ports (istio-proxy left out): (name, number).
pub fn container_ports(deployment: &Deployment) -> Vec<(Option<String>, u32)> {
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
pub fn target_port(port: &ServicePort, deployment: &Deployment) -> Option<u32> {
    match &port.target_port {
        None => u32::try_from(port.port).ok(),
        Some(IntOrString::Int(n)) => u32::try_from(*n).ok(),
        Some(IntOrString::String(name)) => container_ports(deployment)
            .into_iter()
            .find(|(n, _)| n.as_deref() == Some(name.as_str()))
            .map(|(_, number)| number),
    }
}

impl Task {
    /// The Services (with their origins) whose selector picks `selected`'s pods.
    pub fn services_of(&self, selected: &Selected<'_>) -> Vec<(&Service, &Origin)> {
        self.services()
            .into_iter()
            .filter(|(service, origin)| {
                origin.namespace == selected.workload.namespace
                    && service
                        .spec
                        .as_ref()
                        .and_then(|s| s.selector.as_ref())
                        .is_some_and(|sel| selects(sel, &selected.workload.labels))
            })
            .collect()
    }

    /// The Service ports that send to workload port `number`, in input order.
    pub fn fronting(&self, selected: &Selected<'_>, number: u32) -> Vec<Fronting> {
        self.services_of(selected)
            .into_iter()
            .flat_map(|(service, origin)| {
                service
                    .spec
                    .iter()
                    .flat_map(|s| s.ports.iter().flatten())
                    .filter(|p| target_port(p, selected.workload.deployment) == Some(number))
                    .map(|p| Fronting {
                        service: origin.name.clone(),
                        port: p.port,
                        port_name: p.name.clone().unwrap_or_default(),
                    })
                    .collect::<Vec<_>>()
            })
            .collect()
    }
}
