//! A stream with bytes put back in front: what the lean path read before it handed the
//! connection to hyper is read again by hyper, first.
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::{Buf, Bytes};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

pub struct Rewind<IO> {
    unread: Bytes,
    inner: IO,
    /// The most bytes one read of the stream may return (`None`: as many as fit).
    read_cap: Option<usize>,
}

/// How much one read returns to hyper's HTTP/1.1 codec: it checks its buffer limit between
/// reads, so this is how far past `max_buf_size` (60 KiB) a head can get before the 431: a
/// 70 KB head is always refused.
pub const HYPER_READ_CAP: usize = 8 * 1024;

impl<IO> Rewind<IO> {
    pub fn new(unread: Bytes, inner: IO) -> Rewind<IO> {
        Rewind {
            unread,
            inner,
            read_cap: None,
        }
    }

    /// The bytes put back, not yet read again.
    pub fn unread(&self) -> &[u8] {
        &self.unread
    }

    /// Bounds every read of the stream to `cap` bytes.
    pub fn with_read_cap(mut self, cap: usize) -> Rewind<IO> {
        self.read_cap = Some(cap);
        self
    }
}

impl<IO: AsyncRead + Unpin> AsyncRead for Rewind<IO> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        if !self.unread.is_empty() {
            let cap = self.read_cap.unwrap_or(usize::MAX);
            let n = self.unread.len().min(buf.remaining()).min(cap);
            buf.put_slice(&self.unread[..n]);
            self.unread.advance(n);
            return Poll::Ready(Ok(()));
        }
        match self.read_cap {
            Some(cap) if buf.remaining() > cap => {
                // No unsafe code: read into a bounded buffer, then copy.
                let mut bounded = [0u8; HYPER_READ_CAP];
                let cap = cap.min(HYPER_READ_CAP);
                let mut limited = ReadBuf::new(&mut bounded[..cap]);
                let read = Pin::new(&mut self.inner).poll_read(cx, &mut limited);
                if let Poll::Ready(Ok(())) = read {
                    buf.put_slice(limited.filled());
                }
                read
            }
            _ => Pin::new(&mut self.inner).poll_read(cx, buf),
        }
    }
}

impl<IO: AsyncWrite + Unpin> AsyncWrite for Rewind<IO> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::AsyncReadExt;

    #[tokio::test]
    async fn the_put_back_bytes_come_first_then_the_stream() {
        let inner: &[u8] = b" world";
        let mut rewound = Rewind::new(Bytes::from_static(b"hello"), inner);
        let mut all = String::new();
        rewound.read_to_string(&mut all).await.expect("reads");
        assert_eq!(all, "hello world");
    }

    #[tokio::test]
    async fn a_capped_stream_returns_at_most_the_cap_a_read() {
        let inner: &[u8] = &[7u8; 40_000];
        let mut capped = Rewind::new(Bytes::new(), inner).with_read_cap(HYPER_READ_CAP);
        let mut buf = vec![0u8; 40_000];
        let n = capped.read(&mut buf).await.expect("reads");
        assert_eq!(n, HYPER_READ_CAP);
    }
}
