//! `meshtls proxy-config secret` (issue 5): golden tables and dumps from fixture config dumps,
//! bad input, private-key redaction, and a real Envoy (in `envoy`).
pub(crate) mod envoy;
mod fixtures;

use std::collections::HashSet;
use std::fs;
use std::io::Write;
use std::path::PathBuf;
use std::process::{Output, Stdio};

use crate::common::{meshtls, stderr, stdout, testdata};

/// One golden case: the command (run in `testdata/proxy-config`, with `--now` appended), the
/// fixture fed on stdin if any, the exit status, and the golden stem (`golden/<stem>.out|.err`).
/// Cases sharing a stem must print the same bytes.
struct Case {
    stem: &'static str,
    args: &'static [&'static str],
    stdin: Option<&'static str>,
    status: i32,
}

const CASES: &[Case] = &[
    Case {
        stem: "istio.short",
        args: &["proxy-config", "secret", "-f", "istio.json"],
        stdin: None,
        status: 0,
    },
    // The same secrets in camelCase, bare (as istioctl -o json prints them), and on stdin.
    Case {
        stem: "istio.short",
        args: &["pc", "s", "-f", "camel.json"],
        stdin: None,
        status: 0,
    },
    Case {
        stem: "istio.short",
        args: &["pc", "secrets", "-f", "-"],
        stdin: Some("istio.json"),
        status: 0,
    },
    Case {
        stem: "istio.json",
        args: &["pc", "secret", "-f", "istio.json", "-o", "json"],
        stdin: None,
        status: 0,
    },
    Case {
        stem: "istio.json",
        args: &["pc", "secret", "-f", "camel.json", "-o", "json"],
        stdin: None,
        status: 0,
    },
    Case {
        stem: "istio.yaml",
        args: &["pc", "secret", "-f", "istio.json", "-o", "yaml"],
        stdin: None,
        status: 0,
    },
    Case {
        stem: "istio.wide-all",
        args: &[
            "pc",
            "secret",
            "-f",
            "istio.json",
            "-o",
            "wide",
            "--all-certs",
        ],
        stdin: None,
        status: 0,
    },
    Case {
        stem: "spiffe.short",
        args: &["pc", "secret", "-f", "spiffe.json"],
        stdin: None,
        status: 0,
    },
    Case {
        stem: "validity.short",
        args: &["pc", "secret", "-f", "validity.json"],
        stdin: None,
        status: 0,
    },
    Case {
        stem: "validity.check",
        args: &[
            "pc",
            "secret",
            "-f",
            "validity.json",
            "--check",
            "--warn-days",
            "7",
        ],
        stdin: None,
        status: 3,
    },
    // Issue 17: the duration form gives the same verdict.
    Case {
        stem: "validity.check",
        args: &[
            "pc",
            "secret",
            "-f",
            "validity.json",
            "--check",
            "--warn-within",
            "7d",
        ],
        stdin: None,
        status: 3,
    },
    Case {
        stem: "bad.short",
        args: &["pc", "secret", "-f", "bad.json"],
        stdin: None,
        status: 0,
    },
    Case {
        stem: "empty.short",
        args: &["pc", "secret", "-f", "empty.json"],
        stdin: None,
        status: 0,
    },
    Case {
        stem: "no-secrets",
        args: &["pc", "secret", "-f", "no-secrets.json"],
        stdin: None,
        status: 1,
    },
    Case {
        stem: "no-input",
        args: &["pc", "secret"],
        stdin: None,
        status: 1,
    },
];

fn dir() -> PathBuf {
    testdata("proxy-config")
}

fn run_in_fixtures(args: &[&str], stdin_file: Option<&str>) -> Output {
    let mut cmd = meshtls();
    cmd.current_dir(dir())
        .args(args)
        .args(["--now", fixtures::NOW]);
    cmd.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("meshtls starts");
    let input = stdin_file
        .map(|f| fs::read(dir().join(f)).expect("fixture"))
        .unwrap_or_default();
    if let Some(mut pipe) = child.stdin.take() {
        pipe.write_all(&input).expect("stdin written");
    }
    child.wait_with_output().expect("meshtls finishes")
}

/// Runs every case against its golden files; with `bless`, (re)writes the first case of
/// each stem and checks the others against it.
fn check_goldens(bless: bool) {
    let mut written = HashSet::new();
    let mut failures = Vec::new();
    for case in CASES {
        let out = run_in_fixtures(case.args, case.stdin);
        let label = format!("{} {:?} (stdin {:?})", case.stem, case.args, case.stdin);
        if out.status.code() != Some(case.status) {
            failures.push(format!(
                "{label}: exit {:?}, want {}\n{}",
                out.status.code(),
                case.status,
                stderr(&out)
            ));
            continue;
        }
        for (ext, got) in [("out", stdout(&out)), ("err", stderr(&out))] {
            let path = dir().join("golden").join(format!("{}.{ext}", case.stem));
            if bless && written.insert(path.clone()) {
                if got.is_empty() {
                    let _ = fs::remove_file(&path);
                } else {
                    fs::create_dir_all(dir().join("golden")).expect("golden dir");
                    fs::write(&path, &got).expect("golden written");
                }
                continue;
            }
            let want = fs::read_to_string(&path).unwrap_or_default();
            if got != want {
                failures.push(format!(
                    "{label}: {} differs\n--- want\n{want}--- got\n{got}",
                    path.display()
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} golden mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

pub(crate) fn secret_tables_and_dumps_match_goldens() {
    // `MESHTLS_BLESS=1 cargo test secret_tables` rewrites the goldens from the committed dumps.
    check_goldens(std::env::var("MESHTLS_BLESS").is_ok_and(|v| v == "1"));
}

/// Remakes the fixture dumps (new keys, same dates and serials) and the goldens:
/// `cargo test --test it proxy_config::regenerate_fixtures -- --ignored`.
pub(crate) fn regenerate_fixtures() {
    for (name, dump) in fixtures::dumps() {
        let text = serde_json::to_string_pretty(&dump).expect("dump serializes");
        fs::write(dir().join(name), text + "\n").expect("fixture written");
    }
    check_goldens(true);
}

/// The column cells of one table line, cut at the header's column starts.
pub fn cells(header: &str, line: &str) -> Vec<String> {
    let titles = [
        "RESOURCE NAME",
        "TYPE",
        "STATUS",
        "VALID CERT",
        "SERIAL NUMBER",
        "NOT AFTER",
        "NOT BEFORE",
    ];
    let starts: Vec<usize> = titles
        .iter()
        .map(|t| header.find(t).expect("header column"))
        .collect();
    starts
        .iter()
        .enumerate()
        .map(|(i, &start)| {
            let end = starts
                .get(i + 1)
                .copied()
                .unwrap_or(line.len())
                .min(line.len());
            line.get(start.min(end)..end)
                .unwrap_or_default()
                .trim()
                .to_string()
        })
        .collect()
}

pub(crate) fn a_20_byte_serial_with_a_zero_top_nibble_keeps_every_digit() {
    let out = run_in_fixtures(&["pc", "secret", "-f", "istio.json"], None);
    let text = stdout(&out);
    let header = text.lines().next().expect("header");
    let row = text
        .lines()
        .find(|l| l.starts_with("file-cert:"))
        .expect("file-cert row");
    let serial = &cells(header, row)[4];
    // serial(0x0a, 20) in fixtures.rs: 0a 11 22 33 …, 20 bytes = 40 digits (istioctl prints 39).
    assert_eq!(serial.len(), 40, "{serial}");
    assert!(serial.starts_with("0a112233"), "{serial}");
}

pub(crate) fn private_keys_never_print() {
    let fixture = fs::read_to_string(dir().join("istio.json")).expect("fixture");
    // base64 of "-----BEGIN PRIVATE": the fixture carries an unredacted key stand-in.
    let key_marker = "LS0tLS1CRUdJTiBQUklWQVRF";
    assert!(
        fixture.contains(key_marker),
        "the fixture must hold a key for this test to mean anything"
    );
    for format in ["json", "yaml", "short", "wide"] {
        let out = run_in_fixtures(&["pc", "secret", "-f", "istio.json", "-o", format], None);
        assert!(out.status.success());
        assert!(
            !stdout(&out).contains(key_marker),
            "-o {format} printed a private key"
        );
    }
    let json = stdout(&run_in_fixtures(
        &["pc", "secret", "-f", "istio.json", "-o", "json"],
        None,
    ));
    assert_eq!(
        json.matches("W3JlZGFjdGVkXQ==").count(),
        2,
        "both dynamic private keys redacted"
    );
}

pub(crate) fn bad_input_is_an_error_naming_the_input_not_a_panic() {
    let tmp = crate::common::tempdir();
    let cases: [(&str, &[u8], &str); 3] = [
        ("not-json.json", b"this is not json", "not valid JSON"),
        (
            "truncated.json",
            b"{\"configs\":[{\"@type\":\"type.googleapis.com/envoy.admin.v3.SecretsConfigDump\",",
            "not valid JSON",
        ),
        (
            "wrong-shape.json",
            b"{\"dynamic_active_secrets\":{\"name\":1}}",
            "expected shape",
        ),
    ];
    for (name, bytes, message) in cases {
        let path = tmp.path().join(name);
        fs::write(&path, bytes).expect("written");
        let out = meshtls()
            .args(["pc", "secret", "-f"])
            .arg(&path)
            .output()
            .expect("runs");
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{name}: {err}");
        assert!(
            err.starts_with("Error: ") && err.contains(name) && err.contains(message),
            "{name}: {err}"
        );
        assert!(!err.contains("panicked"), "{err}");
    }
    let missing = meshtls()
        .args(["pc", "secret", "-f", "/nonexistent/dump.json"])
        .output()
        .expect("runs");
    assert!(
        stderr(&missing).contains("/nonexistent/dump.json"),
        "{}",
        stderr(&missing)
    );
}

pub(crate) fn a_pod_without_any_kubeconfig_says_how_to_give_one() {
    let home = crate::common::tempdir();
    let out = meshtls()
        .args(["pc", "secret", "deployment/httpbin.test"])
        .env("HOME", home.path())
        .env_remove("KUBECONFIG")
        .env_remove("KUBERNETES_SERVICE_HOST")
        .output()
        .expect("runs");
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        err.starts_with("Error: no kubeconfig found: set KUBECONFIG or pass --kubeconfig"),
        "{err}"
    );
}

pub(crate) fn an_unreachable_admin_is_an_error_naming_the_address() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("port")
        .port();
    let addr = format!("127.0.0.1:{port}");
    let out = meshtls()
        .args(["pc", "secret", "--admin", &addr])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains(&addr), "{}", stderr(&out));
}

pub(crate) fn a_large_dump_is_skipped_to_its_secrets() {
    // ~5 MB of clusters around the Istio secrets: the table is the same as for the small dump.
    let tmp = crate::common::tempdir();
    let path = tmp.path().join("big.json");
    let text = serde_json::to_vec_pretty(&fixtures::big_dump(5 << 20)).expect("serializes");
    assert!(text.len() > 4 << 20);
    fs::write(&path, text).expect("written");
    let out = meshtls()
        .args(["pc", "secret", "--now", fixtures::NOW, "-f"])
        .arg(&path)
        .output()
        .expect("runs");
    let want = fs::read_to_string(dir().join("golden/istio.short.out")).expect("golden");
    assert_eq!(stdout(&out), want, "{}", stderr(&out));
}

/// Writes a 50 MB dump for the speed figure in testdata/proxy-config/README.md:
/// `MESHTLS_BIG_DUMP=/tmp/dump-50mb.json cargo test --test it write_big_dump -- --ignored`.
pub(crate) fn write_big_dump() {
    let path = std::env::var("MESHTLS_BIG_DUMP")
        .unwrap_or_else(|_| "/tmp/meshtls-dump-50mb.json".to_string());
    let text = serde_json::to_vec_pretty(&fixtures::big_dump(50 << 20)).expect("serializes");
    fs::write(&path, text).expect("written");
}

/// An in-process admin on 127.0.0.1 that answers each connection with the next canned
/// response, and records the request lines it saw.
fn serve(responses: Vec<Vec<u8>>) -> (String, std::thread::JoinHandle<Vec<String>>) {
    use std::io::{BufRead, BufReader};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("loopback listener");
    let addr = listener.local_addr().expect("address").to_string();
    let handle = std::thread::spawn(move || {
        let mut seen = Vec::new();
        for response in responses {
            let (mut stream, _) = listener.accept().expect("connection");
            let mut reader = BufReader::new(stream.try_clone().expect("clone"));
            let mut line = String::new();
            reader.read_line(&mut line).expect("request line");
            seen.push(line.trim_end().to_string());
            loop {
                let mut header = String::new();
                if reader.read_line(&mut header).map_or(true, |n| n == 0) || header == "\r\n" {
                    break;
                }
            }
            stream.write_all(&response).expect("response written");
        }
        seen
    });
    (addr, handle)
}

fn chunked(status: &str, body: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n"
    )
    .into_bytes();
    for chunk in body.chunks(1000) {
        out.extend(format!("{:x}\r\n", chunk.len()).into_bytes());
        out.extend_from_slice(chunk);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"0\r\n\r\n");
    out
}

pub(crate) fn a_local_admin_is_queried_for_the_secrets_only() {
    let dump = fs::read(dir().join("istio.json")).expect("fixture");
    let no_secrets = b"FieldMask dynamic_active_secrets,dynamic_warming_secrets could not be successfully applied to any configs.";
    let (addr, server) = serve(vec![
        chunked("200 OK", &dump),
        chunked("400 Bad Request", no_secrets),
        chunked("503 Service Unavailable", b"no healthy upstream"),
    ]);
    let run = || run_in_fixtures(&["pc", "secret", "--admin", &addr], None);
    let ok = run();
    let want = fs::read_to_string(dir().join("golden/istio.short.out")).expect("golden");
    assert_eq!(stdout(&ok), want, "{}", stderr(&ok));
    let none = run();
    assert_eq!(none.status.code(), Some(1));
    assert_eq!(
        stderr(&none),
        "Error: config dump has no configuration type type.googleapis.com/envoy.admin.v3.SecretsConfigDump\n"
    );
    let failing = run();
    assert_eq!(failing.status.code(), Some(1));
    assert!(
        stderr(&failing).contains("HTTP 503") && stderr(&failing).contains(&addr),
        "{}",
        stderr(&failing)
    );
    let seen = server.join().expect("server thread");
    assert!(
        seen.iter().all(|l| l
            == "GET /config_dump?mask=dynamic_active_secrets,dynamic_warming_secrets HTTP/1.1"),
        "{seen:?}"
    );
}

/// Issue 17, istio-behaviour.md §8: every row's trust domain is the host of its certificate's
/// first `spiffe://` URI SAN (a bundle entry: its name), so on a SPIRE-style dump the `default`
/// row has `east.local` too and the TRUST DOMAIN column appears, as istioctl 1.25+ prints it.
pub(crate) fn a_spire_style_dump_shows_the_trust_domain_of_every_row() {
    let dir = crate::common::tempdir();
    let path = dir.path().join("spire.json");
    fs::write(
        &path,
        serde_json::to_vec(&fixtures::spire_dump()).expect("json"),
    )
    .expect("write");
    let out = meshtls()
        .args(["pc", "secret", "-f"])
        .arg(&path)
        .args(["--now", fixtures::NOW])
        .output()
        .expect("meshtls runs");
    assert!(out.status.success(), "{}", stderr(&out));
    let table = stdout(&out);
    let lines: Vec<&str> = table.lines().collect();
    assert!(lines[0].ends_with("     TRUST DOMAIN"), "{table}");
    let domains: Vec<(&str, &str)> = lines[1..]
        .iter()
        .map(|l| {
            let words: Vec<&str> = l.split_whitespace().collect();
            (words[0], words[words.len() - 1])
        })
        .collect();
    assert_eq!(
        domains,
        [
            ("default", "east.local"),
            ("ROOTCA", "east.local"),
            ("ROOTCA", "west.local")
        ],
        "{table}"
    );
    assert!(
        lines[1].contains("Cert Chain     ACTIVE     true "),
        "{table}"
    );
}
