//! The lean HTTP/1.1 path: plain requests (Content-Length or no body, origin-form, one Host)
//! are parsed, rewritten and forwarded in one pass over reused buffers, on raw pooled upstream
//! connections; heads Envoy's codec refuses get Envoy's answer here. The first request outside
//! those cases hands the connection, unread bytes and all, to hyper.
pub(crate) mod chunked;
mod exchange;
#[cfg(test)]
pub(crate) mod mutations;
pub(crate) mod raw_client;
pub(crate) mod request;
pub(crate) mod response;
mod rewind;

use std::future::{Future, poll_fn};
use std::pin::{Pin, pin};
use std::task::Poll;

use bytes::{Buf, BytesMut};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::sync::watch;
use tokio::time::{Duration, Instant};

use self::exchange::{After, Buffers, exchange, refuse};
use self::request::{Parsed, Refusal, Rewrite};
pub use self::rewind::{HYPER_READ_CAP, Rewind};
use super::listener::{ConnectionInfo, ListenerContext};

/// Room made in the client's read buffer before each read.
const READ_ROOM: usize = 8 * 1024;
/// The stack buffer the first bytes of a head are read into, on a connection that was idle.
const FIRST_READ: usize = 4 * 1024;
/// A head past Envoy's 60 KiB (finished or not) gets Envoy's 431 here. No connection buffers
/// more than this for a head.
const MAX_HEAD: usize = crate::proxy::serve::MAX_HEADER_BYTES;

/// How the lean path left the connection.
pub enum Handoff<IO> {
    Done,
    /// hyper serves the rest, starting with the bytes the lean path read but did not use.
    Hyper(Rewind<IO>),
}

/// What woke the wait for a request head.
enum Wake {
    Read(std::io::Result<usize>),
    Shutdown,
    TimedOut,
}

/// The first read of a request head: onto the stack, then into a buffer made to fit it.
fn read_first<IO: AsyncRead + Unpin>(
    client: &mut IO,
    into: &mut BytesMut,
    cx: &mut std::task::Context<'_>,
) -> Poll<std::io::Result<usize>> {
    // Uninitialised: zeroing 4 KiB for every poll would cost more than the read.
    let mut first = [std::mem::MaybeUninit::<u8>::uninit(); FIRST_READ];
    let mut read = ReadBuf::uninit(&mut first);
    match Pin::new(client).poll_read(cx, &mut read) {
        Poll::Ready(Ok(())) => {
            let got = read.filled();
            // A plain head fits in HEAD_ROOM, which the allocator hands out from its fast
            // per-thread cache; a longer one grows the buffer as before.
            into.reserve(got.len().max(request::HEAD_ROOM));
            into.extend_from_slice(got);
            Poll::Ready(Ok(got.len()))
        }
        Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
        Poll::Pending => Poll::Pending,
    }
}

/// Serves requests on `client` until it closes, fails, or sends one that needs hyper.
/// The wait for each request head, from the end of the last response, is bounded by the
/// listener's header-read and idle timeouts, whichever is shorter.
pub async fn serve<IO>(
    mut client: IO,
    plaintext: bool,
    connection: &ConnectionInfo,
    listener: &ListenerContext,
    shutdown: &mut watch::Receiver<bool>,
) -> Handoff<IO>
where
    IO: AsyncRead + AsyncWrite + Unpin,
{
    let rewrite = Rewrite {
        scheme: listener.scheme.as_bytes(),
        peer: &connection.peer,
        xfcc: listener.xfcc,
        logging: listener.access_log.is_some(),
        keep_host: listener.keeps_host(),
        h2_prior_knowledge: plaintext,
    };
    let header_timeout: Duration = listener.header_read_timeout.min(listener.idle_timeout);
    let shutting_down = shutdown.clone();
    let mut stop = pin!(shutdown.wait_for(|stop| *stop));
    let mut stop_seen = false;
    let mut deadline = pin!(tokio::time::sleep(header_timeout));
    let mut from_client = BytesMut::new();
    let mut buffers = Buffers::default();
    loop {
        deadline.as_mut().reset(Instant::now() + header_timeout);
        let request = loop {
            let refused = match request::parse(&from_client, &mut buffers.to_app, &rewrite) {
                Parsed::Complete(head) if head.len <= MAX_HEAD => break head,
                Parsed::Complete(_) => Some(Refusal::TooLarge),
                Parsed::Hyper => return Handoff::Hyper(Rewind::new(from_client.freeze(), client)),
                Parsed::Refused(refusal) => Some(refusal),
                Parsed::Partial if from_client.len() > MAX_HEAD => Some(Refusal::TooLarge),
                Parsed::Partial => None,
            };
            if let Some(refusal) = refused {
                refuse(
                    &mut client,
                    refusal,
                    &mut buffers.to_client,
                    connection,
                    listener,
                )
                .await;
                let _ = client.shutdown().await;
                return Handoff::Done;
            }
            let idle = from_client.is_empty();
            if idle {
                // Between requests a connection holds no buffer of ours (as nginx frees its
                // keep-alive connections' buffers): the next head is read onto the stack first.
                from_client = BytesMut::new();
                buffers.release();
            } else {
                from_client.reserve(READ_ROOM);
            }
            let wake = poll_fn(|cx| {
                let read = match idle {
                    true => read_first(&mut client, &mut from_client, cx),
                    false => pin!(client.read_buf(&mut from_client)).poll(cx),
                };
                if let Poll::Ready(read) = read {
                    return Poll::Ready(Wake::Read(read));
                }
                if idle && !stop_seen && stop.as_mut().poll(cx).is_ready() {
                    stop_seen = true;
                    return Poll::Ready(Wake::Shutdown);
                }
                if deadline.as_mut().poll(cx).is_ready() {
                    return Poll::Ready(Wake::TimedOut);
                }
                Poll::Pending
            })
            .await;
            match wake {
                Wake::Read(Ok(n)) if n > 0 => {}
                Wake::Read(Ok(_)) => return Handoff::Done,
                Wake::Read(Err(e)) => {
                    log::debug!("downstream connection ended: {e}");
                    return Handoff::Done;
                }
                Wake::Shutdown => {
                    let _ = client.shutdown().await;
                    return Handoff::Done;
                }
                Wake::TimedOut => {
                    log::debug!(
                        "downstream connection closed: no request head in {header_timeout:?}"
                    );
                    return Handoff::Done;
                }
            }
        };
        from_client.advance(request.len);
        let closing = *shutting_down.borrow();
        // Boxed for the length of one request: an idle connection's task then holds only the
        // wait for the next head, not the room for an exchange (kilobytes).
        let after = Box::pin(exchange(
            &mut client,
            &mut from_client,
            request,
            &mut buffers,
            connection,
            listener,
            closing,
        ))
        .await;
        match after {
            Ok(After::KeepOpen) => {}
            Ok(After::Close) => {
                let _ = client.shutdown().await;
                return Handoff::Done;
            }
            Err(e) => {
                log::debug!("downstream connection ended: {e}");
                return Handoff::Done;
            }
        }
    }
}
