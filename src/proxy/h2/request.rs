//! An h2 header block made into what the rest of the sidecar reads (`http` parts), by the
//! rules the `h2` crate applies under hyper: which faults reset the stream, and which end the
//! connection (a field HPACK decodes but HTTP cannot carry).
use bytes::{Bytes, BytesMut};
use http::header::{CONNECTION, CONTENT_LENGTH, TE, TRANSFER_ENCODING, UPGRADE};
use http::{HeaderMap, HeaderName, HeaderValue, Method, Request, Version, uri};

use super::hpack::{DecodeError, Decoder};

/// The decoded header list a stream may carry (RFC 7541 §4.1 sizes), as hyper was set to
/// accept: above Envoy's 60 KiB, which `serve` holds requests to, so that the stream is reset
/// the way Envoy resets it there.
pub const MAX_HEADER_LIST: usize = 128 * 1024;

/// What a request's header block is.
// Moved once, out of `request`, for every stream; a box would cost each an allocation.
#[allow(clippy::large_enum_variant)]
pub enum Block {
    Request(RequestHead),
    /// Malformed (RFC 9113 §8.1.1): the stream is reset with PROTOCOL_ERROR.
    Malformed,
    /// Past `MAX_HEADER_LIST`: answered 431, as the `h2` crate answers it.
    TooLarge,
}

pub struct RequestHead {
    pub parts: http::request::Parts,
    /// The body's announced length, which its DATA frames must add up to.
    pub content_length: Option<u64>,
}

/// A header block that ends the whole connection (GOAWAY PROTOCOL_ERROR or COMPRESSION_ERROR).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fatal {
    Compression(DecodeError),
    /// A field HPACK decoded that is no HTTP field: an upper-case or invalid name, a value with
    /// control characters, an unknown pseudo-header, a method or pseudo value that is no token.
    Field,
}

#[derive(Default)]
struct Pseudo {
    method: Option<Method>,
    scheme: Option<(usize, usize)>,
    authority: Option<(usize, usize)>,
    path: Option<(usize, usize)>,
    protocol: bool,
    status: bool,
}

/// One field as decoded, its value a range of the arena.
struct Field {
    name: HeaderName,
    value: (usize, usize),
}

/// Decodes a request's header block. Every value is copied once, into one buffer the
/// header values then share.
pub fn request(decoder: &mut Decoder, block: &[u8], end_stream: bool) -> Result<Block, Fatal> {
    let mut arena = BytesMut::with_capacity(block.len() * 2);
    let mut pseudo = Pseudo::default();
    let mut fields: Vec<Field> = Vec::with_capacity(16);
    let mut malformed = false;
    let mut fatal = false;
    let mut regular_seen = false;
    let decoded = decoder
        .decode(block, MAX_HEADER_LIST, |name, value| {
            if fatal {
                return;
            }
            let at = arena.len();
            arena.extend_from_slice(value);
            let range = (at, arena.len());
            if let Some(pseudo_name) = name.strip_prefix(b":") {
                if regular_seen {
                    malformed = true;
                }
                let (seen, ok) = match pseudo_name {
                    b"method" => match Method::from_bytes(value) {
                        Ok(method) => (pseudo.method.replace(method).is_some(), true),
                        Err(_) => (false, false),
                    },
                    b"scheme" => (pseudo.scheme.replace(range).is_some(), utf8(value)),
                    b"authority" => (pseudo.authority.replace(range).is_some(), utf8(value)),
                    b"path" => (pseudo.path.replace(range).is_some(), utf8(value)),
                    b"protocol" => (std::mem::replace(&mut pseudo.protocol, true), true),
                    b"status" => (std::mem::replace(&mut pseudo.status, true), true),
                    _ => (false, false),
                };
                fatal |= !ok;
                malformed |= seen;
                return;
            }
            let Ok(name) = HeaderName::from_lowercase(name) else {
                fatal = true;
                return;
            };
            if is_connection_specific(&name) || (name == TE && value != b"trailers") {
                malformed = true;
                return;
            }
            regular_seen = true;
            fields.push(Field { name, value: range });
        })
        .map_err(Fatal::Compression)?;
    if fatal {
        return Err(Fatal::Field);
    }
    if decoded.over_limit {
        return Ok(Block::TooLarge);
    }
    if malformed || pseudo.status || pseudo.protocol {
        return Ok(Block::Malformed);
    }
    let arena = arena.freeze();
    let Some(method) = pseudo.method else {
        return Ok(Block::Malformed);
    };
    let is_connect = method == Method::CONNECT;
    let mut target = uri::Parts::default();
    if let Some(range) = pseudo.authority {
        match uri::Authority::from_maybe_shared(slice(&arena, range)) {
            Ok(authority) => target.authority = Some(authority),
            Err(_) => return Ok(Block::Malformed),
        }
    }
    match pseudo.scheme {
        Some(_) if is_connect => return Ok(Block::Malformed),
        Some(range) => match uri::Scheme::try_from(&arena[range.0..range.1]) {
            // A URI cannot be made of a scheme and a path alone: without an authority the
            // (valid) scheme is dropped.
            Ok(scheme) if target.authority.is_some() => target.scheme = Some(scheme),
            Ok(_) => {}
            Err(_) => return Ok(Block::Malformed),
        },
        None if !is_connect => return Ok(Block::Malformed),
        None => {}
    }
    match pseudo.path {
        Some(_) if is_connect => return Ok(Block::Malformed),
        Some(range) if range.0 == range.1 => return Ok(Block::Malformed),
        Some(range) => match uri::PathAndQuery::from_maybe_shared(slice(&arena, range)) {
            Ok(path) => target.path_and_query = Some(path),
            Err(_) => return Ok(Block::Malformed),
        },
        None if !is_connect => return Ok(Block::Malformed),
        None => {}
    }
    let Ok(target) = uri::Uri::from_parts(target) else {
        return Ok(Block::Malformed);
    };
    // Room for what `serve` adds (host, x-forwarded-proto, x-request-id, XFCC): growing the
    // map as it inserts them would rehash it.
    let mut headers = HeaderMap::with_capacity(fields.len() + 6);
    for field in fields {
        let Ok(value) = HeaderValue::from_maybe_shared(slice(&arena, field.value)) else {
            return Err(Fatal::Field);
        };
        headers.append(field.name, value);
    }
    let mut content_length = None;
    for value in headers.get_all(CONTENT_LENGTH) {
        let Some(length) = parse_u64(value.as_bytes()) else {
            return Ok(Block::Malformed);
        };
        if content_length.is_some_and(|first| first != length) {
            return Ok(Block::Malformed);
        }
        content_length = Some(length);
    }
    if end_stream && content_length.is_some_and(|length| length > 0) {
        return Ok(Block::Malformed);
    }
    let (mut parts, ()) = Request::new(()).into_parts();
    parts.method = method;
    parts.uri = target;
    parts.version = Version::HTTP_2;
    parts.headers = headers;
    Ok(Block::Request(RequestHead {
        parts,
        content_length,
    }))
}

/// Decodes a trailer block: regular fields only (a pseudo-header there is malformed).
pub fn trailers(decoder: &mut Decoder, block: &[u8]) -> Result<Option<HeaderMap>, Fatal> {
    let mut headers = HeaderMap::new();
    let mut malformed = false;
    let mut fatal = false;
    let decoded = decoder
        .decode(block, MAX_HEADER_LIST, |name, value| {
            if name.first() == Some(&b':') {
                malformed = true;
                return;
            }
            match (
                HeaderName::from_lowercase(name),
                HeaderValue::from_bytes(value),
            ) {
                (Ok(name), Ok(value)) => {
                    if is_connection_specific(&name) || (name == TE && value != "trailers") {
                        malformed = true;
                    } else {
                        headers.append(name, value);
                    }
                }
                _ => fatal = true,
            }
        })
        .map_err(Fatal::Compression)?;
    if fatal {
        return Err(Fatal::Field);
    }
    Ok((!malformed && !decoded.over_limit).then_some(headers))
}

fn is_connection_specific(name: &HeaderName) -> bool {
    name == CONNECTION
        || name == TRANSFER_ENCODING
        || name == UPGRADE
        || name == "keep-alive"
        || name == "proxy-connection"
}

fn utf8(value: &[u8]) -> bool {
    std::str::from_utf8(value).is_ok()
}

fn slice(arena: &Bytes, (start, end): (usize, usize)) -> Bytes {
    arena.slice(start..end)
}

/// A content-length value: digits only, as the `h2` crate reads it.
fn parse_u64(digits: &[u8]) -> Option<u64> {
    if digits.is_empty() || digits.len() > 19 {
        return None;
    }
    digits.iter().try_fold(0u64, |n, d| match d {
        b'0'..=b'9' => n.checked_mul(10)?.checked_add(u64::from(d - b'0')),
        _ => None,
    })
}
