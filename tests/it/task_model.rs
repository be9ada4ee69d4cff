//! Issue 14: proxy, analyze, verify and describe read one task model, so on an input with two
//! Deployments, two Sidecars and three PeerAuthentications they pick the same workload, the
//! same Sidecar and the same per-port modes. The other workload's Sidecar comes first in the
//! file: the old verify took "the first Sidecar" and tested port 7443 of the wrong workload.
use meshtls::analyze::{Code, Input, analyze};
use meshtls::describe::describe;
use meshtls::proxy::config::Security;
use meshtls::proxy::inbound::{Placement, resolve};
use meshtls::task::Task;
use meshtls::task::read::{Text, from_texts};
use meshtls::task::select::Selector;
use meshtls::verify::target::{from_task, page_target};
use time::OffsetDateTime;

use crate::common::{run, stdout, tempdir};

fn deployment(name: &str, labels: &str) -> String {
    format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\n  namespace: test\nspec:\n  selector:\n    matchLabels: {labels}\n  template:\n    metadata:\n      labels: {labels}\n    spec:\n      serviceAccountName: {name}\n      containers:\n      - name: app\n        image: app\n        ports:\n        - containerPort: 80\n"
    )
}

fn sidecar(name: &str, selector: &str, tls_port: u32, plain_port: u32) -> String {
    format!(
        "apiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata:\n  name: {name}\n  namespace: test\nspec:\n  workloadSelector:\n    labels: {selector}\n  ingress:\n  - port: {{number: {tls_port}, protocol: HTTPS, name: external}}\n    defaultEndpoint: 0.0.0.0:80\n    tls:\n      mode: SIMPLE\n      serverCertificate: /etc/istio/tls-certs/tls.crt\n      privateKey: /etc/istio/tls-certs/tls.key\n  - port: {{number: {plain_port}, protocol: HTTP, name: internal}}\n    defaultEndpoint: 0.0.0.0:80\n"
    )
}

const POLICIES: &str = "apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata:\n  name: default\n  namespace: istio-system\nspec:\n  mtls: {mode: STRICT}\n---\napiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata:\n  name: default\n  namespace: test\nspec:\n  mtls: {mode: STRICT}\n---\napiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata:\n  name: httpbin-ports\n  namespace: test\nspec:\n  selector:\n    matchLabels: {app: httpbin}\n  portLevelMtls:\n    9080: {mode: DISABLE}\n    9081: {mode: PERMISSIVE}\n";

const REST: &str = "apiVersion: install.istio.io/v1alpha1\nkind: IstioOperator\nmetadata:\n  name: meshtls\n  namespace: istio-system\nspec:\n  values:\n    pilot:\n      env:\n        ENABLE_TLS_ON_SIDECAR_INGRESS: \"true\"\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: httpbin\n  namespace: test\nspec:\n  selector: {app: httpbin}\n  ports:\n  - {name: https, port: 8443, targetPort: 9080}\n  - {name: http, port: 8080, targetPort: 9081}\n";

fn input_text() -> String {
    [
        deployment("other", "{app: other}"),
        deployment("httpbin", "{app: httpbin, version: v1}"),
        sidecar("other-sidecar", "{app: other}", 7443, 7080),
        sidecar("ingress-sidecar", "{app: httpbin, version: v1}", 9080, 9081),
        POLICIES.to_string(),
        REST.to_string(),
    ]
    .join("---\n")
}

fn task() -> Task {
    let text = Text {
        name: "two.yaml".to_string(),
        text: input_text(),
    };
    let input = from_texts(&[text], "test").unwrap();
    assert!(input.rejected.is_empty(), "{:?}", input.rejected);
    input.task
}

fn httpbin() -> Selector {
    Selector {
        workload: Some(meshtls::k8s::labels::parse_selector("app=httpbin").unwrap()),
        sidecar: None,
    }
}

pub(crate) fn proxy_analyze_verify_and_describe_pick_the_same_workload_sidecar_and_modes() {
    let task = task();

    // proxy: the listeners it would bind.
    let placement = Placement {
        selector: httpbin(),
        ..Placement::default()
    };
    let inbound = resolve(&task, &placement).unwrap();
    assert_eq!(inbound.workload.sidecar_name, "ingress-sidecar");
    assert_eq!(inbound.workload.service_account, "httpbin");
    let security: Vec<(u16, &Security)> = inbound
        .listeners
        .iter()
        .map(|l| (l.port, &l.security))
        .collect();
    assert_eq!(security.len(), 2);
    assert_eq!(security[0].0, 9080);
    assert!(
        matches!(security[0].1, Security::Terminate(_)),
        "{security:?}"
    );
    assert_eq!(
        (security[1].0, security[1].1),
        (9081, &Security::Permissive)
    );

    // verify: the ports and names it checks (the old reader took other-sidecar's 7443).
    let target = from_task(&task, &httpbin(), page_target()).unwrap();
    assert_eq!(target.sidecar_name, "ingress-sidecar");
    assert_eq!((target.tls.workload, target.tls.service), (9080, 8443));
    assert_eq!(
        (target.internal.workload, target.internal.service),
        (9081, 8080)
    );
    assert_eq!(target.service_account, "httpbin");

    // describe: the same Sidecar and modes.
    let selected = task.select(&httpbin()).unwrap();
    let description = describe(&task, &selected, OffsetDateTime::now_utc());
    assert_eq!(description.sidecar, "test/ingress-sidecar");
    let modes: Vec<(u32, &str, &str)> = description
        .ports
        .iter()
        .map(|p| (p.port, p.mtls_mode.as_str(), p.tls.as_str()))
        .collect();
    assert_eq!(
        modes,
        [(9080, "DISABLE", "terminate"), (9081, "PERMISSIVE", "none")]
    );

    // analyze: its findings for httpbin name the same Sidecar and the same decisions.
    let findings = analyze(&Input {
        task: task.clone(),
        validation: Vec::new(),
        cert_files: Vec::new(),
        now: OffsetDateTime::now_utc(),
    });
    let about_httpbin: Vec<_> = findings
        .iter()
        .filter(|f| f.message.contains("Deployment test/httpbin"))
        .collect();
    assert!(
        about_httpbin
            .iter()
            .all(|f| f.origin.name == "ingress-sidecar"),
        "{about_httpbin:#?}"
    );
    assert!(
        about_httpbin.iter().any(|f| f.code == Code::PermissivePlainPort
            && f.message.contains("9081 (internal)")
            && f.message.contains("PERMISSIVE, set by workload PeerAuthentication test/httpbin-ports (portLevelMtls)")),
        "{findings:#?}"
    );
    assert!(
        !findings
            .iter()
            .any(|f| f.code == Code::TlsPortNotDisabled && f.origin.name == "ingress-sidecar"),
        "9080 is DISABLE: {findings:#?}"
    );
    // The other workload's tls port is STRICT (namespace policy), and analyze says so there.
    assert!(
        findings.iter().any(|f| f.code == Code::TlsPortNotDisabled
            && f.origin.name == "other-sidecar"
            && f.message.contains("port 7443 is STRICT")),
        "{findings:#?}"
    );
}

pub(crate) fn without_a_workload_two_selected_deployments_are_named_not_guessed() {
    let error = task().select(&Selector::default()).unwrap_err().to_string();
    assert!(error.contains("2 Deployments match"), "{error}");
    assert!(error.contains("--workload"), "{error}");
}

pub(crate) fn describe_reads_a_folder_and_several_files_and_prints_json() {
    let dir = tempdir();
    let text = input_text();
    let (first, second) = text.split_at(text.find("apiVersion: security").unwrap());
    std::fs::create_dir(dir.path().join("m")).unwrap();
    std::fs::write(dir.path().join("m/a.yaml"), first).unwrap();
    std::fs::write(dir.path().join("m/b.yml"), second).unwrap();
    std::fs::write(dir.path().join("m/skip.txt"), "not: [yaml").unwrap();
    let folder = dir.path().join("m").display().to_string();
    let out = run(&[
        "describe",
        "-f",
        &folder,
        "--workload",
        "app=httpbin",
        "-o",
        "json",
        "-n",
        "test",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(json["sidecar"], "test/ingress-sidecar");
    assert_eq!(json["ports"][0]["mtlsMode"], "DISABLE");
    assert_eq!(json["ports"][1]["services"][0], "httpbin:8080 (http)");
    let a = dir.path().join("m/a.yaml").display().to_string();
    let b = dir.path().join("m/b.yml").display().to_string();
    let files = run(&[
        "describe",
        "-f",
        &a,
        "-f",
        &b,
        "--workload",
        "app=httpbin",
        "-n",
        "test",
    ]);
    assert!(
        files.status.success(),
        "{}",
        String::from_utf8_lossy(&files.stderr)
    );
    assert!(
        stdout(&files).contains("from outside the mesh: TLS terminated (SIMPLE)"),
        "{}",
        stdout(&files)
    );
}

pub(crate) fn describe_says_when_a_gate_ignores_tls_and_still_exits_0() {
    let dir = tempdir();
    let path = dir.path().join("t.yaml");
    let text = input_text().replace("9080: {mode: DISABLE}", "9080: {mode: STRICT}");
    std::fs::write(&path, text).unwrap();
    let out = run(&[
        "describe",
        "-f",
        &path.display().to_string(),
        "--workload",
        "app=httpbin",
        "-n",
        "test",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = stdout(&out);
    assert!(
        text.contains(
            "tls:        IGNORED: the mTLS mode of Deployment test/httpbin on port 9080 is STRICT"
        ),
        "{text}"
    );
    assert!(text.contains("reset: STRICT requires Istio mTLS"), "{text}");
}

pub(crate) fn malformed_flags_are_usage_errors() {
    for args in [
        &["proxy", "-f", "x.yaml", "--port-map", "9080"][..],
        &["proxy", "-f", "x.yaml", "--endpoint-override", "80=nowhere"],
        &["proxy", "-f", "x.yaml", "--drain-timeout", "5 weeks"],
        &["analyze", "-f", "x.yaml", "--now", "yesterday"],
        &["describe", "-f", "x.yaml", "--workload", "app"],
        &["validate"],
    ] {
        let out = run(args);
        assert_eq!(
            out.status.code(),
            Some(64),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
