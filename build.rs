//! Build facts for `meshtls version` (the git commit, the rustls and aws-lc versions from
//! Cargo.lock, rustc's version), and release builds' link order: the linker places the functions
//! the proxy runs side by side (link/text-order.txt, written by bench/text-order.sh), so the proxy
//! maps fewer pages of the binary at start. Set MESHTLS_TEXT_ORDER=off to link in the default order.
use std::env;
use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    version_facts();
    link_order();
}

/// `MESHTLS_GIT_COMMIT`, `MESHTLS_RUSTLS_VERSION`, `MESHTLS_AWS_LC_RS_VERSION`,
/// `MESHTLS_AWS_LC_SYS_VERSION` and `MESHTLS_RUSTC_VERSION`, each "unknown" when not found.
fn version_facts() {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let commit = git(manifest_dir, &["rev-parse", "--short", "HEAD"]);
    println!(
        "cargo:rustc-env=MESHTLS_GIT_COMMIT={}",
        commit.as_deref().unwrap_or("unknown")
    );
    // A new commit or checkout changes HEAD or the branch it points to.
    for path in git_paths(manifest_dir) {
        println!("cargo:rerun-if-changed={}", path.display());
    }
    let lock = manifest_dir.join("Cargo.lock");
    println!("cargo:rerun-if-changed={}", lock.display());
    let lock = std::fs::read_to_string(&lock).unwrap_or_default();
    for (name, var) in [
        ("rustls", "MESHTLS_RUSTLS_VERSION"),
        ("aws-lc-rs", "MESHTLS_AWS_LC_RS_VERSION"),
        ("aws-lc-sys", "MESHTLS_AWS_LC_SYS_VERSION"),
    ] {
        let version = locked_version(&lock, name).unwrap_or_else(|| "unknown".to_string());
        println!("cargo:rustc-env={var}={version}");
    }
    let rustc = env::var("RUSTC").unwrap_or_else(|_| "rustc".to_string());
    let rustc_version = Command::new(rustc)
        .arg("--version")
        .output()
        .ok()
        .filter(|o| o.status.success())
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|text| text.split_whitespace().nth(1).map(str::to_string));
    println!(
        "cargo:rustc-env=MESHTLS_RUSTC_VERSION={}",
        rustc_version.as_deref().unwrap_or("unknown")
    );
}

fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .output()
        .ok()?;
    let text = String::from_utf8(out.stdout).ok()?;
    let text = text.trim();
    (out.status.success() && !text.is_empty()).then(|| text.to_string())
}

/// HEAD, the ref it names and packed-refs: the files a commit or checkout rewrites. Only
/// existing files are listed (cargo reruns a build script on every build for a missing one).
fn git_paths(dir: &Path) -> Vec<PathBuf> {
    let absolute = |p: String| {
        let path = PathBuf::from(p);
        if path.is_absolute() {
            path
        } else {
            dir.join(path)
        }
    };
    let mut paths = Vec::new();
    if let Some(head) = git(dir, &["rev-parse", "--git-path", "HEAD"]) {
        paths.push(absolute(head));
    }
    if let Some(reference) = git(dir, &["symbolic-ref", "-q", "HEAD"])
        && let Some(path) = git(dir, &["rev-parse", "--git-path", &reference])
    {
        paths.push(absolute(path));
    }
    if let Some(packed) = git(dir, &["rev-parse", "--git-path", "packed-refs"]) {
        paths.push(absolute(packed));
    }
    paths.retain(|p| p.is_file());
    paths
}

/// The version of `name` in Cargo.lock (the first one, if several are locked).
fn locked_version(lock: &str, name: &str) -> Option<String> {
    let needle = format!("name = \"{name}\"\n");
    let start = lock.find(&needle)? + needle.len();
    let line = lock[start..].lines().next()?;
    let version = line.strip_prefix("version = \"")?.strip_suffix('"')?;
    Some(version.to_string())
}

fn link_order() {
    let order = Path::new(env!("CARGO_MANIFEST_DIR")).join("link/text-order.txt");
    println!("cargo:rerun-if-changed={}", order.display());
    println!("cargo:rerun-if-env-changed=MESHTLS_TEXT_ORDER");
    let release = env::var("PROFILE").is_ok_and(|profile| profile == "release");
    // rust-lld is the default linker of this target (Rust 1.90 and later); GNU ld lacks the flag.
    let lld_target = env::var("TARGET").is_ok_and(|target| target == "x86_64-unknown-linux-gnu");
    let enabled = env::var("MESHTLS_TEXT_ORDER").map_or(true, |value| value != "off");
    // A linker chosen by the user may not be lld: leave the layout to it.
    let linker_chosen = env::var("CARGO_ENCODED_RUSTFLAGS")
        .is_ok_and(|flags| flags.contains("linker"))
        || env::var_os("RUSTC_LINKER").is_some()
        || env::var_os("CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_LINKER").is_some();
    println!("cargo:rerun-if-env-changed=CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_LINKER");
    if release && lld_target && enabled && !linker_chosen && order.is_file() {
        println!(
            "cargo:rustc-link-arg-bin=meshtls=-Wl,--symbol-ordering-file={}",
            order.display()
        );
        // Names the current build no longer has (renamed or inlined functions) are skipped.
        println!("cargo:rustc-link-arg-bin=meshtls=-Wl,--no-warn-symbol-ordering");
    }
}
