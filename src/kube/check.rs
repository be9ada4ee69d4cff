//! `check`'s rules, pure: given istiod's Deployment, the app's Namespace and its pods (as read
//! from the cluster), say what is right and, for what is not, how to fix it.
use std::collections::BTreeMap;
use std::fmt;

use ::kube::Client;
use ::kube::api::{Api, ListParams};
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{Container, Namespace, Pod, VolumeMount};

use crate::k8s::app::{USER_VOLUME, USER_VOLUME_MOUNT};
use crate::mesh::go::parse_bool;
use crate::mesh::install::TLS_FLAG;

/// What `check` read from the cluster (`None`: not found).
#[derive(Debug, Clone, Default)]
pub struct CheckInput {
    pub istio_namespace: String,
    pub istiod: Option<Deployment>,
    pub namespace_name: String,
    pub namespace: Option<Namespace>,
    pub app: String,
    pub pods: Vec<Pod>,
}

/// One requirement of the set-up, and whether the cluster meets it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Requirement {
    pub ok: bool,
    pub message: String,
    /// What to run or change; set when `ok` is false.
    pub fix: Option<String>,
}

impl Requirement {
    fn pass(message: impl Into<String>) -> Requirement {
        Requirement {
            ok: true,
            message: message.into(),
            fix: None,
        }
    }

    fn fail(message: impl Into<String>, fix: impl Into<String>) -> Requirement {
        Requirement {
            ok: false,
            message: message.into(),
            fix: Some(fix.into()),
        }
    }
}

impl fmt::Display for Requirement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.ok {
            write!(f, "✔ {}", self.message)
        } else {
            write!(f, "✘ {}", self.message)?;
            if let Some(fix) = &self.fix {
                write!(f, "\n    fix: {fix}")?;
            }
            Ok(())
        }
    }
}

/// The istio-proxy container: a classic sidecar, or a native one (an init container).
fn istio_proxy(pod: &Pod) -> Option<&Container> {
    let spec = pod.spec.as_ref()?;
    spec.containers
        .iter()
        .chain(spec.init_containers.iter().flatten())
        .find(|c| c.name == "istio-proxy")
}

/// The value of istiod's ENABLE_TLS_ON_SIDECAR_INGRESS, as set in its Deployment.
fn flag_value(istiod: &Deployment) -> Option<String> {
    let spec = istiod.spec.as_ref()?.template.spec.as_ref()?;
    spec.containers
        .iter()
        .filter(|c| c.name == "discovery" || spec.containers.len() == 1)
        .flat_map(|c| c.env.iter().flatten())
        .find(|e| e.name == TLS_FLAG)
        .map(|e| e.value.clone().unwrap_or_default())
}

/// Whether istiod's Deployment turns the flag on, read as istiod reads it (Go's ParseBool);
/// None when it does not set it.
pub fn tls_flag_of(istiod: &Deployment) -> Option<bool> {
    flag_value(istiod).map(|v| parse_bool(&v) == Some(true))
}

/// Every check, in the order the task sets things up.
pub fn evaluate(input: &CheckInput) -> Vec<Requirement> {
    let mut out = Vec::new();
    let istio_ns = &input.istio_namespace;
    match &input.istiod {
        None => out.push(Requirement::fail(
            format!("istiod is not deployed in namespace {istio_ns}"),
            format!(
                "install Istio: `meshtls render install | istioctl install -y -f -` (or pass -i if istiod runs elsewhere than {istio_ns})"
            ),
        )),
        Some(istiod) => match flag_value(istiod) {
            Some(v) if parse_bool(&v) == Some(true) => out.push(Requirement::pass(format!(
                "istiod ({istio_ns}) has {TLS_FLAG}=true"
            ))),
            other => out.push(Requirement::fail(
                match other {
                    Some(v) => format!("istiod ({istio_ns}) has {TLS_FLAG}={v:?}: Istio ignores tls on Sidecar ingress listeners"),
                    None => format!("istiod ({istio_ns}) does not set {TLS_FLAG}: Istio ignores tls on Sidecar ingress listeners"),
                },
                format!(
                    "`istioctl install --set values.pilot.env.{TLS_FLAG}=true` (or `meshtls render install | istioctl install -y -f -`)"
                ),
            )),
        },
    }

    let ns = &input.namespace_name;
    match &input.namespace {
        None => out.push(Requirement::fail(
            format!("namespace {ns} does not exist"),
            format!("`meshtls render namespace -n {ns} | meshtls apply -f -`"),
        )),
        Some(namespace) => {
            let labels = namespace.metadata.labels.clone().unwrap_or_default();
            let injection = labels.get("istio-injection").map(String::as_str);
            if injection == Some("enabled") {
                out.push(Requirement::pass(format!(
                    "namespace {ns} has istio-injection=enabled"
                )));
            } else if let Some(rev) = labels
                .get("istio.io/rev")
                .filter(|_| injection != Some("disabled"))
            {
                out.push(Requirement::pass(format!(
                    "namespace {ns} has injection by revision (istio.io/rev={rev})"
                )));
            } else {
                out.push(Requirement::fail(
                    format!("namespace {ns} does not have istio-injection=enabled"),
                    format!(
                        "`kubectl label namespace {ns} istio-injection=enabled --overwrite`, then `kubectl rollout restart deployment -n {ns}`"
                    ),
                ));
            }
        }
    }

    let app = &input.app;
    let restart = format!("`kubectl rollout restart deployment/{app} -n {ns}`");
    if input.pods.is_empty() {
        out.push(Requirement::fail(
            format!("no pod with app={app} in namespace {ns}"),
            format!("deploy it: `meshtls render app -n {ns} --app {app} | meshtls apply -f -`"),
        ));
        return out;
    }
    for pod in &input.pods {
        let name = pod.metadata.name.as_deref().unwrap_or("(unnamed)");
        let Some(proxy) = istio_proxy(pod) else {
            out.push(Requirement::fail(
                format!("pod {name} has no istio-proxy container: it was not injected"),
                format!("enable injection on namespace {ns}, then {restart}"),
            ));
            continue;
        };
        out.push(Requirement::pass(format!(
            "pod {name} has an istio-proxy container"
        )));
        out.extend(user_volumes(pod, name, proxy, &restart));
    }
    out
}

/// The userVolume/userVolumeMount annotations, and whether the proxy really mounts them.
fn user_volumes(pod: &Pod, name: &str, proxy: &Container, restart: &str) -> Vec<Requirement> {
    let annotations = pod.metadata.annotations.clone().unwrap_or_default();
    let reapply =
        format!("re-apply the app (`meshtls render app | meshtls apply -f -`), then {restart}");
    let Some(mounts_text) = annotations.get(USER_VOLUME_MOUNT) else {
        return vec![Requirement::fail(
            format!(
                "pod {name} has no {USER_VOLUME_MOUNT} annotation: the proxy cannot read the TLS certificates"
            ),
            reapply,
        )];
    };
    let wanted: BTreeMap<String, VolumeMount> =
        match serde_json::from_str::<BTreeMap<String, serde_json::Value>>(mounts_text) {
            Ok(map) => map
                .into_iter()
                .map(|(volume, v)| {
                    let path = v
                        .get("mountPath")
                        .and_then(serde_json::Value::as_str)
                        .unwrap_or_default()
                        .to_string();
                    (
                        volume.clone(),
                        VolumeMount {
                            name: volume,
                            mount_path: path,
                            ..VolumeMount::default()
                        },
                    )
                })
                .collect(),
            Err(e) => {
                return vec![Requirement::fail(
                    format!("pod {name}: {USER_VOLUME_MOUNT} is not a JSON map: {e}"),
                    reapply,
                )];
            }
        };
    let volumes: Vec<&str> = pod
        .spec
        .as_ref()
        .and_then(|s| s.volumes.as_ref())
        .map(|v| v.iter().map(|v| v.name.as_str()).collect())
        .unwrap_or_default();
    let mounted = proxy.volume_mounts.clone().unwrap_or_default();
    let mut out = Vec::new();
    let mut missing = Vec::new();
    for (volume, mount) in &wanted {
        let has_volume = volumes.contains(&volume.as_str());
        let has_mount = mounted.iter().any(|m| {
            m.name == *volume
                && m.mount_path.trim_end_matches('/') == mount.mount_path.trim_end_matches('/')
        });
        if !(has_volume && has_mount) {
            missing.push(format!(
                "{volume} at {}{}",
                mount.mount_path,
                if has_volume {
                    ""
                } else {
                    " (no such pod volume)"
                }
            ));
        }
    }
    if !annotations.contains_key(USER_VOLUME) {
        out.push(Requirement::fail(
            format!("pod {name} has no {USER_VOLUME} annotation"),
            reapply.clone(),
        ));
    }
    if missing.is_empty() {
        let list: Vec<String> = wanted
            .iter()
            .map(|(v, m)| format!("{v} at {}", m.mount_path))
            .collect();
        out.push(Requirement::pass(format!(
            "pod {name}: istio-proxy mounts {}",
            list.join(", ")
        )));
    } else {
        out.push(Requirement::fail(
            format!(
                "pod {name}: istio-proxy does not mount {}",
                missing.join(", ")
            ),
            format!("the pod predates the annotations or injection: {restart}"),
        ));
    }
    out
}

/// Reads what `check` judges: istiod, the app's Namespace and its pods (by `app=` label).
pub fn read_setup(
    opts: &super::ConnectOptions,
    istio_namespace: String,
    namespace: &str,
    app: &str,
) -> anyhow::Result<CheckInput> {
    super::with_cluster(opts, |client, _| async move {
        read(&client, istio_namespace, namespace, app).await
    })
}

async fn read(
    client: &Client,
    istio_namespace: String,
    namespace: &str,
    app: &str,
) -> anyhow::Result<CheckInput> {
    use anyhow::Context;
    let deployments: Api<Deployment> = Api::namespaced(client.clone(), &istio_namespace);
    let istiod = deployments
        .get_opt("istiod")
        .await
        .with_context(|| format!("reading deployment/istiod in {istio_namespace}"))?;
    let namespaces: Api<Namespace> = Api::all(client.clone());
    let ns = namespaces
        .get_opt(namespace)
        .await
        .with_context(|| format!("reading namespace {namespace}"))?;
    let pods: Api<Pod> = Api::namespaced(client.clone(), namespace);
    let mut list = pods
        .list(&ListParams::default().labels(&format!("app={app}")))
        .await
        .with_context(|| format!("listing pods with app={app} in {namespace}"))?
        .items;
    list.sort_by(|a, b| a.metadata.name.cmp(&b.metadata.name));
    Ok(CheckInput {
        istio_namespace,
        istiod,
        namespace_name: namespace.to_string(),
        namespace: ns,
        app: app.to_string(),
        pods: list,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value<T: serde::de::DeserializeOwned>(json: serde_json::Value) -> T {
        serde_json::from_value(json).expect("valid object")
    }

    #[test]
    fn a_native_sidecar_and_a_revision_label_count() {
        let input = CheckInput {
            istio_namespace: "istio-system".into(),
            istiod: Some(value(
                serde_json::json!({"spec": {"selector": {}, "template": {"spec": {
                "containers": [{"name": "discovery", "env": [{"name": TLS_FLAG, "value": "true"}]}]}}}}),
            )),
            namespace_name: "test".into(),
            namespace: Some(value(
                serde_json::json!({"metadata": {"name": "test", "labels": {"istio.io/rev": "canary"}}}),
            )),
            app: "httpbin".into(),
            pods: vec![value(serde_json::json!({
                "metadata": {"name": "httpbin-1", "annotations": {
                    USER_VOLUME: "{\"tls-secret\":{}}",
                    USER_VOLUME_MOUNT: "{\"tls-secret\":{\"mountPath\":\"/etc/istio/tls-certs/\"}}"}},
                "spec": {
                    "containers": [{"name": "httpbin"}],
                    "initContainers": [{"name": "istio-proxy", "restartPolicy": "Always",
                        "volumeMounts": [{"name": "tls-secret", "mountPath": "/etc/istio/tls-certs"}]}],
                    "volumes": [{"name": "tls-secret"}]}}))],
        };
        let findings = evaluate(&input);
        assert!(findings.iter().all(|f| f.ok), "{findings:#?}");
        assert_eq!(
            findings[1].message,
            "namespace test has injection by revision (istio.io/rev=canary)"
        );
    }

    #[test]
    fn a_flag_set_to_false_is_reported_with_its_value() {
        let input = CheckInput {
            istio_namespace: "istio-system".into(),
            istiod: Some(value(
                serde_json::json!({"spec": {"selector": {}, "template": {"spec": {
                "containers": [{"name": "discovery", "env": [{"name": TLS_FLAG, "value": "false"}]}]}}}}),
            )),
            ..CheckInput::default()
        };
        let first = &evaluate(&input)[0];
        assert!(!first.ok);
        assert_eq!(
            first.message,
            "istiod (istio-system) has ENABLE_TLS_ON_SIDECAR_INGRESS=\"false\": Istio ignores tls on Sidecar ingress listeners"
        );
    }
}
