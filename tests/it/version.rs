//! `meshtls version` (issue 17): the version, the git commit and the TLS stack, as text, JSON,
//! YAML and `--short`.
use crate::common::{run, stdout};

fn locked(name: &str) -> String {
    let lock = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.lock"))
        .expect("Cargo.lock");
    let needle = format!("name = \"{name}\"\nversion = \"");
    let start = lock.find(&needle).expect("locked") + needle.len();
    lock[start..]
        .split('"')
        .next()
        .expect("version")
        .to_string()
}

pub(crate) fn version_prints_the_build() {
    let out = run(&["version", "-o", "json"]);
    assert!(out.status.success());
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(json["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(json["rustls"], locked("rustls").as_str());
    assert_eq!(json["awsLcRs"], locked("aws-lc-rs").as_str());
    let commit = json["gitCommit"].as_str().expect("commit");
    let head = std::process::Command::new("git")
        .args(["rev-parse", "--short", "HEAD"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string());
    match head {
        Some(head) => assert_eq!(commit, head),
        None => assert_eq!(commit, "unknown"),
    }

    let text = stdout(&run(&["version"]));
    assert!(
        text.starts_with(&format!(
            "meshtls version: {}\ngit commit: {commit}\nrustls: ",
            env!("CARGO_PKG_VERSION")
        )),
        "{text}"
    );
    assert!(
        text.contains(&format!("aws-lc-rs: {}", locked("aws-lc-rs"))),
        "{text}"
    );

    assert_eq!(
        stdout(&run(&["version", "--short"])),
        format!("{}\n", env!("CARGO_PKG_VERSION"))
    );
    let yaml = stdout(&run(&["version", "-o", "yaml"]));
    assert!(yaml.contains("gitCommit: "), "{yaml}");
    assert_eq!(run(&["version", "-o", "xml"]).status.code(), Some(64));
}
