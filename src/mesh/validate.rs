//! Istio's own validation of Sidecar and PeerAuthentication (istio/istio
//! `pkg/config/validation`), with its exact messages, plus the CRD schema check. Pure.
use std::collections::BTreeSet;
use std::fmt;

use serde::Serialize;

use super::peer_auth::{self, PeerAuthentication};
use super::schema;
use super::sidecar::{
    self, ConnectionPoolSettings, IstioIngressListener, ServerTlsMode, ServerTlsSettings, Sidecar,
    SidecarPort, TlsProtocol,
};
use crate::k8s::names::is_dns1123_label;
use crate::render::Manifest;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum Level {
    Error,
    Warning,
}

/// One problem in one resource, at one field path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub level: Level,
    pub kind: String,
    pub namespace: String,
    pub name: String,
    pub path: String,
    pub message: String,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let level = match self.level {
            Level::Error => "Error",
            Level::Warning => "Warning",
        };
        write!(
            f,
            "{level} ({} {}/{}) {}: {}",
            self.kind, self.namespace, self.name, self.path, self.message
        )
    }
}

/// Findings of one resource before they are tagged with its kind and name.
#[derive(Debug, Default)]
pub struct Report {
    pub items: Vec<(Level, String, String)>,
}

impl Report {
    pub fn error(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.items.push((Level::Error, path.into(), message.into()));
    }

    pub fn warning(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.items
            .push((Level::Warning, path.into(), message.into()));
    }

    pub fn has_errors(&self) -> bool {
        self.items
            .iter()
            .any(|(level, _, _)| *level == Level::Error)
    }

    pub fn into_findings(self, kind: &str, namespace: &str, name: &str) -> Vec<Finding> {
        self.items
            .into_iter()
            .map(|(level, path, message)| Finding {
                level,
                kind: kind.to_string(),
                namespace: namespace.to_string(),
                name: name.to_string(),
                path,
                message,
            })
            .collect()
    }
}

/// Checks one document given as a JSON value: the CRD schema first, then (if the schema
/// passed) Istio's rules on the typed resource. Other kinds give no findings.
pub fn validate_value(value: &serde_json::Value, default_namespace: &str) -> Vec<Finding> {
    let kind = value
        .get("kind")
        .and_then(|k| k.as_str())
        .unwrap_or_default();
    let api_version = value
        .get("apiVersion")
        .and_then(|k| k.as_str())
        .unwrap_or_default();
    let meta = value.get("metadata");
    let field = |key: &str| {
        meta.and_then(|m| m.get(key))
            .and_then(|v| v.as_str())
            .map(str::to_string)
    };
    let name = field("name").unwrap_or_default();
    let namespace = field("namespace").unwrap_or_else(|| default_namespace.to_string());
    let Some(crd_schema) = schema::for_resource(api_version, kind) else {
        if schema::is_istio_kind(kind) && api_version.contains(".istio.io/") {
            let mut report = Report::default();
            report.error(
                "apiVersion",
                format!("no matches for kind {kind:?} in version {api_version:?}"),
            );
            return report.into_findings(kind, &namespace, &name);
        }
        return Vec::new();
    };
    let mut report = Report::default();
    schema::check(crd_schema, value, &mut report);
    // Istio's rules need the typed resource; when the schema already explained why it does not
    // parse, the parse error would only repeat that.
    let schema_failed = report.has_errors();
    let mut parse_error = |e: serde_json::Error| {
        if !schema_failed {
            report.error("spec", e.to_string());
        }
    };
    let pruned = if schema_failed {
        schema::prune(crd_schema, value)
    } else {
        value.clone()
    };
    let mut rules = Report::default();
    match kind {
        sidecar::KIND => match serde_json::from_value::<Sidecar>(pruned) {
            Ok(sc) => sidecar_rules(&sc, &mut rules),
            Err(e) => parse_error(e),
        },
        peer_auth::KIND => match serde_json::from_value::<PeerAuthentication>(pruned) {
            Ok(pa) => peer_authentication_rules(&pa, &mut rules),
            Err(e) => parse_error(e),
        },
        _ => {}
    }
    report.items.extend(rules.items);
    report.into_findings(kind, &namespace, &name)
}

/// Checks rendered manifests (their Istio resources), as `render --validate` does.
pub fn validate_manifests(manifests: &[Manifest]) -> Vec<Finding> {
    let mut findings = Vec::new();
    for manifest in manifests {
        let value = match manifest {
            Manifest::Sidecar(o) => serde_json::to_value(o),
            Manifest::PeerAuthentication(o) => serde_json::to_value(o),
            _ => continue,
        };
        if let Ok(value) = value {
            findings.extend(validate_value(&value, "default"));
        }
    }
    findings
}

/// Go's `%d must be in the range 1..65535` check (`agent.ValidatePort`).
fn validate_port(port: i64) -> Option<String> {
    (!(1..=65535).contains(&port))
        .then(|| format!("port number {port} must be in the range 1..65535"))
}

/// Istio's `protocol.Parse`: the known names, case-insensitive.
fn parse_protocol(protocol: &str) -> Option<&'static str> {
    const KNOWN: [&str; 12] = [
        "TCP",
        "UDP",
        "GRPC",
        "GRPC-Web",
        "HTTP",
        "HTTP_PROXY",
        "HTTP2",
        "HTTPS",
        "TLS",
        "Mongo",
        "Redis",
        "MySQL",
    ];
    KNOWN.into_iter().find(|k| k.eq_ignore_ascii_case(protocol))
}

fn is_tls_protocol(protocol: &str) -> bool {
    matches!(parse_protocol(protocol), Some("HTTPS" | "TLS"))
}

fn is_http_protocol(protocol: &str) -> bool {
    matches!(
        parse_protocol(protocol),
        Some("HTTP" | "HTTP2" | "HTTP_PROXY" | "GRPC" | "GRPC-Web")
    )
}

/// `ValidatePortName` and `ValidateProtocol` of one port.
fn name_and_protocol_checks(port: &SidecarPort, path: &str, report: &mut Report) {
    if !port.name.is_empty() && !is_dns1123_label(&port.name) {
        report.error(
            format!("{path}.port.name"),
            format!("invalid port name: {}", port.name),
        );
    }
    if !port.protocol.is_empty() && parse_protocol(&port.protocol).is_none() {
        report.error(
            format!("{path}.port.protocol"),
            format!("unsupported protocol: {}", port.protocol),
        );
    }
}

/// `ValidatePortName`, `ValidateProtocol`, `ValidatePort` and the bind address of one port.
fn port_checks(port: &SidecarPort, bind: Option<&str>, path: &str, report: &mut Report) {
    name_and_protocol_checks(port, path, report);
    if let Some(message) = validate_port(i64::from(port.number)) {
        report.error(format!("{path}.port.number"), message);
    }
    if let Some(bind) = bind.filter(|b| !b.is_empty())
        && bind.parse::<std::net::IpAddr>().is_err()
    {
        report.error(format!("{path}.bind"), format!("{bind} is not a valid IP"));
    }
}

/// Go's `net.SplitHostPort`, with its error text.
fn split_host_port(hostport: &str) -> Result<(&str, &str), String> {
    let err = |why: &str| Err(format!("address {hostport}: {why}"));
    let Some(i) = hostport.rfind(':') else {
        return err("missing port in address");
    };
    let (host, j, k);
    if hostport.starts_with('[') {
        let Some(end) = hostport.find(']') else {
            return err("missing ']' in address");
        };
        if end + 1 == hostport.len() {
            return err("missing port in address");
        } else if end + 1 != i {
            if hostport.as_bytes()[end + 1] == b':' {
                return err("too many colons in address");
            }
            return err("missing port in address");
        }
        host = &hostport[1..end];
        (j, k) = (1, end + 1);
    } else {
        host = &hostport[..i];
        if host.contains(':') {
            return err("too many colons in address");
        }
        (j, k) = (0, 0);
    }
    if hostport[j..].contains('[') {
        return err("unexpected '[' in address");
    }
    if hostport[k..].contains(']') {
        return err("unexpected ']' in address");
    }
    Ok((host, &hostport[i + 1..]))
}

/// Go's `strconv.Atoi` for a port, with its error text.
fn atoi(s: &str) -> Result<i64, String> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("strconv.Atoi: parsing {s:?}: invalid syntax"));
    }
    s.parse::<i64>()
        .map_err(|_| format!("strconv.Atoi: parsing {s:?}: value out of range"))
}

/// `ValidateUnixAddress`.
fn unix_address(addr: &str) -> Option<String> {
    if addr.is_empty() {
        return Some("unix address must not be empty".to_string());
    }
    if addr.starts_with('@') {
        return None;
    }
    (!addr.starts_with('/') || addr.ends_with('/'))
        .then(|| format!("{addr} is not an absolute path to a file"))
}

fn default_endpoint(endpoint: &str, path: &str, report: &mut Report) {
    if let Some(socket) = endpoint.strip_prefix("unix://") {
        if let Some(message) = unix_address(socket) {
            report.error(path, message);
        }
        return;
    }
    let (host, port) = match split_host_port(endpoint) {
        Ok(parts) => parts,
        Err(message) => {
            report.error(path, message);
            ("", "")
        }
    };
    if !host.is_empty() && !matches!(host, "127.0.0.1" | "0.0.0.0" | "::1" | "::") {
        report.error(
            path,
            "sidecar: defaultEndpoint must be of form 127.0.0.1:<port>,0.0.0.0:<port>,[::1]:port,[::]:port,unix://filepath or unset",
        );
    }
    match atoi(port) {
        Err(e) => report.error(
            path,
            format!("sidecar: defaultEndpoint port ({port}) is not a number: {e}"),
        ),
        Ok(n) => {
            if let Some(message) = validate_port(n) {
                report.error(path, message);
            }
        }
    }
}

/// Istio's `ValidateSidecar`.
pub fn sidecar_rules(sc: &Sidecar, report: &mut Report) {
    let spec = &sc.spec;
    if let Some(selector) = &spec.workload_selector {
        let before = report.items.len();
        for (k, v) in &selector.labels {
            let pair = format!("{k}={v}");
            if k.is_empty() {
                report.error(
                    "spec.workloadSelector.labels",
                    format!("empty key is not supported in selector: {pair:?}"),
                );
            }
            if k.contains('*') || v.contains('*') {
                report.error(
                    "spec.workloadSelector.labels",
                    format!("wildcard is not supported in selector: {pair:?}"),
                );
            }
        }
        if report.items.len() > before {
            return;
        }
        if selector.labels.is_empty() {
            report.warning(
                "spec.workloadSelector",
                "sidecar: workload selector specified without labels, will be applied to all services in namespace",
            );
        }
    }
    if spec.egress.is_empty()
        && spec.ingress.is_empty()
        && spec.outbound_traffic_policy.is_none()
        && spec.inbound_connection_pool.is_none()
    {
        report.error("spec", "sidecar: empty configuration provided");
        return;
    }
    let mut ports = BTreeSet::new();
    for (index, listener) in spec.ingress.iter().enumerate() {
        ingress_rules(
            listener,
            &format!("spec.ingress[{index}]"),
            &mut ports,
            report,
        );
    }
    connection_pool(
        spec.inbound_connection_pool.as_ref(),
        "spec.inboundConnectionPool",
        report,
    );
    egress_rules(sc, report);
    if let Some(policy) = &spec.outbound_traffic_policy
        && let Some(proxy) = &policy.egress_proxy
    {
        let path = "spec.outboundTrafficPolicy.egressProxy";
        if policy.mode != Some(sidecar::OutboundMode::AllowAny) {
            report.error(path, "sidecar: egress_proxy must be set only with ALLOW_ANY outbound_traffic_policy mode");
        } else if proxy.port.is_none() {
            report.error(path, "sidecar: egress_proxy port must be non-nil");
        }
    }
}

fn ingress_rules(
    listener: &IstioIngressListener,
    path: &str,
    ports: &mut BTreeSet<u32>,
    report: &mut Report,
) {
    let Some(port) = &listener.port else {
        report.error(path, "sidecar: port is required for ingress listeners");
        return;
    };
    if port.target_port.is_some_and(|t| t > 0) {
        report.error(
            format!("{path}.port.targetPort"),
            "targetPort has no impact on Sidecars",
        );
    }
    port_checks(port, listener.bind.as_deref(), path, report);
    if !ports.insert(port.number) {
        report.error(
            format!("{path}.port.number"),
            "sidecar: ports on IP bound listeners must be unique",
        );
    }
    if let Some(endpoint) = listener
        .default_endpoint
        .as_deref()
        .filter(|e| !e.is_empty())
    {
        default_endpoint(endpoint, &format!("{path}.defaultEndpoint"), report);
    }
    if let Some(tls) = &listener.tls {
        let tls_path = format!("{path}.tls");
        let at = |field: &str| format!("{tls_path}.{field}");
        if !tls.subject_alt_names.is_empty() {
            report.error(
                at("subjectAltNames"),
                "sidecar: subjectAltNames is not supported in ingress tls",
            );
        }
        if tls.https_redirect == Some(true) {
            report.error(
                at("httpsRedirect"),
                "sidecar: httpsRedirect is not supported",
            );
        }
        if tls
            .credential_name
            .as_deref()
            .is_some_and(|c| !c.is_empty())
        {
            report.error(
                at("credentialName"),
                "sidecar: credentialName is not currently supported",
            );
        }
        if !tls.credential_names.is_empty() {
            report.error(
                at("credentialNames"),
                "sidecar: credentialNames is not currently supported",
            );
        }
        if !tls.tls_certificates.is_empty() {
            report.error(
                at("tlsCertificates"),
                "sidecar: tls_certificates is not currently supported",
            );
        }
        let mode = tls.effective_mode();
        if matches!(
            mode,
            ServerTlsMode::IstioMutual | ServerTlsMode::AutoPassthrough
        ) {
            report.error(
                at("mode"),
                format!(
                    "configuration is invalid: cannot set mode to {} in sidecar ingress tls",
                    mode.as_str()
                ),
            );
        }
        if !is_tls_protocol(&port.protocol) {
            report.error(
                tls_path.clone(),
                "server cannot have TLS settings for non HTTPS/TLS ports",
            );
        }
        tls_options(tls, &tls_path, report);
    }
    connection_pool(
        listener.connection_pool.as_ref(),
        &format!("{path}.connectionPool"),
        report,
    );
    if listener
        .connection_pool
        .as_ref()
        .is_some_and(|c| c.http.is_some())
        && !is_http_protocol(&port.protocol)
    {
        report.warning(
            format!("{path}.connectionPool.http"),
            format!(
                "sidecar: HTTP connection pool settings are configured for port {} ({:?}) but its protocol is not HTTP ({}); only TCP settings will apply",
                port.number, port.name, port.protocol
            ),
        );
    }
}

fn egress_rules(sc: &Sidecar, report: &mut Report) {
    let egress = &sc.spec.egress;
    let mut ports = BTreeSet::new();
    let mut sockets = BTreeSet::new();
    let mut catch_all = false;
    for (index, listener) in egress.iter().enumerate() {
        let path = format!("spec.egress[{index}]");
        match &listener.port {
            None => {
                if catch_all {
                    report.error(
                        path.clone(),
                        "sidecar: egress can have only one listener with empty port",
                    );
                    continue;
                }
                if index == egress.len() - 1 {
                    catch_all = true;
                } else {
                    report.error(
                        path.clone(),
                        "sidecar: the egress listener with empty port should be the last listener in the list",
                    );
                }
            }
            Some(port) => {
                if port.target_port.is_some_and(|t| t > 0) {
                    report.error(
                        format!("{path}.port.targetPort"),
                        "targetPort has no impact on Sidecars",
                    );
                }
                let bind = listener.bind.as_deref().unwrap_or_default();
                if port.number == 0 {
                    name_and_protocol_checks(port, &path, report);
                    match bind.strip_prefix("unix://") {
                        None => report.error(
                            format!("{path}.bind"),
                            "sidecar: ports with 0 value must have a unix domain socket bind address",
                        ),
                        Some(socket) => {
                            if let Some(message) = unix_address(socket) {
                                report.error(format!("{path}.bind"), message);
                            }
                        }
                    }
                    if matches!(listener.capture_mode, Some(sidecar::CaptureMode::Iptables)) {
                        report.error(
                            format!("{path}.captureMode"),
                            "sidecar: captureMode must be DEFAULT/NONE for unix domain socket listeners",
                        );
                    }
                    if !sockets.insert(bind.to_string()) {
                        report.error(
                            format!("{path}.bind"),
                            "sidecar: unix domain socket values for listeners must be unique",
                        );
                    }
                } else {
                    port_checks(port, Some(bind), &path, report);
                    if !ports.insert(port.number) {
                        report.error(
                            format!("{path}.port.number"),
                            "sidecar: ports on IP bound listeners must be unique",
                        );
                    }
                }
            }
        }
        if listener.hosts.is_empty() {
            report.error(
                format!("{path}.hosts"),
                "sidecar: egress listener must contain at least one host",
            );
        }
    }
}

/// `validateConnectionPool`'s structural checks (durations are left to the CRD schema).
fn connection_pool(settings: Option<&ConnectionPoolSettings>, path: &str, report: &mut Report) {
    let Some(settings) = settings else { return };
    if settings.http.is_none() && settings.tcp.is_none() {
        report.error(path, "connection pool must have at least one field");
        return;
    }
    if let Some(http) = &settings.http {
        let negative = |v: Option<i32>| v.is_some_and(|v| v < 0);
        let checks = [
            (
                http.http1_max_pending_requests,
                "http1MaxPendingRequests",
                "http1 max pending requests must be non-negative",
            ),
            (
                http.http2_max_requests,
                "http2MaxRequests",
                "http2 max requests must be non-negative",
            ),
            (
                http.max_requests_per_connection,
                "maxRequestsPerConnection",
                "max requests per connection must be non-negative",
            ),
            (
                http.max_retries,
                "maxRetries",
                "max retries must be non-negative",
            ),
        ];
        for (value, field, message) in checks {
            if negative(value) {
                report.error(format!("{path}.http.{field}"), message);
            }
        }
        if http.h2_upgrade_policy == Some(sidecar::H2UpgradePolicy::Upgrade)
            && http.use_client_protocol == Some(true)
        {
            report.error(
                format!("{path}.http"),
                "use client protocol must not be true when H2UpgradePolicy is UPGRADE",
            );
        }
    }
    if let Some(tcp) = &settings.tcp
        && tcp.max_connections.is_some_and(|v| v < 0)
    {
        report.error(
            format!("{path}.tcp.maxConnections"),
            "max connections must be non-negative",
        );
    }
}

/// Envoy/BoringSSL cipher names Istio accepts (`security.ValidCipherSuites`).
const VALID_CIPHER_SUITES: [&str; 15] = [
    "ECDHE-ECDSA-AES128-GCM-SHA256",
    "ECDHE-RSA-AES128-GCM-SHA256",
    "ECDHE-ECDSA-AES256-GCM-SHA384",
    "ECDHE-RSA-AES256-GCM-SHA384",
    "ECDHE-ECDSA-CHACHA20-POLY1305",
    "ECDHE-RSA-CHACHA20-POLY1305",
    "ECDHE-ECDSA-AES128-SHA",
    "ECDHE-RSA-AES128-SHA",
    "ECDHE-ECDSA-AES256-SHA",
    "ECDHE-RSA-AES256-SHA",
    "AES128-GCM-SHA256",
    "AES256-GCM-SHA384",
    "AES128-SHA",
    "AES256-SHA",
    "DES-CBC3-SHA",
];

/// `security.IsValidCipherSuite`: operators like `-X` or `+X` and `ALL` pass unchecked.
pub fn is_valid_cipher_suite(suite: &str) -> bool {
    let Some(first) = suite.chars().next() else {
        return true;
    };
    suite == "ALL" || !first.is_alphanumeric() || VALID_CIPHER_SUITES.contains(&suite)
}

/// Go's `%v` of a sorted string list: `[a b c]`.
fn go_list(items: &BTreeSet<&str>) -> String {
    format!("[{}]", items.iter().copied().collect::<Vec<_>>().join(" "))
}

/// Istio's `validateTLSOptions` for a ServerTLSSettings.
pub fn tls_options(tls: &ServerTlsSettings, path: &str, report: &mut Report) {
    let at = |field: &str| format!("{path}.{field}");
    let set = |v: &Option<String>| v.as_deref().is_some_and(|s| !s.is_empty());
    if matches!(
        tls.min_protocol_version,
        Some(TlsProtocol::Tlsv1_0 | TlsProtocol::Tlsv1_1)
    ) && tls.cipher_suites.is_empty()
    {
        report.warning(
            at("minProtocolVersion"),
            "TLS version below TLSV1_2 require setting compatible ciphers as by default they no longer include compatible ciphers.",
        );
    }
    let mut invalid = BTreeSet::new();
    let mut valid = BTreeSet::new();
    let mut duplicate = BTreeSet::new();
    for suite in &tls.cipher_suites {
        if !is_valid_cipher_suite(suite) {
            invalid.insert(suite.as_str());
        } else if !valid.insert(suite.as_str()) {
            duplicate.insert(suite.as_str());
        }
    }
    if !invalid.is_empty() {
        report.warning(
            at("cipherSuites"),
            format!("ignoring invalid cipher suites: {}", go_list(&invalid)),
        );
    }
    if !duplicate.is_empty() {
        report.warning(
            at("cipherSuites"),
            format!("ignoring duplicate cipher suites: {}", go_list(&duplicate)),
        );
    }
    let mode = tls.effective_mode();
    let has_credential = set(&tls.credential_name);
    if mode == ServerTlsMode::IstioMutual {
        let checks = [
            (
                set(&tls.server_certificate),
                "serverCertificate",
                "server certificate",
            ),
            (set(&tls.private_key), "privateKey", "private key"),
            (set(&tls.ca_certificates), "caCertificates", "CA bundle"),
            (
                !tls.tls_certificates.is_empty(),
                "tlsCertificates",
                "tlsCertificates",
            ),
            (has_credential, "credentialName", "credentialName"),
            (
                !tls.credential_names.is_empty(),
                "credentialNames",
                "credentialNames",
            ),
        ];
        for (present, field, what) in checks {
            if present {
                report.error(
                    at(field),
                    format!("ISTIO_MUTUAL TLS cannot have associated {what}"),
                );
            }
        }
        return;
    }
    if matches!(
        mode,
        ServerTlsMode::Passthrough | ServerTlsMode::AutoPassthrough
    ) && (set(&tls.ca_crl)
        || set(&tls.server_certificate)
        || set(&tls.private_key)
        || set(&tls.ca_certificates)
        || !tls.tls_certificates.is_empty()
        || has_credential
        || !tls.credential_names.is_empty())
    {
        report.warning(
            path,
            format!(
                "{} mode does not use certificates, they will be ignored",
                mode.as_str()
            ),
        );
    }
    let sources = [
        set(&tls.server_certificate) && set(&tls.private_key),
        has_credential,
        !tls.credential_names.is_empty(),
        !tls.tls_certificates.is_empty(),
    ];
    if sources.iter().filter(|s| **s).count() > 1 {
        report.error(
            path,
            "only one of credential_name, credential_names, server_certificate/private_key, tls_certificates should be specified",
        );
    }
    let terminating = matches!(
        mode,
        ServerTlsMode::Simple | ServerTlsMode::Mutual | ServerTlsMode::OptionalMutual
    );
    if terminating && (has_credential || !tls.credential_names.is_empty()) {
        return;
    }
    if terminating {
        let prefix = if mode == ServerTlsMode::Simple {
            "SIMPLE TLS"
        } else {
            "MUTUAL TLS"
        };
        if mode != ServerTlsMode::Simple && !set(&tls.ca_certificates) {
            report.error(
                at("caCertificates"),
                format!("{prefix} requires a client CA bundle"),
            );
        }
        if tls.tls_certificates.len() > 2 {
            report.warning(
                at("tlsCertificates"),
                format!("{prefix} can support up to 2 server certificates"),
            );
        }
        let pairs: Vec<(bool, bool, String)> = if tls.tls_certificates.is_empty() {
            vec![(
                set(&tls.server_certificate),
                set(&tls.private_key),
                path.to_string(),
            )]
        } else {
            tls.tls_certificates
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    (
                        set(&c.server_certificate),
                        set(&c.private_key),
                        format!("{path}.tlsCertificates[{i}]"),
                    )
                })
                .collect()
        };
        for (cert, key, base) in pairs {
            if !cert {
                report.error(
                    format!("{base}.serverCertificate"),
                    format!("{prefix} requires a server certificate"),
                );
            }
            if !key {
                report.error(
                    format!("{base}.privateKey"),
                    format!("{prefix} requires a private key"),
                );
            }
        }
    }
    if set(&tls.ca_crl) {
        if has_credential {
            report.error(at("caCrl"), "CRL is not supported with credentialName. CRL has to be specified in the credential");
        }
        if mode == ServerTlsMode::Simple {
            report.error(at("caCrl"), "CRL is not supported with SIMPLE TLS");
        }
    }
}

/// Istio's `ValidatePeerAuthentication`.
pub fn peer_authentication_rules(pa: &PeerAuthentication, report: &mut Report) {
    let spec = &pa.spec;
    let empty_selector = spec
        .selector
        .as_ref()
        .is_none_or(|s| s.match_labels.is_empty());
    let ports = spec.port_level_mtls.as_ref();
    if empty_selector && ports.is_some_and(|p| !p.is_empty()) {
        report.error(
            "spec.portLevelMtls",
            "mesh/namespace peer authentication cannot have port level mTLS",
        );
    }
    if ports.is_some_and(|p| p.is_empty()) {
        report.error(
            "spec.portLevelMtls",
            "port level mTLS, if defined, must have at least one element",
        );
    }
    for port in ports.into_iter().flat_map(|p| p.keys()) {
        if *port == 0 || *port > 65535 {
            report.error(
                format!("spec.portLevelMtls[{port}]"),
                "port must be in range 1..65535",
            );
        }
    }
    if let Some(selector) = &spec.selector {
        for (k, v) in &selector.match_labels {
            let pair = format!("{k}={v}");
            if k.is_empty() {
                report.error(
                    "spec.selector.matchLabels",
                    format!("empty key is not supported in selector: {pair:?}"),
                );
            }
            if k.contains('*') || v.contains('*') {
                report.error(
                    "spec.selector.matchLabels",
                    format!("wildcard is not supported in selector: {pair:?}"),
                );
            }
        }
        if selector.match_labels.is_empty() {
            report.warning(
                "spec.selector",
                "workload selector specified without labels",
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_host_port_like_go() {
        assert_eq!(split_host_port("0.0.0.0:80"), Ok(("0.0.0.0", "80")));
        assert_eq!(split_host_port("[::1]:80"), Ok(("::1", "80")));
        assert_eq!(
            split_host_port("localhost"),
            Err("address localhost: missing port in address".into())
        );
        assert_eq!(
            split_host_port("::1:80"),
            Err("address ::1:80: too many colons in address".into())
        );
    }

    #[test]
    fn atoi_like_go() {
        assert_eq!(atoi("80"), Ok(80));
        assert_eq!(
            atoi(""),
            Err("strconv.Atoi: parsing \"\": invalid syntax".into())
        );
    }

    #[test]
    fn cipher_suites_like_istio() {
        assert!(is_valid_cipher_suite("ECDHE-RSA-AES128-GCM-SHA256"));
        assert!(is_valid_cipher_suite("-ALL"));
        assert!(!is_valid_cipher_suite("TLS_AES_128_GCM_SHA256"));
    }
}
