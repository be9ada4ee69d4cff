//! `meshtls proxy` as a user runs it: from `meshtls render` output, with Istio's silent gates
//! said out loud, Secrets updated through the input file, and a drain on SIGTERM.
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::{ChildGuard, certgen, meshtls, require_tool, run, stderr, tempdir};

const FQDN: &str = "httpbin.test.svc.cluster.local";

/// A running `meshtls proxy` and the local ports it printed.
struct Proxy {
    child: ChildGuard,
    external: u16,
    internal: u16,
    admin: String,
    stderr_path: std::path::PathBuf,
}

impl Proxy {
    fn stderr(&self) -> String {
        std::fs::read_to_string(&self.stderr_path).unwrap_or_default()
    }
}

fn port_after_arrow(line: &str) -> u16 {
    line.split("→ 127.0.0.1:")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("no port in {line:?}"))
}

/// Starts `meshtls proxy -f task.yaml --app` on free ports and reads where it listens.
fn start_proxy(dir: &Path, yaml: &Path, extra: &[&str]) -> Proxy {
    let stderr_path = dir.join("proxy.err");
    let mut child: Child = meshtls()
        .arg("proxy")
        .arg("-f")
        .arg(yaml)
        .args([
            "--app",
            "--port-map",
            "9080=0",
            "--port-map",
            "9081=0",
            "--admin",
            "127.0.0.1:0",
            "--access-log",
            "off",
        ])
        .arg("--mesh-dir")
        .arg(dir.join("mesh"))
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(&stderr_path).unwrap())
        .spawn()
        .expect("meshtls proxy starts");
    let stdout = child.stdout.take().expect("stdout");
    let mut guard = ChildGuard(child);
    let (mut external, mut internal, mut admin) = (0, 0, String::new());
    for line in BufReader::new(stdout).lines() {
        let Ok(line) = line else { break };
        if line.starts_with("port 9080") {
            external = port_after_arrow(&line);
        } else if line.starts_with("port 9081") {
            internal = port_after_arrow(&line);
        } else if let Some(address) = line.strip_prefix("admin → http://") {
            admin = address.to_string();
            break;
        }
    }
    if admin.is_empty() {
        let status = guard.0.wait().ok();
        panic!(
            "proxy did not start ({status:?}): {}",
            std::fs::read_to_string(&stderr_path).unwrap_or_default()
        );
    }
    Proxy {
        child: guard,
        external,
        internal,
        admin,
        stderr_path,
    }
}

fn render_task(dir: &Path, what: &[&str]) -> std::path::PathBuf {
    certgen(&dir.join("certs"), &[]);
    let certs = dir.join("certs");
    let mut args = vec!["render", "--certs", certs.to_str().unwrap()];
    args.extend_from_slice(what);
    let out = run(&args);
    assert!(out.status.success(), "{}", stderr(&out));
    let yaml = dir.join("task.yaml");
    std::fs::write(&yaml, &out.stdout).unwrap();
    yaml
}

fn curl_mtls(dir: &Path, port: u16) -> std::process::Output {
    let certs = dir.join("certs");
    Command::new("curl")
        .args([
            "-sS",
            "-I",
            "--max-time",
            "10",
            "--resolve",
            &format!("{FQDN}:{port}:127.0.0.1"),
            "--cacert",
        ])
        .arg(certs.join("example.com.crt"))
        .arg("--cert")
        .arg(certs.join("client.test.svc.cluster.local.crt"))
        .arg("--key")
        .arg(certs.join("client.test.svc.cluster.local.key"))
        .arg(format!("https://{FQDN}:{port}/status/200"))
        .output()
        .unwrap()
}

fn text(out: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn terminate(proxy: &mut Proxy) -> Option<i32> {
    let pid = proxy.child.0.id().to_string();
    Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Ok(Some(status)) = proxy.child.0.try_wait() {
            return status.code();
        }
        assert!(
            Instant::now() < deadline,
            "proxy did not exit within 10 s of SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

pub(crate) fn the_rendered_task_is_served_and_sigterm_exits_0() {
    if !require_tool("curl") {
        return;
    }
    let dir = tempdir();
    let yaml = render_task(dir.path(), &[]);
    let mut proxy = start_proxy(dir.path(), &yaml, &[]);
    let out = curl_mtls(dir.path(), proxy.external);
    assert!(text(&out).starts_with("HTTP/2 200"), "{}", text(&out));
    assert!(text(&out).contains("x-envoy-decorator-operation: ingress-sidecar.test:9080/*"));
    let plain = Command::new("curl")
        .args([
            "-sS",
            "-I",
            "--max-time",
            "10",
            &format!("http://127.0.0.1:{}/status/200", proxy.internal),
        ])
        .output()
        .unwrap();
    assert_eq!(plain.status.code(), Some(56), "{}", text(&plain));
    let table = run(&["pc", "secret", "--admin", &proxy.admin]);
    let rows = String::from_utf8_lossy(&table.stdout).into_owned();
    let names: Vec<&str> = rows
        .lines()
        .skip(1)
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert_eq!(
        names,
        [
            "file-cert:/etc/istio/tls-certs/tls.crt~/etc/istio/tls-certs/tls.key",
            "default",
            "ROOTCA",
            "file-root:/etc/istio/tls-ca-certs/ca.crt"
        ],
        "{rows}"
    );
    assert!(
        !proxy.stderr().contains("ignored"),
        "no gate should fire: {}",
        proxy.stderr()
    );
    assert_eq!(terminate(&mut proxy), Some(0));
}

pub(crate) fn without_the_install_flag_the_tls_block_is_ignored_and_said_so() {
    if !require_tool("curl") {
        return;
    }
    let dir = tempdir();
    let yaml = render_task(
        dir.path(),
        &[
            "namespace",
            "peer-authentication",
            "secrets",
            "app",
            "sidecar",
        ],
    );
    let proxy = start_proxy(dir.path(), &yaml, &[]);
    assert!(
        proxy.stderr().contains("port 9080: the Sidecar's tls block is ignored: no install config sets values.pilot.env.ENABLE_TLS_ON_SIDECAR_INGRESS=true"),
        "{}",
        proxy.stderr()
    );
    // As in Istio, the port then follows its PeerAuthentication mode: DISABLE, plaintext.
    let out = Command::new("curl")
        .args([
            "-sS",
            "-I",
            "--max-time",
            "10",
            &format!("http://127.0.0.1:{}/status/200", proxy.external),
        ])
        .output()
        .unwrap();
    assert!(text(&out).starts_with("HTTP/1.1 200"), "{}", text(&out));
    // The flag can also be given on the command line.
    let dir2 = tempdir();
    let yaml2 = render_task(
        dir2.path(),
        &[
            "namespace",
            "peer-authentication",
            "secrets",
            "app",
            "sidecar",
        ],
    );
    let proxy2 = start_proxy(dir2.path(), &yaml2, &["--enable-tls-on-sidecar-ingress"]);
    assert!(text(&curl_mtls(dir2.path(), proxy2.external)).starts_with("HTTP/2 200"));
}

pub(crate) fn a_tls_port_that_is_not_disable_keeps_istio_mtls_and_names_the_policy() {
    let dir = tempdir();
    let yaml = render_task(dir.path(), &[]);
    let text_yaml = std::fs::read_to_string(&yaml).unwrap();
    let changed = text_yaml.replacen("9080:\n      mode: DISABLE", "9080:\n      mode: STRICT", 1);
    assert_ne!(
        changed, text_yaml,
        "the rendered portLevelMtls entry was not found"
    );
    std::fs::write(&yaml, changed).unwrap();
    let proxy = start_proxy(dir.path(), &yaml, &[]);
    let log = proxy.stderr();
    assert!(
        log.contains(
            "port 9080: the Sidecar's tls block is ignored: the mTLS mode of Deployment test/httpbin on port 9080 is STRICT"
        ),
        "{log}"
    );
    assert!(log.contains("workload PeerAuthentication test/disable-peer-auth-for-external-mtls-port (portLevelMtls)"), "{log}");
}

pub(crate) fn a_changed_secret_in_the_input_is_served_within_2_seconds() {
    let dir = tempdir();
    let yaml = render_task(dir.path(), &[]);
    let proxy = start_proxy(dir.path(), &yaml, &[]);
    let serial_of = |admin: &str| {
        let out = run(&["pc", "secret", "--admin", admin]);
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        text.lines()
            .find(|l| l.starts_with("file-cert:"))
            .and_then(|l| l.split_whitespace().nth(5))
            .unwrap_or_default()
            .to_string()
    };
    let before = serial_of(&proxy.admin);
    // New leaves from the same CA, rendered into the same file.
    for leaf in ["httpbin", "client"] {
        for ext in ["crt", "key"] {
            std::fs::remove_file(
                dir.path()
                    .join(format!("certs/{leaf}.test.svc.cluster.local.{ext}")),
            )
            .unwrap();
        }
    }
    certgen(&dir.path().join("certs"), &[]);
    let out = run(&[
        "render",
        "--certs",
        dir.path().join("certs").to_str().unwrap(),
    ]);
    std::fs::write(&yaml, &out.stdout).unwrap();
    let deadline = Instant::now() + Duration::from_secs(2);
    loop {
        let now = serial_of(&proxy.admin);
        if !now.is_empty() && now != before {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "still serving {before} after 2 s"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

pub(crate) fn requests_in_flight_finish_during_the_drain() {
    if !require_tool("curl") {
        return;
    }
    let dir = tempdir();
    let yaml = render_task(dir.path(), &[]);
    let mut proxy = start_proxy(dir.path(), &yaml, &["--drain-timeout", "5s"]);
    let certs = dir.path().join("certs");
    let port = proxy.external;
    let slow = Command::new("curl")
        .args([
            "-sS",
            "-o",
            "/dev/null",
            "-w",
            "%{http_code}",
            "--max-time",
            "10",
            "--resolve",
            &format!("{FQDN}:{port}:127.0.0.1"),
            "--cacert",
        ])
        .arg(certs.join("example.com.crt"))
        .arg("--cert")
        .arg(certs.join("client.test.svc.cluster.local.crt"))
        .arg("--key")
        .arg(certs.join("client.test.svc.cluster.local.key"))
        .arg(format!("https://{FQDN}:{port}/delay/1"))
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(400));
    assert_eq!(terminate(&mut proxy), Some(0));
    let out = slow.wait_with_output().unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "200",
        "the request in flight was cut"
    );
}

pub(crate) fn ambiguous_or_missing_workloads_are_clear_errors() {
    let dir = tempdir();
    let yaml = render_task(dir.path(), &[]);
    let text_yaml = std::fs::read_to_string(&yaml).unwrap();
    // A second Deployment with the same pod labels.
    let start = text_yaml.find("kind: Deployment").unwrap();
    let doc_start = text_yaml[..start].rfind("---\n").map_or(0, |i| i + 4);
    let doc_end = text_yaml[start..]
        .find("\n---\n")
        .map_or(text_yaml.len(), |i| start + i + 1);
    let copy = text_yaml[doc_start..doc_end].replacen("name: httpbin\n", "name: httpbin-copy\n", 1);
    std::fs::write(&yaml, format!("{text_yaml}---\n{copy}")).unwrap();
    let out = meshtls()
        .args(["proxy", "-f"])
        .arg(&yaml)
        .args(["--admin", "127.0.0.1:0"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("2 Deployments match")
            && err.contains("test/httpbin-copy")
            && err.contains("--workload"),
        "{err}"
    );
    let out = meshtls()
        .args(["proxy", "-f"])
        .arg(&yaml)
        .args(["--workload", "app=nothing", "--admin", "127.0.0.1:0"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("no Deployment in the input has pod labels app=nothing"),
        "{}",
        stderr(&out)
    );
}

/// Issue 17: a port in use names the flag of this command that moves it, once.
pub(crate) fn a_port_in_use_names_the_flag_that_moves_it() {
    let dir = tempdir();
    let yaml = render_task(dir.path(), &[]);
    let busy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = busy.local_addr().unwrap().port();
    let proxy = |args: &[&str]| {
        let out = meshtls()
            .args(["proxy", "-f"])
            .arg(&yaml)
            .args(["--access-log", "off", "--mesh-dir"])
            .arg(dir.path().join("mesh"))
            .args(args)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        stderr(&out)
    };
    let taken = format!("9080={port}");
    let err = proxy(&[
        "--port-map",
        &taken,
        "--port-map",
        "9081=0",
        "--admin",
        "127.0.0.1:0",
    ]);
    assert!(
        err.contains(&format!("binding port 9080 on 127.0.0.1:{port}")),
        "{err}"
    );
    assert!(err.contains("move it with --port-map 9080=LOCAL"), "{err}");
    assert_eq!(err.matches("in use").count(), 1, "{err}");
    let admin = format!("127.0.0.1:{port}");
    let err = proxy(&[
        "--port-map",
        "9080=0",
        "--port-map",
        "9081=0",
        "--admin",
        &admin,
    ]);
    assert!(err.contains("pick another --admin HOST:PORT"), "{err}");
    assert!(!err.contains("--port-map"), "{err}");
}
