//! One request on the lean path: head and body to the app over a pooled raw connection, its
//! response head and body back to the client (by length, chunked or until close), Envoy's 503
//! when the app fails before answering, then the stats and the access-log line.
use std::io;
use std::time::Instant;

use bytes::{Buf, BytesMut};
use time::OffsetDateTime;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

use super::chunked::{self, Decoder, Step};
use super::request::{Refusal, RequestHead};
use super::response::{self, Decorate, Framing, ResponseHead, finish_head, push_decimal};
use crate::proxy::access_log::Outcome;
use crate::proxy::forward::{RawConnection, ResetReason};
use crate::proxy::listener::{
    ConnectionInfo, ListenerContext, RefusedHead, count_refused_head, log_request,
    upstream_reset_body,
};
use crate::proxy::telemetry::Exchange;

/// The most response-head bytes we wait for before calling the app's answer invalid.
const MAX_RESPONSE_HEAD: usize = 64 * 1024;
/// Body bytes gathered before they are written on, when more are already at hand.
const WRITE_AT: usize = 64 * 1024;
/// Room made before each read of a body: a 1 MiB body takes 16 reads, not 128.
pub(super) const BODY_ROOM: usize = 64 * 1024;
/// Body bytes written straight from the app's buffer rather than copied after the head.
const DIRECT_WRITE: usize = 16 * 1024;

/// The two heads in flight, kept per connection while it carries requests.
#[derive(Default)]
pub struct Buffers {
    pub to_app: Vec<u8>,
    pub to_client: Vec<u8>,
}

impl Buffers {
    /// Frees both, for a connection that waits for its next request.
    pub fn release(&mut self) {
        self.to_app = Vec::new();
        self.to_client = Vec::new();
    }
}

/// What happens to the client's connection after the exchange.
#[derive(Debug, PartialEq, Eq)]
pub enum After {
    KeepOpen,
    Close,
}

/// Why a request got no answer from the app, or the client went away.
enum Failed {
    App(ResetReason),
    Client(io::Error),
}

/// Forwards `request` (its head already in `buffers.to_app`) and relays the answer. An `Err`
/// means the client's connection must be dropped (it failed, or a response broke off midway).
pub async fn exchange<C>(
    client: &mut C,
    from_client: &mut BytesMut,
    request: RequestHead,
    buffers: &mut Buffers,
    connection: &ConnectionInfo,
    listener: &ListenerContext,
    closing: bool,
) -> io::Result<After>
where
    C: AsyncRead + AsyncWrite + Unpin,
{
    let started = Instant::now();
    let start_time = listener.access_log.is_some().then(OffsetDateTime::now_utc);
    let in_buffer = usize::try_from(request.body_len)
        .unwrap_or(usize::MAX)
        .min(from_client.len());
    buffers.to_app.extend_from_slice(&from_client[..in_buffer]);
    from_client.advance(in_buffer);
    let mut body_left = request.body_len - in_buffer as u64;
    let mut close = request.close || closing;

    let decorate = Decorate {
        upstream_ms: 0,
        decorator: listener.decorator.as_bytes(),
        request_is_head: request.is_head,
        close,
    };
    let log_as = |logged| log(listener, connection, &request, start_time, started, logged);
    let request_bytes = request.len as u64 + request.body_len;
    let count = |status, flags, response_bytes| {
        listener.stats.istio.request(&Exchange {
            source: connection.source(),
            grpc: false,
            status,
            grpc_status: None,
            flags,
            host: request.host.as_deref(),
            duration: started.elapsed(),
            request_bytes,
            response_bytes,
        })
    };
    let forwarding = forward(
        client,
        from_client,
        &mut body_left,
        &request,
        buffers,
        listener,
        decorate,
    );
    let forwarded = match listener.upstream.response_timeout() {
        None => forwarding.await,
        Some(timeout) => match tokio::time::timeout(timeout, forwarding).await {
            Ok(forwarded) => forwarded,
            Err(_) => {
                crate::proxy::stats::ListenerStats::count(
                    &listener.upstream.stats().upstream_rq_timeout,
                );
                Err(Failed::App(ResetReason::Timeout))
            }
        },
    };
    let (mut app, head, upstream_ms) = match forwarded {
        Ok(answer) => answer,
        Err(Failed::Client(e)) => return Err(e),
        Err(Failed::App(reason)) => {
            // The client's body is unread when the app failed first: the connection cannot go on.
            close |= body_left > 0;
            let out = &mut buffers.to_client;
            let sent = write_reset(client, out, listener, reason, request.is_head, close).await;
            log_as(Logged::Reset(reason));
            let written = sent.as_ref().map_or(0, |n| *n);
            count(reason.status(), reason.flag(), written);
            sent?;
            return Ok(if close { After::Close } else { After::KeepOpen });
        }
    };
    listener.stats.response(head.status);
    let relayed = relay_body(client, &mut app, head.framing, &mut buffers.to_client).await;
    let flushed = match relayed {
        Ok(written) => client.flush().await.map(|()| written),
        Err(e) => Err(e),
    };
    match &flushed {
        Ok(written) => count(head.status, "", *written),
        // The client went away mid-response: Envoy's `DC`.
        Err(_) => count(head.status, "DC", 0),
    }
    flushed?;
    if head.app_keeps_alive {
        listener.upstream.checkin_raw(app);
    }
    log_as(Logged::Answered(&head, upstream_ms));
    Ok(if close { After::Close } else { After::KeepOpen })
}

/// Sends the request (retrying once on a fresh connection when a reused one turns out closed
/// before any answer, for requests that are safe to repeat) and reads the response head.
async fn forward<C>(
    client: &mut C,
    from_client: &mut BytesMut,
    body_left: &mut u64,
    request: &RequestHead,
    buffers: &mut Buffers,
    listener: &ListenerContext,
    mut decorate: Decorate<'_>,
) -> Result<(RawConnection, ResponseHead, u64), Failed>
where
    C: AsyncRead + Unpin,
{
    let upstream = &listener.upstream;
    let sent = Instant::now();
    for attempt in 0..2 {
        let mut app = upstream.raw().await.map_err(Failed::App)?;
        let retry = attempt == 0 && app.reused && *body_left == 0 && request.idempotent;
        if app.stream.write_all(&buffers.to_app).await.is_err() {
            if retry {
                continue;
            }
            upstream.count_reset();
            return Err(Failed::App(ResetReason::ConnectionTermination));
        }
        while *body_left > 0 {
            if from_client.is_empty() {
                from_client.reserve(
                    usize::try_from(*body_left).map_or(BODY_ROOM, |left| left.min(BODY_ROOM)),
                );
                match client.read_buf(from_client).await {
                    Ok(0) => return Err(Failed::Client(io::ErrorKind::UnexpectedEof.into())),
                    Ok(_) => {}
                    Err(e) => return Err(Failed::Client(e)),
                }
            }
            let n = usize::try_from(*body_left)
                .unwrap_or(usize::MAX)
                .min(from_client.len());
            if app.stream.write_all(&from_client[..n]).await.is_err() {
                upstream.count_reset();
                return Err(Failed::App(ResetReason::ConnectionTermination));
            }
            from_client.advance(n);
            *body_left -= n as u64;
        }
        let parse = |buf: &[u8]| {
            decorate.upstream_ms = u64::try_from(sent.elapsed().as_millis()).unwrap_or(u64::MAX);
            match response::parse(buf, &mut buffers.to_client, &decorate) {
                response::Parsed::Complete(head) => {
                    let len = head.len;
                    Ok((head, len))
                }
                other => Err(other),
            }
        };
        match read_response_head(&mut app, retry, parse).await {
            HeadRead::Read(head) => return Ok((app, head, decorate.upstream_ms)),
            HeadRead::Retry => continue,
            HeadRead::Failed => {
                log::debug!(
                    "the app at {} sent no valid response head",
                    upstream.endpoint()
                );
                upstream.count_reset();
                return Err(Failed::App(ResetReason::ConnectionTermination));
            }
        }
    }
    upstream.count_reset();
    Err(Failed::App(ResetReason::ConnectionTermination))
}

/// How reading the app's response head ended.
pub(super) enum HeadRead<T> {
    Read(T),
    /// A reused connection closed before sending a byte: the request may go again, on a
    /// fresh connection.
    Retry,
    /// No valid head: the app's fault.
    Failed,
}

/// Reads onto `app.unread` until `parse` (the head and its length, or why not) takes a head
/// from it; 1xx interim heads are dropped, and no more than `MAX_RESPONSE_HEAD` is waited for.
pub(super) async fn read_response_head<T>(
    app: &mut RawConnection,
    may_retry: bool,
    mut parse: impl FnMut(&[u8]) -> Result<(T, usize), response::Parsed>,
) -> HeadRead<T> {
    loop {
        match parse(&app.unread) {
            Ok((head, len)) => {
                app.unread.advance(len);
                return HeadRead::Read(head);
            }
            Err(response::Parsed::Interim(len)) => {
                app.unread.advance(len);
                continue;
            }
            Err(response::Parsed::Partial) if app.unread.len() <= MAX_RESPONSE_HEAD => {
                match app.fill().await {
                    Ok(n) if n > 0 => continue,
                    _ if may_retry && app.unread.is_empty() => return HeadRead::Retry,
                    _ => {}
                }
            }
            Err(_) => {}
        }
        return HeadRead::Failed;
    }
}

/// Relays the response body as framed; `to_client` holds the head and goes out with the first
/// body bytes. Bytes are written on whenever the app has to be waited for, so streams flow.
async fn relay_body<C>(
    client: &mut C,
    app: &mut RawConnection,
    framing: Framing,
    to_client: &mut Vec<u8>,
) -> io::Result<u64>
where
    C: AsyncWrite + Unpin,
{
    let mut written = 0u64;
    let mut write_on = async |client: &mut C, bytes: &mut Vec<u8>| {
        written += bytes.len() as u64;
        write_on(client, bytes).await
    };
    match framing {
        Framing::Empty => {}
        Framing::Length(mut left) => loop {
            let n = usize::try_from(left)
                .unwrap_or(usize::MAX)
                .min(app.unread.len());
            if n >= DIRECT_WRITE {
                // Large: the head (if still here) and the body in one write, with no copy.
                write_both(client, to_client, &app.unread[..n]).await?;
            } else {
                to_client.extend_from_slice(&app.unread[..n]);
            }
            app.unread.advance(n);
            left -= n as u64;
            if left == 0 {
                break;
            }
            write_on(client, to_client).await?;
            read_more(app).await?;
        },
        Framing::Chunked => {
            let mut decoder = Decoder::default();
            loop {
                match decoder.step(&mut app.unread) {
                    Ok(Step::Data(n)) => {
                        chunked::encode(to_client, &app.unread[..n]);
                        app.unread.advance(n);
                        if to_client.len() >= WRITE_AT {
                            write_on(client, to_client).await?;
                        }
                    }
                    Ok(Step::Done) => break,
                    Ok(Step::NeedMore) => {
                        write_on(client, to_client).await?;
                        read_more(app).await?;
                    }
                    Err(e) => return Err(io::Error::new(io::ErrorKind::InvalidData, e)),
                }
            }
            to_client.extend_from_slice(chunked::LAST);
        }
        Framing::UntilClose => loop {
            chunked::encode(to_client, &app.unread);
            app.unread.clear();
            write_on(client, to_client).await?;
            if app.fill().await? == 0 {
                to_client.extend_from_slice(chunked::LAST);
                break;
            }
        },
    }
    write_on(client, to_client).await?;
    Ok(written)
}

/// Writes `first` (emptied) then `then`, gathered into as few writes as the stream takes.
async fn write_both<C: AsyncWrite + Unpin>(
    client: &mut C,
    first: &mut Vec<u8>,
    then: &[u8],
) -> io::Result<()> {
    let mut done = 0;
    let total = first.len() + then.len();
    while done < total {
        let n = if done < first.len() {
            let slices = [io::IoSlice::new(&first[done..]), io::IoSlice::new(then)];
            client.write_vectored(&slices).await?
        } else {
            client.write(&then[done - first.len()..]).await?
        };
        if n == 0 {
            return Err(io::ErrorKind::WriteZero.into());
        }
        done += n;
    }
    first.clear();
    Ok(())
}

async fn write_on<C: AsyncWrite + Unpin>(client: &mut C, bytes: &mut Vec<u8>) -> io::Result<()> {
    if !bytes.is_empty() {
        client.write_all(bytes).await?;
        bytes.clear();
    }
    Ok(())
}

/// More of a response body; the app closing before its end breaks the response off.
async fn read_more(app: &mut RawConnection) -> io::Result<()> {
    match app.fill_with(BODY_ROOM).await? {
        0 => Err(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            "the app closed the connection in the middle of a response body",
        )),
        _ => Ok(()),
    }
}

/// Envoy's local 503 for a request the app never answered (its body left out for HEAD).
async fn write_reset<C: AsyncWrite + Unpin>(
    client: &mut C,
    out: &mut Vec<u8>,
    listener: &ListenerContext,
    reason: ResetReason,
    request_is_head: bool,
    close: bool,
) -> io::Result<u64> {
    let body = upstream_reset_body(reason);
    out.clear();
    out.extend_from_slice(match reason {
        ResetReason::Timeout => b"HTTP/1.1 504 Gateway Timeout\r\ncontent-length: ",
        _ => b"HTTP/1.1 503 Service Unavailable\r\ncontent-length: ",
    });
    push_decimal(out, body.len() as u64);
    out.extend_from_slice(b"\r\ncontent-type: text/plain\r\nserver: istio-envoy\r\n");
    out.extend_from_slice(b"x-envoy-decorator-operation: ");
    out.extend_from_slice(listener.decorator.as_bytes());
    out.extend_from_slice(b"\r\n");
    finish_head(out, false, close);
    if !request_is_head {
        out.extend_from_slice(body.as_bytes());
    }
    listener.stats.response(reason.status());
    let written = out.len() as u64;
    write_on(client, out).await?;
    client.flush().await?;
    Ok(written)
}

/// How the exchange ended, for the access log.
enum Logged<'a> {
    Answered(&'a ResponseHead, u64),
    Reset(ResetReason),
}

fn log(
    listener: &ListenerContext,
    connection: &ConnectionInfo,
    request: &RequestHead,
    start_time: Option<OffsetDateTime>,
    started: Instant,
    logged: Logged<'_>,
) {
    let (Some(fields), Some(start)) = (&request.log, start_time) else {
        return;
    };
    let outcome = match logged {
        Logged::Answered(head, upstream_ms) => Outcome {
            status: head.status,
            flags: "",
            details: "via_upstream",
            bytes_sent: head.content_length.unwrap_or(0),
            upstream_ms: Some(u128::from(upstream_ms)),
        },
        Logged::Reset(reason) => Outcome {
            status: reason.status(),
            flags: reason.flag(),
            details: reason.details(),
            bytes_sent: upstream_reset_body(reason).len() as u64,
            upstream_ms: None,
        },
    };
    log_request(
        listener, connection, fields, "HTTP/1.1", start, started, outcome,
    );
}

/// Answers a head Envoy's codec refuses as Envoy does (status, `text/plain` body naming it,
/// `server: istio-envoy`, `connection: close`), counts and logs it; the connection then ends.
pub async fn refuse<C: AsyncWrite + Unpin>(
    client: &mut C,
    refusal: Refusal,
    out: &mut Vec<u8>,
    connection: &ConnectionInfo,
    listener: &ListenerContext,
) {
    let (status, text) = refusal.status();
    out.clear();
    out.extend_from_slice(b"HTTP/1.1 ");
    push_decimal(out, u64::from(status));
    out.push(b' ');
    out.extend_from_slice(text.as_bytes());
    out.extend_from_slice(b"\r\ncontent-length: ");
    push_decimal(out, text.len() as u64);
    out.extend_from_slice(b"\r\ncontent-type: text/plain\r\nserver: istio-envoy\r\n");
    finish_head(out, false, true);
    out.extend_from_slice(text.as_bytes());
    let refused = RefusedHead {
        status,
        codec_error: refusal.is_codec_error(),
        details: refusal.details(),
        bytes_sent: text.len() as u64,
    };
    count_refused_head(listener, connection, refused);
    if write_on(client, out).await.is_ok() {
        let _ = client.flush().await;
    }
}
