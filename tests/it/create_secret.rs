//! `meshtls create secret` against the real kubectl: same bytes out, same errors, same exit codes.
use std::path::Path;
use std::process::{Command, Output};

use crate::common::{certgen, page_openssl_certs, require_tool, run, stderr, stdout, tempdir};

fn kubectl(dir: &Path, args: &[&str]) -> Output {
    Command::new("kubectl")
        .args(args)
        .current_dir(dir)
        .env("KUBECONFIG", "/dev/null")
        .output()
        .expect("kubectl runs")
}

fn meshtls_in(dir: &Path, args: &[&str]) -> Output {
    crate::common::meshtls()
        .args(args)
        .current_dir(dir)
        .output()
        .expect("meshtls runs")
}

/// Runs the same `create secret …` through kubectl (with --dry-run=client) and meshtls.
fn assert_same(dir: &Path, args: &[&str]) {
    let mut kube_args = vec!["create", "secret"];
    kube_args.extend_from_slice(args);
    kube_args.push("--dry-run=client");
    let expected = kubectl(dir, &kube_args);
    let got = meshtls_in(dir, &kube_args);
    assert_eq!(
        stdout(&got),
        stdout(&expected),
        "stdout differs for {args:?}; meshtls stderr: {}",
        stderr(&got)
    );
    assert_eq!(
        stderr(&got),
        stderr(&expected),
        "stderr differs for {args:?}"
    );
    assert_eq!(
        got.status.code(),
        expected.status.code(),
        "exit code differs for {args:?}"
    );
}

const PAGE_CASES: &[&[&str]] = &[
    &[
        "generic",
        "httpbin-mtls-termination-cacert",
        "-n",
        "test",
        "--from-file=ca.crt=./example.com.crt",
        "-o",
        "yaml",
    ],
    &[
        "tls",
        "httpbin-mtls-termination",
        "-n",
        "test",
        "--cert",
        "./httpbin.test.svc.cluster.local.crt",
        "--key",
        "./httpbin.test.svc.cluster.local.key",
        "-o",
        "yaml",
    ],
    &[
        "tls",
        "httpbin-mtls-termination",
        "--cert",
        "httpbin.test.svc.cluster.local.crt",
        "--key",
        "httpbin.test.svc.cluster.local.key",
        "-o",
        "yaml",
    ],
    &[
        "generic",
        "httpbin-mtls-termination-cacert",
        "-n",
        "test",
        "--from-file=ca.crt=./example.com.crt",
        "-o",
        "json",
    ],
    &[
        "tls",
        "httpbin-mtls-termination",
        "-n",
        "test",
        "--cert",
        "./httpbin.test.svc.cluster.local.crt",
        "--key",
        "./httpbin.test.svc.cluster.local.key",
        "-o",
        "json",
    ],
];

pub(crate) fn secrets_from_meshtls_certs_match_kubectl_byte_for_byte() {
    if !require_tool("kubectl") {
        return;
    }
    let dir = tempdir();
    certgen(dir.path(), &[]);
    for case in PAGE_CASES {
        assert_same(dir.path(), case);
    }
}

pub(crate) fn secrets_from_the_page_openssl_certs_match_kubectl_byte_for_byte() {
    if !require_tool("kubectl") || !require_tool("openssl") {
        return;
    }
    let dir = tempdir();
    page_openssl_certs(dir.path());
    for case in PAGE_CASES {
        assert_same(dir.path(), case);
    }
}

pub(crate) fn folders_literals_types_and_odd_values_match_kubectl() {
    if !require_tool("kubectl") {
        return;
    }
    let dir = tempdir();
    let d = dir.path();
    std::fs::create_dir(d.join("folder")).unwrap();
    std::fs::create_dir(d.join("folder/sub")).unwrap();
    std::fs::write(d.join("folder/a.txt"), "alpha\n").unwrap();
    std::fs::write(d.join("folder/.hidden"), "").unwrap();
    std::os::unix::fs::symlink("a.txt", d.join("folder/link")).unwrap();
    // Three bytes that base64-encode to digits only ("1234"): go-yaml must quote them.
    std::fs::write(d.join("digits"), [0xd7, 0x6d, 0xf8]).unwrap();
    for case in [
        &["generic", "s", "--from-file=folder", "-o", "yaml"][..],
        &[
            "generic",
            "s",
            "--from-file=digits",
            "--from-literal=k=v",
            "--from-literal=empty=",
            "-o",
            "yaml",
        ],
        &[
            "generic",
            "s",
            "--from-literal=x=y",
            "--type=Opaque",
            "-n",
            "ns1",
            "-o",
            "yaml",
        ],
        &[
            "generic",
            "s",
            "--from-literal=x=y",
            "--type=Opaque",
            "-o",
            "json",
        ],
        &[
            "generic",
            "true",
            "--from-literal=123=456",
            "-n",
            "on",
            "-o",
            "yaml",
        ],
        &["generic", "empty", "-o", "yaml"],
        &["generic", "empty", "-o", "json"],
    ] {
        assert_same(d, case);
    }
}

pub(crate) fn error_messages_and_exit_codes_match_kubectl() {
    if !require_tool("kubectl") {
        return;
    }
    let dir = tempdir();
    certgen(dir.path(), &[]);
    let d = dir.path();
    std::fs::write(d.join("notpem.crt"), "just text\n").unwrap();
    std::fs::create_dir(d.join("folder")).unwrap();
    std::fs::write(d.join("folder/b@d"), "x").unwrap();
    let server = ["--cert", "httpbin.test.svc.cluster.local.crt"];
    for case in [
        &["generic", "s", "--from-file=./nope.crt", "-o", "yaml"][..],
        &[
            "generic",
            "s",
            "--from-file=ca.crt=./example.com.crt",
            "--from-file=ca.crt=./example.com.crt",
            "-o",
            "yaml",
        ],
        &[
            "generic",
            "s",
            "--from-file=b@d=./example.com.crt",
            "-o",
            "yaml",
        ],
        &[
            "generic",
            "s",
            "--from-file=bad/key=./example.com.crt",
            "-o",
            "yaml",
        ],
        &[
            "generic",
            "s",
            "--from-file=..x=./example.com.crt",
            "-o",
            "yaml",
        ],
        &["generic", "s", "--from-file=folder", "-o", "yaml"],
        &["generic", "s", "--from-file=k=folder", "-o", "yaml"],
        &[
            "generic",
            "s",
            "--from-file==./example.com.crt",
            "-o",
            "yaml",
        ],
        &["generic", "s", "--from-file=k=", "-o", "yaml"],
        &["generic", "s", "--from-literal=novalue", "-o", "yaml"],
        &[
            "generic",
            "s",
            "--from-literal=x=1",
            "--from-literal=x=2",
            "-o",
            "yaml",
        ],
        &[
            "tls",
            "s",
            server[0],
            server[1],
            "--key",
            "client.test.svc.cluster.local.key",
            "-o",
            "yaml",
        ],
        &[
            "tls",
            "s",
            "--cert",
            "notpem.crt",
            "--key",
            "client.test.svc.cluster.local.key",
            "-o",
            "yaml",
        ],
        &[
            "tls",
            "s",
            "--cert",
            "client.test.svc.cluster.local.key",
            "--key",
            "client.test.svc.cluster.local.key",
            "-o",
            "yaml",
        ],
        &[
            "tls",
            "s",
            server[0],
            server[1],
            "--key",
            "example.com.crt",
            "-o",
            "yaml",
        ],
        &[
            "tls",
            "s",
            server[0],
            server[1],
            "--key",
            "notpem.crt",
            "-o",
            "yaml",
        ],
        &[
            "tls",
            "s",
            "--cert",
            "nope.crt",
            "--key",
            "example.com.key",
            "-o",
            "yaml",
        ],
        &["tls", "s", server[0], server[1], "-o", "yaml"],
    ] {
        assert_same(d, case);
    }
}

pub(crate) fn a_certificate_request_is_not_a_certificate() {
    if !require_tool("kubectl") {
        return;
    }
    let dir = tempdir();
    certgen(dir.path(), &["--csr"]);
    assert_same(
        dir.path(),
        &[
            "tls",
            "s",
            "--cert",
            "client.test.svc.cluster.local.csr",
            "--key",
            "client.test.svc.cluster.local.key",
            "-o",
            "yaml",
        ],
    );
}

pub(crate) fn without_kubectl_the_yaml_is_still_well_formed() {
    // Runs everywhere: the shape kubectl prints (reference §3), checked without kubectl.
    let dir = tempdir();
    certgen(dir.path(), &[]);
    let ca = dir.path().join("example.com.crt");
    let arg = format!("--from-file=ca.crt={}", ca.display());
    let out = run(&["create", "secret", "generic", "cacert", "-n", "test", &arg]);
    assert!(out.status.success());
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "apiVersion: v1");
    assert_eq!(lines[1], "data:");
    assert!(lines[2].starts_with("  ca.crt: LS0tLS1CRUdJTi"));
    assert_eq!(
        &lines[3..],
        [
            "kind: Secret",
            "metadata:",
            "  creationTimestamp: null",
            "  name: cacert",
            "  namespace: test"
        ]
    );
}

// Issue 16 item 10: `--from-file=DIR/` packed the `.NAME.tmp-PID` files a killed certgen left.
// kubectl (checked: 1.32, `handleSecretFromFileSources`) packs every regular file whose name is
// a valid key, dot-files included, and skips links and folders; meshtls keeps its bytes exactly
// and warns on stderr about a name that looks like an interrupted write's temporary file.
pub(crate) fn a_folder_with_a_temporary_file_gives_kubectls_bytes_and_a_warning() {
    if !require_tool("kubectl") {
        return;
    }
    let dir = tempdir();
    let d = dir.path();
    certgen(&d.join("certs"), &["--key-type", "ecdsa-p256"]);
    std::fs::write(d.join("certs/.x.tmp-1"), "-----BEGIN PRIVATE KEY-----\n").unwrap();
    std::fs::create_dir(d.join("certs/sub")).unwrap();
    std::os::unix::fs::symlink("example.com.crt", d.join("certs/link")).unwrap();
    let args = [
        "create",
        "secret",
        "generic",
        "s",
        "--from-file=certs/",
        "--dry-run=client",
        "-o",
        "yaml",
    ];
    let expected = kubectl(d, &args);
    let got = meshtls_in(d, &args);
    assert!(expected.status.success(), "{}", stderr(&expected));
    assert_eq!(stdout(&got), stdout(&expected));
    assert_eq!(got.status.code(), expected.status.code());
    assert!(stdout(&got).contains("  .x.tmp-1: "), "{}", stdout(&got));
    let warning = stderr(&got);
    assert!(
        warning.starts_with("warning: packing certs/.x.tmp-1: it looks like a temporary file"),
        "{warning}"
    );
    assert_eq!(warning.lines().count(), 1, "{warning}");
}
