//! libFuzzer entry for `meshtls::fuzz::h1_response`; the invariants live there.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| meshtls::fuzz::h1_response(data));
