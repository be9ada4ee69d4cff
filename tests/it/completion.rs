//! The committed completion scripts in `completions/` are what the binary generates now.
use crate::common::run;

const SCRIPTS: &[(&str, &str)] = &[
    ("bash", "meshtls.bash"),
    ("zsh", "_meshtls"),
    ("fish", "meshtls.fish"),
    ("powershell", "_meshtls.ps1"),
    ("elvish", "meshtls.elv"),
];

pub(crate) fn committed_completions_are_current() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("completions");
    let bless = std::env::var("MESHTLS_BLESS").is_ok_and(|v| v == "1");
    for (shell, file) in SCRIPTS {
        let out = run(&["completion", shell]);
        assert!(out.status.success());
        assert!(!out.stdout.is_empty());
        let path = dir.join(file);
        if bless {
            std::fs::write(&path, &out.stdout).unwrap();
        }
        let committed = std::fs::read(&path).unwrap_or_default();
        assert!(
            committed == out.stdout,
            "completions/{file} is stale: run `MESHTLS_BLESS=1 cargo test committed_completions` and commit"
        );
    }
}
