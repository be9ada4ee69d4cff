//! The lean h2 server for ALPN-h2 connections: frames read and written on the connection's own
//! task, each stream's request through `serve::handle` as hyper's server would hand it over,
//! its response HPACK-encoded and sent within the client's flow-control windows.
pub mod frame;
mod hpack;
mod huffman;
mod request;
mod stream;

use std::cell::RefCell;
use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use bytes::{Buf, Bytes, BytesMut};
use futures_util::stream::{FuturesUnordered, StreamExt};
use http::HeaderMap;
use tokio::io::{AsyncRead, AsyncWrite};

use self::frame::{Head, Reason};
use self::request::{Block, Fatal};
use super::listener::{ConnectionInfo, ListenerContext};
use super::stats::ListenerStats;

pub use self::stream::RecvBody;

/// What we tell every client in our SETTINGS, as hyper's server did: 200 streams at a time,
/// 1 MiB windows (stream and connection), 16 KiB frames, a 128 KiB header list.
const MAX_CONCURRENT_STREAMS: usize = 200;
const STREAM_WINDOW: i64 = 1024 * 1024;
const CONNECTION_WINDOW: i64 = 1024 * 1024;
/// A header block's HPACK bytes (HEADERS and its CONTINUATIONs) past this end the connection
/// (GOAWAY COMPRESSION_ERROR, as Envoy ends it): no client needs it, and a CONTINUATION flood
/// is held to it.
const MAX_HEADER_BLOCK: usize = 2 * request::MAX_HEADER_LIST;
/// Past this many bytes waiting to be written, the connection reads no more frames and
/// streams wait to send: a client that does not read cannot make us buffer without end.
const OUT_HIGH: usize = 256 * 1024;
/// The write buffer's room kept once it is written out (a plain response fits in it).
const OUT_KEPT: usize = 16 * 1024;
/// Room made in the read buffer before each read.
const READ_ROOM: usize = 16 * 1024 + frame::HEADER_LEN;
/// Envoy's `max_consecutive_inbound_frames_with_empty_payload`.
const MAX_EMPTY_FRAMES: u32 = 1;
/// Envoy's premature-reset rule: once this many streams were opened, a connection whose
/// client reset at least half of them before their response ends is closed.
const PREMATURE_RESET_STREAMS: u64 = 500;
/// The PING our graceful shutdown sends after its first GOAWAY; its ACK ends the grace.
const DRAIN_PING: [u8; 8] = *b"meshtlsd";

/// One stream's state, shared by the connection, the stream's task and its request body.
struct Stream {
    id: u32,
    /// What we may still send on this stream (the client's window for it).
    send_window: i64,
    /// The stream's task, waiting for window, for room to write, or for its response.
    sender: Option<Waker>,
    /// Reset (by the client or by us): the stream's task ends, its body reads fail.
    reset: bool,
    /// The request body's frames not yet read by the app.
    data: VecDeque<Bytes>,
    trailers: Option<HeaderMap>,
    /// END_STREAM not yet received.
    recv_open: bool,
    /// The body ended in error (a reset, or DATA that broke its announced length).
    recv_failed: bool,
    receiver: Option<Waker>,
    /// What the client may still send on this stream, and what the app read since the last
    /// WINDOW_UPDATE.
    recv_window: i64,
    recv_consumed: i64,
    /// The announced length, counted down by DATA.
    remaining: Option<u64>,
    /// Nobody reads the body any more: its DATA is credited back at once.
    body_dropped: bool,
    /// The response's END_STREAM is written.
    responded: bool,
}

/// The connection's state, shared (on one thread) by its task, its streams' tasks and the
/// request bodies the app connections read.
struct Shared {
    /// Frames waiting to be written.
    out: Vec<u8>,
    /// The connection's task, when it waits: bodies read on other tasks write WINDOW_UPDATEs.
    connection: Option<Waker>,
    streams: Vec<Stream>,
    encoder: hpack::Encoder,
    /// The client's SETTINGS_MAX_FRAME_SIZE and SETTINGS_INITIAL_WINDOW_SIZE.
    peer_max_frame: usize,
    peer_initial_window: i64,
    /// The connection-level windows: ours to spend, the client's left, read since the last
    /// WINDOW_UPDATE.
    send_window: i64,
    recv_window: i64,
    recv_consumed: i64,
    /// Streams waiting for `out` to drain below `OUT_HIGH`.
    waiting_for_room: Vec<Waker>,
    /// The connection is gone: bodies fail, streams end.
    closed: bool,
    /// A header block encoded here before it is framed.
    scratch: Vec<u8>,
}

impl Shared {
    fn stream(&mut self, id: u32) -> Option<&mut Stream> {
        self.streams.iter_mut().find(|s| s.id == id)
    }

    fn wake_connection(&mut self) {
        if let Some(waker) = self.connection.take() {
            waker.wake();
        }
    }

    /// Credits `n` bytes the app read (or that were dropped) to the connection's window, with a
    /// WINDOW_UPDATE once half of it is used.
    fn credit_connection(&mut self, n: i64) {
        self.recv_consumed += n;
        if self.recv_consumed >= CONNECTION_WINDOW / 2 {
            let increment = self.recv_consumed;
            self.recv_consumed = 0;
            self.recv_window += increment;
            frame::put_window_update(&mut self.out, 0, increment as u32);
            self.wake_connection();
        }
    }

    fn reset_stream(&mut self, id: u32, reason: Reason) {
        frame::put_rst_stream(&mut self.out, id, reason);
        self.end_stream(id);
    }

    /// Ends a reset stream: its task and its body's reader are woken to find it so, and what
    /// the client sent that nobody read is its connection window again.
    fn end_stream(&mut self, id: u32) {
        let mut dropped = 0;
        if let Some(stream) = self.stream(id) {
            stream.reset = true;
            stream.recv_failed |= stream.recv_open;
            stream.recv_open = false;
            dropped = stream.data.iter().map(|d| d.len() as i64).sum::<i64>();
            stream.data.clear();
            wake(&mut stream.sender);
            wake(&mut stream.receiver);
        }
        self.credit_connection(dropped);
        self.wake_connection();
    }
}

fn wake(waker: &mut Option<Waker>) {
    if let Some(waker) = waker.take() {
        waker.wake();
    }
}

/// A frame's payload: read onto the stack (DATA is copied out of it) or split off the read
/// buffer (DATA keeps it as it is).
enum Payload<'a> {
    Borrowed(&'a [u8]),
    Owned(BytesMut),
}

impl Payload<'_> {
    fn as_slice(&self) -> &[u8] {
        match self {
            Payload::Borrowed(bytes) => bytes,
            Payload::Owned(bytes) => bytes,
        }
    }

    fn into_bytes(self, start: usize, end: usize) -> Bytes {
        match self {
            Payload::Borrowed(bytes) => Bytes::copy_from_slice(&bytes[start..end]),
            Payload::Owned(mut bytes) => {
                bytes.advance(start);
                bytes.truncate(end - start);
                bytes.freeze()
            }
        }
    }
}

/// The client preface's length when `bytes` start with all of it, 0 while they start with
/// part of it, `Err` when they do not.
fn preface(bytes: &[u8]) -> Result<usize, ()> {
    let n = bytes.len().min(frame::PREFACE.len());
    match bytes[..n] == frame::PREFACE[..n] {
        false => Err(()),
        true if n < frame::PREFACE.len() => Ok(0),
        true => Ok(n),
    }
}

/// The next frame's head when the whole frame is in `bytes`; `Err` for a frame past our
/// SETTINGS_MAX_FRAME_SIZE.
fn whole_frame(bytes: &[u8]) -> Result<Option<Head>, ()> {
    let Some(head) = Head::parse(bytes) else {
        return Ok(None);
    };
    if head.len > frame::DEFAULT_MAX_FRAME {
        return Err(());
    }
    Ok((bytes.len() >= frame::HEADER_LEN + head.len).then_some(head))
}

/// How the connection was ended by a fault of the client's (a GOAWAY with the reason).
#[derive(Debug)]
pub struct ConnectionError(Reason, &'static str);

impl std::fmt::Display for ConnectionError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "h2 connection error {:?}: {}", self.0, self.1)
    }
}

/// Where the connection's shutdown stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Drain {
    Serving,
    /// The first GOAWAY (every stream id) and a PING went out; its ACK ends the grace.
    Warned,
    /// The final GOAWAY went out (or came in): no new streams, done when the last one ends.
    Final,
}

type StreamTask = Pin<Box<dyn Future<Output = ()>>>;

/// An ALPN-h2 connection being served; resolves when it ends.
pub struct Connection<IO> {
    io: IO,
    shared: Rc<RefCell<Shared>>,
    info: Rc<ConnectionInfo>,
    listener: Rc<ListenerContext>,
    tasks: FuturesUnordered<StreamTask>,
    read: BytesMut,
    decoder: hpack::Decoder,
    preface_seen: bool,
    settings_seen: bool,
    /// A header block under way: its stream, flags of its HEADERS, the bytes so far.
    open_block: Option<(u32, u8, Vec<u8>)>,
    /// The highest stream id the client opened.
    last_stream: u32,
    empty_frames: u32,
    streams_opened: u64,
    premature_resets: u64,
    drain: Drain,
    /// The connection is ending: the final frames are flushed, then TLS is closed.
    ending: Option<Result<(), ConnectionError>>,
    eof: bool,
}

impl<IO> Connection<IO>
where
    IO: AsyncRead + AsyncWrite + Unpin,
{
    pub fn new(io: IO, info: Rc<ConnectionInfo>, listener: Rc<ListenerContext>) -> Self {
        let mut out = Vec::with_capacity(64);
        frame::put_settings(
            &mut out,
            &[
                (
                    frame::SETTINGS_MAX_CONCURRENT_STREAMS,
                    MAX_CONCURRENT_STREAMS as u32,
                ),
                (frame::SETTINGS_INITIAL_WINDOW_SIZE, STREAM_WINDOW as u32),
                (
                    frame::SETTINGS_MAX_FRAME_SIZE,
                    frame::DEFAULT_MAX_FRAME as u32,
                ),
                (
                    frame::SETTINGS_MAX_HEADER_LIST_SIZE,
                    request::MAX_HEADER_LIST as u32,
                ),
            ],
        );
        frame::put_window_update(
            &mut out,
            0,
            (CONNECTION_WINDOW - frame::DEFAULT_WINDOW) as u32,
        );
        let shared = Shared {
            out,
            connection: None,
            streams: Vec::new(),
            encoder: hpack::Encoder::new(),
            peer_max_frame: frame::DEFAULT_MAX_FRAME,
            peer_initial_window: frame::DEFAULT_WINDOW,
            send_window: frame::DEFAULT_WINDOW,
            recv_window: CONNECTION_WINDOW,
            recv_consumed: 0,
            waiting_for_room: Vec::new(),
            closed: false,
            scratch: Vec::new(),
        };
        Connection {
            io,
            shared: Rc::new(RefCell::new(shared)),
            info,
            listener,
            tasks: FuturesUnordered::new(),
            read: BytesMut::new(),
            decoder: hpack::Decoder::new(4096),
            preface_seen: false,
            settings_seen: false,
            open_block: None,
            last_stream: 0,
            empty_frames: 0,
            streams_opened: 0,
            premature_resets: 0,
            drain: Drain::Serving,
            ending: None,
            eof: false,
        }
    }

    /// Stops taking new streams and ends the connection once those under way are done: a
    /// GOAWAY naming every stream and a PING first, then, once the PING is answered, the
    /// final GOAWAY with the last stream taken (what hyper's server does).
    pub fn graceful_shutdown(mut self: Pin<&mut Self>) {
        if self.drain != Drain::Serving || self.ending.is_some() {
            return;
        }
        self.drain = Drain::Warned;
        let mut shared = self.shared.borrow_mut();
        frame::put_goaway(&mut shared.out, frame::MAX_WINDOW as u32, Reason::NO_ERROR);
        frame::put_head(&mut shared.out, 8, frame::PING, 0, 0);
        shared.out.extend_from_slice(&DRAIN_PING);
        shared.wake_connection();
    }

    /// Ends the connection for a fault of the client's: GOAWAY with `reason`, then close.
    fn fail(&mut self, reason: Reason, why: &'static str) {
        if self.ending.is_some() {
            return;
        }
        let mut shared = self.shared.borrow_mut();
        frame::put_goaway(&mut shared.out, self.last_stream, reason);
        self.ending = Some(Err(ConnectionError(reason, why)));
    }

    fn final_goaway(&mut self) {
        self.drain = Drain::Final;
        let mut shared = self.shared.borrow_mut();
        frame::put_goaway(&mut shared.out, self.last_stream, Reason::NO_ERROR);
    }

    /// Writes what is waiting; `Ready(Err)` when the client is gone.
    fn poll_write_out(&mut self, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        loop {
            let mut shared = self.shared.borrow_mut();
            if shared.out.is_empty() {
                drop(shared);
                return Pin::new(&mut self.io).poll_flush(cx);
            }
            let written = match Pin::new(&mut self.io).poll_write(cx, &shared.out) {
                Poll::Ready(Ok(0)) => {
                    return Poll::Ready(Err(std::io::ErrorKind::WriteZero.into()));
                }
                Poll::Ready(Ok(n)) => n,
                Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                Poll::Pending => return Poll::Pending,
            };
            if written == shared.out.len() {
                shared.out.clear();
                // A large response's room is not kept for a connection that may now sit idle.
                if shared.out.capacity() > OUT_KEPT {
                    shared.out = Vec::new();
                }
            } else {
                shared.out.drain(..written);
            }
            if shared.out.len() < OUT_HIGH {
                for waker in shared.waiting_for_room.drain(..) {
                    waker.wake();
                }
            }
        }
    }

    /// Reads and handles every whole frame there is.
    fn poll_read_frames(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        loop {
            if self.ending.is_some() || self.eof {
                return Poll::Ready(());
            }
            if self.shared.borrow().out.len() >= OUT_HIGH {
                // Not read on until the client takes what it is owed.
                return Poll::Pending;
            }
            let read = if self.read.is_empty() && !self.receiving_bodies() {
                // Nothing buffered and no body coming: read onto the stack, and keep on the
                // heap only what is left of a frame not yet whole (an h2 request then costs
                // no read buffer, and an idle connection holds none).
                let mut stack = [std::mem::MaybeUninit::<u8>::uninit(); READ_ROOM];
                let mut buf = tokio::io::ReadBuf::uninit(&mut stack);
                match Pin::new(&mut self.io).poll_read(cx, &mut buf) {
                    Poll::Ready(Ok(())) if buf.filled().is_empty() => Poll::Ready(Ok(0)),
                    Poll::Ready(Ok(())) => {
                        let got = buf.filled();
                        let used = self.handle_slice(got);
                        if self.ending.is_none() {
                            self.read.extend_from_slice(&got[used..]);
                        }
                        Poll::Ready(Ok(got.len()))
                    }
                    Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
                    Poll::Pending => Poll::Pending,
                }
            } else {
                // Whole frames left over from the last read come first.
                self.handle_buffered();
                if self.stop_reading() {
                    continue;
                }
                self.read.reserve(READ_ROOM);
                let read =
                    tokio_util::io::poll_read_buf(Pin::new(&mut self.io), cx, &mut self.read);
                if let Poll::Ready(Ok(n)) = read
                    && n > 0
                {
                    self.handle_buffered();
                    if self.read.is_empty() && !self.receiving_bodies() {
                        self.read = BytesMut::new();
                    }
                }
                read
            };
            match read {
                Poll::Ready(Ok(0)) => {
                    self.eof = true;
                    return Poll::Ready(());
                }
                Poll::Ready(Ok(_)) => {}
                Poll::Ready(Err(e)) => {
                    log::debug!("downstream h2 connection ended: {e}");
                    self.eof = true;
                    return Poll::Ready(());
                }
                Poll::Pending => return Poll::Pending,
            }
        }
    }

    /// Whether a stream's request body is still coming (its DATA is then kept as slices of the
    /// read buffer, not copied off the stack).
    fn receiving_bodies(&self) -> bool {
        self.shared.borrow().streams.iter().any(|s| s.recv_open)
    }

    /// Takes the connection preface off the start of `bytes`: how many bytes it took (0 while
    /// it is not all here); `false` (the connection failed) when it is not one.
    fn take_preface(&mut self, bytes: &[u8]) -> Result<usize, ()> {
        if self.preface_seen {
            return Ok(0);
        }
        match preface(bytes) {
            Err(()) => {
                self.fail(Reason::PROTOCOL_ERROR, "no connection preface");
                Err(())
            }
            Ok(0) => Ok(0),
            Ok(n) => {
                self.preface_seen = true;
                Ok(n)
            }
        }
    }

    /// Whether to stop handling frames for now: the connection ends, or it owes the client
    /// too much output to read on.
    fn stop_reading(&self) -> bool {
        self.ending.is_some() || self.shared.borrow().out.len() >= OUT_HIGH
    }

    /// Handles the whole frames in `bytes` (read onto the stack); returns how many bytes they
    /// took. DATA is copied out.
    fn handle_slice(&mut self, bytes: &[u8]) -> usize {
        let Ok(mut at) = self.take_preface(bytes) else {
            return bytes.len();
        };
        if !self.preface_seen {
            return 0;
        }
        loop {
            let head = match whole_frame(&bytes[at..]) {
                Ok(Some(head)) => head,
                Ok(None) => break,
                Err(()) => {
                    self.fail(
                        Reason::FRAME_SIZE_ERROR,
                        "frame larger than SETTINGS_MAX_FRAME_SIZE",
                    );
                    return bytes.len();
                }
            };
            let start = at + frame::HEADER_LEN;
            at = start + head.len;
            self.handle_frame(head, Payload::Borrowed(&bytes[start..at]));
            if self.stop_reading() {
                break;
            }
        }
        at
    }

    /// Handles the whole frames in the read buffer; DATA keeps slices of it.
    fn handle_buffered(&mut self) {
        if !self.preface_seen {
            match preface(&self.read) {
                Err(()) => return self.fail(Reason::PROTOCOL_ERROR, "no connection preface"),
                Ok(0) => return,
                Ok(n) => {
                    self.preface_seen = true;
                    self.read.advance(n);
                }
            }
        }
        loop {
            let head = match whole_frame(&self.read) {
                Ok(Some(head)) => head,
                Ok(None) => return,
                Err(()) => {
                    return self.fail(
                        Reason::FRAME_SIZE_ERROR,
                        "frame larger than SETTINGS_MAX_FRAME_SIZE",
                    );
                }
            };
            self.read.advance(frame::HEADER_LEN);
            let payload = self.read.split_to(head.len);
            self.handle_frame(head, Payload::Owned(payload));
            if self.stop_reading() {
                return;
            }
        }
    }

    fn handle_frame(&mut self, head: Head, payload: Payload<'_>) {
        if !self.settings_seen {
            if head.kind != frame::SETTINGS || head.has(frame::ACK) {
                return self.fail(Reason::PROTOCOL_ERROR, "first frame is not SETTINGS");
            }
            self.settings_seen = true;
        }
        if let Some((stream, _, _)) = &self.open_block
            && (head.kind != frame::CONTINUATION || head.stream != *stream)
        {
            return self.fail(Reason::PROTOCOL_ERROR, "header block interrupted");
        }
        let empty = match head.kind {
            frame::DATA => head.len == 0 && !head.has(frame::END_STREAM),
            frame::HEADERS | frame::CONTINUATION => head.len == 0 && !head.has(frame::END_HEADERS),
            _ => false,
        };
        if empty {
            self.empty_frames += 1;
            if self.empty_frames > MAX_EMPTY_FRAMES {
                return self.fail(Reason::ENHANCE_YOUR_CALM, "a flood of empty frames");
            }
        } else if matches!(
            head.kind,
            frame::DATA | frame::HEADERS | frame::CONTINUATION
        ) {
            self.empty_frames = 0;
        }
        match head.kind {
            frame::DATA => self.on_data(head, payload),
            frame::HEADERS => self.on_headers(head, payload.as_slice()),
            frame::CONTINUATION => self.on_continuation(head, payload.as_slice()),
            frame::PRIORITY => self.on_priority(head, payload.as_slice()),
            frame::RST_STREAM => self.on_rst_stream(head, payload.as_slice()),
            frame::SETTINGS => self.on_settings(head, payload.as_slice()),
            frame::PUSH_PROMISE => self.fail(Reason::PROTOCOL_ERROR, "PUSH_PROMISE from a client"),
            frame::PING => self.on_ping(head, payload.as_slice()),
            frame::GOAWAY => self.on_goaway(head, payload.as_slice()),
            frame::WINDOW_UPDATE => self.on_window_update(head, payload.as_slice()),
            // Unknown frame types are ignored (RFC 9113 §4.1).
            _ => {}
        }
    }

    /// A frame on a stream the client never opened is a connection error (RFC 9113 §5.1).
    fn is_idle(&self, stream: u32) -> bool {
        stream > self.last_stream
    }

    fn on_data(&mut self, head: Head, payload: Payload<'_>) {
        if head.stream == 0 {
            return self.fail(Reason::PROTOCOL_ERROR, "DATA on stream 0");
        }
        if self.is_idle(head.stream) {
            return self.fail(Reason::PROTOCOL_ERROR, "DATA on an idle stream");
        }
        let Some((start, end)) = frame::unpadded(&head, payload.as_slice()) else {
            return self.fail(Reason::PROTOCOL_ERROR, "DATA padding past its end");
        };
        let flow = head.len as i64;
        let mut shared = self.shared.borrow_mut();
        if flow > shared.recv_window {
            drop(shared);
            return self.fail(
                Reason::FLOW_CONTROL_ERROR,
                "DATA past the connection window",
            );
        }
        shared.recv_window -= flow;
        let end_stream = head.has(frame::END_STREAM);
        let data_len = (end - start) as i64;
        enum Verdict {
            Take,
            Discard,
            Reset(Reason),
        }
        let verdict = match shared.stream(head.stream) {
            // Closed, or reset: what it carries is let go.
            None => Verdict::Discard,
            Some(stream) if !stream.recv_open => {
                if stream.reset {
                    Verdict::Discard
                } else {
                    Verdict::Reset(Reason::STREAM_CLOSED)
                }
            }
            Some(stream) if flow > stream.recv_window => Verdict::Reset(Reason::FLOW_CONTROL_ERROR),
            Some(stream) => {
                let remaining = stream.remaining.map(|r| r.checked_sub(data_len as u64));
                match remaining {
                    Some(None) => Verdict::Reset(Reason::PROTOCOL_ERROR),
                    Some(Some(r)) if end_stream && r != 0 => Verdict::Reset(Reason::PROTOCOL_ERROR),
                    _ => {
                        stream.remaining = remaining.flatten();
                        stream.recv_window -= flow;
                        Verdict::Take
                    }
                }
            }
        };
        match verdict {
            Verdict::Discard => shared.credit_connection(flow),
            Verdict::Reset(reason) => {
                shared.credit_connection(flow);
                shared.reset_stream(head.stream, reason);
            }
            Verdict::Take => {
                // Padding is flow-controlled but never read: credited back now.
                let padding = flow - data_len;
                let Some(stream) = shared.stream(head.stream) else {
                    return;
                };
                let dropped = stream.body_dropped;
                if !dropped && data_len > 0 {
                    stream.data.push_back(payload.into_bytes(start, end));
                }
                if end_stream {
                    stream.recv_open = false;
                }
                wake(&mut stream.receiver);
                let credit_stream = if dropped { flow } else { padding };
                stream.recv_window += credit_stream;
                let credit = if dropped { flow } else { padding };
                shared.credit_connection(credit);
            }
        }
    }

    fn on_headers(&mut self, head: Head, payload: &[u8]) {
        if head.stream == 0 {
            return self.fail(Reason::PROTOCOL_ERROR, "HEADERS on stream 0");
        }
        let Some((start, mut end)) = frame::unpadded(&head, payload) else {
            return self.fail(Reason::PROTOCOL_ERROR, "HEADERS padding past its end");
        };
        let mut start = start;
        if head.has(frame::PRIORITY_FLAG) {
            let Some(dependency) = payload.get(start..start + 5) else {
                return self.fail(Reason::PROTOCOL_ERROR, "HEADERS too short for its priority");
            };
            let on =
                u32::from_be_bytes([dependency[0], dependency[1], dependency[2], dependency[3]])
                    & 0x7fff_ffff;
            start += 5;
            if on == head.stream {
                // A stream cannot depend on itself: a stream error, but the block still has
                // to be decoded to keep HPACK in step.
                let block = payload.get(start..end).unwrap_or_default();
                return self.begin_block(head, block, Some(Reason::PROTOCOL_ERROR));
            }
        }
        if start > end {
            end = start;
        }
        let block = payload.get(start..end).unwrap_or_default();
        self.begin_block(head, block, None);
    }

    /// A HEADERS frame's block: decoded where it lies when it is whole (the common case), else
    /// kept until its CONTINUATIONs end it.
    fn begin_block(&mut self, head: Head, block: &[u8], fault: Option<Reason>) {
        let flags = head.flags | if fault.is_some() { 0x80 } else { 0 };
        if head.has(frame::END_HEADERS) {
            self.end_block(head.stream, flags, block);
        } else {
            self.open_block = Some((head.stream, flags, block.to_vec()));
        }
    }

    fn on_continuation(&mut self, head: Head, payload: &[u8]) {
        let Some((stream, flags, mut block)) = self.open_block.take() else {
            return self.fail(Reason::PROTOCOL_ERROR, "CONTINUATION without HEADERS");
        };
        block.extend_from_slice(payload);
        if block.len() > MAX_HEADER_BLOCK {
            // Envoy's answer to a header block past its limits.
            return self.fail(Reason::COMPRESSION_ERROR, "header block too large");
        }
        if head.has(frame::END_HEADERS) {
            self.end_block(stream, flags, &block);
        } else {
            self.open_block = Some((stream, flags, block));
        }
    }

    /// A whole header block: a new stream's request, or a stream's trailers.
    fn end_block(&mut self, id: u32, flags: u8, block: &[u8]) {
        let end_stream = flags & frame::END_STREAM != 0;
        let self_dependent = flags & 0x80 != 0;
        if id <= self.last_stream {
            return self.trailers(id, end_stream, block);
        }
        if id.is_multiple_of(2) {
            return self.fail(Reason::PROTOCOL_ERROR, "a client stream with an even id");
        }
        let decoded = request::request(&mut self.decoder, block, end_stream);
        let block = match decoded {
            Ok(block) => block,
            Err(Fatal::Compression(e)) => {
                log::debug!("h2 header block: {e}");
                return self.fail(Reason::COMPRESSION_ERROR, "header block not valid HPACK");
            }
            Err(Fatal::Field) => {
                return self.fail(Reason::PROTOCOL_ERROR, "a header field HTTP cannot carry");
            }
        };
        if self.drain == Drain::Final {
            // Past the final GOAWAY's last stream: ignored, for the client to retry elsewhere.
            return;
        }
        self.last_stream = id;
        let mut shared = self.shared.borrow_mut();
        if self_dependent {
            frame::put_rst_stream(&mut shared.out, id, Reason::PROTOCOL_ERROR);
            return;
        }
        let (parts, content_length) = match block {
            Block::Request(request) => (request.parts, request.content_length),
            Block::Malformed => {
                // Envoy (`stream_error_on_invalid_http_message` off, as Istio leaves it) ends
                // the whole connection for a malformed request, not just its stream.
                drop(shared);
                return self.fail(Reason::PROTOCOL_ERROR, "a malformed request");
            }
            Block::TooLarge => {
                ListenerStats::count(&self.listener.stats.downstream_cx_protocol_error);
                frame::put_rst_stream(&mut shared.out, id, Reason::REFUSED_STREAM);
                return;
            }
        };
        // Streams the client reset count no more, though their tasks have yet to end.
        if shared.streams.iter().filter(|s| !s.reset).count() >= MAX_CONCURRENT_STREAMS {
            frame::put_rst_stream(&mut shared.out, id, Reason::REFUSED_STREAM);
            return;
        }
        let window = shared.peer_initial_window;
        shared.streams.push(Stream {
            id,
            send_window: window,
            sender: None,
            reset: false,
            data: VecDeque::new(),
            trailers: None,
            recv_open: !end_stream,
            recv_failed: false,
            receiver: None,
            recv_window: STREAM_WINDOW,
            recv_consumed: 0,
            remaining: content_length,
            body_dropped: false,
            responded: false,
        });
        drop(shared);
        self.streams_opened += 1;
        let body = RecvBody::new(Rc::clone(&self.shared), id, content_length, end_stream);
        let request = http::Request::from_parts(parts, super::body::RequestBody::H2(body));
        self.tasks.push(Box::pin(stream::respond(
            Rc::clone(&self.shared),
            id,
            request,
            Rc::clone(&self.info),
            Rc::clone(&self.listener),
        )));
    }

    fn trailers(&mut self, id: u32, end_stream: bool, block: &[u8]) {
        let decoded = request::trailers(&mut self.decoder, block);
        let trailers = match decoded {
            Ok(trailers) => trailers,
            Err(Fatal::Compression(_)) => {
                return self.fail(Reason::COMPRESSION_ERROR, "header block not valid HPACK");
            }
            Err(Fatal::Field) => {
                return self.fail(Reason::PROTOCOL_ERROR, "a header field HTTP cannot carry");
            }
        };
        let mut shared = self.shared.borrow_mut();
        let Some(stream) = shared.stream(id) else {
            // A stream that is closed or reset: nothing to hand on.
            return;
        };
        if !stream.recv_open {
            if !stream.reset {
                shared.reset_stream(id, Reason::STREAM_CLOSED);
            }
            return;
        }
        // Trailers end the stream; a second header block that does not is malformed, and so
        // is a body shorter than its announced length.
        let short = stream.remaining.is_some_and(|r| r != 0);
        match trailers {
            Some(trailers) if end_stream && !short => {
                stream.trailers = Some(trailers);
                stream.recv_open = false;
                wake(&mut stream.receiver);
            }
            _ => {
                drop(shared);
                self.fail(Reason::PROTOCOL_ERROR, "malformed trailers");
            }
        }
    }

    fn on_priority(&mut self, head: Head, payload: &[u8]) {
        if head.stream == 0 {
            return self.fail(Reason::PROTOCOL_ERROR, "PRIORITY on stream 0");
        }
        if payload.len() != 5 {
            let mut shared = self.shared.borrow_mut();
            shared.reset_stream(head.stream, Reason::FRAME_SIZE_ERROR);
        }
        // Priorities are advice (RFC 9113 §5.3.2); streams are served as they come.
    }

    fn on_rst_stream(&mut self, head: Head, payload: &[u8]) {
        if head.stream == 0 {
            return self.fail(Reason::PROTOCOL_ERROR, "RST_STREAM on stream 0");
        }
        if payload.len() != 4 {
            return self.fail(Reason::FRAME_SIZE_ERROR, "RST_STREAM of the wrong size");
        }
        if self.is_idle(head.stream) {
            return self.fail(Reason::PROTOCOL_ERROR, "RST_STREAM on an idle stream");
        }
        let mut shared = self.shared.borrow_mut();
        let Some(stream) = shared.stream(head.stream) else {
            return;
        };
        if !stream.responded {
            self.premature_resets += 1;
        }
        shared.end_stream(head.stream);
        drop(shared);
        if self.streams_opened >= PREMATURE_RESET_STREAMS
            && self.premature_resets * 2 >= self.streams_opened
        {
            self.fail(
                Reason::ENHANCE_YOUR_CALM,
                "too many streams reset before their response",
            );
        }
    }

    fn on_settings(&mut self, head: Head, payload: &[u8]) {
        if head.stream != 0 {
            return self.fail(Reason::PROTOCOL_ERROR, "SETTINGS on a stream");
        }
        if head.has(frame::ACK) {
            if !payload.is_empty() {
                self.fail(Reason::FRAME_SIZE_ERROR, "SETTINGS ACK with a payload");
            }
            return;
        }
        if !payload.len().is_multiple_of(6) {
            return self.fail(Reason::FRAME_SIZE_ERROR, "SETTINGS of the wrong size");
        }
        let mut shared = self.shared.borrow_mut();
        for setting in payload.chunks_exact(6) {
            let id = u16::from_be_bytes([setting[0], setting[1]]);
            let value = u32::from_be_bytes([setting[2], setting[3], setting[4], setting[5]]);
            match id {
                frame::SETTINGS_HEADER_TABLE_SIZE => {
                    shared.encoder.set_max_table_size(value as usize);
                }
                frame::SETTINGS_ENABLE_PUSH if value > 1 => {
                    drop(shared);
                    return self.fail(Reason::PROTOCOL_ERROR, "SETTINGS_ENABLE_PUSH not 0 or 1");
                }
                frame::SETTINGS_INITIAL_WINDOW_SIZE => {
                    let value = i64::from(value);
                    if value > frame::MAX_WINDOW {
                        drop(shared);
                        return self.fail(Reason::FLOW_CONTROL_ERROR, "initial window too large");
                    }
                    let delta = value - shared.peer_initial_window;
                    shared.peer_initial_window = value;
                    let mut overflow = false;
                    for stream in &mut shared.streams {
                        stream.send_window += delta;
                        overflow |= stream.send_window > frame::MAX_WINDOW;
                        wake(&mut stream.sender);
                    }
                    if overflow {
                        drop(shared);
                        return self.fail(Reason::FLOW_CONTROL_ERROR, "a stream window overflowed");
                    }
                }
                frame::SETTINGS_MAX_FRAME_SIZE => {
                    if !(16_384..=16_777_215).contains(&value) {
                        drop(shared);
                        return self.fail(
                            Reason::PROTOCOL_ERROR,
                            "SETTINGS_MAX_FRAME_SIZE out of range",
                        );
                    }
                    shared.peer_max_frame = value as usize;
                }
                // Push is never used; the client's stream and list limits bind only what it
                // sends us; unknown settings are ignored (RFC 9113 §6.5.2).
                _ => {}
            }
        }
        frame::put_settings_ack(&mut shared.out);
    }

    fn on_ping(&mut self, head: Head, payload: &[u8]) {
        if head.stream != 0 {
            return self.fail(Reason::PROTOCOL_ERROR, "PING on a stream");
        }
        let Ok(opaque) = <&[u8; 8]>::try_from(payload) else {
            return self.fail(Reason::FRAME_SIZE_ERROR, "PING of the wrong size");
        };
        if head.has(frame::ACK) {
            if *opaque == DRAIN_PING && self.drain == Drain::Warned {
                self.final_goaway();
            }
            return;
        }
        let mut shared = self.shared.borrow_mut();
        frame::put_ping_ack(&mut shared.out, opaque);
    }

    fn on_goaway(&mut self, head: Head, payload: &[u8]) {
        if head.stream != 0 {
            return self.fail(Reason::PROTOCOL_ERROR, "GOAWAY on a stream");
        }
        if payload.len() < 8 {
            return self.fail(Reason::FRAME_SIZE_ERROR, "GOAWAY too short");
        }
        // The client opens no more streams; those under way finish.
        if self.drain != Drain::Final {
            self.final_goaway();
        }
    }

    fn on_window_update(&mut self, head: Head, payload: &[u8]) {
        let Ok(bytes) = <[u8; 4]>::try_from(payload) else {
            return self.fail(Reason::FRAME_SIZE_ERROR, "WINDOW_UPDATE of the wrong size");
        };
        let increment = i64::from(u32::from_be_bytes(bytes) & 0x7fff_ffff);
        let mut shared = self.shared.borrow_mut();
        if head.stream == 0 {
            if increment == 0 {
                drop(shared);
                return self.fail(Reason::PROTOCOL_ERROR, "WINDOW_UPDATE of 0");
            }
            shared.send_window += increment;
            if shared.send_window > frame::MAX_WINDOW {
                drop(shared);
                return self.fail(Reason::FLOW_CONTROL_ERROR, "connection window overflowed");
            }
            for stream in &mut shared.streams {
                wake(&mut stream.sender);
            }
            return;
        }
        if self.is_idle(head.stream) {
            drop(shared);
            return self.fail(Reason::PROTOCOL_ERROR, "WINDOW_UPDATE on an idle stream");
        }
        let Some(stream) = shared.stream(head.stream) else {
            return;
        };
        if increment == 0 {
            // A stream error by RFC 9113 §6.9; Envoy ends the connection for it.
            drop(shared);
            return self.fail(Reason::PROTOCOL_ERROR, "WINDOW_UPDATE of 0");
        }
        stream.send_window += increment;
        if stream.send_window > frame::MAX_WINDOW {
            return shared.reset_stream(head.stream, Reason::FLOW_CONTROL_ERROR);
        }
        wake(&mut stream.sender);
    }

    /// Whether the connection has nothing left to do: no stream under way, nothing to write.
    fn finished(&self) -> bool {
        let shared = self.shared.borrow();
        shared.out.is_empty() && self.tasks.is_empty()
    }
}

impl<IO> Future for Connection<IO>
where
    IO: AsyncRead + AsyncWrite + Unpin,
{
    type Output = Result<(), ConnectionError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        loop {
            let wrote = match this.poll_write_out(cx) {
                Poll::Ready(Ok(())) => true,
                Poll::Ready(Err(e)) => {
                    log::debug!("downstream h2 connection ended: {e}");
                    this.shared.borrow_mut().closed = true;
                    return Poll::Ready(this.ending.take().unwrap_or(Ok(())));
                }
                Poll::Pending => false,
            };
            if this.ending.is_some() {
                if !wrote {
                    return Poll::Pending;
                }
                // The GOAWAY is out: close TLS and end.
                if Pin::new(&mut this.io).poll_shutdown(cx).is_pending() {
                    return Poll::Pending;
                }
                this.shared.borrow_mut().closed = true;
                return Poll::Ready(this.ending.take().unwrap_or(Ok(())));
            }
            let _ = this.poll_read_frames(cx);
            let mut ran = false;
            while let Poll::Ready(Some(())) = this.tasks.poll_next_unpin(cx) {
                ran = true;
            }
            if this.eof {
                // The client is gone: what is under way can reach nobody.
                this.shared.borrow_mut().closed = true;
                return Poll::Ready(Ok(()));
            }
            if this.drain == Drain::Final && this.finished() && this.ending.is_none() {
                this.ending = Some(Ok(()));
                continue;
            }
            let pending_out = !this.shared.borrow().out.is_empty();
            if ran || (pending_out && wrote) || this.ending.is_some() {
                continue;
            }
            let mut shared = this.shared.borrow_mut();
            if !shared
                .connection
                .as_ref()
                .is_some_and(|w| w.will_wake(cx.waker()))
            {
                shared.connection = Some(cx.waker().clone());
            }
            return Poll::Pending;
        }
    }
}

impl<IO> Drop for Connection<IO> {
    fn drop(&mut self) {
        let mut shared = self.shared.borrow_mut();
        shared.closed = true;
        for stream in &mut shared.streams {
            wake(&mut stream.receiver);
        }
    }
}
