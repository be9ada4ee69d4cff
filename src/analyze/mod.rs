//! `meshtls analyze`'s core: the findings (codes, levels, origins), the analyzed input, and the
//! checks that Istio itself never reports for sidecar TLS termination. Pure: no disk, no clock.
pub mod certs;
pub mod install;
pub mod mounts;
pub mod ports;
pub mod report;
pub mod selectors;
pub mod sidecars;
pub mod tls_gates;
pub mod validation;

use std::fmt;
use std::str::FromStr;

use time::OffsetDateTime;

pub use crate::task::Origin;
use crate::task::Task;

pub use crate::mesh::validate::Level;

macro_rules! codes {
    ($($variant:ident = $id:literal, $level:ident, $title:literal;)*) => {
        /// Every meshtls analyzer code; each is documented in `explain/<ID>.md` (`--explain`).
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

            /// The code's documentation (cause and fix), `analyze --explain`'s text; the README's
            /// analyzer-code sections are checked against it.
            pub fn explanation(self) -> &'static str {
                match self {
                    $(Code::$variant => include_str!(concat!("explain/", $id, ".md")),)*
                }
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
    KeyNotLoadable = "MTLS0024", Warning, "a private key the real istio-proxy (Envoy) cannot load";
}

impl Code {
    /// Where the code is documented for an installed binary: its own `--explain`.
    pub fn documentation(self) -> String {
        format!("run `meshtls analyze --explain {}`", self.id())
    }

    /// istio.io's page for the codes that are istioctl's own (IST0110, IST0111); none for the rest.
    pub fn documentation_url(self) -> Option<&'static str> {
        match self {
            Code::ConflictingSidecars => {
                Some("https://istio.io/latest/docs/reference/config/analysis/ist0110/")
            }
            Code::MultipleDefaultSidecars => {
                Some("https://istio.io/latest/docs/reference/config/analysis/ist0111/")
            }
            _ => None,
        }
    }

    /// `analyze --explain`'s page: the id, name, level and title, then the documentation.
    pub fn explain(self) -> String {
        let mut text = format!(
            "{} {} ({}): {}\n\n{}",
            self.id(),
            self.name(),
            self.level().as_str(),
            self.title(),
            self.explanation()
        );
        if let Some(url) = self.documentation_url() {
            text.push_str(&format!("\nSee also {url}\n"));
        }
        text
    }
}

/// A code given by id (`MTLS0001`, any case) or by name (`TlsFlagOff`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is no meshtls analyzer code; the codes are MTLS0001 to MTLS{last:04}", last = Code::ALL.len())]
pub struct UnknownCode(String);

impl FromStr for Code {
    type Err = UnknownCode;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let text = text.trim();
        Code::ALL
            .iter()
            .copied()
            .find(|c| c.id().eq_ignore_ascii_case(text) || c.name().eq_ignore_ascii_case(text))
            .ok_or_else(|| UnknownCode(text.to_string()))
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
            // Messages quote the input (names, parser errors): made safe once, here.
            message: crate::redact::message_within(&message.into(), 1200),
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

/// `--suppress CODE=Kind/ns/name` (or `CODE=Kind/name`, or `CODE=*` for every resource); `*` in
/// any part matches anything, and a part may start or end with `*`.
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
            // `CODE=*`: every resource.
            ["*"] => ("*", "*", "*"),
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

/// A certificate file from `--certs DIR`, with the key file of the same stem if there is one.
#[derive(Debug, Clone)]
pub struct CertFile {
    pub name: String,
    pub bytes: Vec<u8>,
    pub key: Option<(String, Vec<u8>)>,
}

/// Everything analyzed: the task (namespaces defaulted, istiod's flag known from
/// `--istio-install` or the cluster), the certificate files, and the instant validity is judged at.
#[derive(Debug, Clone)]
pub struct Input {
    pub task: Task,
    /// What reading found: `meshtls validate`'s findings (check 8).
    pub validation: Vec<Finding>,
    pub cert_files: Vec<CertFile>,
    pub now: OffsetDateTime,
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
        // Issue 17: `CODE=*` is every resource.
        let all: Suppression = "MTLS0003=*".parse().unwrap();
        assert!(all.matches(&finding()));
        let every: Suppression = "*=*".parse().unwrap();
        assert!(every.matches(&finding()));
    }

    #[test]
    fn every_code_explains_itself() {
        for code in Code::ALL {
            let text = code.explain();
            assert!(text.starts_with(code.id()), "{text}");
            assert!(code.explanation().contains("**Fix:**"), "{}", code.id());
            assert_eq!(code.id().parse::<Code>(), Ok(*code));
            assert_eq!(code.name().to_lowercase().parse::<Code>(), Ok(*code));
        }
        assert!("MTLS9999".parse::<Code>().is_err());
    }

    #[test]
    fn codes_are_numbered_in_order() {
        for (i, code) in Code::ALL.iter().enumerate() {
            assert_eq!(code.id(), format!("MTLS{:04}", i + 1));
        }
    }
}
