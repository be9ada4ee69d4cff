//! A bounded differential fuzz of the HTTP/1.1 engines, aimed at framing desync: generated and
//! mutated client streams and app responses go through both; disagreements are printed, a failed
//! check fails it. Ignored; `FUZZ_ITERATIONS`, `FUZZ_SECONDS`, `FUZZ_SEED`, `FUZZ_JOBS`, `FUZZ_ONLY`.
use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use meshtls::proxy::config::Http1Engine;

use crate::http1_engines::{
    Case, Message, Outcome, Reply, Rng, case, common_checks, diff, escape, keep, run,
};

/// A request hidden in a body: the app sees it only if an engine frames the body wrongly.
const SMUGGLE: &[u8] = b"GET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n";
const FIRST: &[u8] = b"GET /first HTTP/1.1\r\nHost: a\r\n\r\n";
const SECOND: &[u8] = b"GET /second HTTP/1.1\r\nHost: a\r\n\r\n";
/// What the app may send after a response; no later response may carry `smuggled`.
const TAILS: &str = "|||junk\r\n|\r\n|HTTP/1.1 200 OK\r\nContent-Length: 8\r\n\r\nsmuggled";
const APP_OK: &[u8] = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
const CONTENT_LENGTHS: &str = "n|n|n|n|0n| n|n |+n|-1|n,n|n, m|18446744073709551616|0x5|5 5";
const TRANSFER_ENCODINGS: &str = concat!(
    "chunked|chunked|Chunked| chunked|\tchunked|chunked, identity|gzip, chunked|xchunked|",
    "chunked,|identity|chunked, chunked|chunked;q=1"
);
/// Chunk-size lines: `#` is the size in hex, `@` in upper case, `+` one more; `!`: invalid
/// (`# ` has BWS and no extension: lenient, or refused).
const CHUNK_SIZES: &str =
    "#|#|#|#|@|00#|#;ext=1|# ;e=\"q; s\"|# |!0x#|!-#|!1000000000000000#|!+|!#\r";
const LAST_CHUNKS: &str = "0\r\n\r\n|0\r\n\r\n|000\r\n\r\n|0;x=y\r\n\r\n|0\r\nX-T: 1\r\n\r\n|\
                           0\r\nContent-Length: 3\r\n\r\n|0\r\n";
const METHODS: &str = "GET|GET|GET|HEAD|POST|POST|PUT|DELETE|OPTIONS|get|G@T";
const TARGETS: &str = "/|/a?b=c|/a%20b|/%zz|/a b|/\x7f|/caf\u{e9}|http://a/abs|*|a|//x|/a#f|/\"q\"";
const VERSIONS: &str = "HTTP/1.0|HTTP/1.2|HTTP/2.0|http/1.1|HTTP/1.1 |HTTP/11";
const STATUSES: &str = concat!(
    "HTTP/1.1 200 OK|HTTP/1.1 200 OK|HTTP/1.1 200|HTTP/1.0 200 OK|HTTP/1.1 404 Nope|",
    "HTTP/1.1 299 Odd|HTTP/1.1 999 Big|HTTP/1.1 099 Low|HTTP/2 200 OK|HTTP/1.1  200 OK|",
    "http/1.1 200 OK|HTTP/1.1 204 No Content|HTTP/1.1 304 Same"
);
const INTERIMS: &str = "||HTTP/1.1 100 Continue\r\n\r\n|HTTP/1.1 103 Early\r\nLink: </a>\r\n\r\n|\
     HTTP/1.1 101 Switching\r\nUpgrade: x\r\nConnection: upgrade\r\n\r\n|\
     HTTP/1.1 100 Continue\r\nContent-Length: 2\r\n\r\n";
const APP_HEADERS: &str = concat!(
    "X-App: 1|Connection: close|Connection: keep-alive|Connection: x-private|X-Private: 1|",
    "Keep-Alive: timeout=5|Server: app|Trailer: X-T|Upgrade: h2c|Content-Type: text/plain|",
    "Date: Mon, 01 Jan 2024 00:00:00 GMT"
);

const OTHER_HEADERS: &str = concat!(
    "Connection: close|Connection: keep-alive|Connection: Upgrade|Connection: x-custom|",
    "Connection: close, x|Expect: 100-continue|Expect: 100-Continue|Expect: 200-ok|",
    "Upgrade: websocket|Upgrade: h2c|TE: trailers|TE: gzip|X-Forwarded-Client-Cert: Hash=f|",
    "X-Forwarded-Client-Cert: |X-Cr: a\rb|X-Cr: \r|X_Under: ~|x-odd\x01: ~|x-\u{e9}: ~|",
    "Keep-Alive: ~|Proxy-Connection: ~|Trailer: ~|X-Forwarded-Proto: ~|HTTP2-Settings: ~|",
    "Cookie: ~|X-~: ~|X-~: ~|X-~: ~|X-~: |X-~: ~ ~"
);

/// One generated case; `second_ok`: the app may see `/second` (a compliant server could).
struct Gen {
    case: Case,
    second_ok: bool,
}

type Headers = Vec<(Vec<u8>, Vec<u8>)>;

fn one_of(rng: &mut Rng, list: &'static str) -> &'static str {
    let items: Vec<&str> = list.split('|').collect();
    items[rng.below(items.len())]
}

/// `usual` `percent` of the time, else one of `list`.
fn mostly(rng: &mut Rng, percent: usize, usual: &'static str, list: &'static str) -> &'static str {
    let other = one_of(rng, list);
    if chance(rng, percent) { usual } else { other }
}

fn chance(rng: &mut Rng, percent: usize) -> bool {
    rng.below(100) < percent
}

fn env(name: &str, default: u64) -> u64 {
    let value = std::env::var(name).ok();
    value.and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn token(rng: &mut Rng, len: usize) -> Vec<u8> {
    let (alphabet, n) = (b"abcdefghijklmnopqrstuvwxyz0123456789-", 37);
    (0..len).map(|_| alphabet[rng.below(n)]).collect()
}

fn eol(rng: &mut Rng) -> &'static [u8] {
    if chance(rng, 5) { b"\n" } else { b"\r\n" }
}

/// `body` in the chunked coding, with odd sizes, extensions and endings; false if invalid.
fn chunked(rng: &mut Rng, body: &[u8]) -> (Vec<u8>, bool) {
    let (mut out, mut valid, cut) = (Vec::new(), true, rng.below(body.len() + 1));
    for piece in [&body[..cut], &body[cut..]] {
        let n = piece.len();
        if n == 0 {
            continue;
        }
        let size = one_of(rng, CHUNK_SIZES).replace('#', &format!("{n:x}"));
        let size = size
            .replace('@', &format!("{n:X}"))
            .replace('+', &format!("{:x}", n + 1));
        let (line, ok) = (size.trim_start_matches('!'), !size.starts_with('!'));
        let crlf = !chance(rng, 5);
        valid &= ok && crlf;
        out.extend_from_slice(line.as_bytes());
        out.extend_from_slice(eol(rng));
        out.extend_from_slice(piece);
        out.extend_from_slice(if crlf { b"\r\n" } else { b"" });
    }
    let last = one_of(rng, LAST_CHUNKS);
    out.extend_from_slice(last.as_bytes());
    (out, valid && last.ends_with("\r\n\r\n"))
}

/// Where RFC 9112 §6.3 ends a request body framed by `headers`: `Ok(None)` for chunked, `Err`
/// when the request must be refused (or, with both framings, answered and the connection closed).
fn framing(headers: &Headers) -> Result<Option<usize>, ()> {
    let elements = |name: &[u8]| -> Option<Vec<String>> {
        let named = headers.iter().filter(|(n, _)| n.eq_ignore_ascii_case(name));
        let values: Vec<_> = named.map(|(_, v)| String::from_utf8_lossy(v)).collect();
        let joined = values.join(",").to_ascii_lowercase();
        let list = joined.split(',').map(|e| e.trim_matches([' ', '\t']));
        let list = list.filter(|e| !e.is_empty()).map(String::from);
        (!values.is_empty()).then(|| list.collect())
    };
    match (elements(b"transfer-encoding"), elements(b"content-length")) {
        (Some(_), Some(_)) => Err(()),
        (Some(codings), None) if codings.last().is_some_and(|c| c == "chunked") => Ok(None),
        (Some(_), None) => Err(()),
        (None, Some(lengths)) => {
            let digits = lengths
                .iter()
                .all(|l| l.bytes().all(|b| b.is_ascii_digit()));
            let lengths: Vec<Option<usize>> = lengths.iter().map(|l| l.parse().ok()).collect();
            match lengths.first() {
                Some(Some(n)) if digits && lengths.iter().all(|l| *l == Some(*n)) => Ok(Some(*n)),
                _ => Err(()),
            }
        }
        (None, None) => Ok(Some(0)),
    }
}

fn content_length(rng: &mut Rng, n: usize) -> String {
    let value = one_of(rng, CONTENT_LENGTHS).replace('n', &n.to_string());
    value.replace('m', &(n + 1).to_string())
}

/// A header from the pool; `~` stands for a random token.
fn other_header(rng: &mut Rng) -> (Vec<u8>, Vec<u8>) {
    let line = one_of(rng, OTHER_HEADERS).replace('~', &String::from_utf8(token(rng, 5)).unwrap());
    let (name, value) = line.split_once(": ").unwrap_or((&line, ""));
    (name.into(), value.into())
}

/// A client stream: a request from the grammar with a body, maybe `SECOND`; then mutations.
/// Or, 30% of the time, a plain request and a generated response.
fn generate(rng: &mut Rng) -> Gen {
    if chance(rng, 30) {
        return response(rng);
    }
    let method = one_of(rng, METHODS);
    let target = mostly(rng, 60, "/p", TARGETS);
    let version = mostly(rng, 80, "HTTP/1.1", VERSIONS);
    // What a server must refuse; other oddities it may refuse or accept.
    let mut refused = method == "G@T" || target == "/a b" || version.len() != 8;
    refused |= !version.starts_with("HTTP/1.");
    let mut headers: Headers = Vec::new();
    for _ in 0..[1, 1, 1, 1, 1, 0, 2][rng.below(7)] {
        headers.push((b"Host".into(), one_of(rng, "a|a||a:80").into()));
    }
    for _ in 0..rng.below(7) {
        headers.push(other_header(rng));
    }
    if chance(rng, 10) {
        headers.push((b"X-Request-Id".into(), b"abc".into()));
    }
    let mut payload = match rng.below(4) {
        0 => Vec::new(),
        1 => b"hello".to_vec(),
        2 => [b"ab".as_slice(), SMUGGLE].concat(),
        _ => token(rng, 12),
    };
    if method == "HEAD" || (method == "GET" && chance(rng, 50)) {
        payload.clear();
    }
    for _ in 0..[0, 0, 1, 1, 2][rng.below(5)] {
        let te = one_of(rng, TRANSFER_ENCODINGS).into();
        headers.push((b"Transfer-Encoding".into(), te));
    }
    let te = headers.iter().any(|(n, _)| n == b"Transfer-Encoding");
    let encode = chance(rng, if te { 85 } else { 15 });
    let (mut body, mut chunks_valid) = (payload.clone(), true);
    if encode {
        (body, chunks_valid) = chunked(rng, &payload);
    }
    let chunked_end = body.len();
    if encode && chance(rng, 25) {
        body.extend_from_slice(SMUGGLE); // CL.TE: past the chunked body, within a length
    }
    for _ in 0..[0, usize::from(!te), 1, 2][rng.below(4)] {
        let first_line = body.iter().position(|&b| b == b'\n').map_or(0, |p| p + 1);
        let n = [body.len(), body.len(), first_line, 0, body.len() + 2][rng.below(5)];
        headers.push((b"Content-Length".into(), content_length(rng, n).into()));
    }
    for i in (1..headers.len()).rev() {
        headers.swap(i, rng.below(i + 1));
    }
    // Where a compliant server ends this request (the order of codings matters); None when
    // it has to refuse it.
    let end = match framing(&headers) {
        Ok(Some(n)) => Some(n),
        Ok(None) if encode && chunks_valid => Some(chunked_end),
        _ => None,
    };
    let mut head = format!("{method} {target} {version}\r\n").into_bytes();
    let mut loose = false; // a bare CR, which a server may turn into a space
    for (name, value) in &headers {
        let colon: &[u8] = if chance(rng, 3) { b" :" } else { b":" };
        refused |= colon == b" :";
        loose |= value.contains(&b'\r');
        let fold: &[u8] = if chance(rng, 4) { b"\r\n " } else { b" " };
        head.extend([name.as_slice(), colon, fold, value, eol(rng)].concat());
    }
    head.extend_from_slice(eol(rng));
    let mutated = chance(rng, 25);
    for _ in 0..if mutated { 1 + rng.below(3) } else { 0 } {
        let at = rng.below(head.len());
        let byte = one_of(rng, "\r|\n| |:|\t|\0|\x7f|a|,|;|0").as_bytes()[0];
        match rng.below(3) {
            0 => head[at] = byte,
            1 => head.insert(at, byte),
            _ => _ = head.remove(at),
        }
    }
    let end = if refused { None } else { end };
    for at in 0..body.len().saturating_sub(SMUGGLE.len() - 1) {
        // A hidden request past where a compliant server ends the body is a request: defuse it.
        let past = end.is_some_and(|end| at + SMUGGLE.len() > end);
        if body[at..].starts_with(SMUGGLE) && (mutated || loose || past) {
            body[at + 5..at + 13].copy_from_slice(b"innocent");
        }
    }
    let second = method != "HEAD" && chance(rng, 50);
    let second_ok = mutated || loose || end.is_some_and(|end| end <= body.len());
    // Sometimes after a plain request, so the lean path hands the connection over midway.
    let first = method != "HEAD" && chance(rng, 30);
    let mut bytes = if first { FIRST.to_vec() } else { Vec::new() };
    bytes.extend([head, body].concat());
    if second {
        bytes.extend_from_slice(SECOND);
    }
    let mut case = case("request", &[], &[keep(APP_OK)]);
    case.requests = 1 + usize::from(first) + usize::from(second);
    case.head = method == "HEAD";
    case.client = split(rng, &bytes);
    Gen { case, second_ok }
}

/// `bytes` in 1 to 4 writes.
fn split(rng: &mut Rng, bytes: &[u8]) -> Vec<Vec<u8>> {
    let mut cuts: Vec<usize> = (0..rng.below(4)).map(|_| rng.below(bytes.len())).collect();
    cuts.extend([0, bytes.len()]);
    cuts.sort_unstable();
    cuts.dedup();
    cuts.windows(2).map(|w| bytes[w[0]..w[1]].into()).collect()
}

/// A plain request and a generated app response: 1xx, status, framing, body, extra bytes.
fn response(rng: &mut Rng) -> Gen {
    let requests = "GET /r HTTP/1.1\r\nHost: a\r\n\r\n|GET /r HTTP/1.1\r\nHost: a\r\n\r\n|\
                    HEAD /r HTTP/1.1\r\nHost: a\r\n\r\n|\
                    POST /r HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nhi";
    let request = one_of(rng, requests);
    let (interim, status) = (one_of(rng, INTERIMS), one_of(rng, STATUSES));
    let mut reply = format!("{interim}{status}\r\n").into_bytes();
    let mut headers: Vec<String> = Vec::new();
    for _ in 0..rng.below(4) {
        headers.push(one_of(rng, APP_HEADERS).into());
    }
    let payload = match rng.below(3) {
        0 => Vec::new(),
        1 => b"hello".to_vec(),
        _ => token(rng, 20),
    };
    let plan = rng.below(5); // 0, 1: a length; 2: chunked; 3: both; 4: until close
    let encode = plan == 2 || plan == 3 || chance(rng, 10);
    let mut body = payload;
    if encode {
        body = chunked(rng, &body).0;
    }
    if plan == 2 || plan == 3 {
        let te = one_of(rng, TRANSFER_ENCODINGS);
        headers.push(format!("Transfer-Encoding: {te}"));
    }
    for _ in 0..usize::from(plan <= 1 || plan == 3) + usize::from(chance(rng, 10)) {
        let n = (body.len() + [1, 1, 2, 0][rng.below(4)]).saturating_sub(1);
        headers.push(format!("Content-Length: {}", content_length(rng, n)));
    }
    for i in (1..headers.len()).rev() {
        headers.swap(i, rng.below(i + 1));
    }
    for header in headers {
        reply.extend([header.as_bytes(), eol(rng)].concat());
    }
    reply.extend([b"\r\n".as_slice(), &body].concat());
    reply.extend_from_slice(one_of(rng, TAILS).as_bytes());
    let reply = Reply(reply, plan == 4 || chance(rng, 30));
    let mut case = case("response", &[], &[reply]);
    (case.head, case.client) = (request.starts_with("HEAD"), split(rng, request.as_bytes()));
    let second_ok = true;
    Gen { case, second_ok }
}

/// Beyond `common_checks`: no `/second` unless a compliant server would have read it, and no
/// response after the first final one carries the app's unsolicited `smuggled`.
fn fuzz_checks(g: &Gen, o: &Outcome) -> Result<(), String> {
    if !g.second_ok && o.app.iter().any(|r| r.first == "GET /second HTTP/1.1") {
        return Err("the app got /second, which a compliant server never reads".into());
    }
    let responses = o.responses.iter();
    let mut finals = responses.filter(|r| !r.first.starts_with("HTTP/1.1 1"));
    finals.next();
    match finals.any(|r| r.body.contains("smuggled")) {
        true => Err("a later response carries the app's unsolicited one".into()),
        false => Ok(()),
    }
}

/// An outcome in short, to group findings: statuses, the end, the app's targets, connections.
fn summary(o: &Outcome) -> String {
    let second = |m: &Message| m.first.split(' ').nth(1).unwrap_or("?").to_string();
    let codes: Vec<String> = o.responses.iter().map(second).collect();
    let end = o.end.split([':', '(']).next().unwrap_or_default();
    let app: Vec<String> = o.app.iter().map(second).collect();
    format!("{codes:?} {end} app{app:?} x{}", o.app_connections)
}

/// Runs `g` under both engines: `Some((signature, details, broken))` if they differ or a check
/// fails; `broken` when a check failed (a desync or smuggling sign), not only a disagreement.
fn compare(g: &Gen) -> Option<(String, String, bool)> {
    let mut lean = run(&g.case, Http1Engine::Lean);
    let hyper = run(&g.case, Http1Engine::Hyper);
    if lean.app_connections == hyper.app_connections + 1 {
        lean.app_connections = hyper.app_connections; // accepted: the lean path hands over
    }
    let mut problems = Vec::new();
    for (engine, o) in [("lean", &lean), ("hyper", &hyper)] {
        match common_checks(&g.case, o).and_then(|()| fuzz_checks(g, o)) {
            // Known: after an HTTP/1.0 answer, hyper's client sends the app HTTP/1.0 requests
            // with `Connection: keep-alive`; only the hyper engine's fallback requests go so.
            Err(e) if engine == "hyper" && e == "the app got connection" => {}
            Err(e) => problems.push(format!("  {engine}: {e}\n")),
            Ok(()) => {}
        }
    }
    if problems.is_empty() && lean == hyper {
        return None;
    }
    let (a, b) = (summary(&lean), summary(&hyper));
    let details = format!("{}{}", problems.concat(), diff(&lean, &hyper));
    let broken = !problems.is_empty();
    Some((
        format!("lean {a} | hyper {b} | {problems:?}"),
        details,
        broken,
    ))
}

fn describe(g: &Gen) -> String {
    let client: Vec<String> = g.case.client.iter().map(|c| escape(c)).collect();
    let Reply(reply, close) = &g.case.app[0];
    let reply = escape(reply);
    format!("client {client:?}\n  app {reply:?} (close: {close})")
}

/// The iteration's own generator: splitmix64 of the seed and `i`, so any one reproduces alone.
fn generator(seed: u64, i: usize) -> Rng {
    let mut z = seed.wrapping_add((i as u64 + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15));
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    Rng((z ^ (z >> 31)) | 1)
}

pub(crate) fn engines_agree_under_fuzzing() {
    let seed = env("FUZZ_SEED", 0x6675_7a7a_6831_6631);
    if let Ok(i) = std::env::var("FUZZ_ONLY").map(|i| i.parse().expect("an iteration")) {
        let g = generate(&mut generator(seed, i));
        let details = compare(&g).map_or("they agree".into(), |(_, details, _)| details);
        return eprintln!("{}\n{details}", describe(&g));
    }
    let iterations = env("FUZZ_ITERATIONS", 300) as usize;
    let budget = Duration::from_secs(env("FUZZ_SECONDS", 120));
    let started = Instant::now();
    let (next, done, flaky, broken) =
        <(AtomicUsize, AtomicUsize, AtomicUsize, AtomicUsize)>::default();
    let found: Mutex<BTreeMap<String, Vec<String>>> = Mutex::default();
    let work = || {
        loop {
            let i = next.fetch_add(1, Ordering::SeqCst);
            if i >= iterations || started.elapsed() >= budget {
                return;
            }
            let g = generate(&mut generator(seed, i));
            if let Some((signature, details, check_failed)) = compare(&g) {
                // Rerun: a difference that does not come back is timing, reported apart.
                if compare(&g).is_none() {
                    flaky.fetch_add(1, Ordering::SeqCst);
                    eprintln!("#{i} flaky: {signature}\n  {}", describe(&g));
                } else {
                    if check_failed {
                        broken.fetch_add(1, Ordering::SeqCst);
                    }
                    let text = format!("#{i} {}\n{details}", describe(&g));
                    let mut found = found.lock().expect("the findings");
                    found.entry(signature).or_default().push(text);
                }
            }
            done.fetch_add(1, Ordering::SeqCst);
        }
    };
    std::thread::scope(|scope| (0..env("FUZZ_JOBS", 4)).for_each(|_| drop(scope.spawn(work))));
    let found = found.into_inner().expect("the findings");
    let (done, flaky, groups) = (done.into_inner(), flaky.into_inner(), found.len());
    let broken = broken.into_inner();
    let total: usize = found.values().map(Vec::len).sum();
    for (signature, mut cases) in found {
        cases.sort_by_key(String::len);
        let shortest = cases[..cases.len().min(2)].join("");
        eprintln!("\n=== {} × {signature}\n{shortest}", cases.len());
    }
    let elapsed = started.elapsed();
    let findings = format!("{total} findings in {groups} groups, {flaky} flaky, {broken} broken");
    eprintln!("\n{done} iterations (seed {seed:#x}) in {elapsed:?}: {findings}");
    // Disagreements are printed for review (README lists the known ones); a failed check (the
    // app reading a request a compliant server never would, a stray response) fails the run.
    assert!(broken == 0, "{broken} cases broke a check: {findings}");
}
