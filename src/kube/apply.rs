//! Server-side apply of a multi-document stream, as `kubectl apply --server-side`: every
//! document's kind is resolved by discovery first (nothing is sent if one is not served),
//! then each is PATCHed as `application/apply-patch+yaml` with field manager `meshtls`.
use std::fmt;

use ::kube::Error as KubeError;
use ::kube::api::{Api, DynamicObject, Patch, PatchParams};
use serde_json::Value;

use super::connect::ConnectOptions;
use super::discovery::{DiscoveryError, Resolver, Served, TypeKey};
use crate::output::Printer;

/// The field manager meshtls applies as; `cleanup` deletes only objects it manages.
pub const FIELD_MANAGER: &str = "meshtls";

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ApplyOptions {
    /// `--dry-run=server`: the server checks and answers, and stores nothing.
    pub server_dry_run: bool,
    /// `--force-conflicts`: take over fields another manager owns.
    pub force_conflicts: bool,
}

/// One applied object, printed as kubectl does.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Applied {
    /// `sidecar.networking.istio.io/ingress-sidecar`
    pub object: String,
    pub server_dry_run: bool,
}

impl fmt::Display for Applied {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} serverside-applied", self.object)?;
        if self.server_dry_run {
            f.write_str(" (server dry run)")?;
        }
        Ok(())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    #[error("document {index}: {field} is missing")]
    MissingField { index: usize, field: &'static str },
    #[error(
        "document {index}: the namespace from the provided object {object:?} does not match the namespace {flag:?}; pass --namespace={object} or remove metadata.namespace"
    )]
    NamespaceMismatch {
        index: usize,
        object: String,
        flag: String,
    },
    #[error("document {index}")]
    Discovery {
        index: usize,
        source: DiscoveryError,
    },
    #[error(
        "applying {object}: {message}; another field manager owns these fields: pass --force-conflicts to take them over"
    )]
    Conflict { object: String, message: String },
    #[error("applying {object}")]
    Apply {
        object: String,
        source: Box<KubeError>,
    },
}

/// A document ready to send: where it goes and its body.
struct Planned {
    served: Served,
    namespace: Option<String>,
    name: String,
    body: Value,
}

fn text<'a>(value: &'a Value, pointer: &str) -> Option<&'a str> {
    value
        .pointer(pointer)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
}

/// Applies `docs` in order, calling `on_applied` after each (kubectl prints as it goes). `namespace` is the default for namespaced objects that set none;
/// `explicit` says whether the user passed `-n` (then a different namespace in a document is an
/// error, as in kubectl).
pub async fn apply_all(
    resolver: &mut Resolver,
    docs: Vec<Value>,
    namespace: &str,
    explicit: bool,
    options: ApplyOptions,
    on_applied: &mut dyn FnMut(&Applied),
) -> Result<Vec<Applied>, ApplyError> {
    let mut planned = Vec::with_capacity(docs.len());
    for (i, mut body) in docs.into_iter().enumerate() {
        let index = i + 1;
        let missing = |field| ApplyError::MissingField { index, field };
        let api_version = text(&body, "/apiVersion").ok_or_else(|| missing("apiVersion"))?;
        let kind = text(&body, "/kind").ok_or_else(|| missing("kind"))?;
        let name = text(&body, "/metadata/name")
            .ok_or_else(|| missing("metadata.name"))?
            .to_string();
        let key = TypeKey::new(api_version, kind);
        let served = resolver
            .resolve(&key)
            .await
            .map_err(|source| ApplyError::Discovery { index, source })?;
        let namespace = if served.namespaced {
            let ns = match text(&body, "/metadata/namespace") {
                Some(ns) if explicit && ns != namespace => {
                    return Err(ApplyError::NamespaceMismatch {
                        index,
                        object: ns.to_string(),
                        flag: namespace.to_string(),
                    });
                }
                Some(ns) => ns.to_string(),
                None => namespace.to_string(),
            };
            if let Some(meta) = body.get_mut("metadata").and_then(Value::as_object_mut) {
                meta.insert("namespace".to_string(), Value::String(ns.clone()));
            }
            Some(ns)
        } else {
            None
        };
        planned.push(Planned {
            served,
            namespace,
            name,
            body,
        });
    }

    let mut params = PatchParams::apply(FIELD_MANAGER);
    params.force = options.force_conflicts;
    params.dry_run = options.server_dry_run;
    let mut applied = Vec::with_capacity(planned.len());
    for plan in planned {
        let api: Api<DynamicObject> = match &plan.namespace {
            Some(ns) => Api::namespaced_with(resolver.client().clone(), ns, &plan.served.resource),
            None => Api::all_with(resolver.client().clone(), &plan.served.resource),
        };
        let object = format!("{}/{}", plan.served.kubectl_name(), plan.name);
        match api
            .patch(&plan.name, &params, &Patch::Apply(&plan.body))
            .await
        {
            Ok(_) => {
                let done = Applied {
                    object,
                    server_dry_run: options.server_dry_run,
                };
                on_applied(&done);
                applied.push(done);
            }
            Err(KubeError::Api(status)) if status.code == 409 => {
                return Err(ApplyError::Conflict {
                    object,
                    message: status.message,
                });
            }
            Err(e) => {
                return Err(ApplyError::Apply {
                    object,
                    source: Box::new(e),
                });
            }
        }
    }
    Ok(applied)
}
/// Connects, then applies `docs` in order, printing one kubectl line per object as it goes.
pub fn apply_documents(
    opts: &ConnectOptions,
    docs: Vec<Value>,
    options: ApplyOptions,
    printer: &mut Printer,
) -> anyhow::Result<()> {
    apply_documents_reporting(opts, docs, options, &mut |applied| {
        printer.line(&applied.to_string())
    })
}

/// As `apply_documents`, handing each applied object to `report` (e.g. to print JSON at the end).
pub fn apply_documents_reporting(
    opts: &ConnectOptions,
    docs: Vec<Value>,
    options: ApplyOptions,
    report: &mut dyn FnMut(&Applied) -> std::io::Result<()>,
) -> anyhow::Result<()> {
    let explicit = opts.namespace.is_some();
    super::with_cluster(opts, |client, cluster| async move {
        let mut resolver = Resolver::new(client);
        let mut write_error = None;
        let mut print = |applied: &Applied| {
            if let Err(e) = report(applied) {
                write_error.get_or_insert(e);
            }
        };
        let result = apply_all(
            &mut resolver,
            docs,
            &cluster.namespace,
            explicit,
            options,
            &mut print,
        )
        .await;
        if let Some(e) = write_error {
            return Err(e.into());
        }
        result.map(|_| ()).map_err(Into::into)
    })
}
