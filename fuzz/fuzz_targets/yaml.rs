//! libFuzzer entry for `meshtls::fuzz::yaml_and_task`; the invariants live there.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| meshtls::fuzz::yaml_and_task(data));
