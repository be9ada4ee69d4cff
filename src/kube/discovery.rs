//! Which resource serves a kind: asks the API server's discovery (`/api/v1`,
//! `/apis/<group>/<version>`) once per group-version and explains kinds it does not serve.
use std::collections::HashMap;
use std::fmt;

use ::kube::api::{ApiResource, GroupVersionKind};
use ::kube::discovery::{self, ApiCapabilities, Scope};
use ::kube::{Client, Error as KubeError};

/// Groups whose kinds only exist once Istio is installed.
const ISTIO_GROUPS: [&str; 4] = [
    "networking.istio.io",
    "security.istio.io",
    "telemetry.istio.io",
    "install.istio.io",
];

/// A served kind: its REST resource and whether objects live in a namespace.
#[derive(Debug, Clone)]
pub struct Served {
    pub resource: ApiResource,
    pub namespaced: bool,
}

impl Served {
    /// kubectl's name for the resource in its output lines: `secret`, `deployment.apps`,
    /// `sidecar.networking.istio.io`.
    pub fn kubectl_name(&self) -> String {
        let kind = self.resource.kind.to_ascii_lowercase();
        if self.resource.group.is_empty() {
            kind
        } else {
            format!("{kind}.{}", self.resource.group)
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DiscoveryError {
    #[error(
        "{kind}.{group} is not served by this cluster: install Istio first (meshtls render install | istioctl install -f -)"
    )]
    IstioMissing { kind: String, group: String },
    #[error(
        "{kind} ({api_version}) is not served by this cluster: install the CRD or fix apiVersion"
    )]
    NotServed { kind: String, api_version: String },
    #[error("asking the API server which resource serves {kind} ({api_version})")]
    Query {
        kind: String,
        api_version: String,
        source: Box<KubeError>,
    },
}

/// apiVersion and kind, as written in a manifest.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TypeKey {
    pub api_version: String,
    pub kind: String,
}

impl fmt::Display for TypeKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.kind, self.api_version)
    }
}

impl TypeKey {
    pub fn new(api_version: &str, kind: &str) -> TypeKey {
        TypeKey {
            api_version: api_version.to_string(),
            kind: kind.to_string(),
        }
    }

    fn gvk(&self) -> GroupVersionKind {
        match self.api_version.split_once('/') {
            Some((group, version)) => GroupVersionKind::gvk(group, version, &self.kind),
            None => GroupVersionKind::gvk("", &self.api_version, &self.kind),
        }
    }
}

/// Discovery answers, cached for one run.
pub struct Resolver {
    client: Client,
    cache: HashMap<TypeKey, Served>,
}

impl Resolver {
    pub fn new(client: Client) -> Resolver {
        Resolver {
            client,
            cache: HashMap::new(),
        }
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    /// The resource serving `key`, or why there is none.
    pub async fn resolve(&mut self, key: &TypeKey) -> Result<Served, DiscoveryError> {
        if let Some(served) = self.cache.get(key) {
            return Ok(served.clone());
        }
        let gvk = key.gvk();
        let not_served = || {
            if ISTIO_GROUPS.contains(&gvk.group.as_str()) {
                DiscoveryError::IstioMissing {
                    kind: key.kind.clone(),
                    group: gvk.group.clone(),
                }
            } else {
                DiscoveryError::NotServed {
                    kind: key.kind.clone(),
                    api_version: key.api_version.clone(),
                }
            }
        };
        let (resource, caps): (ApiResource, ApiCapabilities) =
            match discovery::pinned_kind(&self.client, &gvk).await {
                Ok(found) => found,
                Err(KubeError::Api(status)) if status.code == 404 => return Err(not_served()),
                Err(KubeError::Discovery(_)) => return Err(not_served()),
                Err(e) => {
                    return Err(DiscoveryError::Query {
                        kind: key.kind.clone(),
                        api_version: key.api_version.clone(),
                        source: Box::new(e),
                    });
                }
            };
        let served = Served {
            resource,
            namespaced: caps.scope == Scope::Namespaced,
        };
        self.cache.insert(key.clone(), served.clone());
        Ok(served)
    }
}
