//! Issue 15: `caCrl` on a Sidecar ingress port. A revoked client certificate is refused with the
//! alert Envoy 1.40 sends (certificate_revoked, 44; seen with `openssl s_client` against a real
//! Envoy with `validation_context.crl`) and counted as Envoy counts it (`ssl.fail_verify_error`);
//! a CRL rewritten on disk takes effect within 2 s; the page's v1 openssl leaves are checked too.
use std::path::Path;
use std::time::{Duration, Instant};

use meshtls::proxy::config::{ClientAuth, ClientRoots, Security};
use rcgen::{
    CertificateRevocationListParams, Issuer, KeyIdMethod, KeyPair, RevokedCertParams, SerialNumber,
};
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;
use time::OffsetDateTime;

use crate::common::{require_tool, tempdir};
use crate::proxy::{Fixture, curl_to, fixture_from};

const CA_CRL: &str = "/etc/istio/tls-ca-certs/ca.crl";
const CLIENT: &str = "client.test.svc.cluster.local";

/// A CRL from the page's CA (in `certs`) revoking the certificates in `revoked`.
fn crl(certs: &Path, revoked: &[&Path]) -> String {
    let key = KeyPair::from_pem(&std::fs::read_to_string(certs.join("example.com.key")).unwrap())
        .unwrap();
    let ca = std::fs::read_to_string(certs.join("example.com.crt")).unwrap();
    let issuer = Issuer::from_ca_cert_pem(&ca, key).unwrap();
    let now = OffsetDateTime::now_utc();
    let revoked_certs = revoked
        .iter()
        .map(|path| {
            let der = CertificateDer::from_pem_file(path).unwrap();
            let parsed = meshtls::pki::inspect::parse(&der).unwrap();
            RevokedCertParams {
                serial_number: SerialNumber::from_slice(parsed.raw_serial()),
                revocation_time: now,
                reason_code: None,
                invalidity_date: None,
            }
        })
        .collect();
    let params = CertificateRevocationListParams {
        this_update: now - time::Duration::minutes(1),
        next_update: now + time::Duration::days(7),
        crl_number: SerialNumber::from(1u64),
        issuing_distribution_point: None,
        revoked_certs,
        key_identifier_method: KeyIdMethod::Sha256,
    };
    params.signed_by(&issuer).unwrap().pem().unwrap()
}

fn write_crl(f: &Fixture, pem: &str) {
    let path = f.root.path().join(CA_CRL.trim_start_matches('/'));
    // As the kubelet swaps a Secret: write beside, then rename over.
    let staging = path.with_extension("new");
    std::fs::write(&staging, pem).unwrap();
    std::fs::rename(staging, path).unwrap();
}

/// The page's set-up with `caCrl` on 9080, the CRL revoking the page's client certificate.
fn revoking_fixture(page_certs: bool) -> Fixture {
    let f = fixture_from(page_certs, |config| {
        if let Security::Terminate(tls) = &mut config.listeners[0].security {
            tls.client_auth = ClientAuth::Required(ClientRoots {
                ca_certificates: "/etc/istio/tls-ca-certs/ca.crt".to_string(),
                ca_crl: Some(CA_CRL.to_string()),
            });
        }
    });
    let client = f.cert(&format!("{CLIENT}.crt"));
    write_crl(&f, &crl(f.certs.path(), &[&client]));
    // The port serves nothing until its CRL has loaded (it fails closed); wait for it.
    let loaded = within(Duration::from_secs(2), || {
        crate::proxy::admin_get(&f, "/certs").contains("tls-ca-certs")
            && !s_client(&f).contains("no peer certificate available")
    });
    assert!(loaded.is_some(), "the CRL never loaded");
    f
}

/// `openssl s_client` with the page's client pair: what the handshake ends with. `-ign_eof`
/// keeps it reading until the server closes, so a TLS 1.3 alert (sent after the client's
/// Finished) is always seen.
fn s_client(f: &Fixture) -> String {
    crate::tls_edges::s_client(f, &["-ign_eof"])
}

fn stat(f: &Fixture, name: &str) -> u64 {
    let body = crate::proxy::admin_get(f, "/stats");
    body.lines()
        .filter(|l| l.contains(name))
        .filter_map(|l| {
            l.rsplit_once(": ")
                .and_then(|(_, v)| v.trim().parse::<u64>().ok())
        })
        .sum()
}

fn served(f: &Fixture) -> bool {
    curl_to(f, &["-o", "/dev/null", "-w", "%{http_code}"], true)
        .stdout
        .starts_with(b"200")
}

/// Polls (bounded) until `want` holds.
fn within(limit: Duration, mut want: impl FnMut() -> bool) -> Option<Duration> {
    let start = Instant::now();
    while start.elapsed() < limit {
        if want() {
            return Some(start.elapsed());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    None
}

pub(crate) fn a_revoked_client_gets_envoys_alert_and_counter_and_a_new_crl_applies_within_2_seconds()
 {
    if !require_tool("openssl") || !require_tool("curl") {
        return;
    }
    let f = revoking_fixture(false);
    let before = stat(&f, "ssl.fail_verify_error");
    let handshake = s_client(&f);
    assert!(
        handshake.contains("alert certificate revoked") && handshake.contains("alert number 44"),
        "{handshake}"
    );
    assert!(!served(&f), "a revoked client was served");
    assert!(stat(&f, "ssl.fail_verify_error") >= before + 2);

    // A CRL that revokes nothing: the same client is served again, without a restart.
    write_crl(&f, &crl(f.certs.path(), &[]));
    let took = within(Duration::from_secs(2), || served(&f));
    assert!(took.is_some(), "the new CRL was not applied within 2 s");
    // And revoked again.
    let client = f.cert(&format!("{CLIENT}.crt"));
    write_crl(&f, &crl(f.certs.path(), &[&client]));
    let took = within(Duration::from_secs(2), || !served(&f));
    assert!(
        took.is_some(),
        "the revoking CRL was not applied within 2 s"
    );
}

pub(crate) fn the_pages_openssl_v1_client_is_checked_against_the_crl_too() {
    if !require_tool("openssl") || !require_tool("curl") {
        return;
    }
    let f = revoking_fixture(true);
    let handshake = s_client(&f);
    assert!(
        handshake.contains("alert certificate revoked"),
        "{handshake}"
    );
    write_crl(&f, &crl(f.certs.path(), &[]));
    assert!(within(Duration::from_secs(2), || served(&f)).is_some());
}

pub(crate) fn a_crl_from_another_ca_or_a_broken_crl_never_lets_a_client_in() {
    if !require_tool("curl") {
        return;
    }
    let f = revoking_fixture(false);
    // A CRL signed by another CA says nothing about ours: the status is unknown, so refused.
    let other = tempdir();
    crate::common::certgen(other.path(), &[]);
    write_crl(&f, &crl(other.path(), &[]));
    std::thread::sleep(Duration::from_millis(1200));
    assert!(!served(&f), "a CRL of another CA let the client in");
    let handshake = s_client(&f);
    assert!(
        handshake.contains("alert"),
        "refused in the handshake: {handshake}"
    );
    // A broken file keeps the CRL in force before it (here: the other CA's, so still refused).
    write_crl(
        &f,
        "-----BEGIN X509 CRL-----\nnot base64\n-----END X509 CRL-----\n",
    );
    std::thread::sleep(Duration::from_millis(1200));
    assert!(!served(&f), "a broken CRL loosened verification");
}
