//! Untrusted bytes never panic the parsers: certificates, keys and PEM are mutated at random
//! (a fixed seed, a bounded count) and fed to every reader that faces user or peer input.
use std::time::{Duration, Instant};

use meshtls::k8s::secret::check_x509_key_pair;
use meshtls::pki::inspect::{describe, parse, verify_chain};
use meshtls::pki::pem::{certificates, sections};
use meshtls::proxy::headers::PeerIdentity;

use crate::common::{certgen, tempdir};

/// xorshift64*: deterministic, so a failure reproduces.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Flips, overwrites, truncates or duplicates bytes of `input`.
fn mutate(rng: &mut Rng, input: &[u8]) -> Vec<u8> {
    let mut out = input.to_vec();
    for _ in 0..=rng.below(4) {
        if out.is_empty() {
            break;
        }
        let at = rng.below(out.len());
        match rng.below(4) {
            0 => out[at] ^= 1 << rng.below(8),
            1 => out[at] = rng.next() as u8,
            2 => out.truncate(at),
            _ => {
                let end = (at + rng.below(16)).min(out.len());
                let copy = out[at..end].to_vec();
                out.splice(at..at, copy);
            }
        }
    }
    out
}

pub(crate) fn mutated_certificates_keys_and_pem_never_panic() {
    let dir = tempdir();
    certgen(dir.path(), &[]);
    let read = |name: &str| std::fs::read(dir.path().join(name)).unwrap();
    let cert_pem = read("httpbin.test.svc.cluster.local.crt");
    let key_pem = read("httpbin.test.svc.cluster.local.key");
    let ca_pem = read("example.com.crt");
    let path = std::path::Path::new("fuzz.pem");
    let cert_der = certificates(path, &cert_pem).unwrap().remove(0).to_vec();
    let ca_der = certificates(path, &ca_pem).unwrap().remove(0).to_vec();
    let ca = parse(&ca_der).unwrap();
    let now = time::OffsetDateTime::now_utc();
    let mut rng = Rng(0x6d65_7368_746c_7321);
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut runs = 0;
    while runs < 3000 && Instant::now() < deadline {
        runs += 1;
        let der = mutate(&mut rng, &cert_der);
        if let Ok(cert) = parse(&der) {
            let _ = describe(&cert, now);
            let _ = verify_chain(&cert, &[], std::slice::from_ref(&ca), now);
        }
        let _ = PeerIdentity::from_leaf(&der, Some("spiffe://cluster.local/ns/test/sa/httpbin"));
        let pem = mutate(&mut rng, &cert_pem);
        let _ = sections(&pem);
        let _ = certificates(path, &pem);
        let key = mutate(&mut rng, &key_pem);
        let _ = check_x509_key_pair(&pem, &key);
        let _ = meshtls::pki::key::load_key_pair(path, &key);
    }
    assert!(runs >= 100, "only {runs} runs in the time allowed");
}
