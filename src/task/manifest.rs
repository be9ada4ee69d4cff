//! One rendered object of any kind the task uses: written as one YAML document, read back from
//! one, and named for output files and reports.
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{Namespace, Secret as KubeSecret, Service, ServiceAccount};
use serde::de::DeserializeOwned;

use crate::fsx::FileMode;
use crate::k8s::secret::Secret;
use crate::k8s::yaml::{YamlError, to_yaml};
use crate::mesh::install::IstioOperator;
use crate::mesh::peer_auth::PeerAuthentication;
use crate::mesh::sidecar::Sidecar;
use crate::mesh::validate::{Violation, validate_value};
use crate::redact;

/// One object of the task. (A render holds a few dozen; boxing the large k8s types buys nothing.)
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum Manifest {
    IstioOperator(IstioOperator),
    Namespace(Namespace),
    PeerAuthentication(PeerAuthentication),
    Secret(Secret),
    ServiceAccount(ServiceAccount),
    Service(Service),
    Deployment(Deployment),
    Sidecar(Sidecar),
}

#[derive(Debug, thiserror::Error)]
pub enum ManifestError {
    #[error(transparent)]
    Yaml(#[from] YamlError),
    #[error("document {index}: {kind} {name}: {message}")]
    Invalid {
        index: usize,
        kind: String,
        name: String,
        message: String,
    },
    #[error("document {index}: kind {kind:?} ({api_version}) is not one meshtls renders")]
    UnknownKind {
        index: usize,
        kind: String,
        api_version: String,
    },
}

fn str_field<'a>(value: &'a serde_json::Value, key: &str) -> &'a str {
    value
        .get(key)
        .and_then(serde_json::Value::as_str)
        .unwrap_or_default()
}

impl Manifest {
    pub fn kind(&self) -> &str {
        match self {
            Manifest::IstioOperator(o) => &o.kind,
            Manifest::Namespace(_) => "Namespace",
            Manifest::PeerAuthentication(o) => &o.kind,
            Manifest::Secret(_) => "Secret",
            Manifest::ServiceAccount(_) => "ServiceAccount",
            Manifest::Service(_) => "Service",
            Manifest::Deployment(_) => "Deployment",
            Manifest::Sidecar(o) => &o.kind,
        }
    }

    /// `(namespace, name)`; empty when unset.
    pub fn key(&self) -> (String, String) {
        let meta = match self {
            Manifest::IstioOperator(o) => &o.metadata,
            Manifest::Namespace(o) => &o.metadata,
            Manifest::PeerAuthentication(o) => &o.metadata,
            Manifest::Secret(s) => {
                return (s.namespace.clone().unwrap_or_default(), s.name.clone());
            }
            Manifest::ServiceAccount(o) => &o.metadata,
            Manifest::Service(o) => &o.metadata,
            Manifest::Deployment(o) => &o.metadata,
            Manifest::Sidecar(o) => &o.metadata,
        };
        (
            meta.namespace.clone().unwrap_or_default(),
            meta.name.clone().unwrap_or_default(),
        )
    }

    /// The mode of a file holding this object: a Secret's data is key material (0600).
    pub fn file_mode(&self) -> FileMode {
        match self {
            Manifest::Secret(_) => FileMode::Private,
            _ => FileMode::Public,
        }
    }

    /// A file name for `--out-dir`: `NN-kind-[namespace-]name.yaml`.
    pub fn file_name(&self, index: usize) -> String {
        let (ns, name) = self.key();
        let kind = self.kind().to_ascii_lowercase();
        let name = if name.is_empty() {
            "unnamed".to_string()
        } else {
            name
        };
        if ns.is_empty() {
            format!("{index:02}-{kind}-{name}.yaml")
        } else {
            format!("{index:02}-{kind}-{ns}-{name}.yaml")
        }
    }

    /// One YAML document. Secrets are kubectl's exact bytes; the IstioOperator starts with a
    /// comment giving the equivalent `istioctl install` command.
    pub fn to_yaml(&self) -> Result<String, YamlError> {
        match self {
            Manifest::IstioOperator(o) => Ok(format!(
                "# Install with: istioctl install -f FILE\n# Same as: {}\n{}",
                o.command(),
                to_yaml(o)?
            )),
            Manifest::Namespace(o) => to_yaml(o),
            Manifest::PeerAuthentication(o) => to_yaml(o),
            Manifest::Secret(s) => Ok(s.to_yaml()),
            Manifest::ServiceAccount(o) => to_yaml(o),
            Manifest::Service(o) => to_yaml(o),
            Manifest::Deployment(o) => to_yaml(o),
            Manifest::Sidecar(o) => to_yaml(o),
        }
    }

    /// The object as the JSON value an API server takes (Secrets in kubectl's wire form).
    pub fn to_value(&self) -> Result<serde_json::Value, serde_json::Error> {
        match self {
            Manifest::IstioOperator(o) => serde_json::to_value(o),
            Manifest::Namespace(o) => serde_json::to_value(o),
            Manifest::PeerAuthentication(o) => serde_json::to_value(o),
            Manifest::Secret(s) => serde_json::to_value(s.wire()),
            Manifest::ServiceAccount(o) => serde_json::to_value(o),
            Manifest::Service(o) => serde_json::to_value(o),
            Manifest::Deployment(o) => serde_json::to_value(o),
            Manifest::Sidecar(o) => serde_json::to_value(o),
        }
    }

    /// Reads one document (as a JSON value) into its typed form, chosen by `kind`.
    pub fn from_value(index: usize, value: serde_json::Value) -> Result<Manifest, ManifestError> {
        let kind = str_field(&value, "kind").to_string();
        let api_version = str_field(&value, "apiVersion").to_string();
        let name = value
            .get("metadata")
            .map(|m| str_field(m, "name").to_string())
            .unwrap_or_default();
        let group = api_version.rsplit_once('/').map_or("", |(g, _)| g);
        fn typed<T: DeserializeOwned>(value: serde_json::Value) -> Result<T, String> {
            serde_json::from_value(value).map_err(|e| redact::message(&e.to_string()))
        }
        let result = match (group, kind.as_str()) {
            ("install.istio.io", "IstioOperator") => typed(value).map(Manifest::IstioOperator),
            ("", "Namespace") => typed(value).map(Manifest::Namespace),
            ("security.istio.io", "PeerAuthentication") => {
                typed(value).map(Manifest::PeerAuthentication)
            }
            ("", "Secret") => {
                typed::<KubeSecret>(value).map(|s| Manifest::Secret(from_kube_secret(s)))
            }
            ("", "ServiceAccount") => typed(value).map(Manifest::ServiceAccount),
            ("", "Service") => typed(value).map(Manifest::Service),
            ("apps", "Deployment") => typed(value).map(Manifest::Deployment),
            ("networking.istio.io", "Sidecar") => typed(value).map(Manifest::Sidecar),
            _ => {
                return Err(ManifestError::UnknownKind {
                    index,
                    kind: redact::value(&kind),
                    api_version: redact::value(&api_version),
                });
            }
        };
        result.map_err(|message| ManifestError::Invalid {
            index,
            kind: redact::value(&kind),
            name: redact::value(&name),
            message,
        })
    }
}

fn from_kube_secret(s: KubeSecret) -> Secret {
    Secret {
        name: s.metadata.name.unwrap_or_default(),
        namespace: s.metadata.namespace,
        data: s
            .data
            .unwrap_or_default()
            .into_iter()
            .map(|(k, v)| (k, v.0))
            .collect(),
        secret_type: s.type_,
    }
}

/// Istio's and the CRD schemas' findings on the Istio resources among `manifests` (what
/// `render --validate` reports and `proxy` refuses to start with).
pub fn validate_manifests(manifests: &[Manifest]) -> Vec<Violation> {
    let mut findings = Vec::new();
    for manifest in manifests {
        let value = match manifest {
            Manifest::Sidecar(o) => serde_json::to_value(o),
            Manifest::PeerAuthentication(o) => serde_json::to_value(o),
            _ => continue,
        };
        if let Ok(value) = value {
            findings.extend(validate_value(&value, "default"));
        }
    }
    findings
}

/// All manifests as one multi-document stream.
pub fn to_multi_yaml(manifests: &[Manifest]) -> Result<String, YamlError> {
    let docs = manifests
        .iter()
        .map(Manifest::to_yaml)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(crate::k8s::yaml::join_documents(&docs))
}
