//! `meshtls analyze` (issue 9): one broken fixture per check in testdata/analyze/ with its exact
//! output, certificate checks on certificates made now, output formats, threshold, suppression.
use std::path::Path;
use std::process::Output;
use std::sync::OnceLock;

use time::format_description::well_known::Rfc3339;

use crate::common::{
    certgen, golden, meshtls, page_openssl_certs, require_tool, run, stderr, stdout, tempdir,
    testdata,
};

/// Runs `meshtls analyze ARGS` in `dir` (so findings show the short file names).
fn analyze_in(dir: &Path, args: &[&str]) -> Output {
    meshtls()
        .current_dir(dir)
        .arg("analyze")
        .args(args)
        .output()
        .expect("meshtls runs")
}

/// What the data formats print: stdout only, with nothing on stderr.
fn ok_stdout(out: &Output) -> String {
    assert!(stderr(out).is_empty(), "stderr: {}", stderr(out));
    stdout(out)
}

/// What `-o log` shows a user: the findings (stdout), then the summary and verdict (stderr).
fn log(out: &Output) -> String {
    stdout(out) + &stderr(out)
}

const CLEAN: &str = "✔ No validation issues found when analyzing namespace: test.\n";

fn render(args: &[&str]) -> String {
    let out = run(&[&["render"], args].concat());
    assert!(out.status.success(), "render failed: {}", stderr(&out));
    stdout(&out)
}

/// The page's two Secrets, from certificates `meshtls certgen` made for this test run.
fn page_secrets() -> &'static str {
    static SECRETS: OnceLock<String> = OnceLock::new();
    SECRETS.get_or_init(|| {
        let dir = tempdir();
        certgen(dir.path(), &[]);
        render(&["secrets", "--certs", dir.path().to_str().expect("utf-8")])
    })
}

/// Copies `testdata/analyze/<name>.yaml` and the Secrets into a fresh folder.
fn workspace(name: &str, secrets: &str) -> tempfile::TempDir {
    let dir = tempdir();
    std::fs::copy(
        testdata(&format!("analyze/{name}.yaml")),
        dir.path().join(format!("{name}.yaml")),
    )
    .expect("copy fixture");
    std::fs::write(dir.path().join("secrets.yaml"), secrets).expect("write secrets");
    dir
}

/// Analyzes a fixture with the page's Secrets; checks the exit code and the golden output.
fn fixture(name: &str, code: i32) {
    let dir = workspace(name, page_secrets());
    let file = format!("{name}.yaml");
    let out = analyze_in(
        dir.path(),
        &["-f", &file, "-f", "secrets.yaml", "-n", "test"],
    );
    let text = log(&out);
    assert_eq!(out.status.code(), Some(code), "{name}:\n{text}");
    golden(&format!("analyze/{name}.txt"), &text);
}

pub(crate) fn base_is_clean() {
    fixture("base", 0);
}

pub(crate) fn check_1_tls_flag_off() {
    fixture("tls-flag-off", 79);
}

pub(crate) fn check_2_tls_port_not_disable() {
    fixture("tls-port-strict", 79);
}

pub(crate) fn check_3_permissive_plain_port() {
    fixture("permissive-plain-port", 0);
}

pub(crate) fn check_4_path_outside_the_mounts() {
    fixture("cert-path-not-mounted", 79);
}

pub(crate) fn check_4_mount_of_an_unknown_volume() {
    fixture("unknown-volume", 79);
}

pub(crate) fn check_4_annotation_that_is_not_json() {
    fixture("bad-annotation-json", 79);
}

pub(crate) fn check_5_secret_not_in_the_input() {
    fixture("secret-not-found", 79);
}

pub(crate) fn check_5_optional_hides_a_missing_secret() {
    fixture("optional-secret-missing", 79);
}

pub(crate) fn check_5_secret_without_the_key() {
    fixture("secret-key-missing", 79);
}

pub(crate) fn check_6_selectors_matching_nothing() {
    fixture("selector-not-found", 79);
}

pub(crate) fn check_7_ports_that_do_not_line_up() {
    fixture("ports", 0);
}

pub(crate) fn check_8_validation() {
    fixture("validation", 79);
}

pub(crate) fn check_10_doubled_sidecars() {
    fixture("sidecars", 79);
}

/// Replaces RFC 3339 instants (`2026-11-28T12:00:00Z`) with `<TIME>`: certificates are made now.
fn without_times(text: &str) -> String {
    let shape = |w: &[u8]| {
        w.len() == 20
            && w.iter().enumerate().all(|(i, b)| match i {
                4 | 7 => *b == b'-',
                10 => *b == b'T',
                13 | 16 => *b == b':',
                19 => *b == b'Z',
                _ => b.is_ascii_digit(),
            })
    };
    let bytes = text.as_bytes();
    let mut out = String::new();
    let mut i = 0;
    while i < bytes.len() {
        if i + 20 <= bytes.len() && shape(&bytes[i..i + 20]) {
            out.push_str("<TIME>");
            i += 20;
        } else {
            let c = text[i..].chars().next().expect("char boundary");
            out.push(c);
            i += c.len_utf8();
        }
    }
    out
}

fn path_str(path: &Path) -> &str {
    path.to_str().expect("utf-8 temp path")
}

/// The two Secrets from explicit files (a generic Secret of type tls, so a wrong key still goes in).
fn secrets_from(cert: &Path, key: &Path, ca: Option<&Path>, ca_literal: Option<&str>) -> String {
    let tls = run(&[
        "create",
        "secret",
        "generic",
        "httpbin-mtls-termination",
        "-n",
        "test",
        "--type",
        "kubernetes.io/tls",
        &format!("--from-file=tls.crt={}", path_str(cert)),
        &format!("--from-file=tls.key={}", path_str(key)),
    ]);
    assert!(tls.status.success(), "{}", stderr(&tls));
    let source = match (ca, ca_literal) {
        (Some(ca), _) => format!("--from-file=ca.crt={}", path_str(ca)),
        (None, Some(text)) => format!("--from-literal=ca.crt={text}"),
        (None, None) => panic!("a CA file or literal"),
    };
    let ca = run(&[
        "create",
        "secret",
        "generic",
        "httpbin-mtls-termination-cacert",
        "-n",
        "test",
        &source,
    ]);
    assert!(ca.status.success(), "{}", stderr(&ca));
    format!("{}---\n{}", stdout(&tls), stdout(&ca))
}

/// Analyzes base.yaml with `secrets` and `--certs certs`; checks exit code and golden `name`.
fn cert_case(name: &str, secrets: &str, certs: &Path, extra: &[&str], code: i32) {
    let dir = workspace("base", secrets);
    let args = [
        &[
            "-f",
            "base.yaml",
            "-f",
            "secrets.yaml",
            "-n",
            "test",
            "--certs",
            path_str(certs),
        ],
        extra,
    ]
    .concat();
    let out = analyze_in(dir.path(), &args);
    let text = without_times(&log(&out));
    assert_eq!(out.status.code(), Some(code), "{name}:\n{text}");
    golden(&format!("analyze/{name}.txt"), &text);
}

const SERVER: &str = "httpbin.test.svc.cluster.local";

pub(crate) fn check_9_server_certificate_for_another_name() {
    let certs = tempdir();
    certgen(certs.path(), &["--server-host", "wrong.example.com"]);
    let p = certs.path();
    let secrets = secrets_from(
        &p.join("wrong.example.com.crt"),
        &p.join("wrong.example.com.key"),
        Some(&p.join("example.com.crt")),
        None,
    );
    cert_case("certs-name", &secrets, p, &[], 79);
}

pub(crate) fn check_9_certificates_expiring_soon() {
    let certs = tempdir();
    certgen(certs.path(), &["--days", "10"]);
    let secrets = render(&["secrets", "--certs", path_str(certs.path())]);
    cert_case("certs-expiring", &secrets, certs.path(), &[], 0);
}

pub(crate) fn check_9_expired_certificates() {
    let certs = tempdir();
    certgen(certs.path(), &["--days", "1"]);
    let secrets = render(&["secrets", "--certs", path_str(certs.path())]);
    let later = (time::OffsetDateTime::now_utc() + time::Duration::days(3))
        .format(&Rfc3339)
        .expect("format");
    cert_case(
        "certs-expired",
        &secrets,
        certs.path(),
        &["--now", &later],
        79,
    );
}

pub(crate) fn check_9_key_that_does_not_match() {
    let (certs, other) = (tempdir(), tempdir());
    certgen(certs.path(), &[]);
    certgen(other.path(), &[]);
    let secrets = secrets_from(
        &certs.path().join(format!("{SERVER}.crt")),
        &other.path().join(format!("{SERVER}.key")),
        Some(&certs.path().join("example.com.crt")),
        None,
    );
    cert_case("certs-key-mismatch", &secrets, certs.path(), &[], 79);
}

pub(crate) fn check_9_certificates_from_another_ca() {
    let (certs, other) = (tempdir(), tempdir());
    certgen(certs.path(), &[]);
    certgen(other.path(), &[]);
    let secrets = secrets_from(
        &certs.path().join(format!("{SERVER}.crt")),
        &certs.path().join(format!("{SERVER}.key")),
        Some(&other.path().join("example.com.crt")),
        None,
    );
    cert_case("certs-wrong-ca", &secrets, certs.path(), &[], 79);
}

pub(crate) fn check_9_ca_secret_that_is_not_pem() {
    let certs = tempdir();
    certgen(certs.path(), &[]);
    let secrets = secrets_from(
        &certs.path().join(format!("{SERVER}.crt")),
        &certs.path().join(format!("{SERVER}.key")),
        None,
        Some("not-a-certificate"),
    );
    cert_case("certs-unreadable", &secrets, certs.path(), &[], 79);
}

/// The page's openssl certificates: only the expected warnings (v1 leaves, a CN-only name).
pub(crate) fn check_9_the_pages_openssl_certificates_warn_only() {
    if !require_tool("openssl") {
        return;
    }
    let certs = tempdir();
    page_openssl_certs(certs.path());
    let secrets = render(&["secrets", "--certs", path_str(certs.path())]);
    cert_case("certs-openssl", &secrets, certs.path(), &[], 0);
}

/// Everything `meshtls render` prints, with meshtls certificates, analyzes clean.
pub(crate) fn the_pages_manifests_with_meshtls_certificates_are_clean() {
    let certs = tempdir();
    certgen(certs.path(), &[]);
    let dir = tempdir();
    let all = render(&["--certs", path_str(certs.path())]);
    std::fs::write(dir.path().join("task.yaml"), all).expect("write");
    let out = analyze_in(
        dir.path(),
        &[
            "-f",
            "task.yaml",
            "-n",
            "test",
            "--certs",
            path_str(certs.path()),
        ],
    );
    assert_eq!((stdout(&out).as_str(), stderr(&out).as_str()), ("", CLEAN));
    assert_eq!(out.status.code(), Some(0));
}

/// The page's own YAML (no install document) is clean once the install command is given.
pub(crate) fn the_pages_yaml_with_its_install_command_is_clean() {
    let dir = workspace("base", page_secrets());
    std::fs::copy(testdata("page/task.yaml"), dir.path().join("task.yaml")).expect("copy");
    let install = render(&["install", "--print-command"]);
    std::fs::write(dir.path().join("install.txt"), install).expect("write");
    let args = ["-f", "task.yaml", "-f", "secrets.yaml", "-n", "test"];
    let out = analyze_in(
        dir.path(),
        &[&args[..], &["--istio-install", "install.txt"]].concat(),
    );
    assert_eq!((stdout(&out).as_str(), stderr(&out).as_str()), ("", CLEAN));
    let without = analyze_in(dir.path(), &args);
    assert_eq!(without.status.code(), Some(79));
    assert!(
        stdout(&without)
            .starts_with("Error [MTLS0001] (Sidecar test/ingress-sidecar task.yaml:77)")
    );
}

pub(crate) fn json_and_yaml_output() {
    let dir = workspace("tls-port-strict", page_secrets());
    let args = [
        "-f",
        "tls-port-strict.yaml",
        "-f",
        "secrets.yaml",
        "-n",
        "test",
    ];
    let json = analyze_in(dir.path(), &[&args[..], &["-o", "json"]].concat());
    assert_eq!(json.status.code(), Some(79));
    golden("analyze/tls-port-strict.out.json", &ok_stdout(&json));
    let yaml = analyze_in(dir.path(), &[&args[..], &["-o", "yaml"]].concat());
    assert_eq!(yaml.status.code(), Some(79));
    golden("analyze/tls-port-strict.out.yaml", &ok_stdout(&yaml));
    let clean = workspace("base", page_secrets());
    let empty = analyze_in(
        clean.path(),
        &["-f", "base.yaml", "-f", "secrets.yaml", "-o", "json"],
    );
    assert_eq!(ok_stdout(&empty), "[]\n");
}

pub(crate) fn failure_threshold_sets_the_failing_level() {
    let dir = workspace("permissive-plain-port", page_secrets());
    let args = [
        "-f",
        "permissive-plain-port.yaml",
        "-f",
        "secrets.yaml",
        "-n",
        "test",
    ];
    assert_eq!(analyze_in(dir.path(), &args).status.code(), Some(0));
    let strict = analyze_in(
        dir.path(),
        &[&args[..], &["--failure-threshold", "Warning"]].concat(),
    );
    assert_eq!(strict.status.code(), Some(79));
    assert!(stderr(&strict).ends_with(
        "Error: Analyzers found issues when analyzing namespace: test.\nRun `meshtls analyze --explain MTLS0003` for more information about causes and resolutions.\n"
    ));
    // --output-threshold hides lower levels; the exit status still counts them.
    let quiet = analyze_in(
        dir.path(),
        &[
            &args[..],
            &[
                "--output-threshold",
                "Error",
                "--failure-threshold",
                "Warning",
            ],
        ]
        .concat(),
    );
    assert_eq!(
        (stdout(&quiet).as_str(), quiet.status.code()),
        ("", Some(79))
    );
}

pub(crate) fn suppress_silences_one_finding() {
    let dir = workspace("tls-port-strict", page_secrets());
    let args = [
        "-f",
        "tls-port-strict.yaml",
        "-f",
        "secrets.yaml",
        "-n",
        "test",
    ];
    let out = analyze_in(
        dir.path(),
        &[
            &args[..],
            &["--suppress", "MTLS0002=Sidecar/test/ingress-sidecar"],
        ]
        .concat(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let other = analyze_in(
        dir.path(),
        &[&args[..], &["--suppress", "MTLS0002=Sidecar/test/other"]].concat(),
    );
    assert_eq!(other.status.code(), Some(79));
    let bad = analyze_in(
        dir.path(),
        &[&args[..], &["--suppress", "MTLS0002"]].concat(),
    );
    assert_eq!(bad.status.code(), Some(64));
    // Issue 17: `CODE=*` (as the help says, `*` matches anything) is accepted.
    let all = analyze_in(
        dir.path(),
        &[&args[..], &["--suppress", "MTLS0002=*"]].concat(),
    );
    assert_eq!(all.status.code(), Some(0), "{}", stderr(&all));
}

/// Issue 17: files and folders as positional arguments, as `istioctl analyze a.yaml dir/`.
pub(crate) fn positional_file_and_folder() {
    let dir = workspace("tls-port-strict", page_secrets());
    let sub = dir.path().join("more");
    std::fs::create_dir(&sub).expect("mkdir");
    std::fs::rename(dir.path().join("secrets.yaml"), sub.join("secrets.yaml")).expect("move");
    let out = analyze_in(dir.path(), &["tls-port-strict.yaml", "more/", "-n", "test"]);
    let text = log(&out);
    assert_eq!(out.status.code(), Some(79), "{text}");
    assert!(text.contains("[MTLS0002]"), "{text}");
    // The Secrets in the folder were read: no missing-Secret findings.
    assert!(
        !text.contains("[MTLS0006]") && !text.contains("[MTLS0007]"),
        "{text}"
    );
    // Positional paths and -f together.
    let mixed = analyze_in(
        dir.path(),
        &["-f", "tls-port-strict.yaml", "more", "-n", "test"],
    );
    assert_eq!(log(&mixed), text);
}

pub(crate) fn malformed_yaml_is_a_data_error() {
    let out = run(&[
        "analyze",
        "-f",
        testdata("validate/malformed.yaml").to_str().expect("utf-8"),
    ]);
    assert_eq!(out.status.code(), Some(65));
    assert!(stderr(&out).starts_with("Error: "), "{}", stderr(&out));
}

/// Without Secrets, `--certs DIR` alone is checked: leaves against the CA found in DIR.
pub(crate) fn check_9_a_folder_alone_is_checked_against_its_own_ca() {
    let (certs, other) = (tempdir(), tempdir());
    certgen(certs.path(), &[]);
    certgen(other.path(), &[]);
    for ext in ["crt", "key"] {
        let name = format!("client.test.svc.cluster.local.{ext}");
        std::fs::copy(other.path().join(&name), certs.path().join(&name)).expect("copy");
    }
    cert_case("certs-folder", "", certs.path(), &[], 79);
}

/// Issue 17: every code's documentation is in the binary (`--explain`, as `rustc --explain`), and
/// the README's analyzer-code sections say the same.
pub(crate) fn explain_prints_each_code_as_the_readme_documents_it() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).expect("README");
    let sections: Vec<(&str, &str)> = readme
        .split("\n#### ")
        .skip(1)
        .filter_map(|s| s.split_once('\n'))
        .filter(|(id, _)| id.starts_with("MTLS"))
        .map(|(id, body)| (id, body.split("\n## ").next().unwrap_or(body).trim()))
        .collect();
    assert_eq!(
        sections.len(),
        meshtls::analyze::Code::ALL.len(),
        "README analyzer sections"
    );
    for (id, body) in sections {
        let out = run(&["analyze", "--explain", id]);
        let text = ok_stdout(&out);
        assert_eq!(out.status.code(), Some(0), "{id}");
        assert!(text.starts_with(&format!("{id} ")), "{id}: {text}");
        assert!(
            text.contains(body),
            "README.md's {id} differs from `meshtls analyze --explain {id}`:\n{text}"
        );
    }
    // By name too, any case; an unknown code is a usage error.
    let by_name = run(&["analyze", "--explain", "tlsflagoff"]);
    assert!(stdout(&by_name).starts_with("MTLS0001 TlsFlagOff (Error)"));
    let unknown = run(&["analyze", "--explain", "MTLS9999"]);
    assert_eq!(unknown.status.code(), Some(64));
    assert!(
        stderr(&unknown).contains(&format!(
            "MTLS0001 to MTLS{:04}",
            meshtls::analyze::Code::ALL.len()
        )),
        "{}",
        stderr(&unknown)
    );
}

/// Rewrites an Ed25519 PKCS#8 v1 key file as PKCS#8 v2 (RFC 5958, public key embedded): what
/// `certgen --key-type ed25519` wrote before issue 16.
pub fn rewrite_as_pkcs8_v2(path: &Path) {
    use aws_lc_rs::signature::Ed25519KeyPair;
    use base64::Engine;
    use base64::engine::general_purpose::STANDARD;
    let pem = std::fs::read_to_string(path).expect("key file");
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    let v1 = STANDARD.decode(body).expect("base64");
    let v2 = Ed25519KeyPair::from_pkcs8(&v1)
        .expect("an Ed25519 key")
        .to_pkcs8()
        .expect("PKCS#8 v2");
    let b64 = STANDARD.encode(v2.as_ref());
    let lines: Vec<&str> = b64
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).expect("ascii"))
        .collect();
    let text = format!(
        "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n",
        lines.join("\n")
    );
    std::fs::write(path, text).expect("write key");
}

// Issue 16 item 11: an Ed25519 key in PKCS#8 v2 loads in meshtls and kubectl but not in the
// real istio-proxy (Envoy 1.40: SEQUENCE_LENGTH_MISMATCH); analyze says so (MTLS0024).
pub(crate) fn check_9_key_the_real_proxy_cannot_load() {
    let certs = tempdir();
    certgen(certs.path(), &["--key-type", "ed25519"]);
    let key = certs.path().join(format!("{SERVER}.key"));
    rewrite_as_pkcs8_v2(&key);
    let secrets = secrets_from(
        &certs.path().join(format!("{SERVER}.crt")),
        &key,
        Some(&certs.path().join("example.com.crt")),
        None,
    );
    cert_case("certs-key-pkcs8-v2", &secrets, certs.path(), &[], 0);
    // create secret tls keeps kubectl's bytes and exit code, and warns.
    let out = run(&[
        "create",
        "secret",
        "tls",
        "s",
        "--cert",
        path_str(&certs.path().join(format!("{SERVER}.crt"))),
        "--key",
        path_str(&key),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("the real istio-proxy cannot load this key")
            && stderr(&out).contains("PKCS#8 v2"),
        "{}",
        stderr(&out)
    );
}
