//! `meshtls analyze`'s core: the findings (codes, levels, origins), the analyzed input, and the
//! checks that Istio itself never reports for sidecar TLS termination. Pure: no disk, no clock.
pub mod certs;
pub mod install;
pub mod mounts;
pub mod ports;
pub mod report;
pub mod selectors;
pub mod sidecars;
pub mod source;
pub mod tls_gates;

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::Service;
use serde::Serialize;
use time::OffsetDateTime;

use crate::k8s::secret::Secret;
use crate::mesh::peer_auth::PeerAuthentication;
use crate::mesh::policy::by_age;
use crate::mesh::select::{Workload, matches, pod_labels, sidecar_for};
use crate::mesh::sidecar::Sidecar;
use crate::render::manifest::Manifest;

/// How bad a finding is; the order is istioctl's (Info < Warning < Error).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum Level {
    Info,
    Warning,
    Error,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Info => "Info",
            Level::Warning => "Warning",
            Level::Error => "Error",
        }
    }
}

macro_rules! codes {
    ($($variant:ident = $id:literal, $level:ident, $title:literal;)*) => {
        /// Every meshtls analyzer code; each is documented in the README under its id.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
        pub enum Code { $($variant,)* }

        impl Code {
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            /// `MTLS0001`….
            pub fn id(self) -> &'static str {
                match self { $(Code::$variant => $id,)* }
            }

            pub fn level(self) -> Level {
                match self { $(Code::$variant => Level::$level,)* }
            }

            /// A short name, as istioctl gives its codes (`ReferencedResourceNotFound`).
            pub fn name(self) -> &'static str {
                match self { $(Code::$variant => stringify!($variant),)* }
            }

            pub fn title(self) -> &'static str {
                match self { $(Code::$variant => $title,)* }
            }
        }
    };
}

codes! {
    TlsFlagOff = "MTLS0001", Error, "sidecar ingress tls without ENABLE_TLS_ON_SIDECAR_INGRESS";
    TlsPortNotDisabled = "MTLS0002", Error, "tls on a port whose mTLS mode is not DISABLE";
    PermissivePlainPort = "MTLS0003", Warning, "a plain ingress port is PERMISSIVE";
    CertPathNotMounted = "MTLS0004", Error, "a tls path is under no userVolumeMount";
    BadVolumeAnnotation = "MTLS0005", Error, "userVolume/userVolumeMount annotation is invalid";
    SecretNotFound = "MTLS0006", Error, "a mounted Secret is not in the input";
    OptionalSecretMissing = "MTLS0007", Error, "optional: true hides a missing Secret";
    SecretKeyMissing = "MTLS0008", Error, "a Secret lacks the key a tls path reads";
    SelectorNotFound = "MTLS0009", Error, "a selector matches no Deployment";
    TargetPortNotIngress = "MTLS0010", Warning, "a Service targetPort is not a Sidecar ingress port";
    EndpointPortNotContainer = "MTLS0011", Warning, "a defaultEndpoint port is not a container port";
    ValidationError = "MTLS0012", Error, "Istio or its CRD schema rejects the resource";
    ValidationWarning = "MTLS0013", Warning, "Istio warns about the resource";
    CertNameMismatch = "MTLS0014", Error, "the server certificate does not cover the Service's name";
    CertCnOnly = "MTLS0015", Warning, "the server certificate names the host in its CN only";
    CertExpired = "MTLS0016", Error, "a certificate is expired or not yet valid";
    CertExpiresSoon = "MTLS0017", Warning, "a certificate expires within 30 days";
    KeyMismatch = "MTLS0018", Error, "a private key does not match its certificate";
    CertNotSignedByCa = "MTLS0019", Error, "a certificate is not signed by the CA";
    CertV1 = "MTLS0020", Warning, "a leaf certificate is X.509 v1";
    CertUnreadable = "MTLS0021", Error, "certificate or key data cannot be read";
    ConflictingSidecars = "MTLS0022", Error, "several Sidecars select the same workload (IST0110)";
    MultipleDefaultSidecars = "MTLS0023", Error, "several Sidecars have no selector (IST0111)";
}

impl Code {
    /// The README anchor that documents the code.
    pub fn documentation(self) -> String {
        format!("README.md#{}", self.id().to_ascii_lowercase())
    }
}

/// The resource (or certificate file) a finding is about, and where it was read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    pub kind: String,
    /// Empty for cluster-scoped objects and certificate files.
    pub namespace: String,
    pub name: String,
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

/// One finding: `<Level> [<CODE>] (<origin>) <message>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub code: Code,
    pub level: Level,
    pub origin: Origin,
    pub message: String,
}

impl Finding {
    pub fn new(code: Code, origin: &Origin, message: impl Into<String>) -> Finding {
        Finding {
            code,
            level: code.level(),
            origin: origin.clone(),
            message: message.into(),
        }
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} [{}] ({}) {}",
            self.level.as_str(),
            self.code.id(),
            self.origin,
            self.message
        )
    }
}

/// `--suppress CODE=Kind/ns/name` (or `CODE=Kind/name`); `*` in any part matches anything, and a
/// part may start or end with `*`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suppression {
    code: String,
    kind: String,
    namespace: String,
    name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not CODE=Kind/namespace/name (e.g. MTLS0003=Sidecar/test/ingress-sidecar)")]
pub struct SuppressionError(String);

impl FromStr for Suppression {
    type Err = SuppressionError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let bad = || SuppressionError(text.to_string());
        let (code, resource) = text.split_once('=').ok_or_else(bad)?;
        let parts: Vec<&str> = resource.trim().split('/').collect();
        let (kind, namespace, name) = match parts.as_slice() {
            [kind, name] => (*kind, "", *name),
            [kind, namespace, name] => (*kind, *namespace, *name),
            _ => return Err(bad()),
        };
        if code.trim().is_empty() || kind.is_empty() || name.is_empty() {
            return Err(bad());
        }
        Ok(Suppression {
            code: code.trim().to_string(),
            kind: kind.to_string(),
            namespace: namespace.to_string(),
            name: name.to_string(),
        })
    }
}

fn glob(pattern: &str, text: &str) -> bool {
    if pattern == "*" {
        true
    } else if let Some(suffix) = pattern.strip_prefix('*') {
        text.ends_with(suffix)
    } else if let Some(prefix) = pattern.strip_suffix('*') {
        text.starts_with(prefix)
    } else {
        pattern == text
    }
}

impl Suppression {
    pub fn matches(&self, finding: &Finding) -> bool {
        let origin = &finding.origin;
        glob(&self.code, finding.code.id())
            && (self.kind == "*" || self.kind.eq_ignore_ascii_case(&origin.kind))
            && glob(&self.namespace, &origin.namespace)
            && glob(&self.name, &origin.name)
    }
}

/// One object of the input with where it came from.
#[derive(Debug, Clone)]
pub struct Object {
    pub manifest: Manifest,
    pub origin: Origin,
}

/// A certificate file from `--certs DIR`, with the key file of the same stem if there is one.
#[derive(Debug, Clone)]
pub struct CertFile {
    pub name: String,
    pub bytes: Vec<u8>,
    pub key: Option<(String, Vec<u8>)>,
}

/// Everything analyzed: the typed objects (namespaces defaulted), the install config given with
/// `--istio-install`, the certificate files, and the instant validity is judged at.
#[derive(Debug, Clone)]
pub struct Input {
    pub objects: Vec<Object>,
    /// What reading found: `meshtls validate`'s findings (check 8).
    pub validation: Vec<Finding>,
    /// `--istio-install` turns ENABLE_TLS_ON_SIDECAR_INGRESS on.
    pub install_flag: bool,
    pub cert_files: Vec<CertFile>,
    pub now: OffsetDateTime,
}

/// A Deployment and the Sidecar that applies to it, as istiod picks it.
pub struct Applied<'a> {
    pub workload: Workload<'a>,
    pub deployment: &'a Origin,
    pub sidecar: &'a Sidecar,
    pub sidecar_origin: &'a Origin,
}

impl Input {
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

    /// PeerAuthentications oldest first, as `effective_mode` wants them.
    pub fn policies_by_age(&self) -> Vec<&PeerAuthentication> {
        by_age(self.policies().into_iter().map(|(p, _)| p))
    }

    pub fn manifests(&self) -> Vec<Manifest> {
        self.objects.iter().map(|o| o.manifest.clone()).collect()
    }

    /// Every Deployment with the Sidecar that applies to it (those without one are left out).
    pub fn applied(&self) -> Vec<Applied<'_>> {
        let sidecars = self.sidecars();
        let only: Vec<&Sidecar> = sidecars.iter().map(|(s, _)| *s).collect();
        self.deployments()
            .into_iter()
            .filter_map(|(deployment, origin)| {
                let workload = workload(deployment, origin);
                let sidecar = sidecar_for(&only, &workload).ok()?;
                let sidecar_origin = sidecars
                    .iter()
                    .find(|(s, _)| std::ptr::eq(*s, sidecar))
                    .map(|(_, o)| *o)?;
                Some(Applied {
                    workload,
                    deployment: origin,
                    sidecar,
                    sidecar_origin,
                })
            })
            .collect()
    }
}

/// A Deployment as a workload (its namespace was defaulted when it was read).
pub fn workload<'a>(deployment: &'a Deployment, origin: &Origin) -> Workload<'a> {
    Workload {
        deployment,
        namespace: origin.namespace.clone(),
        name: origin.name.clone(),
        labels: pod_labels(deployment),
    }
}

pub use crate::mesh::select::selector_text;

/// Whether a non-empty `selector` picks the pod with `labels` (an empty one selects nothing here).
pub fn selects(selector: &BTreeMap<String, String>, labels: &BTreeMap<String, String>) -> bool {
    !selector.is_empty() && matches(selector, labels)
}

/// Runs every check over `input` (validation, check 8, was done while reading). Findings come in
/// check order, then input order.
pub fn analyze(input: &Input) -> Vec<Finding> {
    let mut findings = Vec::new();
    install::check(input, &mut findings);
    tls_gates::check(input, &mut findings);
    mounts::check(input, &mut findings);
    selectors::check(input, &mut findings);
    ports::check(input, &mut findings);
    findings.extend(input.validation.iter().cloned());
    certs::check(input, &mut findings);
    sidecars::check(input, &mut findings);
    findings
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding() -> Finding {
        Finding::new(
            Code::PermissivePlainPort,
            &Origin {
                kind: "Sidecar".into(),
                namespace: "test".into(),
                name: "ingress-sidecar".into(),
                file: Some("task.yaml".into()),
                line: Some(7),
            },
            "m",
        )
    }

    #[test]
    fn line_format_is_istioctls() {
        assert_eq!(
            finding().to_string(),
            "Warning [MTLS0003] (Sidecar test/ingress-sidecar task.yaml:7) m"
        );
    }

    #[test]
    fn suppressions_match_code_and_resource() {
        let exact: Suppression = "MTLS0003=Sidecar/test/ingress-sidecar".parse().unwrap();
        assert!(exact.matches(&finding()));
        let wild: Suppression = "MTLS0003=Sidecar/*/ingress-*".parse().unwrap();
        assert!(wild.matches(&finding()));
        let other: Suppression = "MTLS0002=Sidecar/test/ingress-sidecar".parse().unwrap();
        assert!(!other.matches(&finding()));
        assert!("MTLS0003".parse::<Suppression>().is_err());
        assert!("MTLS0003=Sidecar".parse::<Suppression>().is_err());
    }

    #[test]
    fn codes_are_numbered_in_order() {
        for (i, code) in Code::ALL.iter().enumerate() {
            assert_eq!(code.id(), format!("MTLS{:04}", i + 1));
        }
    }
}
