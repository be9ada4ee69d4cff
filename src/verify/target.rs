//! Where verify's names and logical ports come from: the rendered Sidecar (its TLS and plain
//! ingress ports), the Service in front of them and the Deployment's service account. Pure.
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::checks::{PortPair, Target};
use crate::render::Manifest;

/// Names and ports as the page has them; a starting point before manifests and flags.
pub fn page_target() -> Target {
    Target {
        service: "httpbin".into(),
        namespace: "test".into(),
        cluster_domain: "cluster.local".into(),
        sidecar_name: "ingress-sidecar".into(),
        service_account: "httpbin".into(),
        trust_domain: "cluster.local".into(),
        tls: PortPair {
            service: 8443,
            workload: 9080,
        },
        internal: PortPair {
            service: 8080,
            workload: 9081,
        },
    }
}

/// Fills `target` from the manifests: the Sidecar (named `sidecar_name` if given, else the first),
/// the Service whose targetPorts are its ingress ports, and the Deployment using that Service's
/// selector. Says what is missing rather than guessing.
pub fn from_manifests(
    manifests: &[Manifest],
    sidecar_name: Option<&str>,
    mut target: Target,
) -> Result<Target, String> {
    let sidecar = manifests
        .iter()
        .filter_map(|m| match m {
            Manifest::Sidecar(s) => Some(s),
            _ => None,
        })
        .find(|s| sidecar_name.is_none_or(|n| s.metadata.name.as_deref() == Some(n)))
        .ok_or_else(|| match sidecar_name {
            Some(n) => format!("no Sidecar named {n} in the manifests"),
            None => "no Sidecar in the manifests; render one with `meshtls render sidecar`".into(),
        })?;
    target.sidecar_name = sidecar.metadata.name.clone().unwrap_or_default();
    if let Some(ns) = &sidecar.metadata.namespace {
        target.namespace = ns.clone();
    }
    let port_of = |tls: bool| {
        sidecar
            .spec
            .ingress
            .iter()
            .filter(|l| l.tls.is_some() == tls)
            .find_map(|l| l.port.as_ref())
            .and_then(|p| u16::try_from(p.number).ok())
    };
    let tls_port = port_of(true).ok_or("the Sidecar has no ingress listener with tls")?;
    let http_port = port_of(false).ok_or("the Sidecar has no plain ingress listener")?;
    target.tls.workload = tls_port;
    target.internal.workload = http_port;

    let targets_port =
        |port: &k8s_openapi::api::core::v1::ServicePort, want: u16| match &port.target_port {
            Some(IntOrString::Int(n)) => *n == i32::from(want),
            Some(IntOrString::String(_)) => false,
            None => port.port == i32::from(want),
        };
    let service = manifests.iter().find_map(|m| match m {
        Manifest::Service(s)
            if s.metadata.namespace.as_deref().unwrap_or(&target.namespace) == target.namespace
                && s.spec.as_ref().is_some_and(|spec| {
                    spec.ports
                        .iter()
                        .flatten()
                        .any(|p| targets_port(p, tls_port))
                }) =>
        {
            Some(s)
        }
        _ => None,
    });
    if let Some(service) = service {
        target.service = service.metadata.name.clone().unwrap_or_default();
        let ports = service.spec.iter().flat_map(|s| s.ports.iter().flatten());
        for port in ports {
            let number = u16::try_from(port.port).unwrap_or(0);
            if targets_port(port, tls_port) {
                target.tls.service = number;
            } else if targets_port(port, http_port) {
                target.internal.service = number;
            }
        }
        let selector = service.spec.as_ref().and_then(|s| s.selector.clone());
        let account = manifests.iter().find_map(|m| match m {
            Manifest::Deployment(d)
                if d.metadata.namespace.as_deref() == Some(target.namespace.as_str())
                    && selector.as_ref().is_some_and(|sel| {
                        let labels = d
                            .spec
                            .as_ref()
                            .and_then(|s| s.template.metadata.as_ref())
                            .and_then(|m| m.labels.as_ref());
                        sel.iter()
                            .all(|(k, v)| labels.and_then(|l| l.get(k)) == Some(v))
                    }) =>
            {
                d.spec
                    .as_ref()
                    .and_then(|s| s.template.spec.as_ref())
                    .and_then(|s| s.service_account_name.clone())
            }
            _ => None,
        });
        target.service_account = account.unwrap_or_else(|| target.service.clone());
    }
    Ok(target)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::{Params, What, render};

    #[test]
    fn the_rendered_task_gives_the_page_target() {
        let manifests = render(
            &Params::default(),
            &[What::App, What::Sidecar, What::Sleep],
            None,
        )
        .unwrap();
        let target = from_manifests(&manifests, None, page_target()).unwrap();
        assert_eq!(target, page_target());
    }

    #[test]
    fn other_names_and_ports_follow_the_manifests() {
        let params = Params {
            namespace: "shop".into(),
            app: "store".into(),
            sidecar_name: "edge".into(),
            tls_port: 9443,
            http_port: 9090,
            service_tls_port: 443,
            service_http_port: 80,
            ..Params::default()
        };
        let manifests = render(&params, &[What::App, What::Sidecar], None).unwrap();
        let target = from_manifests(&manifests, None, page_target()).unwrap();
        assert_eq!(target.fqdn(), "store.shop.svc.cluster.local");
        assert_eq!(target.sidecar_name, "edge");
        assert_eq!(target.service_account, "store");
        assert_eq!(
            (target.tls, target.internal),
            (
                PortPair {
                    service: 443,
                    workload: 9443
                },
                PortPair {
                    service: 80,
                    workload: 9090
                }
            )
        );
        assert!(from_manifests(&[], None, page_target()).is_err());
    }
}
