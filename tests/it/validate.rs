//! `meshtls validate`: each Istio rule and schema check with its exact message (one failing
//! input per rule in testdata/validate/), warnings, JSON output, malformed YAML (issue 3).
use std::io::Write;
use std::process::Stdio;

use crate::common::{meshtls, run, stderr, stdout, testdata_arg};

const SC: &str = "(Sidecar test/ingress-sidecar) spec.ingress[0]";

/// Runs `validate -f testdata/validate/<name>.yaml`; returns (exit code, stdout).
fn validate(name: &str) -> (Option<i32>, String) {
    let out = run(&[
        "validate",
        "-f",
        &testdata_arg(&format!("validate/{name}.yaml")),
    ]);
    (out.status.code(), stdout(&out))
}

/// The input fails with exit 65 and prints `line` exactly, as one whole line.
fn fails_with(name: &str, line: &str) {
    let (code, out) = validate(name);
    assert_eq!(code, Some(65), "{name}: {out}");
    assert!(
        out.lines().any(|l| l == line),
        "{name}: no line {line:?} in\n{out}"
    );
}

pub(crate) fn credential_name_on_a_sidecar() {
    fails_with(
        "sidecar-credential-name",
        &format!(
            "Error {SC}.tls.credentialName: sidecar: credentialName is not currently supported"
        ),
    );
}

pub(crate) fn tls_on_an_http_port() {
    fails_with(
        "sidecar-tls-on-http-port",
        &format!("Error {SC}.tls: server cannot have TLS settings for non HTTPS/TLS ports"),
    );
}

pub(crate) fn mutual_without_a_ca_bundle() {
    fails_with(
        "sidecar-mutual-without-ca",
        &format!("Error {SC}.tls.caCertificates: MUTUAL TLS requires a client CA bundle"),
    );
}

pub(crate) fn istio_mutual_on_a_sidecar_ingress() {
    fails_with(
        "sidecar-istio-mutual",
        &format!(
            "Error {SC}.tls.mode: configuration is invalid: cannot set mode to ISTIO_MUTUAL in sidecar ingress tls"
        ),
    );
}

pub(crate) fn bad_default_endpoint_host() {
    fails_with(
        "sidecar-bad-default-endpoint",
        &format!(
            "Error {SC}.defaultEndpoint: sidecar: defaultEndpoint must be of form 127.0.0.1:<port>,0.0.0.0:<port>,[::1]:port,[::]:port,unix://filepath or unset"
        ),
    );
}

pub(crate) fn default_endpoint_without_a_port() {
    fails_with(
        "sidecar-default-endpoint-no-port",
        &format!("Error {SC}.defaultEndpoint: address localhost: missing port in address"),
    );
    fails_with(
        "sidecar-default-endpoint-no-port",
        &format!(
            "Error {SC}.defaultEndpoint: sidecar: defaultEndpoint port () is not a number: strconv.Atoi: parsing \"\": invalid syntax"
        ),
    );
}

pub(crate) fn port_out_of_range() {
    fails_with(
        "sidecar-port-out-of-range",
        &format!("Error {SC}.port.number: port number 70000 must be in the range 1..65535"),
    );
}

pub(crate) fn unknown_protocol() {
    fails_with(
        "sidecar-unknown-protocol",
        &format!("Error {SC}.port.protocol: unsupported protocol: HTTPX"),
    );
}

pub(crate) fn invalid_port_name() {
    fails_with(
        "sidecar-invalid-port-name",
        &format!("Error {SC}.port.name: invalid port name: External_Port"),
    );
}

pub(crate) fn subject_alt_names_https_redirect_and_missing_files() {
    fails_with(
        "sidecar-subject-alt-names",
        &format!(
            "Error {SC}.tls.subjectAltNames: sidecar: subjectAltNames is not supported in ingress tls"
        ),
    );
    fails_with(
        "sidecar-https-redirect",
        &format!("Error {SC}.tls.httpsRedirect: sidecar: httpsRedirect is not supported"),
    );
    fails_with(
        "sidecar-simple-without-key",
        &format!("Error {SC}.tls.privateKey: SIMPLE TLS requires a private key"),
    );
    fails_with(
        "sidecar-simple-with-crl",
        &format!("Error {SC}.tls.caCrl: CRL is not supported with SIMPLE TLS"),
    );
}

pub(crate) fn duplicate_ingress_port() {
    fails_with(
        "sidecar-duplicate-port",
        "Error (Sidecar test/ingress-sidecar) spec.ingress[1].port.number: sidecar: ports on IP bound listeners must be unique",
    );
}

pub(crate) fn port_level_mtls_without_a_selector() {
    let pa = "(PeerAuthentication test/default)";
    fails_with(
        "pa-port-level-without-selector",
        &format!(
            "Error {pa} spec.portLevelMtls: mesh/namespace peer authentication cannot have port level mTLS"
        ),
    );
    // The CRD's CEL rule says the same to the API server.
    fails_with(
        "pa-port-level-without-selector",
        &format!("Error {pa} spec: Invalid value: \"object\": portLevelMtls requires selector"),
    );
}

pub(crate) fn empty_and_out_of_range_port_level_mtls() {
    let pa = "(PeerAuthentication test/workload)";
    fails_with(
        "pa-empty-port-level",
        &format!(
            "Error {pa} spec.portLevelMtls: port level mTLS, if defined, must have at least one element"
        ),
    );
    fails_with(
        "pa-port-out-of-range",
        &format!("Error {pa} spec.portLevelMtls[70000]: port must be in range 1..65535"),
    );
    fails_with(
        "pa-wildcard-selector",
        &format!(
            "Error {pa} spec.selector.matchLabels: wildcard is not supported in selector: \"app=http*\""
        ),
    );
}

pub(crate) fn warnings_do_not_fail() {
    for (name, lines) in [
        (
            "sidecar-passthrough-with-certs",
            vec![format!(
                "Warning {SC}.tls: PASSTHROUGH mode does not use certificates, they will be ignored"
            )],
        ),
        (
            "sidecar-cipher-suites",
            vec![
                format!(
                    "Warning {SC}.tls.cipherSuites: ignoring invalid cipher suites: [TLS_AES_128_GCM_SHA256]"
                ),
                format!(
                    "Warning {SC}.tls.cipherSuites: ignoring duplicate cipher suites: [ECDHE-RSA-AES128-GCM-SHA256]"
                ),
            ],
        ),
    ] {
        let (code, out) = validate(name);
        assert_eq!(code, Some(0), "{name}: {out}");
        for line in lines {
            assert!(
                out.lines().any(|l| l == line),
                "{name}: no line {line:?} in\n{out}"
            );
        }
    }
}

pub(crate) fn crd_schema_checks() {
    fails_with(
        "schema-unknown-field",
        &format!("Error {SC}.defaultEndpiont: unknown field \"spec.ingress[0].defaultEndpiont\""),
    );
    fails_with(
        "schema-enum",
        &format!(
            "Error {SC}.tls.mode: Unsupported value: \"STRICT\": supported values: \"PASSTHROUGH\", \"SIMPLE\", \"MUTUAL\", \"AUTO_PASSTHROUGH\", \"ISTIO_MUTUAL\", \"OPTIONAL_MUTUAL\""
        ),
    );
    fails_with(
        "schema-type",
        &format!(
            "Error {SC}.port.number: Invalid value: \"string\": spec.ingress[0].port.number in body must be of type integer: \"string\""
        ),
    );
    fails_with(
        "schema-one-of",
        &format!(
            "Error {SC}.tls: Invalid value: \"object\": only one of credentialName or credentialNames can be set"
        ),
    );
    fails_with(
        "schema-required",
        &format!("Error {SC}.port: Required value"),
    );
    // YAML 1.1 reads OFF as a boolean, as the API server's decoder does.
    fails_with(
        "schema-mtls-mode",
        "Error (PeerAuthentication test/default) spec.mtls.mode: Invalid value: \"boolean\": spec.mtls.mode in body must be of type string: \"boolean\"",
    );
}

pub(crate) fn errors_come_before_warnings_with_a_summary() {
    let (_, out) = validate("sidecar-cipher-suites");
    assert_eq!(out.lines().last(), Some("0 error(s), 2 warning(s)"));
}

pub(crate) fn json_output_lists_errors_and_warnings_apart() {
    let out = run(&[
        "validate",
        "-o",
        "json",
        "-f",
        &testdata_arg("validate/sidecar-credential-name.yaml"),
    ]);
    assert_eq!(out.status.code(), Some(65));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["warnings"], serde_json::json!([]));
    assert_eq!(
        report["errors"][0],
        serde_json::json!({
            "level": "Error",
            "kind": "Sidecar",
            "namespace": "test",
            "name": "ingress-sidecar",
            "path": "spec.ingress[0].tls.credentialName",
            "message": "sidecar: credentialName is not currently supported"
        })
    );
}

pub(crate) fn malformed_yaml_gets_line_and_column() {
    let file = testdata_arg("validate/malformed.yaml");
    let out = run(&["validate", "-f", &file]);
    assert_eq!(out.status.code(), Some(65));
    assert_eq!(
        stderr(&out),
        format!("Error: {file}:7:11: unclosed bracket '{{'\n")
    );
}

pub(crate) fn the_rendered_task_is_clean_from_stdin() {
    let rendered = run(&[
        "render",
        "install",
        "namespace",
        "peer-authentication",
        "app",
        "sidecar",
        "sleep",
    ]);
    let mut child = meshtls()
        .args(["validate", "-f", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(&rendered.stdout)
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        stdout(&out),
        "✔ No validation issues found in 3 Istio resource(s).\n"
    );
}

pub(crate) fn unserved_api_version() {
    fails_with(
        "schema-unknown-version",
        "Error (Sidecar test/ingress-sidecar) apiVersion: no matches for kind \"Sidecar\" in version \"networking.istio.io/v2\"",
    );
}

/// The remaining rules of `ValidateSidecar`, `validateTLSOptions` and `ValidatePeerAuthentication`:
/// (input, exit code, one exact output line).
pub(crate) fn every_other_rule_has_its_message() {
    let pa = "(PeerAuthentication test/workload)";
    let cases: Vec<(&str, i32, String)> = vec![
        ("sidecar-empty", 65, "Error (Sidecar test/ingress-sidecar) spec: sidecar: empty configuration provided".into()),
        (
            "sidecar-selector-without-labels",
            0,
            "Warning (Sidecar test/ingress-sidecar) spec.workloadSelector: sidecar: workload selector specified without labels, will be applied to all services in namespace".into(),
        ),
        ("sidecar-target-port", 65, format!("Error {SC}.port.targetPort: targetPort has no impact on Sidecars")),
        ("sidecar-bad-bind", 65, format!("Error {SC}.bind: not-an-ip is not a valid IP")),
        ("sidecar-unix-endpoint", 65, format!("Error {SC}.defaultEndpoint: relative.sock is not an absolute path to a file")),
        (
            "sidecar-auto-passthrough",
            65,
            format!("Error {SC}.tls.mode: configuration is invalid: cannot set mode to AUTO_PASSTHROUGH in sidecar ingress tls"),
        ),
        (
            "sidecar-istio-mutual-with-certs",
            65,
            format!("Error {SC}.tls.caCertificates: ISTIO_MUTUAL TLS cannot have associated CA bundle"),
        ),
        (
            "sidecar-optional-mutual-without-ca",
            65,
            format!("Error {SC}.tls.caCertificates: MUTUAL TLS requires a client CA bundle"),
        ),
        (
            "sidecar-tls-certificates",
            65,
            format!("Error {SC}.tls.tlsCertificates: sidecar: tls_certificates is not currently supported"),
        ),
        (
            "sidecar-tls-certificates",
            65,
            format!("Error {SC}.tls.tlsCertificates[0].privateKey: MUTUAL TLS requires a private key"),
        ),
        (
            "sidecar-old-tls-version",
            0,
            format!(
                "Warning {SC}.tls.minProtocolVersion: TLS version below TLSV1_2 require setting compatible ciphers as by default they no longer include compatible ciphers."
            ),
        ),
        (
            "sidecar-connection-pool",
            65,
            format!("Error {SC}.connectionPool.http.http1MaxPendingRequests: http1 max pending requests must be non-negative"),
        ),
        (
            "sidecar-connection-pool",
            65,
            "Error (Sidecar test/ingress-sidecar) spec.inboundConnectionPool: connection pool must have at least one field".into(),
        ),
        (
            "sidecar-connection-pool",
            65,
            format!(
                "Warning {SC}.connectionPool.http: sidecar: HTTP connection pool settings are configured for port 9080 (\"external\") but its protocol is not HTTP (TCP); only TCP settings will apply"
            ),
        ),
        (
            "sidecar-egress",
            65,
            "Error (Sidecar test/ingress-sidecar) spec.egress[0]: sidecar: the egress listener with empty port should be the last listener in the list".into(),
        ),
        (
            "sidecar-egress",
            65,
            "Error (Sidecar test/ingress-sidecar) spec.egress[1].bind: sidecar: ports with 0 value must have a unix domain socket bind address".into(),
        ),
        (
            "sidecar-egress",
            65,
            "Error (Sidecar test/ingress-sidecar) spec.egress[2].hosts: sidecar: egress listener must contain at least one host".into(),
        ),
        (
            "sidecar-egress-proxy",
            65,
            "Error (Sidecar test/ingress-sidecar) spec.outboundTrafficPolicy.egressProxy: sidecar: egress_proxy must be set only with ALLOW_ANY outbound_traffic_policy mode".into(),
        ),
        ("pa-selector-without-labels", 0, format!("Warning {pa} spec.selector: workload selector specified without labels")),
    ];
    for (name, code, line) in cases {
        let (status, out) = validate(name);
        assert_eq!(status, Some(code), "{name}: {out}");
        assert!(
            out.lines().any(|l| l == line),
            "{name}: no line {line:?} in\n{out}"
        );
    }
}
