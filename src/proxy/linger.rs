//! Envoy's delayed close for the connections hyper serves: when hyper drops a connection it
//! has answered (a 431, a 400, `Connection: close`), the bytes the client is still sending
//! would make the kernel reset it, and the client could lose the answer. Instead the write side
//! is shut down and what arrives is read and dropped, for at most a second.
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};

/// Envoy's `delayed_close_timeout` default.
const DELAYED_CLOSE: Duration = Duration::from_secs(1);

/// A stream that, once dropped, closes as Envoy does (on the worker's `LocalSet`).
pub struct Lingering<IO: AsyncRead + AsyncWrite + Unpin + 'static> {
    inner: Option<IO>,
}

impl<IO: AsyncRead + AsyncWrite + Unpin + 'static> Lingering<IO> {
    pub fn new(inner: IO) -> Lingering<IO> {
        Lingering { inner: Some(inner) }
    }

    fn inner(&mut self) -> io::Result<&mut IO> {
        self.inner
            .as_mut()
            .ok_or_else(|| io::Error::from(io::ErrorKind::NotConnected))
    }
}

impl<IO: AsyncRead + AsyncWrite + Unpin + 'static> Drop for Lingering<IO> {
    fn drop(&mut self) {
        let Some(mut io) = self.inner.take() else {
            return;
        };
        tokio::task::spawn_local(async move {
            let drain = async {
                io.shutdown().await?;
                let mut sink = [0u8; 4096];
                while io.read(&mut sink).await? > 0 {}
                Ok::<_, io::Error>(())
            };
            let _ = tokio::time::timeout(DELAYED_CLOSE, drain).await;
        });
    }
}

impl<IO: AsyncRead + AsyncWrite + Unpin + 'static> AsyncRead for Lingering<IO> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.inner() {
            Ok(io) => Pin::new(io).poll_read(cx, buf),
            Err(e) => Poll::Ready(Err(e)),
        }
    }
}

impl<IO: AsyncRead + AsyncWrite + Unpin + 'static> AsyncWrite for Lingering<IO> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.inner() {
            Ok(io) => Pin::new(io).poll_write(cx, buf),
            Err(e) => Poll::Ready(Err(e)),
        }
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        match self.inner() {
            Ok(io) => Pin::new(io).poll_write_vectored(cx, bufs),
            Err(e) => Poll::Ready(Err(e)),
        }
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.as_ref().is_some_and(|io| io.is_write_vectored())
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.inner() {
            Ok(io) => Pin::new(io).poll_flush(cx),
            Err(e) => Poll::Ready(Err(e)),
        }
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.inner() {
            Ok(io) => Pin::new(io).poll_shutdown(cx),
            Err(e) => Poll::Ready(Err(e)),
        }
    }
}
