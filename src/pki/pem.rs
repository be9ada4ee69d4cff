//! PEM reading on rustls-pki-types: every section with its label, so errors can say what was found.
use std::path::Path;

use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::{PemObject, SectionKind};

use super::PkiError;

/// One decoded PEM section.
pub struct Section {
    pub kind: SectionKind,
    pub der: Vec<u8>,
}

/// Every PEM section in `bytes` whose label rustls-pki-types knows, in file order.
pub fn sections(bytes: &[u8]) -> Result<Vec<Section>, rustls_pki_types::pem::Error> {
    <(SectionKind, Vec<u8>) as PemObject>::pem_slice_iter(bytes)
        .map(|item| item.map(|(kind, der)| Section { kind, der }))
        .collect()
}

/// The label of a section kind, as it stands after `-----BEGIN `.
pub fn label(kind: SectionKind) -> &'static str {
    match kind {
        SectionKind::Certificate => "CERTIFICATE",
        SectionKind::PublicKey => "PUBLIC KEY",
        SectionKind::RsaPrivateKey => "RSA PRIVATE KEY",
        SectionKind::PrivateKey => "PRIVATE KEY",
        SectionKind::EcPrivateKey => "EC PRIVATE KEY",
        SectionKind::Crl => "X509 CRL",
        SectionKind::Csr => "CERTIFICATE REQUEST",
        SectionKind::EchConfigList => "ECHCONFIG",
        _ => "UNKNOWN",
    }
}

/// A section's label as messages print it: private-key labels in lowercase, so that no message
/// ever holds the words that mark key material (`PRIVATE KEY`), and logs can be searched for
/// them.
pub fn shown_label(kind: SectionKind) -> &'static str {
    match kind {
        SectionKind::RsaPrivateKey => "rsa private key",
        SectionKind::PrivateKey => "private key",
        SectionKind::EcPrivateKey => "ec private key",
        other => label(other),
    }
}

/// Whether a section holds a private key of any encoding.
pub fn is_private_key(kind: SectionKind) -> bool {
    matches!(
        kind,
        SectionKind::PrivateKey | SectionKind::RsaPrivateKey | SectionKind::EcPrivateKey
    )
}

/// The certificates in a PEM file's bytes, in order; errors name `path`.
pub fn certificates(path: &Path, bytes: &[u8]) -> Result<Vec<CertificateDer<'static>>, PkiError> {
    let all = sections(bytes).map_err(|e| PkiError::BadPem {
        path: path.to_path_buf(),
        reason: e.to_string(),
    })?;
    if all.is_empty() {
        return Err(PkiError::NoPem {
            path: path.to_path_buf(),
        });
    }
    let found = found_labels(&all);
    let certs: Vec<CertificateDer<'static>> = all
        .into_iter()
        .filter(|s| s.kind == SectionKind::Certificate)
        .map(|s| CertificateDer::from(s.der))
        .collect();
    if certs.is_empty() {
        return Err(PkiError::NoCertificate {
            path: path.to_path_buf(),
            found,
        });
    }
    Ok(certs)
}

/// A comma-separated list of the labels present, for error messages.
pub fn found_labels(all: &[Section]) -> String {
    let labels: Vec<&str> = all.iter().map(|s| shown_label(s.kind)).collect();
    labels.join(", ")
}
