//! Mutated heads through both parsers: whatever the bytes, a head the lean path accepts comes
//! out well-formed, with one framing that matches what it forwards and no hop-by-hop header.
use super::request::{self, Rewrite};
use super::response::{self, Decorate, Framing};
use crate::proxy::headers::{PeerIdentity, XfccPolicy};

/// xorshift64: deterministic, so a failure names a reproducible iteration (also the fuzz
/// targets' bounded run in `cargo test`).
pub(crate) struct Rng(pub(crate) u64);

impl Rng {
    pub(crate) fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    pub(crate) fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const INTERESTING: &[u8] = b"\r\n \t:,;=-+0159aAzZ/?%\"\x00\x7f\xe9";

/// One random edit: a byte replaced, inserted or removed, or a span duplicated.
fn mutate(rng: &mut Rng, input: &[u8]) -> Vec<u8> {
    let mut out = input.to_vec();
    for _ in 0..=rng.below(3) {
        let at = rng.below(out.len() + 1);
        let byte = INTERESTING[rng.below(INTERESTING.len())];
        match rng.below(4) {
            0 if at < out.len() => out[at] = byte,
            1 => out.insert(at, byte),
            2 if at < out.len() => {
                out.remove(at);
            }
            _ => {
                let end = (at + rng.below(12)).min(out.len());
                let span = out[at..end].to_vec();
                out.splice(at..at, span);
            }
        }
    }
    out
}

/// The (lowercase name, value) pairs of a head that httparse accepts as complete.
fn headers_of(head: &[u8], response: bool) -> Vec<(String, Vec<u8>)> {
    let mut slots = [httparse::EMPTY_HEADER; 128];
    let headers = if response {
        let mut parsed = httparse::Response::new(&mut slots);
        let status = parsed.parse(head).expect("our head parses");
        assert_eq!(status, httparse::Status::Complete(head.len()));
        parsed.headers.to_vec()
    } else {
        let mut parsed = httparse::Request::new(&mut slots);
        let status = parsed.parse(head).expect("our head parses");
        assert_eq!(status, httparse::Status::Complete(head.len()));
        parsed.headers.to_vec()
    };
    headers
        .iter()
        .map(|h| (h.name.to_ascii_lowercase(), h.value.to_vec()))
        .collect()
}

fn count(headers: &[(String, Vec<u8>)], name: &str) -> usize {
    headers.iter().filter(|(n, _)| n == name).count()
}

const HOP_BY_HOP: [&str; 7] = [
    "connection",
    "keep-alive",
    "proxy-connection",
    "transfer-encoding",
    "upgrade",
    "te",
    "trailer",
];

#[test]
fn accepted_requests_come_out_well_formed_with_their_framing() {
    let corpus: [&[u8]; 4] = [
        b"GET /status/200?a=1 HTTP/1.1\r\nHost: h\r\nUser-Agent: curl\r\n\r\n",
        b"POST /post HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello",
        b"PUT /x HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nX-Request-Id: a\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: h\r\nX-Forwarded-Client-Cert: Hash=x\r\nX-Forwarded-Proto: ftp\r\n\r\n",
    ];
    let peer = PeerIdentity::default();
    let rewrite = Rewrite {
        scheme: b"https",
        peer: &peer,
        xfcc: XfccPolicy::SanitizeSet,
        logging: false,
        keep_host: false,
        h2_prior_knowledge: true,
    };
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut accepted = 0;
    for iteration in 0..20_000 {
        let input = mutate(&mut rng, corpus[iteration % corpus.len()]);
        let mut out = Vec::new();
        let request::Parsed::Complete(head) = request::parse(&input, &mut out, &rewrite) else {
            continue;
        };
        accepted += 1;
        let why = format!(
            "iteration {iteration}: {:?}",
            String::from_utf8_lossy(&input)
        );
        assert!(head.len <= input.len(), "{why}");
        let headers = headers_of(&out, false);
        for name in HOP_BY_HOP.iter().chain(&["expect"]) {
            assert_eq!(count(&headers, name), 0, "{name}: {why}");
        }
        assert_eq!(count(&headers, "host"), 1, "{why}");
        assert_eq!(count(&headers, "x-forwarded-proto"), 1, "{why}");
        assert_eq!(count(&headers, "x-request-id"), 1, "{why}");
        assert_eq!(count(&headers, "x-forwarded-client-cert"), 0, "{why}");
        let lengths: Vec<&Vec<u8>> = headers
            .iter()
            .filter(|(n, _)| n == "content-length")
            .map(|(_, v)| v)
            .collect();
        match lengths.as_slice() {
            [] => assert_eq!(head.body_len, 0, "{why}"),
            // Forwarded as the client wrote it (leading zeros too), as hyper does.
            [one] => {
                let value = std::str::from_utf8(one)
                    .ok()
                    .and_then(|v| v.parse::<u64>().ok());
                assert_eq!(value, Some(head.body_len), "{why}");
            }
            _ => panic!("two content-lengths forwarded: {why}"),
        }
    }
    assert!(
        accepted > 2_000,
        "the mutations kept too few heads valid: {accepted}"
    );
}

#[test]
fn accepted_responses_come_out_with_one_framing_and_no_hop_by_hop_header() {
    let corpus: [&[u8]; 4] = [
        b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nServer: app\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: x-a\r\nX-A: 1\r\n\r\n",
        b"HTTP/1.0 404 Not Found\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n",
        b"HTTP/1.1 204 No Content\r\nDate: Sat, 28 Nov 2026 17:14:49 GMT\r\n\r\n",
    ];
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    let mut accepted = 0;
    for iteration in 0..20_000 {
        let input = mutate(&mut rng, corpus[iteration % corpus.len()]);
        let decorate = Decorate {
            upstream_ms: 1,
            decorator: b"d",
            request_is_head: iteration % 7 == 0,
            close: iteration % 5 == 0,
        };
        let mut out = Vec::new();
        let response::Parsed::Complete(head) = response::parse(&input, &mut out, &decorate) else {
            continue;
        };
        accepted += 1;
        let why = format!(
            "iteration {iteration}: {:?}",
            String::from_utf8_lossy(&input)
        );
        let headers = headers_of(&out, true);
        let chunked = count(&headers, "transfer-encoding");
        let lengths = count(&headers, "content-length");
        match head.framing {
            Framing::Chunked | Framing::UntilClose => {
                assert_eq!((chunked, lengths), (1, 0), "{why}")
            }
            Framing::Length(_) => assert_eq!((chunked, lengths), (0, 1), "{why}"),
            // A HEAD answer without a length says `chunked`, as Envoy writes it.
            Framing::Empty => {
                assert!(chunked + lengths <= 1, "{why}");
                assert!(chunked == 0 || decorate.request_is_head, "{why}");
            }
        }
        for name in HOP_BY_HOP.iter().filter(|n| **n != "transfer-encoding") {
            let expected = usize::from(*name == "connection" && decorate.close);
            assert_eq!(count(&headers, name), expected, "{name}: {why}");
        }
        assert_eq!(count(&headers, "server"), 1, "{why}");
        assert!(count(&headers, "date") >= 1, "{why}");
    }
    assert!(
        accepted > 2_000,
        "the mutations kept too few heads valid: {accepted}"
    );
}
