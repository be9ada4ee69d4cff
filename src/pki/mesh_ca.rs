//! The local mesh CA that stands in for istiod: a root (`ROOTCA`) kept in `--mesh-dir`, and
//! short-lived workload certificates with a SPIFFE URI SAN (the `default` secret).
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rcgen::{
    CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer,
    KeyUsagePurpose, SanType,
};
use time::OffsetDateTime;

use super::PkiError;
use super::issue::{Issued, Signer, generate_keys, new_ca, random_serial};
use super::key::{PrivateKeyPem, load_key_pair, matches_certificate};
use super::pem::certificates;
use super::spec::{KeyType, Subject};
use crate::fsx::{FileMode, StagedFile};

pub const ROOT_CERT_FILE: &str = "root-cert.pem";
pub const ROOT_KEY_FILE: &str = "root-key.pem";

/// The mesh root and its signer.
pub struct MeshCa {
    pub root_pem: String,
    signer: Signer,
}

impl MeshCa {
    /// Loads the root from `dir`, or creates it there (10 years, like istiod's self-signed root).
    /// Two processes racing to create it end up sharing one root.
    pub fn load_or_create(dir: &Path, now: OffsetDateTime) -> Result<MeshCa, PkiError> {
        let cert_path = dir.join(ROOT_CERT_FILE);
        let key_path = dir.join(ROOT_KEY_FILE);
        if !key_path.exists() {
            create_root(dir, now)?;
        }
        // The key is linked in first, so a moment may pass before the certificate appears.
        for _ in 0..50 {
            if cert_path.exists() {
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        if !cert_path.exists() && key_path.exists() {
            return Err(PkiError::HalfMeshRoot {
                key: key_path,
                cert: cert_path,
            });
        }
        Self::load(&cert_path, &key_path)
    }

    fn load(cert_path: &Path, key_path: &Path) -> Result<MeshCa, PkiError> {
        let io_error = |path: &Path, e: io::Error| PkiError::BadPem {
            path: path.to_path_buf(),
            reason: e.to_string(),
        };
        let cert_bytes = fs::read(cert_path).map_err(|e| io_error(cert_path, e))?;
        let key_bytes = fs::read(key_path).map_err(|e| io_error(key_path, e))?;
        let cert = certificates(cert_path, &cert_bytes)?.swap_remove(0);
        let key = load_key_pair(key_path, &key_bytes)?;
        if !matches_certificate(&key, &cert) {
            return Err(PkiError::KeyMismatch {
                cert: cert_path.to_path_buf(),
                key: key_path.to_path_buf(),
            });
        }
        Ok(MeshCa {
            root_pem: String::from_utf8_lossy(&cert_bytes).into_owned(),
            signer: Signer::new(cert, key),
        })
    }

    /// A workload certificate for `spiffe_id`: empty subject, URI SAN, server and client auth.
    pub fn issue_workload(
        &self,
        spiffe_id: &str,
        ttl: Duration,
        now: OffsetDateTime,
    ) -> Result<Issued, PkiError> {
        let what = || format!("a workload certificate for {spiffe_id}");
        let fail = |e: rcgen::Error| PkiError::Issue {
            what: what(),
            reason: e.to_string(),
        };
        let key = generate_keys(KeyType::EcdsaP256, 1)?
            .pop()
            .ok_or_else(|| PkiError::Issue {
                what: what(),
                reason: "no key was generated".to_string(),
            })?;
        let mut params = CertificateParams::default();
        params.distinguished_name = DistinguishedName::new();
        params.subject_alt_names = vec![SanType::URI(spiffe_id.try_into().map_err(fail)?)];
        params.is_ca = IsCa::ExplicitNoCa;
        params.key_usages = vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::KeyEncipherment,
        ];
        params.extended_key_usages = vec![
            ExtendedKeyUsagePurpose::ServerAuth,
            ExtendedKeyUsagePurpose::ClientAuth,
        ];
        params.use_authority_key_identifier_extension = true;
        params.serial_number = Some(random_serial()?);
        let now = now.replace_nanosecond(0).unwrap_or(now);
        // Like istio-agent: valid from a little before now, to absorb clock skew.
        params.not_before = now - time::Duration::minutes(2);
        params.not_after = now + time::Duration::try_from(ttl).unwrap_or(time::Duration::DAY);
        let issuer =
            Issuer::from_ca_cert_der(&self.signer.cert_der, self.signer.key()).map_err(fail)?;
        let cert = params.signed_by(&key, &issuer).map_err(fail)?;
        Ok(Issued {
            cert_pem: cert.pem(),
            cert_der: cert.der().clone(),
            key: PrivateKeyPem::new(key.serialize_pem()),
            csr_pem: None,
        })
    }
}

/// Makes a new root in `dir`; if another process got there first, keeps theirs.
fn create_root(dir: &Path, now: OffsetDateTime) -> Result<(), PkiError> {
    let io_error = |path: PathBuf, e: io::Error| PkiError::Issue {
        what: format!("the mesh root in {}", dir.display()),
        reason: format!("{}: {e}", path.display()),
    };
    fs::create_dir_all(dir).map_err(|e| io_error(dir.to_path_buf(), e))?;
    let key = generate_keys(KeyType::EcdsaP256, 1)?
        .pop()
        .ok_or_else(|| PkiError::Issue {
            what: "the mesh root".to_string(),
            reason: "no key was generated".to_string(),
        })?;
    let subject = Subject(vec![(
        DnType::OrganizationName,
        "cluster.local".to_string(),
    )]);
    let (root, _) = new_ca(&subject, key, now, 3650)?;
    let key_path = dir.join(ROOT_KEY_FILE);
    let cert_path = dir.join(ROOT_CERT_FILE);
    // Link the key in without replacing one that appeared meanwhile; then the certificate.
    let staged_key = StagedFile::write(&key_path, root.key.expose(), FileMode::Private)
        .map_err(|e| io_error(key_path.clone(), e))?;
    match staged_key.link_new() {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => return Ok(()),
        Err(e) => return Err(io_error(key_path, e)),
    }
    StagedFile::write(&cert_path, root.cert_pem.as_bytes(), FileMode::Public)
        .and_then(StagedFile::commit)
        .map_err(|e| io_error(cert_path, e))
}
