//! `/stats/prometheus` (issue 15, item 4): Istio's standard metrics for HTTP (both engines, h2
//! and HTTP/1.1), Istio mTLS and TCP traffic, with Istio's metric and label names, read back by
//! a real Prometheus parser (the Python `prometheus_client`). Loopback only, bounded.
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use meshtls::mesh::telemetry::WorkloadNames;
use meshtls::proxy::config::{Endpoint, ListenerConfig, Protocol, Security};
use serde_json::Value;

use crate::common::{in_ci, require_tool};
use crate::proxy::{FQDN, Fixture, admin_get, curl_to, fixture_from, mesh_get};

/// Label names of `istio_requests_total` on an inbound sidecar (Istio's stats filter).
const HTTP_LABELS: [&str; 25] = [
    "reporter",
    "source_workload",
    "source_canonical_service",
    "source_canonical_revision",
    "source_workload_namespace",
    "source_principal",
    "source_app",
    "source_version",
    "source_cluster",
    "destination_workload",
    "destination_workload_namespace",
    "destination_principal",
    "destination_app",
    "destination_version",
    "destination_service",
    "destination_canonical_service",
    "destination_canonical_revision",
    "destination_service_name",
    "destination_service_namespace",
    "destination_cluster",
    "request_protocol",
    "response_code",
    "grpc_response_status",
    "response_flags",
    "connection_security_policy",
];

/// The Python parser, or the test ends ignored (fails under `CI=true`, which installs it).
fn require_prometheus_client() {
    let found = Command::new("python3")
        .args(["-c", "import prometheus_client"])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if found {
        return;
    }
    if in_ci() {
        panic!("the Python prometheus_client is required in CI (installed by .ci/run)");
    }
    crate::harness::skip(
        "Python prometheus_client is not installed (pip install prometheus_client)".to_string(),
    )
}

/// Every sample of `text`, as prometheus_client's text parser reads it.
fn parse(text: &str) -> Vec<Value> {
    let script = "import sys, json\n\
        from prometheus_client.parser import text_string_to_metric_families\n\
        out = []\n\
        for fam in text_string_to_metric_families(sys.stdin.read()):\n\
        \x20   for s in fam.samples:\n\
        \x20       out.append({'family': fam.name, 'type': fam.type, 'name': s.name, 'labels': s.labels, 'value': s.value})\n\
        print(json.dumps(out))\n";
    let mut child = Command::new("python3")
        .args(["-c", script])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3 runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(text.as_bytes())
        .expect("text written");
    let out = child.wait_with_output().expect("parser ends");
    assert!(
        out.status.success(),
        "prometheus_client refused the text: {}\n{text}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("the parser's JSON")
}

/// A one-connection echo for the TCP port, on its own thread; it ends with its connection.
fn echo_once() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").expect("echo binds");
    let address = listener.local_addr().expect("echo address");
    std::thread::spawn(move || {
        if let Ok((mut stream, _)) = listener.accept() {
            let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
            let mut buf = [0u8; 1024];
            while let Ok(n) = stream.read(&mut buf) {
                if n == 0 || stream.write_all(&buf[..n]).is_err() {
                    break;
                }
            }
        }
    });
    address
}

fn sample<'a>(samples: &'a [Value], name: &str, want: &[(&str, &str)]) -> Option<&'a Value> {
    samples.iter().find(|s| {
        s["name"] == name
            && want
                .iter()
                .all(|(k, v)| s["labels"][*k].as_str() == Some(*v))
    })
}

fn value(samples: &[Value], name: &str, want: &[(&str, &str)]) -> f64 {
    sample(samples, name, want)
        .and_then(|s| s["value"].as_f64())
        .unwrap_or(-1.0)
}

fn page_with_telemetry(echo: SocketAddr) -> Fixture {
    fixture_from(false, |config| {
        let labels = [("app", "httpbin"), ("version", "v1")]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        config.workload.names = WorkloadNames::of("httpbin", &labels);
        config.listeners[0].service = Some("httpbin".to_string());
        config.listeners.push(ListenerConfig {
            port: 9090,
            name: "tcp".to_string(),
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
            security: Security::Plaintext,
            protocol: Protocol::Tcp,
            endpoint: Endpoint::Tcp(echo),
            service: Some("httpbin".to_string()),
        });
    })
}

pub(crate) fn prometheus_has_istios_metrics_for_http_mtls_and_tcp_as_a_real_parser_reads_them() {
    require_tool("curl");
    require_prometheus_client();
    let f = page_with_telemetry(echo_once());
    // The page's request twice (curl negotiates h2: hyper's engine) ...
    for _ in 0..2 {
        let out = curl_to(&f, &["-o", "/dev/null", "-w", "%{http_code}"], true);
        assert_eq!(String::from_utf8_lossy(&out.stdout), "200");
    }
    // ... one over HTTP/1.1 (the lean engine) with another status ...
    let port = f.external().port();
    let out = Command::new("curl")
        .args([
            "-sS",
            "--max-time",
            "10",
            "--http1.1",
            "-o",
            "/dev/null",
            "-w",
            "%{http_code}",
        ])
        .arg("--resolve")
        .arg(format!("{FQDN}:{port}:127.0.0.1"))
        .arg("--cacert")
        .arg(f.cert("example.com.crt"))
        .arg("--cert")
        .arg(f.cert("client.test.svc.cluster.local.crt"))
        .arg("--key")
        .arg(f.cert("client.test.svc.cluster.local.key"))
        .arg(format!("https://{FQDN}:{port}/status/418"))
        .output()
        .expect("curl runs");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "418");
    // ... one from inside the mesh (Istio mTLS, no Service named for 9081: Host stands in) ...
    let head = mesh_get(&f, "/status/200");
    assert_eq!(head.status, 200);
    // ... and one TCP connection through the TCP port.
    let tcp = f
        .proxy
        .as_ref()
        .and_then(|p| p.address_of(9090))
        .expect("9090 bound");
    let mut stream = TcpStream::connect(tcp).expect("TCP port accepts");
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    stream.write_all(b"ping").unwrap();
    let mut echoed = [0u8; 4];
    stream.read_exact(&mut echoed).expect("echoed");
    assert_eq!(&echoed, b"ping");
    drop(stream);

    // Requests are counted when their response ends; give the last ones a moment.
    let deadline = Instant::now() + Duration::from_secs(5);
    let (text, samples) = loop {
        let text = admin_get(&f, "/stats/prometheus");
        let samples = parse(&text);
        let done = value(&samples, "istio_tcp_connections_closed_total", &[]) >= 1.0
            && value(
                &samples,
                "istio_requests_total",
                &[
                    ("response_code", "200"),
                    ("connection_security_policy", "none"),
                ],
            ) >= 2.0;
        if done || Instant::now() > deadline {
            break (text, samples);
        }
        std::thread::sleep(Duration::from_millis(100));
    };

    let page = [
        ("reporter", "destination"),
        ("source_workload", "unknown"),
        ("source_principal", "unknown"),
        ("source_canonical_revision", "latest"),
        ("destination_workload", "httpbin"),
        ("destination_workload_namespace", "test"),
        ("destination_principal", "unknown"),
        ("destination_app", "httpbin"),
        ("destination_version", "v1"),
        ("destination_service", "httpbin.test.svc.cluster.local"),
        ("destination_service_name", "httpbin"),
        ("destination_service_namespace", "test"),
        ("destination_canonical_service", "httpbin"),
        ("destination_canonical_revision", "v1"),
        ("destination_cluster", "Kubernetes"),
        ("request_protocol", "http"),
        ("grpc_response_status", ""),
        ("response_flags", "-"),
        // The page's certificates carry no SPIFFE ID: not Istio mTLS.
        ("connection_security_policy", "none"),
    ];
    let with = |extra: &[(&'static str, &'static str)]| {
        let mut all = page.to_vec();
        all.extend_from_slice(extra);
        all
    };
    assert_eq!(
        value(
            &samples,
            "istio_requests_total",
            &with(&[("response_code", "200")])
        ),
        2.0,
        "{text}"
    );
    assert_eq!(
        value(
            &samples,
            "istio_requests_total",
            &with(&[("response_code", "418")])
        ),
        1.0,
        "{text}"
    );
    let ok = sample(
        &samples,
        "istio_requests_total",
        &with(&[("response_code", "200")]),
    )
    .unwrap();
    let mut names: Vec<&str> = ok["labels"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    names.sort_unstable();
    let mut want = HTTP_LABELS.to_vec();
    want.sort_unstable();
    assert_eq!(
        names, want,
        "istio_requests_total has exactly Istio's labels"
    );
    for histogram in [
        "istio_request_duration_milliseconds",
        "istio_request_bytes",
        "istio_response_bytes",
    ] {
        let count = format!("{histogram}_count");
        assert_eq!(
            value(&samples, &count, &with(&[("response_code", "200")])),
            2.0,
            "{histogram}: {text}"
        );
        let inf = with(&[("response_code", "200"), ("le", "+Inf")]);
        assert_eq!(
            value(&samples, &format!("{histogram}_bucket"), &inf),
            2.0,
            "{histogram}"
        );
    }
    assert!(
        value(
            &samples,
            "istio_response_bytes_sum",
            &with(&[("response_code", "200")])
        ) > 0.0
    );
    assert!(
        value(
            &samples,
            "istio_request_bytes_sum",
            &with(&[("response_code", "418")])
        ) > 0.0
    );

    let mesh = [
        ("connection_security_policy", "mutual_tls"),
        (
            "source_principal",
            "spiffe://cluster.local/ns/test/sa/sleep",
        ),
        ("source_workload_namespace", "test"),
        (
            "destination_principal",
            "spiffe://cluster.local/ns/test/sa/httpbin",
        ),
        ("destination_service", "httpbin:8080"),
        ("response_code", "200"),
    ];
    assert_eq!(
        value(&samples, "istio_requests_total", &mesh),
        1.0,
        "{text}"
    );

    let tcp = [
        ("reporter", "destination"),
        ("request_protocol", "tcp"),
        ("response_flags", "-"),
        ("connection_security_policy", "none"),
        ("destination_service", "httpbin.test.svc.cluster.local"),
    ];
    for (name, want) in [
        ("istio_tcp_connections_opened_total", 1.0),
        ("istio_tcp_connections_closed_total", 1.0),
        ("istio_tcp_received_bytes_total", 4.0),
        ("istio_tcp_sent_bytes_total", 4.0),
    ] {
        assert_eq!(value(&samples, name, &tcp), want, "{name}: {text}");
        let s = sample(&samples, name, &tcp).unwrap();
        assert_eq!(s["type"], "counter");
        assert!(
            s["labels"].get("response_code").is_none(),
            "TCP has no response_code"
        );
    }
    assert!(
        text.lines()
            .all(|l| l.starts_with("# TYPE ") || l.starts_with("istio_")),
        "{text}"
    );
}
