//! What both HTTP engines (`h1`, the lean path, and `serve`, hyper) share about a listener and
//! a connection, and how either ends a request: Envoy's reset body and the access-log line.
use std::cell::Cell;
use std::rc::Rc;
use std::sync::Arc;
use std::time::{Duration, Instant};

use http::HeaderValue;
use time::OffsetDateTime;

use super::access_log::{Entry, Outcome, RequestFields, Writer};
use super::config::{H2Engine, Http1Engine, Protocol};
use super::forward::{ResetReason, Upstream};
use super::headers::{PeerIdentity, XfccPolicy};
use super::stats::ListenerStats;
use super::telemetry::Source;

/// What a worker knows about one listener.
pub struct ListenerContext {
    pub port: u16,
    pub scheme: HeaderValue,
    pub decorator: HeaderValue,
    pub upstream: Rc<Upstream>,
    pub stats: Arc<ListenerStats>,
    pub xfcc: XfccPolicy,
    pub access_log: Option<Rc<Writer>>,
    pub cluster: String,
    pub upstream_host: String,
    pub http1: Http1Engine,
    pub h2: H2Engine,
    /// A connection with no request in flight for this long is closed.
    pub idle_timeout: Duration,
    pub header_read_timeout: Duration,
    /// What the port serves after TLS: HTTP (h1 or h2 to the app) or TCP.
    pub protocol: Protocol,
}

/// What is known about one downstream connection.
pub struct ConnectionInfo {
    pub peer: PeerIdentity,
    /// The connection is Istio mTLS (the mesh chain, a peer of our trust domain).
    pub mesh: bool,
    pub local: String,
    pub remote: String,
    pub sni: String,
    pub activity: Activity,
}

impl ConnectionInfo {
    /// The peer as Istio's metrics label it.
    pub fn source(&self) -> Source<'_> {
        Source {
            principal: self.peer.spiffe_id.as_deref(),
            mutual_tls: self.mesh && self.peer.spiffe_id.is_some(),
        }
    }
}

impl ListenerContext {
    /// Whether the requests' Host is wanted: by the metrics, when no Service fronts the port.
    pub fn keeps_host(&self) -> bool {
        self.stats.istio.wants_host()
    }
}

/// Requests in flight on a connection, and since when it has had none (its idle timer).
#[derive(Debug)]
pub struct Activity {
    in_flight: Cell<usize>,
    idle_since: Cell<Instant>,
}

impl Default for Activity {
    fn default() -> Self {
        Activity {
            in_flight: Cell::new(0),
            idle_since: Cell::new(Instant::now()),
        }
    }
}

impl Activity {
    /// Restarts the idle timer (when hyper takes a connection over from the lean path).
    pub fn restart(&self) {
        self.idle_since.set(Instant::now());
    }

    /// When the connection will have been idle for `timeout`, or `None` while a request is
    /// in flight.
    pub fn idle_deadline(&self, timeout: Duration) -> Option<Instant> {
        (self.in_flight.get() == 0).then(|| self.idle_since.get() + timeout)
    }
}

/// One request in flight on a connection, from its head to the end of its response body.
pub struct InFlight(Rc<ConnectionInfo>);

impl InFlight {
    pub fn begin(connection: &Rc<ConnectionInfo>) -> InFlight {
        let activity = &connection.activity;
        activity.in_flight.set(activity.in_flight.get() + 1);
        InFlight(Rc::clone(connection))
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        let activity = &self.0.activity;
        let left = activity.in_flight.get().saturating_sub(1);
        activity.in_flight.set(left);
        if left == 0 {
            activity.idle_since.set(Instant::now());
        }
    }
}

/// Envoy's body for a request that never reached the app, or timed out waiting for it.
pub fn upstream_reset_body(reason: ResetReason) -> String {
    match reason {
        ResetReason::Timeout => "upstream request timeout".to_string(),
        _ => format!(
            "upstream connect error or disconnect/reset before headers. reset reason: {}",
            reason.envoy_text()
        ),
    }
}

/// Writes the access-log line of one request, when the log is on.
pub fn log_request(
    listener: &ListenerContext,
    connection: &ConnectionInfo,
    request: &RequestFields,
    protocol: &str,
    start: OffsetDateTime,
    started: Instant,
    outcome: Outcome<'_>,
) {
    let Some(writer) = &listener.access_log else {
        return;
    };
    writer.record(&Entry {
        start,
        method: &request.method,
        path: &request.path,
        protocol,
        status: outcome.status,
        flags: outcome.flags,
        details: outcome.details,
        bytes_sent: outcome.bytes_sent,
        duration_ms: started.elapsed().as_millis(),
        upstream_ms: outcome.upstream_ms,
        forwarded_for: &request.forwarded_for,
        user_agent: &request.user_agent,
        request_id: &request.request_id,
        authority: &request.authority,
        upstream_host: &listener.upstream_host,
        cluster: &listener.cluster,
        local: &connection.local,
        remote: &connection.remote,
        sni: &connection.sni,
    });
}

/// What the codec answered to a head it refused, for `count_refused_head`.
pub struct RefusedHead {
    pub status: u16,
    /// Envoy counts it as `downstream_cx_protocol_error` and logs `DPE`.
    pub codec_error: bool,
    pub details: &'static str,
    pub bytes_sent: u64,
}

/// Counts and logs an HTTP/1.1 head refused before it became a request (its method and path
/// unknown: `"- - HTTP/1.1"`), as Envoy does for its codec's answers.
pub fn count_refused_head(
    listener: &ListenerContext,
    connection: &ConnectionInfo,
    refused: RefusedHead,
) {
    if refused.codec_error {
        ListenerStats::count(&listener.stats.downstream_cx_protocol_error);
    }
    listener.stats.response(refused.status);
    let fields = RequestFields {
        method: "-".to_string(),
        path: "-".to_string(),
        ..RequestFields::default()
    };
    let outcome = Outcome {
        status: refused.status,
        flags: if refused.codec_error { "DPE" } else { "" },
        details: refused.details,
        bytes_sent: refused.bytes_sent,
        upstream_ms: None,
    };
    let start = OffsetDateTime::now_utc();
    log_request(
        listener,
        connection,
        &fields,
        "HTTP/1.1",
        start,
        Instant::now(),
        outcome,
    );
}
