//! Cluster mode (issue 8) against the in-process fake API server: kubeconfig resolution and
//! errors, server-side apply (create, update, dry run, missing Istio CRDs), `pc secret` through a
//! port-forward, `check`, `cleanup`, and the exec/copy helpers; kubectl reads back what we stored.
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use serde_json::{Value, json};

use crate::common::{certgen, has_tool, meshtls, require_tool, stderr, stdout, tempdir, testdata};
use crate::fake_apiserver::FakeApiServer;

/// meshtls with a clean environment: only the given kubeconfig, no in-cluster variables.
fn cluster_cmd(home: &Path) -> Command {
    let mut cmd = meshtls();
    cmd.env("HOME", home)
        .env_remove("KUBECONFIG")
        .env_remove("KUBERNETES_SERVICE_HOST");
    cmd
}

fn run_with(kubeconfig: &Path, args: &[&str]) -> Output {
    let home = kubeconfig.parent().expect("folder");
    let mut cmd = cluster_cmd(home);
    cmd.args(args).arg("--kubeconfig").arg(kubeconfig);
    cmd.output().expect("meshtls runs")
}

/// The task's manifests, Secrets included, rendered by meshtls from fresh certificates.
fn task_yaml(dir: &Path, what: &[&str]) -> PathBuf {
    certgen(dir, &[]);
    let mut args = vec!["render", "--certs", dir.to_str().expect("utf-8")];
    args.extend_from_slice(what);
    let out = meshtls().args(&args).output().expect("render runs");
    assert!(out.status.success(), "{}", stderr(&out));
    let path = dir.join("task.yaml");
    std::fs::write(&path, &out.stdout).expect("write task.yaml");
    path
}

const TASK_LINES: &str = "\
namespace/test serverside-applied
peerauthentication.security.istio.io/default serverside-applied
peerauthentication.security.istio.io/disable-peer-auth-for-external-mtls-port serverside-applied
secret/httpbin-mtls-termination-cacert serverside-applied
secret/httpbin-mtls-termination serverside-applied
serviceaccount/httpbin serverside-applied
service/httpbin serverside-applied
deployment.apps/httpbin serverside-applied
sidecar.networking.istio.io/ingress-sidecar serverside-applied
serviceaccount/sleep serverside-applied
service/sleep serverside-applied
deployment.apps/sleep serverside-applied
serviceaccount/sleep serverside-applied
service/sleep serverside-applied
deployment.apps/sleep serverside-applied
";

const TASK_PARTS: [&str; 6] = [
    "namespace",
    "peer-authentication",
    "secrets",
    "app",
    "sidecar",
    "sleep",
];

pub(crate) fn apply_creates_the_task_then_updates_it_and_kubectl_reads_it_back() {
    let dir = tempdir();
    let fake = FakeApiServer::start(true);
    let kc = fake.kubeconfig(dir.path(), "kc.json", "fake", None);
    let task = task_yaml(dir.path(), &TASK_PARTS);
    let task_arg = task.to_str().expect("utf-8");

    let out = run_with(&kc, &["apply", "-f", task_arg]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), TASK_LINES);

    let secret = fake
        .get("Secret", "test", "httpbin-mtls-termination")
        .expect("stored");
    assert_eq!(secret["type"], "kubernetes.io/tls");
    assert_eq!(secret["metadata"]["managedFields"][0]["manager"], "meshtls");
    let crt = std::fs::read(dir.path().join("httpbin.test.svc.cluster.local.crt")).expect("crt");
    use base64::Engine;
    let stored = base64::engine::general_purpose::STANDARD
        .decode(secret["data"]["tls.crt"].as_str().expect("tls.crt"))
        .expect("base64");
    assert_eq!(stored, crt);
    assert!(fake.get("Deployment", "default", "sleep").is_some());
    assert!(fake.get("Sidecar", "test", "ingress-sidecar").is_some());

    // Applying again updates in place and prints the same lines.
    let again = run_with(&kc, &["apply", "-f", task_arg]);
    assert!(again.status.success(), "{}", stderr(&again));
    assert_eq!(stdout(&again), TASK_LINES);
    let log = fake.log();
    assert!(
        log.iter().any(|l| l.starts_with(
            "PATCH /api/v1/namespaces/test/secrets/httpbin-mtls-termination?&fieldManager=meshtls"
        )),
        "{log:?}"
    );

    // kubectl, a real client, reads what meshtls stored.
    if has_tool("kubectl") {
        let out = Command::new("kubectl")
            .arg("--kubeconfig")
            .arg(&kc)
            .args([
                "get",
                "secret",
                "-n",
                "test",
                "httpbin-mtls-termination",
                "-o",
                "jsonpath={.data.tls\\.crt}",
            ])
            .output()
            .expect("kubectl runs");
        assert!(out.status.success(), "kubectl: {}", stderr(&out));
        assert_eq!(
            stdout(&out),
            secret["data"]["tls.crt"].as_str().expect("data")
        );
        let yaml = Command::new("kubectl")
            .arg("--kubeconfig")
            .arg(&kc)
            .args([
                "get",
                "sidecar",
                "-n",
                "test",
                "ingress-sidecar",
                "-o",
                "yaml",
            ])
            .output()
            .expect("kubectl runs");
        assert!(yaml.status.success(), "kubectl: {}", stderr(&yaml));
        assert!(
            stdout(&yaml).contains("serverCertificate: /etc/istio/tls-certs/tls.crt"),
            "{}",
            stdout(&yaml)
        );
    }
}

pub(crate) fn server_dry_run_stores_nothing_and_says_so() {
    let dir = tempdir();
    let fake = FakeApiServer::start(true);
    let kc = fake.kubeconfig(dir.path(), "kc.json", "fake", None);
    let task = task_yaml(dir.path(), &["secrets"]);
    // The namespace must exist for a dry run of objects in it.
    fake.insert(json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "test"}}));
    let before = fake.count();
    let out = run_with(
        &kc,
        &[
            "apply",
            "--dry-run=server",
            "-f",
            task.to_str().expect("utf-8"),
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "secret/httpbin-mtls-termination-cacert serverside-applied (server dry run)\n\
         secret/httpbin-mtls-termination serverside-applied (server dry run)\n"
    );
    assert_eq!(fake.count(), before);
    assert!(fake.log().iter().any(|l| l.contains("dryRun=All")));
}

pub(crate) fn missing_istio_crds_stop_the_apply_before_anything_is_sent() {
    let dir = tempdir();
    let fake = FakeApiServer::start(false);
    let kc = fake.kubeconfig(dir.path(), "kc.json", "fake", None);
    let task = task_yaml(dir.path(), &["namespace", "sidecar"]);
    let before = fake.count();
    let out = run_with(&kc, &["apply", "-f", task.to_str().expect("utf-8")]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        "Error: document 2: Sidecar.networking.istio.io is not served by this cluster: install Istio first (meshtls render install | istioctl install -f -)\n"
    );
    assert_eq!(stdout(&out), "");
    assert_eq!(fake.count(), before);
}

pub(crate) fn render_apply_and_create_secret_apply_send_to_the_cluster() {
    let dir = tempdir();
    let fake = FakeApiServer::start(true);
    let kc = fake.kubeconfig(dir.path(), "kc.json", "fake", Some("test"));
    certgen(dir.path(), &[]);
    let certs = dir.path().to_str().expect("utf-8");
    let out = run_with(
        &kc,
        &[
            "render",
            "namespace",
            "sidecar",
            "--certs",
            certs,
            "--apply",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "namespace/test serverside-applied\nsidecar.networking.istio.io/ingress-sidecar serverside-applied\n"
    );
    // The whole task, install included: the IstioOperator is left to istioctl, with a warning.
    let all = run_with(&kc, &["render", "--certs", certs, "--apply"]);
    assert!(all.status.success(), "{}", stderr(&all));
    assert!(
        stderr(&all).contains("not applying the IstioOperator"),
        "{}",
        stderr(&all)
    );
    assert_eq!(stdout(&all), TASK_LINES);

    let ca = dir.path().join("example.com.crt");
    let out = run_with(
        &kc,
        &[
            "create",
            "secret",
            "generic",
            "extra-ca",
            "--from-file",
            &format!("ca.crt={}", ca.display()),
            "--apply",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), "secret/extra-ca serverside-applied\n");
    // No -n: the context's namespace (test).
    assert!(fake.get("Secret", "test", "extra-ca").is_some());
    let dry = run_with(
        &kc,
        &[
            "create",
            "secret",
            "generic",
            "dry-ca",
            "-n",
            "default",
            "--from-literal",
            "a=b",
            "--dry-run=server",
        ],
    );
    assert!(dry.status.success(), "{}", stderr(&dry));
    assert_eq!(
        stdout(&dry),
        "secret/dry-ca serverside-applied (server dry run)\n"
    );
    assert!(fake.get("Secret", "default", "dry-ca").is_none());
}

pub(crate) fn kubeconfig_files_merge_as_kubectl_and_the_context_namespace_is_the_default() {
    let dir = tempdir();
    let fake = FakeApiServer::start(true);
    fake.insert(json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team"}}));
    // The first file sets current-context `dead` (nothing listens there); the second adds
    // `fake`, whose namespace is `team`. A later file never overrides an earlier one.
    let dead = json!({
        "apiVersion": "v1", "kind": "Config", "current-context": "dead",
        "clusters": [{"name": "dead-cluster", "cluster": {"server": "http://127.0.0.1:9"}}],
        "users": [{"name": "dead-user", "user": {}}],
        "contexts": [{"name": "dead", "context": {"cluster": "dead-cluster", "user": "dead-user"}}],
    });
    let first = dir.path().join("first.json");
    std::fs::write(&first, dead.to_string()).expect("write");
    let second = fake.kubeconfig(dir.path(), "second.json", "fake", Some("team"));
    let missing = dir.path().join("missing.json");
    let kubeconfig = std::env::join_paths([&first, &missing, &second]).expect("join");
    let secret = dir.path().join("s.yaml");
    std::fs::write(
        &secret,
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: merged\nstringData:\n  a: b\n",
    )
    .expect("write");
    let secret_arg = secret.to_str().expect("utf-8");

    let out = cluster_cmd(dir.path())
        .env("KUBECONFIG", &kubeconfig)
        .args(["apply", "-f", secret_arg, "--context", "fake"])
        .output()
        .expect("runs");
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(fake.get("Secret", "team", "merged").is_some());

    // -n wins over the context's namespace; a document's own namespace must agree with it.
    let out = cluster_cmd(dir.path())
        .env("KUBECONFIG", &kubeconfig)
        .args([
            "apply",
            "-f",
            secret_arg,
            "--context",
            "fake",
            "-n",
            "default",
        ])
        .output()
        .expect("runs");
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(fake.get("Secret", "default", "merged").is_some());

    // The current-context of the first file is used by default: its server is down.
    let out = cluster_cmd(dir.path())
        .env("KUBECONFIG", &kubeconfig)
        .args(["apply", "-f", secret_arg])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.starts_with("Error: cannot reach the Kubernetes API server http://127.0.0.1:9 (context \"dead\"); is the cluster running? (`kubectl --context dead cluster-info`)"),
        "{err}"
    );

    let out = cluster_cmd(dir.path())
        .env("KUBECONFIG", &kubeconfig)
        .args(["apply", "-f", secret_arg, "--context", "nope"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("context \"nope\" is not in the kubeconfig")
            && stderr(&out).contains("known contexts: dead, fake"),
        "{}",
        stderr(&out)
    );

    let out = cluster_cmd(dir.path())
        .args(["apply", "-f", secret_arg])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).starts_with("Error: no kubeconfig found: set KUBECONFIG or pass --kubeconfig"),
        "{}",
        stderr(&out)
    );

    // Inside a pod (KUBERNETES_SERVICE_HOST set) with no kubeconfig: the service account is used.
    let out = cluster_cmd(dir.path())
        .env("KUBERNETES_SERVICE_HOST", "127.0.0.1")
        .env("KUBERNETES_SERVICE_PORT", "9")
        .args(["apply", "-f", secret_arg])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out)
            .starts_with("Error: in-cluster configuration (KUBERNETES_SERVICE_HOST is set)"),
        "{}",
        stderr(&out)
    );
}

/// A one-file admin endpoint: answers `GET <SECRETS_PATH>` with `body`, anything else 404.
fn admin_server(body: Vec<u8>) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    std::thread::spawn(move || {
        for stream in listener.incoming().take(8) {
            let Ok(mut stream) = stream else { continue };
            let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
            let mut request = Vec::new();
            let mut buf = [0u8; 4096];
            while !request.windows(4).any(|w| w == b"\r\n\r\n") && request.len() < 65536 {
                match stream.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => request.extend_from_slice(&buf[..n]),
                }
            }
            let line = String::from_utf8_lossy(&request);
            let ok = line.starts_with(&format!(
                "GET {} ",
                meshtls::configdump::source::SECRETS_PATH
            ));
            let (status, payload) = if ok {
                ("200 OK", body.clone())
            } else {
                ("404 Not Found", b"not found".to_vec())
            };
            let head = format!(
                "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                payload.len()
            );
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(&payload);
        }
    });
    addr
}

fn pod(
    ns: &str,
    name: &str,
    labels: Value,
    annotations: Value,
    containers: Value,
    volumes: Value,
) -> Value {
    json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": name, "namespace": ns, "labels": labels, "annotations": annotations},
        "spec": {"containers": containers, "volumes": volumes},
        "status": {"phase": "Running"},
    })
}

pub(crate) fn proxy_config_secret_reads_a_pod_through_a_port_forward() {
    let dir = tempdir();
    let fake = FakeApiServer::start(true);
    let kc = fake.kubeconfig(dir.path(), "kc.json", "fake", None);
    let dump = std::fs::read(testdata("proxy-config/istio.json")).expect("fixture");
    fake.set_admin(admin_server(dump));
    fake.insert(json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "test"}}));
    fake.insert(pod(
        "test",
        "httpbin-5bbdbd6588-z9vbs",
        json!({"app": "httpbin"}),
        json!({}),
        json!([{"name": "httpbin"}]),
        json!([]),
    ));
    fake.insert(json!({"apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "httpbin", "namespace": "test"},
        "spec": {"selector": {"matchLabels": {"app": "httpbin"}}, "template": {}}}));
    let golden =
        std::fs::read_to_string(testdata("proxy-config/golden/istio.short.out")).expect("golden");
    let now = "2026-11-28T12:00:00Z";

    for target in ["httpbin-5bbdbd6588-z9vbs.test", "deployment/httpbin.test"] {
        let out = run_with(&kc, &["pc", "secret", target, "--now", now]);
        assert!(out.status.success(), "{target}: {}", stderr(&out));
        assert_eq!(stdout(&out), golden, "{target}");
    }
    // The port-forward asked for the admin port.
    assert!(fake.log().iter().any(|l| l.contains(
        "/api/v1/namespaces/test/pods/httpbin-5bbdbd6588-z9vbs/portforward?&ports=15000"
    )));
    // -n gives the namespace of a bare pod name.
    let out = run_with(
        &kc,
        &[
            "pc",
            "s",
            "httpbin-5bbdbd6588-z9vbs",
            "-n",
            "test",
            "--now",
            now,
        ],
    );
    assert_eq!(stdout(&out), golden, "{}", stderr(&out));

    let missing = run_with(&kc, &["pc", "secret", "nope.test"]);
    assert_eq!(missing.status.code(), Some(1));
    assert_eq!(
        stderr(&missing),
        "Error: unable to retrieve Pod: pods \"nope\" not found\n"
    );
    let missing = run_with(&kc, &["pc", "secret", "deployment/nope"]);
    assert_eq!(
        stderr(&missing),
        "Error: unable to retrieve Deployment: deployments.apps \"nope\" not found\n"
    );
}

/// The cluster as the task leaves it when everything is right.
fn healthy(fake: &FakeApiServer) {
    fake.insert(json!({"apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "istiod", "namespace": "istio-system"},
        "spec": {"selector": {"matchLabels": {"app": "istiod"}}, "template": {"spec": {"containers": [
            {"name": "discovery", "env": [{"name": "ENABLE_TLS_ON_SIDECAR_INGRESS", "value": "true"}]}]}}}}));
    fake.insert(json!({"apiVersion": "v1", "kind": "Namespace",
        "metadata": {"name": "test", "labels": {"istio-injection": "enabled"}}}));
    fake.insert(httpbin_pod(true));
}

fn httpbin_pod(mounted: bool) -> Value {
    let mounts = if mounted {
        json!([{"name": "tls-secret", "mountPath": "/etc/istio/tls-certs/", "readOnly": true},
               {"name": "tls-ca-secret", "mountPath": "/etc/istio/tls-ca-certs/", "readOnly": true}])
    } else {
        json!([])
    };
    pod(
        "test",
        "httpbin-1",
        json!({"app": "httpbin", "version": "v1"}),
        json!({
            "sidecar.istio.io/userVolume": "{\"tls-secret\":{\"secret\":{\"secretName\":\"httpbin-mtls-termination\",\"optional\":true}},\"tls-ca-secret\":{\"secret\":{\"secretName\":\"httpbin-mtls-termination-cacert\"}}}",
            "sidecar.istio.io/userVolumeMount": "{\"tls-secret\":{\"mountPath\":\"/etc/istio/tls-certs/\",\"readOnly\":true},\"tls-ca-secret\":{\"mountPath\":\"/etc/istio/tls-ca-certs/\",\"readOnly\":true}}",
        }),
        json!([{"name": "httpbin"}, {"name": "istio-proxy", "volumeMounts": mounts}]),
        json!([{"name": "tls-secret", "secret": {"secretName": "httpbin-mtls-termination"}},
               {"name": "tls-ca-secret", "secret": {"secretName": "httpbin-mtls-termination-cacert"}}]),
    )
}

pub(crate) fn check_passes_on_a_healthy_cluster() {
    let dir = tempdir();
    let fake = FakeApiServer::start(true);
    let kc = fake.kubeconfig(dir.path(), "kc.json", "fake", None);
    healthy(&fake);
    let out = run_with(&kc, &["check"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert_eq!(
        stdout(&out),
        "✔ istiod (istio-system) has ENABLE_TLS_ON_SIDECAR_INGRESS=true\n\
         ✔ namespace test has istio-injection=enabled\n\
         ✔ pod httpbin-1 has an istio-proxy container\n\
         ✔ pod httpbin-1: istio-proxy mounts tls-ca-secret at /etc/istio/tls-ca-certs/, tls-secret at /etc/istio/tls-certs/\n\
         check passed: 4 checks for test/httpbin\n"
    );
}

pub(crate) fn check_reports_each_problem_with_a_fix_and_exits_3() {
    let dir = tempdir();
    let fake = FakeApiServer::start(true);
    let kc = fake.kubeconfig(dir.path(), "kc.json", "fake", None);
    // Nothing installed at all.
    let out = run_with(&kc, &["check"]);
    assert_eq!(out.status.code(), Some(3));
    let text = stdout(&out);
    assert!(
        text.contains("✘ istiod is not deployed in namespace istio-system\n    fix: install Istio"),
        "{text}"
    );
    assert!(text.contains("✘ namespace test does not exist"), "{text}");
    assert!(
        text.contains("✘ no pod with app=httpbin in namespace test"),
        "{text}"
    );

    healthy(&fake);
    // The flag off, injection off, and a pod that predates the annotations' mounts.
    fake.insert(json!({"apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "istiod", "namespace": "istio-system"},
        "spec": {"selector": {"matchLabels": {"app": "istiod"}}, "template": {"spec": {"containers": [{"name": "discovery", "env": []}]}}}}));
    fake.insert(json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "test"}}));
    fake.insert(httpbin_pod(false));
    let out = run_with(&kc, &["check"]);
    assert_eq!(out.status.code(), Some(3));
    let text = stdout(&out);
    assert!(
        text.contains("✘ istiod (istio-system) does not set ENABLE_TLS_ON_SIDECAR_INGRESS"),
        "{text}"
    );
    assert!(
        text.contains(
            "fix: `istioctl install --set values.pilot.env.ENABLE_TLS_ON_SIDECAR_INGRESS=true`"
        ),
        "{text}"
    );
    assert!(text.contains("✘ namespace test does not have istio-injection=enabled\n    fix: `kubectl label namespace test istio-injection=enabled --overwrite`"), "{text}");
    assert!(text.contains("✘ pod httpbin-1: istio-proxy does not mount tls-ca-secret at /etc/istio/tls-ca-certs/, tls-secret at /etc/istio/tls-certs/"), "{text}");
    assert!(text.ends_with("check failed: 3 of 4 checks\n"), "{text}");

    // No sidecar at all.
    fake.insert(pod(
        "test",
        "httpbin-1",
        json!({"app": "httpbin"}),
        json!({}),
        json!([{"name": "httpbin"}]),
        json!([]),
    ));
    let out = run_with(&kc, &["check"]);
    assert!(
        stdout(&out).contains("✘ pod httpbin-1 has no istio-proxy container: it was not injected"),
        "{}",
        stdout(&out)
    );
}

pub(crate) fn cleanup_deletes_only_what_meshtls_applied() {
    let dir = tempdir();
    let fake = FakeApiServer::start(true);
    let kc = fake.kubeconfig(dir.path(), "kc.json", "fake", None);
    let task = task_yaml(dir.path(), &TASK_PARTS);
    let out = run_with(&kc, &["apply", "-f", task.to_str().expect("utf-8")]);
    assert!(out.status.success(), "{}", stderr(&out));
    // Someone else's objects: one with a task name, one in the task's namespace.
    fake.insert(json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "sleep", "namespace": "default"}}));
    fake.insert(json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "theirs", "namespace": "test"}}));

    let dry = run_with(&kc, &["cleanup", "--dry-run"]);
    assert!(dry.status.success(), "{}", stderr(&dry));
    let before = fake.count();
    assert!(
        stdout(&dry).contains("secret/httpbin-mtls-termination -n test deleted (server dry run)\n"),
        "{}",
        stdout(&dry)
    );
    assert_eq!(fake.count(), before);

    let out = run_with(&kc, &["cleanup"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "secret/httpbin-mtls-termination-cacert -n test deleted\n\
         secret/httpbin-mtls-termination -n test deleted\n\
         deployment.apps/sleep -n test deleted\n\
         service/sleep -n test deleted\n\
         serviceaccount/sleep -n test deleted\n\
         deployment.apps/sleep -n default deleted\n\
         service/sleep -n default skipped: not applied by meshtls (managed by kubectl-client-side-apply)\n\
         serviceaccount/sleep -n default deleted\n\
         sidecar.networking.istio.io/ingress-sidecar -n test deleted\n\
         deployment.apps/httpbin -n test deleted\n\
         service/httpbin -n test deleted\n\
         serviceaccount/httpbin -n test deleted\n\
         peerauthentication.security.istio.io/disable-peer-auth-for-external-mtls-port -n test deleted\n\
         peerauthentication.security.istio.io/default -n test deleted\n\
         namespace/test kept: it holds objects meshtls did not make (configmap/theirs)\n"
    );
    assert!(fake.get("Service", "default", "sleep").is_some());
    assert!(fake.get("ConfigMap", "test", "theirs").is_some());
    assert!(fake.get("Namespace", "", "test").is_some());
    assert!(
        fake.get("Secret", "test", "httpbin-mtls-termination")
            .is_none()
    );
}

pub(crate) fn cleanup_removes_the_namespace_when_only_meshtls_objects_are_in_it() {
    let dir = tempdir();
    let fake = FakeApiServer::start(true);
    let kc = fake.kubeconfig(dir.path(), "kc.json", "fake", None);
    let task = task_yaml(dir.path(), &TASK_PARTS);
    assert!(
        run_with(&kc, &["apply", "-f", task.to_str().expect("utf-8")])
            .status
            .success()
    );
    // Things Kubernetes makes itself do not keep the namespace.
    fake.insert(json!({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "default", "namespace": "test"}}));
    fake.insert(json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "kube-root-ca.crt", "namespace": "test"}}));
    let out = run_with(&kc, &["cleanup"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).ends_with("namespace/test deleted\n"),
        "{}",
        stdout(&out)
    );
    assert!(fake.get("Namespace", "", "test").is_none());
    let again = run_with(&kc, &["cleanup"]);
    assert!(
        stdout(&again).contains("namespace/test not found\n"),
        "{}",
        stdout(&again)
    );
}

pub(crate) fn exec_and_copy_helpers_run_in_a_pod_over_websocket() {
    use meshtls::kube::connect::{ConnectOptions, resolve};
    use meshtls::kube::exec::{PodContainer, copy_to, exec};
    let dir = tempdir();
    let fake = FakeApiServer::start(true);
    let kc = fake.kubeconfig(dir.path(), "kc.json", "fake", None);
    let root = dir.path().join("pods");
    fake.set_exec_root(&root);
    fake.insert(pod(
        "default",
        "sleep-1",
        json!({"app": "sleep"}),
        json!({}),
        json!([{"name": "sleep"}]),
        json!([]),
    ));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let target = resolve(&ConnectOptions {
            kubeconfig: Some(kc.clone()),
            ..ConnectOptions::default()
        })
        .await
        .expect("target");
        let client = target.client().expect("client");
        let sleep = PodContainer {
            namespace: "default".into(),
            pod: "sleep-1".into(),
            container: Some("sleep".into()),
        };
        let timeout = Duration::from_secs(20);
        let out = exec(
            &client,
            &sleep,
            &["sh", "-c", "echo out; echo err >&2; exit 56"],
            None,
            timeout,
        )
        .await
        .expect("exec");
        assert_eq!(
            (out.stdout.as_slice(), out.stderr.as_slice(), out.exit_code),
            (&b"out\n"[..], &b"err\n"[..], 56)
        );
        let ok = exec(&client, &sleep, &["true"], None, timeout)
            .await
            .expect("exec");
        assert_eq!(ok.exit_code, 0);
        let stdin = exec(&client, &sleep, &["cat"], Some(b"fed on stdin"), timeout)
            .await
            .expect("exec");
        assert_eq!(stdin.stdout, b"fed on stdin");

        let key =
            b"-----BEGIN PRIVATE KEY-----\nnot really\n-----END PRIVATE KEY-----\n".repeat(100);
        copy_to(&client, &sleep, "certs/client.key", &key, 0o600, timeout)
            .await
            .expect("copy");
        let written = root.join("default/sleep-1/certs/client.key");
        assert_eq!(std::fs::read(&written).expect("copied file"), key);
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&written)
                .expect("meta")
                .permissions()
                .mode()
                & 0o777,
            0o600
        );

        let missing = PodContainer {
            pod: "nope".into(),
            ..sleep.clone()
        };
        let err = exec(&client, &missing, &["true"], None, timeout)
            .await
            .expect_err("no pod");
        assert!(
            format!("{err:#}").contains("starting `true` in nope.default"),
            "{err:#}"
        );
    });
    // The command went in the URL, the key did not: it travelled on stdin.
    let log = fake.log();
    assert!(log.iter().all(|l| !l.contains("PRIVATE")), "{log:?}");
    assert!(log.iter().any(|l| l.contains("/api/v1/namespaces/default/pods/sleep-1/exec?&stdin=true&stdout=true&stderr=true&container=sleep&command=sh")), "{log:?}");
}

/// Answers every request with `200 OK` and `server: envoy`, as the in-mesh check expects.
fn envoy_like_server() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    std::thread::spawn(move || {
        for stream in listener.incoming().take(4) {
            let Ok(mut stream) = stream else { continue };
            let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
            let mut buf = [0u8; 4096];
            let _ = stream.read(&mut buf);
            let _ =
                stream.write_all(b"HTTP/1.1 200 OK\r\nserver: envoy\r\ncontent-length: 0\r\n\r\n");
        }
    });
    addr
}

pub(crate) fn verify_kube_pieces_find_the_sleep_pods_stage_files_and_read_curl() {
    use meshtls::kube::connect::{ConnectOptions, resolve};
    use meshtls::kube::incluster::{
        CurlResult, StagedFile, parse_curl, run_in_workdir, sleep_pods, stage,
    };
    if !require_tool("curl") {
        return;
    }
    let dir = tempdir();
    let fake = FakeApiServer::start(true);
    let kc = fake.kubeconfig(dir.path(), "kc.json", "fake", None);
    let root = dir.path().join("pods");
    fake.set_exec_root(&root);
    fake.insert(json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "test"}}));
    for (ns, name) in [
        ("test", "sleep-b"),
        ("test", "sleep-a"),
        ("default", "sleep-c"),
    ] {
        fake.insert(pod(
            ns,
            name,
            json!({"app": "sleep"}),
            json!({}),
            json!([{"name": "sleep"}]),
            json!([]),
        ));
    }
    let server = envoy_like_server();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let target = resolve(&ConnectOptions {
            kubeconfig: Some(kc.clone()),
            ..ConnectOptions::default()
        })
        .await
        .expect("target");
        let client = target.client().expect("client");
        let pods = sleep_pods(&client, "test", "default")
            .await
            .expect("sleep pods");
        assert_eq!(
            (pods.mesh.pod.as_str(), pods.outside.pod.as_str()),
            ("sleep-a", "sleep-c")
        );
        let timeout = Duration::from_secs(20);
        // A relative workdir keeps the fake's "pod" inside the test folder.
        let files = [
            StagedFile {
                name: "ca.crt",
                contents: b"ca",
                mode: 0o644,
            },
            StagedFile {
                name: "client.key",
                contents: b"key",
                mode: 0o600,
            },
        ];
        stage(&client, &pods.outside, "verify", &files, timeout)
            .await
            .expect("staged");
        assert_eq!(
            std::fs::read(root.join("default/sleep-c/verify/client.key")).expect("key"),
            b"key"
        );

        let url = format!("http://{server}/status/200");
        let ok = run_in_workdir(
            &client,
            &pods.mesh,
            "verify",
            &["curl".into(), "-sS".into(), "-I".into(), url],
            timeout,
        )
        .await
        .expect("curl ran");
        let CurlResult::Response(head) = parse_curl(&ok) else {
            panic!("a response: {ok:?}")
        };
        assert_eq!((head.version.as_str(), head.status), ("HTTP/1.1", 200));
        assert_eq!(head.headers[0], ("server".to_string(), "envoy".to_string()));

        let closed = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("port");
        let refused = run_in_workdir(
            &client,
            &pods.mesh,
            "verify",
            &[
                "curl".into(),
                "-sS".into(),
                "-I".into(),
                format!("http://{closed}/"),
            ],
            timeout,
        )
        .await
        .expect("curl ran");
        let CurlResult::Failed { exit_code, message } = parse_curl(&refused) else {
            panic!("a failure")
        };
        assert_eq!(exit_code, 7);
        assert!(
            message.starts_with("curl: (7) Failed to connect"),
            "{message}"
        );
    });
}

pub(crate) fn apply_reads_stdin_and_refuses_a_namespace_that_contradicts_the_flag() {
    let dir = tempdir();
    let fake = FakeApiServer::start(true);
    let kc = fake.kubeconfig(dir.path(), "kc.json", "fake", None);
    let doc = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: piped\n  namespace: kube-system\ndata:\n  a: b\n---\n";
    let mut child = cluster_cmd(dir.path())
        .args(["apply", "-f", "-", "--kubeconfig"])
        .arg(&kc)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(doc.as_bytes())
        .expect("write");
    let out = child.wait_with_output().expect("runs");
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), "configmap/piped serverside-applied\n");
    assert_eq!(
        fake.get("ConfigMap", "kube-system", "piped")
            .expect("stored")["data"]["a"],
        "b"
    );

    let file = dir.path().join("cm.yaml");
    std::fs::write(&file, doc).expect("write");
    let out = run_with(
        &kc,
        &[
            "apply",
            "-f",
            file.to_str().expect("utf-8"),
            "-n",
            "default",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        "Error: document 1: the namespace from the provided object \"kube-system\" does not match the namespace \"default\"; pass --namespace=kube-system or remove metadata.namespace\n"
    );
    let bad = dir.path().join("bad.yaml");
    std::fs::write(&bad, "kind: [\n").expect("write");
    let out = run_with(&kc, &["apply", "-f", bad.to_str().expect("utf-8")]);
    assert_eq!(out.status.code(), Some(65), "{}", stderr(&out));
}

pub(crate) fn a_field_another_applier_owns_needs_force_conflicts() {
    let dir = tempdir();
    let fake = FakeApiServer::start(true);
    let kc = fake.kubeconfig(dir.path(), "kc.json", "fake", None);
    fake.insert(json!({"apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": "shared", "namespace": "default",
            "managedFields": [{"manager": "helm", "operation": "Apply", "apiVersion": "v1", "fieldsType": "FieldsV1", "fieldsV1": {}}]},
        "data": {"a": "helm"}}));
    let file = dir.path().join("cm.yaml");
    std::fs::write(
        &file,
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: shared\ndata:\n  a: meshtls\n",
    )
    .expect("write");
    let file = file.to_str().expect("utf-8");
    let out = run_with(&kc, &["apply", "-f", file]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        "Error: applying configmap/shared: Apply failed with 1 conflict: conflict with \"helm\": .data; another field manager owns these fields: pass --force-conflicts to take them over\n"
    );
    assert_eq!(
        fake.get("ConfigMap", "default", "shared").expect("kept")["data"]["a"],
        "helm"
    );
    let out = run_with(&kc, &["apply", "-f", file, "--force-conflicts"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        fake.get("ConfigMap", "default", "shared").expect("taken")["data"]["a"],
        "meshtls"
    );
}

pub(crate) fn verify_kube_copies_the_client_pair_and_runs_the_pages_curl_in_the_sleep_pods() {
    if !require_tool("curl") {
        return;
    }
    let dir = tempdir();
    let fake = FakeApiServer::start(true);
    let kc = fake.kubeconfig(dir.path(), "kc.json", "fake", None);
    let root = dir.path().join("pods");
    fake.set_exec_root(&root);
    fake.insert(json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "test"}}));
    for (ns, name) in [("test", "sleep-in"), ("default", "sleep-out")] {
        fake.insert(pod(
            ns,
            name,
            json!({"app": "sleep"}),
            json!({}),
            json!([{"name": "sleep"}]),
            json!([]),
        ));
    }
    certgen(dir.path(), &[]);
    let out = run_with(
        &kc,
        &[
            "verify",
            "--kube",
            "--kube-workdir",
            "verify",
            "--certs",
            dir.path().to_str().expect("utf-8"),
            "--timeout",
            "2",
        ],
    );
    // The fake's "pods" run curl on this machine, where cluster names do not resolve: every
    // check that runs fails, which shows they ran; the two that need other CAs are skipped.
    assert_eq!(
        out.status.code(),
        Some(3),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    let table = stdout(&out);
    assert!(table.contains("internal"), "{table}");
    assert!(table.contains("other-ca-client-cert"), "{table}");
    assert!(table.contains("SKIP"), "{table}");
    let key = std::fs::read(dir.path().join("client.test.svc.cluster.local.key")).expect("key");
    // A relative --kube-workdir keeps the fake's "pod" inside the test folder.
    let copied = root.join("default/sleep-out/verify/client.key");
    assert_eq!(std::fs::read(&copied).expect("client.key copied"), key);
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&copied)
            .expect("meta")
            .permissions()
            .mode()
            & 0o777,
        0o600
    );
    let log = fake.log();
    assert!(
        log.iter().any(
            |l| l.contains("/api/v1/namespaces/test/pods/sleep-in/exec?")
                && l.contains("command=curl")
        ),
        "{log:?}"
    );
    assert!(
        log.iter().any(
            |l| l.contains("/api/v1/namespaces/default/pods/sleep-out/exec?")
                && l.contains("--cacert")
        ),
        "{log:?}"
    );
}

/// Issue 17: apply, check and cleanup print data as JSON (and YAML) with `-o`, in the words
/// every command uses.
pub(crate) fn apply_check_and_cleanup_print_json_and_yaml() {
    let dir = tempdir();
    let fake = FakeApiServer::start(true);
    let kc = fake.kubeconfig(dir.path(), "kc.json", "fake", None);
    let task = task_yaml(dir.path(), &TASK_PARTS);
    let out = run_with(
        &kc,
        &["apply", "-f", task.to_str().expect("utf-8"), "-o", "json"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let applied: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let objects: Vec<&str> = applied["applied"]
        .as_array()
        .expect("applied")
        .iter()
        .filter_map(|a| a["object"].as_str())
        .collect();
    let lines: Vec<&str> = TASK_LINES
        .lines()
        .map(|l| l.trim_end_matches(" serverside-applied"))
        .collect();
    assert_eq!(objects, lines);

    healthy(&fake);
    let out = run_with(&kc, &["check", "-o", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let check: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(check["passed"], true);
    assert_eq!(check["checks"].as_array().map(Vec::len), Some(4));
    assert_eq!(check["checks"][0]["ok"], true);

    let out = run_with(&kc, &["cleanup", "--dry-run", "-o", "yaml"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let yaml = stdout(&out);
    assert!(yaml.starts_with("dryRun: true\n"), "{yaml}");
    assert!(
        yaml.contains(
            "- object: secret/httpbin-mtls-termination -n test\n  result: deleted\n  dryRun: true\n"
        ),
        "{yaml}"
    );
}

/// The page's objects as a cluster holds them after the page's steps: applied by meshtls,
/// with the two Secrets made by the real kubectl (`kubectl create secret … -o yaml`).
fn page_cluster(dir: &Path, fake: &FakeApiServer, kc: &Path, flag: Option<&str>) -> bool {
    if !require_tool("kubectl") {
        return false;
    }
    let task = task_yaml(dir, &["namespace", "peer-authentication", "app", "sidecar"]);
    let out = run_with(kc, &["apply", "-f", task.to_str().expect("utf-8")]);
    assert!(out.status.success(), "{}", stderr(&out));
    let file = |name: &str| dir.join(name).display().to_string();
    let server = "httpbin.test.svc.cluster.local";
    for args in [
        vec![
            "create".to_string(),
            "secret".into(),
            "tls".into(),
            "httpbin-mtls-termination".into(),
            format!("--cert={}", file(&format!("{server}.crt"))),
            format!("--key={}", file(&format!("{server}.key"))),
        ],
        vec![
            "create".to_string(),
            "secret".into(),
            "generic".into(),
            "httpbin-mtls-termination-cacert".into(),
            format!("--from-file=ca.crt={}", file("example.com.crt")),
        ],
    ] {
        let out = Command::new("kubectl")
            .args(&args)
            .args(["-n", "test", "--dry-run=client", "-o", "json"])
            .output()
            .expect("kubectl runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        fake.insert(serde_json::from_slice(&out.stdout).expect("kubectl's JSON"));
    }
    let env = match flag {
        Some(value) => json!([{"name": "ENABLE_TLS_ON_SIDECAR_INGRESS", "value": value}]),
        None => json!([]),
    };
    fake.insert(json!({"apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "istiod", "namespace": "istio-system"},
        "spec": {"selector": {"matchLabels": {"app": "istiod"}}, "template": {"spec": {"containers": [
            {"name": "discovery", "env": env}]}}}}));
    true
}

/// The task's two Secrets, from the certificates in `dir`, written to `dir/secrets.yaml`.
fn secrets_yaml(dir: &Path) -> PathBuf {
    let secrets = meshtls()
        .args(["render", "secrets", "--certs", dir.to_str().expect("utf-8")])
        .output()
        .expect("render runs");
    assert!(secrets.status.success(), "{}", stderr(&secrets));
    let path = dir.join("secrets.yaml");
    std::fs::write(&path, &secrets.stdout).expect("write");
    path
}

/// Findings without their `file:line` (objects from the cluster have none).
fn findings_of(out: &Output) -> Vec<String> {
    stdout(out)
        .lines()
        .map(|line| {
            let Some(open) = line.find(" (") else {
                return line.to_string();
            };
            let close = line[open..].find(") ").map_or(line.len(), |c| open + c);
            let resource: Vec<&str> = line[open + 2..close].split(' ').take(2).collect();
            format!(
                "{} ({}{}",
                &line[..open],
                resource.join(" "),
                &line[close..]
            )
        })
        .collect()
}

pub(crate) fn analyze_reads_the_live_cluster_and_the_page_is_clean() {
    let dir = tempdir();
    let fake = FakeApiServer::start(true);
    let kc = fake.kubeconfig(dir.path(), "kc.json", "fake", Some("test"));
    if !page_cluster(dir.path(), &fake, &kc, Some("true")) {
        return;
    }
    let out = run_with(&kc, &["analyze"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    assert_eq!(stdout(&out), "");
    assert_eq!(
        stderr(&out),
        "✔ No validation issues found when analyzing namespace: test.\n"
    );
    // Secrets' data is read to check certificates and never printed.
    let json = run_with(&kc, &["analyze", "-o", "json"]);
    assert!(!stdout(&json).contains("PRIVATE KEY"));
}

pub(crate) fn analyze_from_the_cluster_finds_what_analyze_from_files_finds() {
    let dir = tempdir();
    let fake = FakeApiServer::start(true);
    let kc = fake.kubeconfig(dir.path(), "kc.json", "fake", Some("test"));
    // istiod without the flag: MTLS0001, exactly as from the files.
    if !page_cluster(dir.path(), &fake, &kc, None) {
        return;
    }
    let from_cluster = run_with(&kc, &["analyze"]);
    assert_eq!(
        from_cluster.status.code(),
        Some(79),
        "{}",
        stderr(&from_cluster)
    );
    let mut files = vec![
        "analyze".to_string(),
        "-n".into(),
        "test".into(),
        "-f".into(),
        dir.path().join("task.yaml").display().to_string(),
    ];
    let secrets_path = secrets_yaml(dir.path());
    files.extend(["-f".into(), secrets_path.display().to_string()]);
    let args: Vec<&str> = files.iter().map(String::as_str).collect();
    let from_files = run_with(&kc, &args);
    assert_eq!(
        from_files.status.code(),
        Some(79),
        "{}",
        stderr(&from_files)
    );
    assert_eq!(findings_of(&from_cluster), findings_of(&from_files));
    assert!(
        stdout(&from_cluster).starts_with(
            "Error [MTLS0001] (Sidecar test/ingress-sidecar) ingress port 9080 has tls"
        ),
        "{}",
        stdout(&from_cluster)
    );

    // The flag on, and 9080 STRICT in the cluster: MTLS0002, exactly as from the files.
    fake.insert(json!({"apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "istiod", "namespace": "istio-system"},
        "spec": {"selector": {"matchLabels": {"app": "istiod"}}, "template": {"spec": {"containers": [
            {"name": "discovery", "env": [{"name": "ENABLE_TLS_ON_SIDECAR_INGRESS", "value": "1"}]}]}}}}));
    let mut strict = fake
        .get(
            "PeerAuthentication",
            "test",
            "disable-peer-auth-for-external-mtls-port",
        )
        .expect("stored");
    strict["spec"]["portLevelMtls"]["9080"]["mode"] = json!("STRICT");
    fake.insert(strict);
    let strict_cluster = run_with(&kc, &["analyze"]);
    assert_eq!(
        strict_cluster.status.code(),
        Some(79),
        "{}",
        stderr(&strict_cluster)
    );
    let text = std::fs::read_to_string(dir.path().join("task.yaml")).expect("read");
    let strict_yaml = dir.path().join("strict.yaml");
    std::fs::write(
        &strict_yaml,
        text.replacen("9080:\n      mode: DISABLE", "9080:\n      mode: STRICT", 1),
    )
    .expect("write");
    let strict_files = run_with(
        &kc,
        &[
            "analyze",
            "-n",
            "test",
            "-f",
            strict_yaml.to_str().expect("utf-8"),
            "-f",
            secrets_path.to_str().expect("utf-8"),
            "--istio-install",
            "/dev/null",
        ],
    );
    let strict_files_findings: Vec<String> = findings_of(&strict_files)
        .into_iter()
        .filter(|f| !f.contains("MTLS0001"))
        .collect();
    assert_eq!(findings_of(&strict_cluster), strict_files_findings);
    assert!(stdout(&strict_cluster).contains("Error [MTLS0002] (Sidecar test/ingress-sidecar) ingress port 9080 (external) has tls, but the mTLS mode of Deployment test/httpbin on port 9080 is STRICT"), "{}", stdout(&strict_cluster));

    // Files laid over the cluster: the file's DISABLE wins over the cluster's STRICT.
    let overlay = run_with(
        &kc,
        &[
            "analyze",
            "--kube",
            "-n",
            "test",
            "-f",
            dir.path().join("task.yaml").to_str().expect("utf-8"),
        ],
    );
    assert_eq!(
        overlay.status.code(),
        Some(0),
        "{}{}",
        stdout(&overlay),
        stderr(&overlay)
    );
}

pub(crate) fn describe_pod_reads_the_same_model_from_the_cluster() {
    let dir = tempdir();
    let fake = FakeApiServer::start(true);
    let kc = fake.kubeconfig(dir.path(), "kc.json", "fake", None);
    if !page_cluster(dir.path(), &fake, &kc, Some("true")) {
        return;
    }
    let mut pod = httpbin_pod(true);
    pod["metadata"]["labels"]["pod-template-hash"] = json!("5d4f");
    fake.insert(pod);
    let out = run_with(&kc, &["describe", "pod", "httpbin-1.test", "-o", "json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let json: Value = serde_json::from_str(&stdout(&out)).expect("json");
    assert_eq!(json["workload"], "test/httpbin");
    assert_eq!(json["sidecar"], "test/ingress-sidecar");
    assert_eq!(json["tlsFlag"], true);
    assert_eq!(json["ports"][0]["tls"], "terminate");
    assert_eq!(json["ports"][0]["mtlsMode"], "DISABLE");
    assert_eq!(json["ports"][1]["mtlsMode"], "STRICT");
    let server = &json["ports"][0]["certificates"][0];
    assert_eq!(
        server["source"],
        "Secret test/httpbin-mtls-termination key tls.crt"
    );
    assert!(
        server["daysLeft"].as_i64().is_some_and(|d| d > 300),
        "{server}"
    );
    assert!(!stdout(&out).contains("PRIVATE KEY"));
    // The same from the files gives the same model.
    let secrets_path = secrets_yaml(dir.path());
    let task = dir.path().join("task.yaml");
    let files = run_with(
        &kc,
        &[
            "describe",
            "-n",
            "test",
            "-f",
            task.to_str().expect("utf-8"),
            "-f",
            secrets_path.to_str().expect("utf-8"),
            "--enable-tls-on-sidecar-ingress",
            "-o",
            "json",
        ],
    );
    let from_files: Value = serde_json::from_str(&stdout(&files)).expect("json");
    for key in ["workload", "sidecar"] {
        assert_eq!(json[key], from_files[key]);
    }
    for (a, b) in json["ports"]
        .as_array()
        .unwrap()
        .iter()
        .zip(from_files["ports"].as_array().unwrap())
    {
        for key in [
            "port",
            "fromOutside",
            "fromInside",
            "mtlsMode",
            "mtlsDecidedBy",
            "tls",
            "services",
        ] {
            assert_eq!(a[key], b[key], "{key}");
        }
    }
    let missing = run_with(&kc, &["describe", "pod", "nope.test"]);
    assert_eq!(missing.status.code(), Some(1), "{}", stderr(&missing));
}
