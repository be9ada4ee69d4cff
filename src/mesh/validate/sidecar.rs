//! Istio's `ValidateSidecar`: ports and protocols, the ingress listeners (bind,
//! defaultEndpoint, tls), the egress listeners and the connection pools.
use std::collections::BTreeSet;

use super::report::Report;
use super::tls::tls_options;
use crate::k8s::names::is_dns1123_label;
use crate::mesh::go::{atoi, split_host_port};
use crate::mesh::sidecar::{
    CaptureMode, ConnectionPoolSettings, H2UpgradePolicy, IstioIngressListener, OutboundMode,
    ServerTlsMode, Sidecar, SidecarPort,
};

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
        if policy.mode != Some(OutboundMode::AllowAny) {
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
                    if matches!(listener.capture_mode, Some(CaptureMode::Iptables)) {
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
        if http.h2_upgrade_policy == Some(H2UpgradePolicy::Upgrade)
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
