//! Istio's `validateTLSOptions` for a ServerTLSSettings (modes, certificate sources, CRLs)
//! and its list of valid cipher suites.
use std::collections::BTreeSet;

use super::report::Report;
use crate::mesh::go::go_list;
use crate::mesh::sidecar::{ServerTlsMode, ServerTlsSettings, TlsProtocol};

/// Envoy/BoringSSL cipher names Istio accepts (`security.ValidCipherSuites`).
const VALID_CIPHER_SUITES: [&str; 15] = [
    "ECDHE-ECDSA-AES128-GCM-SHA256",
    "ECDHE-RSA-AES128-GCM-SHA256",
    "ECDHE-ECDSA-AES256-GCM-SHA384",
    "ECDHE-RSA-AES256-GCM-SHA384",
    "ECDHE-ECDSA-CHACHA20-POLY1305",
    "ECDHE-RSA-CHACHA20-POLY1305",
    "ECDHE-ECDSA-AES128-SHA",
    "ECDHE-RSA-AES128-SHA",
    "ECDHE-ECDSA-AES256-SHA",
    "ECDHE-RSA-AES256-SHA",
    "AES128-GCM-SHA256",
    "AES256-GCM-SHA384",
    "AES128-SHA",
    "AES256-SHA",
    "DES-CBC3-SHA",
];

/// `security.IsValidCipherSuite`: operators like `-X` or `+X` and `ALL` pass unchecked.
pub fn is_valid_cipher_suite(suite: &str) -> bool {
    let Some(first) = suite.chars().next() else {
        return true;
    };
    suite == "ALL" || !first.is_alphanumeric() || VALID_CIPHER_SUITES.contains(&suite)
}

/// Istio's `validateTLSOptions` for a ServerTLSSettings.
pub fn tls_options(tls: &ServerTlsSettings, path: &str, report: &mut Report) {
    let at = |field: &str| format!("{path}.{field}");
    let set = |v: &Option<String>| v.as_deref().is_some_and(|s| !s.is_empty());
    if matches!(
        tls.min_protocol_version,
        Some(TlsProtocol::Tlsv1_0 | TlsProtocol::Tlsv1_1)
    ) && tls.cipher_suites.is_empty()
    {
        report.warning(
            at("minProtocolVersion"),
            "TLS version below TLSV1_2 require setting compatible ciphers as by default they no longer include compatible ciphers.",
        );
    }
    let mut invalid = BTreeSet::new();
    let mut valid = BTreeSet::new();
    let mut duplicate = BTreeSet::new();
    for suite in &tls.cipher_suites {
        if !is_valid_cipher_suite(suite) {
            invalid.insert(suite.as_str());
        } else if !valid.insert(suite.as_str()) {
            duplicate.insert(suite.as_str());
        }
    }
    if !invalid.is_empty() {
        report.warning(
            at("cipherSuites"),
            format!("ignoring invalid cipher suites: {}", go_list(&invalid)),
        );
    }
    if !duplicate.is_empty() {
        report.warning(
            at("cipherSuites"),
            format!("ignoring duplicate cipher suites: {}", go_list(&duplicate)),
        );
    }
    let mode = tls.effective_mode();
    let has_credential = set(&tls.credential_name);
    if mode == ServerTlsMode::IstioMutual {
        let checks = [
            (
                set(&tls.server_certificate),
                "serverCertificate",
                "server certificate",
            ),
            (set(&tls.private_key), "privateKey", "private key"),
            (set(&tls.ca_certificates), "caCertificates", "CA bundle"),
            (
                !tls.tls_certificates.is_empty(),
                "tlsCertificates",
                "tlsCertificates",
            ),
            (has_credential, "credentialName", "credentialName"),
            (
                !tls.credential_names.is_empty(),
                "credentialNames",
                "credentialNames",
            ),
        ];
        for (present, field, what) in checks {
            if present {
                report.error(
                    at(field),
                    format!("ISTIO_MUTUAL TLS cannot have associated {what}"),
                );
            }
        }
        return;
    }
    if matches!(
        mode,
        ServerTlsMode::Passthrough | ServerTlsMode::AutoPassthrough
    ) && (set(&tls.ca_crl)
        || set(&tls.server_certificate)
        || set(&tls.private_key)
        || set(&tls.ca_certificates)
        || !tls.tls_certificates.is_empty()
        || has_credential
        || !tls.credential_names.is_empty())
    {
        report.warning(
            path,
            format!(
                "{} mode does not use certificates, they will be ignored",
                mode.as_str()
            ),
        );
    }
    let sources = [
        set(&tls.server_certificate) && set(&tls.private_key),
        has_credential,
        !tls.credential_names.is_empty(),
        !tls.tls_certificates.is_empty(),
    ];
    if sources.iter().filter(|s| **s).count() > 1 {
        report.error(
            path,
            "only one of credential_name, credential_names, server_certificate/private_key, tls_certificates should be specified",
        );
    }
    let terminating = matches!(
        mode,
        ServerTlsMode::Simple | ServerTlsMode::Mutual | ServerTlsMode::OptionalMutual
    );
    if terminating && (has_credential || !tls.credential_names.is_empty()) {
        return;
    }
    if terminating {
        let prefix = if mode == ServerTlsMode::Simple {
            "SIMPLE TLS"
        } else {
            "MUTUAL TLS"
        };
        if mode != ServerTlsMode::Simple && !set(&tls.ca_certificates) {
            report.error(
                at("caCertificates"),
                format!("{prefix} requires a client CA bundle"),
            );
        }
        if tls.tls_certificates.len() > 2 {
            report.warning(
                at("tlsCertificates"),
                format!("{prefix} can support up to 2 server certificates"),
            );
        }
        let pairs: Vec<(bool, bool, String)> = if tls.tls_certificates.is_empty() {
            vec![(
                set(&tls.server_certificate),
                set(&tls.private_key),
                path.to_string(),
            )]
        } else {
            tls.tls_certificates
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    (
                        set(&c.server_certificate),
                        set(&c.private_key),
                        format!("{path}.tlsCertificates[{i}]"),
                    )
                })
                .collect()
        };
        for (cert, key, base) in pairs {
            if !cert {
                report.error(
                    format!("{base}.serverCertificate"),
                    format!("{prefix} requires a server certificate"),
                );
            }
            if !key {
                report.error(
                    format!("{base}.privateKey"),
                    format!("{prefix} requires a private key"),
                );
            }
        }
    }
    if set(&tls.ca_crl) {
        if has_credential {
            report.error(at("caCrl"), "CRL is not supported with credentialName. CRL has to be specified in the credential");
        }
        if mode == ServerTlsMode::Simple {
            report.error(at("caCrl"), "CRL is not supported with SIMPLE TLS");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cipher_suites_like_istio() {
        assert!(is_valid_cipher_suite("ECDHE-RSA-AES128-GCM-SHA256"));
        assert!(is_valid_cipher_suite("-ALL"));
        assert!(!is_valid_cipher_suite("TLS_AES_128_GCM_SHA256"));
    }
}
