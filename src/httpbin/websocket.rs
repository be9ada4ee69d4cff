//! httpbin's `/websocket/echo` (go-httpbin's route): the RFC 6455 handshake, then every data
//! frame echoed back unmasked, pings answered, and the close echoed before the end.
use std::io;

use bytes::Bytes;
use http::header::{CONNECTION, SEC_WEBSOCKET_ACCEPT, SEC_WEBSOCKET_KEY, UPGRADE};
use http::{HeaderValue, Request, Response, StatusCode};
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

use super::Reply;

/// The largest frame echoed; a bigger one ends the connection.
const MAX_FRAME: u64 = 1024 * 1024;
const GUID: &str = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/// `Sec-WebSocket-Accept` for a client's key (RFC 6455 §4.2.2).
pub fn accept_key(key: &[u8]) -> String {
    use base64::Engine;
    let mut input = key.to_vec();
    input.extend_from_slice(GUID.as_bytes());
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA1_FOR_LEGACY_USE_ONLY, &input);
    base64::engine::general_purpose::STANDARD.encode(digest.as_ref())
}

/// Answers the handshake with 101 and echoes on the upgraded connection; 400 without one.
pub fn respond(mut request: Request<Incoming>) -> Response<Reply> {
    let upgrade = request
        .headers()
        .get(UPGRADE)
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"websocket"));
    let Some(key) = request.headers().get(SEC_WEBSOCKET_KEY).filter(|_| upgrade) else {
        return super::response(
            StatusCode::BAD_REQUEST,
            "text/plain",
            Bytes::from_static(b"not a websocket upgrade\n"),
        )
        .map(super::boxed);
    };
    let accept =
        HeaderValue::from_str(&accept_key(key.as_bytes())).unwrap_or(HeaderValue::from_static(""));
    let on = hyper::upgrade::on(&mut request);
    tokio::spawn(async move {
        match on.await {
            Ok(upgraded) => {
                if let Err(e) = echo(TokioIo::new(upgraded)).await {
                    log::debug!("httpbin websocket ended: {e}");
                }
            }
            Err(e) => log::debug!("httpbin websocket upgrade failed: {e}"),
        }
    });
    let mut response = Response::new(super::boxed(http_body_util::Full::new(Bytes::new())));
    *response.status_mut() = StatusCode::SWITCHING_PROTOCOLS;
    let h = response.headers_mut();
    h.insert(UPGRADE, HeaderValue::from_static("websocket"));
    h.insert(CONNECTION, HeaderValue::from_static("Upgrade"));
    h.insert(SEC_WEBSOCKET_ACCEPT, accept);
    response
}

fn frame(first: u8, payload: &[u8]) -> Vec<u8> {
    let mut out = vec![first];
    match payload.len() {
        n if n < 126 => out.push(n as u8),
        n if n <= usize::from(u16::MAX) => {
            out.push(126);
            out.extend_from_slice(&(n as u16).to_be_bytes());
        }
        n => {
            out.push(127);
            out.extend_from_slice(&(n as u64).to_be_bytes());
        }
    }
    out.extend_from_slice(payload);
    out
}

/// Echoes frames until the client closes.
pub async fn echo<S: AsyncRead + AsyncWrite + Unpin>(mut s: S) -> io::Result<()> {
    loop {
        let mut head = [0u8; 2];
        s.read_exact(&mut head).await?;
        let opcode = head[0] & 0x0f;
        let mut len = u64::from(head[1] & 0x7f);
        if len == 126 {
            let mut b = [0u8; 2];
            s.read_exact(&mut b).await?;
            len = u64::from(u16::from_be_bytes(b));
        } else if len == 127 {
            let mut b = [0u8; 8];
            s.read_exact(&mut b).await?;
            len = u64::from_be_bytes(b);
        }
        if len > MAX_FRAME {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "frame too large",
            ));
        }
        let mut mask = [0u8; 4];
        if head[1] & 0x80 != 0 {
            s.read_exact(&mut mask).await?;
        }
        let mut payload = vec![0u8; len as usize];
        s.read_exact(&mut payload).await?;
        for (i, b) in payload.iter_mut().enumerate() {
            *b ^= mask[i % 4];
        }
        match opcode {
            0x8 => {
                s.write_all(&frame(0x88, &payload)).await?;
                s.flush().await?;
                return Ok(());
            }
            0x9 => s.write_all(&frame(0x8A, &payload)).await?,
            0xA => {}
            _ => s.write_all(&frame(head[0], &payload)).await?,
        }
        s.flush().await?;
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_rfc_example_key_gives_its_accept() {
        assert_eq!(
            super::accept_key(b"dGhlIHNhbXBsZSBub25jZQ=="),
            "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
        );
    }
}
