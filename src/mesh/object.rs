//! The envelope every Istio custom resource shares: apiVersion, kind, metadata, spec, status.
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde::{Deserialize, Serialize};

/// An Istio object with a typed `spec`. Unknown top-level fields are rejected; `status` is kept
/// as written, since istiod owns it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct IstioObject<S> {
    pub api_version: String,
    pub kind: String,
    #[serde(default)]
    pub metadata: ObjectMeta,
    pub spec: S,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<serde_json::Value>,
}

impl<S> IstioObject<S> {
    /// A new object named `name` in `namespace` (if any).
    pub fn new(
        api_version: String,
        kind: &str,
        name: &str,
        namespace: Option<&str>,
        spec: S,
    ) -> Self {
        IstioObject {
            api_version,
            kind: kind.to_string(),
            metadata: ObjectMeta {
                name: Some(name.to_string()),
                namespace: namespace.map(str::to_string),
                ..ObjectMeta::default()
            },
            spec,
            status: None,
        }
    }
}

/// The API versions Istio serves for Sidecar (`networking.istio.io`); PeerAuthentication
/// (`security.istio.io`) has no v1alpha3 and uses v1beta1 for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum IstioApiVersion {
    #[default]
    #[serde(rename = "v1")]
    V1,
    #[serde(rename = "v1beta1")]
    V1beta1,
    #[serde(rename = "v1alpha3")]
    V1alpha3,
}

impl IstioApiVersion {
    pub fn networking(self) -> String {
        format!("networking.istio.io/{}", self.name())
    }

    pub fn security(self) -> String {
        let version = match self {
            IstioApiVersion::V1alpha3 => "v1beta1",
            other => other.name(),
        };
        format!("security.istio.io/{version}")
    }

    pub fn name(self) -> &'static str {
        match self {
            IstioApiVersion::V1 => "v1",
            IstioApiVersion::V1beta1 => "v1beta1",
            IstioApiVersion::V1alpha3 => "v1alpha3",
        }
    }
}
