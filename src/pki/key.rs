//! Private keys: a PEM wrapper that never prints, and loading any key encoding into a signer.
use std::fmt;
use std::path::Path;

use rcgen::{KeyPair, PublicKeyData};
use rustls_pki_types::pem::SectionKind;
use rustls_pki_types::{PrivateKeyDer, PrivatePkcs1KeyDer, PrivatePkcs8KeyDer, PrivateSec1KeyDer};
use x509_parser::prelude::{FromDer, X509Certificate};

use super::PkiError;
use super::pem::{found_labels, is_private_key, sections};

/// PEM text of a private key. `Debug` and `Display` print `[redacted]`; only `expose` gives bytes.
#[derive(Clone)]
pub struct PrivateKeyPem(String);

impl PrivateKeyPem {
    pub fn new(pem: String) -> Self {
        PrivateKeyPem(pem)
    }

    /// The key's bytes, for writing to a 0600 file or a Secret. Never log them.
    pub fn expose(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

impl fmt::Debug for PrivateKeyPem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl fmt::Display for PrivateKeyPem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// The first private key in `bytes` (PKCS#8, PKCS#1 or SEC1), as a signing key pair.
pub fn load_key_pair(path: &Path, bytes: &[u8]) -> Result<KeyPair, PkiError> {
    let der = private_key_der(path, bytes)?;
    KeyPair::try_from(&der).map_err(|e| PkiError::BadPrivateKey {
        path: path.to_path_buf(),
        reason: e.to_string(),
    })
}

/// The DER of the first private key in `bytes` (PKCS#8, PKCS#1 or SEC1), not parsed further.
pub fn private_key_der(path: &Path, bytes: &[u8]) -> Result<PrivateKeyDer<'static>, PkiError> {
    let all = sections(bytes).map_err(|e| PkiError::BadPem {
        path: path.to_path_buf(),
        reason: super::pem::reason(&e),
    })?;
    let found = found_labels(&all);
    let section = all
        .into_iter()
        .find(|s| is_private_key(s.kind))
        .ok_or_else(|| PkiError::NoPrivateKey {
            path: path.to_path_buf(),
            found: if found.is_empty() {
                "no PEM data".to_string()
            } else {
                found
            },
        })?;
    Ok(match section.kind {
        SectionKind::RsaPrivateKey => PrivatePkcs1KeyDer::from(section.der).into(),
        SectionKind::EcPrivateKey => PrivateSec1KeyDer::from(section.der).into(),
        _ => PrivatePkcs8KeyDer::from(section.der).into(),
    })
}

/// Whether `key` is the private half of the public key in the certificate `cert_der`.
pub fn matches_certificate(key: &KeyPair, cert_der: &[u8]) -> bool {
    match X509Certificate::from_der(cert_der) {
        Ok((_, cert)) => cert.tbs_certificate.subject_pki.raw == key.subject_public_key_info(),
        Err(_) => false,
    }
}
