//! Connecting to a cluster as kubectl does: `--kubeconfig`, else `KUBECONFIG` (several files,
//! merged first-wins), else `~/.kube/config`, else the in-cluster service account; `--context`
//! and `-n` on top. The result is a `Cluster`: a client plus the names errors should quote.
use std::env;
use std::fmt;
use std::path::{Path, PathBuf};

use ::kube::config::{KubeConfigOptions, Kubeconfig, KubeconfigError};
use ::kube::{Client, Config};

/// What the user asked for on the command line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConnectOptions {
    /// `-c/--kubeconfig`: this file only (kubectl does not merge it with `KUBECONFIG`).
    pub kubeconfig: Option<PathBuf>,
    /// `--context`; default: the kubeconfig's current-context.
    pub context: Option<String>,
    /// `-n/--namespace`; default: the context's namespace, else `default`.
    pub namespace: Option<String>,
}

/// Where the configuration was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigOrigin {
    Flag(PathBuf),
    Env(Vec<PathBuf>),
    Home(PathBuf),
    InCluster,
}

impl fmt::Display for ConfigOrigin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigOrigin::Flag(p) | ConfigOrigin::Home(p) => write!(f, "{}", p.display()),
            ConfigOrigin::Env(paths) => {
                let list: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
                write!(f, "KUBECONFIG={}", list.join(":"))
            }
            ConfigOrigin::InCluster => f.write_str("the in-cluster service account"),
        }
    }
}

/// A resolved connection: the configuration and the names to quote in messages.
#[derive(Clone)]
pub struct Cluster {
    pub config: Config,
    /// The context name (`in-cluster` inside a pod).
    pub context: String,
    pub server: String,
    /// `-n`, else the context's namespace, else `default`.
    pub namespace: String,
    pub origin: ConfigOrigin,
}

impl fmt::Debug for Cluster {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Cluster")
            .field("context", &self.context)
            .field("server", &self.server)
            .field("namespace", &self.namespace)
            .field("origin", &self.origin)
            .finish_non_exhaustive()
    }
}

impl Cluster {
    /// `context "kind-test" (server https://127.0.0.1:6443)`, for messages.
    pub fn describe(&self) -> String {
        format!("context {:?} (server {})", self.context, self.server)
    }

    /// A client for this target. Needs a Tokio runtime.
    pub fn client(&self) -> Result<Client, ConnectError> {
        // kube's rustls needs a process-wide provider; meshtls builds aws-lc-rs only.
        let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
        Client::try_from(self.config.clone()).map_err(|source| ConnectError::Client {
            target: self.describe(),
            source: Box::new(source),
        })
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error(
        "no kubeconfig found: set KUBECONFIG or pass --kubeconfig (looked for {home}; not running inside a cluster)"
    )]
    NoKubeconfig { home: String },
    #[error("reading kubeconfig {path}: {reason}")]
    Read { path: String, reason: String },
    #[error("merging kubeconfig {path} into the files before it: {reason}")]
    Merge { path: String, reason: String },
    #[error(
        "context {context:?} is not in the kubeconfig ({origin}); known contexts: {known}; pick one with --context"
    )]
    NoSuchContext {
        context: String,
        origin: String,
        known: String,
    },
    #[error(
        "the kubeconfig ({origin}) has no current-context; pass --context (known contexts: {known}) or run `kubectl config use-context NAME`"
    )]
    NoCurrentContext { origin: String, known: String },
    #[error(
        "context {context:?} in {origin} cannot be used: {reason}; fix its cluster and user entries (`kubectl config view --context {context}`)"
    )]
    Context {
        context: String,
        origin: String,
        reason: String,
    },
    #[error(
        "in-cluster configuration (KUBERNETES_SERVICE_HOST is set): {0}; outside a pod, unset KUBERNETES_SERVICE_HOST and set KUBECONFIG or pass --kubeconfig"
    )]
    InCluster(String),
    #[error("making a Kubernetes client for {target}")]
    Client {
        target: String,
        source: Box<::kube::Error>,
    },
}

/// kube's message without the repeats (its errors quote their sources).
fn reason(error: &KubeconfigError) -> String {
    super::flatten_error(error)
}

fn flatten(error: &::kube::config::InClusterError) -> String {
    super::flatten_error(error)
}

/// The kubeconfig files kubectl would read from a `KUBECONFIG` value: empty entries and files
/// that do not exist are skipped, as kubectl does.
pub fn env_paths(value: &std::ffi::OsStr) -> Vec<PathBuf> {
    env::split_paths(value)
        .filter(|p| !p.as_os_str().is_empty() && p.is_file())
        .collect()
}

/// Reads and merges kubeconfig files in order: the first file to set a value or name wins.
pub fn read_merged(paths: &[PathBuf]) -> Result<Kubeconfig, ConnectError> {
    paths
        .iter()
        .try_fold(Kubeconfig::default(), |merged, path| {
            let next = Kubeconfig::read_from(path).map_err(|e| ConnectError::Read {
                path: path.display().to_string(),
                reason: reason(&e),
            })?;
            merged.merge(next).map_err(|e| ConnectError::Merge {
                path: path.display().to_string(),
                reason: reason(&e),
            })
        })
}

fn home_config() -> Option<PathBuf> {
    env::var_os("HOME").map(|h| Path::new(&h).join(".kube").join("config"))
}

/// Finds the kubeconfig as kubectl does; `None` means "use in-cluster or fail".
fn locate(opts: &ConnectOptions) -> Result<Option<(Kubeconfig, ConfigOrigin)>, ConnectError> {
    if let Some(path) = &opts.kubeconfig {
        let config = read_merged(std::slice::from_ref(path))?;
        return Ok(Some((config, ConfigOrigin::Flag(path.clone()))));
    }
    if let Some(value) = env::var_os("KUBECONFIG") {
        let paths = env_paths(&value);
        if !paths.is_empty() {
            let config = read_merged(&paths)?;
            return Ok(Some((config, ConfigOrigin::Env(paths))));
        }
    }
    match home_config() {
        Some(path) if path.is_file() => {
            let config = read_merged(std::slice::from_ref(&path))?;
            Ok(Some((config, ConfigOrigin::Home(path))))
        }
        _ => Ok(None),
    }
}

/// The context a kubeconfig selects: `--context`, else current-context; checked to exist.
pub fn pick_context(
    config: &Kubeconfig,
    wanted: Option<&str>,
    origin: &ConfigOrigin,
) -> Result<String, ConnectError> {
    let known = || {
        let names: Vec<&str> = config.contexts.iter().map(|c| c.name.as_str()).collect();
        if names.is_empty() {
            "none".to_string()
        } else {
            names.join(", ")
        }
    };
    let name = match wanted.or(config.current_context.as_deref()) {
        Some(name) if !name.is_empty() => name.to_string(),
        _ => {
            return Err(ConnectError::NoCurrentContext {
                origin: origin.to_string(),
                known: known(),
            });
        }
    };
    if !config.contexts.iter().any(|c| c.name == name) {
        return Err(ConnectError::NoSuchContext {
            context: name,
            origin: origin.to_string(),
            known: known(),
        });
    }
    Ok(name)
}

/// Resolves the options into a `Cluster` (reads files; does not contact the server).
pub async fn resolve(opts: &ConnectOptions) -> Result<Cluster, ConnectError> {
    let (mut config, context, origin) = match locate(opts)? {
        Some((kubeconfig, origin)) => {
            let context = pick_context(&kubeconfig, opts.context.as_deref(), &origin)?;
            let options = KubeConfigOptions {
                context: Some(context.clone()),
                cluster: None,
                user: None,
            };
            let config = Config::from_custom_kubeconfig(kubeconfig, &options)
                .await
                .map_err(|e| ConnectError::Context {
                    context: context.clone(),
                    origin: origin.to_string(),
                    reason: reason(&e),
                })?;
            (config, context, origin)
        }
        None if env::var_os("KUBERNETES_SERVICE_HOST").is_some() => {
            let config = Config::incluster().map_err(|e| ConnectError::InCluster(flatten(&e)))?;
            (config, "in-cluster".to_string(), ConfigOrigin::InCluster)
        }
        None => {
            return Err(ConnectError::NoKubeconfig {
                home: home_config()
                    .map(|p| p.display().to_string())
                    .unwrap_or_else(|| "~/.kube/config".to_string()),
            });
        }
    };
    if let Some(ns) = &opts.namespace {
        config.default_namespace = ns.clone();
    }
    if config.default_namespace.is_empty() {
        config.default_namespace = "default".to_string();
    }
    Ok(Cluster {
        server: config
            .cluster_url
            .to_string()
            .trim_end_matches('/')
            .to_string(),
        namespace: config.default_namespace.clone(),
        config,
        context,
        origin,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kubeconfig(text: &str) -> Kubeconfig {
        Kubeconfig::from_yaml(text).expect("kubeconfig parses")
    }

    #[test]
    fn context_defaults_to_current_and_unknown_names_are_listed() {
        let config = kubeconfig(
            "apiVersion: v1\nkind: Config\ncurrent-context: a\ncontexts:\n- name: a\n  context: {cluster: c, user: u}\n- name: b\n  context: {cluster: c, user: u}\n",
        );
        let origin = ConfigOrigin::Flag(PathBuf::from("kc"));
        assert_eq!(pick_context(&config, None, &origin).expect("current"), "a");
        assert_eq!(pick_context(&config, Some("b"), &origin).expect("b"), "b");
        let err = pick_context(&config, Some("x"), &origin).expect_err("unknown");
        assert_eq!(
            err.to_string(),
            "context \"x\" is not in the kubeconfig (kc); known contexts: a, b; pick one with --context"
        );
        let none = kubeconfig("apiVersion: v1\nkind: Config\n");
        let err = pick_context(&none, None, &origin).expect_err("no current");
        assert!(err.to_string().contains("has no current-context"), "{err}");
    }
}
