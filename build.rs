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
