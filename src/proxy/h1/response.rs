//! The app's response head, checked and rewritten for the client in one pass: its framing
//! (RFC 9112 §6.3), hop-by-hop headers dropped, Envoy's response headers added.
use std::cell::RefCell;
use std::mem::MaybeUninit;
use std::time::{SystemTime, UNIX_EPOCH};

use bytes::Bytes;

use super::request::MAX_HEADERS;
use crate::proxy::headers::{content_length, is_hop_by_hop};

/// How the response body is delimited on the app's connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Framing {
    /// HEAD, 204 and 304: no body whatever the headers say.
    Empty,
    Length(u64),
    Chunked,
    /// Neither length nor chunked: the body ends when the app closes.
    UntilClose,
}

#[derive(Debug)]
pub struct ResponseHead {
    /// Bytes of the head in the upstream buffer.
    pub len: usize,
    pub status: u16,
    pub framing: Framing,
    /// The app keeps the connection open after this response.
    pub app_keeps_alive: bool,
    /// The `content-length` forwarded, for the access log.
    pub content_length: Option<u64>,
}

#[derive(Debug)]
pub enum Parsed {
    Complete(ResponseHead),
    /// A 1xx interim response of this many bytes, which is dropped.
    Interim(usize),
    Partial,
    /// Not a response we can forward (the client gets a 503, as through hyper).
    Invalid,
}

/// What the sidecar adds to every response.
pub struct Decorate<'a> {
    pub upstream_ms: u64,
    pub decorator: &'a [u8],
    pub request_is_head: bool,
    /// The downstream connection ends after this response.
    pub close: bool,
}

/// Where a checked response head goes: HTTP/1.1 bytes for the lean path's client, or the parts
/// of an `http::Response` for hyper's server (an h2 client's request on a raw app connection).
trait Sink {
    /// Whether the app's `server`, `x-envoy-upstream-service-time` and
    /// `x-envoy-decorator-operation` go on (to be overwritten where they stand, as Envoy sets its
    /// own) rather than dropped (for Envoy's to be appended).
    const KEEPS_ENVOYS_PLACES: bool;
    /// The status line; at most `headers` headers follow, slices of `head` (the whole head).
    fn status(&mut self, status: u16, reason: &str, headers: usize, head: &[u8]);
    /// A header that goes on to the client, its name lowercased; `false` when the sink cannot
    /// carry it.
    fn header(&mut self, name: &[u8], value: &[u8]) -> bool;
}

/// A head that passed the checks, and what the byte form still has to add.
struct Checked {
    head: ResponseHead,
    has_date: bool,
    /// The client must be told the body is chunked (it is, or it ends with the connection, or
    /// it is a HEAD answer that gave no length).
    says_chunked: bool,
}

/// Header names up to this long are lowercased on the stack.
const SHORT_NAME: usize = 64;

/// Parses and checks the head at the start of `buf`: its framing, hop-by-hop headers and the
/// ones Envoy sets itself dropped; what goes on is handed to `sink`.
fn check<S: Sink>(buf: &[u8], request_is_head: bool, sink: &mut S) -> Result<Checked, Parsed> {
    let mut slots = [const { MaybeUninit::<httparse::Header<'_>>::uninit() }; MAX_HEADERS];
    let mut response = httparse::Response::new(&mut []);
    let parsed = httparse::ParserConfig::default().parse_response_with_uninit_headers(
        &mut response,
        buf,
        &mut slots,
    );
    let len = match parsed {
        Ok(httparse::Status::Complete(len)) => len,
        Ok(httparse::Status::Partial) => return Err(Parsed::Partial),
        Err(_) => return Err(Parsed::Invalid),
    };
    let (Some(version), Some(status)) = (response.version, response.code) else {
        return Err(Parsed::Invalid);
    };
    match status {
        101 | 0..=99 => return Err(Parsed::Invalid),
        100..=199 => return Err(Parsed::Interim(len)),
        _ => {}
    }
    let headers = &*response.headers;
    // Names the app's `Connection` header lists are hop-by-hop too.
    let mut app_keeps_alive = version == 1;
    let mut listed: Vec<&[u8]> = Vec::new();
    for header in headers
        .iter()
        .filter(|h| h.name.eq_ignore_ascii_case("connection"))
    {
        for token in header.value.split(|&b| b == b',').map(<[u8]>::trim_ascii) {
            if token.eq_ignore_ascii_case(b"close") {
                app_keeps_alive = false;
            } else if token.eq_ignore_ascii_case(b"keep-alive") {
                app_keeps_alive |= version == 0;
            } else if !token.is_empty() {
                listed.push(token);
            }
        }
    }

    sink.status(
        status,
        response.reason.unwrap_or(""),
        headers.len(),
        &buf[..len],
    );
    let mut length: Option<u64> = None;
    let mut chunked = false;
    let mut has_date = false;
    let mut short = [0u8; SHORT_NAME];
    let mut long = Vec::new();
    for header in headers {
        let raw = header.name.as_bytes();
        let name: &[u8] = match short.get_mut(..raw.len()) {
            Some(room) => {
                for (to, from) in room.iter_mut().zip(raw) {
                    *to = from.to_ascii_lowercase();
                }
                room
            }
            None => {
                long.clear();
                long.extend(raw.iter().map(u8::to_ascii_lowercase));
                &long
            }
        };
        let keep = match name {
            // A 204 has no content, so no length either (RFC 9110 §8.6).
            b"content-length" => match (length, content_length(header.value)) {
                (None, Some(n)) => {
                    length = Some(n);
                    status != 204
                }
                (Some(seen), Some(n)) if seen == n => false,
                _ => return Err(Parsed::Invalid),
            },
            b"transfer-encoding" => {
                if chunked || !header.value.trim_ascii().eq_ignore_ascii_case(b"chunked") {
                    return Err(Parsed::Invalid);
                }
                chunked = true;
                false
            }
            b"server" | b"x-envoy-upstream-service-time" | b"x-envoy-decorator-operation" => {
                S::KEEPS_ENVOYS_PLACES
            }
            hop_by_hop if is_hop_by_hop(hop_by_hop) => false,
            b"date" => {
                has_date = true;
                true
            }
            _ => !listed.iter().any(|l| l.eq_ignore_ascii_case(raw)),
        };
        if keep && !sink.header(name, header.value) {
            return Err(Parsed::Invalid);
        }
    }
    // Both a length and chunked is how responses get smuggled, and HTTP/1.0 has no chunked
    // coding (RFC 9112 §6.1): refuse either, whatever the status.
    if chunked && (length.is_some() || version == 0) {
        return Err(Parsed::Invalid);
    }
    let framing = if request_is_head || status == 204 || status == 304 {
        Framing::Empty
    } else if chunked {
        Framing::Chunked
    } else if let Some(n) = length {
        Framing::Length(n)
    } else {
        Framing::UntilClose
    };
    // A HEAD answer with no length says what a GET's would: chunked, as Envoy writes it.
    let unframed_head = request_is_head && status != 204 && status != 304 && length.is_none();
    Ok(Checked {
        head: ResponseHead {
            len,
            status,
            framing,
            app_keeps_alive: app_keeps_alive && framing != Framing::UntilClose,
            content_length: length,
        },
        has_date,
        says_chunked: matches!(framing, Framing::Chunked | Framing::UntilClose) || unframed_head,
    })
}

/// The byte form: an HTTP/1.1 head for the client.
struct HeadBytes<'a>(&'a mut Vec<u8>);

impl Sink for HeadBytes<'_> {
    const KEEPS_ENVOYS_PLACES: bool = false;

    fn status(&mut self, status: u16, reason: &str, _headers: usize, _head: &[u8]) {
        let out = &mut *self.0;
        out.clear();
        out.reserve(crate::proxy::h1::request::HEAD_ROOM);
        out.extend_from_slice(b"HTTP/1.1 ");
        push_decimal(out, u64::from(status));
        out.push(b' ');
        out.extend_from_slice(reason.as_bytes());
        out.extend_from_slice(b"\r\n");
    }

    fn header(&mut self, name: &[u8], value: &[u8]) -> bool {
        let out = &mut *self.0;
        out.extend_from_slice(name);
        out.extend_from_slice(b": ");
        out.extend_from_slice(value);
        out.extend_from_slice(b"\r\n");
        true
    }
}

/// Parses the head at the start of `buf`; on `Complete`, `out` holds the head for the client.
pub fn parse(buf: &[u8], out: &mut Vec<u8>, decorate: &Decorate<'_>) -> Parsed {
    let checked = match check(buf, decorate.request_is_head, &mut HeadBytes(out)) {
        Ok(checked) => checked,
        Err(parsed) => return parsed,
    };
    if checked.says_chunked {
        out.extend_from_slice(b"transfer-encoding: chunked\r\n");
    }
    out.extend_from_slice(b"x-envoy-upstream-service-time: ");
    push_decimal(out, decorate.upstream_ms);
    out.extend_from_slice(b"\r\nserver: istio-envoy\r\nx-envoy-decorator-operation: ");
    out.extend_from_slice(decorate.decorator);
    out.extend_from_slice(b"\r\n");
    finish_head(out, checked.has_date, decorate.close);
    Parsed::Complete(checked.head)
}

/// The parts form, for hyper's server: the status and the headers that go on. Envoy's own
/// response headers are the caller's to set, as for a response hyper's client read.
struct ResponseParts {
    parts: http::response::Parts,
    /// One copy of the head; the header values are slices of it (one allocation, not one each).
    head: Bytes,
    /// Where the head starts in the buffer parsed, to find each value's place in the copy.
    head_at: usize,
}

impl ResponseParts {
    /// `value` (a slice of the parsed head) as a slice of the copy, or copied if it is not one.
    fn value(&self, value: &[u8]) -> Result<http::HeaderValue, http::header::InvalidHeaderValue> {
        match value.as_ptr().addr().checked_sub(self.head_at) {
            Some(start) if start + value.len() <= self.head.len() => {
                http::HeaderValue::from_maybe_shared(self.head.slice(start..start + value.len()))
            }
            _ => http::HeaderValue::from_bytes(value),
        }
    }
}

impl Sink for ResponseParts {
    const KEEPS_ENVOYS_PLACES: bool = true;

    fn status(&mut self, status: u16, _reason: &str, headers: usize, head: &[u8]) {
        self.parts.status =
            http::StatusCode::from_u16(status).unwrap_or(http::StatusCode::BAD_GATEWAY);
        // Room for them all at once (growing one insert at a time rehashes).
        self.parts.headers.reserve(headers + 3);
        self.head = Bytes::copy_from_slice(head);
        self.head_at = head.as_ptr().addr();
    }

    fn header(&mut self, name: &[u8], value: &[u8]) -> bool {
        match (http::HeaderName::from_bytes(name), self.value(value)) {
            (Ok(name), Ok(value)) => {
                self.parts.headers.append(name, value);
                true
            }
            _ => false,
        }
    }
}

/// Parses the head at the start of `buf` into response parts (HTTP/1.1, the checked headers)
/// with the same checks as `parse`.
pub fn parse_parts(
    buf: &[u8],
    request_is_head: bool,
) -> Result<(ResponseHead, http::response::Parts), Parsed> {
    let (parts, ()) = http::Response::new(()).into_parts();
    let mut sink = ResponseParts {
        parts,
        head: Bytes::new(),
        head_at: 0,
    };
    let checked = check(buf, request_is_head, &mut sink)?;
    Ok((checked.head, sink.parts))
}

/// The last lines of every response head we write: `date` unless the app sent one,
/// `connection: close` when the connection ends, and the blank line.
pub fn finish_head(out: &mut Vec<u8>, has_date: bool, close: bool) {
    if !has_date {
        out.extend_from_slice(b"date: ");
        append_date(out);
        out.extend_from_slice(b"\r\n");
    }
    if close {
        out.extend_from_slice(b"connection: close\r\n");
    }
    out.extend_from_slice(b"\r\n");
}

/// Appends `n` in decimal without allocating.
pub fn push_decimal(out: &mut Vec<u8>, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[at..]);
}

thread_local! {
    /// The IMF-fixdate of the current second, formatted once per second per worker.
    static DATE: RefCell<(u64, String)> = const { RefCell::new((u64::MAX, String::new())) };
}

pub(crate) fn append_date(out: &mut Vec<u8>) {
    let now = SystemTime::now();
    let second = now
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    DATE.with(|date| {
        let mut date = date.borrow_mut();
        if date.0 != second {
            *date = (second, httpdate::fmt_http_date(now));
        }
        out.extend_from_slice(date.1.as_bytes());
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decorate(request_is_head: bool) -> Decorate<'static> {
        Decorate {
            upstream_ms: 3,
            decorator: b"ingress-sidecar.test:9080/*",
            request_is_head,
            close: false,
        }
    }

    fn rewritten(input: &str, request_is_head: bool) -> (ResponseHead, String) {
        let mut out = Vec::new();
        match parse(input.as_bytes(), &mut out, &decorate(request_is_head)) {
            Parsed::Complete(head) => (head, String::from_utf8(out).expect("ascii")),
            other => panic!("{input:?}: {other:?}"),
        }
    }

    #[test]
    fn parts_carry_the_kept_headers_as_slices_of_one_copy() {
        let input = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: x-gone\r\n\
            X-Gone: 1\r\nX-Kept: caf\xc3\xa9\r\nContent-Length: 2\r\n\r\nok";
        let (head, parts) = parse_parts(input, false).expect("a valid head");
        assert_eq!(head.len, input.len() - 2);
        assert_eq!(parts.status, http::StatusCode::OK);
        let values: Vec<(&str, &[u8])> = parts
            .headers
            .iter()
            .map(|(name, value)| (name.as_str(), value.as_bytes()))
            .collect();
        assert_eq!(
            values,
            [
                ("content-type", &b"text/plain"[..]),
                ("x-kept", "café".as_bytes()),
                ("content-length", b"2"),
            ]
        );
        // The values lie in one copy of the head, each as far from the first as in the input,
        // and not in the buffer parsed.
        let place = |value: &[u8]| {
            let line = [b": ", value, b"\r\n"].concat();
            2 + input
                .windows(line.len())
                .position(|w| w == line)
                .expect("in the input")
        };
        let first = values[0].1;
        for (_, value) in &values {
            assert_eq!(
                value.as_ptr().addr().wrapping_sub(first.as_ptr().addr()),
                place(value) - place(first),
                "{value:?} is not in the copy"
            );
            assert!(
                value
                    .as_ptr()
                    .addr()
                    .checked_sub(input.as_ptr().addr())
                    .is_none_or(|offset| offset >= input.len()),
                "{value:?} points into the parsed buffer"
            );
        }
    }

    #[test]
    fn a_plain_response_gets_envoys_headers_and_loses_hop_by_hop_ones() {
        let input = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nServer: gunicorn\r\nConnection: x-private\r\nX-Private: 1\r\nDate: Sat, 28 Nov 2026 17:14:49 GMT\r\nX-Kept: y\r\n\r\nok";
        let (head, out) = rewritten(input, false);
        assert_eq!(head.len, input.len() - 2);
        assert_eq!(head.framing, Framing::Length(2));
        assert!(head.app_keeps_alive);
        assert_eq!(
            out,
            "HTTP/1.1 200 OK\r\ncontent-length: 2\r\ndate: Sat, 28 Nov 2026 17:14:49 GMT\r\nx-kept: y\r\nx-envoy-upstream-service-time: 3\r\nserver: istio-envoy\r\nx-envoy-decorator-operation: ingress-sidecar.test:9080/*\r\n\r\n"
        );
    }

    #[test]
    fn framing_follows_rfc_9112() {
        let cases = [
            (
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
                false,
                Framing::Chunked,
                true,
            ),
            ("HTTP/1.1 200 OK\r\n\r\n", false, Framing::UntilClose, false),
            (
                "HTTP/1.1 204 No Content\r\n\r\n",
                false,
                Framing::Empty,
                true,
            ),
            (
                "HTTP/1.1 304 Not Modified\r\nContent-Length: 9\r\n\r\n",
                false,
                Framing::Empty,
                true,
            ),
            (
                "HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n",
                true,
                Framing::Empty,
                true,
            ),
            (
                "HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\n",
                false,
                Framing::Length(1),
                false,
            ),
            (
                "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 1\r\n\r\n",
                false,
                Framing::Length(1),
                true,
            ),
            (
                "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 1\r\n\r\n",
                false,
                Framing::Length(1),
                false,
            ),
            (
                "HTTP/1.1 200 OK\r\nContent-Length: 4\r\nContent-Length: 4\r\n\r\n",
                false,
                Framing::Length(4),
                true,
            ),
        ];
        for (input, head, framing, alive) in cases {
            let (parsed, out) = rewritten(input, head);
            assert_eq!(
                (parsed.framing, parsed.app_keeps_alive),
                (framing, alive),
                "{input:?}"
            );
            let chunked_out = out.contains("transfer-encoding: chunked");
            assert_eq!(
                chunked_out,
                matches!(framing, Framing::Chunked | Framing::UntilClose)
            );
            assert!(out.matches("content-length").count() <= 1);
        }
    }

    #[test]
    fn ambiguous_or_unexpected_responses_are_refused_and_1xx_dropped() {
        for input in [
            "HTTP/1.1 200 OK\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n",
            "HTTP/1.1 200 OK\r\nContent-Length: 4\r\nContent-Length: 5\r\n\r\n",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
            "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
            "HTTP/1.1 101 Switching Protocols\r\n\r\n",
            "HTTP/1.1 304 Not Modified\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n",
            "HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: keep-alive\r\n\r\n",
            "hello\r\n\r\n",
        ] {
            let parsed = parse(input.as_bytes(), &mut Vec::new(), &decorate(false));
            assert!(matches!(parsed, Parsed::Invalid), "{input:?}: {parsed:?}");
        }
        let early = "HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 200 OK\r\n";
        let parsed = parse(early.as_bytes(), &mut Vec::new(), &decorate(false));
        assert!(matches!(parsed, Parsed::Interim(n) if n == early.len() - 17));
    }

    #[test]
    fn the_date_is_added_when_missing_and_close_announced() {
        let mut out = Vec::new();
        let mut closing = decorate(false);
        closing.close = true;
        let parsed = parse(
            b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
            &mut out,
            &closing,
        );
        assert!(matches!(parsed, Parsed::Complete(_)));
        let text = String::from_utf8(out).expect("ascii");
        let date = text
            .lines()
            .find(|l| l.starts_with("date: "))
            .expect("a date");
        assert!(date.ends_with(" GMT") && date.len() == 6 + 29, "{date}");
        assert!(text.ends_with("connection: close\r\n\r\n"));
    }
}
