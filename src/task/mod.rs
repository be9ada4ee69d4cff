//! Stage 4 of the pipeline, the task model: the input's objects read once (`read`) with where
//! each came from, and what Istio would do with them decided once (`select`, `decide`). proxy,
//! analyze, describe, verify and demo read these answers; none of them works them out again.
pub mod decide;
pub mod manifest;
pub mod mounts;
pub mod read;
pub mod select;
pub mod services;

use std::fmt;

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::Service;

use crate::k8s::secret::Secret;
use crate::mesh::go::parse_bool;
use crate::mesh::install::{IstioOperator, TLS_FLAG};
use crate::mesh::peer_auth::PeerAuthentication;
use crate::mesh::policy::by_age;
use crate::mesh::sidecar::Sidecar;
pub use manifest::Manifest;

/// The object (or certificate file) something is about, and where it was read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    pub kind: String,
    /// Empty for cluster-scoped objects and certificate files.
    pub namespace: String,
    pub name: String,
    /// The file (`<stdin>` for `-`); None for objects read from a cluster.
    pub file: Option<String>,
    pub line: Option<usize>,
}

impl Origin {
    /// `file:line`, as istioctl prints after the resource.
    pub fn reference(&self) -> Option<String> {
        match (&self.file, self.line) {
            (Some(file), Some(line)) => Some(format!("{file}:{line}")),
            (Some(file), None) => Some(file.clone()),
            _ => None,
        }
    }

    /// `Kind ns/name` (or `Kind name` without a namespace).
    pub fn resource(&self) -> String {
        if self.namespace.is_empty() {
            format!("{} {}", self.kind, self.name)
        } else {
            format!("{} {}/{}", self.kind, self.namespace, self.name)
        }
    }

    /// `ns/name` (or `name`).
    pub fn qualified_name(&self) -> String {
        if self.namespace.is_empty() {
            self.name.clone()
        } else {
            format!("{}/{}", self.namespace, self.name)
        }
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.resource())?;
        if let Some(reference) = self.reference() {
            write!(f, " {reference}")?;
        }
        Ok(())
    }
}

/// One typed object of the input, its namespace defaulted as kubectl would apply it.
#[derive(Debug, Clone)]
pub struct Object {
    pub manifest: Manifest,
    pub origin: Origin,
}

/// Everything the task is made of: the typed objects in input order, and whether istiod is
/// known to run with ENABLE_TLS_ON_SIDECAR_INGRESS from outside the objects (`--istio-install`,
/// `--enable-tls-on-sidecar-ingress`, or the cluster's istiod).
#[derive(Debug, Clone, Default)]
pub struct Task {
    pub objects: Vec<Object>,
    pub tls_flag_from_outside: bool,
}

impl Task {
    pub fn new(objects: Vec<Object>) -> Task {
        Task {
            objects,
            tls_flag_from_outside: false,
        }
    }

    /// A task of objects made in memory (rendered), each named by its own metadata.
    pub fn from_manifests(manifests: Vec<Manifest>) -> Task {
        Task::new(
            manifests
                .into_iter()
                .map(|manifest| {
                    let (namespace, name) = manifest.key();
                    Object {
                        origin: Origin {
                            kind: manifest.kind().to_string(),
                            namespace,
                            name,
                            file: None,
                            line: None,
                        },
                        manifest,
                    }
                })
                .collect(),
        )
    }

    /// This task with `files` laid over it, as `istioctl analyze -f` overlays the cluster: an
    /// object in `files` replaces the one of the same kind, namespace and name.
    pub fn overlay(self, files: Task) -> Task {
        let key = |o: &Object| {
            (
                o.origin.kind.clone(),
                o.origin.namespace.clone(),
                o.origin.name.clone(),
            )
        };
        let replaced: std::collections::BTreeSet<_> = files.objects.iter().map(key).collect();
        let mut objects: Vec<Object> = self
            .objects
            .into_iter()
            .filter(|o| !replaced.contains(&key(o)))
            .collect();
        objects.extend(files.objects);
        Task {
            objects,
            tls_flag_from_outside: self.tls_flag_from_outside || files.tls_flag_from_outside,
        }
    }

    fn of<'a, T>(
        &'a self,
        pick: impl Fn(&'a Manifest) -> Option<&'a T>,
    ) -> Vec<(&'a T, &'a Origin)> {
        self.objects
            .iter()
            .filter_map(|o| pick(&o.manifest).map(|t| (t, &o.origin)))
            .collect()
    }

    pub fn sidecars(&self) -> Vec<(&Sidecar, &Origin)> {
        self.of(|m| match m {
            Manifest::Sidecar(s) => Some(s),
            _ => None,
        })
    }

    pub fn deployments(&self) -> Vec<(&Deployment, &Origin)> {
        self.of(|m| match m {
            Manifest::Deployment(d) => Some(d),
            _ => None,
        })
    }

    pub fn services(&self) -> Vec<(&Service, &Origin)> {
        self.of(|m| match m {
            Manifest::Service(s) => Some(s),
            _ => None,
        })
    }

    pub fn secrets(&self) -> Vec<(&Secret, &Origin)> {
        self.of(|m| match m {
            Manifest::Secret(s) => Some(s),
            _ => None,
        })
    }

    pub fn policies(&self) -> Vec<(&PeerAuthentication, &Origin)> {
        self.of(|m| match m {
            Manifest::PeerAuthentication(p) => Some(p),
            _ => None,
        })
    }

    pub fn install_configs(&self) -> Vec<(&IstioOperator, &Origin)> {
        self.of(|m| match m {
            Manifest::IstioOperator(o) => Some(o),
            _ => None,
        })
    }

    /// PeerAuthentications oldest first, as `mesh::policy::effective_mode` wants them.
    pub fn policies_by_age(&self) -> Vec<&PeerAuthentication> {
        by_age(self.policies().into_iter().map(|(p, _)| p))
    }

    /// The Secret `name` in `namespace`, if the input has it.
    pub fn secret(&self, namespace: &str, name: &str) -> Option<&Secret> {
        self.secrets()
            .into_iter()
            .find_map(|(s, origin)| (s.name == name && origin.namespace == namespace).then_some(s))
    }

    /// Whether istiod runs with ENABLE_TLS_ON_SIDECAR_INGRESS=true: known from outside, or an
    /// IstioOperator in the input sets it (read as Go's ParseBool reads istiod's environment).
    pub fn tls_flag(&self) -> bool {
        self.tls_flag_from_outside
            || self
                .install_configs()
                .into_iter()
                .any(|(operator, _)| install_sets_tls_flag(operator))
    }

    /// The objects alone, in input order (what `render` and `apply` write).
    pub fn manifests(&self) -> Vec<Manifest> {
        self.objects.iter().map(|o| o.manifest.clone()).collect()
    }
}

/// Whether an IstioOperator sets `values.pilot.env.ENABLE_TLS_ON_SIDECAR_INGRESS` to a true value.
pub fn install_sets_tls_flag(operator: &IstioOperator) -> bool {
    operator
        .spec
        .values
        .as_ref()
        .and_then(|v| v.pilot.as_ref())
        .and_then(|p| p.env.get(TLS_FLAG))
        .and_then(|v| parse_bool(v))
        .unwrap_or(false)
}
