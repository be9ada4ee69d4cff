//! One HTTP request through the sidecar: request headers for the app, forward, response
//! headers for the client (or Envoy's local 503), stats and the access-log line.
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};
use std::time::Instant;

use bytes::Bytes;
use http::header::{CONTENT_LENGTH, CONTENT_TYPE, HOST, SERVER, TE, TRANSFER_ENCODING, USER_AGENT};
use http::{HeaderValue, Method, Request, Response, StatusCode, Uri, Version};
use http_body_util::{Either, Full};
use hyper::body::{Frame, SizeHint};
use time::OffsetDateTime;

use super::access_log::{Outcome, RequestFields};
use super::body::RequestBody;
use super::forward::{AppBody, Failure, ResetReason};
use super::headers::{
    self, DECORATOR_OPERATION, ISTIO_ENVOY, UPSTREAM_SERVICE_TIME, X_FORWARDED_PROTO, X_REQUEST_ID,
    content_length,
};
use super::listener::{
    ConnectionInfo, InFlight, ListenerContext, log_request, upstream_reset_body,
};
use super::stats::ListenerStats;
use super::telemetry::Exchange;
use super::upgrade::{self, Upgrade};

pub type ProxyBody = Either<AppBody, Full<Bytes>>;

fn protocol(version: Version) -> &'static str {
    match version {
        Version::HTTP_10 => "HTTP/1.0",
        Version::HTTP_2 => "HTTP/2",
        _ => "HTTP/1.1",
    }
}

/// The request target as the app gets it: origin-form (`/path?query`). HTTP/1.1 requests
/// already are (kept as they are, no copy); h2 ones carry `:scheme` and `:authority`.
fn origin_form(uri: Uri) -> Uri {
    if uri.scheme().is_none() && uri.authority().is_none() && uri.path_and_query().is_some() {
        return uri;
    }
    let mut parts = http::uri::Parts::default();
    parts.path_and_query = Some(
        uri.path_and_query()
            .cloned()
            .unwrap_or_else(|| http::uri::PathAndQuery::from_static("/")),
    );
    Uri::from_parts(parts).unwrap_or_else(|_| Uri::from_static("/"))
}

/// The length of `uri` as it displays, counted without formatting it (that cost an h2 request
/// a String and 2.5k instructions).
fn displayed_len(uri: &Uri) -> usize {
    uri.scheme_str()
        .map_or(0, |scheme| scheme.len() + "://".len())
        + uri
            .authority()
            .map_or(0, |authority| authority.as_str().len())
        + uri.path().len()
        + uri.query().map_or(0, |query| "?".len() + query.len())
}

/// Requests Envoy's HTTP connection manager answers itself, with Istio's defaults (checked
/// against Envoy 1.40): HTTP/1.0 (`accept_http_10` is off), HTTP/1.1 without a Host, an
/// authority that is not one valid host, and CONNECT (no route matches it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Refusal {
    Http10,
    MissingHost,
    BadAuthority,
    Connect,
    /// The request body broke off or was malformed (chunked framing, say).
    BadBody,
    /// An upgrade type other than WebSocket (Envoy's `upgrade_failed`).
    Upgrade,
}

fn refuse_as_envoy(parts: &http::request::Parts) -> Option<Refusal> {
    match parts.version {
        Version::HTTP_10 | Version::HTTP_09 => Some(Refusal::Http10),
        _ if parts.method == Method::CONNECT => Some(Refusal::Connect),
        Version::HTTP_11
            if !parts.headers.contains_key(HOST) && parts.uri.authority().is_none() =>
        {
            Some(Refusal::MissingHost)
        }
        _ => None,
    }
}

/// The one authority of a request, which the app gets as its Host, the access log records and
/// every header we add is about: the target's (absolute-form, or h2's `:authority`, as Envoy
/// takes it), else the one Host header. More than one Host, or one that is not a host, is
/// refused.
fn decide_authority(parts: &http::request::Parts) -> Result<Option<HeaderValue>, Refusal> {
    let value = match parts.uri.authority() {
        Some(authority) => {
            Some(HeaderValue::from_str(authority.as_str()).map_err(|_| Refusal::BadAuthority)?)
        }
        None => {
            let mut hosts = parts.headers.get_all(HOST).iter();
            let first = hosts.next().cloned();
            if hosts.next().is_some() {
                return Err(Refusal::BadAuthority);
            }
            first
        }
    };
    match value {
        Some(v) if !headers::is_valid_authority(v.as_bytes()) => Err(Refusal::BadAuthority),
        value => Ok(value),
    }
}

impl Refusal {
    /// Envoy's response flags and code details for the access log.
    fn logged(self) -> (&'static str, &'static str) {
        match self {
            Refusal::Http10 => ("", "low_version"),
            Refusal::MissingHost => ("", "missing_host_header"),
            Refusal::BadAuthority => ("DPE", "http.invalid_authority"),
            Refusal::Connect => ("NR", "route_not_found"),
            Refusal::BadBody => ("DPE", "codec_error"),
            Refusal::Upgrade => ("", "upgrade_failed"),
        }
    }

    /// Whether Envoy counts it as `downstream_cx_protocol_error`.
    fn is_protocol_error(self) -> bool {
        matches!(
            self,
            Refusal::MissingHost | Refusal::BadAuthority | Refusal::BadBody
        )
    }

    /// Envoy's local reply; an HTTP/1.1 connection closes after it.
    fn reply(self, version: Version) -> Response<ProxyBody> {
        let (status, body) = match self {
            Refusal::Http10 => (StatusCode::UPGRADE_REQUIRED, "Upgrade Required"),
            Refusal::MissingHost => (StatusCode::BAD_REQUEST, ""),
            Refusal::BadAuthority | Refusal::BadBody => (StatusCode::BAD_REQUEST, "Bad Request"),
            Refusal::Connect => (StatusCode::NOT_FOUND, ""),
            Refusal::Upgrade => (StatusCode::FORBIDDEN, ""),
        };
        let mut response = Response::new(Either::Right(Full::new(Bytes::from_static(
            body.as_bytes(),
        ))));
        *response.status_mut() = status;
        let h = response.headers_mut();
        h.insert(CONTENT_LENGTH, HeaderValue::from(body.len()));
        if !body.is_empty() {
            h.insert(CONTENT_TYPE, HeaderValue::from_static("text/plain"));
        }
        if version != Version::HTTP_2 {
            h.insert(http::header::CONNECTION, HeaderValue::from_static("close"));
        }
        response
    }
}

/// Envoy's limits on a request's headers (`max_request_headers_kb` 60, `max_headers_count`
/// 100); HTTP/1.1 heads are held to them by the codec, h2 header lists here.
pub const MAX_HEADER_BYTES: usize = 60 * 1024;
pub const MAX_HEADER_COUNT: usize = 100;

/// Whether an h2 request is over Envoy's header limits: its header list size as HPACK counts
/// it (RFC 7541 §4.1: name, value and 32 bytes a field, pseudo-headers included), or its count.
fn over_h2_limits(parts: &http::request::Parts) -> bool {
    // Envoy counts the pseudo-headers too (`:method`, `:path`, `:scheme`, `:authority`).
    let pseudo_count = 2
        + usize::from(parts.uri.scheme().is_some())
        + usize::from(parts.uri.authority().is_some());
    if parts.headers.len() + pseudo_count > MAX_HEADER_COUNT {
        return true;
    }
    let pseudo = parts.method.as_str().len()
        + parts.uri.path_and_query().map_or(1, |p| p.as_str().len())
        + parts.uri.authority().map_or(0, |a| a.as_str().len())
        + parts.uri.scheme_str().map_or(0, str::len)
        + 4 * 32
        + ":method:path:authority:scheme".len();
    let fields: usize = parts
        .headers
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len() + 32)
        .sum();
    pseudo + fields > MAX_HEADER_BYTES
}

/// A response body that keeps its request counted as in flight until it is sent or dropped,
/// so a connection's idle timer only runs while it carries no request.
/// It also meters the response for Istio's metrics, which count the request when the body
/// is done (or dropped, when the client goes away first).
pub struct Tracked {
    body: ProxyBody,
    meter: Meter,
    _request: InFlight,
}

/// What Istio's metrics need about a request whose response is under way.
struct Meter {
    listener: Rc<ListenerContext>,
    connection: Rc<ConnectionInfo>,
    started: Instant,
    grpc: bool,
    status: u16,
    grpc_status: Option<u32>,
    flags: &'static str,
    host: Option<String>,
    request_bytes: u64,
    response_bytes: u64,
    ended: bool,
}

impl Meter {
    fn saw(&mut self, frame: &Frame<Bytes>) {
        if let Some(data) = frame.data_ref() {
            self.response_bytes += data.len() as u64;
        } else if let Some(trailers) = frame.trailers_ref() {
            self.response_bytes += header_bytes(trailers);
            if let Some(status) = grpc_status(trailers) {
                self.grpc_status = Some(status);
            }
        }
    }
}

impl Drop for Meter {
    fn drop(&mut self) {
        self.listener.stats.istio.request(&Exchange {
            source: self.connection.source(),
            grpc: self.grpc,
            status: self.status,
            grpc_status: self.grpc_status,
            // The client left before the end of the response: Envoy's `DC`.
            flags: if self.ended || !self.flags.is_empty() {
                self.flags
            } else {
                "DC"
            },
            host: self.host.as_deref(),
            duration: self.started.elapsed(),
            request_bytes: self.request_bytes,
            response_bytes: self.response_bytes,
        });
    }
}

/// Bytes of a header block as written out (`name: value` and a line end each).
fn header_bytes(headers: &http::HeaderMap) -> u64 {
    headers
        .iter()
        .map(|(name, value)| (name.as_str().len() + value.len() + 4) as u64)
        .sum()
}

fn grpc_status(headers: &http::HeaderMap) -> Option<u32> {
    headers
        .get("grpc-status")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse().ok())
}

/// Envoy's test for a gRPC request: `content-type: application/grpc` or `application/grpc+…`.
fn is_grpc(headers: &http::HeaderMap) -> bool {
    headers
        .get(CONTENT_TYPE)
        .map(HeaderValue::as_bytes)
        .is_some_and(|v| {
            let v = v.to_ascii_lowercase();
            v == b"application/grpc" || v.starts_with(b"application/grpc+")
        })
}

impl hyper::body::Body for Tracked {
    type Data = Bytes;
    type Error = Box<dyn std::error::Error + Send + Sync>;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        let polled = Pin::new(&mut self.body).poll_frame(cx);
        match &polled {
            Poll::Ready(Some(Ok(frame))) => {
                self.meter.saw(frame);
                // hyper stops polling once the body says it is at its end.
                self.meter.ended |= self.body.is_end_stream();
            }
            Poll::Ready(None) => self.meter.ended = true,
            _ => {}
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}

pub async fn handle(
    request: Request<RequestBody>,
    connection: Rc<ConnectionInfo>,
    listener: Rc<ListenerContext>,
) -> Result<Response<Tracked>, h2::Error> {
    let in_flight = InFlight::begin(&connection);
    let started = Instant::now();
    let logging = listener.access_log.is_some();
    let start_time = logging.then(OffsetDateTime::now_utc);
    let (mut parts, body) = request.into_parts();
    let downstream_version = parts.version;
    let method = parts.method.clone();
    let grpc = is_grpc(&parts.headers);
    // The head as written out (request line, headers) and the body its length announces.
    let request_bytes = (parts.method.as_str().len() + displayed_len(&parts.uri) + 12) as u64
        + header_bytes(&parts.headers)
        + parts
            .headers
            .get(CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0);
    if let Some(normalized) = parts
        .uri
        .path_and_query()
        .and_then(|p| headers::normalize_path(p.as_str()))
        && let Ok(path) = http::uri::PathAndQuery::try_from(normalized)
    {
        let mut uri = http::uri::Parts::from(std::mem::take(&mut parts.uri));
        uri.path_and_query = Some(path);
        parts.uri = Uri::from_parts(uri).unwrap_or_else(|_| Uri::from_static("/"));
    }
    let path = match logging {
        true => parts
            .uri
            .path_and_query()
            .map(|p| p.as_str().to_string())
            .unwrap_or_else(|| "/".to_string()),
        false => String::new(),
    };
    let mut refusal = refuse_as_envoy(&parts);
    let mut upgrade = upgrade::requested(parts.version, &parts.headers);
    if refusal.is_none() && upgrade == Upgrade::Refused {
        refusal = Some(Refusal::Upgrade);
    }
    let mut authority = None;
    if refusal.is_none() {
        match decide_authority(&parts) {
            Ok(decided) => authority = decided,
            Err(refused) => refusal = Some(refused),
        }
    }
    let authority_text = |authority: &Option<HeaderValue>| match logging {
        true => authority
            .as_ref()
            .map(|a| String::from_utf8_lossy(a.as_bytes()).into_owned())
            .unwrap_or_default(),
        false => String::new(),
    };
    if downstream_version == Version::HTTP_2 && over_h2_limits(&parts) {
        // Envoy 1.40 resets the stream (INTERNAL_ERROR) past 100 headers, and ends the whole
        // connection (GOAWAY COMPRESSION_ERROR) past 60 KiB; we reset the stream in both
        // cases. There is no response to count.
        ListenerStats::count(&listener.stats.downstream_cx_protocol_error);
        if let Some(start) = start_time {
            let fields = RequestFields {
                method: method.as_str().to_string(),
                path,
                authority: authority_text(&authority),
                ..RequestFields::default()
            };
            let outcome = Outcome {
                status: 0,
                flags: "DPE",
                details: "http2.too_many_headers",
                // (Envoy logs nothing for a request its codec refuses; we log every one.)
                bytes_sent: 0,
                upstream_ms: None,
            };
            log_request(
                &listener,
                &connection,
                &fields,
                "HTTP/2",
                start,
                started,
                outcome,
            );
        }
        return Err(h2::Error::from(h2::Reason::INTERNAL_ERROR));
    }

    // Towards the app: HTTP/1.1, origin-form URI, Host the decided authority, Istio's headers.
    // Of `TE` only `trailers` goes on, as Envoy keeps it (gRPC needs it); `Expect` stays here,
    // where hyper has answered it with the `100 Continue`, as Envoy answers it itself.
    let te_trailers = parts
        .headers
        .get_all(TE)
        .iter()
        .any(|v| v.as_bytes().eq_ignore_ascii_case(b"trailers"));
    headers::strip_hop_by_hop(&mut parts.headers);
    parts.headers.remove(http::header::EXPECT);
    if te_trailers {
        parts
            .headers
            .insert(TE, HeaderValue::from_static("trailers"));
    }
    let on_upgrade = match std::mem::replace(&mut upgrade, Upgrade::None) {
        Upgrade::WebSocket(value) => {
            upgrade::restore(&mut parts.headers, None, value);
            parts.extensions.remove::<hyper::upgrade::OnUpgrade>()
        }
        Upgrade::None | Upgrade::Refused => None,
    };
    if let Some(host) = &authority {
        parts.headers.insert(HOST, host.clone());
    }
    parts.uri = origin_form(std::mem::take(&mut parts.uri));
    parts.version = Version::HTTP_11;
    parts
        .headers
        .insert(X_FORWARDED_PROTO, listener.scheme.clone());
    if !parts.headers.contains_key(X_REQUEST_ID) {
        parts.headers.insert(X_REQUEST_ID, headers::request_id());
    }
    headers::apply_xfcc(&mut parts.headers, &connection.peer, listener.xfcc);
    let (request_id, user_agent, forwarded_for) = match logging {
        true => (
            parts.headers.get(X_REQUEST_ID).cloned(),
            parts.headers.get(USER_AGENT).cloned(),
            parts.headers.get("x-forwarded-for").cloned(),
        ),
        false => (None, None, None),
    };

    let answer = match refusal {
        Some(refusal) => Err(refusal),
        None => {
            let upgrading = on_upgrade.map(|on| (on, InFlight::begin(&connection)));
            forward(
                Request::from_parts(parts, body),
                downstream_version,
                &listener,
                upgrading,
            )
            .await
        }
    };
    let (mut response, upstream_ms, flags, details, routed) = match answer {
        Ok((response, upstream_ms, flags, details)) => {
            (response, upstream_ms, flags, details, true)
        }
        Err(refusal) => {
            if refusal.is_protocol_error() {
                ListenerStats::count(&listener.stats.downstream_cx_protocol_error);
            }
            let (flags, details) = refusal.logged();
            // A body that breaks off midway is refused after routing, the rest before it.
            let routed = refusal == Refusal::BadBody;
            let reply = refusal.reply(downstream_version);
            (reply, None, flags, details, routed)
        }
    };
    response.headers_mut().insert(SERVER, ISTIO_ENVOY);
    // The route's decorator: Envoy sends it back only once a route was chosen, so not on the
    // answers it gives before routing (426, 400 for the authority, 404 for CONNECT, 403 for
    // an upgrade it does not know).
    if routed {
        response
            .headers_mut()
            .insert(DECORATOR_OPERATION, listener.decorator.clone());
    }
    let status = response.status().as_u16();
    listener.stats.response(status);
    let meter = Meter {
        listener: Rc::clone(&listener),
        connection: Rc::clone(&connection),
        started,
        grpc,
        status,
        grpc_status: grpc.then(|| grpc_status(response.headers())).flatten(),
        flags,
        host: match listener.keeps_host() {
            true => authority
                .as_ref()
                .map(|a| String::from_utf8_lossy(a.as_bytes()).into_owned()),
            false => None,
        },
        request_bytes,
        response_bytes: 15 + header_bytes(response.headers()),
        ended: hyper::body::Body::is_end_stream(response.body()),
    };

    if logging {
        let text = |v: &Option<HeaderValue>| {
            v.as_ref()
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_string()
        };
        let bytes_sent = response
            .headers()
            .get(CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        let fields = RequestFields {
            method: method.as_str().to_string(),
            path,
            authority: authority_text(&authority),
            user_agent: text(&user_agent),
            forwarded_for: text(&forwarded_for),
            request_id: text(&request_id),
        };
        let outcome = Outcome {
            status,
            flags,
            details,
            bytes_sent,
            upstream_ms,
        };
        let start = start_time.unwrap_or_else(OffsetDateTime::now_utc);
        let protocol = protocol(downstream_version);
        log_request(
            &listener,
            &connection,
            &fields,
            protocol,
            start,
            started,
            outcome,
        );
    }
    Ok(response.map(|body| Tracked {
        body,
        meter,
        _request: in_flight,
    }))
}

/// Envoy's local reply to a gRPC request the app never answered: `200`, trailers-only, with
/// the gRPC status its HTTP status maps to (503 and 504: 14, UNAVAILABLE) and the reset text as
/// `grpc-message`.
fn grpc_local_reply(reason: ResetReason) -> Response<ProxyBody> {
    let mut response = Response::new(Either::Right(Full::new(Bytes::new())));
    let h = response.headers_mut();
    h.insert(CONTENT_TYPE, HeaderValue::from_static("application/grpc"));
    h.insert("grpc-status", HeaderValue::from_static("14"));
    if let Ok(message) = HeaderValue::from_str(&upstream_reset_body(reason)) {
        h.insert("grpc-message", message);
    }
    // Trailers-only: the HEADERS frame ends the stream, with no length, as Envoy sends it.
    response
}

/// The upstream time as a header value; the usual few milliseconds without an allocation.
fn milliseconds(ms: u128) -> HeaderValue {
    const SMALL: [&str; 100] = [
        "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14", "15", "16",
        "17", "18", "19", "20", "21", "22", "23", "24", "25", "26", "27", "28", "29", "30", "31",
        "32", "33", "34", "35", "36", "37", "38", "39", "40", "41", "42", "43", "44", "45", "46",
        "47", "48", "49", "50", "51", "52", "53", "54", "55", "56", "57", "58", "59", "60", "61",
        "62", "63", "64", "65", "66", "67", "68", "69", "70", "71", "72", "73", "74", "75", "76",
        "77", "78", "79", "80", "81", "82", "83", "84", "85", "86", "87", "88", "89", "90", "91",
        "92", "93", "94", "95", "96", "97", "98", "99",
    ];
    match usize::try_from(ms).ok().and_then(|ms| SMALL.get(ms)) {
        Some(text) => HeaderValue::from_static(text),
        None => HeaderValue::from(u64::try_from(ms).unwrap_or(u64::MAX)),
    }
}

/// A response, with the upstream time, response flags and details for the access log.
type Answer = (
    Response<ProxyBody>,
    Option<u128>,
    &'static str,
    &'static str,
);

/// Sends the request to the app: its response with Envoy's upstream headers, Envoy's 503, or
/// a refusal when the client's own body was at fault.
async fn forward(
    request: Request<RequestBody>,
    downstream: Version,
    listener: &ListenerContext,
    upgrading: Option<(hyper::upgrade::OnUpgrade, InFlight)>,
) -> Result<Answer, Refusal> {
    let sent = Instant::now();
    let upstream = &listener.upstream;
    let upgrade_asked = upgrading.is_some();
    let grpc = request
        .headers()
        .get(CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/grpc"));
    let sending = async {
        let sent = match upgrading {
            // Boxed: its app connection's handshake is kilobytes of state, which every
            // request's future would otherwise hold room for.
            Some((on, in_flight)) => Box::pin(upgrade::send(
                upstream,
                request,
                on,
                listener.idle_timeout,
                in_flight,
            ))
            .await
            .map(|response| response.map(Either::Left)),
            None => upstream.send(request, downstream).await,
        };
        match sent {
            Ok(response) => Ok(Ok(response)),
            Err(Failure::RequestBody) => Ok(Err(Refusal::BadBody)),
            Err(Failure::App(reason)) => Err(reason),
        }
    };
    let result =
        match ResetReason::within(upstream.response_timeout(), upstream.stats(), sending).await {
            Ok(Ok(response)) => Ok(response),
            Ok(Err(refusal)) => return Err(refusal),
            Err(reason) => Err(reason),
        };
    // Refused as the lean path refuses them: both a length and chunked framing (how responses
    // get smuggled), a length that is not one plain number, and a 101 nobody asked for.
    let result = result.and_then(|response| {
        let h = response.headers();
        let mut lengths = h.get_all(CONTENT_LENGTH).iter();
        let first = lengths.next();
        let bad_length = first.is_some_and(|first| {
            content_length(first.as_bytes()).is_none() || lengths.any(|other| other != first)
        });
        let both = h.contains_key(TRANSFER_ENCODING) && first.is_some();
        let switched = response.status() == StatusCode::SWITCHING_PROTOCOLS;
        if bad_length || both || (switched && !upgrade_asked) {
            listener.upstream.count_reset();
            return Err(ResetReason::ConnectionTermination);
        }
        Ok(response)
    });
    match result {
        Ok(response) => {
            let upstream_ms = sent.elapsed().as_millis();
            let mut response = response.map(Either::Left);
            // Envoy answers in the client's protocol, whatever version the app spoke.
            *response.version_mut() = Version::HTTP_11;
            let upgraded = (response.status() == StatusCode::SWITCHING_PROTOCOLS)
                .then(|| {
                    let h = response.headers();
                    let value = h.get(http::header::UPGRADE).cloned();
                    value.map(|v| (upgrade::connection_of(h), v))
                })
                .flatten();
            headers::strip_hop_by_hop(response.headers_mut());
            if let Some((connection, value)) = upgraded {
                upgrade::restore(response.headers_mut(), connection, value);
            }
            response
                .headers_mut()
                .insert(UPSTREAM_SERVICE_TIME, milliseconds(upstream_ms));
            Ok((response, Some(upstream_ms), "", "via_upstream"))
        }
        Err(reason) if grpc => Ok((
            grpc_local_reply(reason),
            None,
            reason.flag(),
            reason.details(),
        )),
        Err(reason) => {
            let text = upstream_reset_body(reason);
            let mut response = Response::new(Either::Right(Full::new(Bytes::from(text.clone()))));
            *response.status_mut() =
                StatusCode::from_u16(reason.status()).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
            let h = response.headers_mut();
            h.insert(CONTENT_LENGTH, HeaderValue::from(text.len()));
            h.insert(CONTENT_TYPE, HeaderValue::from_static("text/plain"));
            Ok((response, None, reason.flag(), reason.details()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn milliseconds_read_as_their_digits() {
        for ms in [0u128, 7, 42, 99, 100, 12_345, u128::from(u64::MAX) + 1] {
            let expected = u64::try_from(ms).unwrap_or(u64::MAX).to_string();
            assert_eq!(
                milliseconds(ms).to_str().ok(),
                Some(expected.as_str()),
                "{ms}"
            );
        }
    }

    #[test]
    fn displayed_len_is_the_formatted_length() {
        for text in [
            "/",
            "/status/200",
            "/get?a=1&b=2",
            "/get?",
            "*",
            "https://httpbin.test.svc.cluster.local:9080/headers?x=y",
            "http://example.com",
            "example.com:443",
            "https://[::1]:8443/",
        ] {
            let uri: Uri = text.parse().expect("a valid URI");
            assert_eq!(displayed_len(&uri), uri.to_string().len(), "{text}");
        }
        let mut parts = http::uri::Parts::default();
        parts.scheme = Some(http::uri::Scheme::HTTPS);
        parts.authority = Some(http::uri::Authority::from_static("a.example"));
        parts.path_and_query = Some(http::uri::PathAndQuery::from_static("/p?q"));
        let built = Uri::from_parts(parts).expect("valid parts");
        assert_eq!(displayed_len(&built), built.to_string().len());
    }
}
