//! `render`'s core: resolved parameters in, the task's manifests out (pure, no I/O), and the
//! same manifests read back from YAML.
pub mod params;

use k8s_openapi::api::core::v1::Namespace;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use crate::k8s::app::{AppSpec, SecretMount};
use crate::k8s::secret::{Secret, SecretError};
use crate::k8s::sleep;
use crate::mesh::install::IstioOperator;
use crate::mesh::peer_auth::{
    self, LabelSelector, MtlsMode, MutualTls, PeerAuthentication, PeerAuthenticationSpec,
};
use crate::mesh::sidecar::{
    self, IstioIngressListener, ServerTlsMode, ServerTlsSettings, Sidecar, SidecarPort,
    SidecarSpec, WorkloadSelector,
};
pub use crate::task::Manifest;
pub use params::Params;

/// What `render` can produce, in apply order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, clap::ValueEnum)]
pub enum What {
    /// IstioOperator with ENABLE_TLS_ON_SIDECAR_INGRESS=true
    Install,
    /// The namespace, labelled istio-injection=enabled
    Namespace,
    /// Namespace-wide STRICT, and the workload policy that disables mTLS on the TLS port
    PeerAuthentication,
    /// The server's tls Secret and the CA's generic Secret (needs --certs)
    Secrets,
    /// ServiceAccount, Service and Deployment of the app
    App,
    /// The Sidecar with the TLS and the plain ingress listener
    Sidecar,
    /// The sleep client, in and outside the mesh
    Sleep,
}

impl What {
    pub const ALL: [What; 7] = [
        What::Install,
        What::Namespace,
        What::PeerAuthentication,
        What::Secrets,
        What::App,
        What::Sidecar,
        What::Sleep,
    ];
}

/// The certificate files `secrets` is made from (contents, read by the caller).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertFiles {
    pub ca_crt: Vec<u8>,
    pub server_crt: Vec<u8>,
    pub server_key: Vec<u8>,
}

/// Volume names in the userVolume annotations (as on the page).
pub const CERT_VOLUME: &str = "tls-secret";
pub const CA_VOLUME: &str = "tls-ca-secret";

/// Every selected manifest, in apply order (`what` is sorted and deduplicated first).
pub fn render(
    params: &Params,
    what: &[What],
    certs: Option<&CertFiles>,
) -> Result<Vec<Manifest>, SecretError> {
    let mut what = what.to_vec();
    what.sort();
    what.dedup();
    let mut out = Vec::new();
    for item in what {
        match item {
            What::Install => out.push(Manifest::IstioOperator(IstioOperator::task(
                &params.profile,
            ))),
            What::Namespace => out.push(Manifest::Namespace(namespace(&params.namespace))),
            What::PeerAuthentication => {
                let (default, workload) = peer_authentications(params);
                out.push(Manifest::PeerAuthentication(default));
                out.push(Manifest::PeerAuthentication(workload));
            }
            What::Secrets => {
                let (tls, ca) = secrets(params, certs)?;
                out.push(Manifest::Secret(ca));
                out.push(Manifest::Secret(tls));
            }
            What::App => {
                let app = app_spec(params);
                out.push(Manifest::ServiceAccount(app.service_account()));
                out.push(Manifest::Service(app.service()));
                out.push(Manifest::Deployment(app.deployment()));
            }
            What::Sidecar => out.push(Manifest::Sidecar(sidecar(params))),
            What::Sleep => {
                for ns in params.sleep_namespaces() {
                    let (sa, svc, deploy) = sleep::objects(&ns);
                    out.push(Manifest::ServiceAccount(sa));
                    out.push(Manifest::Service(svc));
                    out.push(Manifest::Deployment(deploy));
                }
            }
        }
    }
    Ok(out)
}

pub fn namespace(name: &str) -> Namespace {
    Namespace {
        metadata: ObjectMeta {
            name: Some(name.to_string()),
            labels: Some([("istio-injection".to_string(), "enabled".to_string())].into()),
            ..ObjectMeta::default()
        },
        ..Namespace::default()
    }
}

/// The namespace-wide STRICT policy `default` and the workload policy with a DISABLE port.
pub fn peer_authentications(p: &Params) -> (PeerAuthentication, PeerAuthentication) {
    let api = p.istio_api_version.security();
    let ns = Some(p.namespace.as_str());
    let default = PeerAuthentication::new(
        api.clone(),
        peer_auth::KIND,
        "default",
        ns,
        PeerAuthenticationSpec {
            mtls: Some(MutualTls::mode(MtlsMode::Strict)),
            ..PeerAuthenticationSpec::default()
        },
    );
    let workload = PeerAuthentication::new(
        api,
        peer_auth::KIND,
        &p.peer_auth_name,
        ns,
        PeerAuthenticationSpec {
            selector: Some(LabelSelector {
                match_labels: [("app".to_string(), p.app.clone())].into(),
            }),
            mtls: Some(MutualTls::mode(MtlsMode::Strict)),
            port_level_mtls: Some(
                [(u32::from(p.tls_port), MutualTls::mode(MtlsMode::Disable))].into(),
            ),
        },
    );
    (default, workload)
}

/// The server's `kubernetes.io/tls` Secret and the CA's generic one, through the `create secret`
/// code (same checks, same bytes as kubectl).
pub fn secrets(p: &Params, certs: Option<&CertFiles>) -> Result<(Secret, Secret), SecretError> {
    let certs = certs.ok_or(SecretError::TlsNeedsCertAndKey)?;
    let ns = Some(p.namespace.as_str());
    let tls = Secret::tls(
        &p.secret,
        ns,
        certs.server_crt.clone(),
        certs.server_key.clone(),
    )?;
    let mut ca = Secret::new(&p.ca_secret, ns, None);
    ca.insert("ca.crt", certs.ca_crt.clone())?;
    Ok((tls, ca))
}

pub fn app_spec(p: &Params) -> AppSpec {
    AppSpec {
        name: p.app.clone(),
        namespace: p.namespace.clone(),
        version: p.app_version.clone(),
        image: p.image.clone(),
        container_port: p.app_port,
        service_ports: vec![
            (p.service_tls_port, "https".to_string(), p.tls_port),
            (p.service_http_port, "http".to_string(), p.http_port),
        ],
        volumes: vec![
            SecretMount {
                volume: CERT_VOLUME.to_string(),
                secret_name: p.secret.clone(),
                optional: true,
                mount_path: p.cert_mount.clone(),
            },
            SecretMount {
                volume: CA_VOLUME.to_string(),
                secret_name: p.ca_secret.clone(),
                optional: false,
                mount_path: p.ca_mount.clone(),
            },
        ],
    }
}

/// `dir` + `file`, with exactly one slash between them.
fn in_dir(dir: &str, file: &str) -> String {
    format!("{}/{file}", dir.trim_end_matches('/'))
}

/// The Sidecar: the TLS listener on the TLS port, the plain one on the HTTP port.
pub fn sidecar(p: &Params) -> Sidecar {
    let endpoint = format!("0.0.0.0:{}", p.app_port);
    let mutual = p.tls_mode != ServerTlsMode::Simple;
    let tls = ServerTlsSettings {
        mode: Some(p.tls_mode),
        private_key: Some(in_dir(&p.cert_mount, "tls.key")),
        server_certificate: Some(in_dir(&p.cert_mount, "tls.crt")),
        ca_certificates: mutual.then(|| in_dir(&p.ca_mount, "ca.crt")),
        min_protocol_version: p.min_tls_version,
        max_protocol_version: p.max_tls_version,
        cipher_suites: p.cipher_suites.clone(),
        ..ServerTlsSettings::default()
    };
    let listener = |number: u16, protocol: &str, name: &str, tls: Option<ServerTlsSettings>| {
        IstioIngressListener {
            port: Some(SidecarPort {
                number: u32::from(number),
                protocol: protocol.to_string(),
                name: name.to_string(),
                target_port: None,
            }),
            default_endpoint: Some(endpoint.clone()),
            tls,
            ..IstioIngressListener::default()
        }
    };
    let labels = [
        ("app".to_string(), p.app.clone()),
        ("version".to_string(), p.app_version.clone()),
    ];
    Sidecar::new(
        p.istio_api_version.networking(),
        sidecar::KIND,
        &p.sidecar_name,
        Some(&p.namespace),
        SidecarSpec {
            workload_selector: Some(WorkloadSelector {
                labels: labels.into(),
            }),
            ingress: vec![
                listener(
                    p.tls_port,
                    p.protocol.as_str(),
                    "external",
                    p.protocol.allows_tls().then_some(tls),
                ),
                listener(p.http_port, "HTTP", "internal", None),
            ],
            ..SidecarSpec::default()
        },
    )
}
