//! Counters with Envoy's names, lock-free (relaxed atomics), read by the admin `/stats`.
use std::sync::atomic::{AtomicU64, Ordering};

use super::telemetry::IstioMetrics;

/// Why a TLS handshake failed, as counted and logged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HandshakeFailure {
    NoCertificate,
    UnknownCa,
    Expired,
    /// Revoked by the `caCrl`, or no current CRL from its issuer.
    Revoked,
    BadCertificate,
    NoCommonVersion,
    NoCommonCipher,
    NoCommonGroup,
    NoCommonSignature,
    NoServerCertificate,
    NotSpiffe,
    Other,
}

impl HandshakeFailure {
    /// The Envoy 1.40 stat suffix (`ssl.<this>`): Envoy counts every failed verification but a
    /// missing certificate or SAN under `fail_verify_error`, and every other failure under
    /// `connection_error`.
    pub fn stat(self) -> &'static str {
        match self {
            HandshakeFailure::NoCertificate => "fail_verify_no_cert",
            HandshakeFailure::UnknownCa
            | HandshakeFailure::Expired
            | HandshakeFailure::BadCertificate
            | HandshakeFailure::Revoked => "fail_verify_error",
            HandshakeFailure::NotSpiffe => "fail_verify_san",
            HandshakeFailure::NoCommonVersion
            | HandshakeFailure::NoCommonCipher
            | HandshakeFailure::NoCommonGroup
            | HandshakeFailure::NoCommonSignature
            | HandshakeFailure::NoServerCertificate
            | HandshakeFailure::Other => "connection_error",
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            HandshakeFailure::NoCertificate => "the client sent no certificate",
            HandshakeFailure::UnknownCa => "the client certificate is not signed by a trusted CA",
            HandshakeFailure::Expired => "the client certificate is expired or not yet valid",
            HandshakeFailure::Revoked => {
                "the client certificate is revoked by the CRL (or its issuer has no current CRL)"
            }
            HandshakeFailure::BadCertificate => "the client certificate is invalid",
            HandshakeFailure::NoCommonVersion => "no TLS version in common",
            HandshakeFailure::NoCommonCipher => "no cipher suite in common",
            HandshakeFailure::NoCommonGroup => "no key exchange group in common",
            HandshakeFailure::NoCommonSignature => "no signature scheme in common",
            HandshakeFailure::NoServerCertificate => {
                "the server certificate is not loaded (secret warming)"
            }
            HandshakeFailure::NotSpiffe => "the peer has no SPIFFE identity of this trust domain",
            HandshakeFailure::Other => "TLS handshake error",
        }
    }

    const ALL: [HandshakeFailure; 12] = [
        HandshakeFailure::NoCertificate,
        HandshakeFailure::UnknownCa,
        HandshakeFailure::Expired,
        HandshakeFailure::Revoked,
        HandshakeFailure::BadCertificate,
        HandshakeFailure::NoCommonVersion,
        HandshakeFailure::NoCommonCipher,
        HandshakeFailure::NoCommonGroup,
        HandshakeFailure::NoCommonSignature,
        HandshakeFailure::NoServerCertificate,
        HandshakeFailure::NotSpiffe,
        HandshakeFailure::Other,
    ];
}

/// What a completed handshake negotiated, counted under Envoy's dynamic names
/// (`ssl.versions.TLSv1.3`, `ssl.ciphers.<name>`, `ssl.curves.<name>`).
#[derive(Debug, Default)]
struct Negotiated {
    counts: std::sync::Mutex<std::collections::BTreeMap<String, u64>>,
}

/// One listener's counters.
#[derive(Debug, Default)]
pub struct ListenerStats {
    pub downstream_cx_total: AtomicU64,
    pub downstream_cx_active: AtomicU64,
    pub plaintext_reset: AtomicU64,
    pub ssl_handshake: AtomicU64,
    ssl_failures: [AtomicU64; 12],
    /// Handshakes that resumed a session (`ssl.session_reused`).
    pub ssl_session_reused: AtomicU64,
    /// Handshakes that completed without a client certificate (`ssl.no_certificate`).
    pub ssl_no_certificate: AtomicU64,
    negotiated: Negotiated,
    /// Responses by class: 1xx … 5xx.
    responses: [AtomicU64; 5],
    pub upstream_cx_total: AtomicU64,
    pub upstream_cx_connect_fail: AtomicU64,
    pub upstream_rq_reset: AtomicU64,
    /// Requests refused because every app connection of the worker was busy (Envoy's circuit
    /// breaker overflow).
    pub upstream_rq_pending_overflow: AtomicU64,
    /// Requests whose response headers did not come within the response timeout.
    pub upstream_rq_timeout: AtomicU64,
    /// Requests the HTTP codec refused (malformed, too large): Envoy's `downstream_cx_protocol_error`.
    pub downstream_cx_protocol_error: AtomicU64,
    /// Connections closed after `idle_timeout` with no request in flight.
    pub downstream_cx_idle_timeout: AtomicU64,
    /// Connections closed at once because the proxy held its connection limit.
    pub downstream_global_cx_overflow: AtomicU64,
    /// A TCP port's tcp_proxy counters (`tcp.<stat prefix>.*`); None on HTTP ports, which
    /// have `http.*` ones instead.
    pub tcp: Option<TcpStats>,
    /// Istio's standard metrics for the port (`/stats/prometheus`).
    pub istio: IstioMetrics,
}

/// Envoy's tcp_proxy counters, under Istio's stat prefix for an inbound TCP chain: the
/// cluster's name, `inbound|<port>||`.
#[derive(Debug, Default)]
pub struct TcpStats {
    pub downstream_cx_total: AtomicU64,
    pub downstream_cx_rx_bytes_total: AtomicU64,
    pub downstream_cx_tx_bytes_total: AtomicU64,
    pub idle_timeout: AtomicU64,
}

impl TcpStats {
    fn render(&self, port: u16, out: &mut Vec<(String, u64)>) {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        let tcp = format!("tcp.inbound|{port}||");
        for (name, counter) in [
            ("downstream_cx_total", &self.downstream_cx_total),
            (
                "downstream_cx_rx_bytes_total",
                &self.downstream_cx_rx_bytes_total,
            ),
            (
                "downstream_cx_tx_bytes_total",
                &self.downstream_cx_tx_bytes_total,
            ),
            ("idle_timeout", &self.idle_timeout),
        ] {
            out.push((format!("{tcp}.{name}"), get(counter)));
        }
    }

    pub fn add(counter: &AtomicU64, n: u64) {
        counter.fetch_add(n, Ordering::Relaxed);
    }
}

fn bump(counter: &AtomicU64) {
    counter.fetch_add(1, Ordering::Relaxed);
}

impl ListenerStats {
    /// A port's counters: a TCP port has the listener's and tcp_proxy's, no HTTP ones.
    pub fn new(tcp: bool, istio: IstioMetrics) -> ListenerStats {
        ListenerStats {
            tcp: tcp.then(TcpStats::default),
            istio,
            ..ListenerStats::default()
        }
    }

    pub fn handshake_failed(&self, why: HandshakeFailure) {
        let index = HandshakeFailure::ALL
            .iter()
            .position(|f| *f == why)
            .unwrap_or(HandshakeFailure::ALL.len() - 1);
        bump(&self.ssl_failures[index]);
    }

    /// Counts what a completed handshake negotiated: `version` (`TLSv1.3`), the cipher by
    /// Envoy's name, the key exchange group.
    pub fn handshake_done(&self, version: &str, cipher: &str, curve: Option<&str>) {
        let mut counts = match self.negotiated.counts.lock() {
            Ok(counts) => counts,
            Err(poisoned) => poisoned.into_inner(),
        };
        let mut add = |name: String| *counts.entry(name).or_default() += 1;
        add(format!("versions.{version}"));
        add(format!("ciphers.{cipher}"));
        if let Some(curve) = curve {
            add(format!("curves.{curve}"));
        }
    }

    pub fn response(&self, status: u16) {
        let class = usize::from(status / 100).clamp(1, 5) - 1;
        bump(&self.responses[class]);
    }

    pub fn count(counter: &AtomicU64) {
        bump(counter);
    }

    /// `name: value` pairs with Envoy's naming for the inbound listener on `port`.
    pub fn render(&self, port: u16) -> Vec<(String, u64)> {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        let listener = format!("listener.0.0.0.0_{port}");
        let http = format!("http.inbound_0.0.0.0_{port}");
        let cluster = format!("cluster.inbound|{port}||");
        let mut out = vec![
            (
                format!("{listener}.downstream_cx_total"),
                get(&self.downstream_cx_total),
            ),
            (
                format!("{listener}.downstream_cx_active"),
                get(&self.downstream_cx_active),
            ),
            (
                format!("{listener}.plaintext_reset"),
                get(&self.plaintext_reset),
            ),
            (
                format!("{listener}.downstream_global_cx_overflow"),
                get(&self.downstream_global_cx_overflow),
            ),
            (
                format!("{listener}.ssl.handshake"),
                get(&self.ssl_handshake),
            ),
        ];
        let mut ssl: Vec<(String, u64)> = Vec::new();
        for (i, failure) in HandshakeFailure::ALL.iter().enumerate() {
            let name = format!("{listener}.ssl.{}", failure.stat());
            match ssl.iter_mut().find(|(n, _)| *n == name) {
                Some(entry) => entry.1 += get(&self.ssl_failures[i]),
                None => ssl.push((name, get(&self.ssl_failures[i]))),
            }
        }
        ssl.push((
            format!("{listener}.ssl.session_reused"),
            get(&self.ssl_session_reused),
        ));
        ssl.push((
            format!("{listener}.ssl.no_certificate"),
            get(&self.ssl_no_certificate),
        ));
        if let Ok(counts) = self.negotiated.counts.lock() {
            for (name, count) in counts.iter() {
                ssl.push((format!("{listener}.ssl.{name}"), *count));
            }
        }
        out.extend(ssl);
        match &self.tcp {
            Some(tcp) => tcp.render(port, &mut out),
            None => {
                for (i, counter) in self.responses.iter().enumerate() {
                    out.push((format!("{http}.downstream_rq_{}xx", i + 1), get(counter)));
                }
                out.push((
                    format!("{http}.downstream_cx_protocol_error"),
                    get(&self.downstream_cx_protocol_error),
                ));
                out.push((
                    format!("{http}.downstream_cx_idle_timeout"),
                    get(&self.downstream_cx_idle_timeout),
                ));
            }
        }
        out.push((
            format!("{cluster}.upstream_cx_total"),
            get(&self.upstream_cx_total),
        ));
        out.push((
            format!("{cluster}.upstream_cx_connect_fail"),
            get(&self.upstream_cx_connect_fail),
        ));
        out.push((
            format!("{cluster}.upstream_rq_reset"),
            get(&self.upstream_rq_reset),
        ));
        out.push((
            format!("{cluster}.upstream_rq_pending_overflow"),
            get(&self.upstream_rq_pending_overflow),
        ));
        out.push((
            format!("{cluster}.upstream_rq_timeout"),
            get(&self.upstream_rq_timeout),
        ));
        out
    }
}
