//! Which workload and which Sidecar: Deployments are matched by their pod labels against a
//! Sidecar's `workloadSelector` (or `--workload`), as istiod matches proxies.
use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::Deployment;

use super::sidecar::Sidecar;

/// Why no single workload could be chosen.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SelectError {
    #[error(
        "no Deployment in the input has pod labels {0}: check --workload or the Sidecar's workloadSelector"
    )]
    NoWorkload(String),
    #[error(
        "{count} Deployments match {selector}: {candidates}; pass --workload with more labels, e.g. --workload {hint}"
    )]
    Ambiguous {
        count: usize,
        selector: String,
        candidates: String,
        hint: String,
    },
    #[error(
        "no Sidecar in the input selects a Deployment: add a Sidecar with a workloadSelector, or pass --workload"
    )]
    NoSidecarWorkload,
    #[error(
        "no Sidecar in namespace {namespace} applies to Deployment {name}: the proxy has no ingress listeners to serve"
    )]
    NoSidecar { namespace: String, name: String },
}

/// A workload: the Deployment and its pod template's labels.
#[derive(Debug, Clone)]
pub struct Workload<'a> {
    pub deployment: &'a Deployment,
    pub namespace: String,
    pub name: String,
    pub labels: BTreeMap<String, String>,
}

pub fn pod_labels(deployment: &Deployment) -> BTreeMap<String, String> {
    deployment
        .spec
        .as_ref()
        .and_then(|s| s.template.metadata.as_ref())
        .and_then(|m| m.labels.clone())
        .unwrap_or_default()
}

fn namespace(meta_namespace: Option<&String>) -> String {
    meta_namespace
        .cloned()
        .unwrap_or_else(|| "default".to_string())
}

pub fn selector_text(labels: &BTreeMap<String, String>) -> String {
    labels
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(",")
}

pub fn matches(selector: &BTreeMap<String, String>, labels: &BTreeMap<String, String>) -> bool {
    selector.iter().all(|(k, v)| labels.get(k) == Some(v))
}

/// Parses `app=httpbin,version=v1`.
pub fn parse_selector(text: &str) -> Result<BTreeMap<String, String>, String> {
    text.split(',')
        .filter(|p| !p.trim().is_empty())
        .map(|pair| {
            pair.split_once('=')
                .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
                .filter(|(k, _)| !k.is_empty())
                .ok_or_else(|| format!("--workload {text:?}: expected KEY=VALUE[,KEY=VALUE…]"))
        })
        .collect()
}

/// The workload to serve: the Deployment `selector` picks, or else the one a Sidecar selects.
pub fn choose_workload<'a>(
    deployments: &[&'a Deployment],
    sidecars: &[&Sidecar],
    selector: Option<&BTreeMap<String, String>>,
) -> Result<Workload<'a>, SelectError> {
    let all: Vec<Workload<'a>> = deployments
        .iter()
        .map(|d| Workload {
            deployment: d,
            namespace: namespace(d.metadata.namespace.as_ref()),
            name: d.metadata.name.clone().unwrap_or_default(),
            labels: pod_labels(d),
        })
        .collect();
    let (candidates, wanted): (Vec<Workload<'a>>, String) = match selector {
        Some(selector) => (
            all.into_iter()
                .filter(|w| matches(selector, &w.labels))
                .collect(),
            selector_text(selector),
        ),
        None => {
            let selected: Vec<Workload<'a>> = all
                .into_iter()
                .filter(|w| {
                    sidecars.iter().any(|s| {
                        namespace(s.metadata.namespace.as_ref()) == w.namespace
                            && s.spec.workload_selector.as_ref().is_some_and(|sel| {
                                !sel.labels.is_empty() && matches(&sel.labels, &w.labels)
                            })
                    })
                })
                .collect();
            if selected.is_empty() {
                return Err(SelectError::NoSidecarWorkload);
            }
            (selected, "a Sidecar's workloadSelector".to_string())
        }
    };
    match candidates.len() {
        0 => Err(SelectError::NoWorkload(wanted)),
        1 => Ok(candidates
            .into_iter()
            .next()
            .ok_or(SelectError::NoSidecarWorkload)?),
        count => Err(SelectError::Ambiguous {
            count,
            selector: wanted,
            candidates: candidates
                .iter()
                .map(|w| format!("{}/{} ({})", w.namespace, w.name, selector_text(&w.labels)))
                .collect::<Vec<_>>()
                .join(", "),
            hint: selector_text(&candidates[0].labels),
        }),
    }
}

/// The Sidecar that applies to `workload`: one whose selector matches it (the oldest, as istiod
/// picks), else the namespace's selector-less default.
pub fn sidecar_for<'s>(
    sidecars: &[&'s Sidecar],
    workload: &Workload<'_>,
) -> Result<&'s Sidecar, SelectError> {
    let in_namespace = || {
        sidecars
            .iter()
            .copied()
            .filter(|s| namespace(s.metadata.namespace.as_ref()) == workload.namespace)
    };
    let selecting = in_namespace().find(|s| {
        s.spec
            .workload_selector
            .as_ref()
            .is_some_and(|sel| !sel.labels.is_empty() && matches(&sel.labels, &workload.labels))
    });
    let default = in_namespace().find(|s| {
        s.spec
            .workload_selector
            .as_ref()
            .is_none_or(|sel| sel.labels.is_empty())
    });
    selecting.or(default).ok_or_else(|| SelectError::NoSidecar {
        namespace: workload.namespace.clone(),
        name: workload.name.clone(),
    })
}
