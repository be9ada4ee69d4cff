//! `meshtls cert inspect`: any PEM (the page's v1 leaves included), chain verdicts, JSON.
use crate::common::{certgen, page_openssl_certs, require_tool, run, stderr, stdout, tempdir};

pub(crate) fn shows_the_page_v1_openssl_certificates() {
    if !require_tool("openssl") {
        return;
    }
    let dir = tempdir();
    page_openssl_certs(dir.path());
    let leaf = dir.path().join("httpbin.test.svc.cluster.local.crt");
    let ca = dir.path().join("example.com.crt");
    let out = run(&[
        "cert",
        "inspect",
        leaf.to_str().unwrap(),
        "--ca",
        ca.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("Subject:     CN=httpbin.test.svc.cluster.local, O=httpbin organization"),
        "{text}"
    );
    assert!(text.contains("Issuer:      O=example Inc., CN=example.com"));
    assert!(text.contains("SANs:        (none)"));
    assert!(text.contains("Serial:      01"));
    assert!(text.contains("Version:     1 (X.509 v1"));
    assert!(text.contains("Key:         RSA 2048"));
    assert!(text.contains("Chain:       verified against"));
    let out = run(&["cert", "inspect", ca.to_str().unwrap()]);
    let text = stdout(&out);
    assert!(
        text.contains("CA:          true") && text.contains("Version:     3"),
        "{text}"
    );
}

pub(crate) fn says_why_a_chain_does_not_verify() {
    let dir = tempdir();
    let other = tempdir();
    certgen(dir.path(), &[]);
    certgen(other.path(), &[]);
    let leaf = dir.path().join("client.test.svc.cluster.local.crt");
    // Same subject, different key: the signature check is what fails.
    let wrong_ca = other.path().join("example.com.crt");
    let out = run(&[
        "cert",
        "inspect",
        leaf.to_str().unwrap(),
        "--ca",
        wrong_ca.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(3));
    assert!(
        stdout(&out).contains("NOT verified against"),
        "{}",
        stdout(&out)
    );
    assert!(
        stdout(&out)
            .contains("the signature does not verify against \"O=example Inc., CN=example.com\"")
    );

    // A CA bundle with another subject: the issuer is unknown.
    let unrelated = tempdir();
    certgen(unrelated.path(), &["--ca-subject", "/CN=other-ca"]);
    let out = run(&[
        "cert",
        "inspect",
        leaf.to_str().unwrap(),
        "--ca",
        unrelated.path().join("other-ca.crt").to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(3));
    assert!(
        stdout(&out).contains("no certificate in the CA bundle has subject"),
        "{}",
        stdout(&out)
    );

    // Later than the certificate's validity: expired.
    let out = run(&[
        "cert",
        "inspect",
        leaf.to_str().unwrap(),
        "--ca",
        dir.path().join("example.com.crt").to_str().unwrap(),
        "--now",
        "2099-01-01T00:00:00Z",
    ]);
    assert_eq!(out.status.code(), Some(3));
    assert!(stdout(&out).contains("expired at"), "{}", stdout(&out));
}

pub(crate) fn json_output_lists_every_certificate_in_a_bundle() {
    let dir = tempdir();
    certgen(dir.path(), &[]);
    let bundle = dir.path().join("bundle.pem");
    let mut bytes = std::fs::read(dir.path().join("httpbin.test.svc.cluster.local.crt")).unwrap();
    bytes.extend(std::fs::read(dir.path().join("example.com.crt")).unwrap());
    std::fs::write(&bundle, bytes).unwrap();
    let out = run(&[
        "cert",
        "inspect",
        bundle.to_str().unwrap(),
        "-o",
        "json",
        "--ca",
        dir.path().join("example.com.crt").to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let value: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let items = value.as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["index"], 1);
    assert_eq!(items[0]["version"], 3);
    assert_eq!(items[0]["is_ca"], false);
    assert_eq!(items[0]["sans"][0], "DNS:httpbin.test.svc.cluster.local");
    assert_eq!(items[0]["chain"]["verified"], true);
    assert_eq!(items[1]["is_ca"], true);
    assert_eq!(items[0]["serial"].as_str().unwrap().len(), 40);
}

pub(crate) fn non_pem_and_missing_files_are_clear_errors() {
    let dir = tempdir();
    let junk = dir.path().join("junk.crt");
    std::fs::write(&junk, "hello\n").unwrap();
    let out = run(&["cert", "inspect", junk.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("no PEM data found"),
        "{}",
        stderr(&out)
    );
    let out = run(&[
        "cert",
        "inspect",
        dir.path().join("nope.crt").to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("reading"), "{}", stderr(&out));
    let key_only = dir.path().join("k.pem");
    certgen(dir.path(), &[]);
    std::fs::copy(dir.path().join("example.com.key"), &key_only).unwrap();
    let out = run(&["cert", "inspect", key_only.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("no certificate found (found only: private key)"),
        "{}",
        stderr(&out)
    );
    assert!(!stderr(&out).contains("BEGIN"));
}
