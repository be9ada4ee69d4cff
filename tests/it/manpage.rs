//! The committed man pages in `man/` are what clap_mangen makes of the command line now
//! (issue 17): `meshtls.1` and one `meshtls-<command>.1` per subcommand.
use clap::CommandFactory;

pub(crate) fn committed_man_pages_are_current() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("man");
    let bless = std::env::var("MESHTLS_BLESS").is_ok_and(|v| v == "1");
    let fresh = tempfile::tempdir().expect("temporary folder");
    clap_mangen::generate_to(meshtls::cli::Cli::command(), fresh.path()).expect("man pages");
    let names = |dir: &std::path::Path| -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .map(|entries| {
                entries
                    .filter_map(Result::ok)
                    .filter_map(|e| e.file_name().into_string().ok())
                    .filter(|n| n.ends_with(".1"))
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        names
    };
    let generated = names(fresh.path());
    assert!(
        generated.contains(&"meshtls.1".to_string()),
        "{generated:?}"
    );
    if bless {
        std::fs::create_dir_all(&dir).expect("man/");
        for stale in names(&dir) {
            std::fs::remove_file(dir.join(stale)).expect("remove a stale page");
        }
        for name in &generated {
            std::fs::copy(fresh.path().join(name), dir.join(name)).expect("copy a page");
        }
    }
    let hint = "run `MESHTLS_BLESS=1 cargo test committed_man_pages` and commit";
    assert_eq!(
        names(&dir),
        generated,
        "man/ has other pages than the CLI: {hint}"
    );
    for name in &generated {
        let committed = std::fs::read(dir.join(name)).unwrap_or_default();
        let now = std::fs::read(fresh.path().join(name)).expect("generated page");
        assert!(committed == now, "man/{name} is stale: {hint}");
    }
}
