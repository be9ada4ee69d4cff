//! Cluster mode: connect as kubectl (`connect`), find resources (`discovery`), server-side apply
//! (`apply`), a proxy's admin through a port-forward (`portforward`), exec and copy into pods
//! (`exec`; `incluster` for `verify --kube`), the set-up's checks (`check`) and `cleanup`.
pub mod apply;
pub mod check;
pub mod cleanup;
pub mod connect;
pub mod discovery;
pub mod exec;
pub mod incluster;
pub mod objects;
pub mod portforward;

use std::time::Duration;

use k8s_openapi::api::core::v1::Pod;

pub use connect::{Cluster, ConnectOptions};

/// How long one cluster command may take before it gives up (every call is bounded).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

/// A single-threaded runtime for one command's cluster calls.
pub fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
}

/// The name that sorts first among `pods` that are Running and not being deleted.
pub fn first_running_pod(pods: Vec<Pod>) -> Option<String> {
    pods.into_iter()
        .filter(|p| {
            p.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Running")
                && p.metadata.deletion_timestamp.is_none()
        })
        .filter_map(|p| p.metadata.name)
        .min()
}

/// An error and its sources as one line, each message once: kube, hyper and std nest errors
/// whose texts repeat their sources' (`… (os error 2): No such file … (os error 2)`).
pub fn flatten_error(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = String::new();
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(error);
    let mut hops = 0;
    while let Some(current) = cause {
        let message = current.to_string();
        if !message.is_empty() && !text.contains(&message) {
            if !text.is_empty() {
                text.push_str(": ");
            }
            text.push_str(&message);
        }
        cause = current.source();
        hops += 1;
        if hops > 32 {
            break;
        }
    }
    text
}

/// Whether an error chain holds a `kube` error that is not the API server's own answer: the
/// server was never reached (refused, TLS, DNS, timeout).
fn is_unreachable(error: &anyhow::Error) -> bool {
    // Library errors box their `kube::Error` sources, so look for both forms.
    error.chain().any(|cause| {
        let kube = cause
            .downcast_ref::<::kube::Error>()
            .or_else(|| cause.downcast_ref::<Box<::kube::Error>>().map(|b| &**b));
        kube.is_some_and(|e| {
            !matches!(
                e,
                ::kube::Error::Api(_) | ::kube::Error::Discovery(_) | ::kube::Error::SerdeError(_)
            )
        })
    })
}

/// Names the context and server in an error that never reached the server, and what to try.
pub fn explain(error: anyhow::Error, target: &Cluster) -> anyhow::Error {
    if is_unreachable(&error) || error.is::<tokio::time::error::Elapsed>() {
        // One line, each cause once (hyper repeats `client error (Connect)`).
        anyhow::anyhow!(
            "cannot reach the Kubernetes API server {} (context {:?}); is the cluster running? (`kubectl --context {} cluster-info`): {}",
            target.server,
            target.context,
            target.context,
            flatten_error(error.as_ref())
        )
    } else {
        error
    }
}

/// One cluster command, as every cluster-mode command runs it: connect as kubectl would, run
/// `work` with the client and the resolved cluster (namespace, context), bounded by
/// `DEFAULT_TIMEOUT`; an error that never reached the server is explained (context, server).
pub fn with_cluster<T, F, Fut>(opts: &ConnectOptions, work: F) -> anyhow::Result<T>
where
    F: FnOnce(::kube::Client, Cluster) -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<T>>,
{
    runtime()?.block_on(async {
        let cluster = connect::resolve(opts).await?;
        let client = cluster.client()?;
        let named = cluster.clone();
        match tokio::time::timeout(DEFAULT_TIMEOUT, work(client, named)).await {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(e)) => Err(explain(e, &cluster)),
            Err(elapsed) => Err(explain(elapsed.into(), &cluster)),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("outer: {0}")]
    struct Outer(#[source] std::io::Error);

    #[test]
    fn flattened_errors_say_each_thing_once() {
        let error = Outer(std::io::Error::other("refused"));
        assert_eq!(flatten_error(&error), "outer: refused");
    }
}
