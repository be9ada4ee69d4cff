//! `meshtls describe`: the task model made visible, as `istioctl x describe pod` but for the
//! sidecar's ingress. For each ingress port, what a request from outside and from inside the
//! mesh gets, and why: the deciding PeerAuthentication, the tls gates, the Services in front,
//! the certificate files behind the Sidecar's paths. Pure: it reports, it never judges.
use serde::Serialize;
use time::OffsetDateTime;

use crate::k8s::labels::selector_text;
use crate::k8s::volumes::mounts;
use crate::mesh::install::TLS_FLAG;
use crate::mesh::peer_auth::MtlsMode;
use crate::pki::inspect::{describe as describe_cert, parse};
use crate::pki::pem::certificates;
use crate::task::Task;
use crate::task::decide::{IngressPort, TlsGate, explain_mode, mode_name};
use crate::task::mounts::{Resolved, resolve, tls_paths};
use crate::task::select::Selected;

/// What describe says about one workload.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Description {
    pub workload: String,
    pub labels: String,
    pub service_account: String,
    pub sidecar: String,
    /// Where the Sidecar was read (`task.yaml:98`), when known.
    pub sidecar_origin: Option<String>,
    pub tls_flag: bool,
    pub ports: Vec<PortDescription>,
}

/// One ingress port: both clients' outcomes and the reasons.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PortDescription {
    pub port: u32,
    pub name: String,
    pub protocol: String,
    pub from_outside: String,
    pub from_inside: String,
    /// `DISABLE`, `STRICT`, …
    pub mtls_mode: String,
    pub mtls_decided_by: String,
    /// `terminate`, `ignored`, or `none` (no tls block).
    pub tls: String,
    /// Why `tls` is ignored, one line per gate.
    pub tls_ignored_because: Vec<String>,
    /// `httpbin:8443 (https)`.
    pub services: Vec<String>,
    pub endpoint: String,
    pub certificates: Vec<CertificateFile>,
}

/// A file a `tls` path names, and what is there.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CertificateFile {
    /// `serverCertificate`, `caCertificates`, `privateKey`.
    pub field: String,
    pub path: String,
    /// `Secret test/httpbin-mtls-termination key tls.crt`, or why there is nothing.
    pub source: String,
    pub subject: Option<String>,
    pub sans: Vec<String>,
    /// Whole days until NotAfter (negative once expired).
    pub days_left: Option<i64>,
}

/// Describes `selected` as the task decided it, judging certificates at `now`.
pub fn describe(task: &Task, selected: &Selected<'_>, now: OffsetDateTime) -> Description {
    let w = &selected.workload;
    Description {
        workload: format!("{}/{}", w.namespace, w.name),
        labels: selector_text(&w.labels),
        service_account: w.service_account.clone(),
        sidecar: selected.sidecar_origin.qualified_name(),
        sidecar_origin: selected.sidecar_origin.reference(),
        tls_flag: task.tls_flag(),
        ports: task
            .ingress_ports(selected)
            .iter()
            .map(|port| describe_port(task, selected, port, now))
            .collect(),
    }
}

fn endpoint_text(port: &IngressPort<'_>) -> String {
    match port.listener.default_endpoint.as_deref() {
        None | Some("") => format!("127.0.0.1:{}", port.number),
        Some(endpoint) => endpoint.to_string(),
    }
}

fn describe_port(
    task: &Task,
    selected: &Selected<'_>,
    port: &IngressPort<'_>,
    now: OffsetDateTime,
) -> PortDescription {
    let endpoint = endpoint_text(port);
    let forwarded = format!("forwarded as plain HTTP to {endpoint}");
    let by_mode = |mode: MtlsMode| match mode {
        MtlsMode::Disable => (forwarded.clone(), forwarded.clone()),
        MtlsMode::Strict => (
            "reset: STRICT requires Istio mTLS, which a client outside the mesh cannot send"
                .to_string(),
            format!("Istio mTLS, {forwarded}"),
        ),
        MtlsMode::Permissive | MtlsMode::Unset => (
            format!("plaintext accepted (PERMISSIVE), {forwarded}"),
            format!("Istio mTLS, {forwarded}"),
        ),
    };
    let (from_outside, from_inside, tls, ignored) = match &port.tls {
        TlsGate::Absent => {
            let (outside, inside) = by_mode(port.mtls.mode);
            (outside, inside, "none", Vec::new())
        }
        TlsGate::Terminate(settings) => {
            let mode = settings.effective_mode();
            let client = match settings.ca_certificates.as_deref() {
                Some(ca) if mode.as_str() != "SIMPLE" => {
                    let issuer = ca_subject(task, selected, ca).unwrap_or_else(|| ca.to_string());
                    format!(", client certificate from CA {issuer}")
                }
                _ => String::new(),
            };
            let outside = format!("TLS terminated ({}{client}), {forwarded}", mode.as_str());
            let inside = format!(
                "the same as from outside: the port is DISABLE, so the client's sidecar sends no Istio mTLS and the client must speak TLS itself ({})",
                mode.as_str()
            );
            (outside, inside, "terminate", Vec::new())
        }
        TlsGate::Ignored { reasons, .. } => {
            let (outside, inside) = by_mode(port.mtls.mode);
            let why = reasons
                .iter()
                .map(|r| r.explain(&selected.workload, port.number))
                .collect();
            (outside, inside, "ignored", why)
        }
    };
    PortDescription {
        port: port.number,
        name: port.name.clone(),
        protocol: port.protocol.clone(),
        from_outside,
        from_inside,
        mtls_mode: mode_name(port.mtls.mode).to_string(),
        mtls_decided_by: explain_mode(&port.mtls),
        tls: tls.to_string(),
        tls_ignored_because: ignored,
        services: task
            .fronting(selected, port.number)
            .into_iter()
            .map(|f| match f.port_name.is_empty() {
                true => format!("{}:{}", f.service, f.port),
                false => format!("{}:{} ({})", f.service, f.port, f.port_name),
            })
            .collect(),
        endpoint,
        certificates: port
            .tls
            .settings()
            .map(|tls| {
                tls_paths(tls)
                    .into_iter()
                    .map(|(field, path)| certificate_file(task, selected, field, path, now))
                    .collect()
            })
            .unwrap_or_default(),
    }
}

/// The bytes behind a pod path, and a description of where they come from.
fn source_of<'t>(
    task: &'t Task,
    selected: &Selected<'t>,
    path: &str,
) -> (String, Option<&'t [u8]>) {
    let Ok(list) = mounts(selected.workload.deployment) else {
        return (
            "the Deployment's userVolume annotations are invalid".to_string(),
            None,
        );
    };
    let secrets = task.secrets();
    match resolve(path, &list, &selected.workload.namespace, &secrets) {
        Resolved::NotMounted => ("under no userVolumeMount".to_string(), None),
        Resolved::NoSecret(mount) => (
            format!(
                "Secret {}/{} is not in the input",
                selected.workload.namespace, mount.secret_name
            ),
            None,
        ),
        Resolved::NoKey(_, secret, _, key) => (
            format!(
                "Secret {}/{} has no key {key}",
                selected.workload.namespace, secret.name
            ),
            None,
        ),
        Resolved::Found(secret, _, key, _) => {
            let namespace = &selected.workload.namespace;
            let bytes = task
                .secret(namespace, &secret.name)
                .and_then(|s| s.data.get(&key))
                .map(Vec::as_slice);
            (
                format!(
                    "Secret {}/{} key {key}",
                    selected.workload.namespace, secret.name
                ),
                bytes,
            )
        }
    }
}

fn ca_subject(task: &Task, selected: &Selected<'_>, path: &str) -> Option<String> {
    let (_, bytes) = source_of(task, selected, path);
    let ders = certificates(std::path::Path::new(path), bytes?).ok()?;
    let der = ders.first()?;
    let cert = parse(der).ok()?;
    Some(describe_cert(&cert, OffsetDateTime::UNIX_EPOCH).subject)
}

fn certificate_file(
    task: &Task,
    selected: &Selected<'_>,
    field: &str,
    path: &str,
    now: OffsetDateTime,
) -> CertificateFile {
    let (source, bytes) = source_of(task, selected, path);
    let mut file = CertificateFile {
        field: field.to_string(),
        path: path.to_string(),
        source,
        subject: None,
        sans: Vec::new(),
        days_left: None,
    };
    // A private key is named, never read or shown.
    if field == "privateKey" {
        return file;
    }
    let parsed = bytes.and_then(|b| certificates(std::path::Path::new(path), b).ok());
    if let Some(der) = parsed.as_ref().and_then(|ders| ders.first())
        && let Ok(cert) = parse(der)
    {
        let info = describe_cert(&cert, now);
        file.subject = Some(info.subject);
        file.sans = info.sans;
        let not_after = cert.validity().not_after.timestamp();
        file.days_left = Some((not_after - now.unix_timestamp()).div_euclid(86_400));
    }
    file
}

/// The text form, one block per port.
pub fn text(description: &Description) -> String {
    let mut out = String::new();
    let d = description;
    out.push_str(&format!(
        "Workload:  Deployment {} ({})\n",
        d.workload, d.labels
    ));
    out.push_str(&format!(
        "Identity:  service account {}\n",
        d.service_account
    ));
    let origin = d
        .sidecar_origin
        .as_ref()
        .map_or(String::new(), |o| format!(" ({o})"));
    out.push_str(&format!("Sidecar:   {}{origin}\n", d.sidecar));
    out.push_str(&format!(
        "istiod:    {TLS_FLAG}={}\n",
        if d.tls_flag {
            "true"
        } else {
            "not set (tls blocks are ignored)"
        }
    ));
    for port in &d.ports {
        let name = if port.name.is_empty() {
            String::new()
        } else {
            format!(" ({})", port.name)
        };
        let protocol = if port.protocol.is_empty() {
            String::new()
        } else {
            format!(" {}", port.protocol)
        };
        out.push_str(&format!("\nPort {}{name}{protocol}\n", port.port));
        out.push_str(&format!("  from outside the mesh: {}\n", port.from_outside));
        out.push_str(&format!("  from inside the mesh:  {}\n", port.from_inside));
        out.push_str(&format!("  mTLS mode:  {}\n", port.mtls_decided_by));
        match port.tls.as_str() {
            "terminate" => {
                out.push_str("  tls:        terminated by the sidecar (both gates pass)\n")
            }
            "ignored" => {
                for why in &port.tls_ignored_because {
                    out.push_str(&format!("  tls:        IGNORED: {why}\n"));
                }
            }
            _ => out.push_str("  tls:        none\n"),
        }
        let services = if port.services.is_empty() {
            "none (no Service port targets it)".to_string()
        } else {
            port.services.join(", ")
        };
        out.push_str(&format!("  services:   {services}\n"));
        for file in &port.certificates {
            let mut line = format!("  {}: {} ← {}", file.field, file.path, file.source);
            if let Some(subject) = &file.subject {
                line.push_str(&format!(": {subject}"));
            }
            if !file.sans.is_empty() {
                line.push_str(&format!(", SANs {}", file.sans.join(",")));
            }
            if let Some(days) = file.days_left {
                line.push_str(&format!(", {days} days left"));
            }
            out.push_str(&line);
            out.push('\n');
        }
    }
    out
}
