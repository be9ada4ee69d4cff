//! The secrets part of an Envoy config dump, read into `envoy::secrets` in one pass: every other
//! config (bootstrap, clusters, listeners…) is skipped with `IgnoredAny`, so memory follows the
//! secrets. Keys may be snake_case (Envoy) or camelCase (protojson); unknown fields are ignored.
use std::fmt;
use std::io::Read;

use serde::Deserialize;
use serde::de::value::MapDeserializer;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use super::DumpError;
use crate::envoy::secrets::{DynamicSecret, SecretsConfigDump};
use crate::redact::SafeError;

/// A dump's SecretsConfigDump: its fields as they came (for `-o json|yaml`) and the
/// model of them (for the table). Static secrets are kept only in `raw`.
#[derive(Debug, Default)]
pub struct SecretsDump {
    pub raw: Map<String, Value>,
    pub secrets: SecretsConfigDump,
}

impl SecretsDump {
    /// `dynamic_active_secrets`, in dump order.
    pub fn active(&self) -> &[DynamicSecret] {
        &self.secrets.dynamic_active_secrets
    }

    /// `dynamic_warming_secrets`, in dump order.
    pub fn warming(&self) -> &[DynamicSecret] {
        &self.secrets.dynamic_warming_secrets
    }
}

/// Whether `key` is a SecretsConfigDump field, in either spelling.
fn is_secrets_field(key: &str) -> bool {
    SecretsConfigDump::FIELDS
        .iter()
        .any(|(snake, camel)| key == *snake || key == *camel)
}

/// Parses a config dump held in memory (what the admin client returns).
pub fn parse_slice(bytes: &[u8]) -> Result<SecretsDump, DumpError> {
    let top: Entry =
        serde_json::from_slice(bytes).map_err(|e| DumpError::NotJson(SafeError::new(&e)))?;
    top.into_secrets_dump()
}

/// Parses a config dump from a reader (a file or stdin) without holding it in memory.
pub fn parse_reader(reader: impl Read) -> Result<SecretsDump, DumpError> {
    let mut de = serde_json::Deserializer::from_reader(reader);
    let top = Entry::deserialize(&mut de).map_err(|e| DumpError::NotJson(SafeError::new(&e)))?;
    de.end()
        .map_err(|e| DumpError::NotJson(SafeError::new(&e)))?;
    top.into_secrets_dump()
}

/// One object of the dump: the top level (maybe with `configs`) or an entry of `configs`.
/// Only `@type` and the secrets fields are kept.
#[derive(Debug, Default)]
struct Entry {
    type_url: Option<String>,
    fields: Map<String, Value>,
    configs: Option<Vec<Entry>>,
}

impl Entry {
    fn is_secrets(&self) -> bool {
        match &self.type_url {
            Some(url) => url.ends_with("envoy.admin.v3.SecretsConfigDump"),
            None => !self.fields.is_empty(),
        }
    }

    /// The first SecretsConfigDump: in `configs` (a full or masked dump), else the object
    /// itself (a bare SecretsConfigDump).
    fn into_secrets_dump(self) -> Result<SecretsDump, DumpError> {
        let entry = match self.configs {
            Some(configs) => configs.into_iter().find(Entry::is_secrets),
            None if self.is_secrets() => Some(Entry {
                configs: None,
                ..self
            }),
            None => None,
        };
        let entry = entry.ok_or(DumpError::NoSecretsConfigDump)?;
        // One value per field, the snake_case spelling first (as `-o json` picks it).
        let fields = SecretsConfigDump::FIELDS
            .iter()
            .filter_map(|&(snake, camel)| {
                let value = entry
                    .fields
                    .get(snake)
                    .or_else(|| entry.fields.get(camel))?;
                Some((snake, value))
            });
        let secrets = SecretsConfigDump::deserialize(MapDeserializer::new(fields))
            .map_err(|e| DumpError::BadShape(SafeError::new(&e)))?;
        Ok(SecretsDump {
            raw: entry.fields,
            secrets,
        })
    }
}

impl<'de> Deserialize<'de> for Entry {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(EntryVisitor)
    }
}

struct EntryVisitor;

impl<'de> Visitor<'de> for EntryVisitor {
    type Value = Entry;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object (an Envoy config dump)")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Entry, A::Error> {
        let mut entry = Entry::default();
        while let Some(key) = map.next_key::<String>()? {
            if key == "@type" {
                entry.type_url = Some(map.next_value()?);
            } else if key == "configs" {
                entry.configs = Some(map.next_value::<Configs>()?.0);
            } else if is_secrets_field(&key) {
                let value: Value = map.next_value()?;
                entry.fields.insert(key, value);
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(entry)
    }
}

/// `configs`: keeps the entries' types and secrets fields only. The large configs
/// (clusters, listeners, routes) are skipped field by field and never held.
struct Configs(Vec<Entry>);

impl<'de> Deserialize<'de> for Configs {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct SeqVisitor;
        impl<'de> Visitor<'de> for SeqVisitor {
            type Value = Configs;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a list of configs")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Configs, A::Error> {
                let mut entries = Vec::new();
                while let Some(entry) = seq.next_element::<Entry>()? {
                    if entry.is_secrets() {
                        entries.push(entry);
                    }
                }
                Ok(Configs(entries))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Configs, E> {
                Ok(Configs(Vec::new()))
            }
        }
        deserializer.deserialize_any(SeqVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_secrets_in_a_full_dump_and_skips_the_rest() {
        let dump = br#"{"configs":[
            {"@type":"type.googleapis.com/envoy.admin.v3.BootstrapConfigDump","bootstrap":{"node":{"id":"x"}}},
            {"@type":"type.googleapis.com/envoy.admin.v3.SecretsConfigDump",
             "dynamic_active_secrets":[{"name":"default","secret":{"@type":"t","tls_certificate":{"certificate_chain":{"inline_bytes":"QUJD"}}}}],
             "dynamic_warming_secrets":[{"name":"ROOTCA"}],
             "unknown":1}
        ]}"#;
        let parsed = parse_slice(dump).expect("parses");
        assert_eq!(parsed.active().len(), 1);
        assert_eq!(parsed.active()[0].certificate_chain(), Some("QUJD"));
        assert_eq!(parsed.warming()[0].name, "ROOTCA");
        assert!(!parsed.raw.contains_key("unknown"));
    }

    #[test]
    fn reads_camel_case_and_bare_dumps() {
        let dump = br#"{"dynamicActiveSecrets":[{"name":"ROOTCA","versionInfo":"v","secret":{"validationContext":{"trustedCa":{"inlineBytes":"QUJD"}}}}]}"#;
        let parsed = parse_reader(&dump[..]).expect("parses");
        assert_eq!(parsed.active()[0].trusted_ca(), Some("QUJD"));
        assert_eq!(parsed.active()[0].version_info.as_deref(), Some("v"));
    }

    #[test]
    fn a_dump_without_secrets_is_reported() {
        let dump = br#"{"configs":[{"@type":"type.googleapis.com/envoy.admin.v3.ClustersConfigDump","x":[1,2]}]}"#;
        assert!(matches!(
            parse_slice(dump),
            Err(DumpError::NoSecretsConfigDump)
        ));
        assert!(matches!(
            parse_slice(b"{}"),
            Err(DumpError::NoSecretsConfigDump)
        ));
    }

    #[test]
    fn bad_json_is_an_error_not_a_panic() {
        assert!(matches!(
            parse_slice(b"not json"),
            Err(DumpError::NotJson(_))
        ));
        assert!(matches!(
            parse_reader(&b"{\"configs\":[{"[..]),
            Err(DumpError::NotJson(_))
        ));
        assert!(matches!(parse_slice(b"[1]"), Err(DumpError::NotJson(_))));
        let wrong = br#"{"dynamic_active_secrets":[{"name":5}]}"#;
        assert!(matches!(parse_slice(wrong), Err(DumpError::BadShape(_))));
    }
}
