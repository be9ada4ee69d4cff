//! The socket under a TLS session, read ahead when data streams in: rustls reads 4 KiB at a
//! time, four system calls for each full 16 KiB record. A read that fills rustls' request turns
//! on 64 KiB reads into a buffer of our own, freed once drained with nothing more waiting.
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;

/// How much one read ahead takes from the socket.
pub const AHEAD: usize = 64 * 1024;

/// A TCP stream whose reads are buffered while data streams in, and direct otherwise.
pub struct ReadAhead {
    inner: TcpStream,
    /// Bytes read ahead; `buf[at..end]` not yet handed out. Empty (no allocation) unless streaming.
    buf: Vec<u8>,
    at: usize,
    end: usize,
    /// Whether the last reads suggested more is queued: read ahead into `buf`.
    streaming: bool,
}

impl ReadAhead {
    pub fn new(inner: TcpStream) -> ReadAhead {
        ReadAhead {
            inner,
            buf: Vec::new(),
            at: 0,
            end: 0,
            streaming: false,
        }
    }

    pub fn get_ref(&self) -> &TcpStream {
        &self.inner
    }

    /// The bytes this holds right now (0 between bursts): what an idle connection costs here.
    pub fn buffered_capacity(&self) -> usize {
        self.buf.capacity()
    }

    /// Hands out what was read ahead; frees the buffer once drained if streaming stopped.
    fn hand_out(&mut self, out: &mut ReadBuf<'_>) {
        let n = (self.end - self.at).min(out.remaining());
        out.put_slice(&self.buf[self.at..self.at + n]);
        self.at += n;
        if self.at == self.end && !self.streaming {
            self.buf = Vec::new();
        }
    }
}

impl AsyncRead for ReadAhead {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        out: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        loop {
            if this.at < this.end {
                this.hand_out(out);
                return Poll::Ready(Ok(()));
            }
            if !this.streaming || out.remaining() >= AHEAD {
                let wanted = out.remaining();
                ready!(Pin::new(&mut this.inner).poll_read(cx, out))?;
                // A read that got all it asked for leaves more in the socket, most likely.
                this.streaming = wanted > 0 && out.remaining() == 0 && wanted < AHEAD;
                return Poll::Ready(Ok(()));
            }
            // Streaming, and drained: wait for the socket without holding the buffer.
            if this.inner.poll_read_ready(cx).is_pending() {
                this.buf = Vec::new();
                this.streaming = false;
                return Poll::Pending;
            }
            // Read into the spare capacity: nothing to zero first.
            this.buf.clear();
            this.buf.reserve(AHEAD);
            match this.inner.try_read_buf(&mut this.buf) {
                Ok(n) => {
                    this.at = 0;
                    this.end = n;
                    // A short read: the burst is over; hand it out, then read directly again.
                    this.streaming = n >= AHEAD / 4;
                    if n == 0 {
                        this.buf = Vec::new();
                        return Poll::Ready(Ok(()));
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => continue,
                Err(e) => return Poll::Ready(Err(e)),
            }
        }
    }
}

impl AsyncWrite for ReadAhead {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        true
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    async fn pair() -> (ReadAhead, TcpStream) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("binds");
        let addr = listener.local_addr().expect("address");
        let (client, accepted) = tokio::join!(TcpStream::connect(addr), listener.accept());
        let (server, _) = accepted.expect("accepts");
        (ReadAhead::new(server), client.expect("connects"))
    }

    #[tokio::test]
    async fn a_stream_arrives_whole_and_in_order_in_small_reads() {
        let (mut ahead, mut peer) = pair().await;
        let sent: Vec<u8> = (0..1_000_000u32).map(|i| (i % 251) as u8).collect();
        let writing = sent.clone();
        let writer = tokio::spawn(async move {
            peer.write_all(&writing).await.expect("writes");
            peer.shutdown().await.expect("shuts down");
        });
        let mut got = Vec::new();
        let mut chunk = [0u8; 4096];
        let mut ahead_seen = false;
        loop {
            let n = ahead.read(&mut chunk).await.expect("reads");
            if n == 0 {
                break;
            }
            ahead_seen |= ahead.buffered_capacity() > 0;
            got.extend_from_slice(&chunk[..n]);
        }
        writer.await.expect("writer ends");
        assert_eq!(got, sent);
        assert!(ahead_seen, "a streamed megabyte is read ahead");
        assert_eq!(ahead.buffered_capacity(), 0, "nothing held at the end");
    }

    #[tokio::test]
    async fn an_idle_stream_holds_no_buffer() {
        let (mut ahead, mut peer) = pair().await;
        peer.write_all(&[7u8; 200_000]).await.expect("writes");
        let mut chunk = [0u8; 4096];
        let mut total = 0;
        while total < 200_000 {
            total += ahead.read(&mut chunk).await.expect("reads");
        }
        // Nothing more comes: the wait for it must not keep the 64 KiB.
        let waited =
            tokio::time::timeout(std::time::Duration::from_millis(50), ahead.read(&mut chunk))
                .await;
        assert!(waited.is_err(), "no more bytes");
        assert_eq!(ahead.buffered_capacity(), 0);
        peer.write_all(b"more").await.expect("writes");
        let n = ahead.read(&mut chunk).await.expect("reads");
        assert_eq!(&chunk[..n], b"more");
    }
}
