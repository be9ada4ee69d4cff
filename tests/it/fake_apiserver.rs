//! An in-process fake Kubernetes API server on 127.0.0.1: real HTTP, real paths and verbs
//! (discovery, GET/LIST, server-side apply PATCH, DELETE) and `pods/exec` / `pods/portforward`
//! over WebSocket with the channel protocol kube-client speaks. Cluster mode is tested here.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use futures::{SinkExt, StreamExt};
use http::{Method, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;
use tokio_tungstenite::tungstenite::protocol::Role;

/// One REST resource the fake serves.
struct Kind {
    group: &'static str,
    versions: &'static [&'static str],
    plural: &'static str,
    kind: &'static str,
    namespaced: bool,
    istio: bool,
}

const KINDS: &[Kind] = &[
    Kind {
        group: "",
        versions: &["v1"],
        plural: "namespaces",
        kind: "Namespace",
        namespaced: false,
        istio: false,
    },
    Kind {
        group: "",
        versions: &["v1"],
        plural: "secrets",
        kind: "Secret",
        namespaced: true,
        istio: false,
    },
    Kind {
        group: "",
        versions: &["v1"],
        plural: "services",
        kind: "Service",
        namespaced: true,
        istio: false,
    },
    Kind {
        group: "",
        versions: &["v1"],
        plural: "serviceaccounts",
        kind: "ServiceAccount",
        namespaced: true,
        istio: false,
    },
    Kind {
        group: "",
        versions: &["v1"],
        plural: "configmaps",
        kind: "ConfigMap",
        namespaced: true,
        istio: false,
    },
    Kind {
        group: "",
        versions: &["v1"],
        plural: "pods",
        kind: "Pod",
        namespaced: true,
        istio: false,
    },
    Kind {
        group: "apps",
        versions: &["v1"],
        plural: "deployments",
        kind: "Deployment",
        namespaced: true,
        istio: false,
    },
    Kind {
        group: "apps",
        versions: &["v1"],
        plural: "statefulsets",
        kind: "StatefulSet",
        namespaced: true,
        istio: false,
    },
    Kind {
        group: "apps",
        versions: &["v1"],
        plural: "daemonsets",
        kind: "DaemonSet",
        namespaced: true,
        istio: false,
    },
    Kind {
        group: "networking.istio.io",
        versions: &["v1", "v1beta1", "v1alpha3"],
        plural: "sidecars",
        kind: "Sidecar",
        namespaced: true,
        istio: true,
    },
    Kind {
        group: "security.istio.io",
        versions: &["v1", "v1beta1"],
        plural: "peerauthentications",
        kind: "PeerAuthentication",
        namespaced: true,
        istio: true,
    },
];

fn kind_by_kind(kind: &str) -> Option<&'static Kind> {
    KINDS.iter().find(|k| k.kind == kind)
}

/// (group, plural, namespace, name)
type Key = (String, String, String, String);

#[derive(Default)]
struct State {
    istio: bool,
    objects: BTreeMap<Key, Value>,
    /// Where `pods/portforward` connects (the proxy's admin, in the test process).
    admin: Option<SocketAddr>,
    /// Where `pods/exec` runs commands: `<root>/<namespace>/<pod>/` is the working folder.
    exec_root: Option<PathBuf>,
    /// Every request, `METHOD path?query`.
    log: Vec<String>,
    next_version: u64,
}

/// The fake server; stops when dropped.
pub struct FakeApiServer {
    pub addr: SocketAddr,
    state: Arc<Mutex<State>>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Drop for FakeApiServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl FakeApiServer {
    /// Starts a server; `istio` says whether the Istio CRDs are served.
    pub fn start(istio: bool) -> FakeApiServer {
        let state = Arc::new(Mutex::new(State {
            istio,
            ..State::default()
        }));
        let (addr_tx, addr_rx) = std::sync::mpsc::channel();
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let shared = state.clone();
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                    .await
                    .expect("bind loopback");
                addr_tx
                    .send(listener.local_addr().expect("addr"))
                    .expect("send addr");
                let mut stop_rx = stop_rx;
                loop {
                    tokio::select! {
                        _ = &mut stop_rx => break,
                        accepted = listener.accept() => {
                            let Ok((tcp, _)) = accepted else { continue };
                            let state = shared.clone();
                            tokio::spawn(async move {
                                let service = hyper::service::service_fn(move |req| {
                                    let state = state.clone();
                                    async move { Ok::<_, Infallible>(handle(state, req).await) }
                                });
                                let _ = hyper::server::conn::http1::Builder::new()
                                    .serve_connection(TokioIo::new(tcp), service)
                                    .with_upgrades()
                                    .await;
                            });
                        }
                    }
                }
            });
        });
        let addr = addr_rx
            .recv_timeout(Duration::from_secs(10))
            .expect("fake API server started");
        let server = FakeApiServer {
            addr,
            state,
            stop: Some(stop_tx),
            thread: Some(thread),
        };
        for ns in ["default", "kube-system", "istio-system"] {
            server
                .insert(json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}}));
        }
        server
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stores an object as if someone else (manager `kubectl-client-side-apply`) made it.
    pub fn insert(&self, mut object: Value) {
        let kind = object["kind"]
            .as_str()
            .and_then(kind_by_kind)
            .expect("known kind");
        let ns = object["metadata"]["namespace"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let name = object["metadata"]["name"]
            .as_str()
            .expect("name")
            .to_string();
        let mut state = self.state.lock().expect("state");
        state.next_version += 1;
        let api_version = object["apiVersion"].clone();
        let meta = &mut object["metadata"];
        meta["uid"] = json!(format!("uid-{}", state.next_version));
        meta["resourceVersion"] = json!(state.next_version.to_string());
        meta["creationTimestamp"] = json!("2026-11-28T10:00:00Z");
        if meta.get("managedFields").is_none() {
            meta["managedFields"] = json!([{"manager": "kubectl-client-side-apply", "operation": "Update", "apiVersion": api_version, "fieldsType": "FieldsV1", "fieldsV1": {}}]);
        }
        let ns = if kind.namespaced { ns } else { String::new() };
        state.objects.insert(
            (kind.group.to_string(), kind.plural.to_string(), ns, name),
            object,
        );
    }

    pub fn get(&self, kind: &str, namespace: &str, name: &str) -> Option<Value> {
        let kind = kind_by_kind(kind)?;
        let ns = if kind.namespaced { namespace } else { "" };
        self.state
            .lock()
            .expect("state")
            .objects
            .get(&(
                kind.group.to_string(),
                kind.plural.to_string(),
                ns.to_string(),
                name.to_string(),
            ))
            .cloned()
    }

    pub fn count(&self) -> usize {
        self.state.lock().expect("state").objects.len()
    }

    pub fn log(&self) -> Vec<String> {
        self.state.lock().expect("state").log.clone()
    }

    pub fn set_admin(&self, addr: SocketAddr) {
        self.state.lock().expect("state").admin = Some(addr);
    }

    pub fn set_exec_root(&self, root: &Path) {
        self.state.lock().expect("state").exec_root = Some(root.to_path_buf());
    }

    /// Writes a kubeconfig with one context `fake` pointing here, in namespace `namespace` (if any).
    pub fn kubeconfig(
        &self,
        dir: &Path,
        file: &str,
        context: &str,
        namespace: Option<&str>,
    ) -> PathBuf {
        let mut ctx =
            json!({"cluster": format!("{context}-cluster"), "user": format!("{context}-user")});
        if let Some(ns) = namespace {
            ctx["namespace"] = json!(ns);
        }
        let config = json!({
            "apiVersion": "v1",
            "kind": "Config",
            "current-context": context,
            "clusters": [{"name": format!("{context}-cluster"), "cluster": {"server": self.url()}}],
            "users": [{"name": format!("{context}-user"), "user": {"token": "fake-token"}}],
            "contexts": [{"name": context, "context": ctx}],
        });
        let path = dir.join(file);
        std::fs::write(&path, serde_json::to_string_pretty(&config).expect("json"))
            .expect("write kubeconfig");
        path
    }
}

type Reply = Response<Full<Bytes>>;

fn reply(status: StatusCode, body: &Value) -> Reply {
    Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from(
            serde_json::to_vec(body).expect("json"),
        )))
        .expect("response")
}

fn status(code: StatusCode, reason: &str, message: String) -> Reply {
    reply(
        code,
        &json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                "message": message, "reason": reason, "code": code.as_u16()}),
    )
}

fn query(req: &Request<Incoming>) -> Vec<(String, String)> {
    req.uri()
        .query()
        .unwrap_or_default()
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (decode(k), decode(v))
        })
        .collect()
}

fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
                out.push(u8::from_str_radix(hex, 16).unwrap_or(b'?'));
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn served(state: &State) -> impl Iterator<Item = &'static Kind> + '_ {
    KINDS.iter().filter(move |k| !k.istio || state.istio)
}

fn resource_list(state: &State, group: &str, version: &str) -> Option<Value> {
    let mut resources = Vec::new();
    for k in served(state).filter(|k| k.group == group && k.versions.contains(&version)) {
        let verbs = json!([
            "create", "delete", "get", "list", "patch", "update", "watch"
        ]);
        resources.push(json!({"name": k.plural, "singularName": k.kind.to_ascii_lowercase(), "namespaced": k.namespaced, "kind": k.kind, "verbs": verbs}));
        if k.plural == "pods" {
            resources.push(json!({"name": "pods/exec", "singularName": "", "namespaced": true, "kind": "PodExecOptions", "verbs": ["create", "get"]}));
            resources.push(json!({"name": "pods/portforward", "singularName": "", "namespaced": true, "kind": "PodPortForwardOptions", "verbs": ["create", "get"]}));
        }
    }
    if resources.is_empty() {
        return None;
    }
    let gv = if group.is_empty() {
        version.to_string()
    } else {
        format!("{group}/{version}")
    };
    Some(
        json!({"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": gv, "resources": resources}),
    )
}

fn group_list(state: &State) -> Value {
    let mut groups: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for k in served(state).filter(|k| !k.group.is_empty()) {
        let versions = groups.entry(k.group).or_default();
        for v in k.versions {
            if !versions.contains(v) {
                versions.push(v);
            }
        }
    }
    let groups: Vec<Value> = groups
        .into_iter()
        .map(|(name, versions)| {
            let vs: Vec<Value> = versions
                .iter()
                .map(|v| json!({"groupVersion": format!("{name}/{v}"), "version": v}))
                .collect();
            json!({"name": name, "versions": vs, "preferredVersion": vs[0].clone()})
        })
        .collect();
    json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": groups})
}

/// Deep merge for apply: maps merge, everything else is replaced.
fn merge(base: &mut Value, patch: &Value) {
    match (base, patch) {
        (Value::Object(b), Value::Object(p)) => {
            for (k, v) in p {
                match b.get_mut(k) {
                    Some(existing) if existing.is_object() && v.is_object() => merge(existing, v),
                    _ => {
                        b.insert(k.clone(), v.clone());
                    }
                }
            }
        }
        (b, p) => *b = p.clone(),
    }
}

fn not_found(kind: &Kind, name: &str) -> Reply {
    let what = if kind.group.is_empty() {
        kind.plural.to_string()
    } else {
        format!("{}.{}", kind.plural, kind.group)
    };
    status(
        StatusCode::NOT_FOUND,
        "NotFound",
        format!("{what} \"{name}\" not found"),
    )
}

fn matches_selector(object: &Value, selector: Option<&str>) -> bool {
    let Some(selector) = selector.filter(|s| !s.is_empty()) else {
        return true;
    };
    selector.split(',').all(|term| {
        let (k, v) = term.split_once('=').unwrap_or((term, ""));
        object["metadata"]["labels"][k].as_str() == Some(v)
    })
}

async fn handle(state: Arc<Mutex<State>>, req: Request<Incoming>) -> Reply {
    let path = req.uri().path().to_string();
    state
        .lock()
        .expect("state")
        .log
        .push(format!("{} {}", req.method(), req.uri()));
    let segs: Vec<String> = path
        .trim_matches('/')
        .split('/')
        .map(str::to_string)
        .collect();
    let (group, version, rest): (String, String, Vec<String>) = match segs
        .first()
        .map(String::as_str)
    {
        Some("api") if segs.len() == 1 => {
            return reply(
                StatusCode::OK,
                &json!({"kind": "APIVersions", "versions": ["v1"], "serverAddressByClientCIDRs": []}),
            );
        }
        Some("apis") if segs.len() == 1 => {
            let st = state.lock().expect("state");
            return reply(StatusCode::OK, &group_list(&st));
        }
        Some("version") => {
            return reply(
                StatusCode::OK,
                &json!({"major": "1", "minor": "33", "gitVersion": "v1.33.0-fake", "platform": "linux/amd64"}),
            );
        }
        Some("api") => (String::new(), segs[1].clone(), segs[2..].to_vec()),
        Some("apis") if segs.len() >= 3 => (segs[1].clone(), segs[2].clone(), segs[3..].to_vec()),
        _ => {
            return status(
                StatusCode::NOT_FOUND,
                "NotFound",
                format!("the server could not find the requested resource ({path})"),
            );
        }
    };
    if rest.is_empty() {
        let st = state.lock().expect("state");
        return match resource_list(&st, &group, &version) {
            Some(list) => reply(StatusCode::OK, &list),
            None => status(
                StatusCode::NOT_FOUND,
                "NotFound",
                "the server could not find the requested resource".into(),
            ),
        };
    }
    let find = |plural: &str| -> Option<&'static Kind> {
        let st = state.lock().expect("state");
        served(&st).find(|k| {
            k.group == group && k.plural == plural && k.versions.contains(&version.as_str())
        })
    };
    // /namespaces/{ns}/{plural}/... or /{plural}/...
    let (kind, ns, name, sub) = if rest[0] == "namespaces"
        && rest.len() >= 3
        && find(&rest[2]).is_some_and(|k| k.namespaced)
    {
        (
            find(&rest[2]),
            rest[1].clone(),
            rest.get(3).cloned(),
            rest.get(4).cloned(),
        )
    } else {
        (
            find(&rest[0]),
            String::new(),
            rest.get(1).cloned(),
            rest.get(2).cloned(),
        )
    };
    let Some(kind) = kind else {
        return status(
            StatusCode::NOT_FOUND,
            "NotFound",
            "the server could not find the requested resource".into(),
        );
    };
    let q = query(&req);
    let param = |k: &str| q.iter().find(|(key, _)| key == k).map(|(_, v)| v.clone());
    let key = |name: &str| {
        (
            kind.group.to_string(),
            kind.plural.to_string(),
            ns.clone(),
            name.to_string(),
        )
    };

    if let (Some(name), Some(sub)) = (&name, &sub) {
        let pod = state
            .lock()
            .expect("state")
            .objects
            .get(&key(name))
            .cloned();
        if pod.is_none() {
            return not_found(kind, name);
        }
        return match sub.as_str() {
            "exec" => upgrade(state, req, q, ns.clone(), name.clone(), Stream::Exec).await,
            "portforward" => {
                upgrade(state, req, q, ns.clone(), name.clone(), Stream::PortForward).await
            }
            _ => status(
                StatusCode::NOT_FOUND,
                "NotFound",
                format!("no subresource {sub}"),
            ),
        };
    }

    match (req.method().clone(), name) {
        (Method::GET, Some(name)) => match state.lock().expect("state").objects.get(&key(&name)) {
            Some(object) => reply(StatusCode::OK, object),
            None => not_found(kind, &name),
        },
        (Method::GET, None) => {
            let st = state.lock().expect("state");
            let selector = param("labelSelector");
            let items: Vec<Value> = st
                .objects
                .iter()
                .filter(|((g, p, n, _), _)| {
                    g == kind.group && p == kind.plural && (ns.is_empty() || *n == ns)
                })
                .map(|(_, v)| v.clone())
                .filter(|v| matches_selector(v, selector.as_deref()))
                .collect();
            let api_version = if kind.group.is_empty() {
                version.clone()
            } else {
                format!("{}/{version}", kind.group)
            };
            reply(
                StatusCode::OK,
                &json!({"kind": format!("{}List", kind.kind), "apiVersion": api_version, "metadata": {"resourceVersion": "1"}, "items": items}),
            )
        }
        (Method::PATCH, Some(name)) => {
            let content_type = req
                .headers()
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_string();
            if content_type != "application/apply-patch+yaml" {
                return status(
                    StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    "UnsupportedMediaType",
                    format!("the fake serves apply patches only, not {content_type}"),
                );
            }
            let Some(manager) = param("fieldManager") else {
                return status(StatusCode::BAD_REQUEST, "BadRequest", "PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for apply patch".into());
            };
            let dry_run = param("dryRun").as_deref() == Some("All");
            let body = match Limited::new(req.into_body(), 8 << 20).collect().await {
                Ok(b) => b.to_bytes(),
                Err(e) => return status(StatusCode::BAD_REQUEST, "BadRequest", e.to_string()),
            };
            // kube sends JSON, which is YAML too.
            let mut patch: Value = match serde_json::from_slice(&body) {
                Ok(v) => v,
                Err(e) => return status(StatusCode::BAD_REQUEST, "BadRequest", e.to_string()),
            };
            if let Some(meta) = patch["metadata"].as_object_mut() {
                meta.remove("creationTimestamp");
            }
            let mut st = state.lock().expect("state");
            if kind.namespaced
                && !st.objects.contains_key(&(
                    String::new(),
                    "namespaces".into(),
                    String::new(),
                    ns.clone(),
                ))
            {
                return status(
                    StatusCode::NOT_FOUND,
                    "NotFound",
                    format!("namespaces \"{ns}\" not found"),
                );
            }
            let mut object = st
                .objects
                .get(&key(&name))
                .cloned()
                .unwrap_or_else(|| json!({}));
            let fresh = object.get("metadata").is_none();
            // Conflicts, simplified: another *applier* owns `data` and `spec`; changing a value
            // there without force is refused, as the real server refuses it.
            let force = param("force").as_deref() == Some("true");
            let other_applier = object["metadata"]["managedFields"]
                .as_array()
                .into_iter()
                .flatten()
                .find(|f| f["operation"] == json!("Apply") && f["manager"] != json!(manager))
                .and_then(|f| f["manager"].as_str().map(str::to_string));
            if let (Some(owner), false) = (other_applier, force) {
                let changed: Vec<String> = ["data", "spec"]
                    .iter()
                    .filter(|k| !patch[**k].is_null() && patch[**k] != object[**k])
                    .map(|k| format!(".{k}"))
                    .collect();
                if !changed.is_empty() {
                    return status(
                        StatusCode::CONFLICT,
                        "Conflict",
                        format!(
                            "Apply failed with {} conflict: conflict with \"{owner}\": {}",
                            changed.len(),
                            changed.join(", ")
                        ),
                    );
                }
            }
            merge(&mut object, &patch);
            st.next_version += 1;
            let version_now = st.next_version;
            let meta = &mut object["metadata"];
            if fresh {
                meta["uid"] = json!(format!("uid-{version_now}"));
                meta["creationTimestamp"] = json!("2026-11-28T10:00:00Z");
            }
            meta["resourceVersion"] = json!(version_now.to_string());
            let mut fields: Vec<Value> = meta["managedFields"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            fields.retain(|f| f["manager"] != json!(manager) || f["operation"] != json!("Apply"));
            fields.push(json!({"manager": manager, "operation": "Apply", "apiVersion": patch["apiVersion"].clone(), "time": "2026-11-28T10:00:00Z", "fieldsType": "FieldsV1", "fieldsV1": {}}));
            meta["managedFields"] = Value::Array(fields);
            if !dry_run {
                st.objects.insert(key(&name), object.clone());
            }
            reply(
                if fresh {
                    StatusCode::CREATED
                } else {
                    StatusCode::OK
                },
                &object,
            )
        }
        (Method::DELETE, Some(name)) => {
            // DeleteOptions come in the body (kube) or the query (kubectl).
            let body = Limited::new(req.into_body(), 1 << 20)
                .collect()
                .await
                .map(|b| b.to_bytes())
                .unwrap_or_default();
            let options: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
            let dry_run =
                param("dryRun").as_deref() == Some("All") || options["dryRun"] == json!(["All"]);
            let mut st = state.lock().expect("state");
            let Some(object) = st.objects.get(&key(&name)).cloned() else {
                return not_found(kind, &name);
            };
            if !dry_run {
                st.objects.remove(&key(&name));
                if kind.plural == "namespaces" {
                    st.objects.retain(|(_, _, n, _), _| *n != name);
                }
            }
            reply(StatusCode::OK, &object)
        }
        (method, _) => status(
            StatusCode::METHOD_NOT_ALLOWED,
            "MethodNotAllowed",
            format!("{method} is not supported by the fake"),
        ),
    }
}

#[derive(Clone, Copy)]
enum Stream {
    Exec,
    PortForward,
}

async fn upgrade(
    state: Arc<Mutex<State>>,
    mut req: Request<Incoming>,
    q: Vec<(String, String)>,
    ns: String,
    pod: String,
    kind: Stream,
) -> Reply {
    let header = |name: &str| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    };
    if !header("upgrade").eq_ignore_ascii_case("websocket") {
        return status(
            StatusCode::BAD_REQUEST,
            "BadRequest",
            "upgrade request required".into(),
        );
    }
    let offered = header("sec-websocket-protocol");
    let protocol = match kind {
        Stream::Exec if offered.contains("v5.channel.k8s.io") => "v5.channel.k8s.io",
        _ if offered.contains("v4.channel.k8s.io") => "v4.channel.k8s.io",
        _ => {
            return status(
                StatusCode::BAD_REQUEST,
                "BadRequest",
                format!("unsupported subprotocols {offered:?}"),
            );
        }
    };
    let accept = derive_accept_key(header("sec-websocket-key").as_bytes());
    let on_upgrade = hyper::upgrade::on(&mut req);
    tokio::spawn(async move {
        let Ok(upgraded) = on_upgrade.await else {
            return;
        };
        let ws = WebSocketStream::from_raw_socket(TokioIo::new(upgraded), Role::Server, None).await;
        match kind {
            Stream::Exec => exec(state, ws, q, ns, pod).await,
            Stream::PortForward => portforward(state, ws, q).await,
        }
    });
    Response::builder()
        .status(StatusCode::SWITCHING_PROTOCOLS)
        .header("upgrade", "websocket")
        .header("connection", "Upgrade")
        .header("sec-websocket-accept", accept)
        .header("sec-websocket-protocol", protocol)
        .body(Full::new(Bytes::new()))
        .expect("101")
}

type Ws = WebSocketStream<TokioIo<hyper::upgrade::Upgraded>>;

/// Runs the command for real, in `<exec_root>/<ns>/<pod>/`, after stdin has ended (v5 CLOSE
/// frame or the socket's close); then stdout (1), stderr (2) and the Status (3).
async fn exec(
    state: Arc<Mutex<State>>,
    mut ws: Ws,
    q: Vec<(String, String)>,
    ns: String,
    pod: String,
) {
    let command: Vec<String> = q
        .iter()
        .filter(|(k, _)| k == "command")
        .map(|(_, v)| v.clone())
        .collect();
    let wants_stdin = q.iter().any(|(k, v)| k == "stdin" && v == "true");
    let mut stdin = Vec::new();
    if wants_stdin {
        let deadline = tokio::time::sleep(Duration::from_secs(20));
        tokio::pin!(deadline);
        loop {
            tokio::select! {
                _ = &mut deadline => break,
                msg = ws.next() => match msg {
                    Some(Ok(Message::Binary(data))) if data.first() == Some(&0) => stdin.extend_from_slice(&data[1..]),
                    Some(Ok(Message::Binary(data))) if data.as_ref() == [255, 0] => break,
                    Some(Ok(Message::Close(_))) | None | Some(Err(_)) => break,
                    Some(Ok(_)) => {}
                },
            }
        }
    }
    let root = state.lock().expect("state").exec_root.clone();
    let Some(root) = root else {
        let _ = ws
            .send(Message::binary(
                [
                    &[3u8][..],
                    br#"{"metadata":{},"status":"Failure","message":"the fake has no exec root"}"#,
                ]
                .concat(),
            ))
            .await;
        let _ = ws.close(None).await;
        return;
    };
    let dir = root.join(&ns).join(&pod);
    let result = tokio::task::spawn_blocking(move || {
        use std::io::Write;
        std::fs::create_dir_all(&dir)?;
        let (program, args) = command
            .split_first()
            .ok_or_else(|| std::io::Error::other("empty command"))?;
        let mut child = std::process::Command::new(program)
            .args(args)
            .current_dir(&dir)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()?;
        if let Some(mut input) = child.stdin.take() {
            input.write_all(&stdin)?;
        }
        child.wait_with_output()
    })
    .await;
    let status = match result {
        Ok(Ok(output)) => {
            for (channel, data) in [(1u8, &output.stdout), (2u8, &output.stderr)] {
                if !data.is_empty() {
                    let _ = ws
                        .send(Message::binary([&[channel][..], data].concat()))
                        .await;
                }
            }
            match output.status.code() {
                Some(0) => json!({"metadata": {}, "status": "Success"}),
                code => {
                    let code = code.unwrap_or(137);
                    json!({"metadata": {}, "status": "Failure", "message": format!("command terminated with non-zero exit code: exit status {code}"), "reason": "NonZeroExitCode", "details": {"causes": [{"reason": "ExitCode", "message": code.to_string()}]}})
                }
            }
        }
        Ok(Err(e)) => {
            json!({"metadata": {}, "status": "Failure", "message": format!("failed to exec in container: {e}")})
        }
        Err(e) => json!({"metadata": {}, "status": "Failure", "message": e.to_string()}),
    };
    let _ = ws
        .send(Message::binary(
            [&[3u8][..], &serde_json::to_vec(&status).expect("json")].concat(),
        ))
        .await;
    let _ = ws.close(None).await;
}

/// One port: the two initial port frames, then bytes both ways to the configured admin.
async fn portforward(state: Arc<Mutex<State>>, mut ws: Ws, q: Vec<(String, String)>) {
    let port: u16 = q
        .iter()
        .find(|(k, _)| k == "ports")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let [lo, hi] = port.to_le_bytes();
    let _ = ws.send(Message::binary(vec![0, lo, hi])).await;
    let _ = ws.send(Message::binary(vec![1, lo, hi])).await;
    let admin = state.lock().expect("state").admin;
    let tcp = match admin {
        Some(addr) => tokio::net::TcpStream::connect(addr).await.ok(),
        None => None,
    };
    let Some(tcp) = tcp else {
        let _ = ws
            .send(Message::binary(
                [
                    &[1u8][..],
                    format!("error forwarding port {port}: connection refused").as_bytes(),
                ]
                .concat(),
            ))
            .await;
        let _ = ws.close(None).await;
        return;
    };
    let (mut read, mut write) = tcp.into_split();
    let (mut sink, mut source) = ws.split();
    let to_pod = async move {
        while let Some(Ok(msg)) = source.next().await {
            let data = match msg {
                Message::Binary(data) if data.first() == Some(&0) && data.len() > 1 => data,
                Message::Close(_) => break,
                _ => continue,
            };
            if write.write_all(&data[1..]).await.is_err() {
                break;
            }
        }
        let _ = write.shutdown().await;
    };
    let from_pod = async move {
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            match read.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    if sink
                        .send(Message::binary([&[0u8][..], &buf[..n]].concat()))
                        .await
                        .is_err()
                    {
                        break;
                    }
                }
            }
        }
        let _ = sink.send(Message::Close(None)).await;
    };
    let _ = tokio::time::timeout(Duration::from_secs(30), async {
        tokio::join!(to_pod, from_pod)
    })
    .await;
}
