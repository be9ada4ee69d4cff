//! The install step as an `IstioOperator` (install.istio.io/v1alpha1) for `istioctl install -f`,
//! and the equivalent `istioctl install --set …` command line.
use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde::{Deserialize, Serialize};

pub const API_VERSION: &str = "install.istio.io/v1alpha1";
pub const KIND: &str = "IstioOperator";
/// The istiod feature flag the task needs.
pub const TLS_FLAG: &str = "ENABLE_TLS_ON_SIDECAR_INGRESS";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct IstioOperator {
    pub api_version: String,
    pub kind: String,
    #[serde(default)]
    pub metadata: ObjectMeta,
    pub spec: IstioOperatorSpec,
}

/// The part of the IstioOperator spec meshtls writes. `values` is open-ended in Istio (Helm
/// values), so it is modelled down to `pilot.env` and the rest is kept as written.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IstioOperatorSpec {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values: Option<Values>,
    #[serde(flatten)]
    pub other: BTreeMap<String, serde_json::Value>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Values {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pilot: Option<PilotValues>,
    #[serde(flatten)]
    pub other: BTreeMap<String, serde_json::Value>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PilotValues {
    /// istiod's environment; values are strings (`"true"` stays quoted in YAML).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub env: BTreeMap<String, String>,
    #[serde(flatten)]
    pub other: BTreeMap<String, serde_json::Value>,
}

impl IstioOperator {
    /// `profile` plus `values.pilot.env.ENABLE_TLS_ON_SIDECAR_INGRESS: "true"`.
    pub fn task(profile: &str) -> IstioOperator {
        let env = BTreeMap::from([(TLS_FLAG.to_string(), "true".to_string())]);
        IstioOperator {
            api_version: API_VERSION.to_string(),
            kind: KIND.to_string(),
            metadata: ObjectMeta {
                name: Some("meshtls".to_string()),
                namespace: Some("istio-system".to_string()),
                ..ObjectMeta::default()
            },
            spec: IstioOperatorSpec {
                profile: Some(profile.to_string()),
                values: Some(Values {
                    pilot: Some(PilotValues {
                        env,
                        other: BTreeMap::new(),
                    }),
                    other: BTreeMap::new(),
                }),
                other: BTreeMap::new(),
            },
        }
    }

    /// The `istioctl install --set …` line that makes the same installation.
    pub fn command(&self) -> String {
        let mut parts = vec!["istioctl install".to_string()];
        if let Some(profile) = &self.spec.profile {
            parts.push(format!("--set profile={profile}"));
        }
        let env = self
            .spec
            .values
            .as_ref()
            .and_then(|v| v.pilot.as_ref())
            .map(|p| &p.env);
        for (key, value) in env.into_iter().flatten() {
            parts.push(format!("--set values.pilot.env.{key}={value}"));
        }
        parts.join(" ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_matches_the_page() {
        assert_eq!(
            IstioOperator::task("default").command(),
            "istioctl install --set profile=default --set values.pilot.env.ENABLE_TLS_ON_SIDECAR_INGRESS=true"
        );
    }
}
