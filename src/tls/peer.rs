//! What both TLS sides check of a peer certificate the same way: a handshake signature
//! against the certificate's key (X.509 v1 leaves included), and chain failures as rustls errors.
use rustls::client::danger::HandshakeSignatureValid;
use rustls::crypto::WebPkiSupportedAlgorithms;
use rustls::pki_types::{CertificateDer, SubjectPublicKeyInfoDer};
use rustls::{CertificateError, DigitallySignedStruct, Error};

use crate::pki::inspect::{ChainError, parse};

/// Maps a chain failure to the rustls error the handshake reports.
pub fn certificate_error(error: &ChainError) -> CertificateError {
    match error {
        ChainError::UnknownIssuer { .. } | ChainError::TooLong => CertificateError::UnknownIssuer,
        ChainError::BadSignature { .. } => CertificateError::BadSignature,
        ChainError::Expired { .. } => CertificateError::Expired,
        ChainError::NotYetValid { .. } => CertificateError::NotValidYet,
        ChainError::IssuerNotCa { .. } => CertificateError::UnknownIssuer,
    }
}

/// Checks a handshake signature with the certificate's public key, whatever its X.509 version.
pub fn verify_with_key(
    message: &[u8],
    cert: &CertificateDer<'_>,
    dss: &DigitallySignedStruct,
    algorithms: &WebPkiSupportedAlgorithms,
    tls13: bool,
) -> Result<HandshakeSignatureValid, Error> {
    // v3 certificates (nearly all): webpki's lazy parse is cheaper than a full x509-parser
    // parse. Any failure takes the raw-key path below, which decides as before.
    let fast = if tls13 {
        rustls::crypto::verify_tls13_signature(message, cert, dss, algorithms)
    } else {
        rustls::crypto::verify_tls12_signature(message, cert, dss, algorithms)
    };
    if let Ok(valid) = fast {
        return Ok(valid);
    }
    let parsed =
        parse(cert).map_err(|_| Error::InvalidCertificate(CertificateError::BadEncoding))?;
    let spki = SubjectPublicKeyInfoDer::from(parsed.public_key().raw);
    if tls13 {
        return rustls::crypto::verify_tls13_signature_with_raw_key(
            message, &spki, dss, algorithms,
        );
    }
    let key = webpki::RawPublicKeyEntity::try_from(&spki)
        .map_err(|_| Error::InvalidCertificate(CertificateError::BadEncoding))?;
    let candidates = algorithms
        .mapping
        .iter()
        .filter(|(scheme, _)| *scheme == dss.scheme)
        .flat_map(|(_, algs)| algs.iter());
    for alg in candidates {
        if key.verify_signature(*alg, message, dss.signature()).is_ok() {
            return Ok(HandshakeSignatureValid::assertion());
        }
    }
    Err(Error::InvalidCertificate(CertificateError::BadSignature))
}
