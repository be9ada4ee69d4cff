//! Issue 15: the handshake's edges as a real Envoy 1.40 behaves (each checked by hand against
//! Envoy with Istio's listener settings and `openssl s_client`): a mesh peer without a SPIFFE ID
//! of the trust domain fails inside the handshake with certificate_unknown (46), counted as
//! `ssl.fail_verify_san`.
use std::process::Command;
use std::time::Duration;

use meshtls::pki::mesh_ca::MeshCa;

use crate::common::require_tool;
use crate::proxy::{admin_get, fixture_with};
use meshtls::proxy::config::TlsMode;

fn stat(body: &str, name: &str) -> u64 {
    body.lines()
        .filter(|l| l.contains(name))
        .filter_map(|l| {
            l.rsplit_once(": ")
                .and_then(|(_, v)| v.trim().parse::<u64>().ok())
        })
        .sum()
}

pub(crate) fn a_mesh_peer_of_another_trust_domain_fails_the_handshake_as_envoy_fails_it() {
    if !require_tool("openssl") {
        return;
    }
    let f = fixture_with(TlsMode::Mutual, false);
    let now = time::OffsetDateTime::now_utc();
    let ca = MeshCa::load_or_create(f.mesh.path(), now).unwrap();
    let dir = crate::common::tempdir();
    let write = |id: &str, stem: &str| {
        let issued = ca
            .issue_workload(id, Duration::from_secs(3600), now)
            .unwrap();
        std::fs::write(dir.path().join(format!("{stem}.crt")), &issued.cert_pem).unwrap();
        std::fs::write(dir.path().join(format!("{stem}.key")), issued.key.expose()).unwrap();
    };
    write("spiffe://evil.example/ns/test/sa/sleep", "evil");
    write("spiffe://cluster.local/ns/test/sa/sleep", "sleep");
    std::fs::write(dir.path().join("root.crt"), &ca.root_pem).unwrap();
    // `-ign_eof` reads until the server closes, so the TLS 1.3 alert is always seen; `timeout`
    // bounds a connection the server keeps open (the good peer's).
    let handshake = |stem: &str| {
        let out = Command::new("timeout")
            .args(["2", "openssl", "s_client", "-ign_eof", "-connect"])
            .arg(f.internal().to_string())
            .args(["-alpn", "istio-http/1.1", "-CAfile"])
            .arg(dir.path().join("root.crt"))
            .arg("-cert")
            .arg(dir.path().join(format!("{stem}.crt")))
            .arg("-key")
            .arg(dir.path().join(format!("{stem}.key")))
            .stdin(std::process::Stdio::null())
            .output()
            .expect("openssl runs");
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    };
    let before = stat(&admin_get(&f, "/stats"), "ssl.fail_verify_san");
    let evil = handshake("evil");
    assert!(
        evil.contains("alert certificate unknown") && evil.contains("alert number 46"),
        "{evil}"
    );
    assert_eq!(
        stat(&admin_get(&f, "/stats"), "ssl.fail_verify_san"),
        before + 1
    );
    let good = handshake("sleep");
    assert!(!good.contains("alert"), "{good}");
}

/// `openssl s_client` to the TLS port with the page's client pair and `args`; its output
/// (bounded by `timeout`).
pub(crate) fn s_client(f: &crate::proxy::Fixture, args: &[&str]) -> String {
    let out = Command::new("timeout")
        .args(["5", "openssl", "s_client", "-connect"])
        .arg(f.external().to_string())
        .args(["-servername", crate::proxy::FQDN, "-CAfile"])
        .arg(f.cert("example.com.crt"))
        .arg("-cert")
        .arg(f.cert("client.test.svc.cluster.local.crt"))
        .arg("-key")
        .arg(f.cert("client.test.svc.cluster.local.key"))
        .args(args)
        .stdin(std::process::Stdio::null())
        .output()
        .expect("openssl runs");
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// What a real Envoy 1.40 with Istio's (default) cipher settings picks, measured with these
/// exact client lists: TLS 1.2 in the server's order with [AES-128-GCM|ChaCha20] as one
/// equal-preference group before AES-256-GCM; TLS 1.3 in the client's order.
pub(crate) fn cipher_choice_follows_envoys_order() {
    if !require_tool("openssl") {
        return;
    }
    let f = fixture_with(TlsMode::Mutual, false);
    let cases = [
        (
            "-tls1_2",
            "ECDHE-RSA-CHACHA20-POLY1305:ECDHE-RSA-AES128-GCM-SHA256",
            "ECDHE-RSA-CHACHA20-POLY1305",
        ),
        (
            "-tls1_2",
            "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256",
            "ECDHE-RSA-AES128-GCM-SHA256",
        ),
        (
            "-tls1_2",
            "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-CHACHA20-POLY1305",
            "ECDHE-RSA-CHACHA20-POLY1305",
        ),
        (
            "-tls1_2",
            "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-CHACHA20-POLY1305",
            "ECDHE-RSA-AES128-GCM-SHA256",
        ),
    ];
    for (version, offered, chosen) in cases {
        let out = s_client(&f, &[version, "-cipher", offered]);
        assert!(
            out.contains(&format!("Cipher is {chosen}")),
            "{offered}: {out}"
        );
    }
    for (offered, chosen) in [
        (
            "TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256",
            "TLS_CHACHA20_POLY1305_SHA256",
        ),
        (
            "TLS_AES_256_GCM_SHA384:TLS_AES_128_GCM_SHA256",
            "TLS_AES_256_GCM_SHA384",
        ),
        (
            "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384",
            "TLS_AES_128_GCM_SHA256",
        ),
    ] {
        let out = s_client(&f, &["-tls1_3", "-ciphersuites", offered]);
        assert!(
            out.contains(&format!("Cipher is {chosen}")),
            "{offered}: {out}"
        );
    }
}

/// Envoy completes the handshake without ALPN when the client offers none of h2/http1.1, and
/// serves HTTP/1.1; so `curl --http1.0` reaches Envoy's 426 instead of failing with (35).
pub(crate) fn a_client_with_unknown_alpn_is_served_http1_as_envoy_serves_it() {
    if !require_tool("openssl") || !require_tool("curl") {
        return;
    }
    let f = fixture_with(TlsMode::Mutual, false);
    let out = s_client(&f, &["-alpn", "spdy/3,acme-tls/1"]);
    assert!(out.contains("No ALPN negotiated"), "{out}");
    assert!(!out.contains("alert"), "{out}");
    let old = crate::proxy::curl_to(&f, &["--http1.0", "-i"], true);
    let text = String::from_utf8_lossy(&old.stdout);
    assert!(
        text.starts_with("HTTP/1.0 426") || text.starts_with("HTTP/1.1 426"),
        "{text}{}",
        String::from_utf8_lossy(&old.stderr)
    );
}

/// An SSLv2-format ClientHello: Istio's inbound TLS filter chains match `transport_protocol:
/// tls` behind the TLS inspector, which does not take an SSLv2 record for TLS, so a real Envoy
/// configured as istiod configures it resets the connection (the parity suite puts the same
/// hello to one); meshtls resets it too, sending nothing.
pub(crate) fn an_sslv2_client_hello_is_reset_as_istios_envoy_resets_it() {
    use std::io::{Read, Write};
    let f = fixture_with(TlsMode::Mutual, false);
    let body: Vec<u8> = [1u8, 0x03, 0x01, 0, 6, 0, 0, 0, 16]
        .into_iter()
        .chain([0x00, 0xc0, 0x2f, 0x00, 0x00, 0x2f])
        .chain([b'A'; 16])
        .collect();
    let mut hello = vec![0x80 | (body.len() >> 8) as u8, body.len() as u8];
    hello.extend(body);
    let mut stream = std::net::TcpStream::connect(f.external()).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(3)))
        .unwrap();
    stream.write_all(&hello).unwrap();
    let mut answer = [0u8; 16];
    match stream.read(&mut answer) {
        Err(e) => assert_eq!(e.kind(), std::io::ErrorKind::ConnectionReset, "{e}"),
        Ok(n) => panic!("expected a reset, got {n} bytes: {:?}", &answer[..n]),
    }
}

/// The same handshakes against meshtls and a real Envoy 1.40 (MUTUAL, the page's certificates,
/// Istio's defaults) move the same `ssl.*` counters by the same amounts.
pub(crate) fn ssl_counters_have_envoys_names_and_values() {
    use crate::common::{ChildGuard, certgen, free_port, tempdir};
    use serde_json::json;
    if !require_tool("envoy") || !require_tool("curl") {
        return;
    }
    let f = fixture_with(TlsMode::Mutual, false);
    let app = meshtls::httpbin::start(std::net::SocketAddr::from(([127, 0, 0, 1], 0))).unwrap();
    let (port, admin) = (free_port(), free_port());
    let certs = f.certs.path();
    let file = |name: &str| certs.join(name).display().to_string();
    let config = json!({
        "admin": {"address": {"socket_address": {"address": "127.0.0.1", "port_value": admin}}},
        "static_resources": {
            "listeners": [{"name": "l", "address": {"socket_address": {"address": "127.0.0.1", "port_value": port}},
                "filter_chains": [{"filters": [{"name": "envoy.filters.network.http_connection_manager", "typed_config": {
                    "@type": "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager",
                    "stat_prefix": "inbound_0.0.0.0_9080",
                    "route_config": {"virtual_hosts": [{"name": "a", "domains": ["*"], "routes": [{"match": {"prefix": "/"}, "route": {"cluster": "app"}}]}]},
                    "http_filters": [{"name": "envoy.filters.http.router", "typed_config": {"@type": "type.googleapis.com/envoy.extensions.filters.http.router.v3.Router"}}]}}],
                "transport_socket": {"name": "envoy.transport_sockets.tls", "typed_config": {
                    "@type": "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext",
                    "require_client_certificate": true,
                    "common_tls_context": {"alpn_protocols": ["h2", "http/1.1"],
                        "tls_certificates": [{"certificate_chain": {"filename": file(&format!("{}.crt", crate::proxy::FQDN))},
                            "private_key": {"filename": file(&format!("{}.key", crate::proxy::FQDN))}}],
                        "validation_context": {"trusted_ca": {"filename": file("example.com.crt")}}}}}}]}],
            "clusters": [{"name": "app", "type": "STATIC", "connect_timeout": "2s",
                "load_assignment": {"cluster_name": "app", "endpoints": [{"lb_endpoints": [{"endpoint": {"address": {"socket_address": {"address": "127.0.0.1", "port_value": app.address.port()}}}}]}]}}]}
    });
    let dir = tempdir();
    let path = dir.path().join("envoy.json");
    std::fs::write(&path, config.to_string()).unwrap();
    let _envoy = ChildGuard(
        Command::new("envoy")
            .arg("-c")
            .arg(&path)
            .args(["--disable-hot-restart", "-l", "error", "--base-id"])
            .arg(port.to_string())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("envoy starts"),
    );
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(std::time::Instant::now() < deadline, "Envoy never listened");
        std::thread::sleep(Duration::from_millis(100));
    }
    let other = tempdir();
    certgen(other.path(), &[]);
    let curl = |to: u16, extra: &[&str], pair: Option<&std::path::Path>| {
        let host = crate::proxy::FQDN;
        let mut cmd = Command::new("curl");
        cmd.args(["-s", "-o", "/dev/null", "--max-time", "5", "--resolve"])
            .arg(format!("{host}:{to}:127.0.0.1"))
            .arg("--cacert")
            .arg(certs.join("example.com.crt"));
        if let Some(dir) = pair {
            cmd.arg("--cert")
                .arg(dir.join("client.test.svc.cluster.local.crt"))
                .arg("--key")
                .arg(dir.join("client.test.svc.cluster.local.key"));
        }
        cmd.args(extra)
            .arg(format!("https://{host}:{to}/status/200"));
        let _ = cmd.output();
    };
    let ours = f.external().port();
    for to in [ours, port] {
        curl(to, &[], Some(certs));
        curl(to, &["--tlsv1.2", "--tls-max", "1.2"], Some(certs));
        curl(to, &[], None);
        curl(to, &[], Some(other.path()));
    }
    std::thread::sleep(Duration::from_millis(300));
    // The counters both keep, non-zero ones compared by value (sigalgs.*: rustls does not
    // tell which scheme signed; a listed difference).
    let pick = |body: &str| {
        let mut counters: Vec<(String, u64)> = body
            .lines()
            .filter_map(|l| {
                let (name, value) = l.rsplit_once(": ")?;
                let (_, stat) = name.split_once(".ssl.")?;
                let value: u64 = value.trim().parse().ok()?;
                let kept = !stat.starts_with("sigalgs.")
                    && !stat.starts_with("certificate.")
                    && !stat.starts_with("ocsp_")
                    && stat != "fail_verify_cert_hash";
                (kept && value > 0).then(|| (stat.to_string(), value))
            })
            .collect();
        counters.sort();
        counters
    };
    let envoy_stats = Command::new("curl")
        .args(["-s", &format!("http://127.0.0.1:{admin}/stats")])
        .output()
        .unwrap();
    let theirs = pick(&String::from_utf8_lossy(&envoy_stats.stdout));
    let mine = pick(&admin_get(&f, "/stats"));
    assert!(!theirs.is_empty());
    assert_eq!(mine, theirs);
    app.shutdown();
}
