//! A proxy's admin endpoint through a Kubernetes port-forward, as istioctl reads it: find the
//! pod (or a running pod of a Deployment), forward to its admin port, one HTTP/1.1 GET.
use ::kube::api::{Api, ListParams};
use ::kube::{Client, Error as KubeError};
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::Pod;

use crate::configdump::admin::{ExchangeError, Response, get_over};
use crate::configdump::source::{PodKind, PodRef};

/// The largest admin answer kept (a secrets-only dump is a few hundred KiB).
pub const MAX_BODY: usize = 256 << 20;

/// The admin's answer.
pub type AdminResponse = Response;

#[derive(Debug, thiserror::Error)]
pub enum PortForwardError {
    /// istioctl's words: `unable to retrieve Pod: pods "x" not found`.
    #[error("unable to retrieve Pod: {0}")]
    Pod(String),
    #[error("unable to retrieve Deployment: {0}")]
    Deployment(String),
    #[error(
        "no running pod for deployment/{name} in namespace {namespace} (selector {selector}); check `kubectl get pods -n {namespace} -l {selector}`"
    )]
    NoRunningPod {
        name: String,
        namespace: String,
        selector: String,
    },
    #[error("deployment/{name} in namespace {namespace} has no matchLabels selector")]
    NoSelector { name: String, namespace: String },
    #[error("failure running port forward process to {pod}.{namespace}:{port}")]
    Forward {
        pod: String,
        namespace: String,
        port: u16,
        source: Box<KubeError>,
    },
    #[error("the port-forward to {pod}.{namespace}:{port} gave no stream{}", error.as_deref().map(|e| format!(": {e}")).unwrap_or_default())]
    NoStream {
        pod: String,
        namespace: String,
        port: u16,
        error: Option<String>,
    },
    #[error("GET {path} from {pod}.{namespace}:{port} through the port-forward")]
    Http {
        pod: String,
        namespace: String,
        port: u16,
        path: String,
        source: ExchangeError,
    },
    #[error("listing pods in {namespace}")]
    List {
        namespace: String,
        source: Box<KubeError>,
    },
}

fn api_message(error: KubeError) -> Result<String, KubeError> {
    match error {
        KubeError::Api(status) => Ok(status.message),
        other => Err(other),
    }
}

/// The pod a `PodRef` names: itself, or the first running pod of the Deployment (by name).
pub async fn resolve_pod(client: &Client, pod: &PodRef) -> Result<String, PortForwardError> {
    let list_error = |source| PortForwardError::List {
        namespace: pod.namespace.clone(),
        source: Box::new(source),
    };
    match pod.kind {
        PodKind::Pod => {
            let pods: Api<Pod> = Api::namespaced(client.clone(), &pod.namespace);
            pods.get(&pod.name)
                .await
                .map_err(|e| match api_message(e) {
                    Ok(message) => PortForwardError::Pod(message),
                    Err(other) => list_error(other),
                })?;
            Ok(pod.name.clone())
        }
        PodKind::Deployment => {
            let deployments: Api<Deployment> = Api::namespaced(client.clone(), &pod.namespace);
            let deployment =
                deployments
                    .get(&pod.name)
                    .await
                    .map_err(|e| match api_message(e) {
                        Ok(message) => PortForwardError::Deployment(message),
                        Err(other) => list_error(other),
                    })?;
            let labels = deployment
                .spec
                .and_then(|s| s.selector.match_labels)
                .filter(|l| !l.is_empty())
                .ok_or_else(|| PortForwardError::NoSelector {
                    name: pod.name.clone(),
                    namespace: pod.namespace.clone(),
                })?;
            let selector: Vec<String> = labels.iter().map(|(k, v)| format!("{k}={v}")).collect();
            let selector = selector.join(",");
            let pods: Api<Pod> = Api::namespaced(client.clone(), &pod.namespace);
            let list = pods
                .list(&ListParams::default().labels(&selector))
                .await
                .map_err(list_error)?;
            super::first_running_pod(list.items).ok_or_else(|| PortForwardError::NoRunningPod {
                name: pod.name.clone(),
                namespace: pod.namespace.clone(),
                selector,
            })
        }
    }
}

/// `GET path` on `port` of the pod, through a port-forward; the body is bounded by `MAX_BODY`.
pub async fn admin_get(
    client: &Client,
    namespace: &str,
    pod: &str,
    port: u16,
    path: &str,
) -> Result<AdminResponse, PortForwardError> {
    let pods: Api<Pod> = Api::namespaced(client.clone(), namespace);
    let mut forwarder =
        pods.portforward(pod, &[port])
            .await
            .map_err(|e| PortForwardError::Forward {
                pod: pod.to_string(),
                namespace: namespace.to_string(),
                port,
                source: Box::new(e),
            })?;
    let Some(stream) = forwarder.take_stream(port) else {
        return Err(PortForwardError::NoStream {
            pod: pod.to_string(),
            namespace: namespace.to_string(),
            port,
            error: None,
        });
    };
    // No read timeout here: the caller bounds the whole fetch.
    let host = format!("localhost:{port}");
    let answer = get_over(stream, &host, path, MAX_BODY, None).await;
    forwarder.abort();
    answer.map_err(|source| PortForwardError::Http {
        pod: pod.to_string(),
        namespace: namespace.to_string(),
        port,
        path: path.to_string(),
        source,
    })
}
