//! Check 9: the certificates the Sidecar's tls paths lead to (Secret data), and those in
//! `--certs DIR`: names, validity, key pairs, the chain to the CA, X.509 v1 leaves.
use std::path::Path;

use rustls_pki_types::CertificateDer;
use time::OffsetDateTime;
use x509_parser::prelude::X509Certificate;

use crate::k8s::volumes::mounts;
use crate::pki::inspect::{
    ChainError, Validity, is_ca, parse, rfc3339, subject_alt_names, validity_at, verify_chain,
};
use crate::pki::key::{load_key_pair, matches_certificate};
use crate::pki::keyformat::proxy_key_problem;
use crate::pki::pem::certificates;

use super::{Code, Finding, Input, Origin};
use crate::task::mounts::{Resolved, resolve};

/// Certificates expiring within this many days get a warning.
pub const WARN_DAYS: i64 = 30;

/// Bytes from a Secret key or a file, named for messages (`tls.crt`, `example.com.crt`).
struct Material<'a> {
    label: String,
    origin: Origin,
    bytes: &'a [u8],
}

/// The CA bundle leaves must chain to, and how to name it.
struct Anchors {
    certs: Vec<CertificateDer<'static>>,
    named: String,
}

/// A name the server certificate must cover: (FQDN, Service, Service port, workload port).
struct ServerName {
    fqdn: String,
    service: String,
    service_port: i32,
    port: u32,
}

struct Checker<'i> {
    now: OffsetDateTime,
    findings: &'i mut Vec<Finding>,
    /// DER of every certificate already checked, so one in a Secret and in DIR counts once.
    seen: Vec<Vec<u8>>,
}

fn common_name(cert: &X509Certificate<'_>) -> Option<String> {
    cert.subject()
        .iter_common_name()
        .next()
        .and_then(|cn| cn.as_str().ok())
        .map(str::to_string)
}

fn covers(pattern: &str, host: &str) -> bool {
    if pattern.eq_ignore_ascii_case(host) {
        return true;
    }
    match (pattern.strip_prefix("*."), host.split_once('.')) {
        (Some(suffix), Some((_, rest))) => suffix.eq_ignore_ascii_case(rest),
        _ => false,
    }
}

impl Checker<'_> {
    fn push(&mut self, code: Code, origin: &Origin, message: String) {
        self.findings.push(Finding::new(code, origin, message));
    }

    fn load(&mut self, material: &Material<'_>) -> Option<Vec<CertificateDer<'static>>> {
        match certificates(Path::new(&material.label), material.bytes) {
            Ok(ders) => Some(ders),
            Err(e) => {
                self.push(
                    Code::CertUnreadable,
                    &material.origin,
                    format!("{e}; put the PEM certificate there"),
                );
                None
            }
        }
    }

    fn validity(&mut self, cert: &X509Certificate<'_>, material: &Material<'_>) {
        let subject = cert.subject().to_string();
        let label = &material.label;
        let not_after = cert.validity().not_after.to_datetime();
        let renew = "re-issue it (`meshtls certgen --force` renews every certificate) and update the Secret";
        match validity_at(cert, self.now) {
            Validity::Expired => self.push(
                Code::CertExpired,
                &material.origin,
                format!("{label} \"{subject}\" expired at {}: every TLS handshake fails; {renew}", rfc3339(not_after)),
            ),
            Validity::NotYetValid => self.push(
                Code::CertExpired,
                &material.origin,
                format!(
                    "{label} \"{subject}\" is not valid until {}: TLS handshakes fail until then; check the issuing machine's clock, or {renew}",
                    rfc3339(cert.validity().not_before.to_datetime())
                ),
            ),
            Validity::Valid => {
                let days = (not_after - self.now).whole_days();
                if days < WARN_DAYS {
                    self.push(
                        Code::CertExpiresSoon,
                        &material.origin,
                        format!(
                            "{label} \"{subject}\" expires in {days} day(s), at {}; {renew}",
                            rfc3339(not_after)
                        ),
                    );
                }
            }
        }
    }

    fn version(&mut self, cert: &X509Certificate<'_>, material: &Material<'_>) {
        if cert.version().0 == 0 && !is_ca(cert) {
            self.push(
                Code::CertV1,
                &material.origin,
                format!(
                    "{} \"{}\" is an X.509 v1 certificate (the page's `openssl x509 -req` makes one): curl (OpenSSL) and Envoy accept it, but rustls/webpki-based peers reject v1 end-entity certificates (UnsupportedCertVersion); re-issue it as v3 with `meshtls certgen`",
                    material.label,
                    cert.subject()
                ),
            );
        }
    }

    fn names(
        &mut self,
        cert: &X509Certificate<'_>,
        material: &Material<'_>,
        names: &[&ServerName],
    ) {
        let sans = subject_alt_names(cert);
        let dns: Vec<&str> = sans.iter().filter_map(|s| s.strip_prefix("DNS:")).collect();
        let cn = common_name(cert);
        for name in names {
            let fqdn = name.fqdn.as_str();
            let via = format!(
                "{fqdn}, the name of Service {}/{} (port {} → {})",
                material.origin.namespace, name.service, name.service_port, name.port
            );
            if sans.is_empty() && cn.as_deref().is_some_and(|cn| covers(cn, fqdn)) {
                self.push(
                    Code::CertCnOnly,
                    &material.origin,
                    format!(
                        "{} names {via} only in its CN (it has no subjectAltName): curl and Envoy fall back to the CN, but rustls-based clients, Go and browsers do not and reject it; re-issue it with a DNS SAN (`meshtls certgen` adds them)",
                        material.label
                    ),
                );
            } else if !dns.iter().any(|d| covers(d, fqdn)) {
                let has = if sans.is_empty() {
                    format!("only CN={}", cn.as_deref().unwrap_or_default())
                } else {
                    sans.join(", ")
                };
                self.push(
                    Code::CertNameMismatch,
                    &material.origin,
                    format!(
                        "{} does not cover {via}: it names {has}, so clients checking the host name reject it; re-issue it with `meshtls certgen --server-host {fqdn}`",
                        material.label
                    ),
                );
            }
        }
    }

    fn key(&mut self, cert_der: &[u8], cert: &Material<'_>, key: &Material<'_>) {
        if let Some(problem) = proxy_key_problem(key.bytes) {
            self.push(
                Code::KeyNotLoadable,
                &key.origin,
                format!(
                    "{}: the real istio-proxy cannot load this key and the listener stays warming: {problem}",
                    key.label
                ),
            );
        }
        match load_key_pair(Path::new(&key.label), key.bytes) {
            Err(e) => self.push(Code::CertUnreadable, &key.origin, format!("{e}; put the PEM private key there")),
            Ok(pair) if !matches_certificate(&pair, cert_der) => self.push(
                Code::KeyMismatch,
                &key.origin,
                format!(
                    "{} does not match the certificate in {}: the proxy cannot load the pair and the listener stays warming; put the key that was issued with the certificate next to it",
                    key.label, cert.label
                ),
            ),
            Ok(_) => {}
        }
    }

    fn chain(
        &mut self,
        ders: &[CertificateDer<'static>],
        material: &Material<'_>,
        anchors: &Anchors,
    ) {
        let Some(Ok(leaf)) = ders.first().map(|d| parse(d)) else {
            return;
        };
        let intermediates: Vec<X509Certificate<'_>> =
            ders.iter().skip(1).filter_map(|d| parse(d).ok()).collect();
        let roots: Vec<X509Certificate<'_>> =
            anchors.certs.iter().filter_map(|d| parse(d).ok()).collect();
        match verify_chain(&leaf, &intermediates, &roots, self.now) {
            // Validity is reported for each certificate on its own.
            Ok(_) | Err(ChainError::Expired { .. } | ChainError::NotYetValid { .. }) => {}
            Err(e) => self.push(
                Code::CertNotSignedByCa,
                &material.origin,
                format!(
                    "{} \"{}\" is not signed by the CA in {}: {e}; clients that trust that CA reject it. Re-issue it from that CA (`meshtls certgen --out DIR` reuses the CA in DIR)",
                    material.label,
                    leaf.subject(),
                    anchors.named
                ),
            ),
        }
    }

    /// Every check of one certificate file or Secret key, unless it was checked already.
    fn certificate(
        &mut self,
        material: &Material<'_>,
        key: Option<&Material<'_>>,
        anchors: Option<&Anchors>,
        names: &[&ServerName],
    ) {
        let Some(ders) = self.load(material) else {
            return;
        };
        let Some(first) = ders.first() else {
            return;
        };
        if self.seen.iter().any(|s| s.as_slice() == first.as_ref()) {
            return;
        }
        self.seen.push(first.to_vec());
        let Ok(leaf) = parse(first) else {
            self.push(
                Code::CertUnreadable,
                &material.origin,
                format!("{}: the certificate is not valid DER", material.label),
            );
            return;
        };
        self.validity(&leaf, material);
        self.version(&leaf, material);
        self.names(&leaf, material, names);
        if let Some(key) = key {
            self.key(first, material, key);
        }
        if let Some(anchors) = anchors.filter(|_| !is_ca(&leaf)) {
            self.chain(&ders, material, anchors);
        }
    }
}

pub fn check(input: &Input, findings: &mut Vec<Finding>) {
    let secrets = input.task.secrets();
    let mut checker = Checker {
        now: input.now,
        findings,
        seen: Vec::new(),
    };
    let mut server_names: Vec<ServerName> = Vec::new();
    let mut secret_anchors: Option<Anchors> = None;
    let from_dir = dir_anchors(input);
    for applied in input.task.applied() {
        let Ok(list) = mounts(applied.workload.deployment) else {
            continue;
        };
        let ns = applied.workload.namespace.clone();
        for listener in &applied.sidecar.spec.ingress {
            let Some(tls) = &listener.tls else { continue };
            let port = listener.port.as_ref().map_or(0, |p| p.number);
            let found = |path: Option<&str>| match path.map(|p| resolve(p, &list, &ns, &secrets)) {
                Some(Resolved::Found(_, origin, key, bytes)) => Some(Material {
                    label: key,
                    origin: origin.clone(),
                    bytes,
                }),
                _ => None,
            };
            let names: Vec<ServerName> = input
                .task
                .fronting(&applied, port)
                .into_iter()
                .map(|front| ServerName {
                    fqdn: crate::page::service_host(
                        &front.service,
                        &ns,
                        crate::page::CLUSTER_DOMAIN,
                    ),
                    service: front.service,
                    service_port: front.port,
                    port,
                })
                .collect();
            let ca = found(tls.ca_certificates.as_deref());
            let anchors = ca.as_ref().and_then(|ca| {
                certificates(Path::new(&ca.label), ca.bytes)
                    .ok()
                    .map(|certs| Anchors {
                        certs,
                        named: format!(
                            "Secret {}/{} ({})",
                            ca.origin.namespace, ca.origin.name, ca.label
                        ),
                    })
            });
            if let Some(ca) = &ca {
                checker.certificate(ca, None, None, &[]);
            }
            if let Some(server) = found(tls.server_certificate.as_deref()) {
                let key = found(tls.private_key.as_deref());
                let refs: Vec<&ServerName> = names.iter().collect();
                let anchors = anchors.as_ref().or(from_dir.as_ref());
                checker.certificate(&server, key.as_ref(), anchors, &refs);
            }
            server_names.extend(names);
            if secret_anchors.is_none() {
                secret_anchors = anchors;
            }
        }
    }
    files(
        input,
        &mut checker,
        secret_anchors.or(from_dir),
        &server_names,
    );
}

/// The CA certificates in `--certs DIR` (CA:TRUE or self-signed), for leaves when no CA Secret
/// applies.
fn dir_anchors(input: &Input) -> Option<Anchors> {
    let cas: Vec<(String, Vec<CertificateDer<'static>>)> = input
        .cert_files
        .iter()
        .filter_map(|f| {
            let ders = certificates(Path::new(&f.name), &f.bytes).ok()?;
            let first = parse(ders.first()?).ok()?;
            (is_ca(&first) || first.subject().as_raw() == first.issuer().as_raw())
                .then(|| (f.name.clone(), ders.clone()))
        })
        .collect();
    (!cas.is_empty()).then(|| Anchors {
        named: cas
            .iter()
            .map(|(n, _)| n.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        certs: cas.into_iter().flat_map(|(_, c)| c).collect(),
    })
}

/// The `--certs DIR` files not already checked as Secret data. Leaves chain to the deployed CA
/// (the ca Secret) when there is one, else to the CA certificates in DIR.
fn files(input: &Input, checker: &mut Checker<'_>, anchors: Option<Anchors>, names: &[ServerName]) {
    let origin = |name: &str| Origin {
        kind: "Certificate".to_string(),
        namespace: String::new(),
        name: name.to_string(),
        file: None,
        line: None,
    };
    for file in &input.cert_files {
        let material = Material {
            label: file.name.clone(),
            origin: origin(&file.name),
            bytes: &file.bytes,
        };
        let key = file.key.as_ref().map(|(name, bytes)| Material {
            label: name.clone(),
            origin: origin(&file.name),
            bytes,
        });
        let mine: Vec<&ServerName> = names
            .iter()
            .filter(|n| file.name == format!("{}.crt", n.fqdn))
            .collect();
        checker.certificate(&material, key.as_ref(), anchors.as_ref(), &mine);
    }
}

#[cfg(test)]
mod tests {
    use super::covers;

    #[test]
    fn names_match_exactly_or_by_one_wildcard_label() {
        assert!(covers(
            "httpbin.test.svc.cluster.local",
            "HTTPBIN.test.svc.cluster.local"
        ));
        assert!(covers(
            "*.test.svc.cluster.local",
            "httpbin.test.svc.cluster.local"
        ));
        assert!(!covers(
            "*.svc.cluster.local",
            "httpbin.test.svc.cluster.local"
        ));
        assert!(!covers("httpbin", "httpbin.test.svc.cluster.local"));
    }
}
