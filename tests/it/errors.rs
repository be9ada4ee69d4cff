//! Errors that say what to do (issue 17): what was wrong, where, and the next step; each cause
//! once; a check that could not run is not a failed check.
use crate::common::{certgen, free_port, run, stderr, stdout, tempdir};

/// `verify` with nothing listening: say so, name the addresses and what to start; exit 1.
pub(crate) fn verify_with_no_proxy_says_what_to_start_and_exits_1() {
    let dir = tempdir();
    certgen(dir.path(), &[]);
    let (tls, internal) = (free_port(), free_port());
    let out = run(&[
        "verify",
        "--certs",
        dir.path().to_str().expect("utf-8"),
        "--mesh-dir",
        dir.path().join("mesh").to_str().expect("utf-8"),
        "--target",
        &format!("8443=127.0.0.1:{tls}"),
        "--target",
        &format!("8080=127.0.0.1:{internal}"),
    ]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{}{err}", stdout(&out));
    assert_eq!(stdout(&out), "", "no table of FAIL rows");
    assert!(err.starts_with("Error: nothing listens on "), "{err}");
    assert!(err.contains(&format!("127.0.0.1:{tls}")), "{err}");
    assert!(err.contains(&format!("127.0.0.1:{internal}")), "{err}");
    assert!(err.contains("meshtls proxy -f"), "{err}");
    assert!(err.contains("--target"), "{err}");
}

/// "… No such file or directory (os error 2): No such file or directory (os error 2)" no more.
pub(crate) fn each_cause_is_printed_once() {
    let empty = tempdir();
    let cases: [&[&str]; 3] = [
        &["verify", "--certs", empty.path().to_str().expect("utf-8")],
        &["validate", "-f", "no-such-file.yaml"],
        &["cert", "inspect", "no-such-file.crt"],
    ];
    for args in cases {
        let out = run(args);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
        assert_eq!(
            err.matches("No such file or directory").count(),
            1,
            "{args:?}: {err}"
        );
    }
}

/// The YAML library's configuration hint never reaches the user; what is doubled, and where, does.
pub(crate) fn a_duplicate_key_names_the_key_and_the_line() {
    let dir = tempdir();
    let file = dir.path().join("dup.yaml");
    std::fs::write(&file, "apiVersion: v1\napiVersion: v1\nkind: Namespace\n").expect("write");
    for command in ["validate", "analyze"] {
        let out = run(&[command, "-f", file.to_str().expect("utf-8")]);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(65), "{command}: {err}");
        assert!(err.contains("dup.yaml:2:"), "{command}: {err}");
        assert!(err.contains("apiVersion appears twice"), "{command}: {err}");
        assert!(
            !err.contains("DuplicateKeyPolicy") && !err.contains("Options"),
            "{err}"
        );
    }
}

/// `validate -f /dev/null` and `analyze -f /dev/null` warn that nothing was checked.
pub(crate) fn empty_input_warns_that_nothing_was_checked() {
    let out = run(&["validate", "-f", "/dev/null"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        stderr(&out).starts_with("warning: the input holds no Istio resource"),
        "{}",
        stderr(&out)
    );
    let out = run(&["analyze", "-f", "/dev/null"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        stderr(&out).contains("nothing was analyzed"),
        "{}",
        stderr(&out)
    );
}

/// `pc secret` alone names all three inputs.
pub(crate) fn pc_secret_without_input_names_pod_file_and_admin() {
    let out = run(&["pc", "secret"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    for part in ["pod name", "--file", "--admin"] {
        assert!(err.contains(part), "{part}: {err}");
    }
}
