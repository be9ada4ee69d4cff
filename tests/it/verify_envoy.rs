//! `meshtls verify` against a real Envoy 1.40 set up as Istio sets up the page's sidecar: a
//! MUTUAL TLS listener (ALPN h2/http1.1, `server_name: istio-envoy`, the route's decorator) and
//! a STRICT Istio-mTLS listener (workload certificate from the mesh CA, ROOTCA validation,
//! plaintext matches no filter chain), both in front of the embedded httpbin. A third listener
//! in SIMPLE mode is the deliberately broken set-up. Loopback only; Drop kills Envoy.
use std::fs;
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use meshtls::httpbin;
use meshtls::pki::mesh_ca::MeshCa;
use serde_json::{Value, json};

use crate::common::{ChildGuard, certgen, free_port, require_tool, stderr, stdout, tempdir};
use crate::verify::{result_of, verdicts, verify_at};

fn text(path: &Path) -> String {
    path.to_str().expect("utf-8 temp path").to_string()
}

const DOWNSTREAM: &str =
    "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext";

/// Istio's inbound HTTP chain: HCM named after the port, `server_name: istio-envoy`, tracing on
/// (Envoy then sends the route's decorator back as `x-envoy-decorator-operation`, nothing added
/// by hand), a route with the Sidecar's decorator, to the app's cluster.
fn http_filters(port: u16, cluster: &str) -> Value {
    let operation = format!("ingress-sidecar.test:{port}/*");
    json!([{"name": "envoy.filters.network.http_connection_manager", "typed_config": {
            "@type": "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager",
            "stat_prefix": format!("inbound_0.0.0.0_{port}"),
            "codec_type": "AUTO",
            "server_name": "istio-envoy",
            "tracing": {"random_sampling": {"value": 100.0}},
            "route_config": {"name": format!("inbound|http|{port}"), "virtual_hosts": [{"name": format!("inbound|http|{port}"), "domains": ["*"],
                "routes": [{"name": "default", "match": {"prefix": "/"},
                    "decorator": {"operation": operation},
                    "route": {"cluster": cluster, "timeout": "0s"}}],
            }], "validate_clusters": false,
    },
            "http_filters": [{"name": "envoy.filters.http.router", "typed_config": {
                "@type": "type.googleapis.com/envoy.extensions.filters.http.router.v3.Router"}}],
        }}])
}

fn tls_context(cert: &Path, key: &Path, ca: Option<&Path>, spiffe: bool) -> Value {
    let mut common = json!({
        "alpn_protocols": ["h2", "http/1.1"],
        "tls_certificates": [{"certificate_chain": {"filename": text(cert)}, "private_key": {"filename": text(key)}}],
    });
    if let Some(ca) = ca {
        let mut validation = json!({"trusted_ca": {"filename": text(ca)}});
        if spiffe {
            validation["match_typed_subject_alt_names"] = json!([{"san_type": "URI",
                "matcher": {"prefix": "spiffe://cluster.local/"}}]);
        }
        common["validation_context"] = validation;
    }
    json!({"@type": DOWNSTREAM, "require_client_certificate": ca.is_some(), "common_tls_context": common})
}

fn listener(name: &str, port: u16, chain: Value, tls_inspector: bool) -> Value {
    let mut listener = json!({
        "name": name,
        "address": {"socket_address": {"address": "127.0.0.1", "port_value": port}},
        "filter_chains": [chain],
    });
    if tls_inspector {
        listener["listener_filters"] = json!([{"name": "envoy.filters.listener.tls_inspector",
            "typed_config": {"@type": "type.googleapis.com/envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector"}}]);
    }
    listener
}

/// Waits (bounded) until every port accepts TCP connections.
fn wait_for(ports: &[u16], log: &Path) {
    let deadline = Instant::now() + Duration::from_secs(30);
    for port in ports {
        let address = SocketAddr::from(([127, 0, 0, 1], *port));
        while TcpStream::connect_timeout(&address, Duration::from_millis(200)).is_err() {
            assert!(
                Instant::now() < deadline,
                "Envoy never listened on {port}:\n{}",
                fs::read_to_string(log).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

pub(crate) fn verify_passes_against_a_real_envoy_and_fails_its_simple_mode_listener() {
    if !require_tool("envoy") {
        return;
    }
    let tmp = tempdir();
    let dir = tmp.path();
    let certs = dir.join("certs");
    certgen(&certs, &[]);
    // The mesh: a root (ROOTCA) and httpbin's workload certificate (`default`).
    let mesh = dir.join("mesh");
    let now = time::OffsetDateTime::now_utc();
    let ca = MeshCa::load_or_create(&mesh, now).expect("mesh CA");
    let workload = ca
        .issue_workload(
            "spiffe://cluster.local/ns/test/sa/httpbin",
            Duration::from_secs(3600),
            now,
        )
        .expect("workload cert");
    let (wl_cert, wl_key) = (dir.join("default.crt"), dir.join("default.key"));
    fs::write(&wl_cert, &workload.cert_pem).unwrap();
    fs::write(&wl_key, workload.key.expose()).unwrap();
    let root = mesh.join(meshtls::pki::mesh_ca::ROOT_CERT_FILE);

    let app = httpbin::start(SocketAddr::from(([127, 0, 0, 1], 0))).expect("httpbin");
    let server_cert = certs.join("httpbin.test.svc.cluster.local.crt");
    let server_key = certs.join("httpbin.test.svc.cluster.local.key");
    let page_ca = certs.join("example.com.crt");
    let (external, internal, simple, admin) = (free_port(), free_port(), free_port(), free_port());
    let cluster = "inbound|9080||";
    let config = json!({
        "node": {"id": "sidecar~127.0.0.1~httpbin.test~test.svc.cluster.local", "cluster": "httpbin.test"},
        "admin": {"address": {"socket_address": {"address": "127.0.0.1", "port_value": admin}}},
        "static_resources": {
            "listeners": [
                // 9080: PeerAuthentication DISABLE + Sidecar tls MUTUAL.
                listener("0.0.0.0_9080", external, json!({
                    "filters": http_filters(9080, cluster),
                    "transport_socket": {"name": "envoy.transport_sockets.tls",
                        "typed_config": tls_context(&server_cert, &server_key, Some(&page_ca), false)},
                }), false),
                // 9081: STRICT: only TLS matches a filter chain; plaintext matches none.
                listener("0.0.0.0_9081", internal, json!({
                    "filter_chain_match": {"transport_protocol": "tls"},
                    "filters": http_filters(9081, cluster),
                    "transport_socket": {"name": "envoy.transport_sockets.tls",
                        "typed_config": tls_context(&wl_cert, &wl_key, Some(&root), true)},
                }), true),
                // The broken set-up: the same port in SIMPLE mode (no client certificate asked).
                listener("simple_9080", simple, json!({
                    "filters": http_filters(9080, cluster),
                    "transport_socket": {"name": "envoy.transport_sockets.tls",
                        "typed_config": tls_context(&server_cert, &server_key, None, false)},
                }), false),
            ],
            "clusters": [{"name": cluster, "type": "STATIC", "connect_timeout": "2s",
                "load_assignment": {"cluster_name": cluster, "endpoints": [{"lb_endpoints": [{"endpoint": {
                    "address": {"socket_address": {"address": "127.0.0.1", "port_value": app.address.port()}}}}]}]}}],
        },
    });
    let config_path = dir.join("envoy.json");
    fs::write(&config_path, serde_json::to_vec_pretty(&config).unwrap()).unwrap();
    let log = dir.join("envoy.log");
    let child = Command::new("envoy")
        .arg("-c")
        .arg(&config_path)
        .args([
            "--disable-hot-restart",
            "--concurrency",
            "1",
            "-l",
            "warning",
        ])
        .stdout(Stdio::null())
        .stderr(fs::File::create(&log).unwrap())
        .spawn()
        .expect("envoy starts");
    let _envoy = ChildGuard(child);
    wait_for(&[external, internal, simple], &log);

    let at = |port: u16| SocketAddr::from(([127, 0, 0, 1], port));
    let out = verify_at(&certs, Some(&mesh), at(external), at(internal), &["-v"]);
    let envoy_log = || fs::read_to_string(&log).unwrap_or_default();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}\n{}",
        stdout(&out),
        stderr(&out),
        envoy_log()
    );
    let text = stdout(&out);
    assert!(
        text.contains("\nHTTP/2 200\nserver: istio-envoy\n"),
        "{text}"
    );
    assert!(text.contains("x-envoy-upstream-service-time: "), "{text}");
    assert!(
        text.contains("x-envoy-decorator-operation: ingress-sidecar.test:9080/*"),
        "{text}"
    );
    assert!(text.contains("8 passed, 0 failed, 0 skipped"), "{text}");

    // SIMPLE mode: the client-certificate checks FAIL, and verify exits 3.
    let out = verify_at(
        &certs,
        Some(&mesh),
        at(simple),
        at(internal),
        &["-o", "json"],
    );
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let all = verdicts(&out);
    assert_eq!(result_of(&all, "no-client-cert"), "FAIL", "{all:?}");
    assert_eq!(result_of(&all, "other-ca-client-cert"), "FAIL", "{all:?}");
    assert_eq!(result_of(&all, "expired-client-cert"), "FAIL", "{all:?}");
    assert_eq!(result_of(&all, "external-mtls"), "PASS", "{all:?}");

    // The in-mesh client against the external port (Envoy serves the page's certificate, not a
    // SPIFFE one): the internal check FAILs.
    let out = verify_at(
        &certs,
        Some(&mesh),
        at(external),
        at(external),
        &["--no-negative", "-o", "json"],
    );
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert_eq!(result_of(&verdicts(&out), "internal"), "FAIL");
    app.shutdown();
}
