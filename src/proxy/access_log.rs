//! One Envoy-style access-log line per request (Istio's default TEXT format, in order),
//! buffered per worker and flushed at least once a second, so logging costs no syscall per request.
use std::cell::RefCell;
use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::sync::{Arc, Mutex};

use time::OffsetDateTime;

use super::config::AccessLog;

/// Where flushed lines go (shared by the workers; written a buffer at a time).
#[derive(Clone)]
pub enum Sink {
    Stdout,
    File(Arc<Mutex<File>>),
}

impl Sink {
    pub fn open(config: &AccessLog) -> io::Result<Option<Sink>> {
        Ok(match config {
            AccessLog::Off => None,
            AccessLog::Stdout => Some(Sink::Stdout),
            AccessLog::File(path) => Some(Sink::File(Arc::new(Mutex::new(
                OpenOptions::new().create(true).append(true).open(path)?,
            )))),
        })
    }

    fn write(&self, bytes: &[u8]) {
        let result = match self {
            Sink::Stdout => io::stdout().lock().write_all(bytes),
            Sink::File(file) => match file.lock() {
                Ok(mut f) => f.write_all(bytes),
                Err(_) => Ok(()),
            },
        };
        if let Err(e) = result {
            log::debug!("access log write failed: {e}");
        }
    }
}

/// What a line says about the request, copied while its head is at hand.
#[derive(Debug, Default)]
pub struct RequestFields {
    pub method: String,
    pub path: String,
    pub authority: String,
    pub user_agent: String,
    pub forwarded_for: String,
    pub request_id: String,
}

/// How a request ended, as a line says it.
pub struct Outcome<'a> {
    pub status: u16,
    pub flags: &'a str,
    pub details: &'a str,
    pub bytes_sent: u64,
    pub upstream_ms: Option<u128>,
}

/// The fields of one line.
pub struct Entry<'a> {
    pub start: OffsetDateTime,
    pub method: &'a str,
    pub path: &'a str,
    pub protocol: &'a str,
    pub status: u16,
    pub flags: &'a str,
    pub details: &'a str,
    pub bytes_sent: u64,
    pub duration_ms: u128,
    pub upstream_ms: Option<u128>,
    pub forwarded_for: &'a str,
    pub user_agent: &'a str,
    pub request_id: &'a str,
    pub authority: &'a str,
    pub upstream_host: &'a str,
    pub cluster: &'a str,
    pub local: &'a str,
    pub remote: &'a str,
    pub sni: &'a str,
}

/// The fields of one TCP connection's line.
pub struct TcpEntry<'a> {
    pub start: OffsetDateTime,
    /// Envoy's response flags: `UF` when the app could not be reached, else empty.
    pub flags: &'a str,
    pub transport_failure: &'a str,
    pub bytes_received: u64,
    pub bytes_sent: u64,
    pub duration_ms: u128,
    pub upstream_host: &'a str,
    pub cluster: &'a str,
    pub upstream_local: &'a str,
    pub local: &'a str,
    pub remote: &'a str,
    pub sni: &'a str,
}

/// A worker's buffer in front of the shared sink.
pub struct Writer {
    sink: Sink,
    buffer: RefCell<Vec<u8>>,
}

const FLUSH_AT: usize = 64 * 1024;

impl Writer {
    pub fn new(sink: Sink) -> Writer {
        Writer {
            sink,
            buffer: RefCell::new(Vec::with_capacity(FLUSH_AT)),
        }
    }

    pub fn record(&self, e: &Entry<'_>) {
        let dash = |s: &str| {
            if s.is_empty() {
                "-".to_string()
            } else {
                s.to_string()
            }
        };
        let start = super::admin::millis_rfc3339(e.start);
        let upstream = e.upstream_ms.map_or("-".to_string(), |ms| ms.to_string());
        let mut buffer = self.buffer.borrow_mut();
        let _ = writeln!(
            buffer,
            "[{start}] \"{} {} {}\" {} {} {} - \"-\" 0 {} {} {} \"{}\" \"{}\" \"{}\" \"{}\" \"{}\" {} - {} {} {} default",
            e.method,
            e.path,
            e.protocol,
            e.status,
            dash(e.flags),
            e.details,
            e.bytes_sent,
            e.duration_ms,
            upstream,
            dash(e.forwarded_for),
            dash(e.user_agent),
            dash(e.request_id),
            dash(e.authority),
            dash(e.upstream_host),
            e.cluster,
            e.local,
            e.remote,
            dash(e.sni),
        );
        if buffer.len() >= FLUSH_AT {
            self.sink.write(&buffer);
            buffer.clear();
        }
    }

    /// A TCP connection's line: Istio's same default format, whose HTTP fields Envoy prints as
    /// `-` on a TCP proxy (code 0, no route name), with the bytes received and sent.
    pub fn record_tcp(&self, e: &TcpEntry<'_>) {
        fn dash(s: &str) -> &str {
            if s.is_empty() { "-" } else { s }
        }
        let start = super::admin::millis_rfc3339(e.start);
        let mut buffer = self.buffer.borrow_mut();
        let _ = writeln!(
            buffer,
            "[{start}] \"- - -\" 0 {} - - \"{}\" {} {} {} - \"-\" \"-\" \"-\" \"-\" \"{}\" {} {} {} {} {} -",
            dash(e.flags),
            dash(e.transport_failure),
            e.bytes_received,
            e.bytes_sent,
            e.duration_ms,
            dash(e.upstream_host),
            e.cluster,
            dash(e.upstream_local),
            e.local,
            e.remote,
            dash(e.sni),
        );
        if buffer.len() >= FLUSH_AT {
            self.sink.write(&buffer);
            buffer.clear();
        }
    }

    pub fn flush(&self) {
        let mut buffer = self.buffer.borrow_mut();
        if !buffer.is_empty() {
            self.sink.write(&buffer);
            buffer.clear();
        }
    }
}
