//! Issuing certificates with rcgen: X.509 v3, random positive 20-byte serials, SKID/AKID,
//! a critical CA:TRUE on the CA and DNS SANs plus EKUs on the leaves. Keys are made in parallel.
use rcgen::{
    BasicConstraints, CertificateParams, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose, RsaKeySize, SanType, SerialNumber,
};
use rustls_pki_types::CertificateDer;
use time::{Duration, OffsetDateTime};

use super::PkiError;
use super::key::PrivateKeyPem;
use super::spec::{KeyType, LeafRole, LeafSpec, Subject};

/// A certificate just made: its PEM, its key (redacted when printed) and maybe a CSR.
#[derive(Debug)]
pub struct Issued {
    pub cert_pem: String,
    pub cert_der: CertificateDer<'static>,
    pub key: PrivateKeyPem,
    pub csr_pem: Option<String>,
}

/// A CA able to sign: its certificate and its key pair.
pub struct Signer {
    pub cert_der: CertificateDer<'static>,
    key: KeyPair,
}

impl Signer {
    /// Wraps an existing CA certificate and its (already matched) key.
    pub fn new(cert_der: CertificateDer<'static>, key: KeyPair) -> Signer {
        Signer { cert_der, key }
    }

    pub fn key(&self) -> &KeyPair {
        &self.key
    }
}

/// Generates `count` key pairs of `key_type`, spreading them over the machine's cores.
pub fn generate_keys(key_type: KeyType, count: usize) -> Result<Vec<KeyPair>, PkiError> {
    if count == 1 {
        // One key (the proxy's workload identity): a thread would only add its start-up.
        return Ok(vec![generate_key(key_type)?]);
    }
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..count)
            .map(|_| scope.spawn(move || generate_key(key_type)))
            .collect();
        workers
            .into_iter()
            .map(|w| {
                w.join().unwrap_or_else(|_| {
                    Err(PkiError::Issue {
                        what: "a key".to_string(),
                        reason: "key generation thread panicked".to_string(),
                    })
                })
            })
            .collect()
    })
}

fn generate_key(key_type: KeyType) -> Result<KeyPair, PkiError> {
    let result = match key_type {
        KeyType::Rsa2048 => KeyPair::generate_rsa_for(&rcgen::PKCS_RSA_SHA256, RsaKeySize::_2048),
        KeyType::Rsa3072 => KeyPair::generate_rsa_for(&rcgen::PKCS_RSA_SHA256, RsaKeySize::_3072),
        KeyType::Rsa4096 => KeyPair::generate_rsa_for(&rcgen::PKCS_RSA_SHA256, RsaKeySize::_4096),
        KeyType::EcdsaP256 => KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256),
        KeyType::EcdsaP384 => KeyPair::generate_for(&rcgen::PKCS_ECDSA_P384_SHA384),
        KeyType::Ed25519 => ed25519_pkcs8_v1(),
    };
    result.map_err(|e| PkiError::Issue {
        what: format!("a {} key", key_type.describe()),
        reason: e.to_string(),
    })
}

/// An Ed25519 key written as PKCS#8 v1 (RFC 5208 PrivateKeyInfo, no public key), which every
/// peer reads. rcgen's own generator writes v2 (RFC 5958, public key embedded), which Envoy
/// 1.40 (BoringSSL), curl and `openssl pkey` refuse.
fn ed25519_pkcs8_v1() -> Result<KeyPair, rcgen::Error> {
    use aws_lc_rs::rand::SystemRandom;
    use aws_lc_rs::signature::Ed25519KeyPair;
    let document = Ed25519KeyPair::generate_pkcs8v1(&SystemRandom::new())
        .map_err(|_| rcgen::Error::RingUnspecified)?;
    let der = rustls_pki_types::PrivatePkcs8KeyDer::from(document.as_ref().to_vec());
    KeyPair::from_pkcs8_der_and_sign_algo(&der, &rcgen::PKCS_ED25519)
}

/// A random positive serial of 20 bytes (RFC 5280's maximum), never with a leading zero byte.
pub fn random_serial() -> Result<SerialNumber, PkiError> {
    let mut bytes = [0u8; 20];
    aws_lc_rs::rand::fill(&mut bytes).map_err(|_| PkiError::Issue {
        what: "a serial number".to_string(),
        reason: "the system random generator failed".to_string(),
    })?;
    // Positive (top bit clear) and exactly 20 bytes long (top byte non-zero).
    bytes[0] = (bytes[0] & 0x7f).max(1);
    Ok(SerialNumber::from_slice(&bytes))
}

fn validity(params: &mut CertificateParams, now: OffsetDateTime, days: u32) {
    let now = now.replace_nanosecond(0).unwrap_or(now);
    params.not_before = now;
    params.not_after = now + Duration::days(i64::from(days));
}

fn issue_error(what: &str) -> impl Fn(rcgen::Error) -> PkiError + '_ {
    move |e| PkiError::Issue {
        what: what.to_string(),
        reason: e.to_string(),
    }
}

/// A self-signed CA: basicConstraints CA:TRUE (critical), keyCertSign and cRLSign, SKID.
pub fn new_ca(
    subject: &Subject,
    key: KeyPair,
    now: OffsetDateTime,
    days: u32,
) -> Result<(Issued, Signer), PkiError> {
    let mut params = CertificateParams::default();
    params.distinguished_name = subject.to_distinguished_name();
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    params.serial_number = Some(random_serial()?);
    validity(&mut params, now, days);
    let cert = params.self_signed(&key).map_err(issue_error("the CA"))?;
    let issued = Issued {
        cert_pem: cert.pem(),
        cert_der: cert.der().clone(),
        key: PrivateKeyPem::new(key.serialize_pem()),
        csr_pem: None,
    };
    let signer = Signer::new(cert.der().clone(), key);
    Ok((issued, signer))
}

/// A leaf signed by `ca`: DNS SANs, the role's EKU, SKID and AKID.
pub fn issue_leaf(
    leaf: &LeafSpec,
    key: KeyPair,
    ca: &Signer,
    now: OffsetDateTime,
    days: u32,
    with_csr: bool,
) -> Result<Issued, PkiError> {
    let what = format!("{}.crt", leaf.stem);
    let mut params = CertificateParams::default();
    params.distinguished_name = leaf.subject.to_distinguished_name();
    params.subject_alt_names = leaf
        .dns_names
        .iter()
        .map(|name| {
            name.clone()
                .try_into()
                .map(SanType::DnsName)
                .map_err(|e: rcgen::Error| PkiError::InvalidHost {
                    host: name.clone(),
                    reason: e.to_string(),
                })
        })
        .collect::<Result<_, _>>()?;
    params.is_ca = IsCa::ExplicitNoCa;
    params.key_usages = if is_rsa(&key) {
        vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::KeyEncipherment,
        ]
    } else {
        vec![KeyUsagePurpose::DigitalSignature]
    };
    params.extended_key_usages = vec![match leaf.role {
        LeafRole::Server => ExtendedKeyUsagePurpose::ServerAuth,
        LeafRole::Client => ExtendedKeyUsagePurpose::ClientAuth,
    }];
    // The CSR carries what the requester asks for; serial and AKID are the issuer's to set.
    let csr_pem = if with_csr {
        let csr = params.serialize_request(&key).map_err(issue_error(&what))?;
        Some(csr.pem().map_err(issue_error(&what))?)
    } else {
        None
    };
    params.use_authority_key_identifier_extension = true;
    params.serial_number = Some(random_serial()?);
    validity(&mut params, now, days);
    let issuer = Issuer::from_ca_cert_der(&ca.cert_der, ca.key()).map_err(issue_error(&what))?;
    let cert = params
        .signed_by(&key, &issuer)
        .map_err(issue_error(&what))?;
    Ok(Issued {
        cert_pem: cert.pem(),
        cert_der: cert.der().clone(),
        key: PrivateKeyPem::new(key.serialize_pem()),
        csr_pem,
    })
}

fn is_rsa(key: &KeyPair) -> bool {
    [
        &rcgen::PKCS_RSA_SHA256,
        &rcgen::PKCS_RSA_SHA384,
        &rcgen::PKCS_RSA_SHA512,
    ]
    .contains(&key.algorithm())
}
