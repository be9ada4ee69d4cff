//! Release builds of the `meshtls` binary: the linker places the functions the proxy runs side by
//! side (link/text-order.txt, written by bench/text-order.sh), so the proxy maps fewer pages of the
//! binary at start. Set MESHTLS_TEXT_ORDER=off to link in the default order.
use std::env;
use std::path::Path;

fn main() {
    let order = Path::new(env!("CARGO_MANIFEST_DIR")).join("link/text-order.txt");
    println!("cargo:rerun-if-changed={}", order.display());
    println!("cargo:rerun-if-env-changed=MESHTLS_TEXT_ORDER");
    let release = env::var("PROFILE").is_ok_and(|profile| profile == "release");
    // rust-lld is the default linker of this target (Rust 1.90 and later); GNU ld lacks the flag.
    let lld_target = env::var("TARGET").is_ok_and(|target| target == "x86_64-unknown-linux-gnu");
    let enabled = env::var("MESHTLS_TEXT_ORDER").map_or(true, |value| value != "off");
    if release && lld_target && enabled && order.is_file() {
        println!(
            "cargo:rustc-link-arg-bin=meshtls=-Wl,--symbol-ordering-file={}",
            order.display()
        );
        // Names the current build no longer has (renamed or inlined functions) are skipped.
        println!("cargo:rustc-link-arg-bin=meshtls=-Wl,--no-warn-symbol-ordering");
    }
}
