//! One HTTP request through the sidecar: request headers for the app, forward, response
//! headers for the client (or Envoy's local 503), stats and the access-log line.
use std::convert::Infallible;
use std::rc::Rc;
use std::time::Instant;

use bytes::Bytes;
use http::header::{CONTENT_LENGTH, CONTENT_TYPE, HOST, SERVER, TRANSFER_ENCODING, USER_AGENT};
use http::{HeaderValue, Request, Response, StatusCode, Uri, Version};
use http_body_util::{Either, Full};
use hyper::body::Incoming;
use time::OffsetDateTime;

use super::access_log::{Outcome, RequestFields};
use super::forward::ResetReason;
use super::headers::{
    self, DECORATOR_OPERATION, ISTIO_ENVOY, UPSTREAM_SERVICE_TIME, X_FORWARDED_PROTO, X_REQUEST_ID,
    content_length,
};
use super::listener::{ConnectionInfo, ListenerContext, log_request, upstream_reset_body};

pub type ProxyBody = Either<Incoming, Full<Bytes>>;

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

/// Requests Envoy's HTTP connection manager answers itself, with Istio's defaults (checked
/// against Envoy 1.40): HTTP/1.0 (`accept_http_10` is off) and HTTP/1.1 without a Host.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Refusal {
    Http10,
    MissingHost,
}

fn refuse_as_envoy(parts: &http::request::Parts) -> Option<Refusal> {
    match parts.version {
        Version::HTTP_10 | Version::HTTP_09 => Some(Refusal::Http10),
        Version::HTTP_11
            if !parts.headers.contains_key(HOST) && parts.uri.authority().is_none() =>
        {
            Some(Refusal::MissingHost)
        }
        _ => None,
    }
}

impl Refusal {
    /// Envoy's response code details for the access log.
    fn details(self) -> &'static str {
        match self {
            Refusal::Http10 => "low_version",
            Refusal::MissingHost => "missing_host_header",
        }
    }

    /// Envoy's local reply; the connection closes after it.
    fn reply(self) -> Response<ProxyBody> {
        let (status, body) = match self {
            Refusal::Http10 => (StatusCode::UPGRADE_REQUIRED, "Upgrade Required"),
            Refusal::MissingHost => (StatusCode::BAD_REQUEST, ""),
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
        h.insert(http::header::CONNECTION, HeaderValue::from_static("close"));
        response
    }
}

pub async fn handle(
    request: Request<Incoming>,
    connection: Rc<ConnectionInfo>,
    listener: Rc<ListenerContext>,
) -> Result<Response<ProxyBody>, Infallible> {
    let started = Instant::now();
    let logging = listener.access_log.is_some();
    let start_time = logging.then(OffsetDateTime::now_utc);
    let (mut parts, body) = request.into_parts();
    let refusal = refuse_as_envoy(&parts);
    let downstream_version = parts.version;
    let method = parts.method.clone();
    // What the access log needs, and the authority when there is no Host to copy it to;
    // with the log off an HTTP/1.1 request with a Host copies nothing.
    let authority = if logging || !parts.headers.contains_key(HOST) {
        parts
            .uri
            .authority()
            .map(|a| a.as_str().to_string())
            .or_else(|| {
                parts
                    .headers
                    .get(HOST)
                    .and_then(|h| h.to_str().ok())
                    .map(str::to_string)
            })
            .unwrap_or_default()
    } else {
        String::new()
    };
    let path = match logging {
        true => parts
            .uri
            .path_and_query()
            .map(|p| p.as_str().to_string())
            .unwrap_or_else(|| "/".to_string()),
        false => String::new(),
    };

    // Towards the app: HTTP/1.1, origin-form URI, Host from :authority, Istio's headers.
    headers::strip_hop_by_hop(&mut parts.headers);
    if !parts.headers.contains_key(HOST)
        && let Ok(host) = HeaderValue::from_str(&authority)
    {
        parts.headers.insert(HOST, host);
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

    let (mut response, upstream_ms, flags, details) = match refusal {
        Some(refusal) => (refusal.reply(), None, "", refusal.details()),
        None => forward(Request::from_parts(parts, body), &listener).await,
    };
    response.headers_mut().insert(SERVER, ISTIO_ENVOY);
    response
        .headers_mut()
        .insert(DECORATOR_OPERATION, listener.decorator.clone());
    let status = response.status().as_u16();
    listener.stats.response(status);

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
            authority,
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
    Ok(response)
}

/// A response, with the upstream time, response flags and details for the access log.
type Answer = (
    Response<ProxyBody>,
    Option<u128>,
    &'static str,
    &'static str,
);

/// Sends the request to the app: its response with Envoy's upstream headers, or Envoy's 503.
async fn forward(request: Request<Incoming>, listener: &ListenerContext) -> Answer {
    let sent = Instant::now();
    let result = listener.upstream.send(request).await;
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
        if bad_length || both || response.status() == StatusCode::SWITCHING_PROTOCOLS {
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
            headers::strip_hop_by_hop(response.headers_mut());
            let value = HeaderValue::from(u64::try_from(upstream_ms).unwrap_or(u64::MAX));
            response.headers_mut().insert(UPSTREAM_SERVICE_TIME, value);
            (response, Some(upstream_ms), "", "via_upstream")
        }
        Err(reason) => {
            let text = upstream_reset_body(reason);
            let mut response = Response::new(Either::Right(Full::new(Bytes::from(text.clone()))));
            *response.status_mut() = StatusCode::SERVICE_UNAVAILABLE;
            let h = response.headers_mut();
            h.insert(CONTENT_LENGTH, HeaderValue::from(text.len()));
            h.insert(CONTENT_TYPE, HeaderValue::from_static("text/plain"));
            (response, None, reason.flag(), reason.details())
        }
    }
}
