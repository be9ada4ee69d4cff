//! `meshtls certgen`: openssl accepts what it makes; files are safe; every bad input fails cleanly.
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;

use crate::common::{certgen, has_tool, require_tool, run, stderr, tempdir};

const FILES: &[&str] = &[
    "example.com.crt",
    "example.com.key",
    "httpbin.test.svc.cluster.local.crt",
    "httpbin.test.svc.cluster.local.key",
    "client.test.svc.cluster.local.crt",
    "client.test.svc.cluster.local.key",
];

fn openssl(dir: &Path, args: &[&str]) -> (bool, String) {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("openssl runs");
    let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&out.stderr));
    (out.status.success(), text)
}

fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<_> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap())
        .map(|e| {
            (
                e.file_name().to_string_lossy().into_owned(),
                fs::read(e.path()).unwrap_or_default(),
            )
        })
        .collect();
    files.sort();
    files
}

pub(crate) fn makes_the_page_files_with_private_keys_0600() {
    let dir = tempdir();
    let out = certgen(dir.path(), &[]);
    for name in FILES {
        let meta = fs::metadata(dir.path().join(name)).unwrap_or_else(|_| panic!("{name} missing"));
        let mode = meta.permissions().mode() & 0o777;
        let expected = if name.ends_with(".key") { 0o600 } else { 0o644 };
        assert_eq!(mode, expected, "{name} has mode {mode:o}");
    }
    // No temporary files are left behind, and no key material is printed.
    assert_eq!(snapshot(dir.path()).len(), FILES.len());
    let printed = String::from_utf8_lossy(&out.stdout);
    assert!(!printed.contains("PRIVATE KEY"));
    assert!(printed.contains("httpbin.test.svc.cluster.local.crt"));
    assert!(printed.contains("DNS:httpbin.test.svc"));
}

pub(crate) fn openssl_verifies_the_leaves_and_sees_v3_sans_and_ekus() {
    if !require_tool("openssl") {
        return;
    }
    let dir = tempdir();
    certgen(dir.path(), &[]);
    let (ok, text) = openssl(
        dir.path(),
        &[
            "verify",
            "-CAfile",
            "example.com.crt",
            "httpbin.test.svc.cluster.local.crt",
            "client.test.svc.cluster.local.crt",
        ],
    );
    assert!(ok, "{text}");
    let (_, server) = openssl(
        dir.path(),
        &[
            "x509",
            "-in",
            "httpbin.test.svc.cluster.local.crt",
            "-noout",
            "-text",
        ],
    );
    assert!(server.contains("Version: 3 (0x2)"), "{server}");
    assert!(server.contains(
        "DNS:httpbin.test.svc.cluster.local, DNS:httpbin, DNS:httpbin.test, DNS:httpbin.test.svc"
    ));
    assert!(server.contains("TLS Web Server Authentication"));
    assert!(server.contains("X509v3 Authority Key Identifier"));
    assert!(
        server.contains("Subject: CN = httpbin.test.svc.cluster.local, O = httpbin organization")
    );
    assert!(server.contains("Public-Key: (2048 bit)"));
    let (_, client) = openssl(
        dir.path(),
        &[
            "x509",
            "-in",
            "client.test.svc.cluster.local.crt",
            "-noout",
            "-text",
        ],
    );
    assert!(client.contains("TLS Web Client Authentication"));
    assert!(client.contains("DNS:client.test.svc.cluster.local"));
    let (_, ca) = openssl(
        dir.path(),
        &["x509", "-in", "example.com.crt", "-noout", "-text"],
    );
    assert!(
        ca.contains("CA:TRUE") && ca.contains("X509v3 Basic Constraints: critical"),
        "{ca}"
    );
    assert!(ca.contains("Certificate Sign, CRL Sign"));
    assert!(ca.contains("Subject: O = example Inc., CN = example.com"));
    // The serial is random, positive and 20 bytes long.
    let (_, serial) = openssl(
        dir.path(),
        &["x509", "-in", "example.com.crt", "-noout", "-serial"],
    );
    let hex = serial.trim().trim_start_matches("serial=");
    assert_eq!(hex.len(), 40, "{serial}");
}

pub(crate) fn csr_flag_writes_requests_openssl_accepts() {
    if !require_tool("openssl") {
        return;
    }
    let dir = tempdir();
    certgen(dir.path(), &["--csr"]);
    for csr in [
        "httpbin.test.svc.cluster.local.csr",
        "client.test.svc.cluster.local.csr",
    ] {
        let (ok, text) = openssl(dir.path(), &["req", "-in", csr, "-noout", "-verify"]);
        assert!(ok, "{csr}: {text}");
    }
}

pub(crate) fn every_key_type_makes_a_chain_openssl_verifies() {
    if !require_tool("openssl") {
        return;
    }
    for key_type in ["ecdsa-p256", "ecdsa-p384", "ed25519", "rsa3072"] {
        let dir = tempdir();
        certgen(dir.path(), &["--key-type", key_type]);
        let (ok, text) = openssl(
            dir.path(),
            &[
                "verify",
                "-CAfile",
                "example.com.crt",
                "httpbin.test.svc.cluster.local.crt",
            ],
        );
        assert!(ok, "{key_type}: {text}");
    }
}

pub(crate) fn custom_names_derive_hosts_and_file_names() {
    let dir = tempdir();
    certgen(
        dir.path(),
        &[
            "-n",
            "shop",
            "--service",
            "cart",
            "--client-host",
            "buyer.example.org",
            "--days",
            "30",
        ],
    );
    assert!(dir.path().join("cart.shop.svc.cluster.local.crt").exists());
    assert!(dir.path().join("buyer.example.org.key").exists());
    let out = run(&[
        "cert",
        "inspect",
        dir.path()
            .join("cart.shop.svc.cluster.local.crt")
            .to_str()
            .unwrap(),
    ]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(
            "DNS:cart.shop.svc.cluster.local, DNS:cart, DNS:cart.shop, DNS:cart.shop.svc"
        ),
        "{text}"
    );
}

pub(crate) fn never_overwrites_without_force() {
    let dir = tempdir();
    certgen(dir.path(), &[]);
    let before = snapshot(dir.path());
    let out = run(&["certgen", "--out", dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("refusing to overwrite") && err.contains("--force"),
        "{err}"
    );
    assert_eq!(snapshot(dir.path()), before, "a refused run changed files");

    let out = run(&["certgen", "--out", dir.path().to_str().unwrap(), "--force"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let after = snapshot(dir.path());
    let ca = |files: &[(String, Vec<u8>)]| files.iter().find(|f| f.0 == "example.com.crt").cloned();
    assert_ne!(ca(&after), ca(&before), "--force makes a new CA");
}

pub(crate) fn reuses_an_existing_ca_to_sign_new_leaves() {
    let dir = tempdir();
    certgen(dir.path(), &[]);
    let ca_before = fs::read(dir.path().join("example.com.crt")).unwrap();
    let ca_key_before = fs::read(dir.path().join("example.com.key")).unwrap();
    for leaf in &FILES[2..] {
        fs::remove_file(dir.path().join(leaf)).unwrap();
    }
    let out = certgen(dir.path(), &[]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("(reused)"));
    assert_eq!(
        fs::read(dir.path().join("example.com.crt")).unwrap(),
        ca_before
    );
    assert_eq!(
        fs::read(dir.path().join("example.com.key")).unwrap(),
        ca_key_before
    );
    if has_tool("openssl") {
        let (ok, text) = openssl(
            dir.path(),
            &[
                "verify",
                "-CAfile",
                "example.com.crt",
                "httpbin.test.svc.cluster.local.crt",
            ],
        );
        assert!(ok, "{text}");
    }
}

pub(crate) fn reuses_a_ca_made_by_the_page_openssl_command() {
    if !require_tool("openssl") {
        return;
    }
    let dir = tempdir();
    crate::common::page_openssl_certs(dir.path());
    for leaf in ["httpbin", "client"] {
        for ext in ["crt", "key", "csr"] {
            fs::remove_file(
                dir.path()
                    .join(format!("{leaf}.test.svc.cluster.local.{ext}")),
            )
            .unwrap();
        }
    }
    certgen(dir.path(), &[]);
    let (ok, text) = openssl(
        dir.path(),
        &[
            "verify",
            "-CAfile",
            "example.com.crt",
            "httpbin.test.svc.cluster.local.crt",
            "client.test.svc.cluster.local.crt",
        ],
    );
    assert!(ok, "{text}");
}

/// Runs a failing certgen and checks: exit 1, the message, and that no file changed.
fn assert_fails_cleanly(dir: &Path, extra: &[&str], expected: &[&str]) {
    let before = snapshot(dir);
    let mut args = vec!["certgen", "--out", dir.to_str().unwrap()];
    args.extend_from_slice(extra);
    let out = run(&args);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.starts_with("Error: "), "{err}");
    for part in expected {
        assert!(err.contains(part), "expected {part:?} in {err:?}");
    }
    assert!(!err.contains("PRIVATE KEY"));
    assert_eq!(snapshot(dir), before, "a failed run changed files");
}

pub(crate) fn a_corrupt_ca_is_an_error_and_changes_nothing() {
    let dir = tempdir();
    certgen(dir.path(), &[]);
    for leaf in &FILES[2..] {
        fs::remove_file(dir.path().join(leaf)).unwrap();
    }
    fs::write(
        dir.path().join("example.com.crt"),
        "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
    )
    .unwrap();
    assert_fails_cleanly(
        dir.path(),
        &[],
        &["existing CA is unusable", "example.com.crt", "--force"],
    );
    fs::write(dir.path().join("example.com.crt"), "not pem at all\n").unwrap();
    assert_fails_cleanly(dir.path(), &[], &["no PEM data found"]);
}

pub(crate) fn a_ca_key_that_does_not_match_is_an_error() {
    let dir = tempdir();
    let other = tempdir();
    certgen(dir.path(), &[]);
    certgen(other.path(), &[]);
    for leaf in &FILES[2..] {
        fs::remove_file(dir.path().join(leaf)).unwrap();
    }
    fs::copy(
        other.path().join("example.com.key"),
        dir.path().join("example.com.key"),
    )
    .unwrap();
    assert_fails_cleanly(
        dir.path(),
        &[],
        &[
            "example.com.key does not match the public key in",
            "--force",
        ],
    );
}

pub(crate) fn a_half_present_ca_is_an_error() {
    let dir = tempdir();
    certgen(dir.path(), &[]);
    for leaf in &FILES[2..] {
        fs::remove_file(dir.path().join(leaf)).unwrap();
    }
    fs::remove_file(dir.path().join("example.com.key")).unwrap();
    assert_fails_cleanly(dir.path(), &[], &["but not", "example.com.key", "--force"]);
}

pub(crate) fn a_leaf_used_as_ca_is_refused() {
    let dir = tempdir();
    certgen(dir.path(), &[]);
    let leaf_crt = fs::read(dir.path().join("client.test.svc.cluster.local.crt")).unwrap();
    let leaf_key = fs::read(dir.path().join("client.test.svc.cluster.local.key")).unwrap();
    let target = tempdir();
    fs::write(target.path().join("example.com.crt"), leaf_crt).unwrap();
    fs::write(target.path().join("example.com.key"), leaf_key).unwrap();
    assert_fails_cleanly(target.path(), &[], &["is not a CA certificate"]);
}

pub(crate) fn an_invalid_host_name_is_an_error_before_any_file_is_written() {
    let dir = tempdir();
    assert_fails_cleanly(
        dir.path(),
        &["--server-host", "bad_host!"],
        &["invalid host name \"bad_host!\""],
    );
    assert_fails_cleanly(
        dir.path(),
        &["--client-host=-x.example"],
        &["invalid host name"],
    );
    assert_fails_cleanly(
        dir.path(),
        &["--ca-subject", "O=missing slash"],
        &["invalid subject", "/O=example Inc./CN=example.com"],
    );
}

pub(crate) fn an_unwritable_folder_is_an_error_and_leaves_nothing() {
    let dir = tempdir();
    let locked = dir.path().join("locked");
    fs::create_dir(&locked).unwrap();
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o500)).unwrap();
    // Root ignores mode bits; then the test cannot make the folder unwritable this way.
    let probe = locked.join(".probe");
    if fs::write(&probe, b"x").is_ok() {
        fs::remove_file(&probe).unwrap();
        let file_as_dir = dir.path().join("a-file");
        fs::write(&file_as_dir, b"x").unwrap();
        let out = run(&[
            "certgen",
            "--out",
            file_as_dir.join("sub").to_str().unwrap(),
        ]);
        assert_eq!(out.status.code(), Some(1));
        assert!(
            stderr(&out).contains("creating output folder"),
            "{}",
            stderr(&out)
        );
        // procfs refuses new files even to root: the write itself fails.
        let out = run(&["certgen", "--out", "/proc/self"]);
        assert_eq!(out.status.code(), Some(1));
        assert!(stderr(&out).contains("writable"), "{}", stderr(&out));
        return;
    }
    let out = run(&["certgen", "--out", locked.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("writable"), "{}", stderr(&out));
    assert_eq!(fs::read_dir(&locked).unwrap().count(), 0);
}

pub(crate) fn a_bad_flag_is_a_usage_error() {
    let out = run(&["certgen", "--key-type", "dsa"]);
    assert_eq!(out.status.code(), Some(64));
    let out = run(&["certgen", "--days", "0"]);
    assert_eq!(out.status.code(), Some(64));
}

/// The `.NAME.tmp-PID` files in `dir`.
fn temporary_files(dir: &Path) -> Vec<String> {
    fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.starts_with('.') && n.contains(".tmp-"))
                .collect()
        })
        .unwrap_or_default()
}

// Issue 16 item 10: killing certgen (SIGKILL or SIGTERM) at any moment left `.NAME.tmp-PID`
// files holding private keys in 51 of 113 runs. Files are now staged unnamed, so a kill leaves
// none; and a file left by an older meshtls is removed by the next run.
pub(crate) fn killing_certgen_leaves_no_temporary_file() {
    use std::process::Stdio;
    use std::time::{Duration, Instant};
    let dir = tempdir();
    let out = dir.path().join("certs");
    certgen(&out, &["--key-type", "ecdsa-p256"]);
    let deadline = Instant::now() + Duration::from_secs(4);
    let (mut runs, mut left) = (0u32, Vec::new());
    while Instant::now() < deadline {
        // Fresh folders and --force over existing files, ECDSA (fast) and RSA (slow) keys.
        let fresh = runs % 3 == 0;
        let target = if fresh {
            dir.path().join(format!("fresh-{runs}"))
        } else {
            out.clone()
        };
        let key_type = if runs % 5 == 4 {
            "rsa2048"
        } else {
            "ecdsa-p256"
        };
        let mut child = crate::common::meshtls()
            .args(["certgen", "--force", "--key-type", key_type, "--out"])
            .arg(&target)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("certgen starts");
        // Delays sweep the whole run, from start-up to the last rename.
        std::thread::sleep(Duration::from_micros(u64::from(runs * 2_700 % 70_000)));
        let signal = if runs % 2 == 0 { "KILL" } else { "TERM" };
        let _ = Command::new("kill")
            .args(["-s", signal, &child.id().to_string()])
            .status();
        let _ = child.wait();
        left.extend(temporary_files(&target));
        runs += 1;
    }
    // Whatever a kill left is removed by the next run over the same folder, which leaves none.
    fs::write(out.join(".example.com.key.tmp-4194399"), "stale").unwrap();
    let next = run(&["certgen", "--force", "--out", out.to_str().unwrap()]);
    assert!(next.status.success(), "{}", stderr(&next));
    assert!(
        stderr(&next).contains(".example.com.key.tmp-4194399"),
        "the stale file is named: {}",
        stderr(&next)
    );
    assert_eq!(temporary_files(&out), Vec::<String>::new());
    eprintln!(
        "{runs} killed certgen runs, {} temporary files left behind",
        left.len()
    );
    assert!(runs >= 20, "only {runs} runs in the time given");
    assert_eq!(left, Vec::<String>::new(), "after {runs} runs");
}

// Issue 16 item 11: `--key-type ed25519` wrote PKCS#8 v2 keys (public key embedded) that
// `openssl pkey`, curl and Envoy 1.40 refuse. Every key certgen makes is now PKCS#8 v1.
pub(crate) fn openssl_pkey_reads_every_key_type() {
    if !require_tool("openssl") {
        return;
    }
    for key_type in [
        "rsa2048",
        "rsa3072",
        "rsa4096",
        "ecdsa-p256",
        "ecdsa-p384",
        "ed25519",
    ] {
        let dir = tempdir();
        certgen(dir.path(), &["--key-type", key_type]);
        for key in FILES.iter().filter(|f| f.ends_with(".key")) {
            let (ok, text) = openssl(dir.path(), &["pkey", "-in", key, "-noout"]);
            assert!(ok, "{key_type} {key}: {text}");
            // RFC 5208 PrivateKeyInfo: version 0, and no [1] public key after the key.
            let (ok, asn1) = openssl(dir.path(), &["asn1parse", "-in", key]);
            assert!(ok, "{key_type} {key}: {asn1}");
            let mut lines = asn1.lines();
            assert!(
                lines
                    .nth(1)
                    .is_some_and(|l| l.ends_with("INTEGER           :00")),
                "{key_type} {key}: {asn1}"
            );
            assert!(!asn1.contains("cont [ 1 ]"), "{key_type} {key}: {asn1}");
        }
    }
}

// Issue 16 item 11: a real Envoy 1.40 serves TLS with an ed25519 pair certgen made, and curl
// (OpenSSL) completes the handshake against it with the CA.
pub(crate) fn a_real_envoy_loads_an_ed25519_pair() {
    if !require_tool("envoy") || !require_tool("curl") {
        return;
    }
    let dir = tempdir();
    let d = dir.path();
    certgen(d, &["--key-type", "ed25519"]);
    let file = |name: &str| d.join(name).to_str().expect("utf-8").to_string();
    let (admin, port) = (crate::common::free_port(), crate::common::free_port());
    let config = serde_json::json!({
        "admin": {"address": {"socket_address": {"address": "127.0.0.1", "port_value": admin}}},
        "static_resources": {"listeners": [{
            "name": "tls",
            "address": {"socket_address": {"address": "127.0.0.1", "port_value": port}},
            "filter_chains": [{
                "transport_socket": {"name": "envoy.transport_sockets.tls", "typed_config": {
                    "@type": "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext",
                    "common_tls_context": {"tls_certificates": [{
                        "certificate_chain": {"filename": file("httpbin.test.svc.cluster.local.crt")},
                        "private_key": {"filename": file("httpbin.test.svc.cluster.local.key")}}]}}},
                "filters": [{"name": "envoy.filters.network.http_connection_manager", "typed_config": {
                    "@type": "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager",
                    "stat_prefix": "tls",
                    "route_config": {"virtual_hosts": [{"name": "all", "domains": ["*"], "routes": [{
                        "match": {"prefix": "/"},
                        "direct_response": {"status": 200, "body": {"inline_string": "ed25519 ok"}}}]}]},
                    "http_filters": [{"name": "envoy.filters.http.router", "typed_config": {
                        "@type": "type.googleapis.com/envoy.extensions.filters.http.router.v3.Router"}}]}}]}]}]}
    });
    let _envoy = crate::common::start_envoy(d, &config, admin);
    let host = "httpbin.test.svc.cluster.local";
    let out = Command::new("curl")
        .args([
            "-sS",
            "--max-time",
            "5",
            "--cacert",
            &file("example.com.crt"),
            "--resolve",
            &format!("{host}:{port}:127.0.0.1"),
            &format!("https://{host}:{port}/"),
        ])
        .output()
        .expect("curl runs");
    let log = fs::read_to_string(d.join("envoy.log")).unwrap_or_default();
    assert!(
        out.status.success(),
        "curl exit {:?}: {}\n{log}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout), "ed25519 ok");
}
