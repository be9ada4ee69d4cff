//! The program that makes `testdata/proxy-config/*.json`: certificates issued with rcgen (the
//! library behind `meshtls certgen`) at fixed dates and serials, wrapped in Envoy-shaped dumps
//! with serde_json. Run `cargo test --test it proxy_config::regenerate_fixtures -- --ignored`.
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, IsCa, Issuer, KeyPair, SanType,
    SerialNumber,
};
use rustls_pki_types::CertificateDer;
use serde_json::{Map, Value, json};
use time::OffsetDateTime;
use time::macros::datetime;

/// The `--now` every golden output is rendered at.
pub const NOW: &str = "2026-11-28T12:00:00Z";

const SECRET_TYPE: &str = "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret";
const SECRETS_DUMP_TYPE: &str = "type.googleapis.com/envoy.admin.v3.SecretsConfigDump";
const REDACTED_BASE64: &str = "W3JlZGFjdGVkXQ==";

/// A certificate and its key, able to sign others when it is a CA.
struct Made {
    pem: String,
    der: CertificateDer<'static>,
    key: KeyPair,
}

struct Spec<'a> {
    names: &'a [(DnType, &'a str)],
    ca: bool,
    serial: Vec<u8>,
    from: OffsetDateTime,
    to: OffsetDateTime,
    sans: Vec<SanType>,
}

fn issue(spec: Spec<'_>, issuer: Option<&Made>) -> Made {
    let mut params = CertificateParams::default();
    let mut dn = DistinguishedName::new();
    for (kind, value) in spec.names {
        dn.push(kind.clone(), *value);
    }
    params.distinguished_name = dn;
    params.is_ca = if spec.ca {
        IsCa::Ca(BasicConstraints::Unconstrained)
    } else {
        IsCa::ExplicitNoCa
    };
    params.serial_number = Some(SerialNumber::from_slice(&spec.serial));
    params.not_before = spec.from;
    params.not_after = spec.to;
    params.subject_alt_names = spec.sans;
    let key = KeyPair::generate().expect("key pair");
    let cert = match issuer {
        None => params.self_signed(&key).expect("self-signed"),
        Some(ca) => {
            let issuer = Issuer::from_ca_cert_der(&ca.der, &ca.key).expect("issuer");
            params.signed_by(&key, &issuer).expect("signed")
        }
    };
    Made {
        pem: cert.pem(),
        der: cert.der().clone(),
        key,
    }
}

/// A serial of `len` bytes: `first`, then a counting pattern (fixed, so tables stay stable).
fn serial(first: u8, len: usize) -> Vec<u8> {
    let mut bytes = vec![first];
    bytes.extend((1..len).map(|i| (i as u8).wrapping_mul(0x11)));
    bytes
}

fn dns(name: &str) -> SanType {
    SanType::DnsName(name.try_into().expect("dns name"))
}

fn uri(name: &str) -> SanType {
    SanType::URI(name.try_into().expect("uri"))
}

fn b64(text: &str) -> String {
    STANDARD.encode(text)
}

fn dynamic(name: &str, version: &str, secret: Value) -> Value {
    json!({
        "name": name,
        "version_info": version,
        "last_updated": "2026-11-28T10:00:00.123Z",
        "secret": secret,
    })
}

fn tls_secret(name: &str, chain: &str, key_bytes: &str) -> Value {
    json!({
        "@type": SECRET_TYPE,
        "name": name,
        "tls_certificate": {
            "certificate_chain": {"inline_bytes": b64(chain)},
            "private_key": {"inline_bytes": key_bytes},
        },
    })
}

fn ca_secret(name: &str, bundle: &str) -> Value {
    json!({
        "@type": SECRET_TYPE,
        "name": name,
        "validation_context": {"trusted_ca": {"inline_bytes": b64(bundle)}},
    })
}

fn secrets_dump(active: Vec<Value>, warming: Vec<Value>, statics: Vec<Value>) -> Value {
    let mut dump = Map::new();
    dump.insert("@type".into(), json!(SECRETS_DUMP_TYPE));
    if !statics.is_empty() {
        dump.insert("static_secrets".into(), Value::Array(statics));
    }
    if !active.is_empty() {
        dump.insert("dynamic_active_secrets".into(), Value::Array(active));
    }
    if !warming.is_empty() {
        dump.insert("dynamic_warming_secrets".into(), Value::Array(warming));
    }
    Value::Object(dump)
}

/// The configs of a full `/config_dump` other than the secrets, as Envoy writes them.
fn other_configs() -> Vec<Value> {
    vec![
        json!({
            "@type": "type.googleapis.com/envoy.admin.v3.BootstrapConfigDump",
            "bootstrap": {"node": {"id": "sidecar~10.1.2.3~httpbin-5bbdbd6588-z9vbs.test~test.svc.cluster.local",
                                    "cluster": "httpbin.test"}},
            "last_updated": "2026-11-28T10:00:00.000Z",
        }),
        json!({
            "@type": "type.googleapis.com/envoy.admin.v3.ClustersConfigDump",
            "version_info": "2026-11-28T10:00:00Z/7",
            "static_clusters": [{"cluster": {"@type": "type.googleapis.com/envoy.config.cluster.v3.Cluster",
                "name": "prometheus_stats", "type": "STATIC"}}],
        }),
    ]
}

/// A full `/config_dump`: bootstrap and clusters around the secrets.
fn full_dump(secrets: Value) -> Value {
    let mut configs = other_configs();
    configs.push(secrets);
    json!({"configs": configs})
}

/// protojson's spelling of a dump: every key camelCase.
fn camel(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| {
                    let mut key = String::new();
                    let mut upper = false;
                    for c in k.chars() {
                        match c {
                            '_' => upper = true,
                            c if upper => {
                                key.extend(c.to_uppercase());
                                upper = false;
                            }
                            c => key.push(c),
                        }
                    }
                    (key, camel(v))
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(camel).collect()),
        other => other.clone(),
    }
}

/// Every fixture dump, by file name.
pub fn dumps() -> Vec<(&'static str, Value)> {
    // The mesh: Istio's root and a 24-hour workload certificate (URI SAN), 16-byte serials.
    let mesh_root = issue(
        Spec {
            names: &[(DnType::OrganizationName, "cluster.local")],
            ca: true,
            serial: serial(0x5e, 16),
            from: datetime!(2026-01-01 0:00 UTC),
            to: datetime!(2036-01-01 0:00 UTC),
            sans: vec![],
        },
        None,
    );
    let workload = issue(
        Spec {
            names: &[],
            ca: false,
            serial: serial(0xc3, 16),
            from: datetime!(2026-11-28 9:58 UTC),
            to: datetime!(2026-11-29 10:00 UTC),
            sans: vec![uri("spiffe://cluster.local/ns/test/sa/httpbin")],
        },
        Some(&mesh_root),
    );
    // The task's own CA and server certificate; the server's serial is 20 bytes with a zero
    // top nibble (istioctl's %032x drops that nibble; meshtls keeps it).
    let example_ca = issue(
        Spec {
            names: &[
                (DnType::OrganizationName, "example Inc."),
                (DnType::CommonName, "example.com"),
            ],
            ca: true,
            serial: serial(0x7f, 20),
            from: datetime!(2026-11-01 0:00 UTC),
            to: datetime!(2027-11-01 0:00 UTC),
            sans: vec![],
        },
        None,
    );
    let server = issue(
        Spec {
            names: &[
                (DnType::CommonName, "httpbin.test.svc.cluster.local"),
                (DnType::OrganizationName, "httpbin organization"),
            ],
            ca: false,
            serial: serial(0x0a, 20),
            from: datetime!(2026-11-01 0:00 UTC),
            to: datetime!(2027-11-01 0:00 UTC),
            sans: vec![dns("httpbin.test.svc.cluster.local"), dns("httpbin")],
        },
        Some(&example_ca),
    );
    let foo_root = issue(
        Spec {
            names: &[(DnType::OrganizationName, "foo.org")],
            ca: true,
            serial: serial(0x21, 16),
            from: datetime!(2026-06-01 0:00 UTC),
            to: datetime!(2031-06-01 0:00 UTC),
            sans: vec![],
        },
        None,
    );
    let leaf_at = |first: u8, from, to| {
        issue(
            Spec {
                names: &[(DnType::CommonName, "window.test")],
                ca: false,
                serial: serial(first, 16),
                from,
                to,
                sans: vec![dns("window.test")],
            },
            Some(&example_ca),
        )
    };
    let expired = leaf_at(
        0x31,
        datetime!(2025-01-01 0:00 UTC),
        datetime!(2025-12-31 0:00 UTC),
    );
    let not_yet = leaf_at(
        0x32,
        datetime!(2027-01-01 0:00 UTC),
        datetime!(2028-01-01 0:00 UTC),
    );
    let expiring = leaf_at(
        0x33,
        datetime!(2026-11-01 0:00 UTC),
        datetime!(2026-12-05 0:00 UTC),
    );
    // The page's `openssl x509 -set_serial 1`: a one-byte serial, zero-padded to 32 digits.
    let serial_one = issue(
        Spec {
            names: &[(DnType::CommonName, "httpbin.test.svc.cluster.local")],
            ca: false,
            serial: vec![1],
            from: datetime!(2026-11-01 0:00 UTC),
            to: datetime!(2027-11-01 0:00 UTC),
            sans: vec![],
        },
        Some(&example_ca),
    );

    // An unredacted key stand-in: -o json/yaml must still print [redacted] for it.
    let fake_key = b64("-----BEGIN PRIVATE KEY-----\nnot-a-real-key\n-----END PRIVATE KEY-----\n");
    let server_cert = "file-cert:/etc/istio/tls-certs/tls.crt~/etc/istio/tls-certs/tls.key";
    let ca_root = "file-root:/etc/istio/tls-ca-certs/ca.crt";
    let istio_secrets = secrets_dump(
        vec![
            dynamic(
                "default",
                "2026-11-28T10:00:00Z/1",
                tls_secret(
                    "default",
                    &format!("{}{}", workload.pem, mesh_root.pem),
                    REDACTED_BASE64,
                ),
            ),
            dynamic(
                server_cert,
                "2026-11-28T10:00:01Z/2",
                tls_secret(
                    server_cert,
                    &format!("{}{}", server.pem, example_ca.pem),
                    &fake_key,
                ),
            ),
            dynamic(
                "ROOTCA",
                "2026-11-28T10:00:00Z/1",
                ca_secret("ROOTCA", &mesh_root.pem),
            ),
        ],
        vec![
            json!({"name": ca_root, "version_info": "uninitialized", "last_updated": "2026-11-28T10:00:02.000Z",
                     "secret": {"@type": SECRET_TYPE, "name": ca_root}}),
        ],
        vec![
            json!({"name": "static-never-shown", "secret": ca_secret("static-never-shown", &example_ca.pem)}),
        ],
    );
    let spiffe_secrets = secrets_dump(
        vec![dynamic(
            "ROOTCA",
            "2026-11-28T10:00:00Z/3",
            json!({
                "@type": SECRET_TYPE,
                "name": "ROOTCA",
                "validation_context": {"custom_validator_config": {
                    "name": "envoy.tls.cert_validator.spiffe",
                    "typed_config": {
                        "@type": "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.SPIFFECertValidatorConfig",
                        "trust_domains": [
                            {"name": "cluster.local", "trust_bundle": {"inline_bytes": b64(&mesh_root.pem)}},
                            {"name": "foo.org", "trust_bundle": {"inline_bytes": b64(&foo_root.pem)}},
                        ],
                    },
                }},
            }),
        )],
        vec![],
        vec![],
    );
    let validity_secrets = secrets_dump(
        vec![
            dynamic(
                "expired",
                "1",
                tls_secret("expired", &expired.pem, REDACTED_BASE64),
            ),
            dynamic(
                "not-yet-valid",
                "1",
                tls_secret("not-yet-valid", &not_yet.pem, REDACTED_BASE64),
            ),
            dynamic(
                "expires-in-6-days",
                "1",
                tls_secret("expires-in-6-days", &expiring.pem, REDACTED_BASE64),
            ),
            dynamic(
                "serial-1",
                "1",
                tls_secret("serial-1", &serial_one.pem, REDACTED_BASE64),
            ),
            dynamic("ROOTCA", "1", ca_secret("ROOTCA", &example_ca.pem)),
        ],
        vec![],
        vec![],
    );
    let corrupt_der = format!(
        "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n",
        STANDARD.encode(&server.der[..server.der.len() / 2])
    );
    let bad_secrets = secrets_dump(
        vec![
            dynamic(
                "not-base64",
                "1",
                json!({"@type": SECRET_TYPE, "name": "not-base64",
                "tls_certificate": {"certificate_chain": {"inline_bytes": "%%% not base64 %%%"}}}),
            ),
            dynamic(
                "truncated-base64",
                "1",
                json!({"@type": SECRET_TYPE, "name": "truncated-base64",
                "tls_certificate": {"certificate_chain": {"inline_bytes": &b64(&server.pem)[..101]}}}),
            ),
            dynamic(
                "not-pem",
                "1",
                ca_secret("not-pem", "these bytes are not PEM at all\n"),
            ),
            dynamic("corrupt-der", "1", ca_secret("corrupt-der", &corrupt_der)),
            dynamic(
                "no-data",
                "1",
                json!({"@type": SECRET_TYPE, "name": "no-data"}),
            ),
        ],
        vec![],
        vec![],
    );
    let empty_secrets = secrets_dump(
        vec![],
        vec![],
        vec![json!({"name": "static-only", "secret": ca_secret("static-only", &example_ca.pem)})],
    );
    let mut camel_secrets = camel(&istio_secrets);
    if let Value::Object(map) = &mut camel_secrets {
        // As istioctl -o json prints it: a bare SecretsConfigDump.
        map.remove("@type");
    }
    vec![
        ("istio.json", full_dump(istio_secrets)),
        ("camel.json", camel_secrets),
        ("spiffe.json", json!({"configs": [spiffe_secrets]})),
        ("validity.json", json!({"configs": [validity_secrets]})),
        ("bad.json", json!({"configs": [bad_secrets]})),
        ("empty.json", json!({"configs": [empty_secrets]})),
        ("no-secrets.json", json!({"configs": other_configs()})),
    ]
}

/// A config dump of about `target` bytes: many clusters (skipped) around a few secrets.
pub fn big_dump(target: usize) -> Value {
    let cluster = |i: usize| {
        json!({"version_info": "2026-11-28T10:00:00Z/7", "last_updated": "2026-11-28T10:00:00.000Z",
            "cluster": {"@type": "type.googleapis.com/envoy.config.cluster.v3.Cluster",
                "name": format!("outbound|8000||service-{i}.namespace-{}.svc.cluster.local", i % 97),
                "type": "EDS", "connect_timeout": "10s", "lb_policy": "LEAST_REQUEST",
                "eds_cluster_config": {"eds_config": {"ads": {}, "initial_fetch_timeout": "0s", "resource_api_version": "V3"},
                    "service_name": format!("outbound|8000||service-{i}.namespace-{}.svc.cluster.local", i % 97)},
                "metadata": {"filter_metadata": {"istio": {"services": [{"host": format!("service-{i}.svc.cluster.local"),
                    "name": format!("service-{i}"), "namespace": format!("namespace-{}", i % 97)}]}}},
                "transport_socket_matches": [{"name": "tlsMode-istio", "match": {"tlsMode": "istio"},
                    "transport_socket": {"name": "envoy.transport_sockets.tls", "typed_config": {
                        "@type": "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext",
                        "common_tls_context": {"alpn_protocols": ["istio-peer-exchange", "istio"],
                            "tls_certificate_sds_secret_configs": [{"name": "default", "sds_config": {"api_config_source": {
                                "api_type": "GRPC", "grpc_services": [{"envoy_grpc": {"cluster_name": "sds-grpc"}}]}}}]},
                        "sni": format!("outbound_.8000_._.service-{i}.svc.cluster.local")}}}]}})
    };
    // One cluster's size at its depth in the pretty-printed dump.
    let nested = json!({"configs": [{"dynamic_active_clusters": [cluster(0)]}]});
    let one = serde_json::to_vec_pretty(&nested)
        .map(|v| v.len())
        .unwrap_or(1000);
    let clusters: Vec<Value> = (0..target / one).map(cluster).collect();
    let mut dumps = dumps();
    let secrets = dumps.remove(0).1["configs"][2].clone();
    json!({"configs": [
        {"@type": "type.googleapis.com/envoy.admin.v3.ClustersConfigDump", "dynamic_active_clusters": clusters},
        secrets,
    ]})
}

/// A SPIRE-style dump (issue 17), made by the test that reads it and never committed: the
/// `default` workload certificate carries `spiffe://east.local/…`, and ROOTCA is a SPIFFE bundle
/// with `east.local` and `west.local`. istioctl 1.25+ gives every row a trust domain here.
pub fn spire_dump() -> Value {
    let from = datetime!(2026-11-01 0:00 UTC);
    let to = datetime!(2027-11-01 0:00 UTC);
    let root = |cn: &'static str, first: u8| Spec {
        names: &[(DnType::OrganizationName, "SPIFFE")],
        ca: true,
        serial: serial(first, 16),
        from,
        to,
        sans: vec![uri(cn)],
    };
    let east = issue(root("spiffe://east.local", 0x3e), None);
    let west = issue(root("spiffe://west.local", 0x4f), None);
    let workload = issue(
        Spec {
            names: &[(DnType::OrganizationName, "SPIRE")],
            ca: false,
            serial: serial(0x5a, 16),
            from: datetime!(2026-11-28 11:00 UTC),
            to: datetime!(2026-11-28 13:00 UTC),
            sans: vec![uri("spiffe://east.local/ns/default/sa/sleep")],
        },
        Some(&east),
    );
    secrets_dump(
        vec![
            dynamic(
                "default",
                "2026-11-28T11:00:00Z",
                tls_secret("default", &workload.pem, REDACTED_BASE64),
            ),
            dynamic(
                "ROOTCA",
                "2026-11-28T10:00:00Z",
                json!({
                    "@type": SECRET_TYPE,
                    "name": "ROOTCA",
                    "validation_context": {"custom_validator_config": {
                        "name": "envoy.tls.cert_validator.spiffe",
                        "typed_config": {
                            "@type": "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.SPIFFECertValidatorConfig",
                            "trust_domains": [
                                {"name": "east.local", "trust_bundle": {"inline_bytes": b64(&east.pem)}},
                                {"name": "west.local", "trust_bundle": {"inline_bytes": b64(&west.pem)}},
                            ],
                        },
                    }},
                }),
            ),
        ],
        vec![],
        vec![],
    )
}
