//! One h2 stream: its request body as the app reads it (flow control given back as it is
//! read), and its task, which runs the request through `serve::handle` and frames the response.
use std::cell::RefCell;
use std::future::poll_fn;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use bytes::Bytes;
use http::header::{CONNECTION, CONTENT_LENGTH, DATE, TE, TRANSFER_ENCODING, UPGRADE};
use http::{HeaderMap, HeaderValue, Request, Response};
use hyper::body::{Body, Frame, SizeHint};

use super::frame::{self, Reason};
use super::{OUT_HIGH, STREAM_WINDOW, Shared};
use crate::proxy::body::{BoxError, RequestBody};
use crate::proxy::listener::{ConnectionInfo, ListenerContext};
use crate::proxy::serve::{self, Tracked};

/// A request body read out of the DATA frames the connection keeps for its stream.
pub struct RecvBody {
    shared: Rc<RefCell<Shared>>,
    id: u32,
    content_length: Option<u64>,
    /// Everything, trailers included, has been handed over.
    done: bool,
}

#[derive(Debug)]
struct BodyError(&'static str);

impl std::fmt::Display for BodyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}

impl std::error::Error for BodyError {}

impl RecvBody {
    pub(super) fn new(
        shared: Rc<RefCell<Shared>>,
        id: u32,
        content_length: Option<u64>,
        end_stream: bool,
    ) -> RecvBody {
        RecvBody {
            shared,
            id,
            content_length,
            done: end_stream,
        }
    }
}

impl Body for RecvBody {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        let this = self.get_mut();
        if this.done {
            return Poll::Ready(None);
        }
        let mut guard = this.shared.borrow_mut();
        let shared = &mut *guard;
        let closed = shared.closed;
        let Some(stream) = shared.streams.iter_mut().find(|s| s.id == this.id) else {
            this.done = true;
            return Poll::Ready(Some(Err(BoxError::from(BodyError(
                "the h2 stream ended before its body",
            )))));
        };
        if let Some(data) = stream.data.pop_front() {
            let n = data.len() as i64;
            stream.recv_consumed += n;
            if stream.recv_open && stream.recv_consumed >= STREAM_WINDOW / 2 {
                let increment = stream.recv_consumed;
                stream.recv_consumed = 0;
                stream.recv_window += increment;
                frame::put_window_update(&mut shared.out, this.id, increment as u32);
                shared.wake_connection();
            }
            shared.credit_connection(n);
            return Poll::Ready(Some(Ok(Frame::data(data))));
        }
        if stream.recv_failed || closed {
            this.done = true;
            return Poll::Ready(Some(Err(BoxError::from(BodyError(
                "the client reset the h2 stream",
            )))));
        }
        if let Some(trailers) = stream.trailers.take() {
            this.done = true;
            return Poll::Ready(Some(Ok(Frame::trailers(trailers))));
        }
        if !stream.recv_open {
            this.done = true;
            return Poll::Ready(None);
        }
        if !stream
            .receiver
            .as_ref()
            .is_some_and(|w| w.will_wake(cx.waker()))
        {
            stream.receiver = Some(cx.waker().clone());
        }
        Poll::Pending
    }

    fn is_end_stream(&self) -> bool {
        self.done
    }

    fn size_hint(&self) -> SizeHint {
        match (self.done, self.content_length) {
            (true, _) => SizeHint::with_exact(0),
            (false, Some(length)) => SizeHint::with_exact(length),
            (false, None) => SizeHint::default(),
        }
    }
}

impl Drop for RecvBody {
    fn drop(&mut self) {
        let Ok(mut guard) = self.shared.try_borrow_mut() else {
            return;
        };
        let shared = &mut *guard;
        let Some(stream) = shared.streams.iter_mut().find(|s| s.id == self.id) else {
            return;
        };
        stream.body_dropped = true;
        let dropped: i64 = stream.data.drain(..).map(|d| d.len() as i64).sum();
        stream.recv_window += dropped;
        shared.credit_connection(dropped);
    }
}

/// How a stream's task ended.
enum End {
    /// The response went out whole.
    Responded,
    /// The client reset the stream, or the connection is gone.
    Gone,
    /// We reset it with this reason.
    Reset(Reason),
}

/// Serves one stream: the request through `serve::handle`, then the response's head, body and
/// trailers as frames. Resolves when the response is sent or the stream is reset.
pub(super) async fn respond(
    shared: Rc<RefCell<Shared>>,
    id: u32,
    request: Request<RequestBody>,
    connection: Rc<ConnectionInfo>,
    listener: Rc<ListenerContext>,
) {
    let end = exchange(&shared, id, request, connection, listener).await;
    let mut guard = shared.borrow_mut();
    let shared = &mut *guard;
    let Some(at) = shared.streams.iter().position(|s| s.id == id) else {
        return;
    };
    let stream = shared.streams.swap_remove(at);
    let reason = match end {
        End::Gone => None,
        End::Reset(reason) => Some(reason),
        // The response is whole while the client still sends: it may stop (RFC 9113 §8.1).
        End::Responded if stream.recv_open => Some(Reason::NO_ERROR),
        End::Responded => None,
    };
    if let Some(reason) = reason
        && !stream.reset
    {
        frame::put_rst_stream(&mut shared.out, id, reason);
    }
    // What the client sent that nobody will read is its connection window again.
    let unread: i64 = stream.data.iter().map(|d| d.len() as i64).sum();
    shared.credit_connection(unread);
    shared.wake_connection();
}

async fn exchange(
    shared: &Rc<RefCell<Shared>>,
    id: u32,
    request: Request<RequestBody>,
    connection: Rc<ConnectionInfo>,
    listener: Rc<ListenerContext>,
) -> End {
    let mut handling = Box::pin(serve::handle(request, connection, listener));
    let answered = poll_fn(|cx| {
        if let Poll::Ready(answer) = handling.as_mut().poll(cx) {
            return Poll::Ready(Some(answer));
        }
        match watch_reset(shared, id, cx) {
            true => Poll::Ready(None),
            false => Poll::Pending,
        }
    })
    .await;
    drop(handling);
    let response = match answered {
        None => return End::Gone,
        Some(Err(error)) => return End::Reset(error.reason().unwrap_or(Reason::INTERNAL_ERROR)),
        Some(Ok(response)) => response,
    };
    send_response(shared, id, response).await
}

/// Whether the stream was reset or the connection is gone; if not, the task is woken when it is.
fn watch_reset(shared: &Rc<RefCell<Shared>>, id: u32, cx: &mut Context<'_>) -> bool {
    let mut shared = shared.borrow_mut();
    if shared.closed {
        return true;
    }
    match shared.stream(id) {
        None => true,
        Some(stream) if stream.reset => true,
        Some(stream) => {
            if !stream
                .sender
                .as_ref()
                .is_some_and(|w| w.will_wake(cx.waker()))
            {
                stream.sender = Some(cx.waker().clone());
            }
            false
        }
    }
}

/// The fields hyper's h2 server takes out of a response (RFC 9113 §8.2.2), and what it adds:
/// a Date when there is none, and the length of a body of known size.
fn prepare_head(headers: &mut HeaderMap, body: &Tracked) {
    if let Some(connection) = headers.remove(CONNECTION)
        && let Ok(names) = connection.to_str()
    {
        for name in names.split(',') {
            headers.remove(name.trim());
        }
    }
    for name in [TRANSFER_ENCODING, UPGRADE, TE] {
        headers.remove(name);
    }
    headers.remove("keep-alive");
    headers.remove("proxy-connection");
    if !headers.contains_key(DATE) {
        let mut date = Vec::with_capacity(29);
        crate::proxy::h1::response::append_date(&mut date);
        if let Ok(value) = HeaderValue::from_bytes(&date) {
            headers.insert(DATE, value);
        }
    }
    if !body.is_end_stream()
        && !headers.contains_key(CONTENT_LENGTH)
        && let Some(length) = body.size_hint().exact()
    {
        headers.insert(CONTENT_LENGTH, HeaderValue::from(length));
    }
}

fn fields(headers: &HeaderMap) -> impl Iterator<Item = (&[u8], &[u8], bool)> {
    headers.iter().map(|(name, value)| {
        (
            name.as_str().as_bytes(),
            value.as_bytes(),
            value.is_sensitive(),
        )
    })
}

async fn send_response(shared: &Rc<RefCell<Shared>>, id: u32, response: Response<Tracked>) -> End {
    let (mut head, mut body) = response.into_parts();
    prepare_head(&mut head.headers, &body);
    let end_stream = body.is_end_stream();
    {
        let mut guard = shared.borrow_mut();
        let s = &mut *guard;
        if s.closed || s.stream(id).is_none_or(|stream| stream.reset) {
            return End::Gone;
        }
        let mut block = std::mem::take(&mut s.scratch);
        block.clear();
        s.encoder
            .encode_response(head.status.as_u16(), fields(&head.headers), &mut block);
        frame::put_header_block(&mut s.out, id, &block, end_stream, s.peer_max_frame);
        s.scratch = block;
        if end_stream && let Some(stream) = s.stream(id) {
            stream.responded = true;
        }
        s.wake_connection();
    }
    if end_stream {
        return End::Responded;
    }
    let mut body = Pin::new(&mut body);
    loop {
        let next = poll_fn(|cx| {
            if let Poll::Ready(frame) = body.as_mut().poll_frame(cx) {
                return Poll::Ready(Some(frame));
            }
            match watch_reset(shared, id, cx) {
                true => Poll::Ready(None),
                false => Poll::Pending,
            }
        })
        .await;
        let frame = match next {
            None => return End::Gone,
            Some(None) => {
                // The body ended without saying so up front: an empty DATA ends the stream.
                return finish(shared, id, |out, _| {
                    frame::put_head(out, 0, frame::DATA, frame::END_STREAM, id)
                });
            }
            Some(Some(Err(e))) => {
                log::debug!("h2 response body to the client failed: {e}");
                return End::Reset(Reason::INTERNAL_ERROR);
            }
            Some(Some(Ok(frame))) => frame,
        };
        let frame = match frame.into_data() {
            Ok(data) => {
                let last = body.is_end_stream();
                if let Some(end) = send_data(shared, id, data, last).await {
                    return end;
                }
                if last {
                    return End::Responded;
                }
                continue;
            }
            Err(frame) => frame,
        };
        if let Ok(trailers) = frame.into_trailers() {
            let mut guard = shared.borrow_mut();
            let s = &mut *guard;
            let mut block = std::mem::take(&mut s.scratch);
            block.clear();
            s.encoder.encode_trailers(fields(&trailers), &mut block);
            let max_frame = s.peer_max_frame;
            drop(guard);
            let end = finish(shared, id, |out, _| {
                frame::put_header_block(out, id, &block, true, max_frame)
            });
            shared.borrow_mut().scratch = block;
            return end;
        }
    }
}

/// Writes the stream's last frame (`write`), unless it was reset meanwhile.
fn finish(shared: &Rc<RefCell<Shared>>, id: u32, write: impl FnOnce(&mut Vec<u8>, usize)) -> End {
    let mut guard = shared.borrow_mut();
    let s = &mut *guard;
    if s.closed {
        return End::Gone;
    }
    match s.stream(id) {
        Some(stream) if !stream.reset => stream.responded = true,
        _ => return End::Gone,
    }
    let max_frame = s.peer_max_frame;
    write(&mut s.out, max_frame);
    s.wake_connection();
    End::Responded
}

/// Sends `data` as DATA frames as the windows and the write buffer allow; END_STREAM on the
/// last one when `last`. `Some` when the stream ended meanwhile.
async fn send_data(
    shared: &Rc<RefCell<Shared>>,
    id: u32,
    mut data: Bytes,
    last: bool,
) -> Option<End> {
    if data.is_empty() && !last {
        return None;
    }
    loop {
        let sent = poll_fn(|cx| {
            let mut guard = shared.borrow_mut();
            let s = &mut *guard;
            if s.closed {
                return Poll::Ready(Err(End::Gone));
            }
            if s.out.len() >= OUT_HIGH {
                s.waiting_for_room.push(cx.waker().clone());
                return Poll::Pending;
            }
            let connection_window = s.send_window;
            let max_frame = s.peer_max_frame;
            let Some(stream) = s.stream(id) else {
                return Poll::Ready(Err(End::Gone));
            };
            if stream.reset {
                return Poll::Ready(Err(End::Gone));
            }
            let window = stream.send_window.min(connection_window);
            if window <= 0 && !data.is_empty() {
                stream.sender = Some(cx.waker().clone());
                return Poll::Pending;
            }
            let n = data.len().min(window.max(0) as usize).min(max_frame);
            stream.send_window -= n as i64;
            let end = last && n == data.len();
            if end {
                stream.responded = true;
            }
            s.send_window -= n as i64;
            let flags = if end { frame::END_STREAM } else { 0 };
            frame::put_head(&mut s.out, n, frame::DATA, flags, id);
            s.out.extend_from_slice(&data[..n]);
            bytes::Buf::advance(&mut data, n);
            s.wake_connection();
            Poll::Ready(Ok(()))
        })
        .await;
        if let Err(end) = sent {
            return Some(end);
        }
        if data.is_empty() {
            return None;
        }
    }
}
