//! Where a config dump comes from: a file, stdin, a local admin endpoint, or a pod (through a
//! Kubernetes port-forward, in `kube::portforward`). `load` turns the local ones into a parsed
//! SecretsDump; `parse_pod_answer` reads a pod's.
use std::fmt;
use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::PathBuf;

use super::DumpError;
use super::admin::{self, AdminAddr, AdminError, Timeouts};
use super::model::{SecretsDump, parse_reader, parse_slice};

/// The admin path istioctl queries: only the secrets part of the dump.
pub const SECRETS_PATH: &str = "/config_dump?mask=dynamic_active_secrets,dynamic_warming_secrets";

/// istioctl's message when no input is named (or more than one), plus meshtls' third source.
pub const NEED_INPUT: &str = "secret requires pod name or --file parameter (or --admin HOST:PORT for a local proxy, e.g. `meshtls proxy`'s 127.0.0.1:15000)";

/// One input, resolved from the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    File(PathBuf),
    Stdin,
    Admin(AdminAddr),
    Pod(PodRef),
}

/// What kind of object a pod argument names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PodKind {
    Pod,
    Deployment,
}

/// `POD[.NS]` or `deployment/NAME[.NS]`, plus the proxy admin port to forward to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PodRef {
    pub kind: PodKind,
    pub name: String,
    pub namespace: String,
    pub admin_port: u16,
}

impl PodRef {
    /// Parses a pod argument; the namespace is split off at the **last** dot, as istioctl does,
    /// and defaults to `default_namespace`.
    pub fn parse(
        text: &str,
        default_namespace: &str,
        admin_port: u16,
    ) -> Result<PodRef, SourceError> {
        let bad = |reason: &str| SourceError::BadPod {
            arg: text.to_string(),
            reason: reason.to_string(),
        };
        let (kind, rest) = match text.split_once('/') {
            None => (PodKind::Pod, text),
            Some(("pod" | "pods" | "po", rest)) => (PodKind::Pod, rest),
            Some(("deployment" | "deployments" | "deploy", rest)) => (PodKind::Deployment, rest),
            Some((other, _)) => {
                return Err(bad(&format!(
                    "unsupported kind {other:?}; use a pod name or deployment/NAME"
                )));
            }
        };
        let (name, namespace) = match rest.rsplit_once('.') {
            Some((name, ns)) => (name, ns),
            None => (rest, default_namespace),
        };
        if name.is_empty() || namespace.is_empty() {
            return Err(bad("the name and the namespace must not be empty"));
        }
        Ok(PodRef {
            kind,
            name: name.to_string(),
            namespace: namespace.to_string(),
            admin_port,
        })
    }
}

impl fmt::Display for PodRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.kind {
            PodKind::Pod => "pod",
            PodKind::Deployment => "deployment",
        };
        write!(f, "{kind}/{} in namespace {}", self.name, self.namespace)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error("{NEED_INPUT}")]
    NeedInput,
    #[error("invalid pod {arg:?}: {reason}")]
    BadPod { arg: String, reason: String },
    #[error("reading {path}")]
    Read { path: String, source: io::Error },
    #[error(transparent)]
    Admin(#[from] AdminError),
    /// `load` reads no cluster (the command goes through `kube::portforward`); offer the workarounds.
    #[error(
        "cannot read the config dump of {pod} without cluster access; \
         forward its admin port yourself (`kubectl port-forward -n {ns} {kind}/{name} {port}`) and pass \
         --admin 127.0.0.1:{port}, or save a dump (`kubectl exec -n {ns} {kind}/{name} -c istio-proxy -- \
         pilot-agent request GET config_dump > dump.json`) and pass -f dump.json",
        ns = pod.namespace, name = pod.name, port = pod.admin_port,
        kind = if pod.kind == PodKind::Deployment { "deployment" } else { "pod" }
    )]
    ClusterUnavailable { pod: PodRef },
    /// istioctl prints this one bare; keep its exact text.
    #[error(
        "config dump has no configuration type {}",
        crate::envoy::secrets::SECRETS_CONFIG_DUMP_TYPE
    )]
    NoSecretsConfigDump,
    #[error("reading the config dump from {origin}")]
    Dump { origin: String, source: DumpError },
    #[error("GET {SECRETS_PATH} from {origin} answered HTTP {status}: {body}")]
    PodStatus {
        origin: String,
        status: u16,
        body: String,
    },
}

/// Reads a pod admin's answer to `SECRETS_PATH` (fetched through a port-forward): 200 is a
/// dump; Envoy's 400 for a mask that fits nothing means there is no SecretsConfigDump.
pub fn parse_pod_answer(
    pod: &PodRef,
    status: u16,
    body: &[u8],
) -> Result<SecretsDump, SourceError> {
    let parsed = match status {
        200 => parse_slice(body),
        400 if String::from_utf8_lossy(body).contains("could not be successfully applied") => {
            Err(DumpError::NoSecretsConfigDump)
        }
        status => {
            return Err(SourceError::PodStatus {
                origin: pod.to_string(),
                status,
                body: String::from_utf8_lossy(body)
                    .trim()
                    .chars()
                    .take(200)
                    .collect(),
            });
        }
    };
    parsed.map_err(|e| match e {
        DumpError::NoSecretsConfigDump => SourceError::NoSecretsConfigDump,
        other => SourceError::Dump {
            origin: pod.to_string(),
            source: other,
        },
    })
}

impl Source {
    /// Exactly one of a pod argument, `-f FILE|-` and `--admin HOST:PORT`.
    pub fn resolve(
        pod: Option<&str>,
        file: Option<PathBuf>,
        admin: Option<&str>,
        namespace: &str,
        admin_port: u16,
    ) -> Result<Source, SourceError> {
        match (pod, file, admin) {
            (Some(pod), None, None) => Ok(Source::Pod(PodRef::parse(pod, namespace, admin_port)?)),
            (None, Some(path), None) if path.as_os_str() == "-" => Ok(Source::Stdin),
            (None, Some(path), None) => Ok(Source::File(path)),
            (None, None, Some(addr)) => Ok(Source::Admin(AdminAddr::parse(addr)?)),
            _ => Err(SourceError::NeedInput),
        }
    }

    /// Where the dump came from, for messages.
    pub fn origin(&self) -> String {
        match self {
            Source::File(path) => path.display().to_string(),
            Source::Stdin => "stdin".to_string(),
            Source::Admin(addr) => format!("http://{addr}{SECRETS_PATH}"),
            Source::Pod(pod) => pod.to_string(),
        }
    }
}

/// Reads and parses the dump. Files and stdin are streamed; an admin answer is read whole.
pub fn load(
    source: &Source,
    stdin: impl Read,
    timeouts: Timeouts,
) -> Result<SecretsDump, SourceError> {
    let parsed = match source {
        Source::File(path) => {
            let file = File::open(path).map_err(|e| SourceError::Read {
                path: path.display().to_string(),
                source: e,
            })?;
            parse_reader(BufReader::with_capacity(1 << 20, file))
        }
        Source::Stdin => parse_reader(BufReader::with_capacity(1 << 20, stdin)),
        Source::Admin(addr) => {
            let response = admin::get(addr, SECRETS_PATH, timeouts)?;
            match response.status {
                200 => parse_slice(&response.body),
                // Envoy answers 400 when the mask matches no config: no SecretsConfigDump.
                400 if String::from_utf8_lossy(&response.body)
                    .contains("could not be successfully applied") =>
                {
                    Err(DumpError::NoSecretsConfigDump)
                }
                status => {
                    let body = String::from_utf8_lossy(&response.body)
                        .trim()
                        .chars()
                        .take(200)
                        .collect();
                    let path = SECRETS_PATH.to_string();
                    return Err(AdminError::Status {
                        addr: addr.clone(),
                        path,
                        status,
                        body,
                    }
                    .into());
                }
            }
        }
        Source::Pod(pod) => return Err(SourceError::ClusterUnavailable { pod: pod.clone() }),
    };
    parsed.map_err(|e| match e {
        DumpError::NoSecretsConfigDump => SourceError::NoSecretsConfigDump,
        other => SourceError::Dump {
            origin: source.origin(),
            source: other,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pod_arguments_split_the_namespace_at_the_last_dot() {
        let pod = PodRef::parse("httpbin-5bbdbd6588-z9vbs.test", "default", 15000).expect("parses");
        assert_eq!(
            (pod.kind, pod.name.as_str(), pod.namespace.as_str()),
            (PodKind::Pod, "httpbin-5bbdbd6588-z9vbs", "test")
        );
        let dep = PodRef::parse("deployment/my.app.prod", "default", 15000).expect("parses");
        assert_eq!(
            (dep.kind, dep.name.as_str(), dep.namespace.as_str()),
            (PodKind::Deployment, "my.app", "prod")
        );
        let bare = PodRef::parse("httpbin", "test", 15000).expect("parses");
        assert_eq!(bare.namespace, "test");
        assert!(PodRef::parse("svc/x", "default", 15000).is_err());
        assert!(PodRef::parse("x.", "default", 15000).is_err());
    }

    #[test]
    fn exactly_one_input() {
        let resolve = |pod, file: Option<&str>, admin| {
            Source::resolve(pod, file.map(PathBuf::from), admin, "default", 15000)
        };
        assert!(matches!(
            resolve(None, None, None),
            Err(SourceError::NeedInput)
        ));
        assert!(matches!(
            resolve(Some("p"), Some("f"), None),
            Err(SourceError::NeedInput)
        ));
        assert!(matches!(resolve(None, Some("-"), None), Ok(Source::Stdin)));
        assert!(matches!(
            resolve(None, None, Some("127.0.0.1:15000")),
            Ok(Source::Admin(_))
        ));
        let pod = resolve(Some("deployment/httpbin.test"), None, None).expect("pod source");
        let err = load(&pod, &b""[..], Timeouts::default()).expect_err("no cluster access yet");
        assert!(
            err.to_string()
                .contains("kubectl port-forward -n test deployment/httpbin 15000"),
            "{err}"
        );
    }
}
