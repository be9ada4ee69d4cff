//! Which private-key encodings the real istio-proxy (Envoy on BoringSSL) loads: PKCS#8 v1,
//! PKCS#1 and SEC1 keys of RSA, ECDSA P-256/P-384/P-521 and Ed25519, unencrypted. Read from
//! the PEM and a few DER headers only; `analyze` and `create secret tls` warn about the rest.
use std::fmt;

use rustls_pki_types::pem::SectionKind;

use super::pem::sections;

/// Why Envoy would refuse a key that meshtls (and Go's kubectl) accept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProxyKeyProblem {
    /// PKCS#8 v2 (RFC 5958 OneAsymmetricKey) with its public key embedded: BoringSSL fails with
    /// `SEQUENCE_LENGTH_MISMATCH`, and `openssl pkey` cannot read it either.
    Pkcs8V2,
    /// Encrypted: Istio hands Envoy no password.
    Encrypted,
    /// An algorithm or curve Envoy has no support for.
    UnknownAlgorithm(String),
}

impl fmt::Display for ProxyKeyProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProxyKeyProblem::Pkcs8V2 => f.write_str(
                "it is PKCS#8 v2 (RFC 5958, with the public key embedded), which Envoy (BoringSSL), curl and `openssl pkey` cannot read; re-issue the pair with `meshtls certgen --force`, which writes PKCS#8 v1",
            ),
            ProxyKeyProblem::Encrypted => f.write_str(
                "it is encrypted, and Istio gives Envoy no password; decrypt it with `openssl pkey -in KEY -out KEY.plain` (and keep that file 0600)",
            ),
            ProxyKeyProblem::UnknownAlgorithm(what) => write!(
                f,
                "its algorithm ({what}) is not one Envoy loads (RSA, ECDSA P-256/P-384/P-521, Ed25519); re-issue it with `meshtls certgen --key-type ecdsa-p256`"
            ),
        }
    }
}

/// The first reason the real istio-proxy cannot load the key in `pem`, if any. Keys meshtls
/// cannot read at all are left to the loader's own error.
pub fn proxy_key_problem(pem: &[u8]) -> Option<ProxyKeyProblem> {
    let text = String::from_utf8_lossy(pem);
    if text.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----")
        || text.contains("Proc-Type: 4,ENCRYPTED")
    {
        return Some(ProxyKeyProblem::Encrypted);
    }
    let section = sections(pem).ok()?.into_iter().find(|s| {
        matches!(
            s.kind,
            SectionKind::PrivateKey | SectionKind::EcPrivateKey | SectionKind::RsaPrivateKey
        )
    })?;
    match section.kind {
        SectionKind::PrivateKey => pkcs8_problem(&section.der),
        SectionKind::EcPrivateKey => sec1_problem(&section.der),
        _ => None,
    }
}

const RSA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
const EC_PUBLIC_KEY: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
const ED25519: &[u8] = &[0x2b, 0x65, 0x70];
const CURVES: [&[u8]; 3] = [
    &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07], // P-256
    &[0x2b, 0x81, 0x04, 0x00, 0x22],                   // P-384
    &[0x2b, 0x81, 0x04, 0x00, 0x23],                   // P-521
];

const SEQUENCE: u8 = 0x30;
const INTEGER: u8 = 0x02;
const OID: u8 = 0x06;

/// PrivateKeyInfo / OneAsymmetricKey: version, algorithm, key, [0] attributes, [1] public key.
fn pkcs8_problem(der: &[u8]) -> Option<ProxyKeyProblem> {
    let (tag, body, _) = tlv(der)?;
    if tag != SEQUENCE {
        return None;
    }
    let (tag, version, rest) = tlv(body)?;
    if tag != INTEGER {
        return None;
    }
    let (tag, algorithm, rest) = tlv(rest)?;
    if tag != SEQUENCE {
        return None;
    }
    let (_, _key, mut rest) = tlv(rest)?;
    let mut public_key = false;
    while let Some((tag, _, next)) = tlv(rest) {
        public_key |= tag & 0x1f == 1 && tag & 0xc0 == 0x80;
        rest = next;
    }
    if version != [0] || public_key {
        return Some(ProxyKeyProblem::Pkcs8V2);
    }
    let (tag, oid, params) = tlv(algorithm)?;
    if tag != OID {
        return None;
    }
    match oid {
        RSA | ED25519 => None,
        EC_PUBLIC_KEY => match tlv(params) {
            Some((OID, curve, _)) if CURVES.contains(&curve) => None,
            Some((OID, curve, _)) => Some(unknown(&format!("ECDSA on curve {}", dotted(curve)))),
            _ => Some(unknown("ECDSA with explicit curve parameters")),
        },
        other => Some(unknown(&dotted(other))),
    }
}

/// SEC1 ECPrivateKey: version 1, key, [0] curve, [1] public key (which BoringSSL accepts).
fn sec1_problem(der: &[u8]) -> Option<ProxyKeyProblem> {
    let (_, body, _) = tlv(der)?;
    let (_, _version, rest) = tlv(body)?;
    let (_, _key, mut rest) = tlv(rest)?;
    while let Some((tag, value, next)) = tlv(rest) {
        if tag == 0xa0 {
            return match tlv(value) {
                Some((OID, curve, _)) if !CURVES.contains(&curve) => {
                    Some(unknown(&format!("ECDSA on curve {}", dotted(curve))))
                }
                _ => None,
            };
        }
        rest = next;
    }
    None
}

fn unknown(what: &str) -> ProxyKeyProblem {
    let name = match what {
        "1.3.101.113" => "Ed448",
        "1.3.101.110" => "X25519",
        "1.3.101.111" => "X448",
        "1.2.840.113549.1.1.10" => "RSASSA-PSS",
        "1.2.840.10040.4.1" => "DSA",
        "ECDSA on curve 1.3.132.0.10" => "ECDSA on secp256k1",
        other => other,
    };
    ProxyKeyProblem::UnknownAlgorithm(name.to_string())
}

/// One DER element: (tag, contents, what follows). Definite lengths of up to 4 bytes only.
fn tlv(input: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = input.split_first()?;
    let (&first, rest) = rest.split_first()?;
    let (len, rest) = if first < 0x80 {
        (usize::from(first), rest)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 || rest.len() < n {
            return None;
        }
        let len = rest[..n]
            .iter()
            .fold(0usize, |acc, b| (acc << 8) | usize::from(*b));
        (len, &rest[n..])
    };
    (rest.len() >= len).then(|| (tag, &rest[..len], &rest[len..]))
}

/// An OID's dotted form.
fn dotted(oid: &[u8]) -> String {
    let mut parts: Vec<u64> = Vec::new();
    let mut value: u64 = 0;
    for &b in oid {
        value = (value << 7) | u64::from(b & 0x7f);
        if b & 0x80 == 0 {
            if parts.is_empty() {
                let first = (value / 40).min(2);
                parts.push(first);
                parts.push(value - first * 40);
            } else {
                parts.push(value);
            }
            value = 0;
        }
    }
    parts
        .iter()
        .map(u64::to_string)
        .collect::<Vec<_>>()
        .join(".")
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_lc_rs::rand::SystemRandom;
    use aws_lc_rs::signature::Ed25519KeyPair;
    use base64::Engine;

    fn pem(label: &str, der: &[u8]) -> Vec<u8> {
        let b64 = base64::engine::general_purpose::STANDARD.encode(der);
        format!("-----BEGIN {label}-----\n{b64}\n-----END {label}-----\n").into_bytes()
    }

    #[test]
    fn pkcs8_v2_is_flagged_and_v1_is_not() {
        let rng = SystemRandom::new();
        let v2 = Ed25519KeyPair::generate_pkcs8(&rng).unwrap();
        let v1 = Ed25519KeyPair::generate_pkcs8v1(&rng).unwrap();
        assert_eq!(
            proxy_key_problem(&pem("PRIVATE KEY", v2.as_ref())),
            Some(ProxyKeyProblem::Pkcs8V2)
        );
        assert_eq!(proxy_key_problem(&pem("PRIVATE KEY", v1.as_ref())), None);
        let ec = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
        assert_eq!(proxy_key_problem(ec.serialize_pem().as_bytes()), None);
    }

    #[test]
    fn encrypted_and_unknown_keys_are_flagged() {
        let encrypted =
            b"-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIB\n-----END ENCRYPTED PRIVATE KEY-----\n";
        assert_eq!(
            proxy_key_problem(encrypted),
            Some(ProxyKeyProblem::Encrypted)
        );
        // An Ed448 PrivateKeyInfo (RFC 8410), as `openssl genpkey -algorithm ed448` writes it.
        let mut ed448 = vec![
            0x30, 0x47, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x71,
        ];
        ed448.extend([0x04, 0x3b, 0x04, 0x39]);
        ed448.extend([7u8; 57]);
        assert_eq!(
            proxy_key_problem(&pem("PRIVATE KEY", &ed448)),
            Some(ProxyKeyProblem::UnknownAlgorithm("Ed448".to_string()))
        );
        assert_eq!(
            dotted(&[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01]),
            "1.2.840.10045.2.1"
        );
    }
}
