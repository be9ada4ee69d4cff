//! The command line as a newcomer meets it (issue 17): every malformed flag is a usage error
//! (exit 64), help lists only the flags a command uses.
use crate::common::{run, stderr};

/// Issue 17: each of these exited 1 once; a command line that makes no sense is a 64.
pub(crate) fn malformed_flags_exit_64() {
    let cases: &[&[&str]] = &[
        &["pc", "secret", "-f", "-", "--now", "yesterday"],
        &["proxy", "-f", "x.yaml", "--drain-timeout", "soon"],
        &["proxy", "-f", "x.yaml", "--port-map", "9080"],
        &[
            "proxy",
            "-f",
            "x.yaml",
            "--endpoint-override",
            "9080=nowhere",
        ],
        &["render", "--tls-port", "9081"],
        &["render", "--tls-port", "9000", "--http-port", "9000"],
        &["render", "--service-tls-port", "8080"],
        &["demo", "--admin-port", "15999", "--external-port", "15999"],
        &["demo", "--internal-port", "15998", "--app-port", "15998"],
        &[
            "pc",
            "secret",
            "-f",
            "-",
            "--check",
            "--warn-within",
            "soon",
        ],
        &[
            "pc",
            "secret",
            "-f",
            "-",
            "--check",
            "--warn-within",
            "36h",
            "--warn-days",
            "1",
        ],
    ];
    for args in cases {
        let out = run(args);
        assert_eq!(out.status.code(), Some(64), "{args:?}: {}", stderr(&out));
    }
    let out = run(&["render", "--tls-port", "9000", "--http-port", "9000"]);
    assert!(
        stderr(&out).contains("--tls-port and --http-port are both 9000"),
        "{}",
        stderr(&out)
    );
    let out = run(&["demo", "--admin-port", "15999", "--external-port", "15999"]);
    assert!(
        stderr(&out).contains("--external-port and --admin-port are both 15999"),
        "{}",
        stderr(&out)
    );
}

/// Issue 17: the same mistake in a `--values` file is the data's fault (65).
pub(crate) fn equal_ports_from_a_values_file_are_a_data_error() {
    let dir = crate::common::tempdir();
    let values = dir.path().join("values.yaml");
    std::fs::write(&values, "tlsPort: 9081\n").expect("values");
    let out = run(&["render", "--values", values.to_str().expect("utf-8")]);
    assert_eq!(out.status.code(), Some(65), "{}", stderr(&out));
}

fn help(command: &str) -> String {
    let out = run(&[command, "--help"]);
    assert!(out.status.success());
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Issue 17: `check` and `cleanup` list only the parameters they use, not render's 25.
pub(crate) fn check_and_cleanup_help_lists_only_their_flags() {
    let render_only = [
        "--tls-port",
        "--http-port",
        "--image",
        "--app-version",
        "--tls-mode",
        "--cipher-suites",
        "--cert-mount",
        "--istio-api-version",
    ];
    let check = help("check");
    let cleanup = help("cleanup");
    for flag in render_only {
        assert!(!check.contains(flag), "check --help lists {flag}:\n{check}");
        assert!(
            !cleanup.contains(flag),
            "cleanup --help lists {flag}:\n{cleanup}"
        );
    }
    for flag in ["--namespace", "--app ", "--values", "--istioNamespace"] {
        assert!(check.contains(flag), "check --help lacks {flag}:\n{check}");
    }
    for flag in [
        "--namespace",
        "--app ",
        "--sidecar-name",
        "--secret",
        "--sleep-namespace",
    ] {
        assert!(
            cleanup.contains(flag),
            "cleanup --help lacks {flag}:\n{cleanup}"
        );
    }
    let render = help("render");
    for flag in render_only.iter().chain(&["--sidecar-name", "--namespace"]) {
        assert!(render.contains(flag), "render --help lacks {flag}");
    }
}

/// Issue 17: `[env: MESHTLS_MESH_DIR=]` showed a stray `=` when the variable is unset.
pub(crate) fn env_help_has_no_stray_equals_sign() {
    for command in ["proxy", "verify"] {
        let text = help(command);
        assert!(
            text.contains("[env: MESHTLS_MESH_DIR]"),
            "{command}:\n{text}"
        );
        assert!(
            !text.contains("=]"),
            "{command} --help has a stray `=`:\n{text}"
        );
    }
}

/// Issue 17: one `-o` vocabulary (text, wide, json, yaml); the older words still work.
pub(crate) fn output_values_keep_their_old_names_as_aliases() {
    let dump = crate::common::testdata_arg("proxy-config/istio.json");
    let now = "2026-11-28T12:00:00Z";
    let table = |o: &str| run(&["pc", "secret", "-f", &dump, "--now", now, "-o", o]);
    let (short, text) = (table("short"), table("text"));
    assert!(short.status.success() && text.status.success());
    assert_eq!(short.stdout, text.stdout);
    assert_eq!(
        run(&["pc", "secret", "-f", &dump, "--now", now]).stdout,
        text.stdout
    );
    let task = crate::common::testdata_arg("page/task.yaml");
    let analyze = |o: &str| run(&["analyze", "-f", &task, "-n", "test", "--now", now, "-o", o]);
    let (log, text) = (analyze("log"), analyze("text"));
    assert_eq!(log.status.code(), Some(79));
    assert_eq!((log.stdout, log.stderr), (text.stdout, text.stderr));
}
