//! The client's server-certificate check: curl's (hostname against the DNS SANs, or the CN when
//! a certificate has no SAN at all, as the page's X.509 v1 leaves) or Istio's (SPIFFE ID).
use std::sync::{Arc, Mutex};

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::WebPkiSupportedAlgorithms;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, Error, SignatureScheme};
use time::OffsetDateTime;

use crate::pki::inspect::{parse, verify_chain};
use crate::tls::peer::{certificate_error, verify_with_key};

/// How the client decides the server is who it should be.
#[derive(Debug, Clone)]
pub enum ServerCheck {
    /// curl's rule: the name must match a DNS SAN, or the CN when there is no SAN at all.
    Hostname {
        roots: Vec<CertificateDer<'static>>,
        name: String,
    },
    /// Istio's rule: chain to the mesh root and present this SPIFFE ID.
    Spiffe {
        roots: Vec<CertificateDer<'static>>,
        id: String,
    },
}

/// Checks server certificates as `ServerCheck` says; notes when the CN stood in for a SAN.
#[derive(Debug)]
pub struct ServerVerifier {
    check: ServerCheck,
    algorithms: WebPkiSupportedAlgorithms,
    cn_fallback_used: Mutex<bool>,
}

impl ServerVerifier {
    pub fn new(check: ServerCheck) -> ServerVerifier {
        ServerVerifier {
            check,
            algorithms: crate::tls::provider().signature_verification_algorithms,
            cn_fallback_used: Mutex::new(false),
        }
    }

    /// Whether the last verification matched the host name against the CN (no SAN present).
    pub fn cn_fallback_used(&self) -> bool {
        self.cn_fallback_used.lock().map(|g| *g).unwrap_or(false)
    }
}

fn name_error(expected: &str, presented: Vec<String>) -> Error {
    Error::InvalidCertificate(CertificateError::Other(rustls::OtherError(Arc::new(
        std::io::Error::other(if presented.is_empty() {
            format!("the certificate's CN does not match target host name '{expected}'")
        } else {
            format!(
                "no alternative certificate subject name matches target host name '{expected}' (it has {})",
                presented.join(", ")
            )
        }),
    ))))
}

impl ServerCertVerifier for ServerVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, Error> {
        let leaf = parse(end_entity)
            .map_err(|_| Error::InvalidCertificate(CertificateError::BadEncoding))?;
        let (roots, expected) = match &self.check {
            ServerCheck::Hostname { roots, name } => (roots, name),
            ServerCheck::Spiffe { roots, id } => (roots, id),
        };
        if leaf.version().0 >= 2 {
            // X.509 v3: webpki's full path validation, for server authentication.
            let anchors: Vec<_> = roots
                .iter()
                .filter_map(|c| webpki::anchor_from_trusted_cert(c).ok())
                .collect();
            let cert = webpki::EndEntityCert::try_from(end_entity)
                .map_err(|_| Error::InvalidCertificate(CertificateError::BadEncoding))?;
            cert.verify_for_usage(
                self.algorithms.all,
                &anchors,
                intermediates,
                now,
                webpki::KeyUsage::server_auth(),
                None,
                None,
            )
            .map_err(webpki_error)?;
        } else {
            // X.509 v1 (the page's openssl leaves): chain signature and validity by hand.
            let anchors: Vec<_> = roots.iter().filter_map(|c| parse(c).ok()).collect();
            let others: Vec<_> = intermediates.iter().filter_map(|c| parse(c).ok()).collect();
            let when = OffsetDateTime::from_unix_timestamp(now.as_secs() as i64)
                .map_err(|_| Error::General("clock out of range".to_string()))?;
            verify_chain(&leaf, &others, &anchors, when)
                .map_err(|e| Error::InvalidCertificate(certificate_error(&e)))?;
        }
        let sans = crate::pki::inspect::subject_alt_names(&leaf);
        let matched = match &self.check {
            ServerCheck::Spiffe { .. } => sans.iter().any(|s| s == &format!("URI:{expected}")),
            ServerCheck::Hostname { .. } if sans.is_empty() => {
                // No SAN at all (the page's v1 leaves): curl falls back to the CN.
                let cn = leaf
                    .subject()
                    .iter_common_name()
                    .next()
                    .and_then(|cn| cn.as_str().ok());
                let matched = cn.is_some_and(|cn| cn.eq_ignore_ascii_case(expected));
                if let Ok(mut used) = self.cn_fallback_used.lock() {
                    *used = matched;
                }
                matched
            }
            ServerCheck::Hostname { .. } => sans.iter().any(|s| {
                s.strip_prefix("DNS:")
                    .is_some_and(|dns| dns_matches(dns, expected))
            }),
        };
        if !matched {
            return Err(name_error(expected, sans));
        }
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        verify_with_key(message, cert, dss, &self.algorithms, false)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        verify_with_key(message, cert, dss, &self.algorithms, true)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

fn webpki_error(error: webpki::Error) -> Error {
    let reason = match error {
        webpki::Error::UnknownIssuer => CertificateError::UnknownIssuer,
        webpki::Error::CertExpired { .. } => CertificateError::Expired,
        webpki::Error::CertNotValidYet { .. } => CertificateError::NotValidYet,
        webpki::Error::InvalidSignatureForPublicKey => CertificateError::BadSignature,
        other => CertificateError::Other(rustls::OtherError(Arc::new(std::io::Error::other(
            format!("{other:?}"),
        )))),
    };
    Error::InvalidCertificate(reason)
}

/// DNS name matching with a single leading wildcard label, case-insensitive.
fn dns_matches(pattern: &str, name: &str) -> bool {
    match pattern.strip_prefix("*.") {
        Some(suffix) => name
            .split_once('.')
            .is_some_and(|(first, rest)| !first.is_empty() && rest.eq_ignore_ascii_case(suffix)),
        None => pattern.eq_ignore_ascii_case(name),
    }
}

#[cfg(test)]
mod tests {
    use super::dns_matches;

    #[test]
    fn wildcards_cover_one_label() {
        assert!(dns_matches("*.test.svc", "httpbin.test.svc"));
        assert!(!dns_matches("*.test.svc", "a.b.test.svc"));
        assert!(dns_matches("HTTPBIN", "httpbin"));
    }
}
