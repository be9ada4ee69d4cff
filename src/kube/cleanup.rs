//! `cleanup`: delete what the task created, and nothing else. An object is deleted only if
//! meshtls applied it (a `managedFields` entry with manager `meshtls`); a namespace only if,
//! besides, nothing that meshtls did not make is left in it.
use std::collections::BTreeSet;
use std::fmt;

use ::kube::Error as KubeError;
use ::kube::api::{Api, DeleteParams, DynamicObject, ListParams, PropagationPolicy};
use serde_json::Value;

use super::apply::FIELD_MANAGER;
use super::discovery::{DiscoveryError, Resolver, Served, TypeKey};

/// One object the task may have created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub key: TypeKey,
    pub namespace: Option<String>,
    pub name: String,
}

impl Item {
    /// From a rendered document (apiVersion, kind, metadata); `None` if a field is missing.
    pub fn from_doc(doc: &Value) -> Option<Item> {
        let text = |p: &str| doc.pointer(p).and_then(Value::as_str).map(str::to_string);
        Some(Item {
            key: TypeKey::new(&text("/apiVersion")?, &text("/kind")?),
            namespace: text("/metadata/namespace"),
            name: text("/metadata/name")?,
        })
    }
}

/// What happened to one item.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(
    tag = "result",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum Outcome {
    Deleted {
        dry_run: bool,
    },
    NotFound,
    /// Someone else made it: left alone. The managers found, for the message.
    NotOurs {
        managers: Vec<String>,
    },
    /// A namespace meshtls made, kept because it holds objects meshtls did not make.
    KeptNamespace {
        foreign: Vec<String>,
    },
}

/// One line of the report.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Report {
    /// `secret/httpbin-mtls-termination -n test`
    pub object: String,
    #[serde(flatten)]
    pub outcome: Outcome,
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ", self.object)?;
        match &self.outcome {
            Outcome::Deleted { dry_run: false } => f.write_str("deleted"),
            Outcome::Deleted { dry_run: true } => f.write_str("deleted (server dry run)"),
            Outcome::NotFound => f.write_str("not found"),
            Outcome::NotOurs { managers } if managers.is_empty() => {
                f.write_str("skipped: not applied by meshtls (no field managers recorded)")
            }
            Outcome::NotOurs { managers } => write!(
                f,
                "skipped: not applied by meshtls (managed by {})",
                managers.join(", ")
            ),
            Outcome::KeptNamespace { foreign } => write!(
                f,
                "kept: it holds objects meshtls did not make ({})",
                foreign.join(", ")
            ),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum CleanupError {
    #[error(transparent)]
    Discovery(#[from] DiscoveryError),
    #[error("{action} {object}")]
    Api {
        action: &'static str,
        object: String,
        source: Box<KubeError>,
    },
}

/// The field managers of an object.
pub fn managers(object: &DynamicObject) -> Vec<String> {
    let mut names: Vec<String> = object
        .metadata
        .managed_fields
        .iter()
        .flatten()
        .filter_map(|m| m.manager.clone())
        .collect();
    names.sort();
    names.dedup();
    names
}

/// meshtls's rule: it applied the object.
pub fn is_ours(object: &DynamicObject) -> bool {
    managers(object).iter().any(|m| m == FIELD_MANAGER)
}

/// Objects Kubernetes or Istio make in every namespace; they do not keep a namespace alive.
fn is_system_made(kind: &str, object: &DynamicObject) -> bool {
    let name = object.metadata.name.as_deref().unwrap_or_default();
    let owned = object
        .metadata
        .owner_references
        .as_ref()
        .is_some_and(|o| !o.is_empty());
    match kind {
        "ServiceAccount" => name == "default",
        "ConfigMap" => matches!(name, "kube-root-ca.crt" | "istio-ca-root-cert"),
        "Secret" => {
            object.data.get("type").and_then(Value::as_str)
                == Some("kubernetes.io/service-account-token")
        }
        _ => owned,
    }
}

/// Kinds looked at before a namespace is deleted.
const NAMESPACE_CONTENTS: [(&str, &str); 10] = [
    ("v1", "Secret"),
    ("v1", "Service"),
    ("v1", "ServiceAccount"),
    ("v1", "ConfigMap"),
    ("v1", "Pod"),
    ("apps/v1", "Deployment"),
    ("apps/v1", "StatefulSet"),
    ("apps/v1", "DaemonSet"),
    ("networking.istio.io/v1", "Sidecar"),
    ("security.istio.io/v1", "PeerAuthentication"),
];

fn describe(served: &Served, item: &Item) -> String {
    match &item.namespace {
        Some(ns) if served.namespaced => format!("{}/{} -n {ns}", served.kubectl_name(), item.name),
        _ => format!("{}/{}", served.kubectl_name(), item.name),
    }
}

fn api_for(resolver: &Resolver, served: &Served, namespace: Option<&str>) -> Api<DynamicObject> {
    match namespace {
        Some(ns) if served.namespaced => {
            Api::namespaced_with(resolver.client().clone(), ns, &served.resource)
        }
        _ => Api::all_with(resolver.client().clone(), &served.resource),
    }
}

/// Deletes the items meshtls applied, namespaces last; `on_report` sees each line as it happens.
/// Kinds the cluster does not serve (Istio not installed) cannot hold anything: not found.
pub async fn cleanup(
    resolver: &mut Resolver,
    items: &[Item],
    dry_run: bool,
    on_report: &mut dyn FnMut(&Report),
) -> Result<Vec<Report>, CleanupError> {
    let params = DeleteParams {
        dry_run,
        propagation_policy: Some(PropagationPolicy::Background),
        ..DeleteParams::default()
    };
    let (namespaces, objects): (Vec<&Item>, Vec<&Item>) =
        items.iter().partition(|i| i.key.kind == "Namespace");
    let mut reports = Vec::new();
    let mut gone: BTreeSet<(String, String, String)> = BTreeSet::new();
    let mut push = |report: Report, reports: &mut Vec<Report>| {
        on_report(&report);
        reports.push(report);
    };
    for item in objects.into_iter().chain(namespaces) {
        let served = match resolver.resolve(&item.key).await {
            Ok(served) => served,
            Err(DiscoveryError::IstioMissing { .. } | DiscoveryError::NotServed { .. }) => {
                let object = format!("{}/{}", item.key.kind.to_ascii_lowercase(), item.name);
                push(
                    Report {
                        object,
                        outcome: Outcome::NotFound,
                    },
                    &mut reports,
                );
                continue;
            }
            Err(e) => return Err(e.into()),
        };
        let object = describe(&served, item);
        let api = api_for(resolver, &served, item.namespace.as_deref());
        let api_error = |action, source| CleanupError::Api {
            action,
            object: object.clone(),
            source: Box::new(source),
        };
        let found = match api.get_opt(&item.name).await {
            Ok(found) => found,
            Err(e) => return Err(api_error("reading", e)),
        };
        let Some(found) = found else {
            push(
                Report {
                    object,
                    outcome: Outcome::NotFound,
                },
                &mut reports,
            );
            continue;
        };
        if !is_ours(&found) {
            push(
                Report {
                    object,
                    outcome: Outcome::NotOurs {
                        managers: managers(&found),
                    },
                },
                &mut reports,
            );
            continue;
        }
        if item.key.kind == "Namespace" {
            let foreign = foreign_objects(resolver, &item.name, &gone).await?;
            if !foreign.is_empty() {
                push(
                    Report {
                        object,
                        outcome: Outcome::KeptNamespace { foreign },
                    },
                    &mut reports,
                );
                continue;
            }
        }
        match api.delete(&item.name, &params).await {
            Ok(_) => {}
            Err(KubeError::Api(status)) if status.code == 404 => {}
            Err(e) => return Err(api_error("deleting", e)),
        }
        gone.insert((
            item.key.kind.clone(),
            item.namespace.clone().unwrap_or_default(),
            item.name.clone(),
        ));
        push(
            Report {
                object,
                outcome: Outcome::Deleted { dry_run },
            },
            &mut reports,
        );
    }
    Ok(reports)
}

/// Objects in `namespace` that meshtls did not make (and this run has not deleted).
async fn foreign_objects(
    resolver: &mut Resolver,
    namespace: &str,
    gone: &BTreeSet<(String, String, String)>,
) -> Result<Vec<String>, CleanupError> {
    let mut foreign = Vec::new();
    for (api_version, kind) in NAMESPACE_CONTENTS {
        let served = match resolver.resolve(&TypeKey::new(api_version, kind)).await {
            Ok(served) => served,
            Err(DiscoveryError::IstioMissing { .. } | DiscoveryError::NotServed { .. }) => continue,
            Err(e) => return Err(e.into()),
        };
        let api = api_for(resolver, &served, Some(namespace));
        let list = api
            .list(&ListParams::default())
            .await
            .map_err(|e| CleanupError::Api {
                action: "listing",
                object: format!("{} in namespace {namespace}", served.resource.plural),
                source: Box::new(e),
            })?;
        for object in list.items {
            let name = object.metadata.name.clone().unwrap_or_default();
            let key = (kind.to_string(), namespace.to_string(), name.clone());
            if is_ours(&object) || is_system_made(kind, &object) || gone.contains(&key) {
                continue;
            }
            foreign.push(format!("{}/{name}", served.kubectl_name()));
        }
    }
    Ok(foreign)
}
