//! The task's app: ServiceAccount, Service and Deployment, with the `sidecar.istio.io/userVolume`
//! and `userVolumeMount` annotations built from typed structs (serde_json), never by hand.
use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::{Deployment, DeploymentSpec};
use k8s_openapi::api::core::v1::{
    Container, ContainerPort, PodSpec, PodTemplateSpec, Service, ServiceAccount, ServicePort,
    ServiceSpec,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use serde::{Deserialize, Serialize};

pub const USER_VOLUME: &str = "sidecar.istio.io/userVolume";
pub const USER_VOLUME_MOUNT: &str = "sidecar.istio.io/userVolumeMount";

/// What the app's objects are made from.
#[derive(Debug, Clone, PartialEq)]
pub struct AppSpec {
    pub name: String,
    pub namespace: String,
    pub version: String,
    pub image: String,
    pub container_port: u16,
    /// Service ports: (port, name, targetPort).
    pub service_ports: Vec<(u16, String, u16)>,
    /// Secret volumes the sidecar mounts, in annotation order.
    pub volumes: Vec<SecretMount>,
}

/// One secret mounted into istio-proxy through the userVolume annotations.
#[derive(Debug, Clone, PartialEq)]
pub struct SecretMount {
    pub volume: String,
    pub secret_name: String,
    /// `optional: true` in the volume source (the page sets it on the server secret only).
    pub optional: bool,
    pub mount_path: String,
}

/// A volume in `sidecar.istio.io/userVolume` (a Kubernetes volume source, secret only).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserVolume {
    pub secret: UserSecretSource,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserSecretSource {
    pub secret_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub optional: Option<bool>,
}

/// A mount in `sidecar.istio.io/userVolumeMount`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserVolumeMount {
    pub mount_path: String,
    pub read_only: bool,
}

/// The two annotation values, as compact JSON objects keyed by volume name, in `mounts` order.
pub fn user_volume_annotations(mounts: &[SecretMount]) -> (String, String) {
    let mut volumes = serde_json::Map::new();
    let mut volume_mounts = serde_json::Map::new();
    for m in mounts {
        let volume = UserVolume {
            secret: UserSecretSource {
                secret_name: m.secret_name.clone(),
                optional: m.optional.then_some(true),
            },
        };
        let mount = UserVolumeMount {
            mount_path: m.mount_path.clone(),
            read_only: true,
        };
        // Plain structs of strings and bools always serialise.
        volumes.insert(
            m.volume.clone(),
            serde_json::to_value(volume).unwrap_or_default(),
        );
        volume_mounts.insert(
            m.volume.clone(),
            serde_json::to_value(mount).unwrap_or_default(),
        );
    }
    (
        serde_json::Value::Object(volumes).to_string(),
        serde_json::Value::Object(volume_mounts).to_string(),
    )
}

fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

pub fn meta(name: &str, namespace: &str) -> ObjectMeta {
    ObjectMeta {
        name: Some(name.to_string()),
        namespace: Some(namespace.to_string()),
        ..ObjectMeta::default()
    }
}

pub fn service_account(name: &str, namespace: &str) -> ServiceAccount {
    ServiceAccount {
        metadata: meta(name, namespace),
        ..ServiceAccount::default()
    }
}

/// A Service with labels `app` and `service`, selecting `app=<name>`.
pub fn service(name: &str, namespace: &str, ports: &[(u16, String, Option<u16>)]) -> Service {
    Service {
        metadata: ObjectMeta {
            labels: Some(labels(&[("app", name), ("service", name)])),
            ..meta(name, namespace)
        },
        spec: Some(ServiceSpec {
            ports: Some(
                ports
                    .iter()
                    .map(|(port, port_name, target)| ServicePort {
                        port: i32::from(*port),
                        name: Some(port_name.clone()),
                        target_port: target.map(|t| IntOrString::Int(i32::from(t))),
                        ..ServicePort::default()
                    })
                    .collect(),
            ),
            selector: Some(labels(&[("app", name)])),
            ..ServiceSpec::default()
        }),
        status: None,
    }
}

impl AppSpec {
    pub fn service_account(&self) -> ServiceAccount {
        service_account(&self.name, &self.namespace)
    }

    pub fn service(&self) -> Service {
        let ports: Vec<_> = self
            .service_ports
            .iter()
            .map(|(port, name, target)| (*port, name.clone(), Some(*target)))
            .collect();
        service(&self.name, &self.namespace, &ports)
    }

    pub fn deployment(&self) -> Deployment {
        let pod_labels = labels(&[("app", &self.name), ("version", &self.version)]);
        let (volume, mount) = user_volume_annotations(&self.volumes);
        let annotations = BTreeMap::from([
            (USER_VOLUME.to_string(), volume),
            (USER_VOLUME_MOUNT.to_string(), mount),
        ]);
        Deployment {
            metadata: meta(&self.name, &self.namespace),
            spec: Some(DeploymentSpec {
                replicas: Some(1),
                selector: LabelSelector {
                    match_labels: Some(pod_labels.clone()),
                    ..LabelSelector::default()
                },
                template: PodTemplateSpec {
                    metadata: Some(ObjectMeta {
                        labels: Some(pod_labels),
                        annotations: Some(annotations),
                        ..ObjectMeta::default()
                    }),
                    spec: Some(PodSpec {
                        service_account_name: Some(self.name.clone()),
                        containers: vec![Container {
                            image: Some(self.image.clone()),
                            image_pull_policy: Some("IfNotPresent".to_string()),
                            name: self.name.clone(),
                            ports: Some(vec![ContainerPort {
                                container_port: i32::from(self.container_port),
                                ..ContainerPort::default()
                            }]),
                            ..Container::default()
                        }],
                        ..PodSpec::default()
                    }),
                },
                ..DeploymentSpec::default()
            }),
            status: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn annotations_equal_the_page() {
        let mounts = [
            SecretMount {
                volume: "tls-secret".into(),
                secret_name: "httpbin-mtls-termination".into(),
                optional: true,
                mount_path: "/etc/istio/tls-certs/".into(),
            },
            SecretMount {
                volume: "tls-ca-secret".into(),
                secret_name: "httpbin-mtls-termination-cacert".into(),
                optional: false,
                mount_path: "/etc/istio/tls-ca-certs/".into(),
            },
        ];
        let (volume, mount) = user_volume_annotations(&mounts);
        assert_eq!(
            volume,
            r#"{"tls-secret":{"secret":{"secretName":"httpbin-mtls-termination","optional":true}},"tls-ca-secret":{"secret":{"secretName":"httpbin-mtls-termination-cacert"}}}"#
        );
        assert_eq!(
            mount,
            r#"{"tls-secret":{"mountPath":"/etc/istio/tls-certs/","readOnly":true},"tls-ca-secret":{"mountPath":"/etc/istio/tls-ca-certs/","readOnly":true}}"#
        );
    }
}
