//! Where verify's names and logical ports come from: the task model's selected workload, its
//! Sidecar's TLS and plain ingress ports, and the Service in front of them. Pure.
use super::checks::Target;
pub use super::checks::page_target;
use crate::task::Task;
use crate::task::select::Selector;

/// Fills `target` from the task: the workload `selector` picks (as `proxy` picks it), its
/// Sidecar's TLS and plain ingress ports, the Service in front of them and the workload's
/// service account. Says what is missing rather than guessing.
pub fn from_task(task: &Task, selector: &Selector, mut target: Target) -> Result<Target, String> {
    let selected = task.select(selector).map_err(|e| e.to_string())?;
    target.sidecar_name = selected.sidecar_name().to_string();
    target.namespace = selected.workload.namespace.clone();
    target.service_account = selected.workload.service_account.clone();
    let ports = task.ingress_ports(&selected);
    let port_of = |tls: bool| {
        ports
            .iter()
            .find(|p| p.tls.settings().is_some() == tls)
            .and_then(|p| u16::try_from(p.number).ok())
    };
    let tls_port = port_of(true).ok_or("the Sidecar has no ingress listener with tls")?;
    let http_port = port_of(false).ok_or("the Sidecar has no plain ingress listener")?;
    target.tls.workload = tls_port;
    target.internal.workload = http_port;
    if let Some(front) = task.fronting(&selected, u32::from(tls_port)).first() {
        target.service = front.service.clone();
        target.tls.service = u16::try_from(front.port).unwrap_or(0);
        let internal = task
            .fronting(&selected, u32::from(http_port))
            .into_iter()
            .find(|f| f.service == front.service);
        if let Some(internal) = internal {
            target.internal.service = u16::try_from(internal.port).unwrap_or(0);
        }
    }
    Ok(target)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::{Params, What, render};
    use crate::verify::checks::PortPair;

    #[test]
    fn the_rendered_task_gives_the_page_target() {
        let manifests = render(
            &Params::default(),
            &[What::App, What::Sidecar, What::Sleep],
            None,
        )
        .unwrap();
        let target = from_task(
            &Task::from_manifests(manifests),
            &Selector::default(),
            page_target(),
        )
        .unwrap();
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
        let target = from_task(
            &Task::from_manifests(manifests),
            &Selector::default(),
            page_target(),
        )
        .unwrap();
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
        assert!(from_task(&Task::default(), &Selector::default(), page_target()).is_err());
    }
}
