//! Client-certificate verification as Envoy (BoringSSL) does it: v3 certificates get rustls's
//! full webpki checks; X.509 v1 leaves, which webpki refuses, still have their chain signature
//! and validity window verified. Handshake signatures are checked against the raw key.
use std::sync::Arc;

use rustls::client::danger::HandshakeSignatureValid;
use rustls::crypto::WebPkiSupportedAlgorithms;
use rustls::pki_types::{CertificateDer, CertificateRevocationListDer, UnixTime};
use rustls::server::WebPkiClientVerifier;
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::{
    CertificateError, DigitallySignedStruct, DistinguishedName, Error, RootCertStore,
    SignatureScheme,
};
use time::OffsetDateTime;
use x509_parser::prelude::{FromDer, GeneralName, X509Certificate};
use x509_parser::revocation_list::CertificateRevocationList;

use crate::pki::inspect::{parse, verify_chain};
use crate::tls::peer::{certificate_error, verify_with_key};

/// Verifies client certificates against a CA bundle, v1 leaves included.
#[derive(Debug)]
pub struct ClientVerifier {
    roots: Vec<CertificateDer<'static>>,
    /// `caCrl`: checked for every certificate of the chain below the anchor, as BoringSSL's
    /// `X509_V_FLAG_CRL_CHECK_ALL` (which Envoy sets with a `crl`); none means no check.
    crls: Vec<CertificateRevocationListDer<'static>>,
    /// Istio mTLS: a URI SAN must start with `spiffe://<trust domain>/`, checked in the
    /// handshake as Envoy's `match_typed_subject_alt_names` (alert certificate_unknown).
    uri_prefix: Option<String>,
    webpki: Arc<dyn ClientCertVerifier>,
    mandatory: bool,
    algorithms: WebPkiSupportedAlgorithms,
}

impl ClientVerifier {
    /// `mandatory` is MUTUAL (a certificate is required); OPTIONAL_MUTUAL verifies one if sent.
    pub fn new(
        roots: Vec<CertificateDer<'static>>,
        crls: Vec<CertificateRevocationListDer<'static>>,
        mandatory: bool,
    ) -> Result<ClientVerifier, Error> {
        let provider = crate::tls::provider();
        let mut store = RootCertStore::empty();
        // A v1 CA cannot be a webpki anchor; v1 leaves are checked against it by hand below.
        let (added, _ignored) = store.add_parsable_certificates(roots.iter().cloned());
        if added == 0 && roots.is_empty() {
            return Err(Error::General(
                "the CA bundle holds no certificate".to_string(),
            ));
        }
        let builder =
            WebPkiClientVerifier::builder_with_provider(Arc::new(store), provider.clone());
        let builder = if mandatory {
            builder
        } else {
            builder.allow_unauthenticated()
        };
        // A certificate with no CRL from its issuer fails, and so does an expired CRL.
        let builder = if crls.is_empty() {
            builder
        } else {
            builder
                .with_crls(crls.iter().cloned())
                .enforce_revocation_expiration()
        };
        let webpki = builder
            .build()
            .map_err(|e| Error::General(format!("building the client verifier: {e}")))?;
        Ok(ClientVerifier {
            roots,
            crls,
            uri_prefix: None,
            webpki,
            mandatory,
            algorithms: provider.signature_verification_algorithms,
        })
    }
}

impl ClientVerifier {
    /// Also requires a URI SAN starting with `prefix` (Istio's SPIFFE peer check).
    pub fn requiring_uri_prefix(mut self, prefix: String) -> ClientVerifier {
        self.uri_prefix = Some(prefix);
        self
    }

    fn check_identity(&self, end_entity: &CertificateDer<'_>) -> Result<(), Error> {
        let Some(prefix) = &self.uri_prefix else {
            return Ok(());
        };
        let leaf = parse(end_entity)
            .map_err(|_| Error::InvalidCertificate(CertificateError::BadEncoding))?;
        let matches = leaf
            .subject_alternative_name()
            .ok()
            .flatten()
            .is_some_and(|san| {
                san.value.general_names.iter().any(|name| {
                matches!(name, GeneralName::URI(uri) if uri.starts_with(prefix.as_str()))
            })
            });
        match matches {
            true => Ok(()),
            false => Err(Error::InvalidCertificate(CertificateError::Other(
                rustls::OtherError(Arc::new(NotOfTrustDomain {
                    prefix: prefix.clone(),
                })),
            ))),
        }
    }
}

/// A mesh peer whose certificate has no SPIFFE ID of the trust domain.
#[derive(Debug, thiserror::Error)]
#[error("the peer certificate has no URI SAN starting with {prefix}")]
pub struct NotOfTrustDomain {
    pub prefix: String,
}

impl ClientCertVerifier for ClientVerifier {
    fn offer_client_auth(&self) -> bool {
        true
    }

    fn client_auth_mandatory(&self) -> bool {
        self.mandatory
    }

    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        self.webpki.root_hint_subjects()
    }

    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        now: UnixTime,
    ) -> Result<ClientCertVerified, Error> {
        let leaf = parse(end_entity)
            .map_err(|_| Error::InvalidCertificate(CertificateError::BadEncoding))?;
        if leaf.version().0 >= 2 {
            let verified = self
                .webpki
                .verify_client_cert(end_entity, intermediates, now)?;
            self.check_identity(end_entity)?;
            return Ok(verified);
        }
        // X.509 v1 (the page's openssl leaves): chain signature and validity, by hand.
        let parsed_intermediates: Vec<_> =
            intermediates.iter().filter_map(|c| parse(c).ok()).collect();
        let anchors: Vec<_> = self.roots.iter().filter_map(|c| parse(c).ok()).collect();
        let now = OffsetDateTime::from_unix_timestamp(now.as_secs() as i64)
            .map_err(|_| Error::General("clock out of range".to_string()))?;
        verify_chain(&leaf, &parsed_intermediates, &anchors, now)
            .map_err(|e| Error::InvalidCertificate(certificate_error(&e)))?;
        if !self.crls.is_empty() {
            check_revocation(&leaf, &parsed_intermediates, &anchors, &self.crls, now)?;
        }
        self.check_identity(end_entity)?;
        Ok(ClientCertVerified::assertion())
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

/// The revocation check for a v1 leaf (webpki cannot parse it): a CRL from the leaf's issuer,
/// signed by that issuer and current at `now`, must exist and must not list the leaf's serial.
fn check_revocation(
    leaf: &X509Certificate<'_>,
    intermediates: &[X509Certificate<'_>],
    anchors: &[X509Certificate<'_>],
    crls: &[CertificateRevocationListDer<'static>],
    now: OffsetDateTime,
) -> Result<(), Error> {
    let issuer = anchors
        .iter()
        .chain(intermediates)
        .find(|c| c.subject().as_raw() == leaf.issuer().as_raw())
        .ok_or(Error::InvalidCertificate(CertificateError::UnknownIssuer))?;
    let now = x509_parser::time::ASN1Time::from_timestamp(now.unix_timestamp())
        .map_err(|_| Error::General("clock out of range".to_string()))?;
    let from_issuer = crls.iter().find_map(|der| {
        let (_, crl) = CertificateRevocationList::from_der(der).ok()?;
        (crl.issuer().as_raw() == issuer.subject().as_raw()
            && crl.verify_signature(issuer.public_key()).is_ok())
        .then_some(crl)
    });
    let crl = from_issuer.ok_or(Error::InvalidCertificate(
        CertificateError::UnknownRevocationStatus,
    ))?;
    if crl.next_update().is_some_and(|next| next < now) {
        return Err(Error::InvalidCertificate(
            CertificateError::ExpiredRevocationList,
        ));
    }
    let serial = leaf.raw_serial();
    if crl
        .iter_revoked_certificates()
        .any(|revoked| revoked.raw_serial() == serial)
    {
        return Err(Error::InvalidCertificate(CertificateError::Revoked));
    }
    Ok(())
}
