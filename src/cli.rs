//! The command line, and only the command line: clap types whose doc comments are the help text.
//!
//! Conventions: flags are kebab-case and follow kubectl/istioctl names where one exists;
//! every subcommand has its own `Args` struct that `cmd::<name>::run` destructures in full.
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::exit::ExitStatus;

/// Set up, run and check TLS termination in an Istio sidecar (no ingress gateway hop).
#[derive(Debug, Parser)]
#[command(name = "meshtls", version, about, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

impl Cli {
    /// Parses `std::env::args`, printing help/version (exit 0) or a usage error (exit 64).
    pub fn parse_or_exit() -> Cli {
        match <Cli as Parser>::try_parse() {
            Ok(cli) => cli,
            Err(err) => {
                let _ = err.print();
                let status = if err.use_stderr() {
                    ExitStatus::Usage
                } else {
                    ExitStatus::Success
                };
                std::process::exit(i32::from(status.code()))
            }
        }
    }
}

// One value per run: boxing the larger argument structs would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Make the task's CA, server and client certificates (X.509 v3, SANs, keys 0600)
    Certgen(CertgenArgs),
    /// Work with certificate files
    #[command(subcommand)]
    Cert(CertCommand),
    /// Create Kubernetes objects as YAML, byte-identical to `kubectl create … --dry-run=client -o yaml`
    #[command(subcommand)]
    Create(CreateCommand),
    /// Print the task's manifests (Istio install, namespace, policies, secrets, app, Sidecar, sleep)
    Render(RenderArgs),
    /// Check Sidecar and PeerAuthentication YAML as Istio and its CRD schemas do
    Validate(ValidateArgs),
    /// Find the misconfigurations Istio silently ignores for sidecar TLS termination (istioctl analyze style)
    Analyze(AnalyzeArgs),
    /// Print a shell completion script
    Completion(CompletionArgs),
    /// Inspect a proxy's configuration, as `istioctl proxy-config`
    #[command(subcommand, visible_alias = "pc")]
    ProxyConfig(ProxyConfigCommand),
    /// Show what each ingress port of a workload gets from outside and inside the mesh, and why
    /// (as `istioctl x describe pod`, for the sidecar's ingress)
    Describe(DescribeArgs),
    /// Run the page's checks (and negative ones) against a running sidecar, curl style
    Verify(VerifyArgs),
    /// Run the whole task on this machine: certificates, manifests, sidecar, checks, secrets
    Demo(DemoArgs),
    /// Run one workload's sidecar locally, configured from the task's YAML (Sidecar,
    /// PeerAuthentication, Deployment annotations, Secrets), as Istio's Envoy would serve it
    Proxy(ProxyArgs),
    /// Run the embedded httpbin (the task's app)
    Httpbin(HttpbinArgs),
    /// Server-side apply manifests to the cluster (field manager `meshtls`), as kubectl apply --server-side
    Apply(ApplyArgs),
    /// Check the cluster's set-up for the task: istiod's flag, namespace injection, the app's sidecar volumes
    Check(CheckArgs),
    /// Delete what the task created, as the page's clean-up section; only objects meshtls applied
    Cleanup(CleanupArgs),
    /// Print the version, the git commit and the TLS stack (rustls, aws-lc) of this build
    Version(VersionArgs),
}

/// `-o` for a command's data, in the words every command uses: `text` for people, `json` and
/// `yaml` for programs (`wide` where a table has more columns to show).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DataFormat {
    Text,
    Json,
    Yaml,
}

/// `-o` for a command that prints a table: `text` fits the table to the terminal (free-text
/// columns cut with `…`; piped output is never cut), `wide` never cuts, `json`/`yaml` for programs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TableFormat {
    Text,
    Wide,
    Json,
    Yaml,
}

#[derive(Debug, Args)]
pub struct VersionArgs {
    /// Print the version number only
    #[arg(long)]
    pub short: bool,
    /// Output format
    #[arg(short = 'o', long = "output", value_enum, default_value = "text")]
    pub output: DataFormat,
}

/// How to reach the cluster, as kubectl and istioctl take it.
#[derive(Debug, Clone, Args)]
pub struct KubeArgs {
    /// Kubernetes configuration file [default: $KUBECONFIG (files merged as kubectl does), else ~/.kube/config, else in-cluster]
    #[arg(short = 'c', long, value_name = "FILE")]
    pub kubeconfig: Option<PathBuf>,
    /// The kubeconfig context to use [default: its current-context]
    #[arg(long, value_name = "NAME")]
    pub context: Option<String>,
}

/// Sending objects to the cluster from a command that otherwise prints them.
#[derive(Debug, Args)]
pub struct ApplyFlags {
    /// Server-side apply the objects to the cluster instead of printing them
    #[arg(long)]
    pub apply: bool,
    /// With --apply: take over fields that another field manager owns
    #[arg(long)]
    pub force_conflicts: bool,
    #[command(flatten)]
    pub kube: KubeArgs,
}

#[derive(Debug, Args)]
pub struct ApplyArgs {
    /// What to apply
    #[command(flatten)]
    pub input: ManifestInput,
    /// Namespace for namespaced objects that set none [default: the context's namespace, else default]
    #[arg(short = 'n', long)]
    pub namespace: Option<String>,
    /// `server`: the API server checks everything and stores nothing; `none`: apply
    #[arg(long, value_enum, default_value = "none", num_args = 0..=1, default_missing_value = "server")]
    pub dry_run: DryRun,
    /// Take over fields that another field manager owns
    #[arg(long)]
    pub force_conflicts: bool,
    /// Output format: kubectl's lines, or the applied objects' names as JSON or YAML
    #[arg(short = 'o', long = "output", value_enum, default_value = "text")]
    pub output: DataFormat,
    #[command(flatten)]
    pub kube: KubeArgs,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Namespace where Istio's control plane (istiod) runs
    #[arg(
        short = 'i',
        long = "istioNamespace",
        alias = "istio-namespace",
        default_value = "istio-system"
    )]
    pub istio_namespace: String,
    /// Read the task's parameters from a YAML file, as `render --values`
    #[arg(long, value_name = "FILE")]
    pub values: Option<PathBuf>,
    #[command(flatten)]
    pub params: AppArgs,
    /// Output format: the ✔/✘ lines, or the checks as JSON or YAML
    #[arg(short = 'o', long = "output", value_enum, default_value = "text")]
    pub output: DataFormat,
    #[command(flatten)]
    pub kube: KubeArgs,
}

#[derive(Debug, Args)]
pub struct CleanupArgs {
    /// Say what would be deleted; delete nothing (the server checks each delete)
    #[arg(long)]
    pub dry_run: bool,
    /// Read the task's parameters from a YAML file, as `render --values`
    #[arg(long, value_name = "FILE")]
    pub values: Option<PathBuf>,
    #[command(flatten)]
    pub params: NameArgs,
    /// Output format: one line per object, or the objects and what happened as JSON or YAML
    #[arg(short = 'o', long = "output", value_enum, default_value = "text")]
    pub output: DataFormat,
    #[command(flatten)]
    pub kube: KubeArgs,
}

#[derive(Debug, Args)]
pub struct ProxyArgs {
    /// YAML with the Sidecar, PeerAuthentications, Deployment, Secrets (`meshtls render` output).
    /// Kinds the proxy does not use are ignored
    #[command(flatten)]
    pub input: ManifestInput,
    /// The workload's pod labels, when more than one Deployment could be meant (e.g. app=httpbin,version=v1)
    #[arg(long, value_name = "LABELS", value_parser = parse_labels)]
    pub workload: Option<crate::k8s::labels::Labels>,
    /// Address the listeners bind to
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: std::net::IpAddr,
    /// Bind a workload port elsewhere: PORT=LOCAL (LOCAL 0 picks a free port); repeatable
    #[arg(long = "port-map", value_name = "PORT=LOCAL", value_parser = parse_port_map)]
    pub port_map: Vec<(u16, u16)>,
    /// Send traffic for an app port elsewhere: PORT=HOST:PORT or PORT=unix:///path; repeatable
    #[arg(long = "endpoint-override", value_name = "PORT=ENDPOINT", value_parser = parse_endpoint_override)]
    pub endpoint_override: Vec<(u16, crate::proxy::config::Endpoint)>,
    /// Address of the Envoy-compatible admin API
    #[arg(long, default_value = "127.0.0.1:15000", value_name = "HOST:PORT")]
    pub admin: std::net::SocketAddr,
    /// Act as if istiod had ENABLE_TLS_ON_SIDECAR_INGRESS=true (normally read from the IstioOperator in the input)
    #[arg(long)]
    pub enable_tls_on_sidecar_ingress: bool,
    /// Resolve the Sidecar's pod paths under DIR instead of mounting the Secrets from the input
    #[arg(long, value_name = "DIR", conflicts_with = "state_dir")]
    pub root: Option<PathBuf>,
    /// Where the Secrets are mounted as the kubelet would (default: a temporary folder)
    #[arg(long, value_name = "DIR")]
    pub state_dir: Option<PathBuf>,
    /// The local mesh CA folder (ROOTCA and workload identities), shared with `meshtls verify`
    #[arg(
        long,
        value_name = "DIR",
        env = "MESHTLS_MESH_DIR",
        hide_env_values = true
    )]
    pub mesh_dir: Option<PathBuf>,
    /// Worker threads (Envoy's --concurrency)
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub concurrency: u16,
    /// How long requests in flight may take to finish on SIGTERM/SIGINT (e.g. 5s, 500ms)
    #[arg(long, default_value = "5s", value_name = "DURATION", value_parser = parse_duration)]
    pub drain_timeout: std::time::Duration,
    /// Where access-log lines go: stdout, off, or a file path
    #[arg(long, default_value = "stdout", value_name = "WHERE")]
    pub access_log: String,
    /// Close a downstream connection (HTTP/1.1 or h2) that has carried no request for this
    /// long (Envoy's HCM idle_timeout)
    #[arg(long, default_value = "60m", value_name = "DURATION", value_parser = parse_duration)]
    pub idle_timeout: std::time::Duration,
    /// Most downstream connections open at once; past it new ones are closed, as Envoy's
    /// overload manager does (default: half the open-files limit)
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub max_connections: Option<u32>,
    /// Most connections to the app each worker opens per port; requests beyond wait up to the
    /// connect timeout, then get Envoy's 503 overflow (default: half the open-files limit,
    /// shared by the workers)
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub max_app_connections: Option<u32>,
    /// How long the app may take to send its response headers; past it the client gets
    /// Envoy's 504 `upstream request timeout` (Envoy's route timeout; default: none, as Istio)
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub response_timeout: Option<std::time::Duration>,
    /// HTTP/1.1 engine: `lean` (meshtls' own loop for plain requests, hyper for the rest) or
    /// `hyper` (hyper for every request)
    #[arg(long = "http1-engine", value_enum, default_value_t = crate::proxy::config::Http1Engine::Lean)]
    pub http1_engine: crate::proxy::config::Http1Engine,
    /// h2 engine, for clients that choose h2 over TLS: `lean` (meshtls' own h2 server) or
    /// `hyper`
    #[arg(long = "h2-engine", value_enum, default_value_t = crate::proxy::config::H2Engine::Lean)]
    pub h2_engine: crate::proxy::config::H2Engine,
    /// Also run the embedded httpbin in this process and send every listener to it
    #[arg(long)]
    pub app: bool,
    /// With --app: the address httpbin listens on (default: a free loopback port)
    #[arg(long, value_name = "HOST:PORT", requires = "app")]
    pub app_listen: Option<std::net::SocketAddr>,
}

#[derive(Debug, Args)]
pub struct HttpbinArgs {
    /// Address to listen on
    #[arg(long, default_value = "127.0.0.1:8080", value_name = "HOST:PORT")]
    pub listen: std::net::SocketAddr,
    /// Also run a TCP echo here (the app behind a TCP or TLS port)
    #[arg(long, value_name = "HOST:PORT")]
    pub tcp_echo: Option<std::net::SocketAddr>,
}

/// Key algorithms `certgen` can make.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum KeyTypeArg {
    Rsa2048,
    Rsa3072,
    Rsa4096,
    EcdsaP256,
    EcdsaP384,
    Ed25519,
}

#[derive(Debug, Args)]
pub struct CertgenArgs {
    /// Folder for the certificates and keys (created if missing)
    #[arg(long, default_value = ".", value_name = "DIR")]
    pub out: PathBuf,
    /// The CA's subject, openssl style
    #[arg(
        long,
        default_value = "/O=example Inc./CN=example.com",
        value_name = "SUBJECT"
    )]
    pub ca_subject: String,
    /// A DNS name for the server certificate; repeat for more. The first is also the CN.
    /// Default: <service>.<namespace>.svc.<cluster-domain> and its shorter forms
    #[arg(long = "server-host", value_name = "HOST")]
    pub server_hosts: Vec<String>,
    /// The client certificate's DNS name (and CN). Default: client.<namespace>.svc.<cluster-domain>
    #[arg(long, value_name = "HOST")]
    pub client_host: Option<String>,
    /// Namespace used to derive host names
    #[arg(long, short = 'n', default_value = crate::page::NAMESPACE)]
    pub namespace: String,
    /// Service name used to derive the server's host names
    #[arg(long, default_value = crate::page::APP)]
    pub service: String,
    /// Cluster DNS domain used to derive host names
    #[arg(long, default_value = crate::page::CLUSTER_DOMAIN)]
    pub cluster_domain: String,
    /// Key algorithm for all three keys
    #[arg(long, value_enum, default_value = "rsa2048")]
    pub key_type: KeyTypeArg,
    /// Validity in days, from now
    #[arg(long, default_value_t = 365, value_parser = clap::value_parser!(u32).range(1..=36500))]
    pub days: u32,
    /// Also write the leaves' certificate signing requests (*.csr), as the page's openssl does
    #[arg(long)]
    pub csr: bool,
    /// Replace existing files, including the CA
    #[arg(long)]
    pub force: bool,
    /// Output format: `text` fits the table to the terminal, `wide` never cuts a cell
    #[arg(short = 'o', long = "output", value_enum, default_value = "text")]
    pub output: TableFormat,
}

#[derive(Debug, Subcommand)]
pub enum CertCommand {
    /// Show each certificate in PEM files: subject, SANs, serial, validity, key, CA flag, version
    Inspect(CertInspectArgs),
}

/// Output formats for reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    Text,
    Json,
}

#[derive(Debug, Args)]
pub struct CertInspectArgs {
    /// PEM files to read (any number of certificates each)
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Check each certificate's chain against this CA bundle and say why it fails
    #[arg(long, value_name = "FILE")]
    pub ca: Option<PathBuf>,
    /// Output format
    #[arg(short = 'o', long = "output", value_enum, default_value = "text")]
    pub output: ReportFormat,
    /// Evaluate validity at this instant (RFC 3339) instead of now
    #[arg(
        long,
        value_name = "RFC3339",
        env = "MESHTLS_NOW",
        hide_env_values = true,
        value_parser = parse_instant
    )]
    pub now: Option<time::OffsetDateTime>,
}

#[derive(Debug, Subcommand)]
pub enum CreateCommand {
    /// Create a Secret
    #[command(subcommand)]
    Secret(CreateSecretCommand),
}

#[derive(Debug, Subcommand)]
pub enum CreateSecretCommand {
    /// A generic (Opaque) secret from files, folders or literal values
    Generic(CreateSecretGenericArgs),
    /// A kubernetes.io/tls secret from a certificate and its key
    Tls(CreateSecretTlsArgs),
}

/// `-o` for objects, as kubectl.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ObjectFormat {
    Yaml,
    Json,
}

/// kubectl's `--dry-run` values: `client` prints, `server` sends as a server dry run, `none` sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DryRun {
    None,
    Client,
    Server,
}

#[derive(Debug, Args)]
pub struct ObjectOutputArgs {
    /// Namespace of the object
    #[arg(short = 'n', long)]
    pub namespace: Option<String>,
    /// Output format
    #[arg(short = 'o', long = "output", value_enum, default_value = "yaml")]
    pub output: ObjectFormat,
    /// `client` prints the object; `server` sends it as a server-side dry run; `none` applies it
    #[arg(long, value_enum, default_value = "client", num_args = 0..=1, default_missing_value = "client")]
    pub dry_run: DryRun,
    #[command(flatten)]
    pub cluster: ApplyFlags,
}

#[derive(Debug, Args)]
pub struct CreateSecretGenericArgs {
    /// Name of the Secret
    pub name: String,
    /// A file ([KEY=]PATH; the key defaults to the file name) or a folder (each regular file)
    #[arg(long = "from-file", value_name = "[KEY=]PATH")]
    pub from_file: Vec<String>,
    /// A literal value (KEY=VALUE)
    #[arg(long = "from-literal", value_name = "KEY=VALUE")]
    pub from_literal: Vec<String>,
    /// The Secret's type (a generic secret has none unless given)
    #[arg(long = "type")]
    pub secret_type: Option<String>,
    #[command(flatten)]
    pub object: ObjectOutputArgs,
}

#[derive(Debug, Args)]
pub struct CreateSecretTlsArgs {
    /// Name of the Secret
    pub name: String,
    /// PEM certificate (chain) file
    #[arg(long, value_name = "PATH")]
    pub cert: Option<PathBuf>,
    /// PEM private key file
    #[arg(long, value_name = "PATH")]
    pub key: Option<PathBuf>,
    #[command(flatten)]
    pub object: ObjectOutputArgs,
}

#[derive(Debug, Args)]
pub struct CompletionArgs {
    /// The shell to write a script for
    pub shell: clap_complete::Shell,
}

/// Sidecar ingress TLS modes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TlsModeArg {
    #[value(name = "SIMPLE", alias = "simple")]
    Simple,
    #[value(name = "MUTUAL", alias = "mutual")]
    Mutual,
    #[value(name = "OPTIONAL_MUTUAL", alias = "optional-mutual")]
    OptionalMutual,
}

/// Declared protocols of the TLS listener.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ProtocolArg {
    #[value(name = "HTTPS", alias = "https")]
    Https,
    #[value(name = "TLS", alias = "tls")]
    Tls,
    #[value(name = "GRPC", alias = "grpc")]
    Grpc,
    #[value(name = "HTTP2", alias = "http2")]
    Http2,
    #[value(name = "TCP", alias = "tcp")]
    Tcp,
}

/// TLS protocol versions, as Istio names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TlsVersionArg {
    #[value(name = "TLS_AUTO")]
    TlsAuto,
    #[value(name = "TLSV1_0")]
    Tlsv1_0,
    #[value(name = "TLSV1_1")]
    Tlsv1_1,
    #[value(name = "TLSV1_2")]
    Tlsv1_2,
    #[value(name = "TLSV1_3")]
    Tlsv1_3,
}

/// Istio API versions for Sidecar (PeerAuthentication has no v1alpha3 and uses v1beta1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum IstioApiVersionArg {
    V1,
    V1beta1,
    V1alpha3,
}

#[derive(Debug, Args)]
pub struct RenderArgs {
    /// What to render; default: all of them, in apply order
    #[arg(value_enum, value_name = "WHAT")]
    pub what: Vec<crate::render::What>,
    /// Write one file per resource into DIR (created if missing) instead of stdout
    #[arg(long, value_name = "DIR")]
    pub out_dir: Option<PathBuf>,
    /// Read parameters from a YAML file (camelCase keys, e.g. `tlsPort: 9443`); flags override it
    #[arg(long, value_name = "FILE")]
    pub values: Option<PathBuf>,
    /// Folder with example.com.crt and <app>.<namespace>.svc.cluster.local.{crt,key}, for `secrets`
    /// [default: .; a bare `render` leaves the Secrets out when the folder has none of them]
    #[arg(long, value_name = "DIR")]
    pub certs: Option<PathBuf>,
    /// Print the equivalent `istioctl install --set …` command instead of the manifests
    #[arg(long, conflicts_with = "out_dir")]
    pub print_command: bool,
    /// Check the Istio resources first (as `meshtls validate`); errors stop the render
    #[arg(long)]
    pub validate: bool,
    /// Output format: `yaml`, the documents `kubectl apply -f` takes, or `json`, one List
    /// object as `kubectl get -o json` prints [default: yaml]
    #[arg(short = 'o', long = "output", value_enum, conflicts_with_all = ["out_dir", "print_command", "apply"])]
    pub output: Option<ObjectFormat>,
    #[command(flatten)]
    pub params: ParamArgs,
    #[command(flatten)]
    pub cluster: ApplyFlags,
}

/// The app's namespace and name: all that `check` needs of the task's parameters.
#[derive(Debug, Args)]
pub struct AppArgs {
    /// Namespace of the app [default: test]
    #[arg(short = 'n', long)]
    pub namespace: Option<String>,
    /// App name: ServiceAccount, Service, Deployment and the `app` label [default: httpbin]
    #[arg(long)]
    pub app: Option<String>,
}

/// The names of the objects the task makes: what `cleanup` needs to find them.
#[derive(Debug, Args)]
pub struct NameArgs {
    #[command(flatten)]
    pub app: AppArgs,
    /// Name of the Sidecar [default: ingress-sidecar]
    #[arg(long, value_name = "NAME")]
    pub sidecar_name: Option<String>,
    /// Name of the workload PeerAuthentication [default: disable-peer-auth-for-external-mtls-port]
    #[arg(long, value_name = "NAME")]
    pub peer_auth_name: Option<String>,
    /// Name of the server's tls Secret [default: httpbin-mtls-termination]
    #[arg(long, value_name = "NAME")]
    pub secret: Option<String>,
    /// Name of the CA's Secret [default: httpbin-mtls-termination-cacert]
    #[arg(long, value_name = "NAME")]
    pub ca_secret: Option<String>,
    /// Namespaces for the sleep client (repeat) [default: default and --namespace]
    #[arg(long = "sleep-namespace", value_name = "NS")]
    pub sleep_namespaces: Vec<String>,
}

/// Every name and number of the page (`render`'s flags); the defaults reproduce it.
#[derive(Debug, Args)]
pub struct ParamArgs {
    #[command(flatten)]
    pub names: NameArgs,
    /// The app's `version` label [default: v1]
    #[arg(long, value_name = "LABEL")]
    pub app_version: Option<String>,
    /// The app's container image [default: docker.io/kennethreitz/httpbin]
    #[arg(long)]
    pub image: Option<String>,
    /// The app container's port, the listeners' defaultEndpoint [default: 80]
    #[arg(long, value_name = "PORT", value_parser = clap::value_parser!(u16).range(1..))]
    pub app_port: Option<u16>,
    /// Workload port of the TLS listener (Service targetPort, portLevelMtls key) [default: 9080]
    #[arg(long, value_name = "PORT", value_parser = clap::value_parser!(u16).range(1..))]
    pub tls_port: Option<u16>,
    /// Workload port of the plain HTTP listener [default: 9081]
    #[arg(long, value_name = "PORT", value_parser = clap::value_parser!(u16).range(1..))]
    pub http_port: Option<u16>,
    /// Service port in front of the TLS port [default: 8443]
    #[arg(long, value_name = "PORT", value_parser = clap::value_parser!(u16).range(1..))]
    pub service_tls_port: Option<u16>,
    /// Service port in front of the HTTP port [default: 8080]
    #[arg(long, value_name = "PORT", value_parser = clap::value_parser!(u16).range(1..))]
    pub service_http_port: Option<u16>,
    /// TLS mode of the Sidecar's TLS listener [default: MUTUAL]
    #[arg(long, value_enum, value_name = "MODE")]
    pub tls_mode: Option<TlsModeArg>,
    /// Declared protocol of the TLS listener [default: HTTPS]. GRPC, HTTP2 and TCP get no tls block (Istio allows one only on HTTPS and TLS ports), so they serve what their PeerAuthentication mode says
    #[arg(long, value_enum, value_name = "PROTOCOL")]
    pub protocol: Option<ProtocolArg>,
    /// minProtocolVersion of the TLS listener
    #[arg(long, value_enum, value_name = "VERSION")]
    pub min_tls_version: Option<TlsVersionArg>,
    /// maxProtocolVersion of the TLS listener
    #[arg(long, value_enum, value_name = "VERSION")]
    pub max_tls_version: Option<TlsVersionArg>,
    /// cipherSuites of the TLS listener (OpenSSL names, comma-separated)
    #[arg(long, value_name = "SUITES", value_delimiter = ',')]
    pub cipher_suites: Option<Vec<String>>,
    /// Where istio-proxy mounts the server Secret [default: /etc/istio/tls-certs/]
    #[arg(long, value_name = "PATH")]
    pub cert_mount: Option<String>,
    /// Where istio-proxy mounts the CA Secret [default: /etc/istio/tls-ca-certs/]
    #[arg(long, value_name = "PATH")]
    pub ca_mount: Option<String>,
    /// apiVersion of the Istio resources [default: v1]
    #[arg(long, value_enum, value_name = "VERSION")]
    pub istio_api_version: Option<IstioApiVersionArg>,
}

#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// What to check
    #[command(flatten)]
    pub input: ManifestInput,
    /// Output format
    #[arg(short = 'o', long = "output", value_enum, default_value = "text")]
    pub output: ReportFormat,
    /// Namespace reported for objects that set none, as kubectl would apply them
    #[arg(short = 'n', long, default_value = "default")]
    pub namespace: String,
}

#[derive(Debug, Subcommand)]
pub enum ProxyConfigCommand {
    /// List the secrets (certificates) a proxy holds, as `istioctl proxy-config secret`
    #[command(visible_aliases = ["secrets", "s"])]
    Secret(ProxyConfigSecretArgs),
}

/// `-o` for the secret table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SecretFormat {
    /// istioctl's table, byte for byte (istioctl calls it `short`)
    #[value(alias = "short")]
    Text,
    /// The table plus SUBJECT, SANS, ISSUER and DAYS LEFT
    Wide,
    /// The SecretsConfigDump, camelCase, private keys redacted
    Json,
    /// The SecretsConfigDump as YAML, keys sorted
    Yaml,
}

#[derive(Debug, Args)]
pub struct ProxyConfigSecretArgs {
    /// POD[.NAMESPACE] or deployment/NAME[.NAMESPACE], read through a port-forward to its admin port
    #[arg(value_name = "POD")]
    pub pod: Option<String>,
    /// An Envoy config dump (JSON, full or secrets only); `-` reads stdin
    #[arg(short = 'f', long = "file", value_name = "FILE")]
    pub file: Option<PathBuf>,
    /// Query a local Envoy-compatible admin (`meshtls proxy`, Envoy) at HOST:PORT
    #[arg(long, value_name = "HOST:PORT")]
    pub admin: Option<String>,
    /// The proxy's admin port inside the pod
    #[arg(long, default_value_t = 15000, value_name = "PORT")]
    pub proxy_admin_port: u16,
    /// Namespace of a pod given without `.NAMESPACE` [default: the context's namespace, else default]
    #[arg(short = 'n', long)]
    pub namespace: Option<String>,
    /// Output format
    #[arg(short = 'o', long = "output", value_enum, default_value = "text")]
    pub output: SecretFormat,
    /// One row per certificate in a chain or bundle (istioctl shows the first only)
    #[arg(long)]
    pub all_certs: bool,
    /// Exit with status 3 if a secret is warming, not valid, or expires within --warn-within
    #[arg(long)]
    pub check: bool,
    /// With --check: fail certificates that expire within this long (e.g. 36h, 7d, 90m)
    #[arg(long, value_name = "DURATION", requires = "check", value_parser = parse_duration)]
    pub warn_within: Option<std::time::Duration>,
    /// With --check: fail certificates that expire within this many days (as --warn-within Nd)
    #[arg(
        long,
        value_name = "DAYS",
        requires = "check",
        conflicts_with = "warn_within"
    )]
    pub warn_days: Option<u32>,
    /// Evaluate validity at this instant (RFC 3339) instead of now
    #[arg(
        long,
        value_name = "RFC3339",
        env = "MESHTLS_NOW",
        hide_env_values = true,
        value_parser = parse_instant
    )]
    pub now: Option<time::OffsetDateTime>,
    #[command(flatten)]
    pub kube: KubeArgs,
}

/// Names and logical ports of the set-up under test; each overrides `-f` and the page's default.
#[derive(Debug, Args)]
pub struct TargetArgs {
    /// Rendered manifests (`meshtls render > task.yaml`) to read the Sidecar, Service and Deployment from
    #[command(flatten)]
    pub input: ManifestInput,
    /// The workload's pod labels, when the manifests hold more than one (e.g. app=httpbin,version=v1)
    #[arg(long, value_name = "LABELS", value_parser = parse_labels)]
    pub workload: Option<crate::k8s::labels::Labels>,
    /// Namespace of the app [default: test]
    #[arg(short = 'n', long)]
    pub namespace: Option<String>,
    /// The app's Service name [default: httpbin]
    #[arg(long, value_name = "NAME")]
    pub service: Option<String>,
    /// The Sidecar's name, as in x-envoy-decorator-operation [default: ingress-sidecar]
    #[arg(long, value_name = "NAME")]
    pub sidecar_name: Option<String>,
    /// The app's service account, the server's SPIFFE identity [default: the service name]
    #[arg(long, value_name = "NAME")]
    pub service_account: Option<String>,
    /// Workload port of the TLS listener [default: 9080]
    #[arg(long, value_name = "PORT", value_parser = clap::value_parser!(u16).range(1..))]
    pub tls_port: Option<u16>,
    /// Workload port of the in-mesh HTTP listener [default: 9081]
    #[arg(long, value_name = "PORT", value_parser = clap::value_parser!(u16).range(1..))]
    pub http_port: Option<u16>,
    /// Service port in front of the TLS port [default: 8443]
    #[arg(long, value_name = "PORT", value_parser = clap::value_parser!(u16).range(1..))]
    pub service_tls_port: Option<u16>,
    /// Service port in front of the HTTP port [default: 8080]
    #[arg(long, value_name = "PORT", value_parser = clap::value_parser!(u16).range(1..))]
    pub service_http_port: Option<u16>,
    /// Cluster DNS domain of the service FQDN
    #[arg(long, default_value = crate::page::CLUSTER_DOMAIN, value_name = "DOMAIN")]
    pub cluster_domain: String,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    #[command(flatten)]
    pub target: TargetArgs,
    /// Where to connect for a logical port, like curl's --resolve (the FQDN stays SNI and Host):
    /// PORT=HOST:PORT, PORT being a service (8443, 8080) or workload (9080, 9081) port; repeat.
    /// Default: 127.0.0.1 at the workload port, where `meshtls proxy` listens
    #[arg(long = "target", value_name = "PORT=HOST:PORT")]
    pub targets: Vec<String>,
    /// Folder with the page's files: example.com.{crt,key}, client.<ns>.svc.<domain>.{crt,key}
    #[arg(long, value_name = "DIR")]
    pub certs: Option<PathBuf>,
    /// CA the server certificate must chain to (curl --cacert) [default: DIR/example.com.crt]
    #[arg(long, value_name = "FILE")]
    pub cacert: Option<PathBuf>,
    /// Client certificate (curl --cert) [default: DIR/client.<ns>.svc.<domain>.crt]
    #[arg(long, value_name = "FILE")]
    pub cert: Option<PathBuf>,
    /// Client key (curl --key) [default: DIR/client.<ns>.svc.<domain>.key]
    #[arg(long, value_name = "FILE")]
    pub key: Option<PathBuf>,
    /// The CA's key, to make an expired client certificate [default: DIR/example.com.key]
    #[arg(long, value_name = "FILE")]
    pub ca_key: Option<PathBuf>,
    /// The local mesh CA folder `meshtls proxy` uses (default: $HOME/.meshtls/mesh); the in-mesh
    /// client's identity is issued from it
    #[arg(
        long,
        value_name = "DIR",
        env = "MESHTLS_MESH_DIR",
        hide_env_values = true
    )]
    pub mesh_dir: Option<PathBuf>,
    /// Run only the page's three checks
    #[arg(long)]
    pub no_negative: bool,
    /// Seconds each request may take
    #[arg(long, default_value_t = 5, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(1..=300))]
    pub timeout: u64,
    /// Show what `curl -I` prints for each check before the table
    #[arg(short = 'v', long)]
    pub verbose: bool,
    /// Output format: `text` fits the table to the terminal, `wide` never cuts a cell
    #[arg(short = 'o', long = "output", value_enum, default_value = "text")]
    pub output: TableFormat,
    /// Run curl inside the sleep pods of a cluster, as the page does: the in-mesh sleep in the
    /// app's namespace, the outside one in `default` (the CA and client pair are copied into it)
    #[arg(long)]
    pub kube: bool,
    /// With --kube: the folder in the outside sleep pod for the client files, where curl runs
    #[arg(long, value_name = "DIR", default_value = crate::kube::incluster::WORKDIR, requires = "kube")]
    pub kube_workdir: String,
    #[command(flatten)]
    pub cluster: KubeArgs,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Work folder to keep (certificates, manifests, mounted secrets, mesh CA, logs);
    /// default: a temporary folder removed at the end (kept if a step fails)
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// Leave the proxy and httpbin running and print commands to try; Ctrl-C stops them
    #[arg(long)]
    pub keep: bool,
    /// Local port for the TLS listener (the page's 9080, behind 8443); 0 picks a free one
    #[arg(long, default_value_t = 0, value_name = "PORT")]
    pub external_port: u16,
    /// Local port for the in-mesh listener (the page's 9081, behind 8080); 0 picks a free one
    #[arg(long, default_value_t = 0, value_name = "PORT")]
    pub internal_port: u16,
    /// Local port for the proxy's admin API (the page's 15000); 0 picks a free one
    #[arg(long, default_value_t = 0, value_name = "PORT")]
    pub admin_port: u16,
    /// Local port for the embedded httpbin (the page's container port 80); 0 picks a free one
    #[arg(long, default_value_t = 0, value_name = "PORT")]
    pub app_port: u16,
    /// Run only the page's three checks
    #[arg(long)]
    pub no_negative: bool,
    /// The Sidecar's tls mode to render [default: MUTUAL, the page's]; SIMPLE shows the
    /// client-certificate checks failing
    #[arg(long, value_enum, value_name = "MODE")]
    pub tls_mode: Option<TlsModeArg>,
    /// Show what `curl -I` prints for each check
    #[arg(short = 'v', long)]
    pub verbose: bool,
    /// Output format: the tables, or one summary (listeners, checks, secrets) as JSON or YAML;
    /// the steps go to stderr either way
    #[arg(short = 'o', long = "output", value_enum, default_value = "text", conflicts_with_all = ["keep", "verbose"])]
    pub output: DataFormat,
}

/// `analyze -o`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AnalyzeFormat {
    /// istioctl's lines: `<Level> [<CODE>] (<Kind> <ns>/<name> <file>:<line>) <message>`
    /// (istioctl calls it `log`)
    #[value(alias = "log")]
    Text,
    Json,
    Yaml,
}

/// Finding levels, as istioctl names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LevelArg {
    #[value(name = "Error", alias = "error")]
    Error,
    #[value(name = "Warning", alias = "warning")]
    Warning,
    #[value(name = "Info", alias = "info")]
    Info,
}

#[derive(Debug, Args)]
pub struct AnalyzeArgs {
    /// What to analyze. Kinds meshtls does not use are skipped
    #[command(flatten)]
    pub input: ManifestInput,
    /// More files or folders to analyze, as `istioctl analyze a.yaml dir/` takes them
    #[arg(value_name = "FILE|DIR")]
    pub paths: Vec<PathBuf>,
    /// Folder with the task's certificate files (example.com.crt, <host>.crt/.key) to check too
    #[arg(long, value_name = "DIR")]
    pub certs: Option<PathBuf>,
    /// The Istio install config: an IstioOperator, istiod Helm values, or `istioctl install --set …` text
    #[arg(long, value_name = "FILE")]
    pub istio_install: Option<PathBuf>,
    /// Output format
    #[arg(short = 'o', long = "output", value_enum, default_value = "text")]
    pub output: AnalyzeFormat,
    /// The lowest level that makes the exit status 79
    #[arg(long, value_enum, default_value = "Error", value_name = "LEVEL")]
    pub failure_threshold: LevelArg,
    /// The lowest level that is printed (the exit status still counts every finding)
    #[arg(long, value_enum, default_value = "Info", value_name = "LEVEL")]
    pub output_threshold: LevelArg,
    /// Silence a known finding: CODE=Kind/namespace/name (`*` matches anything); repeatable
    #[arg(long, value_name = "CODE=Kind/ns/name")]
    pub suppress: Vec<crate::analyze::Suppression>,
    /// Namespace of objects that set none (as `kubectl apply -n`), named in the summary; the
    /// namespace read from the cluster [default: the context's namespace with the cluster, else default]
    #[arg(short = 'n', long)]
    pub namespace: Option<String>,
    /// Read the namespace's objects from the cluster too (the default when no file is given);
    /// files given with -f are laid over them, as `istioctl analyze` does
    #[arg(long = "kube")]
    pub use_kube: bool,
    /// Where istiod runs, for its ENABLE_TLS_ON_SIDECAR_INGRESS and the root namespace's policies
    #[arg(
        short = 'i',
        long = "istio-namespace",
        default_value = "istio-system",
        value_name = "NS"
    )]
    pub istio_namespace: String,
    #[command(flatten)]
    pub kube: KubeArgs,
    /// Judge certificate validity at this instant (RFC 3339) instead of now
    #[arg(
        long,
        value_name = "RFC3339",
        env = "MESHTLS_NOW",
        hide_env_values = true,
        value_parser = parse_instant
    )]
    pub now: Option<time::OffsetDateTime>,
    /// Print the documentation of an analyzer code (cause and fix), as `rustc --explain`, and exit
    #[arg(long, value_name = "CODE", conflicts_with_all = ["files", "paths", "certs", "istio_install"])]
    pub explain: Option<crate::analyze::Code>,
}

/// `-f` as kubectl takes it: files, folders (`*.yaml`, `*.yml`, `*.json`) and `-` for stdin,
/// repeatable; `-R` reads the folders below a folder too.
#[derive(Debug, Clone, Args)]
pub struct ManifestInput {
    /// Manifests to read: a file, a folder of *.yaml/*.yml/*.json, or `-` for stdin; repeatable
    #[arg(short = 'f', long = "filename", value_name = "FILE|DIR|-")]
    pub files: Vec<PathBuf>,
    /// Also read the folders below each folder given with -f
    #[arg(short = 'R', long)]
    pub recursive: bool,
}

/// `--now`: an RFC 3339 instant.
pub fn parse_instant(text: &str) -> Result<time::OffsetDateTime, String> {
    time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
        .map_err(|_| format!("{text:?} is not RFC 3339; use e.g. 2026-01-02T03:04:05Z"))
}

/// `5s`, `500ms`, `2m`, `36h`, `7d`.
pub fn parse_duration(text: &str) -> Result<std::time::Duration, String> {
    let trimmed = text.trim();
    let split = trimmed
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(trimmed.len());
    let (number, unit) = trimmed.split_at(split);
    let value: u64 = number
        .parse()
        .map_err(|_| format!("{text:?}: expected a number and a unit, e.g. 5s or 500ms"))?;
    match unit {
        "ms" => Ok(std::time::Duration::from_millis(value)),
        "s" | "" => Ok(std::time::Duration::from_secs(value)),
        "m" | "h" | "d" => {
            let unit = match unit {
                "m" => 60,
                "h" => 3600,
                _ => 86_400,
            };
            value
                .checked_mul(unit)
                .map(std::time::Duration::from_secs)
                .ok_or_else(|| format!("{text:?} is too long"))
        }
        _ => Err(format!("{text:?}: the unit must be ms, s, m, h or d")),
    }
}

/// `--port-map PORT=LOCAL`.
pub fn parse_port_map(text: &str) -> Result<(u16, u16), String> {
    text.split_once('=')
        .and_then(|(a, b)| Some((a.trim().parse().ok()?, b.trim().parse().ok()?)))
        .ok_or_else(|| format!("{text:?}: expected PORT=LOCAL, e.g. 9080=18080"))
}

/// `--endpoint-override PORT=HOST:PORT` or `PORT=unix:///path`.
pub fn parse_endpoint_override(
    text: &str,
) -> Result<(u16, crate::proxy::config::Endpoint), String> {
    use crate::proxy::config::Endpoint;
    let hint = || format!("{text:?}: expected PORT=HOST:PORT or PORT=unix:///path");
    let (port, target) = text.split_once('=').ok_or_else(hint)?;
    let port: u16 = port.trim().parse().map_err(|_| hint())?;
    let endpoint = match target.strip_prefix("unix://") {
        Some(path) => Endpoint::Unix(PathBuf::from(path)),
        None => Endpoint::Tcp(target.trim().parse().map_err(|_| hint())?),
    };
    Ok((port, endpoint))
}

/// `--workload app=httpbin,version=v1`.
pub fn parse_labels(text: &str) -> Result<crate::k8s::labels::Labels, String> {
    crate::k8s::labels::parse_selector(text).map_err(|e| e.to_string())
}

#[derive(Debug, Args)]
pub struct DescribeArgs {
    /// `pod NAME[.NAMESPACE]`: describe a running pod's workload from the cluster instead of files
    #[arg(value_name = "pod NAME[.NS]", num_args = 0..=2)]
    pub resource: Vec<String>,
    /// The task's manifests (`meshtls render` output): Sidecar, PeerAuthentications, Deployment, Services, Secrets
    #[command(flatten)]
    pub input: ManifestInput,
    /// The workload's pod labels, when more than one Deployment could be meant (e.g. app=httpbin,version=v1)
    #[arg(long, value_name = "LABELS", value_parser = parse_labels)]
    pub workload: Option<crate::k8s::labels::Labels>,
    /// Act as if istiod had ENABLE_TLS_ON_SIDECAR_INGRESS=true (normally read from the IstioOperator in the input)
    #[arg(long)]
    pub enable_tls_on_sidecar_ingress: bool,
    /// Namespace of objects that set none (as `kubectl apply -n`); with `pod`, the pod's
    /// namespace [default: the context's namespace with a pod, else default]
    #[arg(short = 'n', long)]
    pub namespace: Option<String>,
    /// Where istiod runs (with `pod`: its ENABLE_TLS_ON_SIDECAR_INGRESS and the root namespace's policies)
    #[arg(
        short = 'i',
        long = "istio-namespace",
        default_value = "istio-system",
        value_name = "NS"
    )]
    pub istio_namespace: String,
    #[command(flatten)]
    pub kube: KubeArgs,
    /// Output format
    #[arg(short = 'o', long = "output", value_enum, default_value = "text")]
    pub output: ReportFormat,
    /// Count certificate days left from this instant (RFC 3339) instead of now
    #[arg(
        long,
        value_name = "RFC3339",
        env = "MESHTLS_NOW",
        hide_env_values = true,
        value_parser = parse_instant
    )]
    pub now: Option<time::OffsetDateTime>,
}
