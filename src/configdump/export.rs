//! `-o json` / `-o yaml`: the SecretsConfigDump alone, as istioctl prints it (protojson
//! camelCase, 4-space indent, `@type` first in each Any), with every private key redacted.
use serde::Serialize;
use serde_json::{Map, Value};

use super::model::SecretsDump;
use crate::envoy::secrets::{REDACTED, REDACTED_BASE64, SecretsConfigDump};
use crate::k8s::goyaml;
use crate::redact::holds_private_key;

/// Fields Envoy marks sensitive inside a Secret; their whole subtree is redacted.
const SENSITIVE: [&str; 5] = [
    "privateKey",
    "password",
    "pkey",
    "privateKeyProvider",
    "keys",
];
/// Inside these, everything is sensitive (generic secrets, session ticket keys).
const SENSITIVE_PARENTS: [&str; 2] = ["genericSecret", "sessionTicketKeys"];

/// The SecretsConfigDump as a protojson-shaped value.
pub fn secrets_value(dump: &SecretsDump) -> Value {
    let mut out = Map::new();
    // protojson writes fields in field-number order: static, active, warming.
    for (snake, camel) in SecretsConfigDump::FIELDS {
        let value = dump.raw.get(snake).or_else(|| dump.raw.get(camel));
        match value {
            Some(Value::Null) | None => {}
            Some(Value::Array(items)) if items.is_empty() => {}
            Some(value) => {
                out.insert(camel.to_string(), protojson(value, false));
            }
        }
    }
    Value::Object(out)
}

/// `-o json`: 4-space indent and a final newline, as istioctl.
pub fn to_json(dump: &SecretsDump) -> Result<String, serde_json::Error> {
    let mut buf = Vec::new();
    let formatter = serde_json::ser::PrettyFormatter::with_indent(b"    ");
    let mut ser = serde_json::Serializer::with_formatter(&mut buf, formatter);
    secrets_value(dump).serialize(&mut ser)?;
    buf.push(b'\n');
    Ok(String::from_utf8_lossy(&buf).into_owned())
}

/// `-o yaml`: the same content with keys sorted, as kubectl-style YAML.
pub fn to_yaml(dump: &SecretsDump) -> String {
    goyaml::to_string(&secrets_value(dump))
}

/// Copies `value` with camelCase keys, `@type` first, and sensitive subtrees redacted.
fn protojson(value: &Value, redact: bool) -> Value {
    match value {
        Value::Object(map) => {
            let mut out = Map::new();
            if let Some(type_url) = map.get("@type") {
                out.insert("@type".to_string(), type_url.clone());
            }
            for (key, child) in map.iter().filter(|(k, _)| k.as_str() != "@type") {
                let key = camel_case(key);
                let sensitive = redact
                    || SENSITIVE.contains(&key.as_str())
                    || SENSITIVE_PARENTS.contains(&key.as_str());
                // A key where Envoy would not put one (a name, a chain) is redacted as well.
                let sensitive = sensitive || child.as_str().is_some_and(holds_private_key);
                let key = if holds_private_key(&key) {
                    REDACTED.to_string()
                } else {
                    key
                };
                let child = match child {
                    Value::String(_) if sensitive && key == "inlineBytes" => {
                        Value::from(REDACTED_BASE64)
                    }
                    Value::String(_) if sensitive => Value::from(REDACTED),
                    other => protojson(other, sensitive),
                };
                out.insert(key, child);
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(|v| protojson(v, redact)).collect()),
        Value::String(s) if redact || holds_private_key(s) => Value::from(REDACTED),
        other => other.clone(),
    }
}

/// protojson's JSON name of a proto field: `trusted_ca` → `trustedCa`.
fn camel_case(key: &str) -> String {
    if !key.contains('_') {
        return key.to_string();
    }
    let mut out = String::with_capacity(key.len());
    let mut upper = false;
    for c in key.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::configdump::model::parse_slice;

    #[test]
    fn camel_cases_orders_and_redacts() {
        let dump = parse_slice(
            br#"{"dynamic_active_secrets":[{"name":"default","secret":{"name":"default",
            "@type":"type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret",
            "tls_certificate":{"certificate_chain":{"inline_bytes":"QUJD"},
            "private_key":{"inline_bytes":"LS0tLS1CRUdJTiBQUklWQVRFIEtFWS0tLS0t"},
            "password":{"inline_string":"hunter2"}}}}],"static_secrets":[]}"#,
        )
        .expect("parses");
        let json = to_json(&dump).expect("serializes");
        let expected = r#"{
    "dynamicActiveSecrets": [
        {
            "name": "default",
            "secret": {
                "@type": "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret",
                "name": "default",
                "tlsCertificate": {
                    "certificateChain": {
                        "inlineBytes": "QUJD"
                    },
                    "privateKey": {
                        "inlineBytes": "W3JlZGFjdGVkXQ=="
                    },
                    "password": {
                        "inlineString": "[redacted]"
                    }
                }
            }
        }
    ]
}
"#;
        assert_eq!(json, expected);
        assert!(!to_yaml(&dump).contains("LS0t"));
    }

    #[test]
    fn camel_case_follows_protojson() {
        assert_eq!(
            camel_case("dynamic_warming_secrets"),
            "dynamicWarmingSecrets"
        );
        assert_eq!(camel_case("trustedCa"), "trustedCa");
        assert_eq!(camel_case("@type"), "@type");
    }
}
