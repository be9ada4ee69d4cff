//! Which workload and which Sidecar, as istiod matches proxies: Deployments by their pod labels
//! against a Sidecar's `workloadSelector` (or `--workload`), then the Sidecar that applies to it.
//! Every command that needs "the workload" asks `Task::select`; analyze walks `Task::applied`.
use k8s_openapi::api::apps::v1::Deployment;

use super::{Origin, Task};
use crate::k8s::labels::{Labels, matches, pod_labels, selector_text, selects};
use crate::mesh::sidecar::Sidecar;

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
    #[error("no Deployment in the input is served by a Sidecar named {0}: check --sidecar-name")]
    NoNamedSidecar(String),
    #[error(
        "no Sidecar in namespace {namespace} applies to Deployment {name}: the proxy has no ingress listeners to serve"
    )]
    NoSidecar { namespace: String, name: String },
}

/// What picks the workload: `--workload` labels, or a Sidecar's name; with neither, the one
/// Deployment that a Sidecar's workloadSelector selects.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selector {
    pub workload: Option<Labels>,
    pub sidecar: Option<String>,
}

/// A workload: the Deployment, where it was read, its pod labels and service account.
#[derive(Debug, Clone)]
pub struct Workload<'t> {
    pub deployment: &'t Deployment,
    pub origin: &'t Origin,
    pub namespace: String,
    pub name: String,
    pub labels: Labels,
    /// The pod's service account: its mesh identity (Kubernetes' `default` when unset).
    pub service_account: String,
}

impl<'t> Workload<'t> {
    fn of(deployment: &'t Deployment, origin: &'t Origin) -> Workload<'t> {
        Workload {
            deployment,
            origin,
            namespace: origin.namespace.clone(),
            name: origin.name.clone(),
            labels: pod_labels(deployment),
            service_account: deployment
                .spec
                .as_ref()
                .and_then(|s| s.template.spec.as_ref())
                .and_then(|p| p.service_account_name.clone())
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| "default".to_string()),
        }
    }
}

/// A workload and the Sidecar that applies to it.
#[derive(Debug, Clone)]
pub struct Selected<'t> {
    pub workload: Workload<'t>,
    pub sidecar: &'t Sidecar,
    pub sidecar_origin: &'t Origin,
}

impl Selected<'_> {
    pub fn sidecar_name(&self) -> &str {
        &self.sidecar_origin.name
    }
}

impl Task {
    fn workloads(&self) -> Vec<Workload<'_>> {
        self.deployments()
            .into_iter()
            .map(|(d, origin)| Workload::of(d, origin))
            .collect()
    }

    /// The Sidecar that applies to `workload`: one in its namespace whose selector matches it
    /// (the oldest, as istiod picks), else the namespace's selector-less default.
    pub fn sidecar_for(&self, workload: &Workload<'_>) -> Option<(&Sidecar, &Origin)> {
        let in_namespace: Vec<(&Sidecar, &Origin)> = self
            .sidecars()
            .into_iter()
            .filter(|(_, origin)| origin.namespace == workload.namespace)
            .collect();
        let selector = |s: &Sidecar| s.spec.workload_selector.as_ref().map(|w| w.labels.clone());
        let selecting = in_namespace
            .iter()
            .find(|(s, _)| selector(s).is_some_and(|sel| selects(&sel, &workload.labels)));
        let default = in_namespace
            .iter()
            .find(|(s, _)| selector(s).is_none_or(|sel| sel.is_empty()));
        selecting.or(default).copied()
    }

    /// Every Deployment with the Sidecar that applies to it (those without one are left out).
    pub fn applied(&self) -> Vec<Selected<'_>> {
        self.workloads()
            .into_iter()
            .filter_map(|workload| {
                let (sidecar, sidecar_origin) = self.sidecar_for(&workload)?;
                Some(Selected {
                    workload,
                    sidecar,
                    sidecar_origin,
                })
            })
            .collect()
    }

    /// The one workload `selector` picks, and its Sidecar.
    pub fn select(&self, selector: &Selector) -> Result<Selected<'_>, SelectError> {
        let all = self.workloads();
        let (candidates, wanted): (Vec<Workload<'_>>, String) =
            match (&selector.workload, &selector.sidecar) {
                (Some(labels), _) => (
                    all.into_iter()
                        .filter(|w| matches(labels, &w.labels))
                        .collect(),
                    selector_text(labels),
                ),
                (None, Some(name)) => {
                    let named: Vec<Workload<'_>> = all
                        .into_iter()
                        .filter(|w| {
                            self.sidecar_for(w)
                                .is_some_and(|(_, origin)| &origin.name == name)
                        })
                        .collect();
                    if named.is_empty() {
                        return Err(SelectError::NoNamedSidecar(name.clone()));
                    }
                    (named, format!("Sidecar {name}"))
                }
                (None, None) => {
                    let sidecars = self.sidecars();
                    let selected: Vec<Workload<'_>> = all
                        .into_iter()
                        .filter(|w| {
                            sidecars.iter().any(|(s, origin)| {
                                origin.namespace == w.namespace
                                    && s.spec
                                        .workload_selector
                                        .as_ref()
                                        .is_some_and(|sel| selects(&sel.labels, &w.labels))
                            })
                        })
                        .collect();
                    if selected.is_empty() {
                        return Err(SelectError::NoSidecarWorkload);
                    }
                    (selected, "a Sidecar's workloadSelector".to_string())
                }
            };
        let workload = match candidates.len() {
            0 => return Err(SelectError::NoWorkload(wanted)),
            1 => candidates
                .into_iter()
                .next()
                .ok_or(SelectError::NoSidecarWorkload)?,
            count => {
                return Err(SelectError::Ambiguous {
                    count,
                    selector: wanted,
                    candidates: candidates
                        .iter()
                        .map(|w| {
                            format!("{}/{} ({})", w.namespace, w.name, selector_text(&w.labels))
                        })
                        .collect::<Vec<_>>()
                        .join(", "),
                    hint: selector_text(&candidates[0].labels),
                });
            }
        };
        let (sidecar, sidecar_origin) =
            self.sidecar_for(&workload)
                .ok_or_else(|| SelectError::NoSidecar {
                    namespace: workload.namespace.clone(),
                    name: workload.name.clone(),
                })?;
        Ok(Selected {
            workload,
            sidecar,
            sidecar_origin,
        })
    }
}
