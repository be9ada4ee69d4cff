//! libFuzzer entry for `meshtls::fuzz::pem_and_certificates`; the invariants live there.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| meshtls::fuzz::pem_and_certificates(data));
