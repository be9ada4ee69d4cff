//! A downstream request head, checked and rewritten for the app in one pass: origin-form target,
//! hop-by-hop headers dropped, Istio's request headers added. Heads Envoy refuses (malformed,
//! too large, HTTP/1.0, bad framing) are named; anything else outside the plain case (chunked
//! bodies, upgrades, `Expect`, unusual targets) is left to hyper.
use std::mem::MaybeUninit;

use crate::proxy::access_log::RequestFields;
use crate::proxy::headers::{
    PeerIdentity, XfccPolicy, content_length, is_hop_by_hop, is_valid_authority,
    needs_normalizing as needs_normalizing_path, request_id_text,
};

/// Envoy's `max_headers_count` (and hyper's default limit); more is a `431`.
pub const MAX_HEADERS: usize = 100;

/// A request the lean path forwards; its rewritten head is in the output buffer.
#[derive(Debug)]
pub struct RequestHead {
    /// Bytes of the head in the downstream buffer.
    pub len: usize,
    pub body_len: u64,
    /// The client sent `Connection: close`.
    pub close: bool,
    pub is_head: bool,
    /// May be sent again on a fresh connection if a reused one fails before any response byte.
    pub idempotent: bool,
    /// What the access log needs; only filled when it is on.
    pub log: Option<RequestFields>,
    /// The Host, when `Rewrite::keep_host` asked for it.
    pub host: Option<String>,
}

#[derive(Debug)]
pub enum Parsed {
    Complete(RequestHead),
    Partial,
    /// Not the plain case: hyper serves the connection from here on.
    Hyper,
    /// A head Envoy's codec (or its HTTP/1.0 check) refuses: answered here as Envoy answers it.
    Refused(Refusal),
}

/// Why a head is refused before it reaches the app, as Envoy 1.40 refuses it (each checked
/// against a real Envoy with Istio's inbound HCM).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// HTTP/1.0, 0.9 or 1.2: Istio leaves HTTP/1.0 off (`426`).
    Version,
    /// Not a head httparse reads, or a bad or repeated `Content-Length` (`400`).
    Malformed,
    /// Past 60 KiB or 100 headers (`431`).
    TooLarge,
    /// A `Transfer-Encoding` other than `chunked` (`501`).
    UnknownCoding,
    /// `Transfer-Encoding: chunked` with a `Content-Length` (`400`: `allow_chunked_length` off).
    BothFramings,
}

impl Refusal {
    /// The status line's code and reason, which is also Envoy's body.
    pub fn status(self) -> (u16, &'static str) {
        match self {
            Refusal::Version => (426, "Upgrade Required"),
            Refusal::Malformed | Refusal::BothFramings => (400, "Bad Request"),
            Refusal::TooLarge => (431, "Request Header Fields Too Large"),
            Refusal::UnknownCoding => (501, "Not Implemented"),
        }
    }

    /// Envoy's response code details for the access log.
    pub fn details(self) -> &'static str {
        match self {
            Refusal::Version => "low_version",
            Refusal::Malformed => "http1.codec_error",
            Refusal::TooLarge => "http1.headers_too_large",
            Refusal::UnknownCoding => "http1.invalid_transfer_encoding",
            Refusal::BothFramings => "http1.content_length_and_chunked_not_allowed",
        }
    }

    /// A codec error (`DPE`, `downstream_cx_protocol_error`); the version check is not one.
    pub fn is_codec_error(self) -> bool {
        self != Refusal::Version
    }
}

/// What a `Transfer-Encoding` header means for the whole head: Envoy takes only `chunked`,
/// and never beside a `Content-Length`. `None`: chunked alone, hyper's to serve.
fn framing_refusal(headers: &[httparse::Header<'_>]) -> Option<Refusal> {
    let mut lengths = 0;
    for header in headers {
        if header.name.eq_ignore_ascii_case("transfer-encoding")
            && !header.value.trim_ascii().eq_ignore_ascii_case(b"chunked")
        {
            return Some(Refusal::UnknownCoding);
        }
        lengths += usize::from(header.name.eq_ignore_ascii_case("content-length"));
    }
    (lengths > 0).then_some(Refusal::BothFramings)
}

/// What the listener and the connection add to every request.
pub struct Rewrite<'a> {
    pub scheme: &'a [u8],
    pub peer: &'a PeerIdentity,
    pub xfcc: XfccPolicy,
    pub logging: bool,
    /// Keep the request's Host in `RequestHead::host` (the metrics need it when no Service
    /// names the port).
    pub keep_host: bool,
    /// A plaintext connection, where an h2 preface is prior-knowledge h2 (hyper's); after TLS
    /// negotiated HTTP/1.1 it is a bad request, as Envoy's codec answers it.
    pub h2_prior_knowledge: bool,
}

/// What a request header means to the lean path.
enum Role {
    Forward,
    Host,
    ContentLength,
    TransferEncoding,
    Connection,
    RequestId,
    Xfcc,
    /// Replaced by ours.
    Drop,
    /// Framing, upgrades and hop-by-hop names the lean path does not handle.
    NeedsHyper,
}

fn role(lowercase_name: &[u8]) -> Role {
    match lowercase_name {
        b"host" => Role::Host,
        b"content-length" => Role::ContentLength,
        b"transfer-encoding" => Role::TransferEncoding,
        b"connection" => Role::Connection,
        b"x-request-id" => Role::RequestId,
        b"x-forwarded-client-cert" => Role::Xfcc,
        b"x-forwarded-proto" => Role::Drop,
        b"expect" | b"http2-settings" => Role::NeedsHyper,
        hop_by_hop if is_hop_by_hop(hop_by_hop) => Role::NeedsHyper,
        _ => Role::Forward,
    }
}

/// Room made at once for a rewritten head (ours or the response's): a plain head fits without
/// regrowing a buffer that an idle connection gave back.
pub(crate) const HEAD_ROOM: usize = 1024;

/// Parses the head at the start of `buf`; on `Complete`, `out` holds the head for the app.
pub fn parse(buf: &[u8], out: &mut Vec<u8>, rewrite: &Rewrite<'_>) -> Parsed {
    let mut slots = [const { MaybeUninit::<httparse::Header<'_>>::uninit() }; MAX_HEADERS];
    let mut request = httparse::Request::new(&mut []);
    let len = match request.parse_with_uninit_headers(buf, &mut slots) {
        Ok(httparse::Status::Complete(len)) => len,
        Ok(httparse::Status::Partial) => return Parsed::Partial,
        Err(httparse::Error::TooManyHeaders) => return Parsed::Refused(Refusal::TooLarge),
        // An h2 preface (`PRI * HTTP/2.0`) is hyper's: prior-knowledge h2 on a plaintext port.
        // Any other version is refused as HTTP/1.0 is.
        Err(httparse::Error::Version) if buf.starts_with(b"PRI ") => {
            return match rewrite.h2_prior_knowledge {
                true => Parsed::Hyper,
                false => Parsed::Refused(Refusal::Malformed),
            };
        }
        Err(httparse::Error::Version) => return Parsed::Refused(Refusal::Version),
        Err(_) => return Parsed::Refused(Refusal::Malformed),
    };
    let (Some(method), Some(path), Some(version)) = (request.method, request.path, request.version)
    else {
        return Parsed::Hyper;
    };
    if version != 1 {
        return Parsed::Refused(Refusal::Version);
    }
    if method == "CONNECT" || !is_plain_origin_form(path.as_bytes()) {
        return Parsed::Hyper;
    }
    out.clear();
    out.reserve(HEAD_ROOM);
    out.extend_from_slice(method.as_bytes());
    out.push(b' ');
    out.extend_from_slice(path.as_bytes());
    out.extend_from_slice(b" HTTP/1.1\r\n");

    let mut log = rewrite.logging.then(|| RequestFields {
        method: method.to_string(),
        path: path.to_string(),
        ..RequestFields::default()
    });
    let mut hosts = 0;
    let mut host = None;
    let mut body_len = None;
    let mut close = false;
    let mut has_request_id = false;
    let mut client_xfcc: Option<&[u8]> = None;
    let appending = rewrite.xfcc == XfccPolicy::AppendForward && rewrite.peer.xfcc.is_some();
    for header in request.headers.iter() {
        let name_at = out.len();
        out.extend(header.name.bytes().map(|b| b.to_ascii_lowercase()));
        let value = header.value;
        let keep = match role(&out[name_at..]) {
            Role::Forward => {
                if let Some(log) = log.as_mut() {
                    match &out[name_at..] {
                        b"user-agent" if log.user_agent.is_empty() => log.user_agent = text(value),
                        b"x-forwarded-for" if log.forwarded_for.is_empty() => {
                            log.forwarded_for = text(value)
                        }
                        _ => {}
                    }
                }
                true
            }
            // Not one authority: hyper's path answers Envoy's 400.
            Role::Host if !is_valid_authority(value) => return Parsed::Hyper,
            Role::Host => {
                hosts += 1;
                if let Some(log) = log.as_mut() {
                    log.authority = text(value);
                }
                if rewrite.keep_host {
                    host = Some(text(value));
                }
                true
            }
            // A second length (even an equal one) or a bad one: Envoy's 400.
            Role::ContentLength => match (body_len, content_length(value)) {
                (None, Some(n)) => {
                    body_len = Some(n);
                    true
                }
                _ => return Parsed::Refused(Refusal::Malformed),
            },
            Role::TransferEncoding => {
                return framing_refusal(request.headers).map_or(Parsed::Hyper, Parsed::Refused);
            }
            Role::Connection => {
                match connection_close(value) {
                    Some(true) => close = true,
                    Some(false) => {}
                    None => return Parsed::Hyper,
                }
                false
            }
            Role::RequestId => {
                if let Some(log) = log.as_mut().filter(|_| !has_request_id) {
                    log.request_id = text(value);
                }
                has_request_id = true;
                true
            }
            Role::Xfcc => match rewrite.xfcc {
                XfccPolicy::SanitizeSet => false,
                XfccPolicy::AppendForward if appending => {
                    client_xfcc.get_or_insert(value);
                    false
                }
                XfccPolicy::AppendForward => true,
            },
            Role::Drop => false,
            Role::NeedsHyper => return Parsed::Hyper,
        };
        if keep {
            out.extend_from_slice(b": ");
            out.extend_from_slice(value);
            out.extend_from_slice(b"\r\n");
        } else {
            out.truncate(name_at);
        }
    }
    if hosts != 1 {
        return Parsed::Hyper;
    }
    out.extend_from_slice(b"x-forwarded-proto: ");
    out.extend_from_slice(rewrite.scheme);
    out.extend_from_slice(b"\r\n");
    if !has_request_id {
        let id = request_id_text();
        out.extend_from_slice(b"x-request-id: ");
        out.extend_from_slice(&id);
        out.extend_from_slice(b"\r\n");
        if let Some(log) = log.as_mut() {
            log.request_id = text(&id);
        }
    }
    if let Some(element) = &rewrite.peer.xfcc {
        out.extend_from_slice(b"x-forwarded-client-cert: ");
        // Envoy's APPEND_FORWARD keeps what a mesh peer forwarded, then adds its own element.
        if let Some(existing) = client_xfcc.filter(|v| !v.is_empty() && is_visible_ascii(v)) {
            out.extend_from_slice(existing);
            out.push(b',');
        }
        out.extend_from_slice(element.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"\r\n");
    Parsed::Complete(RequestHead {
        len,
        body_len: body_len.unwrap_or(0),
        close,
        is_head: method == "HEAD",
        idempotent: matches!(
            method,
            "GET" | "HEAD" | "OPTIONS" | "TRACE" | "PUT" | "DELETE"
        ),
        log,
        host,
    })
}

/// RFC 3986 path and query characters (a subset of what hyper accepts, so the two paths never
/// disagree on what is valid), as a table: one load a byte on every request.
const PATH_CHARS: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] = c.is_ascii_alphanumeric() || {
            let mut found = false;
            let mut k = 0;
            let specials = b"-._~!$&'()*+,;=:@/?%";
            while k < specials.len() {
                found |= specials[k] == c;
                k += 1;
            }
            found
        };
        b += 1;
    }
    table
};

/// A target of `/` followed only by RFC 3986 path and query characters, whose path Envoy would
/// not normalise (no `//`, no segment starting with a dot, no escape of an unreserved
/// character; see `headers::needs_normalizing`): one pass over it.
fn is_plain_origin_form(target: &[u8]) -> bool {
    if target.first() != Some(&b'/') {
        return false;
    }
    let mut previous = 0u8;
    let mut in_query = false;
    for (i, &b) in target.iter().enumerate() {
        if !PATH_CHARS[usize::from(b)] {
            return false;
        }
        if !in_query {
            match b {
                b'?' => in_query = true,
                b'/' | b'.' if previous == b'/' => return false,
                b'%' if needs_normalizing_path(target.get(i..(i + 3)).unwrap_or(b"")) => {
                    return false;
                }
                _ => {}
            }
        }
        previous = b;
    }
    true
}

/// `Some(close?)` when the header only says `close` and/or `keep-alive`; `None` otherwise.
fn connection_close(value: &[u8]) -> Option<bool> {
    let mut close = false;
    for token in value.split(|&b| b == b',') {
        let token = token.trim_ascii();
        if token.eq_ignore_ascii_case(b"close") {
            close = true;
        } else if !token.is_empty() && !token.eq_ignore_ascii_case(b"keep-alive") {
            return None;
        }
    }
    Some(close)
}

fn is_visible_ascii(value: &[u8]) -> bool {
    value
        .iter()
        .all(|&b| b == b'\t' || (0x20..0x7f).contains(&b))
}

fn text(value: &[u8]) -> String {
    String::from_utf8_lossy(value).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    fn rewrite(peer: &PeerIdentity, xfcc: XfccPolicy) -> Rewrite<'_> {
        Rewrite {
            scheme: b"https",
            peer,
            xfcc,
            logging: true,
            keep_host: true,
            h2_prior_knowledge: true,
        }
    }

    fn forwarded(input: &str, rewrite: &Rewrite<'_>) -> (RequestHead, String) {
        let mut out = Vec::new();
        match parse(input.as_bytes(), &mut out, rewrite) {
            Parsed::Complete(head) => (head, String::from_utf8(out).expect("ascii")),
            other => panic!("{input:?}: {other:?}"),
        }
    }

    fn goes_to_hyper(input: &str) -> bool {
        let peer = PeerIdentity::default();
        matches!(
            parse(
                input.as_bytes(),
                &mut Vec::new(),
                &rewrite(&peer, XfccPolicy::SanitizeSet)
            ),
            Parsed::Hyper
        )
    }

    #[test]
    fn a_plain_get_is_rewritten_for_the_app() {
        let peer = PeerIdentity::default();
        let input = "GET /status/200?a=1 HTTP/1.1\r\nHost: h\r\nUser-Agent: curl\r\nConnection: keep-alive\r\nX-Forwarded-Proto: http\r\nX-Forwarded-Client-Cert: Hash=forged\r\n\r\nNEXT";
        let (head, out) = forwarded(input, &rewrite(&peer, XfccPolicy::SanitizeSet));
        assert_eq!(head.len, input.len() - 4);
        assert_eq!((head.body_len, head.close, head.is_head), (0, false, false));
        let lines: Vec<&str> = out.split("\r\n").collect();
        assert_eq!(
            lines[..3],
            [
                "GET /status/200?a=1 HTTP/1.1",
                "host: h",
                "user-agent: curl"
            ]
        );
        assert_eq!(lines[3], "x-forwarded-proto: https");
        assert!(lines[4].starts_with("x-request-id: ") && lines[4].len() == 14 + 36);
        assert_eq!(lines[5..], ["", ""]);
        let log = head.log.expect("logging on");
        assert_eq!(
            (log.authority.as_str(), log.user_agent.as_str()),
            ("h", "curl")
        );
        assert_eq!(log.request_id.len(), 36);
    }

    #[test]
    fn a_client_request_id_is_kept_and_close_is_seen() {
        let peer = PeerIdentity::default();
        let input = "POST /post HTTP/1.1\r\nhost: h\r\nx-request-id: abc\r\ncontent-length: 5\r\nconnection: Keep-Alive, close\r\n\r\nhello";
        let (head, out) = forwarded(input, &rewrite(&peer, XfccPolicy::SanitizeSet));
        assert_eq!(
            (head.body_len, head.close, head.idempotent),
            (5, true, false)
        );
        assert!(out.contains("x-request-id: abc\r\n"));
        assert_eq!(out.matches("x-request-id").count(), 1);
        assert!(!out.contains("connection"));
    }

    #[test]
    fn append_forward_keeps_the_first_forwarded_element_then_ours() {
        let peer = PeerIdentity {
            xfcc: Some(HeaderValue::from_static("Hash=ours")),
            spiffe_id: None,
        };
        let input = "GET / HTTP/1.1\r\nHost: h\r\nX-Forwarded-Client-Cert: Hash=peer\r\nX-Forwarded-Client-Cert: Hash=second\r\n\r\n";
        let (_, out) = forwarded(input, &rewrite(&peer, XfccPolicy::AppendForward));
        assert!(out.contains("x-forwarded-client-cert: Hash=peer,Hash=ours\r\n"));
        assert_eq!(out.matches("x-forwarded-client-cert").count(), 1);
        let (_, out) = forwarded(input, &rewrite(&peer, XfccPolicy::SanitizeSet));
        assert!(out.contains("x-forwarded-client-cert: Hash=ours\r\n"));
        assert_eq!(out.matches("x-forwarded-client-cert").count(), 1);
        let anonymous = PeerIdentity::default();
        let (_, out) = forwarded(input, &rewrite(&anonymous, XfccPolicy::AppendForward));
        assert_eq!(out.matches("x-forwarded-client-cert").count(), 2);
    }

    #[test]
    fn anything_but_the_plain_case_goes_to_hyper() {
        for input in [
            "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n",
            "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding:  Chunked \r\n\r\n",
            "POST / HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: h\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: h\r\nConnection: x-private\r\n\r\n",
            "GET http://h/ HTTP/1.1\r\nHost: h\r\n\r\n",
            "GET /\"q\" HTTP/1.1\r\nHost: h\r\n\r\n",
            "CONNECT h:443 HTTP/1.1\r\nHost: h\r\n\r\n",
            "GET / HTTP/1.1\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: a b\r\n\r\n",
            "GET /a/../b HTTP/1.1\r\nHost: h\r\n\r\n",
            "GET //a HTTP/1.1\r\nHost: h\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: evil/../x\r\n\r\n",
            "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
        ] {
            assert!(goes_to_hyper(input), "{input:?}");
        }
    }

    #[test]
    fn heads_envoy_refuses_are_named_as_envoy_answers_them() {
        let refused = |input: &str| {
            let peer = PeerIdentity::default();
            let mut out = Vec::new();
            match parse(
                input.as_bytes(),
                &mut out,
                &rewrite(&peer, XfccPolicy::SanitizeSet),
            ) {
                Parsed::Refused(refusal) => Some(refusal),
                _ => None,
            }
        };
        let many: String = (0..=MAX_HEADERS).map(|i| format!("x-{i}: 1\r\n")).collect();
        // Each answer was seen from Envoy 1.40 with Istio's inbound HCM.
        for (input, want) in [
            ("GET / HTTP/1.0\r\nHost: h\r\n\r\n", Refusal::Version),
            ("GET / HTTP/1.2\r\nHost: h\r\n\r\n", Refusal::Version),
            (
                "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\n",
                Refusal::Malformed,
            ),
            (
                "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: +5\r\n\r\n",
                Refusal::Malformed,
            ),
            (
                "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5, 5\r\n\r\n",
                Refusal::Malformed,
            ),
            ("GET / HTTP/1.1\r\nHost : h\r\n\r\n", Refusal::Malformed),
            (
                "GET / HTTP/1.1\r\nHost: h\r\nX-A: \x01\r\n\r\n",
                Refusal::Malformed,
            ),
            (
                "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
                Refusal::UnknownCoding,
            ),
            (
                "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: xchunked\r\n\r\n",
                Refusal::UnknownCoding,
            ),
            (
                "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n",
                Refusal::BothFramings,
            ),
            (
                "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n",
                Refusal::BothFramings,
            ),
            (
                &format!("GET / HTTP/1.1\r\nHost: h\r\n{many}\r\n"),
                Refusal::TooLarge,
            ),
        ] {
            assert_eq!(refused(input), Some(want), "{input:?}");
        }
        assert_eq!(
            Refusal::TooLarge.status(),
            (431, "Request Header Fields Too Large")
        );
        assert!(!Refusal::Version.is_codec_error());
    }

    #[test]
    fn an_unfinished_head_asks_for_more() {
        let peer = PeerIdentity::default();
        let rewrite = rewrite(&peer, XfccPolicy::SanitizeSet);
        let full = b"GET / HTTP/1.1\r\nHost: h\r\n\r\n";
        for cut in 0..full.len() {
            let parsed = parse(&full[..cut], &mut Vec::new(), &rewrite);
            assert!(
                matches!(parsed, Parsed::Partial),
                "cut at {cut}: {parsed:?}"
            );
        }
    }
}
