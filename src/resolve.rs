//! From parsed flags to what the library takes (ripgrep's "low" to "high" arguments): render's
//! parameters (defaults, then `--values`, then flags), the cluster connection options, the clock.
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::Context;
use time::OffsetDateTime;

use crate::cli::{
    AppArgs, IstioApiVersionArg, KubeArgs, ManifestInput, NameArgs, ParamArgs, ProtocolArg,
    TlsModeArg, TlsVersionArg,
};
use crate::exit::{DataError, UsageError};
use crate::kube::ConnectOptions;
use crate::mesh::object::IstioApiVersion;
use crate::mesh::sidecar::{ServerTlsMode, TlsProtocol};
use crate::render::Params;
use crate::render::params::TlsPortProtocol;
use crate::task::read;

/// Parameters from defaults, then the `--values` file, then the flags; checked together. A
/// problem the values file brings is a data error (65); one the flags bring, a usage error (64).
pub fn resolve_params(values: Option<&Path>, flags: impl ParamFlags) -> anyhow::Result<Params> {
    let mut resolved = match values {
        Some(path) => {
            let text = fs::read_to_string(path)
                .with_context(|| format!("reading values file {}", path.display()))?;
            Params::from_values_yaml(&text).map_err(|e| {
                DataError(format!(
                    "values file {}:{}:{}: {}",
                    path.display(),
                    e.line,
                    e.column,
                    e.message
                ))
            })?
        }
        None => Params::default(),
    };
    let from_values = values.and_then(|path| resolved.check().err().map(|e| (path, e)));
    flags.apply(&mut resolved);
    match (resolved.check(), from_values) {
        (Ok(()), _) => Ok(resolved),
        (Err(e), Some((path, _))) => {
            Err(DataError(format!("values file {} and flags: {e}", path.display())).into())
        }
        (Err(e), None) => Err(UsageError(e.to_string()).into()),
    }
}

/// Flags that override the values file; every flag is handled (the destructuring makes sure).
pub trait ParamFlags {
    fn apply(self, params: &mut Params);
}

fn set<T>(slot: &mut T, value: Option<T>) {
    if let Some(value) = value {
        *slot = value;
    }
}

impl ParamFlags for AppArgs {
    fn apply(self, p: &mut Params) {
        let AppArgs { namespace, app } = self;
        set(&mut p.namespace, namespace);
        set(&mut p.app, app);
    }
}

impl ParamFlags for NameArgs {
    fn apply(self, p: &mut Params) {
        let NameArgs {
            app,
            sidecar_name,
            peer_auth_name,
            secret,
            ca_secret,
            sleep_namespaces,
        } = self;
        app.apply(p);
        set(&mut p.sidecar_name, sidecar_name);
        set(&mut p.peer_auth_name, peer_auth_name);
        set(&mut p.secret, secret);
        set(&mut p.ca_secret, ca_secret);
        if !sleep_namespaces.is_empty() {
            p.sleep_namespaces = sleep_namespaces;
        }
    }
}

impl ParamFlags for ParamArgs {
    fn apply(self, p: &mut Params) {
        let ParamArgs {
            names,
            app_version,
            image,
            app_port,
            tls_port,
            http_port,
            service_tls_port,
            service_http_port,
            tls_mode,
            protocol,
            min_tls_version,
            max_tls_version,
            cipher_suites,
            cert_mount,
            ca_mount,
            istio_api_version,
        } = self;
        names.apply(p);
        set(&mut p.app_version, app_version);
        set(&mut p.image, image);
        set(&mut p.app_port, app_port);
        set(&mut p.tls_port, tls_port);
        set(&mut p.http_port, http_port);
        set(&mut p.service_tls_port, service_tls_port);
        set(&mut p.service_http_port, service_http_port);
        set(&mut p.tls_mode, tls_mode.map(tls_mode_of));
        set(&mut p.protocol, protocol.map(protocol_of));
        if min_tls_version.is_some() {
            p.min_tls_version = min_tls_version.map(tls_version_of);
        }
        if max_tls_version.is_some() {
            p.max_tls_version = max_tls_version.map(tls_version_of);
        }
        set(&mut p.cipher_suites, cipher_suites);
        set(&mut p.cert_mount, cert_mount);
        set(&mut p.ca_mount, ca_mount);
        set(
            &mut p.istio_api_version,
            istio_api_version.map(api_version_of),
        );
    }
}

/// Local port flags that must differ (0, "pick a free one", may repeat): a usage error (64)
/// names each pair that is the same.
pub fn distinct_ports(ports: &[(&str, u16)]) -> Result<(), UsageError> {
    let mut problems = Vec::new();
    for (i, (flag, port)) in ports.iter().enumerate() {
        for (other, other_port) in &ports[i + 1..] {
            if *port != 0 && port == other_port {
                problems.push(format!("{flag} and {other} are both {port}"));
            }
        }
    }
    match problems.is_empty() {
        true => Ok(()),
        false => Err(UsageError(format!(
            "{}; each listener needs its own port",
            problems.join("; ")
        ))),
    }
}

/// `pc secret --warn-within DURATION`, or `--warn-days N` as N days; none warns of nothing.
pub fn resolve_warn_within(
    within: Option<std::time::Duration>,
    days: Option<u32>,
) -> time::Duration {
    match (within, days) {
        (Some(within), _) => time::Duration::try_from(within).unwrap_or(time::Duration::MAX),
        (None, Some(days)) => time::Duration::days(i64::from(days)),
        (None, None) => time::Duration::ZERO,
    }
}

fn protocol_of(protocol: ProtocolArg) -> TlsPortProtocol {
    match protocol {
        ProtocolArg::Https => TlsPortProtocol::Https,
        ProtocolArg::Tls => TlsPortProtocol::Tls,
        ProtocolArg::Grpc => TlsPortProtocol::Grpc,
        ProtocolArg::Http2 => TlsPortProtocol::Http2,
        ProtocolArg::Tcp => TlsPortProtocol::Tcp,
    }
}

/// `--now` / `MESHTLS_NOW`, or the clock.
pub fn resolve_now(now: Option<OffsetDateTime>) -> OffsetDateTime {
    now.unwrap_or_else(OffsetDateTime::now_utc)
}

/// The connection options for a command's flags.
pub fn connect_options(kube: &KubeArgs, namespace: Option<String>) -> ConnectOptions {
    let KubeArgs {
        kubeconfig,
        context,
    } = kube.clone();
    ConnectOptions {
        kubeconfig,
        context,
        namespace,
    }
}

pub fn tls_mode_of(arg: TlsModeArg) -> ServerTlsMode {
    match arg {
        TlsModeArg::Simple => ServerTlsMode::Simple,
        TlsModeArg::Mutual => ServerTlsMode::Mutual,
        TlsModeArg::OptionalMutual => ServerTlsMode::OptionalMutual,
    }
}

fn tls_version_of(arg: TlsVersionArg) -> TlsProtocol {
    match arg {
        TlsVersionArg::TlsAuto => TlsProtocol::TlsAuto,
        TlsVersionArg::Tlsv1_0 => TlsProtocol::Tlsv1_0,
        TlsVersionArg::Tlsv1_1 => TlsProtocol::Tlsv1_1,
        TlsVersionArg::Tlsv1_2 => TlsProtocol::Tlsv1_2,
        TlsVersionArg::Tlsv1_3 => TlsProtocol::Tlsv1_3,
    }
}

fn api_version_of(arg: IstioApiVersionArg) -> IstioApiVersion {
    match arg {
        IstioApiVersionArg::V1 => IstioApiVersion::V1,
        IstioApiVersionArg::V1beta1 => IstioApiVersion::V1beta1,
        IstioApiVersionArg::V1alpha3 => IstioApiVersion::V1alpha3,
    }
}

/// Reads `-f` (and any positional `paths`) through the task's one reader. No input at all is a
/// usage error (64); YAML that does not parse is a data error (65).
pub fn read_input(
    input: &ManifestInput,
    paths: &[PathBuf],
    namespace: &str,
) -> anyhow::Result<read::Input> {
    let all: Vec<PathBuf> = input.files.iter().chain(paths).cloned().collect();
    if all.is_empty() {
        return Err(UsageError(
            "no input: pass -f FILE, -f DIR (its *.yaml, *.yml and *.json) or -f - for stdin"
                .to_string(),
        )
        .into());
    }
    read::read(&all, input.recursive, namespace).map_err(|e| match e.is_data_error() {
        true => DataError(e.to_string()).into(),
        false => anyhow::Error::from(e),
    })
}
