//! `PeerAuthentication` (security.istio.io): the workload/namespace mTLS mode, with per-port
//! overrides keyed by the workload's (target) port.
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::object::IstioObject;

pub type PeerAuthentication = IstioObject<PeerAuthenticationSpec>;

pub const KIND: &str = "PeerAuthentication";

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PeerAuthenticationSpec {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub selector: Option<LabelSelector>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mtls: Option<MutualTls>,
    /// Keys are workload ports; `Some(empty)` is kept apart from `None`, as Istio does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port_level_mtls: Option<BTreeMap<u32, MutualTls>>,
}

/// istio/api's `type.v1beta1.WorkloadSelector` (`matchLabels`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LabelSelector {
    #[serde(default)]
    pub match_labels: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MutualTls {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<MtlsMode>,
}

impl MutualTls {
    pub fn mode(mode: MtlsMode) -> MutualTls {
        MutualTls { mode: Some(mode) }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum MtlsMode {
    Unset,
    Disable,
    Permissive,
    Strict,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::k8s::yaml::{from_str, to_yaml};

    #[test]
    fn port_level_keys_are_numbers_both_ways() {
        let text = "apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata:\n  name: p\nspec:\n  selector:\n    matchLabels:\n      app: httpbin\n  portLevelMtls:\n    9080:\n      mode: DISABLE\n";
        let pa: PeerAuthentication = from_str(text).unwrap();
        let ports = pa.spec.port_level_mtls.as_ref().unwrap();
        assert_eq!(ports[&9080].mode, Some(MtlsMode::Disable));
        assert_eq!(to_yaml(&pa).unwrap(), text);
    }
}
