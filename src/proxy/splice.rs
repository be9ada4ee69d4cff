//! Bytes both ways between two established streams until both are done: what a TCP port does
//! after its handshake and an HTTP/1.1 upgrade after its 101. Each side's end of stream is
//! passed on as a half-close, as Envoy's TCP proxy does, and no traffic for `idle` ends both.
use std::io;
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

/// What a read buffer of one direction holds at most.
const BUFFER: usize = 16 * 1024;

/// How a splice ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    /// Both sides closed their half.
    Closed,
    /// No byte either way for the idle timeout.
    Idle,
    /// A read or a write failed (a reset, say).
    Failed,
}

/// What went through a splice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Spliced {
    /// Bytes read from the downstream side (written to the app).
    pub received: u64,
    /// Bytes written to the downstream side (read from the app).
    pub sent: u64,
    pub end: End,
}

/// Copies `client` → `app` and `app` → `client` until both directions are done.
pub async fn splice<C, A>(client: &mut C, app: &mut A, idle: Duration) -> Spliced
where
    C: AsyncRead + AsyncWrite + Unpin,
    A: AsyncRead + AsyncWrite + Unpin,
{
    let mut spliced = Spliced {
        received: 0,
        sent: 0,
        end: End::Closed,
    };
    let (mut up, mut down) = (vec![0u8; BUFFER], vec![0u8; BUFFER]);
    let (mut client_open, mut app_open) = (true, true);
    let idle_timer = tokio::time::sleep(idle);
    tokio::pin!(idle_timer);
    while client_open || app_open {
        let step: io::Result<()> = tokio::select! {
            read = client.read(&mut up), if client_open => match read {
                Ok(0) => {
                    client_open = false;
                    app.shutdown().await
                }
                Ok(n) => {
                    spliced.received += n as u64;
                    app.write_all(&up[..n]).await.and(app.flush().await)
                }
                Err(e) => Err(e),
            },
            read = app.read(&mut down), if app_open => match read {
                Ok(0) => {
                    app_open = false;
                    client.shutdown().await
                }
                Ok(n) => {
                    spliced.sent += n as u64;
                    client.write_all(&down[..n]).await.and(client.flush().await)
                }
                Err(e) => Err(e),
            },
            _ = &mut idle_timer => {
                spliced.end = End::Idle;
                return spliced;
            }
        };
        if let Err(e) = step {
            log::debug!("spliced connection ended: {e}");
            spliced.end = End::Failed;
            return spliced;
        }
        idle_timer
            .as_mut()
            .reset(tokio::time::Instant::now() + idle);
    }
    spliced
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(flavor = "current_thread")]
    async fn bytes_go_both_ways_and_half_closes_pass_on() {
        let (mut client, mut client_end) = tokio::io::duplex(64);
        let (mut app, mut app_end) = tokio::io::duplex(64);
        let proxy = tokio::spawn(async move {
            splice(&mut client_end, &mut app_end, Duration::from_secs(5)).await
        });
        client.write_all(b"ping").await.unwrap();
        let mut got = [0u8; 4];
        app.read_exact(&mut got).await.unwrap();
        assert_eq!(&got, b"ping");
        app.write_all(b"pong!").await.unwrap();
        let mut got = [0u8; 5];
        client.read_exact(&mut got).await.unwrap();
        assert_eq!(&got, b"pong!");
        client.shutdown().await.unwrap();
        assert_eq!(
            app.read(&mut got).await.unwrap(),
            0,
            "the half-close reaches the app"
        );
        app.shutdown().await.unwrap();
        let spliced = proxy.await.unwrap();
        assert_eq!(
            spliced,
            Spliced {
                received: 4,
                sent: 5,
                end: End::Closed
            }
        );
    }

    #[tokio::test(flavor = "current_thread")]
    async fn silence_ends_it() {
        let (_client, mut client_end) = tokio::io::duplex(64);
        let (_app, mut app_end) = tokio::io::duplex(64);
        let spliced = splice(&mut client_end, &mut app_end, Duration::from_millis(20)).await;
        assert_eq!(spliced.end, End::Idle);
    }
}
