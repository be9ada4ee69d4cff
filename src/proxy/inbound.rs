//! From the task model to the sidecar's listeners: each decided ingress port of the selected
//! workload becomes a `ListenerConfig` (Istio's gates were applied by `task::decide`), and the
//! Secrets the kubelet would mount into istio-proxy are listed.
use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::PathBuf;

use super::config::{
    AccessLog, ClientAuth, ClientRoots, DownstreamLimits, Endpoint, H2Engine, Http1Engine,
    ListenerConfig, Protocol, ProxiedWorkload, ProxyConfig, Security, TlsMode, TlsTermination,
    TlsVersion, UpstreamLimits,
};
use crate::k8s::secret::Secret;
use crate::k8s::volumes::{Mount, VolumeError, mounts, project};
use crate::mesh::peer_auth::MtlsMode;
use crate::mesh::sidecar::{ServerTlsMode, ServerTlsSettings, TlsProtocol};
use crate::mesh::telemetry::WorkloadNames;
use crate::mesh::validate::Level;
use crate::task::Task;
use crate::task::decide::{Ignored, IngressPort, Served, TlsGate};
use crate::task::manifest::validate_manifests;
use crate::task::select::{SelectError, Selected, Selector};
use crate::tls::suite_by_openssl_name;

/// Why the input cannot be served.
#[derive(Debug, thiserror::Error)]
pub enum ResolveError {
    #[error(transparent)]
    Select(#[from] SelectError),
    #[error(transparent)]
    Volume(#[from] VolumeError),
    #[error("Istio would reject the input:\n{0}")]
    Invalid(String),
    #[error("Sidecar {sidecar} ingress port {port}: {reason}")]
    Unsupported {
        sidecar: String,
        port: u32,
        reason: String,
    },
}

/// Where the local proxy puts things: addresses, port and endpoint mappings, the install flag.
#[derive(Debug, Clone)]
pub struct Placement {
    /// `--workload app=httpbin,version=v1`: which workload, when several could be.
    pub selector: Selector,
    /// The address listeners bind to (127.0.0.1 locally).
    pub bind: IpAddr,
    /// Workload port → local port (0 picks a free one); unmapped ports bind as configured.
    pub port_map: BTreeMap<u16, u16>,
    /// App port → endpoint, to run the app somewhere other than `defaultEndpoint`.
    pub endpoint_overrides: BTreeMap<u16, Endpoint>,
    /// Send every listener here (an app run in-process), whatever its `defaultEndpoint`.
    pub app: Option<Endpoint>,
    /// `--enable-tls-on-sidecar-ingress`: treat istiod as having the flag even with no install in the input.
    pub force_tls_flag: bool,
}

impl Default for Placement {
    fn default() -> Self {
        Placement {
            selector: Selector::default(),
            bind: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port_map: BTreeMap::new(),
            endpoint_overrides: BTreeMap::new(),
            app: None,
            force_tls_flag: false,
        }
    }
}

/// The resolved inbound side of one workload.
#[derive(Debug)]
pub struct Inbound {
    pub workload: ProxiedWorkload,
    pub listeners: Vec<ListenerConfig>,
    /// The Secrets the kubelet would mount into istio-proxy (None: optional and missing).
    pub mounts: Vec<(Mount, Option<Secret>)>,
    /// Things Istio would do silently, said out loud.
    pub warnings: Vec<String>,
}

/// Resolves the task into what the local sidecar serves.
pub fn resolve(task: &Task, placement: &Placement) -> Result<Inbound, ResolveError> {
    let errors: Vec<String> = validate_manifests(&task.manifests())
        .into_iter()
        .filter(|f| f.level == Level::Error)
        .map(|f| f.to_string())
        .collect();
    if !errors.is_empty() {
        return Err(ResolveError::Invalid(errors.join("\n")));
    }
    let selected = task.select(&placement.selector)?;
    let mut warnings = Vec::new();
    let mut listeners = Vec::new();
    let flag = placement.force_tls_flag || task.tls_flag();
    for port in task.ingress_ports_with_flag(&selected, flag) {
        // The first Service fronting the port names it in Istio's metrics.
        let service = task
            .fronting(&selected, port.number)
            .into_iter()
            .next()
            .map(|front| front.service);
        listeners.push(listener(
            &port,
            &selected,
            placement,
            service,
            &mut warnings,
        )?);
    }
    let workload = &selected.workload;
    let secrets: Vec<&Secret> = task.secrets().into_iter().map(|(s, _)| s).collect();
    let mount_list = mounts(workload.deployment)?;
    let projected = project(&mount_list, &workload.namespace, &secrets)?;
    for (mount, secret) in &projected {
        if secret.is_none() {
            warnings.push(format!(
                "secret {}/{} (volume {}, optional) is not in the input: {} is an empty folder, so certificates there stay warming",
                workload.namespace, mount.secret_name, mount.volume, mount.mount_path
            ));
        }
    }
    Ok(Inbound {
        workload: ProxiedWorkload {
            namespace: workload.namespace.clone(),
            service_account: workload.service_account.clone(),
            sidecar_name: selected.sidecar_name().to_string(),
            names: WorkloadNames::of(&workload.name, &workload.labels),
        },
        listeners,
        mounts: projected
            .into_iter()
            .map(|(m, s)| (m, s.cloned()))
            .collect(),
        warnings,
    })
}

fn listener(
    port: &IngressPort<'_>,
    selected: &Selected<'_>,
    placement: &Placement,
    service: Option<String>,
    warnings: &mut Vec<String>,
) -> Result<ListenerConfig, ResolveError> {
    let unsupported = |reason: String| ResolveError::Unsupported {
        sidecar: selected.sidecar_name().to_string(),
        port: port.number,
        reason,
    };
    let number =
        u16::try_from(port.number).map_err(|_| unsupported("port out of range".to_string()))?;
    let protocol = match port.served() {
        Served::Http => Protocol::Http,
        Served::Http2 => Protocol::Http2,
        Served::Tcp => Protocol::Tcp,
        Served::Other(other) => {
            return Err(unsupported(format!(
                "protocol {other} is not served by the embedded proxy, which speaks HTTP, HTTP2, GRPC, TCP and TLS; declare the port TCP to proxy its bytes as they are"
            )));
        }
    };
    if port.protocol == "HTTPS" && protocol == Protocol::Tcp {
        warnings.push(format!(
            "port {number}: protocol HTTPS without TLS termination is a TCP proxy in Istio's inbound listener (the client's TLS goes to the app as it is)"
        ));
    }
    let mode_security = match port.mtls.mode {
        MtlsMode::Disable => Security::Plaintext,
        MtlsMode::Strict => Security::IstioMutual,
        MtlsMode::Permissive | MtlsMode::Unset => Security::Permissive,
    };
    let security = match &port.tls {
        TlsGate::Absent => mode_security,
        TlsGate::Ignored { reasons, .. } => {
            for reason in reasons {
                let own_fix = match reason {
                    Ignored::NoInstallFlag => ", or pass --enable-tls-on-sidecar-ingress",
                    Ignored::Mode(_) => "",
                };
                warnings.push(format!(
                    "port {number}: the Sidecar's tls block is ignored: {}{own_fix}",
                    reason.explain(&selected.workload, port.number)
                ));
            }
            mode_security
        }
        TlsGate::Terminate(tls) => {
            Security::Terminate(termination(tls, number, warnings).map_err(unsupported)?)
        }
    };
    let local_port = placement.port_map.get(&number).copied().unwrap_or(number);
    Ok(ListenerConfig {
        port: number,
        name: port.name.clone(),
        bind: SocketAddr::new(placement.bind, local_port),
        security,
        protocol,
        endpoint: endpoint(port.listener.default_endpoint.as_deref(), number, placement)
            .map_err(unsupported)?,
        service,
    })
}

fn termination(
    tls: &ServerTlsSettings,
    port: u16,
    warnings: &mut Vec<String>,
) -> Result<TlsTermination, String> {
    let mode = match tls.effective_mode() {
        ServerTlsMode::Simple => TlsMode::Simple,
        ServerTlsMode::Mutual => TlsMode::Mutual,
        ServerTlsMode::OptionalMutual => TlsMode::OptionalMutual,
        other => {
            return Err(format!(
                "tls mode {} is not served by the embedded proxy; use SIMPLE, MUTUAL or OPTIONAL_MUTUAL",
                other.as_str()
            ));
        }
    };
    let roots = tls
        .ca_certificates
        .clone()
        .map(|ca_certificates| ClientRoots {
            ca_certificates,
            ca_crl: tls.ca_crl.clone(),
        });
    let client_auth = ClientAuth::new(mode, roots).ok_or_else(|| {
        format!(
            "{} TLS requires a client CA bundle: set caCertificates",
            mode.as_str()
        )
    })?;
    let mut version = |v: Option<TlsProtocol>, default: TlsVersion, which: &str| match v {
        None | Some(TlsProtocol::TlsAuto) => Ok(default),
        Some(TlsProtocol::Tlsv1_2) => Ok(TlsVersion::V1_2),
        Some(TlsProtocol::Tlsv1_3) => Ok(TlsVersion::V1_3),
        Some(older) if which == "min" => {
            warnings.push(format!(
                "port {port}: minProtocolVersion {older:?} is below what the embedded proxy (rustls) speaks; it accepts TLS 1.2 and up"
            ));
            Ok(TlsVersion::V1_2)
        }
        Some(older) => Err(format!(
            "maxProtocolVersion {older:?}: the embedded proxy (rustls) speaks TLS 1.2 and 1.3 only"
        )),
    };
    let min_version = version(tls.min_protocol_version, TlsVersion::V1_2, "min")?;
    let max_version = version(tls.max_protocol_version, TlsVersion::V1_3, "max")?;
    if min_version > max_version {
        return Err("minProtocolVersion is above maxProtocolVersion".to_string());
    }
    let mut cipher_suites = Vec::new();
    for suite in &tls.cipher_suites {
        if suite_by_openssl_name(suite).is_some() {
            cipher_suites.push(suite.clone());
        } else {
            warnings.push(format!(
                "port {port}: cipher suite {suite} is not offered by the embedded proxy (rustls has only ECDHE with AES-GCM or ChaCha20-Poly1305) and is dropped"
            ));
        }
    }
    if !tls.cipher_suites.is_empty() && cipher_suites.is_empty() && max_version < TlsVersion::V1_3 {
        return Err(
            "none of cipherSuites is supported and TLS 1.3 is off, so no handshake could succeed"
                .to_string(),
        );
    }
    Ok(TlsTermination {
        client_auth,
        server_certificate: tls.server_certificate.clone().unwrap_or_default(),
        private_key: tls.private_key.clone().unwrap_or_default(),
        min_version,
        max_version,
        cipher_suites,
    })
}

/// `defaultEndpoint` locally: wildcard addresses become loopback; overrides apply by port.
fn endpoint(
    default_endpoint: Option<&str>,
    port: u16,
    placement: &Placement,
) -> Result<Endpoint, String> {
    if let Some(app) = &placement.app {
        return Ok(app.clone());
    }
    let parsed = match default_endpoint {
        None | Some("") => Endpoint::Tcp(SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), port)),
        Some(text) if text.starts_with("unix://") => {
            Endpoint::Unix(PathBuf::from(&text["unix://".len()..]))
        }
        Some(text) => {
            let address: SocketAddr = text.parse().map_err(|_| {
                format!("defaultEndpoint {text:?} is not ADDRESS:PORT or unix://PATH")
            })?;
            let ip = match address.ip() {
                IpAddr::V4(v4) if v4.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
                IpAddr::V6(v6) if v6.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
                ip => ip,
            };
            Endpoint::Tcp(SocketAddr::new(ip, address.port()))
        }
    };
    Ok(match &parsed {
        Endpoint::Tcp(address) => placement
            .endpoint_overrides
            .get(&address.port())
            .cloned()
            .unwrap_or(parsed),
        Endpoint::Unix(_) => parsed,
    })
}

/// Runtime settings that are not in the YAML.
#[derive(Debug, Clone)]
pub struct Runtime {
    pub admin: SocketAddr,
    pub concurrency: usize,
    pub root: PathBuf,
    pub mesh_dir: Option<PathBuf>,
    pub access_log: AccessLog,
    pub drain_timeout: std::time::Duration,
    pub upstream: UpstreamLimits,
    pub downstream: DownstreamLimits,
    pub http1: Http1Engine,
    pub h2: H2Engine,
}

impl Inbound {
    /// The proxy configuration for these listeners and runtime settings.
    pub fn into_config(self, runtime: Runtime) -> ProxyConfig {
        ProxyConfig {
            workload: self.workload,
            listeners: self.listeners,
            admin: runtime.admin,
            concurrency: runtime.concurrency,
            upstream: runtime.upstream,
            downstream: runtime.downstream,
            root: runtime.root,
            mesh_dir: runtime.mesh_dir,
            trust_domain: crate::page::TRUST_DOMAIN.to_string(),
            drain_timeout: runtime.drain_timeout,
            access_log: runtime.access_log,
            reload_interval: std::time::Duration::from_millis(500),
            workload_cert_ttl: std::time::Duration::from_secs(24 * 3600),
            http1: runtime.http1,
            h2: runtime.h2,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_map_wildcards_to_loopback_and_honour_overrides() {
        let placement = Placement::default();
        let loopback = |port| Endpoint::Tcp(SocketAddr::from(([127, 0, 0, 1], port)));
        assert_eq!(
            endpoint(Some("0.0.0.0:80"), 9080, &placement).unwrap(),
            loopback(80)
        );
        assert_eq!(endpoint(None, 9080, &placement).unwrap(), loopback(9080));
        assert_eq!(
            endpoint(Some("[::]:80"), 9080, &placement).unwrap(),
            Endpoint::Tcp("[::1]:80".parse().unwrap())
        );
        assert_eq!(
            endpoint(Some("unix:///var/run/app.sock"), 9080, &placement).unwrap(),
            Endpoint::Unix(PathBuf::from("/var/run/app.sock"))
        );
        assert!(endpoint(Some("nonsense"), 9080, &placement).is_err());
        let overridden = Placement {
            endpoint_overrides: BTreeMap::from([(80, loopback(18080))]),
            ..Placement::default()
        };
        assert_eq!(
            endpoint(Some("0.0.0.0:80"), 9080, &overridden).unwrap(),
            loopback(18080)
        );
        let in_process = Placement {
            app: Some(loopback(43210)),
            ..Placement::default()
        };
        assert_eq!(
            endpoint(Some("unix:///x"), 9080, &in_process).unwrap(),
            loopback(43210)
        );
    }

    #[test]
    fn tls_settings_map_to_what_rustls_serves() {
        let mut warnings = Vec::new();
        let mut tls = ServerTlsSettings {
            mode: Some(ServerTlsMode::Mutual),
            server_certificate: Some("/c".to_string()),
            private_key: Some("/k".to_string()),
            ca_certificates: Some("/ca".to_string()),
            min_protocol_version: Some(TlsProtocol::Tlsv1_0),
            cipher_suites: vec![
                "ECDHE-RSA-AES128-GCM-SHA256".to_string(),
                "AES128-SHA".to_string(),
            ],
            ..ServerTlsSettings::default()
        };
        let served = termination(&tls, 9080, &mut warnings).unwrap();
        assert_eq!(served.min_version, TlsVersion::V1_2);
        assert_eq!(served.cipher_suites, ["ECDHE-RSA-AES128-GCM-SHA256"]);
        assert_eq!(warnings.len(), 2, "{warnings:?}");
        tls.mode = None;
        assert!(termination_error(&tls).contains("PASSTHROUGH"));
        tls.mode = Some(ServerTlsMode::Mutual);
        tls.ca_crl = Some("/crl".to_string());
        let with_crl = termination(&tls, 9080, &mut Vec::new()).unwrap();
        assert_eq!(
            with_crl
                .client_auth
                .roots()
                .and_then(|r| r.ca_crl.as_deref()),
            Some("/crl")
        );
    }

    fn termination_error(tls: &ServerTlsSettings) -> String {
        termination(tls, 9080, &mut Vec::new()).unwrap_err()
    }
}
