//! Check 6: a Sidecar `workloadSelector` or a PeerAuthentication selector that matches no
//! Deployment's pod labels in its namespace, in istioctl's IST0101 words.
use std::collections::BTreeMap;

use crate::k8s::labels::{pod_labels, selector_text, selects};

use super::{Code, Finding, Input, Origin};

fn check_one(
    selector: &BTreeMap<String, String>,
    origin: &Origin,
    input: &Input,
    findings: &mut Vec<Finding>,
) {
    if selector.is_empty() {
        return;
    }
    let found = input
        .task
        .deployments()
        .into_iter()
        .any(|(d, o)| o.namespace == origin.namespace && selects(selector, &pod_labels(d)));
    if !found {
        findings.push(Finding::new(
            Code::SelectorNotFound,
            origin,
            format!(
                "Referenced selector not found: {:?}",
                selector_text(selector)
            ),
        ));
    }
}

pub fn check(input: &Input, findings: &mut Vec<Finding>) {
    for (sidecar, origin) in input.task.sidecars() {
        if let Some(selector) = &sidecar.spec.workload_selector {
            check_one(&selector.labels, origin, input, findings);
        }
    }
    for (policy, origin) in input.task.policies() {
        if let Some(selector) = &policy.spec.selector {
            check_one(&selector.match_labels, origin, input, findings);
        }
    }
}
