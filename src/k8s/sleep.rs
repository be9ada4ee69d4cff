//! The sleep client of Istio's `samples/sleep/sleep.yaml` (ServiceAccount, Service, Deployment)
//! for one namespace: in the mesh (the app's namespace) or outside it (`default`).
use k8s_openapi::api::apps::v1::{Deployment, DeploymentSpec};
use k8s_openapi::api::core::v1::{
    Container, PodSpec, PodTemplateSpec, SecretVolumeSource, Service, ServiceAccount, Volume,
    VolumeMount,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};

use super::app::{meta, service, service_account};

pub const NAME: &str = "sleep";
pub const IMAGE: &str = "docker.io/curlimages/curl:8.16.0";

pub fn objects(namespace: &str) -> (ServiceAccount, Service, Deployment) {
    let app = std::collections::BTreeMap::from([("app".to_string(), NAME.to_string())]);
    let deployment = Deployment {
        metadata: meta(NAME, namespace),
        spec: Some(DeploymentSpec {
            replicas: Some(1),
            selector: LabelSelector {
                match_labels: Some(app.clone()),
                ..LabelSelector::default()
            },
            template: PodTemplateSpec {
                metadata: Some(ObjectMeta {
                    labels: Some(app),
                    ..ObjectMeta::default()
                }),
                spec: Some(PodSpec {
                    termination_grace_period_seconds: Some(0),
                    service_account_name: Some(NAME.to_string()),
                    containers: vec![Container {
                        name: NAME.to_string(),
                        image: Some(IMAGE.to_string()),
                        command: Some(vec!["/bin/sleep".to_string(), "infinity".to_string()]),
                        image_pull_policy: Some("IfNotPresent".to_string()),
                        volume_mounts: Some(vec![VolumeMount {
                            mount_path: "/etc/sleep/tls".to_string(),
                            name: "secret-volume".to_string(),
                            ..VolumeMount::default()
                        }]),
                        ..Container::default()
                    }],
                    volumes: Some(vec![Volume {
                        name: "secret-volume".to_string(),
                        secret: Some(SecretVolumeSource {
                            secret_name: Some("sleep-secret".to_string()),
                            optional: Some(true),
                            ..SecretVolumeSource::default()
                        }),
                        ..Volume::default()
                    }]),
                    ..PodSpec::default()
                }),
            },
            ..DeploymentSpec::default()
        }),
        status: None,
    };
    (
        service_account(NAME, namespace),
        service(NAME, namespace, &[(80, "http".to_string(), None)]),
        deployment,
    )
}
