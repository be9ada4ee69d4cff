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
    /// Print a shell completion script
    Completion(CompletionArgs),
    /// Inspect a proxy's configuration, as `istioctl proxy-config`
    #[command(subcommand, visible_alias = "pc")]
    ProxyConfig(ProxyConfigCommand),
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
    #[arg(long, short = 'n', default_value = "test")]
    pub namespace: String,
    /// Service name used to derive the server's host names
    #[arg(long, default_value = "httpbin")]
    pub service: String,
    /// Cluster DNS domain used to derive host names
    #[arg(long, default_value = "cluster.local")]
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
        hide_env_values = true
    )]
    pub now: Option<String>,
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

/// kubectl's `--dry-run` values. Until cluster mode, only `client` (print, do not send) works.
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
    /// Accepted for kubectl compatibility; meshtls prints the object and sends nothing
    #[arg(long, value_enum, default_value = "client", num_args = 0..=1, default_missing_value = "client")]
    pub dry_run: DryRun,
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

#[derive(Debug, Subcommand)]
pub enum ProxyConfigCommand {
    /// List the secrets (certificates) a proxy holds, as `istioctl proxy-config secret`
    #[command(visible_aliases = ["secrets", "s"])]
    Secret(ProxyConfigSecretArgs),
}

/// `-o` for the secret table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SecretFormat {
    /// istioctl's table, byte for byte
    Short,
    /// The table plus SUBJECT, SANS, ISSUER and DAYS LEFT
    Wide,
    /// The SecretsConfigDump, camelCase, private keys redacted
    Json,
    /// The SecretsConfigDump as YAML, keys sorted
    Yaml,
}

#[derive(Debug, Args)]
pub struct ProxyConfigSecretArgs {
    /// POD[.NAMESPACE] or deployment/NAME[.NAMESPACE] (needs cluster access, not available yet)
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
    /// Namespace of a pod given without `.NAMESPACE`
    #[arg(short = 'n', long, default_value = "default")]
    pub namespace: String,
    /// Output format
    #[arg(short = 'o', long = "output", value_enum, default_value = "short")]
    pub output: SecretFormat,
    /// One row per certificate in a chain or bundle (istioctl shows the first only)
    #[arg(long)]
    pub all_certs: bool,
    /// Exit with status 3 if a secret is warming, not valid, or expires within --warn-days
    #[arg(long)]
    pub check: bool,
    /// With --check: fail certificates that expire within this many days
    #[arg(long, default_value_t = 0, value_name = "DAYS", requires = "check")]
    pub warn_days: u32,
    /// Evaluate validity at this instant (RFC 3339) instead of now
    #[arg(
        long,
        value_name = "RFC3339",
        env = "MESHTLS_NOW",
        hide_env_values = true
    )]
    pub now: Option<String>,
}
