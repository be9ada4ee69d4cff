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
