//! The task's objects from a live cluster, for `analyze` and `describe pod`: Sidecars,
//! PeerAuthentications (the namespace's and the root namespace's), Deployments, Services and
//! Secrets, typed by the same path as files (`task::manifest`), and istiod's install flag.
use ::kube::Client;
use ::kube::api::{Api, ApiResource, DynamicObject, GroupVersionKind, ListParams};
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{Secret, Service};
use serde::Serialize;

use super::check::tls_flag_of;
use crate::task::manifest::Manifest;
use crate::task::read::Document;
use crate::task::{Object, Origin, Task};

/// Why the cluster's objects could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ObjectsError {
    #[error("listing {what} in namespace {namespace}: {source}")]
    List {
        what: &'static str,
        namespace: String,
        source: Box<::kube::Error>,
    },
    #[error("reading deployment/istiod in {namespace}: {source}")]
    Istiod {
        namespace: String,
        source: Box<::kube::Error>,
    },
    #[error("{kind} {namespace}/{name} from the cluster does not read as a {kind}: {message}")]
    Invalid {
        kind: String,
        namespace: String,
        name: String,
        message: String,
    },
}

/// What was read, and what of it could not be used.
pub struct ClusterTask {
    pub task: Task,
    /// Each object as the server sent it, for validation.
    pub documents: Vec<Document>,
    /// Whether istiod runs with ENABLE_TLS_ON_SIDECAR_INGRESS (None: no istiod found).
    pub istiod_flag: Option<bool>,
}

fn object(value: serde_json::Value) -> Result<(Object, Document), ObjectsError> {
    let text = |key: &str| {
        value
            .get("metadata")
            .and_then(|m| m.get(key))
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .to_string()
    };
    let kind = value
        .get("kind")
        .and_then(|k| k.as_str())
        .unwrap_or_default()
        .to_string();
    let origin = Origin {
        kind: kind.clone(),
        namespace: text("namespace"),
        name: text("name"),
        file: None,
        line: None,
    };
    // What istiod owns and what the API server adds say nothing about the task.
    let mut value = value;
    if let Some(meta) = value.get_mut("metadata").and_then(|m| m.as_object_mut()) {
        meta.remove("managedFields");
    }
    let document = Document {
        value: value.clone(),
        origin: origin.clone(),
    };
    let manifest = Manifest::from_value(0, value).map_err(|e| ObjectsError::Invalid {
        kind,
        namespace: origin.namespace.clone(),
        name: origin.name.clone(),
        message: match e {
            crate::task::manifest::ManifestError::Invalid { message, .. } => message,
            other => other.to_string(),
        },
    })?;
    Ok((Object { manifest, origin }, document))
}

async fn typed<K>(
    client: &Client,
    namespace: &str,
    what: &'static str,
) -> Result<Vec<serde_json::Value>, ObjectsError>
where
    K: ::kube::Resource<Scope = k8s_openapi::NamespaceResourceScope>
        + Clone
        + serde::de::DeserializeOwned
        + Serialize
        + std::fmt::Debug,
    <K as ::kube::Resource>::DynamicType: Default,
{
    let api: Api<K> = Api::namespaced(client.clone(), namespace);
    let list = api
        .list(&ListParams::default())
        .await
        .map_err(|source| ObjectsError::List {
            what,
            namespace: namespace.to_string(),
            source: Box::new(source),
        })?;
    Ok(list
        .items
        .iter()
        .filter_map(|item| serde_json::to_value(item).ok())
        .collect())
}

async fn istio(
    client: &Client,
    namespace: &str,
    group: &str,
    kind: &'static str,
    plural: &str,
) -> Result<Vec<serde_json::Value>, ObjectsError> {
    let gvk = GroupVersionKind::gvk(group, "v1", kind);
    let resource = ApiResource::from_gvk_with_plural(&gvk, plural);
    let api: Api<DynamicObject> = Api::namespaced_with(client.clone(), namespace, &resource);
    let list = api
        .list(&ListParams::default())
        .await
        .map_err(|source| ObjectsError::List {
            what: kind,
            namespace: namespace.to_string(),
            source: Box::new(source),
        })?;
    Ok(list
        .items
        .into_iter()
        .filter_map(|mut item| {
            item.types = Some(::kube::api::TypeMeta {
                api_version: format!("{group}/v1"),
                kind: kind.to_string(),
            });
            serde_json::to_value(item).ok()
        })
        .collect())
}

/// Reads `namespace`'s task objects (and the root namespace's PeerAuthentications), oldest
/// first within each kind as the API server lists them, and istiod's flag from `istio_namespace`.
pub async fn read_namespace(
    client: &Client,
    namespace: &str,
    istio_namespace: &str,
) -> Result<ClusterTask, ObjectsError> {
    let mut values = Vec::new();
    values.extend(typed::<Deployment>(client, namespace, "Deployments").await?);
    values.extend(typed::<Service>(client, namespace, "Services").await?);
    values.extend(typed::<Secret>(client, namespace, "Secrets").await?);
    values.extend(
        istio(
            client,
            namespace,
            "networking.istio.io",
            "Sidecar",
            "sidecars",
        )
        .await?,
    );
    let mut policy_namespaces = vec![istio_namespace];
    if namespace != istio_namespace {
        policy_namespaces.insert(0, namespace);
    }
    for ns in policy_namespaces {
        values.extend(
            istio(
                client,
                ns,
                "security.istio.io",
                "PeerAuthentication",
                "peerauthentications",
            )
            .await?,
        );
    }
    let (objects, documents): (Vec<Object>, Vec<Document>) = values
        .into_iter()
        .map(object)
        .collect::<Result<Vec<_>, _>>()?
        .into_iter()
        .unzip();
    let deployments: Api<Deployment> = Api::namespaced(client.clone(), istio_namespace);
    let istiod = deployments
        .get_opt("istiod")
        .await
        .map_err(|source| ObjectsError::Istiod {
            namespace: istio_namespace.to_string(),
            source: Box::new(source),
        })?;
    let istiod_flag = istiod.as_ref().map(|d| tls_flag_of(d).unwrap_or(false));
    let mut task = Task::new(objects);
    task.tls_flag_from_outside = istiod_flag.unwrap_or(false);
    Ok(ClusterTask {
        task,
        documents,
        istiod_flag,
    })
}

/// Reads the namespace's task (the context's namespace when `opts` names none) from the cluster.
pub fn read_cluster(
    opts: &super::ConnectOptions,
    istio_namespace: &str,
) -> anyhow::Result<(ClusterTask, String)> {
    super::with_cluster(opts, |client, cluster| async move {
        let task = read_namespace(&client, &cluster.namespace, istio_namespace).await?;
        Ok((task, cluster.namespace))
    })
}

/// The workload behind a pod: the Deployment whose selector picks the pod's labels, named by
/// that Deployment's pod-template labels (what `Task::select` matches).
pub fn workload_of_pod(
    task: &Task,
    pod_labels: &crate::k8s::labels::Labels,
) -> Option<crate::k8s::labels::Labels> {
    task.deployments().into_iter().find_map(|(deployment, _)| {
        let selector = deployment
            .spec
            .as_ref()?
            .selector
            .match_labels
            .clone()
            .unwrap_or_default();
        crate::k8s::labels::selects(&selector, pod_labels)
            .then(|| crate::k8s::labels::pod_labels(deployment))
    })
}

/// `describe pod NAME[.NS]`: the pod's namespace read as `read_cluster` reads it, and the
/// labels of the workload it belongs to.
pub fn read_pod(
    opts: &super::ConnectOptions,
    pod: &str,
    istio_namespace: &str,
) -> anyhow::Result<(ClusterTask, crate::k8s::labels::Labels)> {
    super::with_cluster(opts, |client, cluster| async move {
        let namespace = cluster.namespace;
        let pods: Api<k8s_openapi::api::core::v1::Pod> =
            Api::namespaced(client.clone(), &namespace);
        let found = pods.get(pod).await?;
        let labels = found.metadata.labels.unwrap_or_default();
        let task = read_namespace(&client, &namespace, istio_namespace).await?;
        let workload = workload_of_pod(&task.task, &labels).ok_or_else(|| {
            anyhow::anyhow!(
                "pod {namespace}/{pod} belongs to no Deployment in the namespace (its labels: {})",
                crate::k8s::labels::selector_text(&labels)
            )
        })?;
        Ok((task, workload))
    })
}
