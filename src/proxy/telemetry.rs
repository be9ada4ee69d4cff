//! Istio's standard metrics as an inbound sidecar reports them (`reporter="destination"`):
//! `istio_requests_total`, the request histograms and `istio_tcp_*`, one set per listener,
//! written in Envoy's Prometheus text format for the admin `/stats/prometheus`.
use std::fmt::Write as _;
use std::sync::Mutex;
use std::time::Duration;

use crate::mesh::telemetry::{DEFAULT_CLUSTER, WorkloadNames};

/// Envoy's default histogram buckets (`le`), in the unit of each histogram.
const BUCKETS: [f64; 19] = [
    0.5, 1.0, 5.0, 10.0, 25.0, 50.0, 100.0, 250.0, 500.0, 1000.0, 2500.0, 5000.0, 10000.0, 30000.0,
    60000.0, 300000.0, 600000.0, 1800000.0, 3600000.0,
];

/// Label sets beyond this many per listener stop using the request's Host as
/// `destination_service` (it is the only label a client chooses freely).
const MAX_SERIES: usize = 1024;

/// Who is on the other end of a connection, as the `source_*` labels say it.
#[derive(Debug, Clone, Copy, Default)]
pub struct Source<'a> {
    /// The peer certificate's SPIFFE ID (`source_principal`).
    pub principal: Option<&'a str>,
    /// Both sides presented a SPIFFE identity: Istio mTLS (`connection_security_policy`).
    pub mutual_tls: bool,
}

/// One finished HTTP request.
#[derive(Debug, Clone, Copy)]
pub struct Exchange<'a> {
    pub source: Source<'a>,
    /// `content-type: application/grpc…`: `request_protocol="grpc"` and a `grpc_response_status`.
    pub grpc: bool,
    pub status: u16,
    pub grpc_status: Option<u32>,
    /// Envoy's response flags, empty for none (`-`).
    pub flags: &'a str,
    /// The request's authority: `destination_service` when no Service fronts the port.
    pub host: Option<&'a str>,
    pub duration: Duration,
    pub request_bytes: u64,
    pub response_bytes: u64,
}

/// One closed TCP connection.
#[derive(Debug, Clone, Copy)]
pub struct TcpConnection<'a> {
    pub source: Source<'a>,
    pub flags: &'a str,
    pub received: u64,
    pub sent: u64,
}

#[derive(Debug, Default)]
struct Histogram {
    /// Values at or under each bucket's bound but over the one before; the last is `+Inf`.
    counts: [u64; BUCKETS.len() + 1],
    sum: u64,
    count: u64,
}

impl Histogram {
    fn record(&mut self, value: u64) {
        let slot = BUCKETS
            .iter()
            .position(|bound| value as f64 <= *bound)
            .unwrap_or(BUCKETS.len());
        self.counts[slot] += 1;
        self.sum = self.sum.saturating_add(value);
        self.count += 1;
    }

    fn render(&self, name: &str, labels: &str, out: &mut String) {
        let mut cumulative = 0;
        for (i, count) in self.counts.iter().enumerate() {
            cumulative += count;
            let le = match BUCKETS.get(i) {
                Some(bound) => format!("{bound}"),
                None => "+Inf".to_string(),
            };
            let _ = writeln!(out, "{name}_bucket{{{labels},le=\"{le}\"}} {cumulative}");
        }
        let _ = writeln!(out, "{name}_sum{{{labels}}} {}", self.sum);
        let _ = writeln!(out, "{name}_count{{{labels}}} {}", self.count);
    }
}

#[derive(Debug, PartialEq, Eq)]
struct SourceKey {
    principal: Option<Box<str>>,
    mutual_tls: bool,
}

impl SourceKey {
    fn of(source: Source<'_>) -> SourceKey {
        SourceKey {
            principal: source.principal.map(Into::into),
            mutual_tls: source.mutual_tls,
        }
    }

    fn is(&self, source: Source<'_>) -> bool {
        self.mutual_tls == source.mutual_tls && self.principal.as_deref() == source.principal
    }
}

#[derive(Debug)]
struct HttpSeries {
    source: SourceKey,
    grpc: bool,
    status: u16,
    grpc_status: Option<u32>,
    flags: Box<str>,
    host: Option<Box<str>>,
    labels: String,
    requests: u64,
    duration_ms: Histogram,
    request_bytes: Histogram,
    response_bytes: Histogram,
}

#[derive(Debug)]
struct TcpSeries {
    source: SourceKey,
    flags: Box<str>,
    labels: String,
    opened: u64,
    closed: u64,
    received: u64,
    sent: u64,
}

#[derive(Debug, Default)]
struct Series {
    http: Vec<HttpSeries>,
    tcp: Vec<TcpSeries>,
}

/// The fixed `destination_*` side of one listener's labels.
#[derive(Debug, Default)]
pub struct Destination {
    names: WorkloadNames,
    namespace: String,
    /// Our own SPIFFE ID, the `destination_principal` of Istio mTLS connections.
    principal: Option<String>,
    /// The fronting Service: (`<name>.<ns>.svc.cluster.local`, `<name>`).
    service: Option<(String, String)>,
}

impl Destination {
    pub fn new(
        names: &WorkloadNames,
        namespace: &str,
        principal: Option<&str>,
        service: Option<&str>,
    ) -> Destination {
        Destination {
            names: names.clone(),
            namespace: namespace.to_string(),
            principal: principal.map(str::to_string),
            service: service.map(|name| {
                (
                    format!("{name}.{namespace}.svc.cluster.local"),
                    name.to_string(),
                )
            }),
        }
    }
}

/// One listener's Istio metrics. Recording takes an uncontended lock per request (the
/// listener's workers and the admin's scrape share it).
#[derive(Debug, Default)]
pub struct IstioMetrics {
    destination: Destination,
    series: Mutex<Series>,
}

/// `unknown` for an empty value, as Istio reports it.
fn or_unknown(value: &str) -> &str {
    if value.is_empty() { "unknown" } else { value }
}

/// A Prometheus label value, escaped (`\`, `"`, newline).
fn escaped(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out
}

/// The namespace in `spiffe://<td>/ns/<ns>/sa/<sa>`.
fn spiffe_namespace(principal: &str) -> Option<&str> {
    let rest = principal.strip_prefix("spiffe://")?;
    let mut parts = rest.split('/').skip(1);
    match (parts.next(), parts.next()) {
        (Some("ns"), Some(ns)) if !ns.is_empty() => Some(ns),
        _ => None,
    }
}

impl IstioMetrics {
    pub fn new(destination: Destination) -> IstioMetrics {
        IstioMetrics {
            destination,
            series: Mutex::new(Series::default()),
        }
    }

    /// No Service fronts the port: the requests' Host is their `destination_service`.
    pub fn wants_host(&self) -> bool {
        self.destination.service.is_none()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Series> {
        match self.series.lock() {
            Ok(series) => series,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    /// Every label up to `destination_cluster`, in the order Istio's stats filter writes them.
    fn common_labels(&self, source: Source<'_>, host: Option<&str>) -> String {
        let d = &self.destination;
        let principal = source.principal.unwrap_or("unknown");
        let source_namespace = source
            .principal
            .and_then(spiffe_namespace)
            .unwrap_or("unknown");
        let destination_principal = match source.mutual_tls {
            true => d.principal.as_deref().unwrap_or("unknown"),
            false => "unknown",
        };
        let canonical = or_unknown(&d.names.canonical_service);
        let (service, service_name) = match (&d.service, host) {
            (Some((host, name)), _) => (host.as_str(), name.as_str()),
            (None, Some(host)) if !host.is_empty() => (host, host),
            (None, _) => (canonical, canonical),
        };
        let pairs: [(&str, &str); 20] = [
            ("reporter", "destination"),
            ("source_workload", "unknown"),
            ("source_canonical_service", "unknown"),
            ("source_canonical_revision", "latest"),
            ("source_workload_namespace", source_namespace),
            ("source_principal", principal),
            ("source_app", "unknown"),
            ("source_version", "unknown"),
            ("source_cluster", "unknown"),
            ("destination_workload", or_unknown(&d.names.workload)),
            ("destination_workload_namespace", or_unknown(&d.namespace)),
            ("destination_principal", destination_principal),
            ("destination_app", or_unknown(&d.names.app)),
            ("destination_version", or_unknown(&d.names.version)),
            ("destination_service", service),
            ("destination_canonical_service", canonical),
            (
                "destination_canonical_revision",
                or_unknown(&d.names.canonical_revision),
            ),
            ("destination_service_name", service_name),
            ("destination_service_namespace", or_unknown(&d.namespace)),
            ("destination_cluster", DEFAULT_CLUSTER),
        ];
        let mut out = String::new();
        for (i, (name, value)) in pairs.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            let _ = write!(out, "{name}=\"{}\"", escaped(value));
        }
        out
    }

    fn flags_and_policy(out: &mut String, flags: &str, mutual_tls: bool) {
        let flags = if flags.is_empty() { "-" } else { flags };
        let policy = if mutual_tls { "mutual_tls" } else { "none" };
        let _ = write!(
            out,
            ",response_flags=\"{}\",connection_security_policy=\"{policy}\"",
            escaped(flags)
        );
    }

    /// Counts one finished HTTP request.
    pub fn request(&self, exchange: &Exchange<'_>) {
        let mut series = self.lock();
        let host = match self.destination.service.is_none() && series.http.len() < MAX_SERIES {
            true => exchange.host.filter(|h| !h.is_empty()),
            false => None,
        };
        let found = series.http.iter().position(|s| {
            s.status == exchange.status
                && s.grpc == exchange.grpc
                && s.grpc_status == exchange.grpc_status
                && *s.flags == *exchange.flags
                && s.host.as_deref() == host
                && s.source.is(exchange.source)
        });
        let index = match found {
            Some(index) => index,
            None => {
                let mut labels = self.common_labels(exchange.source, host);
                let protocol = if exchange.grpc { "grpc" } else { "http" };
                let grpc_status = exchange
                    .grpc_status
                    .filter(|_| exchange.grpc)
                    .map(|s| s.to_string())
                    .unwrap_or_default();
                let _ = write!(
                    labels,
                    ",request_protocol=\"{protocol}\",response_code=\"{}\",grpc_response_status=\"{grpc_status}\"",
                    exchange.status
                );
                Self::flags_and_policy(&mut labels, exchange.flags, exchange.source.mutual_tls);
                series.http.push(HttpSeries {
                    source: SourceKey::of(exchange.source),
                    grpc: exchange.grpc,
                    status: exchange.status,
                    grpc_status: exchange.grpc_status,
                    flags: exchange.flags.into(),
                    host: host.map(Into::into),
                    labels,
                    requests: 0,
                    duration_ms: Histogram::default(),
                    request_bytes: Histogram::default(),
                    response_bytes: Histogram::default(),
                });
                series.http.len() - 1
            }
        };
        let s = &mut series.http[index];
        s.requests += 1;
        s.duration_ms
            .record(u64::try_from(exchange.duration.as_millis()).unwrap_or(u64::MAX));
        s.request_bytes.record(exchange.request_bytes);
        s.response_bytes.record(exchange.response_bytes);
    }

    /// Counts one closed TCP connection: opened, closed and its bytes, reported together at
    /// the close, as Istio does for a peer that sent no metadata exchange.
    pub fn tcp_connection(&self, connection: &TcpConnection<'_>) {
        let mut series = self.lock();
        let found = series
            .tcp
            .iter()
            .position(|s| *s.flags == *connection.flags && s.source.is(connection.source));
        let index = match found {
            Some(index) => index,
            None => {
                let mut labels = self.common_labels(connection.source, None);
                labels.push_str(",request_protocol=\"tcp\"");
                Self::flags_and_policy(&mut labels, connection.flags, connection.source.mutual_tls);
                series.tcp.push(TcpSeries {
                    source: SourceKey::of(connection.source),
                    flags: connection.flags.into(),
                    labels,
                    opened: 0,
                    closed: 0,
                    received: 0,
                    sent: 0,
                });
                series.tcp.len() - 1
            }
        };
        let s = &mut series.tcp[index];
        s.opened += 1;
        s.closed += 1;
        s.received = s.received.saturating_add(connection.received);
        s.sent = s.sent.saturating_add(connection.sent);
    }
}

/// The Prometheus text of every listener's Istio metrics, as Envoy writes it: counters, then
/// histograms, each family once under its `# TYPE` line, families in name order; a family
/// with no series is left out.
pub fn prometheus(listeners: &[&IstioMetrics]) -> String {
    let guards: Vec<_> = listeners.iter().map(|m| m.lock()).collect();
    let mut out = String::new();
    type Counter = fn(&Series) -> Vec<(&str, u64)>;
    let counters: [(&str, Counter); 5] = [
        ("istio_requests_total", |s| {
            s.http
                .iter()
                .map(|h| (h.labels.as_str(), h.requests))
                .collect()
        }),
        ("istio_tcp_connections_closed_total", |s| {
            s.tcp
                .iter()
                .map(|t| (t.labels.as_str(), t.closed))
                .collect()
        }),
        ("istio_tcp_connections_opened_total", |s| {
            s.tcp
                .iter()
                .map(|t| (t.labels.as_str(), t.opened))
                .collect()
        }),
        ("istio_tcp_received_bytes_total", |s| {
            s.tcp
                .iter()
                .map(|t| (t.labels.as_str(), t.received))
                .collect()
        }),
        ("istio_tcp_sent_bytes_total", |s| {
            s.tcp.iter().map(|t| (t.labels.as_str(), t.sent)).collect()
        }),
    ];
    for (name, values) in counters {
        let rows: Vec<(&str, u64)> = guards.iter().flat_map(|g| values(g)).collect();
        if rows.is_empty() {
            continue;
        }
        let _ = writeln!(out, "# TYPE {name} counter");
        for (labels, value) in rows {
            let _ = writeln!(out, "{name}{{{labels}}} {value}");
        }
    }
    type Pick = fn(&HttpSeries) -> &Histogram;
    let histograms: [(&str, Pick); 3] = [
        ("istio_request_bytes", |h| &h.request_bytes),
        ("istio_request_duration_milliseconds", |h| &h.duration_ms),
        ("istio_response_bytes", |h| &h.response_bytes),
    ];
    for (name, pick) in histograms {
        if guards.iter().all(|g| g.http.is_empty()) {
            continue;
        }
        let _ = writeln!(out, "# TYPE {name} histogram");
        for series in guards.iter().flat_map(|g| g.http.iter()) {
            pick(series).render(name, &series.labels, &mut out);
        }
    }
    out
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn metrics(service: Option<&str>) -> IstioMetrics {
        let names = WorkloadNames {
            workload: "httpbin".into(),
            app: "httpbin".into(),
            version: "v1".into(),
            canonical_service: "httpbin".into(),
            canonical_revision: "v1".into(),
        };
        IstioMetrics::new(Destination::new(
            &names,
            "test",
            Some("spiffe://cluster.local/ns/test/sa/httpbin"),
            service,
        ))
    }

    fn exchange(status: u16) -> Exchange<'static> {
        Exchange {
            source: Source::default(),
            grpc: false,
            status,
            grpc_status: None,
            flags: "",
            host: Some("httpbin.test.svc.cluster.local"),
            duration: Duration::from_millis(3),
            request_bytes: 120,
            response_bytes: 300,
        }
    }

    #[test]
    fn requests_with_the_same_labels_share_a_series_and_histograms_are_cumulative() {
        let m = metrics(Some("httpbin"));
        m.request(&exchange(200));
        m.request(&exchange(200));
        m.request(&exchange(503));
        let text = prometheus(&[&m]);
        let totals: Vec<&str> = text
            .lines()
            .filter(|l| l.starts_with("istio_requests_total{"))
            .collect();
        assert_eq!(totals.len(), 2, "{text}");
        assert!(totals[0].contains("response_code=\"200\"") && totals[0].ends_with(" 2"));
        assert!(totals[0].starts_with("istio_requests_total{reporter=\"destination\",source_workload=\"unknown\",source_canonical_service=\"unknown\",source_canonical_revision=\"latest\","));
        assert!(totals[0].contains("destination_service=\"httpbin.test.svc.cluster.local\",destination_canonical_service=\"httpbin\",destination_canonical_revision=\"v1\",destination_service_name=\"httpbin\",destination_service_namespace=\"test\",destination_cluster=\"Kubernetes\",request_protocol=\"http\",response_code=\"200\",grpc_response_status=\"\",response_flags=\"-\",connection_security_policy=\"none\"}"));
        assert!(
            text.contains("le=\"5\"} 2\n"),
            "3 ms is in the 5 ms bucket: {text}"
        );
        assert!(text.contains("le=\"1\"} 0\n"));
        assert!(text.contains("le=\"+Inf\"} 2\n"));
        assert!(text.contains("istio_request_bytes_sum{") && text.contains("} 240\n"));
        assert!(
            !text.contains("istio_tcp"),
            "no TCP family without TCP traffic"
        );
    }

    #[test]
    fn istio_mtls_names_both_principals_and_the_source_namespace() {
        let m = metrics(Some("httpbin"));
        let mut e = exchange(200);
        e.source = Source {
            principal: Some("spiffe://cluster.local/ns/sleep-ns/sa/sleep"),
            mutual_tls: true,
        };
        m.request(&e);
        let text = prometheus(&[&m]);
        assert!(text.contains("source_workload_namespace=\"sleep-ns\",source_principal=\"spiffe://cluster.local/ns/sleep-ns/sa/sleep\""), "{text}");
        assert!(
            text.contains("destination_principal=\"spiffe://cluster.local/ns/test/sa/httpbin\"")
        );
        assert!(text.contains("connection_security_policy=\"mutual_tls\""));
    }

    #[test]
    fn without_a_service_the_host_stands_in_and_is_escaped_and_bounded() {
        let m = metrics(None);
        let mut e = exchange(200);
        e.host = Some("evil\"host");
        m.request(&e);
        let text = prometheus(&[&m]);
        assert!(text.contains("destination_service=\"evil\\\"host\",destination_canonical_service=\"httpbin\",destination_canonical_revision=\"v1\",destination_service_name=\"evil\\\"host\""), "{text}");
        let hosts: Vec<String> = (0..2 * MAX_SERIES).map(|i| format!("h{i}")).collect();
        for host in &hosts {
            let mut e = exchange(200);
            e.host = Some(host);
            m.request(&e);
        }
        assert!(m.lock().http.len() <= MAX_SERIES + 1);
    }

    #[test]
    fn grpc_and_tcp_carry_their_own_labels() {
        let m = metrics(Some("httpbin"));
        let mut e = exchange(200);
        e.grpc = true;
        e.grpc_status = Some(14);
        m.request(&e);
        m.tcp_connection(&TcpConnection {
            source: Source::default(),
            flags: "UF",
            received: 10,
            sent: 0,
        });
        let text = prometheus(&[&m]);
        assert!(
            text.contains(
                "request_protocol=\"grpc\",response_code=\"200\",grpc_response_status=\"14\""
            ),
            "{text}"
        );
        assert!(text.contains("destination_cluster=\"Kubernetes\",request_protocol=\"tcp\",response_flags=\"UF\",connection_security_policy=\"none\"} 1\n"));
        assert!(text.contains("# TYPE istio_tcp_received_bytes_total counter\n"));
        let families: Vec<&str> = text.lines().filter(|l| l.starts_with("# TYPE")).collect();
        assert_eq!(families.len(), 8, "{families:?}");
    }
}
