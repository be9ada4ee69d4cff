//! Loading a listener's certificate files: each SDS secret (`file-cert:…`, `file-root:…`)
//! loads on its own, so one bad file leaves just that secret warming, with the reason; and CRLs.
use std::path::Path;
use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, CertificateRevocationListDer, PrivateKeyDer};
use rustls::sign::SigningKey;
use x509_parser::prelude::{FromDer, X509Certificate};

use crate::pki::PkiError;
use crate::pki::key::{matches_certificate, private_key_der};
use crate::pki::pem::certificates;

/// A certificate chain and its key, as read from disk.
#[derive(Debug, Clone)]
pub struct CertAndKey {
    pub chain: Vec<CertificateDer<'static>>,
    /// Parsed once: aws-lc checks an RSA key's consistency on every parse (~1.5 ms for 2048 bits).
    pub key: Arc<dyn SigningKey>,
    /// The chain file's bytes, as the config dump shows them (keys never are).
    pub chain_pem: Vec<u8>,
}

/// Parses a PEM private key into the signer rustls serves with; `name` is for messages.
pub fn signing_key(name: &Path, key_pem: &[u8]) -> Result<Arc<dyn SigningKey>, PkiError> {
    signer(name, &private_key_der(name, key_pem)?)
}

fn signer(name: &Path, der: &PrivateKeyDer<'_>) -> Result<Arc<dyn SigningKey>, PkiError> {
    rustls::crypto::aws_lc_rs::sign::any_supported_type(der).map_err(|e| PkiError::BadPrivateKey {
        path: name.to_path_buf(),
        reason: e.to_string(),
    })
}

/// Whether `key` is the private half of the leaf certificate's public key (v1 leaves included).
fn key_matches(key: &dyn SigningKey, key_der: &PrivateKeyDer<'_>, leaf: &[u8]) -> bool {
    match key.public_key() {
        Some(spki) => X509Certificate::from_der(leaf)
            .is_ok_and(|(_, cert)| cert.tbs_certificate.subject_pki.raw == spki.as_ref()),
        // A key type whose signer cannot give its public key: compare through rcgen instead.
        None => {
            rcgen::KeyPair::try_from(key_der).is_ok_and(|pair| matches_certificate(&pair, leaf))
        }
    }
}

/// A CA bundle, as read from disk.
#[derive(Debug, Clone)]
pub struct TrustBundle {
    pub roots: Vec<CertificateDer<'static>>,
    pub pem: Vec<u8>,
}

fn read(path: &Path) -> Result<Vec<u8>, String> {
    std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

/// Reads a certificate chain and the private key that must match its first certificate.
pub fn load_cert_and_key(cert_path: &Path, key_path: &Path) -> Result<CertAndKey, String> {
    let chain_pem = read(cert_path)?;
    let key_pem = read(key_path)?;
    let chain = certificates(cert_path, &chain_pem).map_err(|e| e.to_string())?;
    let key_der = private_key_der(key_path, &key_pem).map_err(|e| e.to_string())?;
    let key = signer(key_path, &key_der).map_err(|e| e.to_string())?;
    if !key_matches(key.as_ref(), &key_der, &chain[0]) {
        return Err(format!(
            "{} does not match the certificate in {}",
            key_path.display(),
            cert_path.display()
        ));
    }
    Ok(CertAndKey {
        chain,
        key,
        chain_pem,
    })
}

/// Reads a CA bundle (one or more certificates).
pub fn load_bundle(path: &Path) -> Result<TrustBundle, String> {
    let pem = read(path)?;
    let roots = certificates(path, &pem).map_err(|e| e.to_string())?;
    Ok(TrustBundle { roots, pem })
}

/// Reads a CRL file (`caCrl`): one or more PEM `X509 CRL` blocks, or one DER CRL. Each must
/// parse; whether it is signed by the CA is checked when a client's certificate is verified.
pub fn load_crls(path: &Path) -> Result<Vec<CertificateRevocationListDer<'static>>, String> {
    let bytes = read(path)?;
    let crls: Vec<CertificateRevocationListDer<'static>> = if bytes.starts_with(b"-----") {
        CertificateRevocationListDer::pem_slice_iter(&bytes)
            .collect::<Result<_, _>>()
            .map_err(|e| {
                format!(
                    "{}: malformed PEM CRL: {}",
                    path.display(),
                    crate::pki::pem::reason(&e)
                )
            })?
    } else {
        vec![CertificateRevocationListDer::from(bytes)]
    };
    if crls.is_empty() {
        return Err(format!(
            "{}: no CRL found; expected -----BEGIN X509 CRL-----",
            path.display()
        ));
    }
    for (index, crl) in crls.iter().enumerate() {
        x509_parser::revocation_list::CertificateRevocationList::from_der(crl).map_err(|e| {
            format!(
                "{}: CRL #{} is not valid DER: {e}",
                path.display(),
                index + 1
            )
        })?;
    }
    Ok(crls)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pki::issue::{generate_keys, new_ca};
    use crate::pki::spec::{KeyType, Subject};

    /// A self-signed certificate and its key, written as `<stem>.crt` and `<stem>.key`.
    fn write_pair(dir: &Path, stem: &str, key_type: KeyType) {
        let key = generate_keys(key_type, 1).expect("key").remove(0);
        let subject = Subject::parse(&format!("/O=test/CN={stem}")).expect("subject");
        let (issued, _) =
            new_ca(&subject, key, time::OffsetDateTime::now_utc(), 1).expect("certificate");
        std::fs::write(dir.join(format!("{stem}.crt")), issued.cert_pem).expect("write");
        std::fs::write(dir.join(format!("{stem}.key")), issued.key.expose()).expect("write");
    }

    #[test]
    fn a_key_loads_with_its_certificate_and_not_with_another() {
        let dir = tempfile::tempdir().expect("tempdir");
        for key_type in [KeyType::Rsa2048, KeyType::EcdsaP256, KeyType::Ed25519] {
            let (a, b) = (format!("{key_type:?}-a"), format!("{key_type:?}-b"));
            write_pair(dir.path(), &a, key_type);
            write_pair(dir.path(), &b, key_type);
            let path = |name: &str| dir.path().join(name);
            let loaded = load_cert_and_key(&path(&format!("{a}.crt")), &path(&format!("{a}.key")))
                .expect("a certificate loads with its own key");
            assert_eq!(loaded.chain.len(), 1);
            let wrong = load_cert_and_key(&path(&format!("{a}.crt")), &path(&format!("{b}.key")))
                .expect_err("another key of the same type is refused");
            assert!(
                wrong.contains("does not match the certificate in"),
                "{wrong}"
            );
        }
    }

    #[test]
    fn a_file_without_a_key_says_what_it_found() {
        let dir = tempfile::tempdir().expect("tempdir");
        write_pair(dir.path(), "leaf", KeyType::EcdsaP256);
        let crt = dir.path().join("leaf.crt");
        let error = load_cert_and_key(&crt, &crt).expect_err("a certificate is not a key");
        assert!(error.contains("CERTIFICATE"), "{error}");
    }
}
