//! libFuzzer entry for `meshtls::fuzz::config_dump`; the invariants live there.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| meshtls::fuzz::config_dump(data));
