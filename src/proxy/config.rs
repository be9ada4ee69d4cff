//! The proxy's resolved configuration: plain data, fully validated before any port is bound.
//! `proxy::inbound` builds it from the task model; tests can build it directly.
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// Who the proxy is: the workload whose sidecar it stands in for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProxiedWorkload {
    pub namespace: String,
    pub service_account: String,
    /// The Sidecar resource's name, for `x-envoy-decorator-operation`.
    pub sidecar_name: String,
    /// How Istio's metrics name the workload (`destination_workload`, `destination_app` …).
    pub names: crate::mesh::telemetry::WorkloadNames,
}

impl ProxiedWorkload {
    /// `spiffe://<trust domain>/ns/<ns>/sa/<sa>`.
    pub fn spiffe_id(&self, trust_domain: &str) -> String {
        format!(
            "spiffe://{trust_domain}/ns/{}/sa/{}",
            self.namespace, self.service_account
        )
    }
}

/// Where a listener forwards: TCP on loopback, or a Unix socket.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Endpoint {
    Tcp(SocketAddr),
    Unix(PathBuf),
}

impl std::fmt::Display for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Endpoint::Tcp(addr) => write!(f, "{addr}"),
            Endpoint::Unix(path) => write!(f, "unix://{}", path.display()),
        }
    }
}

/// The Sidecar ingress TLS modes the proxy serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TlsMode {
    Simple,
    Mutual,
    OptionalMutual,
}

impl TlsMode {
    /// Istio's spelling: `SIMPLE`, `MUTUAL`, `OPTIONAL_MUTUAL`.
    pub fn as_str(self) -> &'static str {
        match self {
            TlsMode::Simple => "SIMPLE",
            TlsMode::Mutual => "MUTUAL",
            TlsMode::OptionalMutual => "OPTIONAL_MUTUAL",
        }
    }
}

/// What verifies a client certificate: the CA bundle, and the CRL checked against it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientRoots {
    /// The CA bundle's pod path (it names the `file-root:` secret).
    pub ca_certificates: String,
    /// `caCrl`: a CRL (PEM or DER) whose revoked certificates are refused, as Envoy's `crl`.
    pub ca_crl: Option<String>,
}

/// Whether and how a TLS listener asks for a client certificate. MUTUAL and OPTIONAL_MUTUAL
/// carry the roots that verify it, so neither can exist without a CA.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientAuth {
    /// SIMPLE: no client certificate is asked for.
    Off,
    /// OPTIONAL_MUTUAL: a certificate is verified if the client sends one.
    Optional(ClientRoots),
    /// MUTUAL: a certificate signed by the roots is required.
    Required(ClientRoots),
}

impl ClientAuth {
    /// The mode and its roots; None when MUTUAL or OPTIONAL_MUTUAL has no CA.
    pub fn new(mode: TlsMode, roots: Option<ClientRoots>) -> Option<ClientAuth> {
        match (mode, roots) {
            (TlsMode::Simple, _) => Some(ClientAuth::Off),
            (TlsMode::Mutual, Some(roots)) => Some(ClientAuth::Required(roots)),
            (TlsMode::OptionalMutual, Some(roots)) => Some(ClientAuth::Optional(roots)),
            (_, None) => None,
        }
    }

    pub fn mode(&self) -> TlsMode {
        match self {
            ClientAuth::Off => TlsMode::Simple,
            ClientAuth::Optional(_) => TlsMode::OptionalMutual,
            ClientAuth::Required(_) => TlsMode::Mutual,
        }
    }

    pub fn roots(&self) -> Option<&ClientRoots> {
        match self {
            ClientAuth::Off => None,
            ClientAuth::Optional(roots) | ClientAuth::Required(roots) => Some(roots),
        }
    }

    /// The CA bundle's pod path (it names the `file-root:` secret).
    pub fn ca_certificates(&self) -> Option<&str> {
        self.roots().map(|r| r.ca_certificates.as_str())
    }
}

/// TLS protocol versions (`TLSV1_2`, `TLSV1_3`); rustls has no 1.0/1.1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum TlsVersion {
    V1_2,
    V1_3,
}

/// A Sidecar ingress `tls` block, with pod paths already mapped to local files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsTermination {
    pub client_auth: ClientAuth,
    /// Pod paths as written in the Sidecar (they name the SDS secrets).
    pub server_certificate: String,
    pub private_key: String,
    pub min_version: TlsVersion,
    pub max_version: TlsVersion,
    /// OpenSSL-style names, already checked against what rustls supports.
    pub cipher_suites: Vec<String>,
}

/// How the listener treats a connection before HTTP.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Security {
    /// PeerAuthentication DISABLE with no `tls`: plaintext.
    Plaintext,
    /// DISABLE plus a `tls` block that passed Istio's gates: terminate TLS with these files.
    Terminate(TlsTermination),
    /// STRICT: Istio mTLS only; plaintext is reset.
    IstioMutual,
    /// PERMISSIVE: Istio mTLS or plaintext, told apart by the first byte.
    Permissive,
}

/// What a listener serves once TLS (if any) is done, as Istio's inbound listeners do it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Protocol {
    /// `HTTP`, or `HTTPS` after termination: the HTTP connection manager, HTTP/1.1 to the app.
    #[default]
    Http,
    /// `HTTP2` and `GRPC`: the HTTP connection manager, h2 (prior knowledge) to the app.
    Http2,
    /// `TCP`, `TLS` (after termination or not) and `HTTPS` without termination: a TCP proxy.
    Tcp,
}

/// One ingress listener (one Sidecar ingress port).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListenerConfig {
    /// The workload port as configured (e.g. 9080); names the listener and the decorator.
    pub port: u16,
    /// The Sidecar port name (e.g. `external`).
    pub name: String,
    /// Where to bind locally (port 0 picks a free one).
    pub bind: SocketAddr,
    pub security: Security,
    pub protocol: Protocol,
    pub endpoint: Endpoint,
    /// The Service in front of the port (its name, in the workload's namespace): Istio's
    /// `destination_service`. `None`: the request's Host stands in, as Istio's fallback does.
    pub service: Option<String>,
}

/// Limits and timeouts for forwarding to the app.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UpstreamLimits {
    pub connect_timeout: Duration,
    pub idle_timeout: Duration,
    /// Open connections to the app per worker and listener (Envoy's circuit breaker
    /// `max_connections`); `None`: half the file-descriptor budget, shared by the workers.
    pub max_connections: Option<usize>,
    /// How long the app may take to send its response headers (Envoy's route `timeout`; Istio
    /// sets none by default); past it the client gets Envoy's `504 upstream request timeout`.
    pub response_timeout: Option<Duration>,
}

impl Default for UpstreamLimits {
    fn default() -> Self {
        UpstreamLimits {
            connect_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(3600),
            max_connections: None,
            response_timeout: None,
        }
    }
}

/// Limits on downstream connections, as Envoy's HTTP connection manager and overload manager
/// set them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DownstreamLimits {
    /// A connection with no request in flight for this long is closed (HCM `idle_timeout`,
    /// Envoy's default 1 h), HTTP/1.1 and h2 alike.
    pub idle_timeout: Duration,
    /// How long a client may take to send a request head.
    pub header_read_timeout: Duration,
    /// Concurrent downstream connections across all listeners and workers; past it new ones
    /// are closed at once (Envoy's `global_downstream_max_connections`). `None`: half the
    /// file-descriptor budget (the other half is for the app connections).
    pub max_connections: Option<usize>,
}

impl Default for DownstreamLimits {
    fn default() -> Self {
        DownstreamLimits {
            idle_timeout: Duration::from_secs(3600),
            header_read_timeout: Duration::from_secs(60),
            max_connections: None,
        }
    }
}

/// Which HTTP/1.1 implementation serves downstream connections.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Http1Engine {
    /// meshtls' own forwarding loop for plain requests (Content-Length or no body, origin-form);
    /// anything else on the connection is handed to hyper.
    #[default]
    Lean,
    /// hyper for every request.
    Hyper,
}

/// Which h2 implementation serves downstream connections that chose h2 by ALPN (plaintext
/// h2, by prior knowledge or upgrade, is always hyper's).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum H2Engine {
    /// meshtls' own h2 server (`proxy::h2`).
    #[default]
    Lean,
    /// hyper's h2 server.
    Hyper,
}

/// Where access-log lines go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccessLog {
    Off,
    Stdout,
    File(PathBuf),
}

/// Everything the proxy needs to run.
#[derive(Debug, Clone)]
pub struct ProxyConfig {
    pub workload: ProxiedWorkload,
    pub listeners: Vec<ListenerConfig>,
    pub admin: SocketAddr,
    /// Worker threads, like Envoy's `--concurrency` (default 1).
    pub concurrency: usize,
    pub upstream: UpstreamLimits,
    pub downstream: DownstreamLimits,
    /// How a pod path (e.g. `/etc/istio/tls-certs/tls.crt`) maps to a local file.
    pub root: PathBuf,
    /// The local mesh CA folder (ROOTCA and the `default` workload identity).
    pub mesh_dir: Option<PathBuf>,
    pub trust_domain: String,
    pub drain_timeout: Duration,
    pub access_log: AccessLog,
    /// How often certificate files are checked for changes.
    pub reload_interval: Duration,
    /// Lifetime of the `default` workload certificate (Istio: 24 h).
    pub workload_cert_ttl: Duration,
    pub http1: Http1Engine,
    pub h2: H2Engine,
}

impl ProxyConfig {
    /// The local file behind a pod path: `root` + the absolute pod path.
    pub fn local_path(&self, pod_path: &str) -> PathBuf {
        self.root.join(pod_path.trim_start_matches('/'))
    }

    /// Whether any listener speaks Istio mTLS, which needs the `default` and `ROOTCA` secrets.
    pub fn needs_mesh_identity(&self) -> bool {
        self.listeners
            .iter()
            .any(|l| matches!(l.security, Security::IstioMutual | Security::Permissive))
    }
}
