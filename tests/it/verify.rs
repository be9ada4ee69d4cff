//! `meshtls verify` against the embedded sidecar over loopback (every negative case, the page's
//! v1 certificates, deliberately broken set-ups that must FAIL with exit 3), and `meshtls demo`
//! end to end. The real-Envoy peer is in `verify_envoy.rs`.
use std::net::SocketAddr;
use std::path::Path;
use std::process::Output;

use meshtls::proxy::config::TlsMode;
use serde_json::Value;

use crate::common::{meshtls, run, stderr, stdout, tempdir};
use crate::proxy::{Fixture, fixture_with};

/// `meshtls verify` with the page's certificates, the fixture's mesh CA and its two listeners.
pub fn verify_at(
    certs: &Path,
    mesh: Option<&Path>,
    tls: SocketAddr,
    internal: SocketAddr,
    extra: &[&str],
) -> Output {
    let mut cmd = meshtls();
    cmd.arg("verify")
        .arg("--certs")
        .arg(certs)
        .arg("--target")
        .arg(format!("8443={tls}"))
        .arg("--target")
        .arg(format!("8080={internal}"))
        .env("NO_COLOR", "1");
    if let Some(mesh) = mesh {
        cmd.arg("--mesh-dir").arg(mesh);
    }
    cmd.args(extra).output().expect("meshtls runs")
}

fn verify_fixture(f: &Fixture, extra: &[&str]) -> Output {
    verify_at(
        f.certs.path(),
        Some(f.mesh.path()),
        f.external(),
        f.internal(),
        extra,
    )
}

/// `check name → (RESULT, GOT)` from `-o json`.
pub fn verdicts(out: &Output) -> Vec<(String, String, String)> {
    let report: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("verify -o json: {e}\n{}{}", stdout(out), stderr(out)));
    report["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .map(|c| {
            (
                c["check"].as_str().unwrap_or_default().to_string(),
                c["result"].as_str().unwrap_or_default().to_string(),
                c["got"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

pub fn result_of<'a>(all: &'a [(String, String, String)], check: &str) -> &'a str {
    all.iter()
        .find(|(name, _, _)| name == check)
        .map(|(_, result, _)| result.as_str())
        .unwrap_or_else(|| panic!("no check {check} in {all:?}"))
}

pub(crate) fn verify_passes_every_check_against_the_meshtls_sidecar() {
    let f = fixture_with(TlsMode::Mutual, false);
    let out = verify_fixture(&f, &["-o", "json"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    let all = verdicts(&out);
    let names: Vec<&str> = all.iter().map(|(n, _, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "internal",
            "external-mtls",
            "external-plaintext",
            "no-client-cert",
            "other-ca-client-cert",
            "expired-client-cert",
            "wrong-server-name",
            "plaintext-to-tls-port"
        ]
    );
    assert!(all.iter().all(|(_, r, _)| r == "PASS"), "{all:?}");
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let external = &report["checks"][1];
    assert_eq!(external["status"], 200);
    assert_eq!(external["headers"]["server"], "istio-envoy");
    assert_eq!(
        external["headers"]["x-envoy-decorator-operation"],
        "ingress-sidecar.test:9080/*"
    );
    assert_eq!(report["passed"], true);

    // Text: curl's view of each check with -v, then the table.
    let out = verify_fixture(&f, &["-v"]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}{}", stderr(&out));
    assert!(
        text.contains("\nHTTP/2 200\nserver: istio-envoy\n"),
        "{text}"
    );
    assert!(
        text.contains("curl: (56) Recv failure: Connection reset by peer"),
        "{text}"
    );
    assert!(
        text.contains("CHECK   ") && text.contains("EXPECTED") && text.contains("RESULT"),
        "{text}"
    );
    assert!(text.contains("8 passed, 0 failed, 0 skipped"), "{text}");
    assert!(!text.contains('\x1b'), "NO_COLOR and a pipe: no colour");
    // --no-negative runs the page's three only.
    let out = verify_fixture(&f, &["--no-negative", "-o", "json"]);
    assert_eq!(verdicts(&out).len(), 3);
}

pub(crate) fn verify_reads_names_and_ports_from_the_rendered_manifests() {
    let f = fixture_with(TlsMode::Mutual, false);
    let task = f.certs.path().join("task.yaml");
    let out = run(&[
        "render",
        "--certs",
        f.certs.path().to_str().unwrap(),
        "sidecar",
        "app",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    std::fs::write(&task, &out.stdout).unwrap();
    // Workload ports (9080/9081) work as --target keys as well as service ports.
    let out = meshtls()
        .arg("verify")
        .arg("-f")
        .arg(&task)
        .arg("--certs")
        .arg(f.certs.path())
        .arg("--mesh-dir")
        .arg(f.mesh.path())
        .arg("--target")
        .arg(format!("9080={}", f.external()))
        .arg("--target")
        .arg(format!("9081={}", f.internal()))
        .args(["-o", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["target"]["sidecar_name"], "ingress-sidecar");
    assert_eq!(report["target"]["tls"]["service"], 8443);
    // A wrong Sidecar name in the flags changes the expected decorator: the check FAILs.
    let out = verify_fixture(&f, &["--sidecar-name", "other", "-o", "json"]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert_eq!(result_of(&verdicts(&out), "external-mtls"), "FAIL");
}

pub(crate) fn a_simple_mode_sidecar_fails_the_client_certificate_checks_with_exit_3() {
    let f = fixture_with(TlsMode::Simple, false);
    let out = verify_fixture(&f, &["-o", "json"]);
    assert_eq!(
        out.status.code(),
        Some(3),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    let all = verdicts(&out);
    for check in [
        "no-client-cert",
        "other-ca-client-cert",
        "expired-client-cert",
    ] {
        assert_eq!(result_of(&all, check), "FAIL", "{check}: {all:?}");
    }
    for check in [
        "internal",
        "external-mtls",
        "external-plaintext",
        "wrong-server-name",
    ] {
        assert_eq!(result_of(&all, check), "PASS", "{check}: {all:?}");
    }
    // The table says FAIL and the summary counts it.
    let out = verify_fixture(&f, &[]);
    let text = stdout(&out);
    assert!(text.contains("FAIL"), "{text}");
    assert!(text.contains("5 passed, 3 failed, 0 skipped"), "{text}");
}

pub(crate) fn unreachable_listeners_and_another_ca_fail_the_checks() {
    let f = fixture_with(TlsMode::Mutual, false);
    // Nothing listens on the in-mesh port: a refused connection is not the page's reset.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .unwrap();
    let out = verify_at(
        f.certs.path(),
        Some(f.mesh.path()),
        f.external(),
        closed,
        &["-o", "json"],
    );
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let all = verdicts(&out);
    assert_eq!(result_of(&all, "internal"), "FAIL");
    assert_eq!(result_of(&all, "external-plaintext"), "FAIL");
    assert_eq!(result_of(&all, "external-mtls"), "PASS");

    // A --cacert the server does not chain to: the client refuses it, external-mtls FAILs.
    let other = tempdir();
    crate::common::certgen(other.path(), &[]);
    let out = verify_fixture(
        &f,
        &[
            "--cacert",
            other.path().join("example.com.crt").to_str().unwrap(),
            "-o",
            "json",
        ],
    );
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let all = verdicts(&out);
    assert_eq!(result_of(&all, "external-mtls"), "FAIL", "{all:?}");
}

pub(crate) fn the_page_openssl_v1_certificates_pass_with_a_warning() {
    if !crate::common::require_tool("openssl") {
        return;
    }
    let f = fixture_with(TlsMode::Mutual, true);
    let out = verify_fixture(&f, &["-o", "json"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    let err = stderr(&out);
    assert!(
        err.contains("warning: external-mtls: the server certificate has no SAN; its CN matched httpbin.test.svc.cluster.local"),
        "{err}"
    );
}

pub(crate) fn verify_without_a_mesh_ca_skips_the_in_mesh_check_and_says_why() {
    let f = fixture_with(TlsMode::Mutual, false);
    let home = tempdir();
    let out = meshtls()
        .arg("verify")
        .arg("--certs")
        .arg(f.certs.path())
        .arg("--target")
        .arg(format!("8443={}", f.external()))
        .arg("--target")
        .arg(format!("8080={}", f.internal()))
        .args(["-o", "json"])
        .env("HOME", home.path())
        .env_remove("MESHTLS_MESH_DIR")
        .output()
        .unwrap();
    let all = verdicts(&out);
    assert_eq!(result_of(&all, "internal"), "SKIP", "{all:?}");
    assert_eq!(
        out.status.code(),
        Some(3),
        "a skipped check is not a pass: {all:?}"
    );
    assert!(
        stderr(&out).contains("skipped internal"),
        "{}",
        stderr(&out)
    );
}

pub(crate) fn bad_verify_command_lines_exit_64_and_missing_files_exit_1() {
    let out = run(&["verify", "--target", "nonsense"]);
    assert_eq!(out.status.code(), Some(64), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("use PORT=HOST:PORT"),
        "{}",
        stderr(&out)
    );
    let out = run(&["verify", "--target", "1234=127.0.0.1:1"]);
    assert_eq!(out.status.code(), Some(64), "{}", stderr(&out));
    let empty = tempdir();
    // --kube (cluster mode, tested in cluster.rs) reads the client files before any cluster call.
    let out = run(&[
        "verify",
        "--kube",
        "--certs",
        empty.path().to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("outside sleep pod"),
        "{}",
        stderr(&out)
    );
    let out = run(&["verify", "--certs", empty.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("meshtls certgen"), "{}", stderr(&out));
}

pub(crate) fn demo_runs_the_whole_page_and_cleans_up() {
    let out = run(&["demo"]);
    let (text, err) = (stdout(&out), stderr(&out));
    assert_eq!(out.status.code(), Some(0), "{text}{err}");
    for step in [
        "[1/7] certificates: ok",
        "[2/7] secrets: ok",
        "[3/7] manifests: ok",
        "[4/7] sidecar: ok",
        "[5/7] verify: ok",
        "[6/7] proxy-config secret: ok",
        "[7/7] stop: ok",
    ] {
        assert!(err.contains(step), "{step}: {err}");
    }
    assert!(text.contains("8 passed, 0 failed, 0 skipped"), "{text}");
    assert!(text.contains("Service 8443 → Sidecar 9080"), "{text}");
    assert!(text.contains("external (TLS, MUTUAL)"), "{text}");
    for row in [
        "file-cert:/etc/istio/tls-certs/tls.crt~/etc/istio/tls-certs/tls.key",
        "default ",
        "ROOTCA ",
        "file-root:/etc/istio/tls-ca-certs/ca.crt",
    ] {
        assert!(text.contains(row), "{row}: {text}");
    }
    // The temporary work folder is gone.
    let certs_dir = err
        .lines()
        .find_map(|l| l.strip_prefix("[1/7] certificates: ok ("))
        .and_then(|rest| rest.split_once(")  "))
        .map(|(_, path)| std::path::PathBuf::from(path))
        .expect("certificates line names the folder");
    assert!(
        !certs_dir.exists(),
        "{} should be removed",
        certs_dir.display()
    );
}

pub(crate) fn demo_keeps_its_folder_with_dir() {
    let dir = tempdir();
    let work = dir.path().join("work");
    let out = meshtls()
        .args(["demo", "--no-negative", "--dir"])
        .arg(&work)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("3 passed, 0 failed"));
    for file in [
        "certs/example.com.crt",
        "secrets.yaml",
        "task.yaml",
        "mesh/root-cert.pem",
        "root/etc/istio/tls-certs/tls.crt",
        "access.log",
    ] {
        assert!(work.join(file).exists(), "{file}");
    }
    // The task file is what `render` prints and what the sidecar ran from.
    let task = std::fs::read_to_string(work.join("task.yaml")).unwrap();
    assert!(task.contains("kind: Sidecar"));
    // And `verify -f` on it, against nothing running now: a check that could not run is not a
    // failed check (issue 17), so 1 with what to start, not 3.
    let out = meshtls()
        .arg("verify")
        .arg("-f")
        .arg(work.join("task.yaml"))
        .arg("--certs")
        .arg(work.join("certs"))
        .arg("--mesh-dir")
        .arg(work.join("mesh"))
        .args([
            "--target",
            "8443=127.0.0.1:1",
            "--target",
            "8080=127.0.0.1:1",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("nothing listens on 127.0.0.1:1"),
        "{}",
        stderr(&out)
    );
}

pub(crate) fn demo_with_a_simple_sidecar_fails_at_verify_with_exit_3_and_keeps_its_files() {
    let dir = tempdir();
    let work = dir.path().join("work");
    let out = meshtls()
        .args(["demo", "--tls-mode", "SIMPLE", "--dir"])
        .arg(&work)
        .output()
        .unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(3), "{}{err}", stdout(&out));
    assert!(err.contains("[5/7] verify: FAILED"), "{err}");
    assert!(
        err.contains("demo failed at step 5/7 verify: no-client-cert, other-ca-client-cert, expired-client-cert failed"),
        "{err}"
    );
    assert!(err.contains("[7/7] stop: ok"), "{err}");
    assert!(err.contains("access.log"), "{err}");
    assert!(work.join("task.yaml").exists());
    // Issue 17: the ports table names the mode that was rendered, not the page's MUTUAL.
    let table = stdout(&out);
    assert!(table.contains("external (TLS, SIMPLE)"), "{table}");
    assert!(!table.contains("MUTUAL"), "{table}");
}

pub(crate) fn demo_says_which_step_failed_when_a_port_is_taken() {
    let busy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = busy.local_addr().unwrap().port().to_string();
    for (flag, hint) in [
        ("--external-port", "pick another --external-port"),
        ("--app-port", "pick another --app-port"),
    ] {
        let dir = tempdir();
        let out = meshtls()
            .args(["demo", flag, &port, "--dir"])
            .arg(dir.path())
            .output()
            .unwrap();
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{err}");
        assert!(err.contains(hint), "{flag}: {err}");
    }
    let out = run(&["demo", "--admin-port", &port]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("[4/7] sidecar: FAILED"), "{err}");
    assert!(err.contains("demo failed at step 4/7 sidecar"), "{err}");
    assert!(err.contains("logs and files are kept in "), "{err}");
    // Issue 17: demo's own flag, not proxy's --admin.
    assert!(err.contains("pick another --admin-port"), "{err}");
    assert!(!err.contains("--admin "), "{err}");
    // The kept temporary folder is named in the message; remove it.
    if let Some(path) = err
        .lines()
        .find_map(|l| l.strip_prefix("logs and files are kept in "))
        .and_then(|rest| rest.split(" (access log").next())
    {
        let _ = std::fs::remove_dir_all(path);
    }
}

pub(crate) fn demo_keep_leaves_the_sidecar_up_with_commands_that_work() {
    use std::io::{BufRead, BufReader, Read, Write};
    use std::process::Stdio;
    use std::time::{Duration, Instant};

    let dir = tempdir();
    let child = meshtls()
        .args(["demo", "--keep", "--no-negative", "--dir"])
        .arg(dir.path().join("work"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut child = crate::common::ChildGuard(child);
    let stdout_pipe = child.0.stdout.take().unwrap();
    // Read lines on a thread so that a stuck demo fails the test instead of hanging it.
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout_pipe).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut lines = Vec::new();
    while !lines
        .iter()
        .any(|l: &String| l.contains("meshtls pc secret --admin") && l.starts_with("  "))
    {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(line) => lines.push(line),
            Err(_) => panic!(
                "demo --keep never printed its commands:\n{}",
                lines.join("\n")
            ),
        }
    }
    let text = lines.join("\n");
    assert!(text.contains("Ctrl-C stops it"), "{text}");
    // The printed verify command passes against the running sidecar.
    let verify_line = lines
        .iter()
        .find(|l| l.trim_start().starts_with("meshtls verify "))
        .expect("a verify command");
    let args: Vec<&str> = verify_line.split_whitespace().skip(1).collect();
    let out = meshtls().args(&args).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    // The printed curl command gets the page's answer.
    if crate::common::has_tool("curl") {
        let curl_line = lines
            .iter()
            .find(|l| l.trim_start().starts_with("curl ") && l.contains("--cert "))
            .expect("a curl command");
        let out = std::process::Command::new("sh")
            .args(["-c", curl_line.trim()])
            .output()
            .unwrap();
        assert!(
            String::from_utf8_lossy(&out.stdout).starts_with("HTTP/2 200"),
            "{curl_line}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    // /quitquitquit on the admin stops the demo, which then exits 0.
    let admin = lines
        .iter()
        .find_map(|l| l.trim_start().strip_prefix("meshtls pc secret --admin "))
        .expect("admin address")
        .trim()
        .to_string();
    let mut stream = std::net::TcpStream::connect(&admin).unwrap();
    write!(
        stream,
        "POST /quitquitquit HTTP/1.1\r\nHost: {admin}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut reply = String::new();
    let _ = stream.read_to_string(&mut reply);
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(status) = child.0.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "demo --keep did not stop");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(status.code(), Some(0));
}

/// A free loopback port (the listener is closed again at once).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free loopback port")
        .port()
}

pub(crate) fn verify_passes_against_meshtls_proxy_started_from_the_rendered_yaml() {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;
    use std::time::Duration;

    let dir = tempdir();
    let certs = dir.path().join("certs");
    crate::common::certgen(&certs, &[]);
    let out = run(&["render", "--certs", certs.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let task = dir.path().join("task.yaml");
    std::fs::write(&task, &out.stdout).unwrap();
    let mesh = dir.path().join("mesh");
    let (tls, internal) = (free_port(), free_port());
    let child = meshtls()
        .arg("proxy")
        .arg("-f")
        .arg(&task)
        .arg("--app")
        .arg("--mesh-dir")
        .arg(&mesh)
        .args(["--port-map", &format!("9080={tls}")])
        .args(["--port-map", &format!("9081={internal}")])
        .args(["--admin", "127.0.0.1:0", "--access-log", "off"])
        .arg("--state-dir")
        .arg(dir.path().join("state"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut child = crate::common::ChildGuard(child);
    let pipe = child.0.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(pipe).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    // The proxy prints its admin address once every listener is bound.
    loop {
        let line = rx
            .recv_timeout(Duration::from_secs(30))
            .expect("meshtls proxy started");
        if line.starts_with("admin → ") {
            break;
        }
    }
    let out = meshtls()
        .arg("verify")
        .arg("-f")
        .arg(&task)
        .arg("--certs")
        .arg(&certs)
        .env("MESHTLS_MESH_DIR", &mesh)
        .args(["--target", &format!("8443=127.0.0.1:{tls}")])
        .args(["--target", &format!("8080=127.0.0.1:{internal}")])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    assert!(stdout(&out).contains("8 passed, 0 failed, 0 skipped"));
}

/// Issue 17: `demo -o json` prints one summary (listeners, checks, secrets) and nothing else on
/// stdout; the steps stay on stderr.
pub(crate) fn demo_json_is_one_summary() {
    let out = run(&["demo", "--no-negative", "-o", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let summary: Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", stdout(&out)));
    assert_eq!(summary["passed"], true);
    assert_eq!(summary["failedStep"], Value::Null);
    assert_eq!(summary["checks"].as_array().map(Vec::len), Some(3));
    assert!(
        summary["checks"]
            .as_array()
            .into_iter()
            .flatten()
            .all(|c| c["result"] == "PASS")
    );
    assert_eq!(summary["secrets"].as_array().map(Vec::len), Some(4));
    assert_eq!(
        summary["listeners"][0]["listener"],
        "external (TLS, MUTUAL)"
    );
    assert!(stderr(&out).contains("[7/7] stop: ok"), "{}", stderr(&out));
    assert_eq!(
        run(&["demo", "--keep", "-o", "json"]).status.code(),
        Some(64)
    );
}
