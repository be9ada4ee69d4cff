//! Shared test helpers: running the built binary, temporary folders, and real peer tools
//! (kubectl, openssl, curl, envoy) that are required when `CI=true` and make their test ignored,
//! with the reason, otherwise.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A `Command` for the meshtls binary under test.
pub fn meshtls() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_meshtls"));
    cmd.env_remove("MESHTLS_NOW");
    cmd
}

/// Runs meshtls with `args` and returns its output.
pub fn run(args: &[&str]) -> Output {
    meshtls().args(args).output().expect("meshtls binary runs")
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Whether a real peer tool is on PATH (`command -v`).
fn on_path(name: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {name}")])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true")
}

/// A real peer tool the test needs. Missing, the test ends *ignored* with the reason (the
/// harness reports it under the summary); under `CI=true`, since `.ci/run` installs every peer,
/// its absence fails the test. Returns true (callers may keep `if !require_tool(..) { return }`).
pub fn require_tool(name: &str) -> bool {
    if on_path(name) {
        return true;
    }
    if in_ci() {
        panic!("{name} is required in CI (installed by .ci/run) but is not on PATH");
    }
    crate::harness::skip(format!(
        "{name} is not installed (run .ci/run's install step)"
    ))
}

/// For an optional part of a test (the rest still runs): whether the peer is there; under
/// `CI=true` a missing peer fails the test.
pub fn has_tool(name: &str) -> bool {
    let found = on_path(name);
    if !found && in_ci() {
        panic!("{name} is required in CI (installed by .ci/run) but is not on PATH");
    }
    found
}

/// A fresh temporary folder, removed when dropped.
pub fn tempdir() -> tempfile::TempDir {
    tempfile::tempdir().expect("temporary folder")
}

/// Makes the default certificate set with meshtls in `dir`.
pub fn certgen(dir: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["certgen", "--out"];
    let dir_text = dir.to_str().expect("utf-8 temp path");
    args.push(dir_text);
    args.extend_from_slice(extra);
    let out = run(&args);
    assert!(out.status.success(), "certgen failed: {}", stderr(&out));
    out
}

/// The page's exact openssl commands (X.509 v1 leaves, no SAN), run in `dir`.
pub fn page_openssl_certs(dir: &Path) {
    let script = r#"set -e
openssl req -x509 -sha256 -nodes -days 365 -newkey rsa:2048 -subj '/O=example Inc./CN=example.com' -keyout example.com.key -out example.com.crt
openssl req -out httpbin.test.svc.cluster.local.csr -newkey rsa:2048 -nodes -keyout httpbin.test.svc.cluster.local.key -subj "/CN=httpbin.test.svc.cluster.local/O=httpbin organization"
openssl x509 -req -days 365 -CA example.com.crt -CAkey example.com.key -set_serial 1 -in httpbin.test.svc.cluster.local.csr -out httpbin.test.svc.cluster.local.crt
openssl req -out client.test.svc.cluster.local.csr -newkey rsa:2048 -nodes -keyout client.test.svc.cluster.local.key -subj "/CN=client.test.svc.cluster.local/O=client organization"
openssl x509 -req -days 365 -CA example.com.crt -CAkey example.com.key -set_serial 1 -in client.test.svc.cluster.local.csr -out client.test.svc.cluster.local.crt
"#;
    let out = Command::new("sh")
        .args(["-c", script])
        .current_dir(dir)
        .output()
        .expect("sh runs");
    assert!(
        out.status.success(),
        "page openssl commands failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Path of a file in the repository's `testdata/`.
pub fn testdata(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata")
        .join(rel)
}

/// Compares `actual` with the golden file `testdata/<rel>`; `MESHTLS_BLESS=1` rewrites it.
pub fn golden(rel: &str, actual: &str) {
    let path = testdata(rel);
    if std::env::var("MESHTLS_BLESS").is_ok_and(|v| v == "1") {
        std::fs::write(&path, actual).expect("write golden file");
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "reading {}: {e} (make it with MESHTLS_BLESS=1)",
            path.display()
        )
    });
    if expected != actual {
        let line = expected
            .lines()
            .zip(actual.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| expected.lines().count().min(actual.lines().count()));
        panic!(
            "{} differs from the output at line {}: expected {:?}, got {:?} (MESHTLS_BLESS=1 regenerates)",
            path.display(),
            line + 1,
            expected.lines().nth(line),
            actual.lines().nth(line)
        );
    }
}

/// A path in `testdata/` as a string argument.
pub fn testdata_arg(rel: &str) -> String {
    testdata(rel)
        .to_str()
        .expect("utf-8 repository path")
        .to_string()
}

/// A free TCP port on 127.0.0.1 (the listener is closed again before it is returned).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free loopback port")
        .port()
}

/// Kills and reaps a child process however the test ends.
pub struct ChildGuard(pub std::process::Child);

impl Drop for ChildGuard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts a real Envoy with the bootstrap `config` (written to `dir/envoy.json`, log in
/// `dir/envoy.log`) and waits, at most 30 s, until its admin on `admin_port` answers `/ready`.
pub fn start_envoy(dir: &Path, config: &serde_json::Value, admin_port: u16) -> ChildGuard {
    let config_path = dir.join("envoy.json");
    std::fs::write(
        &config_path,
        serde_json::to_vec_pretty(config).expect("json"),
    )
    .expect("envoy config");
    let log = std::fs::File::create(dir.join("envoy.log")).expect("envoy log");
    let child = Command::new("envoy")
        .arg("-c")
        .arg(&config_path)
        .args([
            "--disable-hot-restart",
            "--concurrency",
            "1",
            "-l",
            "warning",
        ])
        .stdout(std::process::Stdio::null())
        .stderr(log)
        .spawn()
        .expect("envoy starts");
    let guard = ChildGuard(child);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let ready = Command::new("curl")
            .args([
                "-s",
                "--max-time",
                "2",
                &format!("http://127.0.0.1:{admin_port}/ready"),
            ])
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).starts_with("LIVE"))
            .unwrap_or(false);
        if ready {
            return guard;
        }
        let log = std::fs::read_to_string(dir.join("envoy.log")).unwrap_or_default();
        assert!(
            std::time::Instant::now() < deadline,
            "envoy did not become ready in 30 s:\n{log}"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}
