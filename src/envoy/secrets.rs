//! The secrets part of `/config_dump` (`envoy.admin.v3.SecretsConfigDump` and the `Secret`s in
//! it): written snake_case with `@type` first and keys redacted, read in snake_case or camelCase
//! with unknown fields and `@type`s ignored. `proxy::admin` writes it, `configdump` reads it.
use std::fmt;
use std::marker::PhantomData;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::de::{Deserializer, IgnoredAny};
use serde::ser::Serializer;
use serde::{Deserialize, Serialize};

pub const SECRETS_CONFIG_DUMP_TYPE: &str = "type.googleapis.com/envoy.admin.v3.SecretsConfigDump";
pub const DYNAMIC_SECRET_TYPE: &str =
    "type.googleapis.com/envoy.admin.v3.SecretsConfigDump.DynamicSecret";
pub const SECRET_TYPE: &str =
    "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret";
pub const SPIFFE_VALIDATOR_TYPE: &str =
    "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.SPIFFECertValidatorConfig";

/// Envoy's redaction marker, as text and as base64 bytes (what replaces a private key).
pub const REDACTED: &str = "[redacted]";
pub const REDACTED_BASE64: &str = "W3JlZGFjdGVkXQ==";

/// A message Envoy writes as a `google.protobuf.Any`, i.e. with an `@type`.
pub trait AnyMessage {
    const TYPE_URL: &'static str;
}

/// The `@type` of an [`AnyMessage`]: always written as `M::TYPE_URL`; whatever a dump has
/// there (any type URL, or none) is accepted and skipped when read, as istioctl does.
pub struct TypeUrl<M>(PhantomData<fn() -> M>);

impl<M> Default for TypeUrl<M> {
    fn default() -> Self {
        TypeUrl(PhantomData)
    }
}

impl<M> Clone for TypeUrl<M> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<M> Copy for TypeUrl<M> {}

impl<M: AnyMessage> fmt::Debug for TypeUrl<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(M::TYPE_URL)
    }
}

impl<M: AnyMessage> Serialize for TypeUrl<M> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(M::TYPE_URL)
    }
}

impl<'de, M> Deserialize<'de> for TypeUrl<M> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        IgnoredAny::deserialize(deserializer)?;
        Ok(TypeUrl::default())
    }
}

/// `envoy.admin.v3.SecretsConfigDump`. `static_secrets` is not modelled: the proxy has none
/// and the secret table never shows them (a reader keeps them as raw JSON).
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct SecretsConfigDump {
    #[serde(rename = "@type", default)]
    pub type_url: TypeUrl<SecretsConfigDump>,
    #[serde(
        default,
        alias = "dynamicActiveSecrets",
        deserialize_with = "null_as_empty",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub dynamic_active_secrets: Vec<DynamicSecret>,
    #[serde(
        default,
        alias = "dynamicWarmingSecrets",
        deserialize_with = "null_as_empty",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub dynamic_warming_secrets: Vec<DynamicSecret>,
}

impl SecretsConfigDump {
    /// Its fields, `(proto name, protojson name)`, in field-number order.
    pub const FIELDS: [(&'static str, &'static str); 3] = [
        ("static_secrets", "staticSecrets"),
        ("dynamic_active_secrets", "dynamicActiveSecrets"),
        ("dynamic_warming_secrets", "dynamicWarmingSecrets"),
    ];
}

impl AnyMessage for SecretsConfigDump {
    const TYPE_URL: &'static str = SECRETS_CONFIG_DUMP_TYPE;
}

/// One `dynamic_active_secrets` / `dynamic_warming_secrets` entry. A warming entry may hold
/// only its name. Written as an Any only when `/config_dump?resource=` lists them one by one.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct DynamicSecret {
    #[serde(default)]
    pub name: String,
    #[serde(
        default,
        alias = "versionInfo",
        skip_serializing_if = "Option::is_none"
    )]
    pub version_info: Option<String>,
    /// RFC 3339 in UTC with milliseconds, as Envoy prints it.
    #[serde(
        default,
        alias = "lastUpdated",
        skip_serializing_if = "Option::is_none"
    )]
    pub last_updated: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<Secret>,
}

impl DynamicSecret {
    /// Its fields' proto names, in field-number order.
    pub const FIELDS: [&'static str; 4] = ["name", "version_info", "last_updated", "secret"];

    /// The certificate chain's inline bytes (base64), if any.
    pub fn certificate_chain(&self) -> Option<&str> {
        self.secret
            .as_ref()?
            .tls_certificate
            .as_ref()?
            .certificate_chain
            .as_ref()?
            .inline()
    }

    /// The validation context's trusted CA inline bytes (base64), if any.
    pub fn trusted_ca(&self) -> Option<&str> {
        self.secret
            .as_ref()?
            .validation_context
            .as_ref()?
            .trusted_ca
            .as_ref()?
            .inline()
    }

    /// The SPIFFE validator's trust domains, if the secret has a custom validator.
    pub fn trust_domains(&self) -> Option<&[TrustDomain]> {
        let validator = self
            .secret
            .as_ref()?
            .validation_context
            .as_ref()?
            .custom_validator_config
            .as_ref()?;
        Some(&validator.typed_config.as_ref()?.trust_domains)
    }
}

impl AnyMessage for DynamicSecret {
    const TYPE_URL: &'static str = DYNAMIC_SECRET_TYPE;
}

/// `envoy.extensions.transport_sockets.tls.v3.Secret`: a certificate (with its key redacted)
/// or a validation context.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Secret {
    #[serde(rename = "@type", default)]
    pub type_url: TypeUrl<Secret>,
    #[serde(default)]
    pub name: String,
    #[serde(
        default,
        alias = "tlsCertificate",
        skip_serializing_if = "Option::is_none"
    )]
    pub tls_certificate: Option<TlsCertificate>,
    #[serde(
        default,
        alias = "validationContext",
        skip_serializing_if = "Option::is_none"
    )]
    pub validation_context: Option<ValidationContext>,
}

impl AnyMessage for Secret {
    const TYPE_URL: &'static str = SECRET_TYPE;
}

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct TlsCertificate {
    #[serde(
        default,
        alias = "certificateChain",
        skip_serializing_if = "Option::is_none"
    )]
    pub certificate_chain: Option<DataSource>,
    /// Written as [`DataSource::redacted`]; never read, so no key is held when reading a dump.
    #[serde(default, skip_deserializing, skip_serializing_if = "Option::is_none")]
    pub private_key: Option<DataSource>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct ValidationContext {
    #[serde(default, alias = "trustedCa", skip_serializing_if = "Option::is_none")]
    pub trusted_ca: Option<DataSource>,
    #[serde(
        default,
        alias = "customValidatorConfig",
        skip_serializing_if = "Option::is_none"
    )]
    pub custom_validator_config: Option<CustomValidator>,
}

/// A `custom_validator_config`; only the SPIFFE validator's trust domains are modelled.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct CustomValidator {
    #[serde(
        default,
        alias = "typedConfig",
        skip_serializing_if = "Option::is_none"
    )]
    pub typed_config: Option<SpiffeValidatorConfig>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct SpiffeValidatorConfig {
    #[serde(rename = "@type", default)]
    pub type_url: TypeUrl<SpiffeValidatorConfig>,
    #[serde(default, alias = "trustDomains")]
    pub trust_domains: Vec<TrustDomain>,
}

impl AnyMessage for SpiffeValidatorConfig {
    const TYPE_URL: &'static str = SPIFFE_VALIDATOR_TYPE;
}

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct TrustDomain {
    #[serde(default)]
    pub name: String,
    #[serde(
        default,
        alias = "trustBundle",
        skip_serializing_if = "Option::is_none"
    )]
    pub trust_bundle: Option<DataSource>,
}

/// An Envoy DataSource. Only `inline_bytes` is modelled (base64 text in JSON), as istioctl reads.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct DataSource {
    #[serde(
        default,
        alias = "inlineBytes",
        skip_serializing_if = "Option::is_none"
    )]
    pub inline_bytes: Option<String>,
}

impl DataSource {
    /// `inline_bytes` holding `bytes`.
    pub fn from_bytes(bytes: &[u8]) -> DataSource {
        DataSource {
            inline_bytes: Some(STANDARD.encode(bytes)),
        }
    }

    /// What Envoy writes in place of a private key: `[redacted]`.
    pub fn redacted() -> DataSource {
        DataSource {
            inline_bytes: Some(REDACTED_BASE64.to_string()),
        }
    }

    /// The base64 text of `inline_bytes`, if there is any.
    pub fn inline(&self) -> Option<&str> {
        self.inline_bytes.as_deref().filter(|b| !b.is_empty())
    }
}

/// A list that may be `null` (protojson allows it for repeated fields): `null` is empty.
fn null_as_empty<'de, D, T>(deserializer: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Ok(Option::<Vec<T>>::deserialize(deserializer)?.unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_redaction_marker_is_base64_of_the_text() {
        assert_eq!(STANDARD.encode(REDACTED), REDACTED_BASE64);
    }

    #[test]
    fn types_are_written_first_and_ignored_when_read() {
        let secret = Secret {
            name: "default".to_string(),
            tls_certificate: Some(TlsCertificate {
                certificate_chain: Some(DataSource::from_bytes(b"ABC")),
                private_key: Some(DataSource::redacted()),
            }),
            ..Secret::default()
        };
        let json = serde_json::to_string(&secret).expect("serializes");
        assert_eq!(
            json,
            format!(
                r#"{{"@type":"{SECRET_TYPE}","name":"default","tls_certificate":{{"certificate_chain":{{"inline_bytes":"QUJD"}},"private_key":{{"inline_bytes":"{REDACTED_BASE64}"}}}}}}"#
            )
        );
        let read: Secret = serde_json::from_str(
            r#"{"@type":5,"tlsCertificate":{"certificateChain":{"inlineBytes":"QUJD"},"privateKey":{"inlineBytes":"S0VZ"}},"extra":{}}"#,
        )
        .expect("parses");
        let cert = read.tls_certificate.expect("certificate");
        assert_eq!(
            cert.certificate_chain.and_then(|c| c.inline_bytes),
            Some("QUJD".to_string())
        );
        assert!(cert.private_key.is_none(), "a key is never read");
    }

    #[test]
    fn null_lists_are_empty() {
        let dump: SecretsConfigDump =
            serde_json::from_str(r#"{"dynamicActiveSecrets":null,"static_secrets":[{}]}"#)
                .expect("parses");
        assert!(dump.dynamic_active_secrets.is_empty() && dump.dynamic_warming_secrets.is_empty());
    }
}
