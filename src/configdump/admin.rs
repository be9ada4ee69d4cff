//! An HTTP/1.1 GET to an Envoy-compatible admin endpoint (`meshtls proxy` or Envoy), with hyper:
//! `get` connects to a local one over TCP with connect and read timeouts; `get_over` sends one
//! GET over any stream (also the pod path's port-forward, in `kube::portforward`).
use std::fmt;
use std::io;
use std::net::{SocketAddr, ToSocketAddrs};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;

/// The largest admin response body read (a secrets-only dump is a few hundred KiB).
const MAX_RESPONSE: usize = 1 << 30;

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
#[derive(Debug, Clone, PartialEq, Eq)]
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
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|source| AdminError::Io {
            addr: addr.clone(),
            source,
        })?;
    runtime.block_on(async {
        let stream =
            connect(&targets, timeouts.connect)
                .await
                .map_err(|cause| AdminError::Connect {
                    addr: addr.clone(),
                    cause,
                })?;
        get_over(stream, addr.host(), path, MAX_RESPONSE, Some(timeouts.io))
            .await
            .map_err(|e| e.into_admin_error(addr))
    })
}

/// The first of `targets` that accepts a connection within `timeout`.
async fn connect(targets: &[SocketAddr], timeout: Duration) -> io::Result<TcpStream> {
    let mut last = io::Error::new(io::ErrorKind::NotFound, "no address");
    for target in targets {
        match tokio::time::timeout(timeout, TcpStream::connect(target)).await {
            Ok(Ok(stream)) => return Ok(stream),
            Ok(Err(e)) => last = e,
            Err(_) => last = io::Error::new(io::ErrorKind::TimedOut, "connection timed out"),
        }
    }
    Err(last)
}

/// What can go wrong in one GET over an open stream.
#[derive(Debug, thiserror::Error)]
pub enum ExchangeError {
    /// The answer is not a well-formed HTTP/1.1 response, or it ends early.
    #[error(transparent)]
    Malformed(hyper::Error),
    #[error(transparent)]
    Transport(hyper::Error),
    #[error("no data for {0:?}")]
    TimedOut(Duration),
    #[error("the response is larger than {} MiB", .limit >> 20)]
    TooLarge { limit: usize },
    #[error("invalid request path")]
    Request(#[source] http::Error),
}

impl ExchangeError {
    fn from_hyper(error: hyper::Error) -> ExchangeError {
        let bad_framing = std::error::Error::source(&error)
            .and_then(|s| s.downcast_ref::<io::Error>())
            .is_some_and(|e| {
                matches!(
                    e.kind(),
                    io::ErrorKind::InvalidData
                        | io::ErrorKind::InvalidInput
                        | io::ErrorKind::UnexpectedEof
                )
            });
        if error.is_parse() || error.is_incomplete_message() || bad_framing {
            ExchangeError::Malformed(error)
        } else {
            ExchangeError::Transport(error)
        }
    }

    fn into_admin_error(self, addr: &AdminAddr) -> AdminError {
        let addr = addr.clone();
        match self {
            ExchangeError::Malformed(_) | ExchangeError::TooLarge { .. } => {
                AdminError::BadResponse {
                    addr,
                    reason: self.to_string(),
                }
            }
            ExchangeError::Transport(e) => AdminError::Io {
                addr,
                source: io::Error::other(e),
            },
            ExchangeError::TimedOut(_) => AdminError::Io {
                addr,
                source: io::Error::new(io::ErrorKind::TimedOut, self.to_string()),
            },
            ExchangeError::Request(e) => AdminError::Io {
                addr,
                source: io::Error::new(io::ErrorKind::InvalidInput, e),
            },
        }
    }
}

/// Awaits `step`, within `timeout` if there is one.
async fn within<T>(
    timeout: Option<Duration>,
    step: impl Future<Output = Result<T, hyper::Error>>,
) -> Result<T, ExchangeError> {
    let result = match timeout {
        Some(limit) => tokio::time::timeout(limit, step)
            .await
            .map_err(|_| ExchangeError::TimedOut(limit))?,
        None => step.await,
    };
    result.map_err(ExchangeError::from_hyper)
}

/// One `GET path` (with `Host: host`) over `stream`, then the connection is closed. The body is
/// bounded by `max_body`; with `io_timeout`, the head and each piece of the body must arrive
/// within it.
pub async fn get_over<S>(
    stream: S,
    host: &str,
    path: &str,
    max_body: usize,
    io_timeout: Option<Duration>,
) -> Result<Response, ExchangeError>
where
    S: AsyncRead + AsyncWrite + Send + Unpin + 'static,
{
    let request = http::Request::get(path)
        .header(http::header::HOST, host)
        .header(http::header::USER_AGENT, "meshtls")
        .header(http::header::ACCEPT, "*/*")
        .header(http::header::CONNECTION, "close")
        .body(Empty::<Bytes>::new())
        .map_err(ExchangeError::Request)?;
    let (mut sender, connection) = within(
        io_timeout,
        hyper::client::conn::http1::handshake(TokioIo::new(stream)),
    )
    .await?;
    let driver = tokio::spawn(connection);
    let result = async {
        let response = within(io_timeout, sender.send_request(request)).await?;
        let status = response.status().as_u16();
        let mut body = response.into_body();
        let mut bytes = Vec::new();
        while let Some(frame) = within(io_timeout, async { body.frame().await.transpose() }).await?
        {
            let Ok(data) = frame.into_data() else {
                continue; // trailers
            };
            if bytes.len() + data.len() > max_body {
                return Err(ExchangeError::TooLarge { limit: max_body });
            }
            bytes.extend_from_slice(&data);
        }
        Ok(Response {
            status,
            body: bytes,
        })
    }
    .await;
    driver.abort();
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A loopback admin that answers one connection with `raw`, then closes it; it returns
    /// the request head it read.
    fn answer_once(raw: &'static [u8]) -> (AdminAddr, std::thread::JoinHandle<String>) {
        use std::io::{BufRead, BufReader, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("loopback");
        let addr = AdminAddr::parse(&listener.local_addr().expect("addr").to_string())
            .expect("admin address");
        let server = std::thread::spawn(move || {
            let (mut stream, _) = listener.accept().expect("connection");
            let mut reader = BufReader::new(stream.try_clone().expect("clone"));
            let mut head = String::new();
            while reader.read_line(&mut head).is_ok_and(|n| n > 2) {}
            let _ = stream.write_all(raw);
            head
        });
        (addr, server)
    }

    #[test]
    fn reads_chunked_and_sized_bodies() {
        let chunked: &[u8] = b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n3\r\n{\"a\r\n2\r\n\":\r\n2;x=y\r\n1}\r\n0\r\n\r\n";
        let (addr, server) = answer_once(chunked);
        let r = get(&addr, "/config_dump?mask=x", Timeouts::default()).expect("chunked");
        assert_eq!((r.status, r.body.as_slice()), (200, &b"{\"a\":1}"[..]));
        let head = server.join().expect("server");
        assert!(
            head.starts_with("GET /config_dump?mask=x HTTP/1.1\r\n")
                && head
                    .to_ascii_lowercase()
                    .contains(&format!("host: {addr}\r\n")),
            "{head}"
        );
        let (addr, _) =
            answer_once(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 2\r\n\r\nnoEXTRA");
        let r = get(&addr, "/", Timeouts::default()).expect("sized");
        assert_eq!((r.status, r.body.as_slice()), (400, &b"no"[..]));
        let (addr, _) = answer_once(b"HTTP/1.1 200 OK\r\n\r\nuntil the end");
        let r = get(&addr, "/", Timeouts::default()).expect("read to the end");
        assert_eq!(r.body, b"until the end");
    }

    #[test]
    fn malformed_answers_are_bad_responses() {
        for raw in [
            &b"garbage\r\n\r\n"[..],
            b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n",
            b"HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nshort",
            b"HTTP/1.1 200 OK\r\n",
        ] {
            let (addr, _) = answer_once(raw);
            let err = get(&addr, "/", Timeouts::default()).expect_err("malformed");
            assert!(
                matches!(err, AdminError::BadResponse { .. }),
                "{:?}: {err:?}",
                String::from_utf8_lossy(raw)
            );
            assert!(err.to_string().contains(&addr.to_string()), "{err}");
        }
    }

    #[test]
    fn a_silent_admin_times_out() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("loopback");
        let addr = AdminAddr::parse(&listener.local_addr().expect("addr").to_string())
            .expect("admin address");
        let timeouts = Timeouts {
            connect: Duration::from_secs(5),
            io: Duration::from_millis(200),
        };
        let started = std::time::Instant::now();
        let err = get(&addr, "/", timeouts).expect_err("no answer");
        assert!(
            matches!(&err, AdminError::Io { source, .. } if source.kind() == io::ErrorKind::TimedOut),
            "{err:?}"
        );
        assert!(started.elapsed() < Duration::from_secs(5));
        drop(listener);
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
