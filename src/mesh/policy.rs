//! The effective PeerAuthentication mode of a workload port, by Istio's precedence: a workload
//! policy (selector) over the namespace policy over the mesh policy (root namespace), the oldest
//! winning within a level, `portLevelMtls` from the workload policy, UNSET inheriting.
use std::collections::BTreeMap;

use super::peer_auth::{MtlsMode, PeerAuthentication};

/// Istio's default root namespace, where a selector-less policy applies mesh-wide.
pub const ROOT_NAMESPACE: &str = "istio-system";

/// What mode a port ends up with, and which policy decided it (`None`: no policy, PERMISSIVE).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub mode: MtlsMode,
    /// `namespace/name` of the deciding policy and whether the port-level entry decided.
    pub decided_by: Option<DecidedBy>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecidedBy {
    pub namespace: String,
    pub name: String,
    pub level: Scope,
    pub port_level: bool,
}

impl std::fmt::Display for DecidedBy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let level = match self.level {
            Scope::Mesh => "mesh-wide",
            Scope::Namespace => "namespace-wide",
            Scope::Workload => "workload",
        };
        write!(
            f,
            "{level} PeerAuthentication {}/{}",
            self.namespace, self.name
        )?;
        if self.port_level {
            f.write_str(" (portLevelMtls)")?;
        }
        Ok(())
    }
}

/// The three levels of PeerAuthentication, weakest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Scope {
    Mesh,
    Namespace,
    Workload,
}

fn namespace_of(pa: &PeerAuthentication) -> &str {
    pa.metadata.namespace.as_deref().unwrap_or("default")
}

fn name_of(pa: &PeerAuthentication) -> String {
    pa.metadata.name.clone().unwrap_or_default()
}

/// Whether a policy's selector picks the workload with `labels`.
pub fn selects(pa: &PeerAuthentication, labels: &BTreeMap<String, String>) -> bool {
    pa.spec.selector.as_ref().is_some_and(|selector| {
        !selector.match_labels.is_empty()
            && selector
                .match_labels
                .iter()
                .all(|(k, v)| labels.get(k) == Some(v))
    })
}

/// Which level a policy is at for a workload in `namespace`, if it applies at all.
fn level(
    pa: &PeerAuthentication,
    namespace: &str,
    labels: &BTreeMap<String, String>,
    root: &str,
) -> Option<Scope> {
    let has_selector = pa
        .spec
        .selector
        .as_ref()
        .is_some_and(|s| !s.match_labels.is_empty());
    match (namespace_of(pa), has_selector) {
        (ns, true) if ns == namespace && selects(pa, labels) => Some(Scope::Workload),
        (ns, false) if ns == namespace && ns != root => Some(Scope::Namespace),
        (ns, false) if ns == root => Some(Scope::Mesh),
        _ => None,
    }
}

fn mode_of(pa: &PeerAuthentication) -> MtlsMode {
    pa.spec
        .mtls
        .as_ref()
        .and_then(|m| m.mode)
        .unwrap_or(MtlsMode::Unset)
}

/// The effective mode for `port` of a workload in `namespace` with pod `labels`.
/// `policies` are in age order, oldest first (creationTimestamp, else file order).
pub fn effective_mode(
    policies: &[&PeerAuthentication],
    namespace: &str,
    labels: &BTreeMap<String, String>,
    port: u32,
    root: &str,
) -> Decision {
    // The oldest policy at each level wins.
    let oldest = |wanted: Scope| {
        policies
            .iter()
            .copied()
            .find(|pa| level(pa, namespace, labels, root) == Some(wanted))
    };
    let mut decision = Decision {
        mode: MtlsMode::Permissive,
        decided_by: None,
    };
    for wanted in [Scope::Mesh, Scope::Namespace, Scope::Workload] {
        let Some(pa) = oldest(wanted) else { continue };
        let by = |port_level| DecidedBy {
            namespace: namespace_of(pa).to_string(),
            name: name_of(pa),
            level: wanted,
            port_level,
        };
        let mode = mode_of(pa);
        if mode != MtlsMode::Unset {
            decision = Decision {
                mode,
                decided_by: Some(by(false)),
            };
        }
        // portLevelMtls counts only with a selector; an UNSET entry inherits what is above.
        if wanted == Scope::Workload {
            let port_mode = pa
                .spec
                .port_level_mtls
                .as_ref()
                .and_then(|ports| ports.get(&port))
                .and_then(|m| m.mode)
                .filter(|m| *m != MtlsMode::Unset);
            if let Some(mode) = port_mode {
                decision = Decision {
                    mode,
                    decided_by: Some(by(true)),
                };
            }
        }
    }
    decision
}

/// Policies oldest first: by `creationTimestamp` where set, file order otherwise (stable).
pub fn by_age<'a>(
    policies: impl IntoIterator<Item = &'a PeerAuthentication>,
) -> Vec<&'a PeerAuthentication> {
    let mut sorted: Vec<&PeerAuthentication> = policies.into_iter().collect();
    sorted.sort_by_key(|pa| {
        let stamp = pa
            .metadata
            .creation_timestamp
            .as_ref()
            .map(|t| t.0.to_string());
        (stamp.is_none(), stamp)
    });
    sorted
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::k8s::yaml::from_str;

    fn pa(text: &str) -> PeerAuthentication {
        from_str(text).unwrap()
    }

    fn labels() -> BTreeMap<String, String> {
        BTreeMap::from([
            ("app".to_string(), "httpbin".to_string()),
            ("version".to_string(), "v1".to_string()),
        ])
    }

    const NAMESPACE_STRICT: &str = "apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata:\n  name: default\n  namespace: test\nspec:\n  mtls:\n    mode: STRICT\n";
    const WORKLOAD: &str = "apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata:\n  name: disable-peer-auth-for-external-mtls-port\n  namespace: test\nspec:\n  selector:\n    matchLabels:\n      app: httpbin\n  mtls:\n    mode: STRICT\n  portLevelMtls:\n    9080:\n      mode: DISABLE\n";

    #[test]
    fn the_page_policies_disable_9080_only() {
        let (ns, wl) = (pa(NAMESPACE_STRICT), pa(WORKLOAD));
        let policies = [&ns, &wl];
        let on_9080 = effective_mode(&policies, "test", &labels(), 9080, ROOT_NAMESPACE);
        assert_eq!(on_9080.mode, MtlsMode::Disable);
        assert!(on_9080.decided_by.as_ref().unwrap().port_level);
        let on_9081 = effective_mode(&policies, "test", &labels(), 9081, ROOT_NAMESPACE);
        assert_eq!(on_9081.mode, MtlsMode::Strict);
        assert_eq!(on_9081.decided_by.unwrap().level, Scope::Workload);
    }

    #[test]
    fn no_policy_is_permissive_and_other_namespaces_do_not_count() {
        let ns = pa(NAMESPACE_STRICT);
        let decision = effective_mode(&[&ns], "other", &labels(), 9080, ROOT_NAMESPACE);
        assert_eq!(
            decision,
            Decision {
                mode: MtlsMode::Permissive,
                decided_by: None
            }
        );
    }

    #[test]
    fn mesh_policy_applies_and_unset_inherits() {
        let mesh = pa(
            "apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata:\n  name: default\n  namespace: istio-system\nspec:\n  mtls:\n    mode: STRICT\n",
        );
        let unset = pa(
            "apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata:\n  name: w\n  namespace: test\nspec:\n  selector:\n    matchLabels:\n      app: httpbin\n  portLevelMtls:\n    9080:\n      mode: UNSET\n",
        );
        let decision = effective_mode(&[&mesh, &unset], "test", &labels(), 9080, ROOT_NAMESPACE);
        assert_eq!(decision.mode, MtlsMode::Strict);
        assert_eq!(decision.decided_by.unwrap().level, Scope::Mesh);
    }

    #[test]
    fn the_oldest_policy_of_a_level_wins() {
        let first = pa(NAMESPACE_STRICT);
        let second = pa(&NAMESPACE_STRICT
            .replace("STRICT", "DISABLE")
            .replace("name: default", "name: later"));
        let decision = effective_mode(&[&first, &second], "test", &labels(), 9080, ROOT_NAMESPACE);
        assert_eq!(decision.mode, MtlsMode::Strict);
    }
}
