//! The Envoy-compatible admin API: `/config_dump` (secrets, keys `[redacted]`, `mask` and
//! `resource` as Envoy applies them), `/ready`, `/certs`, `/stats`, `/stats/prometheus` (Istio's
//! standard metrics), `/listeners`, `/quitquitquit`.
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;

use bytes::Bytes;
use http::{Method, Request, Response, StatusCode, header};
use http_body_util::Full;
use hyper::body::Incoming;
use serde::Serialize;
use serde_json::{Map, Value};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use tokio::sync::watch;

use super::secrets::{SecretEntry, SecretKind, SecretStore};
use super::stats::ListenerStats;
use super::telemetry::{self, IstioMetrics};
use crate::envoy::secrets::{
    AnyMessage, DataSource, DynamicSecret, Secret, SecretsConfigDump, TlsCertificate, TypeUrl,
    ValidationContext,
};
use crate::pki::inspect::{describe, parse};
use crate::pki::pem::certificates;

/// One bound listener, as `/listeners` reports it.
#[derive(Debug, Clone)]
pub struct BoundListener {
    pub port: u16,
    pub name: String,
    pub address: SocketAddr,
    pub stats: Arc<ListenerStats>,
}

/// What the admin handlers read.
pub struct AdminState {
    pub store: Arc<SecretStore>,
    pub listeners: Vec<BoundListener>,
    pub shutdown: watch::Sender<bool>,
}

/// RFC 3339 in UTC with exactly three fraction digits, as Envoy prints `last_updated`.
pub fn millis_rfc3339(t: OffsetDateTime) -> String {
    let format = time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
    );
    t.to_offset(time::UtcOffset::UTC)
        .format(&format)
        .unwrap_or_default()
}

fn dynamic_secret(entry: &SecretEntry) -> DynamicSecret {
    let Some(loaded) = &entry.loaded else {
        return DynamicSecret {
            name: entry.name.clone(),
            ..DynamicSecret::default()
        };
    };
    let pem = DataSource::from_bytes(&loaded.pem);
    let (tls_certificate, validation_context) = match entry.kind {
        SecretKind::TlsCertificate => (
            Some(TlsCertificate {
                certificate_chain: Some(pem),
                private_key: Some(DataSource::redacted()),
            }),
            None,
        ),
        SecretKind::ValidationContext => (
            None,
            Some(ValidationContext {
                trusted_ca: Some(pem),
                custom_validator_config: None,
            }),
        ),
    };
    let stamp = loaded
        .last_updated
        .replace_nanosecond(0)
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_default();
    DynamicSecret {
        name: entry.name.clone(),
        version_info: Some(format!("{stamp}/{}", loaded.version)),
        last_updated: Some(millis_rfc3339(loaded.last_updated)),
        secret: Some(Secret {
            type_url: TypeUrl::default(),
            name: entry.name.clone(),
            tls_certificate,
            validation_context,
        }),
    }
}

/// The SecretsConfigDump as a JSON object (empty lists omitted, as proto3 JSON does).
pub fn secrets_dump(entries: &[SecretEntry]) -> Value {
    let (active, warming): (Vec<&SecretEntry>, Vec<&SecretEntry>) =
        entries.iter().partition(|e| e.loaded.is_some());
    let dump = SecretsConfigDump {
        type_url: TypeUrl::default(),
        dynamic_active_secrets: active.into_iter().map(dynamic_secret).collect(),
        dynamic_warming_secrets: warming.into_iter().map(dynamic_secret).collect(),
    };
    // Plain strings and structs: serializing cannot fail.
    serde_json::to_value(dump).unwrap_or_default()
}

/// Fields of SecretsConfigDump and of its DynamicSecret, for checking mask paths.
const DUMP_FIELDS: [&str; 3] = {
    let [(a, _), (b, _), (c, _)] = SecretsConfigDump::FIELDS;
    [a, b, c]
};
const SECRET_FIELDS: &[&str] = &DynamicSecret::FIELDS;

/// Keeps only `paths` (dot-separated) of `value`; lists are projected element by element.
fn project(value: &Value, paths: &[Vec<&str>]) -> Value {
    match value {
        Value::Array(items) => Value::Array(items.iter().map(|v| project(v, paths)).collect()),
        Value::Object(map) => {
            let mut out = Map::new();
            for (key, child) in map {
                let rest: Vec<Vec<&str>> = paths
                    .iter()
                    .filter(|p| p.first() == Some(&key.as_str()))
                    .map(|p| p[1..].to_vec())
                    .collect();
                if rest.is_empty() {
                    continue;
                }
                if rest.iter().any(Vec::is_empty) {
                    out.insert(key.clone(), child.clone());
                } else {
                    out.insert(key.clone(), project(child, &rest));
                }
            }
            Value::Object(out)
        }
        other => other.clone(),
    }
}

fn valid_path(path: &[&str], resource: bool) -> bool {
    let (first_fields, second_fields): (&[&str], Option<&[&str]>) = if resource {
        (SECRET_FIELDS, None)
    } else {
        (&DUMP_FIELDS, Some(SECRET_FIELDS))
    };
    match path {
        [] => false,
        [first, rest @ ..] => {
            first_fields.contains(first)
                && match (rest.first(), second_fields) {
                    (None, _) => true,
                    (Some(second), Some(fields)) => fields.contains(second),
                    (Some(_), None) => *first == "secret",
                }
        }
    }
}

/// `GET /config_dump[?resource=…][&mask=…]`: the response status and JSON body.
pub fn config_dump(entries: &[SecretEntry], query: &str) -> (StatusCode, String) {
    let mut mask = None;
    let mut resource = None;
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let value = value.replace("%2C", ",").replace("%2c", ",");
        match key {
            "mask" => mask = Some(value),
            "resource" => resource = Some(value),
            _ => {}
        }
    }
    let dump = secrets_dump(entries);
    let mut configs: Vec<Value> = match resource.as_deref() {
        None | Some("") => vec![dump],
        Some(field) if DUMP_FIELDS.contains(&field) => dump
            .get(field)
            .and_then(Value::as_array)
            .map(|items| {
                items
                    .iter()
                    .map(|item| {
                        let mut out = Map::new();
                        out.insert("@type".to_string(), Value::from(DynamicSecret::TYPE_URL));
                        if let Value::Object(fields) = item {
                            out.extend(fields.clone());
                        }
                        Value::Object(out)
                    })
                    .collect()
            })
            .unwrap_or_default(),
        Some(field) => {
            return (
                StatusCode::NOT_FOUND,
                format!("{field} not found in config dump"),
            );
        }
    };
    if let Some(mask) = mask.filter(|m| !m.is_empty()) {
        let paths: Vec<Vec<&str>> = mask.split(',').map(|p| p.split('.').collect()).collect();
        let in_resource = resource.as_deref().is_some_and(|r| !r.is_empty());
        if !paths.iter().all(|p| valid_path(p, in_resource)) {
            return (
                StatusCode::BAD_REQUEST,
                format!("FieldMask {mask} could not be successfully applied to any configs."),
            );
        }
        configs = configs
            .iter()
            .map(|config| {
                let mut masked = project(config, &paths);
                if let (Value::Object(out), Some(kind)) = (&mut masked, config.get("@type")) {
                    let mut with_type = Map::new();
                    with_type.insert("@type".to_string(), kind.clone());
                    with_type.extend(std::mem::take(out));
                    *out = with_type;
                }
                masked
            })
            .collect();
    }
    let mut root = Map::new();
    root.insert("configs".to_string(), Value::Array(configs));
    (StatusCode::OK, envoy_json(&Value::Object(root)))
}

/// JSON as Envoy's admin prints it: indented by one space, with a final newline.
pub fn envoy_json(value: &Value) -> String {
    let mut out = Vec::new();
    let formatter = serde_json::ser::PrettyFormatter::with_indent(b" ");
    let mut serializer = serde_json::Serializer::with_formatter(&mut out, formatter);
    if value.serialize(&mut serializer).is_err() {
        return String::new();
    }
    out.push(b'\n');
    String::from_utf8(out).unwrap_or_default()
}

/// `/certs`: each loaded secret's certificates, in Envoy's shape.
fn certs(entries: &[SecretEntry]) -> Value {
    let now = OffsetDateTime::now_utc();
    let mut out = Vec::new();
    for entry in entries {
        let Some(loaded) = &entry.loaded else {
            continue;
        };
        let ders = certificates(std::path::Path::new(&entry.name), &loaded.pem).unwrap_or_default();
        let details: Vec<Value> = ders
            .iter()
            .filter_map(|der| parse(der).ok())
            .map(|cert| {
                let info = describe(&cert, now);
                let days = OffsetDateTime::parse(&info.not_after, &Rfc3339)
                    .map(|t| (t - now).whole_days().max(0))
                    .unwrap_or(0);
                serde_json::json!({
                    "path": entry.name,
                    "serial_number": info.serial,
                    "subject_alt_names": info.sans,
                    "days_until_expiration": days.to_string(),
                    "valid_from": info.not_before,
                    "expiration_time": info.not_after,
                })
            })
            .collect();
        let (ca_cert, cert_chain) = match entry.kind {
            SecretKind::ValidationContext => (details, Vec::new()),
            SecretKind::TlsCertificate => (Vec::new(), details),
        };
        out.push(serde_json::json!({"ca_cert": ca_cert, "cert_chain": cert_chain}));
    }
    serde_json::json!({ "certificates": out })
}

fn stats_text(listeners: &[BoundListener], json: bool) -> String {
    let mut all: Vec<(String, u64)> = listeners
        .iter()
        .flat_map(|l| l.stats.render(l.port))
        .collect();
    all.sort();
    if json {
        let stats: Vec<Value> = all
            .into_iter()
            .map(|(name, value)| serde_json::json!({"name": name, "value": value}))
            .collect();
        return envoy_json(&serde_json::json!({ "stats": stats }));
    }
    all.into_iter()
        .map(|(name, value)| format!("{name}: {value}\n"))
        .collect()
}

fn listeners_text(listeners: &[BoundListener], json: bool) -> String {
    if json {
        let statuses: Vec<Value> = listeners
            .iter()
            .map(|l| {
                serde_json::json!({
                    "name": format!("0.0.0.0_{}", l.port),
                    "local_address": {"socket_address": {
                        "address": l.address.ip().to_string(), "port_value": l.address.port()
                    }},
                })
            })
            .collect();
        return envoy_json(&serde_json::json!({ "listener_statuses": statuses }));
    }
    listeners
        .iter()
        .map(|l| format!("0.0.0.0_{}::{}\n", l.port, l.address))
        .collect()
}

fn reply(status: StatusCode, content_type: &'static str, body: String) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static(content_type),
    );
    response
}

/// Answers one admin request.
pub async fn handle(
    request: Request<Incoming>,
    state: Arc<AdminState>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let query = request.uri().query().unwrap_or("");
    let json = query.split('&').any(|p| p == "format=json");
    let json_type = "application/json";
    let text_type = "text/plain; charset=UTF-8";
    Ok(match (request.method(), request.uri().path()) {
        (&Method::GET, "/config_dump") => {
            let (status, body) = config_dump(&state.store.snapshot(), query);
            let kind = if status == StatusCode::OK { json_type } else { text_type };
            reply(status, kind, body)
        }
        (&Method::GET, "/ready") => reply(StatusCode::OK, text_type, "LIVE\n".to_string()),
        (&Method::GET, "/certs") => reply(
            StatusCode::OK,
            json_type,
            envoy_json(&certs(&state.store.snapshot())),
        ),
        (&Method::GET, "/stats") => {
            reply(StatusCode::OK, if json { json_type } else { text_type }, stats_text(&state.listeners, json))
        }
        (&Method::GET, "/stats/prometheus") => {
            let istio: Vec<&IstioMetrics> = state.listeners.iter().map(|l| &l.stats.istio).collect();
            reply(StatusCode::OK, text_type, telemetry::prometheus(&istio))
        }
        (&Method::GET, "/listeners") => reply(
            StatusCode::OK,
            if json { json_type } else { text_type },
            listeners_text(&state.listeners, json),
        ),
        (&Method::POST, "/quitquitquit") => {
            let _ = state.shutdown.send(true);
            reply(StatusCode::OK, text_type, "OK\n".to_string())
        }
        (_, "/quitquitquit") => reply(StatusCode::METHOD_NOT_ALLOWED, text_type, "use POST\n".to_string()),
        _ => reply(
            StatusCode::NOT_FOUND,
            text_type,
            "invalid path; admin commands are: /certs /config_dump /listeners /ready /stats /stats/prometheus /quitquitquit\n"
                .to_string(),
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn milliseconds_are_always_printed() {
        let t = OffsetDateTime::from_unix_timestamp(1_800_000_000).unwrap();
        assert_eq!(millis_rfc3339(t), "2027-01-15T08:00:00.000Z");
        let t = t + time::Duration::milliseconds(120);
        assert_eq!(millis_rfc3339(t), "2027-01-15T08:00:00.120Z");
    }

    fn entries() -> Vec<SecretEntry> {
        let at = OffsetDateTime::from_unix_timestamp(1_800_000_000).unwrap()
            + time::Duration::milliseconds(7);
        let loaded = |pem: &str, version| {
            Some(super::super::secrets::LoadedSecret {
                pem: pem.as_bytes().to_vec(),
                version,
                last_updated: at,
            })
        };
        vec![
            SecretEntry {
                name: "default".to_string(),
                kind: SecretKind::TlsCertificate,
                loaded: loaded("CHAIN", 3),
                warming_reason: None,
            },
            SecretEntry {
                name: "ROOTCA".to_string(),
                kind: SecretKind::ValidationContext,
                loaded: loaded("ROOT", 1),
                warming_reason: None,
            },
            SecretEntry {
                name: "file-root:/x".to_string(),
                kind: SecretKind::ValidationContext,
                loaded: None,
                warming_reason: Some("missing".to_string()),
            },
        ]
    }

    /// The admin's JSON, byte for byte: key order, `@type` first, the key redacted, millis.
    #[test]
    fn the_dump_is_byte_exact() {
        let cases = [
            ("", FULL),
            ("mask=dynamic_active_secrets.secret", MASKED),
            ("resource=dynamic_active_secrets", RESOURCE),
        ];
        for (query, want) in cases {
            let (status, body) = config_dump(&entries(), query);
            assert_eq!((status, body.as_str()), (StatusCode::OK, want), "{query}");
        }
    }

    const FULL: &str = r#"{
 "configs": [
  {
   "@type": "type.googleapis.com/envoy.admin.v3.SecretsConfigDump",
   "dynamic_active_secrets": [
    {
     "name": "default",
     "version_info": "2027-01-15T08:00:00Z/3",
     "last_updated": "2027-01-15T08:00:00.007Z",
     "secret": {
      "@type": "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret",
      "name": "default",
      "tls_certificate": {
       "certificate_chain": {
        "inline_bytes": "Q0hBSU4="
       },
       "private_key": {
        "inline_bytes": "W3JlZGFjdGVkXQ=="
       }
      }
     }
    },
    {
     "name": "ROOTCA",
     "version_info": "2027-01-15T08:00:00Z/1",
     "last_updated": "2027-01-15T08:00:00.007Z",
     "secret": {
      "@type": "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret",
      "name": "ROOTCA",
      "validation_context": {
       "trusted_ca": {
        "inline_bytes": "Uk9PVA=="
       }
      }
     }
    }
   ],
   "dynamic_warming_secrets": [
    {
     "name": "file-root:/x"
    }
   ]
  }
 ]
}
"#;
    const MASKED: &str = r#"{
 "configs": [
  {
   "@type": "type.googleapis.com/envoy.admin.v3.SecretsConfigDump",
   "dynamic_active_secrets": [
    {
     "secret": {
      "@type": "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret",
      "name": "default",
      "tls_certificate": {
       "certificate_chain": {
        "inline_bytes": "Q0hBSU4="
       },
       "private_key": {
        "inline_bytes": "W3JlZGFjdGVkXQ=="
       }
      }
     }
    },
    {
     "secret": {
      "@type": "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret",
      "name": "ROOTCA",
      "validation_context": {
       "trusted_ca": {
        "inline_bytes": "Uk9PVA=="
       }
      }
     }
    }
   ]
  }
 ]
}
"#;
    const RESOURCE: &str = r#"{
 "configs": [
  {
   "@type": "type.googleapis.com/envoy.admin.v3.SecretsConfigDump.DynamicSecret",
   "name": "default",
   "version_info": "2027-01-15T08:00:00Z/3",
   "last_updated": "2027-01-15T08:00:00.007Z",
   "secret": {
    "@type": "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret",
    "name": "default",
    "tls_certificate": {
     "certificate_chain": {
      "inline_bytes": "Q0hBSU4="
     },
     "private_key": {
      "inline_bytes": "W3JlZGFjdGVkXQ=="
     }
    }
   }
  },
  {
   "@type": "type.googleapis.com/envoy.admin.v3.SecretsConfigDump.DynamicSecret",
   "name": "ROOTCA",
   "version_info": "2027-01-15T08:00:00Z/1",
   "last_updated": "2027-01-15T08:00:00.007Z",
   "secret": {
    "@type": "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret",
    "name": "ROOTCA",
    "validation_context": {
     "trusted_ca": {
      "inline_bytes": "Uk9PVA=="
     }
    }
   }
  }
 ]
}
"#;
}
