//! `meshtls render`: golden files, the page's resources (semantic), round trip, values file,
//! output folder, and kubectl reading the result (issue 3).
use meshtls::task::Manifest;
use meshtls::task::manifest::to_multi_yaml;
use meshtls::task::read::{Text, from_texts};

/// Every document of `text`, typed through the task's reader; an unknown kind is an error here.
fn parse_manifests(text: &str) -> Result<Vec<Manifest>, String> {
    parse_manifests_in(text, "default")
}

fn parse_manifests_in(text: &str, namespace: &str) -> Result<Vec<Manifest>, String> {
    let text = Text {
        name: "render.yaml".to_string(),
        text: text.to_string(),
    };
    let input = from_texts(&[text], namespace).map_err(|e| e.to_string())?;
    if !input.skipped.is_empty() {
        return Err(format!("kinds not read: {:?}", input.skipped));
    }
    Ok(input.into_task().map_err(|e| e.to_string())?.manifests())
}

use crate::common::{
    certgen, golden, has_tool, require_tool, run, stderr, stdout, tempdir, testdata, testdata_arg,
};

fn render_ok(args: &[&str]) -> String {
    let out = run(&[&["render"], args].concat());
    assert!(
        out.status.success(),
        "render {args:?} failed: {}",
        stderr(&out)
    );
    stdout(&out)
}

/// Every WHAT but `secrets`, whose bytes depend on freshly made certificates.
const ALL_BUT_SECRETS: &[&str] = &[
    "install",
    "namespace",
    "peer-authentication",
    "app",
    "sidecar",
    "sleep",
];

/// The task's certificates, made now by `meshtls certgen` (kept alive with the folder).
fn fresh_certs() -> (tempfile::TempDir, String) {
    let dir = tempdir();
    certgen(dir.path(), &[]);
    let path = dir.path().to_str().expect("utf-8 temp path").to_string();
    (dir, path)
}

pub(crate) fn default_render_matches_golden() {
    golden("render/default.yaml", &render_ok(ALL_BUT_SECRETS));
}

pub(crate) fn simple_render_matches_golden() {
    golden(
        "render/simple.yaml",
        &render_ok(&[ALL_BUT_SECRETS, &["--tls-mode", "SIMPLE"]].concat()),
    );
}

pub(crate) fn optional_mutual_render_matches_golden() {
    golden(
        "render/optional-mutual.yaml",
        &render_ok(&[ALL_BUT_SECRETS, &["--tls-mode", "OPTIONAL_MUTUAL"]].concat()),
    );
}

const CUSTOM: &[&str] = &[
    "install",
    "namespace",
    "peer-authentication",
    "app",
    "sidecar",
    "sleep",
    "-n",
    "shop",
    "--app",
    "web",
    "--app-version",
    "v2",
    "--image",
    "docker.io/mccutchen/go-httpbin:v2.15.0",
    "--sidecar-name",
    "web-ingress",
    "--secret",
    "web-tls",
    "--ca-secret",
    "web-ca",
    "--app-port",
    "8080",
    "--tls-port",
    "9443",
    "--http-port",
    "9090",
    "--service-tls-port",
    "443",
    "--service-http-port",
    "80",
    "--min-tls-version",
    "TLSV1_2",
    "--cipher-suites",
    "ECDHE-RSA-AES128-GCM-SHA256",
    "--cert-mount",
    "/etc/web/certs/",
    "--ca-mount",
    "/etc/web/ca/",
    "--istio-api-version",
    "v1beta1",
];

pub(crate) fn custom_names_and_ports_match_golden() {
    golden("render/custom.yaml", &render_ok(CUSTOM));
}

pub(crate) fn values_file_gives_the_same_as_flags_and_flags_override_it() {
    let values = testdata_arg("values/custom.yaml");
    let from_file = render_ok(&[
        "install",
        "namespace",
        "peer-authentication",
        "app",
        "sidecar",
        "sleep",
        "--values",
        &values,
    ]);
    assert_eq!(from_file, render_ok(CUSTOM));
    let overridden = render_ok(&["sidecar", "--values", &values, "--tls-port", "9555"]);
    assert!(overridden.contains("number: 9555"), "{overridden}");
    assert!(overridden.contains("namespace: shop"), "{overridden}");
}

pub(crate) fn unknown_values_key_is_a_data_error() {
    let dir = tempdir();
    let file = dir.path().join("values.yaml");
    std::fs::write(&file, "tlsPrt: 1\n").unwrap();
    let out = run(&["render", "sidecar", "--values", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(65));
    assert!(
        stderr(&out).contains("unknown field `tlsPrt`"),
        "{}",
        stderr(&out)
    );
    assert!(stderr(&out).contains(":1:1:"), "{}", stderr(&out));
}

/// The page applies every document with `kubectl -n test`; the reader does the same with `ns`.
fn page(rel: &str, ns: &str) -> Vec<Manifest> {
    let text = std::fs::read_to_string(testdata(rel)).unwrap();
    parse_manifests_in(&text, ns).unwrap()
}

pub(crate) fn default_render_equals_the_pages_resources() {
    let rendered = parse_manifests(&render_ok(&["peer-authentication", "app", "sidecar"])).unwrap();
    assert_eq!(rendered, page("page/task.yaml", "test"));
    let sleep = parse_manifests(&render_ok(&["sleep", "--sleep-namespace", "test"])).unwrap();
    assert_eq!(sleep, page("page/sleep.yaml", "test"));
}

pub(crate) fn default_render_adds_namespace_install_and_secrets() {
    let (_keep, certs) = fresh_certs();
    let all = parse_manifests(&render_ok(&["--certs", &certs])).unwrap();
    let kinds: Vec<String> = all
        .iter()
        .map(|m| format!("{} {}", m.kind(), m.key().1))
        .collect();
    assert_eq!(&kinds[..2], ["IstioOperator meshtls", "Namespace test"]);
    assert!(kinds.contains(&"Secret httpbin-mtls-termination-cacert".to_string()));
    // Sleep goes outside the mesh (default) and inside it (test), as on the page.
    let sleeps: Vec<_> = all
        .iter()
        .filter(|m| m.kind() == "Deployment" && m.key().1 == "sleep")
        .map(|m| m.key().0)
        .collect();
    assert_eq!(sleeps, ["default", "test"]);
}

pub(crate) fn secrets_are_the_create_secret_bytes() {
    let (_keep, dir) = fresh_certs();
    let rendered = render_ok(&["secrets", "--certs", &dir]);
    let ca = run(&[
        "create",
        "secret",
        "generic",
        "httpbin-mtls-termination-cacert",
        "-n",
        "test",
        &format!("--from-file=ca.crt={dir}/example.com.crt"),
    ]);
    let tls = run(&[
        "create",
        "secret",
        "tls",
        "httpbin-mtls-termination",
        "-n",
        "test",
        "--cert",
        &format!("{dir}/httpbin.test.svc.cluster.local.crt"),
        "--key",
        &format!("{dir}/httpbin.test.svc.cluster.local.key"),
    ]);
    assert_eq!(rendered, format!("{}---\n{}", stdout(&ca), stdout(&tls)));
}

pub(crate) fn render_parse_render_gives_the_same_bytes() {
    let (_keep, certs) = fresh_certs();
    for args in [
        vec!["--certs".to_string(), certs],
        CUSTOM.iter().map(|s| s.to_string()).collect(),
    ] {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let first = render_ok(&args);
        let again = to_multi_yaml(&parse_manifests(&first).unwrap()).unwrap();
        assert_eq!(first, again);
    }
}

pub(crate) fn out_dir_writes_one_file_per_resource() {
    let dir = tempdir();
    let out_dir = dir.path().join("manifests");
    let (_keep, certs) = fresh_certs();
    let out = run(&[
        "render",
        "--certs",
        &certs,
        "--out-dir",
        out_dir.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let mut names: Vec<String> = std::fs::read_dir(&out_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names.len(), 16);
    assert_eq!(names[0], "00-istiooperator-istio-system-meshtls.yaml");
    assert_eq!(names[9], "09-sidecar-test-ingress-sidecar.yaml");
    let docs: Vec<String> = names
        .iter()
        .map(|n| std::fs::read_to_string(out_dir.join(n)).unwrap())
        .collect();
    assert_eq!(docs.join("---\n"), render_ok(&["--certs", &certs]));
}

// Issue 16 item 9: the Secret files of `render --out-dir` hold the server's private key, so
// they are 0600 from creation whatever the umask; the other manifests stay 0644.
pub(crate) fn out_dir_writes_secrets_0600() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempdir();
    let out_dir = dir.path().join("manifests");
    let (_keep, certs) = fresh_certs();
    let out = run(&[
        "render",
        "--certs",
        &certs,
        "--out-dir",
        out_dir.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let mut secrets = 0;
    for entry in std::fs::read_dir(&out_dir).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name().to_string_lossy().into_owned();
        let mode = entry.metadata().unwrap().permissions().mode() & 0o777;
        if name.contains("-secret-") {
            secrets += 1;
            assert_eq!(mode, 0o600, "{name} is {mode:o}");
        } else {
            assert_eq!(mode, 0o644, "{name} is {mode:o}");
        }
    }
    assert_eq!(secrets, 2, "the tls Secret and the CA's generic Secret");
}

pub(crate) fn print_command_prints_the_istioctl_line() {
    assert_eq!(
        render_ok(&["install", "--print-command"]),
        "istioctl install --set profile=default --set values.pilot.env.ENABLE_TLS_ON_SIDECAR_INGRESS=true\n"
    );
}

pub(crate) fn missing_certificates_say_how_to_make_them() {
    let dir = tempdir();
    let out = run(&["render", "--certs", dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("example.com.crt for `secrets`"), "{err}");
    assert!(err.contains("meshtls certgen"), "{err}");
}

/// Issue 17: a bare `render` in a folder without certificates renders everything else and
/// says, in one line on stderr, how to add the Secrets; `render secrets` there stays an error.
pub(crate) fn bare_render_without_certificates_leaves_the_secrets_out() {
    let dir = tempdir();
    let out = crate::common::meshtls()
        .arg("render")
        .current_dir(dir.path())
        .output()
        .expect("meshtls runs");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let yaml = stdout(&out);
    assert!(!yaml.contains("kind: Secret"), "{yaml}");
    for kind in [
        "kind: Namespace",
        "kind: Sidecar",
        "kind: PeerAuthentication",
        "kind: Deployment",
    ] {
        assert!(yaml.contains(kind), "{kind} missing");
    }
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with("note: no certificates in ."), "{err}");
    assert!(
        err.contains("meshtls certgen") && err.contains("--certs DIR"),
        "{err}"
    );

    let explicit = crate::common::meshtls()
        .args(["render", "secrets"])
        .current_dir(dir.path())
        .output()
        .expect("meshtls runs");
    assert_eq!(explicit.status.code(), Some(1));
    assert!(
        stderr(&explicit).contains("meshtls certgen"),
        "{}",
        stderr(&explicit)
    );

    // With the certificates there, the bare render has the Secrets again.
    certgen(dir.path(), &[]);
    let full = crate::common::meshtls()
        .arg("render")
        .current_dir(dir.path())
        .output()
        .expect("meshtls runs");
    assert!(stdout(&full).contains("kind: Secret"));
    assert_eq!(stderr(&full), "");
}

pub(crate) fn bad_parameters_are_all_reported() {
    let out = run(&[
        "render",
        "sidecar",
        "--app",
        "Web",
        "--http-port",
        "9080",
        "--cert-mount",
        "certs",
    ]);
    // Bad flags are a usage error (issue 17).
    assert_eq!(out.status.code(), Some(64));
    let err = stderr(&out);
    for part in [
        "--app \"Web\"",
        "--tls-port and --http-port are both 9080",
        "--cert-mount \"certs\"",
    ] {
        assert!(err.contains(part), "{part} missing in {err}");
    }
}

pub(crate) fn render_validate_passes_on_the_task() {
    let out = run(&["render", "--validate", "peer-authentication", "sidecar"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stderr(&out), "");
}

pub(crate) fn yaml_1_1_look_alikes_stay_quoted() {
    let install = render_ok(&["install"]);
    assert!(
        install.contains("ENABLE_TLS_ON_SIDECAR_INGRESS: \"true\"\n"),
        "{install}"
    );
    let app = render_ok(&["app", "--app-version", "on"]);
    assert!(app.contains("version: \"on\"\n"), "{app}");
}

pub(crate) fn kubectl_reads_every_document() {
    if !require_tool("kubectl") {
        return;
    }
    // `--local` makes kubectl decode the objects without a cluster.
    let (_keep, certs) = fresh_certs();
    let rendered = render_ok(&["--certs", &certs]);
    let mut child = std::process::Command::new("kubectl")
        .args(["label", "--local", "-f", "-", "checked=true", "-o", "name"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("kubectl runs");
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(rendered.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "kubectl: {}", stderr(&out));
    let names = stdout(&out);
    assert_eq!(names.lines().count(), 16, "{names}");
    assert!(
        names.contains("sidecar.networking.istio.io/ingress-sidecar\n"),
        "{names}"
    );
    assert!(
        names.contains("peerauthentication.security.istio.io/default\n"),
        "{names}"
    );
}

pub(crate) fn what_is_printed_in_apply_order_once() {
    let out = render_ok(&["sidecar", "namespace", "sidecar"]);
    let kinds: Vec<&str> = out.lines().filter(|l| l.starts_with("kind: ")).collect();
    assert_eq!(kinds, ["kind: Namespace", "kind: Sidecar"]);
}

pub(crate) fn older_istio_api_versions_render_and_validate() {
    let out = render_ok(&[
        "peer-authentication",
        "sidecar",
        "--istio-api-version",
        "v1alpha3",
        "--validate",
    ]);
    assert!(
        out.contains("apiVersion: networking.istio.io/v1alpha3\n"),
        "{out}"
    );
    // PeerAuthentication has no v1alpha3; its oldest served version is v1beta1.
    assert!(
        out.contains("apiVersion: security.istio.io/v1beta1\n"),
        "{out}"
    );
}

pub(crate) fn rendered_manifests_are_validated_as_istio_does() {
    use meshtls::render::{Params, What, render};
    use meshtls::task::manifest::validate_manifests;
    let mut manifests = render(&Params::default(), &[What::Sidecar], None).unwrap();
    assert_eq!(validate_manifests(&manifests), []);
    let Manifest::Sidecar(sidecar) = &mut manifests[0] else {
        panic!("not a Sidecar")
    };
    sidecar.spec.ingress[0]
        .tls
        .as_mut()
        .unwrap()
        .credential_name = Some("httpbin".into());
    let findings: Vec<String> = validate_manifests(&manifests)
        .iter()
        .map(|f| f.to_string())
        .collect();
    assert_eq!(
        findings,
        [
            "Error (Sidecar test/ingress-sidecar) spec.ingress[0].tls.credentialName: sidecar: credentialName is not currently supported",
            "Error (Sidecar test/ingress-sidecar) spec.ingress[0].tls: only one of credential_name, credential_names, server_certificate/private_key, tls_certificates should be specified",
        ]
    );
}

pub(crate) fn invalid_label_values_are_refused_before_rendering() {
    let out = run(&["render", "--validate", "sidecar", "--app-version", "v*"]);
    assert_eq!(out.status.code(), Some(64));
    assert_eq!(stdout(&out), "");
    assert!(
        stderr(&out).contains("--app-version \"v*\" must be a Kubernetes label value"),
        "{}",
        stderr(&out)
    );
}

/// Issue 17: `render -o json` is one List object, as `kubectl get -o json` prints several, with
/// the same objects as the YAML; kubectl reads it.
pub(crate) fn json_output_is_a_kubectl_list() {
    let (_keep, certs) = fresh_certs();
    let yaml = render_ok(&["--certs", &certs]);
    let json = render_ok(&["--certs", &certs, "-o", "json"]);
    assert!(
        json.starts_with("{\n    \"apiVersion\": \"v1\",\n    \"items\": ["),
        "{json}"
    );
    let list: serde_json::Value = serde_json::from_str(&json).expect("json");
    assert_eq!(list["kind"], "List");
    let docs = meshtls::k8s::yaml::read_documents(&yaml).expect("yaml");
    assert_eq!(list["items"].as_array(), Some(&docs));
    let explicit_yaml = render_ok(&["--certs", &certs, "-o", "yaml"]);
    assert_eq!(explicit_yaml, yaml);
    if has_tool("kubectl") {
        let mut child = std::process::Command::new("kubectl")
            .args(["label", "--local", "-f", "-", "checked=true", "-o", "name"])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("kubectl runs");
        use std::io::Write;
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(json.as_bytes())
            .expect("write");
        let out = child.wait_with_output().expect("kubectl");
        assert!(out.status.success(), "kubectl: {}", stderr(&out));
        assert_eq!(stdout(&out).lines().count(), docs.len());
    }
}
