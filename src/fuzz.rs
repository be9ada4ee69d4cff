//! Fuzz targets over every parser that takes untrusted bytes, each asserting its invariants by
//! panicking. `fuzz/` runs them under libFuzzer; the tests below replay the seed corpus and a
//! fixed-seed mutation run of each, so `cargo test` keeps them fixed.
use bytes::{Buf, BytesMut};
use http::HeaderValue;
use time::OffsetDateTime;

use crate::configdump::{model, rows, table};
use crate::k8s::{goyaml, yaml};
use crate::pki::{inspect, key, keyformat, pem};
use crate::proxy::h1::chunked::{Decoder, Step};
use crate::proxy::h1::{request, response};
use crate::proxy::headers::{PeerIdentity, XfccPolicy, is_hop_by_hop, is_valid_authority};
use crate::redact;
use crate::task::read::{Text, from_texts};

/// One fuzz target: any bytes in, a panic on a broken invariant.
pub type Target = fn(&[u8]);

/// The targets by name, as `fuzz/run.sh` and the seed folders name them.
pub const TARGETS: [(&str, Target); 6] = [
    ("h1_request", h1_request),
    ("h1_response", h1_response),
    ("h1_chunked", h1_chunked),
    ("pem", pem_and_certificates),
    ("yaml", yaml_and_task),
    ("config_dump", config_dump),
];

/// One fixed instant, so that a run is reproducible.
fn now() -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(1_800_000_000).unwrap()
}

/// The (lowercase name, value) pairs of a head httparse reads as complete at exactly its end.
fn headers_of(head: &[u8], response: bool) -> Vec<(String, Vec<u8>)> {
    let mut slots = [httparse::EMPTY_HEADER; 256];
    let (status, headers) = if response {
        let mut parsed = httparse::Response::new(&mut slots);
        let status = parsed.parse(head).expect("our response head parses");
        (status, parsed.headers.to_vec())
    } else {
        let mut parsed = httparse::Request::new(&mut slots);
        let status = parsed.parse(head).expect("our request head parses");
        (status, parsed.headers.to_vec())
    };
    assert_eq!(status, httparse::Status::Complete(head.len()), "one head");
    headers
        .iter()
        .map(|h| (h.name.to_ascii_lowercase(), h.value.to_vec()))
        .collect()
}

fn count(headers: &[(String, Vec<u8>)], name: &str) -> usize {
    headers.iter().filter(|(n, _)| n == name).count()
}

/// The lean request parser: a head it accepts comes out as one well-formed head with one
/// Host, one framing (the length it forwards is the one it reads the body by) and no
/// hop-by-hop header. The first byte picks the listener's XFCC policy and peer.
pub fn h1_request(data: &[u8]) {
    let Some((&flags, input)) = data.split_first() else {
        return;
    };
    let peer = PeerIdentity {
        xfcc: (flags & 1 != 0).then(|| HeaderValue::from_static("Hash=ours;By=spiffe://a/b")),
        spiffe_id: None,
    };
    let policy = if flags & 2 != 0 {
        XfccPolicy::AppendForward
    } else {
        XfccPolicy::SanitizeSet
    };
    let rewrite = request::Rewrite {
        scheme: b"https",
        peer: &peer,
        xfcc: policy,
        logging: flags & 4 != 0,
        keep_host: flags & 8 != 0,
        h2_prior_knowledge: flags & 16 == 0,
    };
    let mut out = Vec::new();
    let request::Parsed::Complete(head) = request::parse(input, &mut out, &rewrite) else {
        return;
    };
    assert!(head.len <= input.len());
    // No shorter prefix is a complete head: the head ends where httparse says.
    assert!(matches!(
        request::parse(&input[..head.len - 1], &mut Vec::new(), &rewrite),
        request::Parsed::Partial
    ));
    let mut slots = [httparse::EMPTY_HEADER; 256];
    let mut parsed = httparse::Request::new(&mut slots);
    parsed.parse(&out).expect("our request head parses");
    assert_eq!(parsed.version, Some(1));
    let target = parsed.path.expect("a target").as_bytes();
    assert_eq!(target.first(), Some(&b'/'));
    let path = target.split(|&b| b == b'?').next().unwrap_or_default();
    assert!(
        !crate::proxy::headers::needs_normalizing(path),
        "forwarded a path Envoy would normalise"
    );
    let headers = headers_of(&out, false);
    for (name, _) in &headers {
        assert!(
            !is_hop_by_hop(name.as_bytes()) && name != "expect" && name != "http2-settings",
            "forwarded {name}"
        );
    }
    assert_eq!(count(&headers, "host"), 1);
    let host = headers.iter().find(|(n, _)| n == "host").expect("a host");
    assert!(is_valid_authority(&host.1));
    assert_eq!(count(&headers, "x-forwarded-proto"), 1);
    // A client's request ids are kept as it sent them (as through hyper); one is added if none.
    assert!(count(&headers, "x-request-id") >= 1);
    let xfcc = count(&headers, "x-forwarded-client-cert");
    match (policy, peer.xfcc.is_some()) {
        (_, true) => assert_eq!(xfcc, 1),
        (XfccPolicy::SanitizeSet, false) => assert_eq!(xfcc, 0),
        (XfccPolicy::AppendForward, false) => {}
    }
    let lengths: Vec<&Vec<u8>> = headers
        .iter()
        .filter(|(n, _)| n == "content-length")
        .map(|(_, v)| v)
        .collect();
    match lengths.as_slice() {
        [] => assert_eq!(head.body_len, 0),
        [one] => {
            let value = std::str::from_utf8(one)
                .ok()
                .and_then(|v| v.parse::<u64>().ok());
            assert_eq!(value, Some(head.body_len));
        }
        _ => panic!("two content-lengths forwarded"),
    }
}

/// The lean response parser: an accepted head comes out well-formed, with one framing that
/// matches the one it reads the body by, no hop-by-hop header, and Envoy's headers once.
/// The first byte picks whether the request was HEAD and whether the connection closes.
pub fn h1_response(data: &[u8]) {
    let Some((&flags, input)) = data.split_first() else {
        return;
    };
    let decorate = response::Decorate {
        upstream_ms: u64::from(flags),
        decorator: b"httpbin.test.svc.cluster.local:8000/*",
        request_is_head: flags & 1 != 0,
        close: flags & 2 != 0,
    };
    let mut out = Vec::new();
    let head = match response::parse(input, &mut out, &decorate) {
        response::Parsed::Complete(head) => head,
        response::Parsed::Interim(n) => {
            assert!(n > 0 && n <= input.len());
            return;
        }
        response::Parsed::Partial | response::Parsed::Invalid => return,
    };
    assert!(head.len > 0 && head.len <= input.len());
    let mut slots = [httparse::EMPTY_HEADER; 256];
    let mut parsed = httparse::Response::new(&mut slots);
    parsed.parse(&out).expect("our response head parses");
    assert_eq!((parsed.version, parsed.code), (Some(1), Some(head.status)));
    let headers = headers_of(&out, true);
    let chunked = count(&headers, "transfer-encoding");
    let lengths: Vec<&Vec<u8>> = headers
        .iter()
        .filter(|(n, _)| n == "content-length")
        .map(|(_, v)| v)
        .collect();
    match head.framing {
        response::Framing::Chunked | response::Framing::UntilClose => {
            assert_eq!((chunked, lengths.len()), (1, 0));
            let te = headers.iter().find(|(n, _)| n == "transfer-encoding");
            assert_eq!(te.map(|(_, v)| v.as_slice()), Some(&b"chunked"[..]));
        }
        response::Framing::Length(n) => {
            assert_eq!((chunked, lengths.len()), (0, 1));
            let value = std::str::from_utf8(lengths[0])
                .ok()
                .and_then(|v| v.parse::<u64>().ok());
            assert_eq!(value, Some(n));
            assert_eq!(head.content_length, Some(n));
        }
        response::Framing::Empty => {
            assert!(decorate.request_is_head || head.status == 204 || head.status == 304);
            // A HEAD answer may say `chunked` (when it has no length), never both.
            assert!(chunked + lengths.len() <= 1);
            assert!(chunked == 0 || decorate.request_is_head);
        }
    }
    if head.framing == response::Framing::UntilClose {
        assert!(!head.app_keeps_alive);
    }
    for (name, _) in &headers {
        if name == "connection" || name == "transfer-encoding" {
            continue;
        }
        assert!(!is_hop_by_hop(name.as_bytes()), "forwarded {name}");
    }
    assert_eq!(count(&headers, "connection"), usize::from(decorate.close));
    assert_eq!(count(&headers, "server"), 1);
    assert_eq!(count(&headers, "x-envoy-upstream-service-time"), 1);
    assert_eq!(count(&headers, "x-envoy-decorator-operation"), 1);
    assert!(count(&headers, "date") >= 1);
    same_as_parts(input, &decorate, &head, &headers);
}

/// The parts form (`response::parse_parts`, for hyper's requests on raw app connections) takes
/// the head the byte form took the same way: its length, status, framing and keep-alive, and
/// the same headers, less the ones the byte form adds (Envoy's, the framing, the date).
fn same_as_parts(
    input: &[u8],
    decorate: &response::Decorate<'_>,
    head: &response::ResponseHead,
    headers: &[(String, Vec<u8>)],
) {
    let (parts_head, parts) = match response::parse_parts(input, decorate.request_is_head) {
        Ok(parsed) => parsed,
        Err(other) => panic!("the byte form took the head, the parts form: {other:?}"),
    };
    let facts = |h: &response::ResponseHead| (h.len, h.status, h.framing, h.app_keeps_alive);
    assert_eq!(facts(&parts_head), facts(head));
    assert_eq!(parts.status.as_u16(), head.status);
    let added = [
        "transfer-encoding",
        "connection",
        "server",
        "x-envoy-upstream-service-time",
        "x-envoy-decorator-operation",
        "date",
    ];
    // A `HeaderMap` keeps each name's values together: compare per name, in order.
    let mut from_bytes: Vec<(&str, &[u8])> = headers
        .iter()
        .filter(|(name, _)| !added.contains(&name.as_str()))
        .map(|(name, value)| (name.as_str(), value.as_slice()))
        .collect();
    let mut from_parts: Vec<(&str, &[u8])> = parts
        .headers
        .iter()
        .filter(|(name, _)| !added.contains(&name.as_str()))
        .map(|(name, value)| (name.as_str(), value.as_bytes()))
        .collect();
    from_bytes.sort_by_key(|(name, _)| *name);
    from_parts.sort_by_key(|(name, _)| *name);
    assert_eq!(from_parts, from_bytes);
    assert!(parts.headers.get_all("date").iter().count() <= count(headers, "date"));
}

/// What decoding a chunked body gives: the body, whether it ended, and the bytes after it.
#[derive(Debug, PartialEq, Eq)]
enum Decoded {
    Ended { body: Vec<u8>, rest: Vec<u8> },
    Unfinished { body: Vec<u8> },
    Malformed { body: Vec<u8>, error: String },
}

/// Decodes `input` fed in pieces whose sizes cycle through `sizes`.
fn decode_in_pieces(input: &[u8], sizes: &[usize]) -> Decoded {
    let mut decoder = Decoder::default();
    let mut buf = BytesMut::new();
    let mut body = Vec::new();
    let mut fed = 0;
    let mut next = sizes.iter().copied().cycle();
    while fed < input.len() {
        let size = next.next().unwrap_or(usize::MAX).max(1);
        let end = input.len().min(fed.saturating_add(size));
        buf.extend_from_slice(&input[fed..end]);
        fed = end;
        loop {
            match decoder.step(&mut buf) {
                Ok(Step::Data(n)) => {
                    assert!(n > 0 && n <= buf.len(), "data step of {n} bytes");
                    body.extend_from_slice(&buf[..n]);
                    buf.advance(n);
                }
                Ok(Step::NeedMore) => break,
                Ok(Step::Done) => {
                    let mut rest = buf.to_vec();
                    rest.extend_from_slice(&input[fed..]);
                    return Decoded::Ended { body, rest };
                }
                Err(error) => {
                    return Decoded::Malformed {
                        body,
                        error: error.to_string(),
                    };
                }
            }
        }
    }
    Decoded::Unfinished { body }
}

/// The chunked decoder: the same body, end and error for every split of the input (all at
/// once, byte by byte, and a split picked by the first byte).
pub fn h1_chunked(data: &[u8]) {
    let Some((&pick, input)) = data.split_first() else {
        return;
    };
    let whole = decode_in_pieces(input, &[usize::MAX]);
    let by_byte = decode_in_pieces(input, &[1]);
    assert_eq!(whole, by_byte, "byte by byte");
    let sizes = [
        usize::from(pick & 0x0f) + 1,
        usize::from(pick >> 4) * 3 + 1,
        2,
    ];
    assert_eq!(
        whole,
        decode_in_pieces(input, &sizes),
        "in pieces {sizes:?}"
    );
    if let Decoded::Ended { body, rest } = &whole {
        assert!(body.len() + rest.len() <= input.len());
    }
}

/// The longest run of `N, N, N` decimal numbers in `text`: a byte string printed with `{:?}`.
fn longest_byte_list(text: &str) -> usize {
    let (mut longest, mut run) = (0, 0);
    for token in text.split(", ") {
        let token = token.rsplit(['[', ' ']).next().unwrap_or_default();
        let token = token.split(']').next().unwrap_or_default();
        if !token.is_empty() && token.len() <= 3 && token.bytes().all(|b| b.is_ascii_digit()) {
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
        }
    }
    longest
}

/// No message may hold key material, quote a byte string, or run long.
fn assert_safe(message: &str) {
    assert!(
        !redact::looks_like_key_material(message),
        "key material in a message: {message}"
    );
    assert!(
        longest_byte_list(message) < 16,
        "bytes of the input in a message: {message}"
    );
    assert!(
        message.len() <= 1024,
        "a message of {} bytes",
        message.len()
    );
}

/// PEM and certificate loading: certificates, private keys (every encoding), the Envoy
/// key-format check, and describing every certificate found. No error says any key byte.
pub fn pem_and_certificates(data: &[u8]) {
    let path = std::path::Path::new("fuzz.pem");
    match pem::certificates(path, data) {
        Ok(certs) => {
            for der in &certs {
                describe(der);
            }
        }
        Err(e) => assert_safe(&e.to_string()),
    }
    match key::load_key_pair(path, data) {
        Ok(pair) => {
            for section in pem::sections(data).unwrap_or_default() {
                key::matches_certificate(&pair, &section.der);
            }
        }
        Err(e) => assert_safe(&e.to_string()),
    }
    if let Err(e) = key::private_key_der(path, data) {
        assert_safe(&e.to_string());
    }
    if let Some(problem) = keyformat::proxy_key_problem(data) {
        assert_safe(&problem.to_string());
    }
    // The input as one DER certificate, as a Secret's or a dump's bytes may be.
    describe(data);
}

fn describe(der: &[u8]) {
    match inspect::parse(der) {
        Ok(cert) => {
            let info = inspect::describe(&cert, now());
            assert!(info.version >= 1);
            let _ = inspect::verify_chain(&cert, &[], std::slice::from_ref(&cert), now());
        }
        Err(e) => assert_safe(&e),
    }
}

/// The YAML reader and the task reader over it: no panic, every error and every rejected
/// document's message is safe, and what the Go-style writer makes of a document reads back.
pub fn yaml_and_task(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    match yaml::read_documents(&text) {
        Ok(docs) => {
            // What `-o yaml` writes reads back as the same document.
            for doc in &docs {
                let written = goyaml::to_string(doc);
                let back = yaml::read_documents(&written).expect("our YAML reads back");
                assert_eq!(back.as_slice(), std::slice::from_ref(doc), "{written}");
            }
        }
        Err(e) => assert_safe(&e.to_string()),
    }
    let texts = [Text {
        name: "fuzz.yaml".to_string(),
        text: text.into_owned(),
    }];
    match from_texts(&texts, "default") {
        Ok(input) => {
            for rejected in &input.rejected {
                assert_safe(&rejected.message);
            }
            for kind in &input.skipped {
                let _ = kind;
            }
        }
        Err(e) => assert_safe(&e.to_string()),
    }
}

/// The config-dump reader (from memory and from a reader alike) and the secret table over
/// whatever parses: no panic, errors and the table's names and reasons are safe.
pub fn config_dump(data: &[u8]) {
    let from_slice = model::parse_slice(data);
    let from_reader = model::parse_reader(data);
    assert_eq!(
        from_slice.as_ref().map(|d| &d.raw).ok(),
        from_reader.as_ref().map(|d| &d.raw).ok(),
        "parse_slice and parse_reader disagree"
    );
    let dump = match from_slice {
        Ok(dump) => dump,
        Err(e) => {
            let mut message = e.to_string();
            if let Some(source) = std::error::Error::source(&e) {
                message.push_str(&source.to_string());
            }
            return assert_safe(&message);
        }
    };
    for all_certs in [false, true] {
        let rows = rows::rows(&dump, now(), rows::Options { all_certs });
        for row in &rows {
            assert!(!redact::looks_like_key_material(&row.name));
            if let rows::Content::Unreadable(reason) = &row.content {
                assert_safe(reason);
            }
            let _ = table::check(row, now(), time::Duration::days(30));
        }
        for layout in [table::Layout::Short, table::Layout::Wide] {
            let rendered = table::render(&rows, layout, now());
            assert!(!rendered.contains("PRIVATE KEY"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::proxy::h1::mutations::Rng;

    const INTERESTING: &[u8] = b"\r\n \t:,;=-+0159aAzZ/?%\"\x00\x7f\xe9{}[]#&*!|>'";

    /// A few random edits: bytes replaced, inserted or removed, spans duplicated or dropped.
    fn mutate(rng: &mut Rng, input: &[u8]) -> Vec<u8> {
        let mut out = input.to_vec();
        for _ in 0..=rng.below(4) {
            let at = rng.below(out.len() + 1);
            let byte = match rng.below(3) {
                0 => rng.next() as u8,
                _ => INTERESTING[rng.below(INTERESTING.len())],
            };
            match rng.below(5) {
                0 if at < out.len() => out[at] = byte,
                1 => out.insert(at, byte),
                2 if at < out.len() => {
                    out.remove(at);
                }
                3 => {
                    let end = (at + rng.below(16)).min(out.len());
                    out.drain(at..end);
                }
                _ => {
                    let end = (at + rng.below(16)).min(out.len());
                    let span = out[at..end].to_vec();
                    out.splice(at..at, span);
                }
            }
        }
        out
    }

    /// The committed inputs of one target in `folder` (`seeds` or `regressions`), by name.
    fn inputs(folder: &str, target: &str) -> Vec<Vec<u8>> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fuzz")
            .join(folder)
            .join(target);
        let Ok(entries) = std::fs::read_dir(&dir) else {
            return Vec::new();
        };
        let mut paths: Vec<_> = entries.map(|e| e.unwrap().path()).collect();
        paths.sort();
        paths.iter().map(|p| std::fs::read(p).unwrap()).collect()
    }

    /// Every seed and crash reproduction as it is, then `iterations` fixed-seed mutations of
    /// the seeds (the reproductions can be large: they are replayed, not mutated).
    fn bounded_run(target: &str, iterations: usize) {
        let (_, run) = TARGETS.iter().find(|(name, _)| *name == target).unwrap();
        let corpus = inputs("seeds", target);
        assert!(!corpus.is_empty(), "no seeds for {target}");
        for input in corpus.iter().chain(&inputs("regressions", target)) {
            run(input);
        }
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        for _ in 0..iterations {
            let seed = &corpus[rng.below(corpus.len())];
            run(&mutate(&mut rng, seed));
        }
    }

    #[test]
    fn fuzz_h1_request_bounded() {
        bounded_run("h1_request", 20_000);
    }

    #[test]
    fn fuzz_h1_response_bounded() {
        bounded_run("h1_response", 20_000);
    }

    #[test]
    fn fuzz_h1_chunked_bounded() {
        bounded_run("h1_chunked", 3_000);
    }

    #[test]
    fn fuzz_pem_bounded() {
        bounded_run("pem", 400);
    }

    #[test]
    fn fuzz_yaml_bounded() {
        bounded_run("yaml", 150);
    }

    #[test]
    fn fuzz_config_dump_bounded() {
        bounded_run("config_dump", 300);
    }

    #[test]
    fn a_byte_list_is_found_in_a_message() {
        assert_eq!(longest_byte_list("illegal section start: [45, 45, 45]"), 3);
        assert_eq!(longest_byte_list("line 3, column 4: bad"), 1);
        assert_eq!(longest_byte_list("at line 3, col x"), 1);
    }
}
