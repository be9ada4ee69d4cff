//! Tables fit the terminal (issue 17): on a terminal (faked with `MESHTLS_FORCE_TTY=1` and
//! `COLUMNS`), verify's and certgen's free-text columns are cut with `…` to the width; piped, or
//! with `-o wide`, every cell is whole; JSON never cuts.
use std::process::Output;

use meshtls::proxy::config::TlsMode;
use serde_json::Value;

use crate::common::{meshtls, stderr, stdout, tempdir};
use crate::proxy::fixture_with;

fn widest(text: &str) -> usize {
    text.lines().map(|l| l.chars().count()).max().unwrap_or(0)
}

/// verify against a SIMPLE sidecar, so that long GOT messages (rejections) are in the table.
fn verify(tty: Option<&str>, extra: &[&str]) -> Output {
    let f = fixture_with(TlsMode::Simple, false);
    let mut cmd = meshtls();
    cmd.arg("verify")
        .arg("--certs")
        .arg(f.certs.path())
        .arg("--mesh-dir")
        .arg(f.mesh.path())
        .arg("--target")
        .arg(format!("8443={}", f.external()))
        .arg("--target")
        .arg(format!("8080={}", f.internal()))
        .env("NO_COLOR", "1")
        .env_remove("MESHTLS_FORCE_TTY")
        .env_remove("COLUMNS");
    if let Some(columns) = tty {
        cmd.env("MESHTLS_FORCE_TTY", "1").env("COLUMNS", columns);
    }
    cmd.args(extra).output().expect("meshtls runs")
}

pub(crate) fn the_verify_table_fits_a_terminal_and_is_whole_when_piped() {
    let piped = verify(None, &[]);
    assert_eq!(piped.status.code(), Some(3), "{}", stderr(&piped));
    let whole = stdout(&piped);
    assert!(
        widest(&whole) > 120,
        "the fixture's table is wide:\n{whole}"
    );
    assert!(!whole.contains('…'), "{whole}");

    let tty = verify(Some("120"), &[]);
    let fitted = stdout(&tty);
    assert!(widest(&fitted) <= 120, "{fitted}");
    assert!(fitted.contains('…'), "{fitted}");
    // The same rows, in the same order, with the same verdicts.
    let verdicts = |t: &str| -> Vec<String> {
        t.lines()
            .map(|l| l.split_whitespace().next().unwrap_or_default().to_string())
            .collect()
    };
    assert_eq!(verdicts(&fitted), verdicts(&whole));

    let wide = stdout(&verify(Some("120"), &["-o", "wide"]));
    assert!(!wide.contains('…') && widest(&wide) > 120, "{wide}");
    assert_eq!(verdicts(&wide), verdicts(&whole));

    // JSON's `got` is never cut, on a terminal either.
    let json = verify(Some("60"), &["-o", "json"]);
    let report: Value = serde_json::from_slice(&json.stdout).expect("json");
    let gots: Vec<&str> = report["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .filter_map(|c| c["got"].as_str())
        .collect();
    assert!(gots.iter().all(|g| !g.contains('…')), "{gots:?}");
    assert!(gots.iter().any(|g| g.chars().count() > 90), "{gots:?}");
}

pub(crate) fn the_certgen_table_fits_a_terminal_and_is_whole_when_piped() {
    let run = |dir: &std::path::Path, tty: Option<&str>, extra: &[&str]| {
        let mut cmd = meshtls();
        cmd.arg("certgen")
            .arg("--out")
            .arg(dir)
            .arg("--force")
            .args(extra)
            .env_remove("MESHTLS_FORCE_TTY")
            .env_remove("COLUMNS");
        if let Some(columns) = tty {
            cmd.env("MESHTLS_FORCE_TTY", "1").env("COLUMNS", columns);
        }
        let out = cmd.output().expect("meshtls runs");
        assert!(out.status.success(), "{}", stderr(&out));
        stdout(&out)
    };
    let dir = tempdir();
    let whole = run(dir.path(), None, &[]);
    assert!(!whole.contains('…'), "{whole}");
    let fitted = run(dir.path(), Some("150"), &[]);
    assert!(fitted.contains('…'), "{fitted}");
    assert!(widest(&fitted) < widest(&whole), "{fitted}");
    assert!(widest(&fitted) <= 150, "{fitted}");
    let wide = run(dir.path(), Some("150"), &["-o", "wide"]);
    assert_eq!(widest(&wide), widest(&whole));
    assert!(!wide.contains('…'));
    let json: Value =
        serde_json::from_str(&run(dir.path(), Some("80"), &["-o", "json"])).expect("json");
    assert_eq!(json.as_array().map(Vec::len), Some(3));
    assert!(json[1]["sans"].as_array().is_some_and(|s| !s.is_empty()));
}
