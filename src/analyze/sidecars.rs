//! Check 10: Sidecars that compete for a workload, as istioctl's IST0110 (two selectors match the
//! same pods) and IST0111 (several selector-less Sidecars in one namespace), with its words.
use std::collections::BTreeMap;

use crate::k8s::labels::{pod_labels, selects};

use super::{Code, Finding, Input, Origin};

pub fn check(input: &Input, findings: &mut Vec<Finding>) {
    let sidecars = input.task.sidecars();
    let mut defaults: BTreeMap<&str, Vec<&Origin>> = BTreeMap::new();
    for (sidecar, origin) in &sidecars {
        let has_selector = sidecar
            .spec
            .workload_selector
            .as_ref()
            .is_some_and(|s| !s.labels.is_empty());
        if !has_selector {
            defaults
                .entry(origin.namespace.as_str())
                .or_default()
                .push(origin);
        }
    }
    for (deployment, dep_origin) in input.task.deployments() {
        let labels = pod_labels(deployment);
        let matching: Vec<&Origin> = sidecars
            .iter()
            .filter(|(s, o)| {
                o.namespace == dep_origin.namespace
                    && s.spec
                        .workload_selector
                        .as_ref()
                        .is_some_and(|sel| selects(&sel.labels, &labels))
            })
            .map(|(_, o)| *o)
            .collect();
        if matching.len() < 2 {
            continue;
        }
        let names: Vec<&str> = matching.iter().map(|o| o.name.as_str()).collect();
        for origin in &matching {
            findings.push(Finding::new(
                Code::ConflictingSidecars,
                origin,
                format!(
                    "The Sidecars [{}] in namespace {:?} select the same workload pod {:?}, which can lead to undefined behavior.",
                    names.join(", "),
                    dep_origin.namespace,
                    dep_origin.name
                ),
            ));
        }
    }
    for (namespace, origins) in defaults.iter().filter(|(_, o)| o.len() > 1) {
        let names: Vec<&str> = origins.iter().map(|o| o.name.as_str()).collect();
        for origin in origins {
            findings.push(Finding::new(
                Code::MultipleDefaultSidecars,
                origin,
                format!(
                    "The Sidecars [{}] in namespace {namespace:?} have no workload selector, which can lead to undefined behavior.",
                    names.join(", ")
                ),
            ));
        }
    }
}
