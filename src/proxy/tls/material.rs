//! Loading a listener's certificate files: each SDS secret (`file-cert:…`, `file-root:…`)
//! loads on its own, so one bad file leaves just that secret warming, with the reason.
use std::path::Path;

use rustls::pki_types::{CertificateDer, PrivateKeyDer};

use crate::pki::key::{load_key_pair, matches_certificate};
use crate::pki::pem::certificates;

/// A certificate chain and its key, as read from disk.
#[derive(Debug)]
pub struct CertAndKey {
    pub chain: Vec<CertificateDer<'static>>,
    pub key: PrivateKeyDer<'static>,
    /// The chain file's bytes, as the config dump shows them (keys never are).
    pub chain_pem: Vec<u8>,
}

impl Clone for CertAndKey {
    fn clone(&self) -> Self {
        CertAndKey {
            chain: self.chain.clone(),
            key: self.key.clone_key(),
            chain_pem: self.chain_pem.clone(),
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
    let key_pair = load_key_pair(key_path, &key_pem).map_err(|e| e.to_string())?;
    if !matches_certificate(&key_pair, &chain[0]) {
        return Err(format!(
            "{} does not match the certificate in {}",
            key_path.display(),
            cert_path.display()
        ));
    }
    let key = PrivateKeyDer::try_from(key_pair.serialize_der())
        .map_err(|e| format!("{}: {e}", key_path.display()))?;
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
