//! Secrets as `kubectl create secret … --dry-run=client` makes them: same validation, same
//! error text (kubectl 1.32), same YAML and JSON bytes. Pure: callers pass file contents in.
use std::collections::BTreeMap;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use rustls_pki_types::pem::SectionKind;
use serde::Serialize;

use crate::pki::key::{load_key_pair, matches_certificate};
use crate::pki::pem::{is_private_key, sections, shown_label};
use crate::redact;

pub const TLS_TYPE: &str = "kubernetes.io/tls";

/// A Secret with its data in kubectl's key order (sorted).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Secret {
    pub name: String,
    pub namespace: Option<String>,
    pub data: BTreeMap<String, Vec<u8>>,
    pub secret_type: Option<String>,
}

/// kubectl's messages, word for word.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecretError {
    #[error("error reading {path}: {reason}")]
    ReadFile { path: String, reason: String },
    #[error("Cannot read file {path}, open {path}: {reason}")]
    ReadTlsFile { path: String, reason: String },
    #[error("cannot add key {}, another key by that name already exists", redact::value(.0))]
    DuplicateKey(String),
    #[error("{} is not valid key name for a Secret {}", redact::message(&format!("{:?}", .0)), .1)]
    InvalidKeyName(String, String),
    #[error("cannot give a key name for a directory path")]
    KeyNameForDirectory,
    #[error("key name for file path {} missing", redact::value(.0))]
    MissingKeyName(String),
    #[error("file path for key name {} missing", redact::value(.0))]
    MissingFilePath(String),
    #[error("invalid literal source {}, expected key=value", redact::value(.0))]
    InvalidLiteral(String),
    #[error("key and cert must be specified")]
    TlsNeedsCertAndKey,
    #[error("tls: {0}")]
    Tls(String),
    #[error("x509: malformed certificate")]
    MalformedCertificate,
}

/// Turns an I/O error into the lowercase text Go prints for the same errno.
pub fn go_io_reason(error: &std::io::Error) -> String {
    let text = match error.raw_os_error() {
        Some(code) => std::io::Error::from_raw_os_error(code).to_string(),
        None => error.to_string(),
    };
    let text = match text.find(" (os error") {
        Some(at) => text[..at].to_string(),
        None => text,
    };
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => text,
    }
}

/// kubectl's rule for data keys (`IsConfigMapKey`); returns the joined reasons if invalid.
pub fn check_key_name(key: &str) -> Result<(), SecretError> {
    let mut reasons = Vec::new();
    if key.len() > 253 {
        reasons.push("must be no more than 253 characters".to_string());
    }
    let charset_ok = !key.is_empty()
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._".contains(&b));
    if !charset_ok {
        reasons.push(
            "a valid config key must consist of alphanumeric characters, '-', '_' or '.' \
             (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is \
             '[-._a-zA-Z0-9]+')"
                .to_string(),
        );
    }
    if key == "." {
        reasons.push("must not be '.'".to_string());
    } else if key == ".." {
        reasons.push("must not be '..'".to_string());
    } else if key.starts_with("..") {
        reasons.push("must not start with '..'".to_string());
    }
    if reasons.is_empty() {
        Ok(())
    } else {
        Err(SecretError::InvalidKeyName(
            key.to_string(),
            reasons.join(";"),
        ))
    }
}

impl Secret {
    pub fn new(name: &str, namespace: Option<&str>, secret_type: Option<&str>) -> Secret {
        Secret {
            name: name.to_string(),
            namespace: namespace.map(str::to_string),
            data: BTreeMap::new(),
            secret_type: secret_type.map(str::to_string),
        }
    }

    /// Adds one key, refusing invalid names and duplicates as kubectl does.
    pub fn insert(&mut self, key: &str, value: Vec<u8>) -> Result<(), SecretError> {
        check_key_name(key)?;
        if self.data.contains_key(key) {
            return Err(SecretError::DuplicateKey(key.to_string()));
        }
        self.data.insert(key.to_string(), value);
        Ok(())
    }

    /// The `kubernetes.io/tls` secret, after Go's `tls.X509KeyPair` checks on the two inputs.
    pub fn tls(
        name: &str,
        namespace: Option<&str>,
        cert_pem: Vec<u8>,
        key_pem: Vec<u8>,
    ) -> Result<Secret, SecretError> {
        check_x509_key_pair(&cert_pem, &key_pem)?;
        let mut secret = Secret::new(name, namespace, Some(TLS_TYPE));
        secret.insert("tls.crt", cert_pem)?;
        secret.insert("tls.key", key_pem)?;
        Ok(secret)
    }

    /// The object as kubectl's JSON printer orders it.
    pub fn wire(&self) -> WireSecret<'_> {
        WireSecret {
            kind: "Secret",
            api_version: "v1",
            metadata: WireMeta {
                name: &self.name,
                namespace: self.namespace.as_deref(),
                creation_timestamp: (),
            },
            data: if self.data.is_empty() {
                None
            } else {
                Some(
                    self.data
                        .iter()
                        .map(|(k, v)| (k.as_str(), STANDARD.encode(v)))
                        .collect(),
                )
            },
            secret_type: self.secret_type.as_deref(),
        }
    }

    /// `-o yaml`, byte-identical to kubectl.
    pub fn to_yaml(&self) -> String {
        let value = serde_json::to_value(self.wire()).unwrap_or_default();
        super::goyaml::to_string(&value)
    }

    /// `-o json`, byte-identical to kubectl (4-space indent, trailing newline).
    pub fn to_json(&self) -> String {
        let mut out = Vec::new();
        let formatter = serde_json::ser::PrettyFormatter::with_indent(b"    ");
        let mut serializer = serde_json::Serializer::with_formatter(&mut out, formatter);
        // Serialising plain strings and maps cannot fail.
        let _ = self.wire().serialize(&mut serializer);
        out.push(b'\n');
        String::from_utf8(out).unwrap_or_default()
    }
}

/// A Secret in the shape kubectl writes it (top-level keys in its order, no `type:` when generic).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WireSecret<'a> {
    kind: &'static str,
    api_version: &'static str,
    metadata: WireMeta<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    data: Option<BTreeMap<&'a str, String>>,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    secret_type: Option<&'a str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct WireMeta<'a> {
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    namespace: Option<&'a str>,
    creation_timestamp: (),
}

/// Go's `crypto/tls.X509KeyPair` checks, in its order and with its messages.
pub fn check_x509_key_pair(cert_pem: &[u8], key_pem: &[u8]) -> Result<(), SecretError> {
    let tls = |m: &str| SecretError::Tls(m.to_string());
    let cert_sections = sections(cert_pem).unwrap_or_default();
    let (certs, skipped): (Vec<_>, Vec<_>) = cert_sections
        .into_iter()
        .partition(|s| s.kind == SectionKind::Certificate);
    if certs.is_empty() {
        if skipped.is_empty() {
            return Err(tls("failed to find any PEM data in certificate input"));
        }
        if skipped.len() == 1 && is_private_key(skipped[0].kind) {
            return Err(tls(
                "failed to find certificate PEM data in certificate input, but did find a private key; PEM inputs may have been switched",
            ));
        }
        return Err(tls(&format!(
            "failed to find \"CERTIFICATE\" PEM block in certificate input after skipping PEM blocks of the following types: [{}]",
            skipped
                .iter()
                .map(|s| shown_label(s.kind))
                .collect::<Vec<_>>()
                .join(" ")
        )));
    }
    let key_sections = sections(key_pem).unwrap_or_default();
    let mut skipped_keys = Vec::new();
    let mut found_key = false;
    for section in &key_sections {
        if is_private_key(section.kind) {
            found_key = true;
            break;
        }
        skipped_keys.push(shown_label(section.kind));
    }
    if !found_key {
        if skipped_keys.is_empty() {
            return Err(tls("failed to find any PEM data in key input"));
        }
        if skipped_keys == ["CERTIFICATE"] {
            return Err(tls(
                "found a certificate rather than a key in the PEM for the private key",
            ));
        }
        return Err(tls(&format!(
            "failed to find PEM block with type ending in \"private key\" in key input after skipping PEM blocks of the following types: [{}]",
            skipped_keys.join(" ")
        )));
    }
    crate::pki::inspect::parse(&certs[0].der).map_err(|_| SecretError::MalformedCertificate)?;
    let key = load_key_pair(std::path::Path::new("key input"), key_pem)
        .map_err(|_| tls("failed to parse private key"))?;
    if !matches_certificate(&key, &certs[0].der) {
        return Err(tls("private key does not match public key"));
    }
    Ok(())
}
