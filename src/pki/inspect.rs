//! Describing certificates (any X.509 version) and checking a chain against a CA bundle,
//! with the reason when it does not verify. Pure: the caller passes the time.
use serde::Serialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use x509_parser::extensions::GeneralName;
use x509_parser::oid_registry;
use x509_parser::prelude::{FromDer, X509Certificate};
use x509_parser::public_key::PublicKey;

/// What `cert inspect` reports for one certificate.
#[derive(Debug, Clone, Serialize)]
pub struct CertInfo {
    pub subject: String,
    pub issuer: String,
    pub sans: Vec<String>,
    /// Lower-case hex of every serial byte (no leading zero dropped).
    pub serial: String,
    pub not_before: String,
    pub not_after: String,
    pub validity: Validity,
    pub key: String,
    pub is_ca: bool,
    pub version: u32,
    pub self_signed: bool,
}

/// Where `now` falls in a certificate's validity window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Validity {
    Valid,
    Expired,
    NotYetValid,
}

/// Parses DER into a certificate, with x509-parser's reason on failure.
pub fn parse(der: &[u8]) -> Result<X509Certificate<'_>, String> {
    X509Certificate::from_der(der)
        .map(|(_, cert)| cert)
        .map_err(|e| e.to_string())
}

pub fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap_or_else(|_| t.to_string())
}

/// Lower-case hex of the serial's DER content bytes, minus a sign byte only.
pub fn serial_hex(cert: &X509Certificate<'_>) -> String {
    let raw = cert.raw_serial();
    let raw = match raw {
        [0, rest @ ..] if !rest.is_empty() && rest[0] & 0x80 != 0 => rest,
        _ => raw,
    };
    raw.iter().map(|b| format!("{b:02x}")).collect()
}

/// Describes one certificate at instant `now`.
pub fn describe(cert: &X509Certificate<'_>, now: OffsetDateTime) -> CertInfo {
    let validity = validity_at(cert, now);
    CertInfo {
        subject: cert.subject().to_string(),
        issuer: cert.issuer().to_string(),
        sans: subject_alt_names(cert),
        serial: serial_hex(cert),
        not_before: rfc3339(cert.validity().not_before.to_datetime()),
        not_after: rfc3339(cert.validity().not_after.to_datetime()),
        validity,
        key: key_description(cert),
        is_ca: is_ca(cert),
        version: cert.version().0 + 1,
        self_signed: cert.subject().as_raw() == cert.issuer().as_raw(),
    }
}

pub fn validity_at(cert: &X509Certificate<'_>, now: OffsetDateTime) -> Validity {
    let v = cert.validity();
    if now < v.not_before.to_datetime() {
        Validity::NotYetValid
    } else if now > v.not_after.to_datetime() {
        Validity::Expired
    } else {
        Validity::Valid
    }
}

/// Whether basicConstraints says CA:TRUE.
pub fn is_ca(cert: &X509Certificate<'_>) -> bool {
    matches!(cert.basic_constraints(), Ok(Some(bc)) if bc.value.ca)
}

/// SANs as openssl prints them: `DNS:…`, `URI:…`, `IP:…`, `email:…`.
pub fn subject_alt_names(cert: &X509Certificate<'_>) -> Vec<String> {
    let Ok(Some(san)) = cert.subject_alternative_name() else {
        return Vec::new();
    };
    san.value
        .general_names
        .iter()
        .map(|name| match name {
            GeneralName::DNSName(d) => format!("DNS:{d}"),
            GeneralName::URI(u) => format!("URI:{u}"),
            GeneralName::RFC822Name(e) => format!("email:{e}"),
            GeneralName::IPAddress(bytes) => format!("IP:{}", ip_text(bytes)),
            other => format!("{other}"),
        })
        .collect()
}

fn ip_text(bytes: &[u8]) -> String {
    match bytes.len() {
        4 => std::net::Ipv4Addr::new(bytes[0], bytes[1], bytes[2], bytes[3]).to_string(),
        16 => {
            let mut octets = [0u8; 16];
            octets.copy_from_slice(bytes);
            std::net::Ipv6Addr::from(octets).to_string()
        }
        _ => format!("{bytes:02x?}"),
    }
}

/// The key algorithm and size, e.g. `RSA 2048`, `ECDSA P-256`, `Ed25519`.
pub fn key_description(cert: &X509Certificate<'_>) -> String {
    let spki = cert.public_key();
    match spki.parsed() {
        Ok(PublicKey::RSA(rsa)) => format!("RSA {}", rsa.key_size()),
        Ok(PublicKey::EC(_)) => {
            let curve = spki
                .algorithm
                .parameters
                .as_ref()
                .and_then(|p| p.as_oid().ok());
            match curve {
                Some(oid) if oid == oid_registry::OID_EC_P256 => "ECDSA P-256".to_string(),
                Some(oid) if oid == oid_registry::OID_NIST_EC_P384 => "ECDSA P-384".to_string(),
                Some(oid) if oid == oid_registry::OID_NIST_EC_P521 => "ECDSA P-521".to_string(),
                Some(oid) => format!("ECDSA {oid}"),
                None => "ECDSA".to_string(),
            }
        }
        _ if spki.algorithm.algorithm == oid_registry::OID_SIG_ED25519 => "Ed25519".to_string(),
        _ => format!("unknown ({})", spki.algorithm.algorithm),
    }
}

/// Why a certificate does not chain to the trusted CAs.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainError {
    #[error("no certificate in the CA bundle has subject \"{issuer}\"")]
    UnknownIssuer { issuer: String },
    #[error("the signature does not verify against \"{ca}\": the CA key did not sign it")]
    BadSignature { ca: String },
    #[error("\"{subject}\" expired at {not_after}")]
    Expired { subject: String, not_after: String },
    #[error("\"{subject}\" is not valid until {not_before}")]
    NotYetValid { subject: String, not_before: String },
    #[error("the issuer \"{ca}\" is not a CA (basicConstraints CA:TRUE is missing)")]
    IssuerNotCa { ca: String },
    #[error("the chain is longer than 8 certificates")]
    TooLong,
}

/// Checks that `cert` chains to one of `anchors` (through `intermediates`), at `now`.
/// Returns the subjects of the path on success, leaf first.
pub fn verify_chain(
    cert: &X509Certificate<'_>,
    intermediates: &[X509Certificate<'_>],
    anchors: &[X509Certificate<'_>],
    now: OffsetDateTime,
) -> Result<Vec<String>, ChainError> {
    let mut path = vec![cert.subject().to_string()];
    let mut current = cert;
    for _ in 0..8 {
        check_window(current, now)?;
        // A trust anchor in the bundle is trusted as it is.
        if anchors.iter().any(|a| a.as_ref() == current.as_ref()) {
            return Ok(path);
        }
        let issuer_raw = current.issuer().as_raw();
        let candidates = anchors
            .iter()
            .map(|a| (a, true))
            .chain(intermediates.iter().map(|i| (i, false)))
            .filter(|(c, _)| c.subject().as_raw() == issuer_raw && c.as_ref() != current.as_ref());
        let mut last_error = ChainError::UnknownIssuer {
            issuer: current.issuer().to_string(),
        };
        let mut next = None;
        for (candidate, is_anchor) in candidates {
            if current
                .verify_signature(Some(candidate.public_key()))
                .is_err()
            {
                last_error = ChainError::BadSignature {
                    ca: candidate.subject().to_string(),
                };
                continue;
            }
            // openssl accepts a v1 self-signed root as CA; v3 issuers need CA:TRUE.
            if candidate.version().0 >= 2 && !is_ca(candidate) {
                last_error = ChainError::IssuerNotCa {
                    ca: candidate.subject().to_string(),
                };
                continue;
            }
            next = Some((candidate, is_anchor));
            break;
        }
        let Some((issuer, is_anchor)) = next else {
            return Err(last_error);
        };
        path.push(issuer.subject().to_string());
        if is_anchor {
            check_window(issuer, now)?;
            return Ok(path);
        }
        current = issuer;
    }
    Err(ChainError::TooLong)
}

fn check_window(cert: &X509Certificate<'_>, now: OffsetDateTime) -> Result<(), ChainError> {
    match validity_at(cert, now) {
        Validity::Valid => Ok(()),
        Validity::Expired => Err(ChainError::Expired {
            subject: cert.subject().to_string(),
            not_after: rfc3339(cert.validity().not_after.to_datetime()),
        }),
        Validity::NotYetValid => Err(ChainError::NotYetValid {
            subject: cert.subject().to_string(),
            not_before: rfc3339(cert.validity().not_before.to_datetime()),
        }),
    }
}
