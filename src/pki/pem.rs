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

/// Why PEM did not read, in words that quote none of it. rustls-pki-types prints the offending
/// line or label as a byte list (`[45, 45, …]`), which for a key pasted on one line is the key.
pub fn reason(error: &rustls_pki_types::pem::Error) -> String {
    use rustls_pki_types::pem::Error;
    match error {
        Error::MissingSectionEnd { end_marker } => {
            let label = [
                SectionKind::Certificate,
                SectionKind::PublicKey,
                SectionKind::RsaPrivateKey,
                SectionKind::PrivateKey,
                SectionKind::EcPrivateKey,
                SectionKind::Crl,
                SectionKind::Csr,
                SectionKind::EchConfigList,
            ]
            .into_iter()
            .find(|kind| label(*kind).as_bytes() == end_marker.as_slice())
            .map_or("unknown", shown_label);
            format!("a section labelled {label} has no -----END line")
        }
        Error::IllegalSectionStart { .. } => {
            "a -----BEGIN line does not end in five dashes".to_string()
        }
        other => crate::redact::message(&other.to_string()),
    }
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
        reason: reason(&e),
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A key whose line breaks became spaces (as through an environment variable) is read as
    /// one BEGIN line whose label is the key: rustls-pki-types quotes that label as a byte list.
    /// Found by the bounded run of the `pem` fuzz target; `fuzz/regressions/pem/` holds it.
    #[test]
    fn a_key_on_one_line_is_not_quoted_in_the_error() {
        let body = "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgY2FzZQ";
        let one_line = format!("-----BEGIN PRIVATE KEY----- {body} -----END PRIVATE KEY-----\n");
        for error in [
            certificates(Path::new("k.pem"), one_line.as_bytes()).err(),
            super::super::key::private_key_der(Path::new("k.pem"), one_line.as_bytes()).err(),
        ] {
            let text = error.expect("malformed").to_string();
            assert_eq!(
                text,
                "k.pem: malformed PEM: a section labelled unknown has no -----END line"
            );
        }
        let cut = b"-----BEGIN PRIVATE KEY-----\nMIGH\n";
        let text = certificates(Path::new("k.pem"), cut)
            .expect_err("no end")
            .to_string();
        assert_eq!(
            text,
            "k.pem: malformed PEM: a section labelled private key has no -----END line"
        );
        let start = format!("-----BEGIN PRIVATE KEY-----{body}\n");
        let text = certificates(Path::new("k.pem"), start.as_bytes())
            .expect_err("bad start")
            .to_string();
        assert!(!text.contains('[') && !text.contains("45, "), "{text}");
    }
}
