//! `render`'s parameters: the page's names and numbers as defaults, then a `--values` YAML file,
//! then flags (the caller applies those), then one check that reports every problem at once.
use serde::{Deserialize, Serialize};

use crate::k8s::names::{is_dns1123_label, is_dns1123_subdomain, is_label_value};
use crate::mesh::object::IstioApiVersion;
use crate::mesh::sidecar::{ServerTlsMode, TlsProtocol};
use crate::page;

/// The declared protocol of the Sidecar's TLS port (the page: HTTPS).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum TlsPortProtocol {
    /// TLS terminated, then HTTP (the page).
    #[default]
    #[serde(rename = "HTTPS")]
    Https,
    /// TLS terminated, then raw TCP to the app.
    #[serde(rename = "TLS")]
    Tls,
    /// gRPC, h2 to the app; Istio allows no `tls` block on it.
    #[serde(rename = "GRPC")]
    Grpc,
    /// h2 to the app; Istio allows no `tls` block on it.
    #[serde(rename = "HTTP2")]
    Http2,
    /// Raw TCP; Istio allows no `tls` block on it.
    #[serde(rename = "TCP")]
    Tcp,
}

impl TlsPortProtocol {
    /// Istio's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            TlsPortProtocol::Https => "HTTPS",
            TlsPortProtocol::Tls => "TLS",
            TlsPortProtocol::Grpc => "GRPC",
            TlsPortProtocol::Http2 => "HTTP2",
            TlsPortProtocol::Tcp => "TCP",
        }
    }

    fn is_https(&self) -> bool {
        *self == TlsPortProtocol::Https
    }

    /// Whether Istio accepts a `tls` block on such a port (`server cannot have TLS settings
    /// for non HTTPS/TLS ports`).
    pub fn allows_tls(self) -> bool {
        matches!(self, TlsPortProtocol::Https | TlsPortProtocol::Tls)
    }
}

/// Every name and number of the page. A values file uses these camelCase keys.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct Params {
    pub namespace: String,
    pub app: String,
    pub app_version: String,
    pub image: String,
    pub sidecar_name: String,
    pub peer_auth_name: String,
    pub secret: String,
    pub ca_secret: String,
    pub app_port: u16,
    pub tls_port: u16,
    pub http_port: u16,
    pub service_tls_port: u16,
    pub service_http_port: u16,
    pub tls_mode: ServerTlsMode,
    /// The TLS port's declared protocol; only HTTPS and TLS carry the `tls` block.
    #[serde(skip_serializing_if = "TlsPortProtocol::is_https")]
    pub protocol: TlsPortProtocol,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_tls_version: Option<TlsProtocol>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_tls_version: Option<TlsProtocol>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub cipher_suites: Vec<String>,
    pub cert_mount: String,
    pub ca_mount: String,
    pub istio_api_version: IstioApiVersion,
    pub profile: String,
    /// Where `sleep` goes; empty means `default` (outside the mesh) and the app's namespace.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub sleep_namespaces: Vec<String>,
    pub cluster_domain: String,
    /// The CA certificate's file stem in `--certs` (certgen and the page: `example.com`).
    pub ca_file: String,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            namespace: page::NAMESPACE.into(),
            app: page::APP.into(),
            app_version: page::APP_VERSION.into(),
            image: page::IMAGE.into(),
            sidecar_name: page::SIDECAR.into(),
            peer_auth_name: page::PEER_AUTH.into(),
            secret: page::SECRET.into(),
            ca_secret: page::CA_SECRET.into(),
            app_port: page::APP_PORT,
            tls_port: page::TLS_PORT,
            http_port: page::HTTP_PORT,
            service_tls_port: page::SERVICE_TLS_PORT,
            service_http_port: page::SERVICE_HTTP_PORT,
            tls_mode: ServerTlsMode::Mutual,
            protocol: TlsPortProtocol::Https,
            min_tls_version: None,
            max_tls_version: None,
            cipher_suites: Vec::new(),
            cert_mount: page::CERT_MOUNT.into(),
            ca_mount: page::CA_MOUNT.into(),
            istio_api_version: IstioApiVersion::V1,
            profile: page::PROFILE.into(),
            sleep_namespaces: Vec::new(),
            cluster_domain: page::CLUSTER_DOMAIN.into(),
            ca_file: page::CA_FILE.into(),
        }
    }
}

/// Everything wrong with a set of parameters.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid parameters: {}", .0.join("; "))]
pub struct ParamsError(pub Vec<String>);

impl Params {
    /// Reads a values file over the defaults: keys it leaves out keep the page's values.
    pub fn from_values_yaml(text: &str) -> Result<Params, crate::k8s::yaml::YamlError> {
        if text.trim().is_empty() {
            return Ok(Params::default());
        }
        crate::k8s::yaml::from_str(text)
    }

    pub fn sleep_namespaces(&self) -> Vec<String> {
        if self.sleep_namespaces.is_empty() {
            let mut list = vec!["default".to_string()];
            if self.namespace != "default" {
                list.push(self.namespace.clone());
            }
            list
        } else {
            self.sleep_namespaces.clone()
        }
    }

    /// The server certificate's file stem: `<app>.<namespace>.svc.<cluster-domain>`.
    pub fn server_file(&self) -> String {
        page::service_host(&self.app, &self.namespace, &self.cluster_domain)
    }

    /// Checks the whole set and lists every problem.
    pub fn check(&self) -> Result<(), ParamsError> {
        let mut problems = Vec::new();
        let names = [
            ("namespace", &self.namespace),
            ("app", &self.app),
            ("sidecar-name", &self.sidecar_name),
            ("peer-auth-name", &self.peer_auth_name),
            ("secret", &self.secret),
            ("ca-secret", &self.ca_secret),
        ];
        for (flag, value) in names {
            if !is_dns1123_subdomain(value) {
                problems.push(format!(
                    "--{flag} {value:?} must be a lowercase RFC 1123 name (a-z, 0-9, '-', '.')"
                ));
            }
        }
        if !is_label_value(&self.app_version) {
            problems.push(format!(
                "--app-version {:?} must be a Kubernetes label value (up to 63 of a-z, A-Z, 0-9, '-', '_', '.', alphanumeric at both ends)",
                self.app_version
            ));
        }
        for ns in &self.sleep_namespaces {
            if !is_dns1123_label(ns) {
                problems.push(format!(
                    "--sleep-namespace {ns:?} must be a lowercase RFC 1123 label"
                ));
            }
        }
        let ports = [
            ("app-port", self.app_port),
            ("tls-port", self.tls_port),
            ("http-port", self.http_port),
            ("service-tls-port", self.service_tls_port),
            ("service-http-port", self.service_http_port),
        ];
        for (flag, port) in ports {
            if port == 0 {
                problems.push(format!("--{flag} must be in the range 1..65535"));
            }
        }
        if self.tls_port == self.http_port {
            problems.push(format!(
                "--tls-port and --http-port are both {}",
                self.tls_port
            ));
        }
        if self.service_tls_port == self.service_http_port {
            problems.push(format!(
                "--service-tls-port and --service-http-port are both {}",
                self.service_tls_port
            ));
        }
        if !matches!(
            self.tls_mode,
            ServerTlsMode::Simple | ServerTlsMode::Mutual | ServerTlsMode::OptionalMutual
        ) {
            problems.push(format!(
                "--tls-mode {} is not supported on a sidecar: use SIMPLE, MUTUAL or OPTIONAL_MUTUAL",
                self.tls_mode.as_str()
            ));
        }
        if let (Some(min), Some(max)) = (self.min_tls_version, self.max_tls_version)
            && max != TlsProtocol::TlsAuto
            && min > max
        {
            problems.push("--min-tls-version is above --max-tls-version".to_string());
        }
        for (flag, path) in [
            ("cert-mount", &self.cert_mount),
            ("ca-mount", &self.ca_mount),
        ] {
            if !path.starts_with('/') {
                problems.push(format!("--{flag} {path:?} must be an absolute path"));
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            // The values quoted come from a values file or flags: made safe once, here.
            Err(ParamsError(
                problems.iter().map(|p| crate::redact::message(p)).collect(),
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_values_override_them() {
        assert_eq!(Params::default().check(), Ok(()));
        let p = Params::from_values_yaml("app: web\ntlsPort: 9443\ntlsMode: SIMPLE\n").unwrap();
        assert_eq!(
            (p.app.as_str(), p.tls_port, p.tls_mode),
            ("web", 9443, ServerTlsMode::Simple)
        );
        assert_eq!(p.namespace, "test");
    }

    #[test]
    fn unknown_values_keys_are_rejected() {
        let err = Params::from_values_yaml("tlsprot: 1\n").unwrap_err();
        assert!(
            err.message.contains("unknown field `tlsprot`"),
            "{}",
            err.message
        );
    }

    #[test]
    fn every_problem_is_reported() {
        let p = Params {
            app: "Web".into(),
            tls_port: 0,
            tls_mode: ServerTlsMode::IstioMutual,
            ..Params::default()
        };
        assert_eq!(p.check().unwrap_err().0.len(), 3);
    }
}
