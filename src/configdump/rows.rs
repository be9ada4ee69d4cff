//! Secret rows: what each dynamic secret's certificate says at instant `now`, in istioctl's
//! order (warming, then active). Pure: no disk, clock or socket.
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use rustls_pki_types::pem::{PemObject, SectionKind};
use time::OffsetDateTime;

use super::model::SecretsDump;
use crate::envoy::secrets::DynamicSecret;
use crate::pki::inspect::{is_ca, parse, serial_hex, subject_alt_names};
use crate::redact;

/// A row's STATUS column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Requested by a listener or cluster, not loaded yet.
    Warming,
    Active,
    /// Active, but its `version_info` is `uninitialized` (istioctl shows it so).
    Uninitialized,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Warming => "WARMING",
            Status::Active => "ACTIVE",
            Status::Uninitialized => "UNINITIALIZED",
        }
    }
}

/// A row's TYPE column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CertKind {
    /// basicConstraints CA:TRUE.
    Ca,
    CertChain,
}

impl CertKind {
    pub fn as_str(self) -> &'static str {
        match self {
            CertKind::Ca => "CA",
            CertKind::CertChain => "Cert Chain",
        }
    }
}

/// What one certificate says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertFacts {
    pub kind: CertKind,
    /// Lower-case hex, every byte kept, zero-padded to at least 32 digits.
    pub serial: String,
    pub not_before: OffsetDateTime,
    pub not_after: OffsetDateTime,
    pub subject: String,
    pub issuer: String,
    pub sans: Vec<String>,
}

/// A row's certificate data: none, unreadable (with why), or a certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Content {
    Missing,
    Unreadable(String),
    Cert(CertFacts),
}

/// One line of the secret table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub name: String,
    pub status: Status,
    /// The SPIFFE trust domain (istioctl 1.25+): a bundle entry's name, else the host of the
    /// secret's first certificate's first `spiffe://` URI SAN.
    pub trust_domain: Option<String>,
    pub content: Content,
    /// NotBefore < now < NotAfter; false without a readable certificate.
    pub valid: bool,
}

impl Row {
    pub fn cert(&self) -> Option<&CertFacts> {
        match &self.content {
            Content::Cert(facts) => Some(facts),
            _ => None,
        }
    }
}

/// How many certificates of a chain or bundle become rows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Options {
    /// One row per certificate, not just the first PEM block (istioctl's behaviour).
    pub all_certs: bool,
}

/// The table's rows: warming secrets first, then active ones, each in dump order.
pub fn rows(dump: &SecretsDump, now: OffsetDateTime, options: Options) -> Vec<Row> {
    let warming = dump.warming().iter().map(|s| (s, Status::Warming));
    let active = dump.active().iter().map(|s| {
        let status = if s.version_info.as_deref() == Some("uninitialized") {
            Status::Uninitialized
        } else {
            Status::Active
        };
        (s, status)
    });
    let mut out = Vec::new();
    for (secret, status) in warming.chain(active) {
        for (bundle_domain, data) in data_sources(secret) {
            let contents = contents(data, options);
            // Every row of a chain shares its first certificate's domain (`--all-certs`).
            let trust_domain = bundle_domain.or_else(|| match contents.first() {
                Some(Content::Cert(c)) => spiffe_trust_domain(&c.sans),
                _ => None,
            });
            for content in contents {
                let valid = match &content {
                    Content::Cert(c) => c.not_before < now && now < c.not_after,
                    _ => false,
                };
                // Names are the dump's text, shown as any input is (no key, no huge value).
                out.push(Row {
                    name: redact::value(&secret.name),
                    status,
                    trust_domain: trust_domain.as_deref().map(redact::value),
                    content,
                    valid,
                });
            }
        }
    }
    out
}

/// Where a secret's certificates are, as istioctl looks: the chain, else the trusted CA,
/// else one bundle per SPIFFE trust domain.
fn data_sources(secret: &DynamicSecret) -> Vec<(Option<String>, Option<&str>)> {
    if let Some(chain) = secret.certificate_chain() {
        return vec![(None, Some(chain))];
    }
    if let Some(ca) = secret.trusted_ca() {
        return vec![(None, Some(ca))];
    }
    match secret.trust_domains() {
        Some(domains) if !domains.is_empty() => domains
            .iter()
            .map(|d| {
                (
                    Some(d.name.clone()),
                    d.trust_bundle.as_ref().and_then(|b| b.inline()),
                )
            })
            .collect(),
        _ => vec![(None, None)],
    }
}

fn contents(data: Option<&str>, options: Options) -> Vec<Content> {
    let Some(text) = data else {
        return vec![Content::Missing];
    };
    let pem = match decode_base64(text) {
        Ok(pem) => pem,
        Err(reason) => return vec![Content::Unreadable(reason)],
    };
    let mut out = Vec::new();
    for section in <(SectionKind, Vec<u8>) as PemObject>::pem_slice_iter(&pem) {
        let content = match section {
            Ok((SectionKind::Certificate, der)) => {
                facts(&der).map_or_else(Content::Unreadable, Content::Cert)
            }
            Ok((kind, _)) if !options.all_certs => Content::Unreadable(format!(
                "the first PEM block is {kind:?}, not a certificate"
            )),
            Ok(_) => continue,
            Err(e) => Content::Unreadable(format!("bad PEM: {}", crate::pki::pem::reason(&e))),
        };
        let stop = !options.all_certs || matches!(content, Content::Unreadable(_));
        out.push(content);
        if stop {
            break;
        }
    }
    if out.is_empty() {
        out.push(Content::Unreadable("no PEM certificate found".to_string()));
    }
    out
}

/// The host of the first `spiffe://` URI SAN (`URI:spiffe://east.local/ns/x/sa/y` → `east.local`),
/// as istioctl's `secretMetaFromCert` reads the trust domain.
pub fn spiffe_trust_domain(sans: &[String]) -> Option<String> {
    sans.iter()
        .filter_map(|san| san.strip_prefix("URI:"))
        .find_map(|uri| {
            let (scheme, rest) = uri.split_once("://")?;
            scheme.eq_ignore_ascii_case("spiffe").then_some(rest)
        })
        .map(|rest| {
            rest.split(['/', '?', '#'])
                .next()
                .unwrap_or_default()
                .to_string()
        })
        .filter(|host| !host.is_empty())
}

/// protojson accepts standard and URL-safe base64, padded or not.
fn decode_base64(text: &str) -> Result<Vec<u8>, String> {
    [&STANDARD, &STANDARD_NO_PAD, &URL_SAFE, &URL_SAFE_NO_PAD]
        .iter()
        .find_map(|engine| engine.decode(text).ok())
        .ok_or_else(|| "inline_bytes is not valid base64".to_string())
}

fn facts(der: &[u8]) -> Result<CertFacts, String> {
    let cert = parse(der)?;
    let validity = cert.validity();
    Ok(CertFacts {
        kind: if is_ca(&cert) {
            CertKind::Ca
        } else {
            CertKind::CertChain
        },
        serial: format!("{:0>32}", serial_hex(&cert)),
        not_before: validity.not_before.to_datetime(),
        not_after: validity.not_after.to_datetime(),
        subject: cert.subject().to_string(),
        issuer: cert.issuer().to_string(),
        sans: subject_alt_names(&cert),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::configdump::model::parse_slice;
    use crate::pki::issue::{generate_keys, new_ca};
    use crate::pki::spec::{KeyType, Subject};
    use time::macros::datetime;

    fn ca_pem(now: OffsetDateTime, days: u32) -> String {
        let key = generate_keys(KeyType::EcdsaP256, 1).expect("key").remove(0);
        let subject = Subject::parse("/O=test/CN=root").expect("subject");
        new_ca(&subject, key, now, days).expect("ca").0.cert_pem
    }

    fn dump(json: serde_json::Value) -> SecretsDump {
        parse_slice(json.to_string().as_bytes()).expect("dump parses")
    }

    fn b64(text: &str) -> String {
        STANDARD.encode(text)
    }

    #[test]
    fn warming_rows_come_first_and_validity_is_strict() {
        let issued = datetime!(2026-01-01 0:00 UTC);
        let pem = ca_pem(issued, 10);
        let d = dump(serde_json::json!({
            "dynamic_active_secrets": [{"name": "ROOTCA", "secret": {"validation_context": {"trusted_ca": {"inline_bytes": b64(&pem)}}}}],
            "dynamic_warming_secrets": [{"name": "default"}],
        }));
        let at = |now| rows(&d, now, Options::default());
        let r = at(datetime!(2026-01-05 0:00 UTC));
        assert_eq!(r[0].name, "default");
        assert_eq!(
            (r[0].status, &r[0].content, r[0].valid),
            (Status::Warming, &Content::Missing, false)
        );
        assert_eq!(r[1].status, Status::Active);
        assert!(r[1].valid);
        assert_eq!(r[1].cert().map(|c| c.kind), Some(CertKind::Ca));
        assert_eq!(r[1].cert().map(|c| c.serial.len()), Some(40));
        // NotBefore itself is not yet valid, as Go's time.After.
        assert!(!at(issued)[1].valid);
        assert!(!at(datetime!(2026-01-12 0:00 UTC))[1].valid);
    }

    #[test]
    fn an_active_secret_with_version_uninitialized_is_shown_so() {
        let d = dump(
            serde_json::json!({"dynamic_active_secrets": [{"name": "default", "version_info": "uninitialized"}]}),
        );
        let r = rows(&d, datetime!(2026-01-05 0:00 UTC), Options::default());
        assert_eq!(r[0].status, Status::Uninitialized);
        assert_eq!(r[0].status.as_str(), "UNINITIALIZED");
    }

    #[test]
    fn bad_data_gives_an_empty_invalid_row() {
        let cases = [
            "not base64!".to_string(),
            b64("just text, no PEM"),
            b64("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"),
            b64(&ca_pem(datetime!(2026-01-01 0:00 UTC), 10))[..100].to_string(),
        ];
        for data in cases {
            let d = dump(serde_json::json!({"dynamic_active_secrets": [
                {"name": "x", "secret": {"tls_certificate": {"certificate_chain": {"inline_bytes": data}}}}]}));
            let r = rows(&d, datetime!(2026-01-05 0:00 UTC), Options::default());
            assert_eq!(r.len(), 1);
            assert!(
                matches!(r[0].content, Content::Unreadable(_)),
                "{data}: {:?}",
                r[0].content
            );
            assert!(!r[0].valid);
        }
    }

    #[test]
    fn the_trust_domain_is_the_first_spiffe_uri_host() {
        let sans = |list: &[&str]| list.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            spiffe_trust_domain(&sans(&[
                "DNS:a.example",
                "URI:https://x.org/y",
                "URI:spiffe://east.local/ns/default/sa/sleep",
                "URI:spiffe://west.local/ns/x",
            ]))
            .as_deref(),
            Some("east.local")
        );
        assert_eq!(
            spiffe_trust_domain(&sans(&["DNS:a", "URI:spiffe:///x"])),
            None
        );
        assert_eq!(spiffe_trust_domain(&[]), None);
    }

    #[test]
    fn spiffe_bundles_give_a_row_per_trust_domain_and_all_certs_a_row_per_certificate() {
        let now = datetime!(2026-01-05 0:00 UTC);
        let a = ca_pem(datetime!(2026-01-01 0:00 UTC), 10);
        let b = ca_pem(datetime!(2026-01-01 0:00 UTC), 1);
        let d = dump(
            serde_json::json!({"dynamic_active_secrets": [{"name": "ROOTCA", "secret": {
            "validation_context": {"custom_validator_config": {"name": "envoy.tls.cert_validator.spiffe",
                "typed_config": {"@type": "x", "trust_domains": [
                    {"name": "cluster.local", "trust_bundle": {"inline_bytes": b64(&format!("{a}{b}"))}},
                    {"name": "foo.org", "trust_bundle": {"inline_bytes": b64(&b)}}]}}}}}]}),
        );
        let r = rows(&d, now, Options::default());
        let domains: Vec<_> = r.iter().map(|r| r.trust_domain.as_deref()).collect();
        assert_eq!(domains, [Some("cluster.local"), Some("foo.org")]);
        assert_eq!((r[0].valid, r[1].valid), (true, false));
        let all = rows(&d, now, Options { all_certs: true });
        assert_eq!(all.len(), 3);
        assert_eq!(all[1].trust_domain.as_deref(), Some("cluster.local"));
        assert!(!all[1].valid);
    }
}
