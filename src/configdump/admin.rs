//! A tiny HTTP/1.1 GET client for a local Envoy-compatible admin endpoint (`meshtls proxy` or
//! Envoy): std `TcpStream`, connect and read timeouts, `Content-Length` or chunked bodies.
use std::fmt;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::time::Duration;

/// The largest admin response read (a secrets-only dump is a few hundred KiB).
const MAX_RESPONSE: u64 = 1 << 30;

/// `HOST:PORT` of an admin endpoint, checked for shape (resolved when used).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdminAddr(String);

impl AdminAddr {
    pub fn parse(text: &str) -> Result<AdminAddr, AdminError> {
        let bad = || AdminError::BadAddress {
            addr: text.to_string(),
        };
        let (host, port) = text.rsplit_once(':').ok_or_else(bad)?;
        if host.is_empty() || port.parse::<u16>().map_or(true, |p| p == 0) {
            return Err(bad());
        }
        Ok(AdminAddr(text.to_string()))
    }

    /// The `Host` header value.
    fn host(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for AdminAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Timeouts for one request.
#[derive(Debug, Clone, Copy)]
pub struct Timeouts {
    pub connect: Duration,
    /// Per read and write; the whole body must keep arriving within it.
    pub io: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            connect: Duration::from_secs(5),
            io: Duration::from_secs(30),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    #[error("invalid admin address {addr:?}; use HOST:PORT, e.g. 127.0.0.1:15000")]
    BadAddress { addr: String },
    #[error("cannot resolve the admin address {addr}: {cause}")]
    Resolve {
        addr: AdminAddr,
        cause: std::io::Error,
    },
    #[error(
        "cannot connect to the proxy admin at {addr}: {cause}; is the proxy running, with its admin on {addr}?"
    )]
    Connect {
        addr: AdminAddr,
        cause: std::io::Error,
    },
    #[error("talking to the proxy admin at {addr}")]
    Io {
        addr: AdminAddr,
        source: std::io::Error,
    },
    #[error("the proxy admin at {addr} sent a malformed HTTP response: {reason}")]
    BadResponse { addr: AdminAddr, reason: String },
    #[error("the proxy admin at {addr} answered {path} with HTTP {status}: {body}")]
    Status {
        addr: AdminAddr,
        path: String,
        status: u16,
        body: String,
    },
}

/// A response: its status code and body.
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub body: Vec<u8>,
}

/// `GET path` on `addr`; any status is returned, the caller judges it.
pub fn get(addr: &AdminAddr, path: &str, timeouts: Timeouts) -> Result<Response, AdminError> {
    let targets: Vec<SocketAddr> = addr
        .0
        .to_socket_addrs()
        .map_err(|source| AdminError::Resolve {
            addr: addr.clone(),
            cause: source,
        })?
        .collect();
    let mut last = std::io::Error::new(std::io::ErrorKind::NotFound, "no address");
    let mut stream = None;
    for target in targets {
        match TcpStream::connect_timeout(&target, timeouts.connect) {
            Ok(s) => {
                stream = Some(s);
                break;
            }
            Err(e) => last = e,
        }
    }
    let mut stream = stream.ok_or_else(|| AdminError::Connect {
        addr: addr.clone(),
        cause: last,
    })?;
    let io = |source| AdminError::Io {
        addr: addr.clone(),
        source,
    };
    stream.set_read_timeout(Some(timeouts.io)).map_err(io)?;
    stream.set_write_timeout(Some(timeouts.io)).map_err(io)?;
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: {}\r\nUser-Agent: meshtls\r\nAccept: */*\r\nConnection: close\r\n\r\n",
        addr.host()
    );
    stream.write_all(request.as_bytes()).map_err(io)?;
    let mut raw = Vec::new();
    // A bound on what a misbehaving endpoint can make us hold.
    stream
        .take(MAX_RESPONSE + 1)
        .read_to_end(&mut raw)
        .map_err(io)?;
    if raw.len() as u64 > MAX_RESPONSE {
        let reason = format!("the response is larger than {} MiB", MAX_RESPONSE >> 20);
        return Err(AdminError::BadResponse {
            addr: addr.clone(),
            reason,
        });
    }
    parse_response(&raw).map_err(|reason| AdminError::BadResponse {
        addr: addr.clone(),
        reason,
    })
}

/// Splits a whole HTTP/1.1 response (read to EOF) into status and decoded body.
fn parse_response(raw: &[u8]) -> Result<Response, String> {
    let head_end = find(raw, b"\r\n\r\n").ok_or("no end of headers")?;
    let head = std::str::from_utf8(&raw[..head_end]).map_err(|_| "headers are not UTF-8")?;
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or_default();
    let mut parts = status_line.splitn(3, ' ');
    let version = parts.next().unwrap_or_default();
    if !version.starts_with("HTTP/1.") {
        return Err(format!("unexpected status line {status_line:?}"));
    }
    let status = parts
        .next()
        .and_then(|s| s.parse::<u16>().ok())
        .ok_or_else(|| format!("unexpected status line {status_line:?}"))?;
    let mut chunked = false;
    let mut length = None;
    for line in lines {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim();
        if name.eq_ignore_ascii_case("transfer-encoding") {
            chunked = value.eq_ignore_ascii_case("chunked");
        } else if name.eq_ignore_ascii_case("content-length") {
            length = Some(
                value
                    .parse::<usize>()
                    .map_err(|_| format!("bad Content-Length {value:?}"))?,
            );
        }
    }
    let rest = &raw[head_end + 4..];
    let body = if chunked {
        dechunk(rest)?
    } else if let Some(n) = length {
        rest.get(..n)
            .ok_or("the body is shorter than its Content-Length")?
            .to_vec()
    } else {
        rest.to_vec()
    };
    Ok(Response { status, body })
}

fn dechunk(mut rest: &[u8]) -> Result<Vec<u8>, String> {
    let mut body = Vec::new();
    loop {
        let line_end = find(rest, b"\r\n").ok_or("truncated chunk size")?;
        let size_text = std::str::from_utf8(&rest[..line_end]).map_err(|_| "bad chunk size")?;
        let size_text = size_text.split(';').next().unwrap_or_default().trim();
        let size = usize::from_str_radix(size_text, 16)
            .map_err(|_| format!("bad chunk size {size_text:?}"))?;
        rest = &rest[line_end + 2..];
        if size == 0 {
            return Ok(body);
        }
        let chunk = rest.get(..size).ok_or("truncated chunk")?;
        body.extend_from_slice(chunk);
        rest = rest.get(size + 2..).ok_or("truncated chunk")?;
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_chunked_and_sized_bodies() {
        let chunked = b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n3\r\n{\"a\r\n2\r\n\":\r\n2;x=y\r\n1}\r\n0\r\n\r\n";
        let r = parse_response(chunked).expect("parses");
        assert_eq!((r.status, r.body.as_slice()), (200, &b"{\"a\":1}"[..]));
        let sized = b"HTTP/1.1 400 Bad Request\r\nContent-Length: 2\r\n\r\nnoEXTRA";
        let r = parse_response(sized).expect("parses");
        assert_eq!((r.status, r.body.as_slice()), (400, &b"no"[..]));
        assert!(parse_response(b"garbage").is_err());
        assert!(
            parse_response(b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n").is_err()
        );
    }

    #[test]
    fn addresses_need_a_host_and_a_port() {
        assert!(AdminAddr::parse("127.0.0.1:15000").is_ok());
        assert!(AdminAddr::parse("[::1]:15000").is_ok());
        for bad in ["127.0.0.1", ":15000", "h:0", "h:http"] {
            assert!(AdminAddr::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn an_unreachable_admin_names_its_address() {
        // Bind then drop a listener so the port is (almost certainly) closed.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port());
        let addr =
            AdminAddr::parse(&format!("127.0.0.1:{}", port.expect("free port"))).expect("addr");
        let err = get(&addr, "/", Timeouts::default()).expect_err("nothing listens");
        assert!(err.to_string().contains(&addr.to_string()), "{err}");
    }
}
