//! httpbin's gRPC over h2c: the standard health service, hand-rolled (5-byte message framing,
//! `grpc-status` in the trailers) so that no gRPC stack is built in. `Check` answers SERVING for
//! `""` and `httpbin`, else NOT_FOUND (status 5, trailers only); `Watch` streams the status
//! three times, 100 ms apart, then ends with status 0 (a real server keeps the stream open).
use std::collections::VecDeque;
use std::convert::Infallible;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::{BufMut, Bytes, BytesMut};
use http::{HeaderMap, HeaderValue, Response, StatusCode};
use http_body_util::BodyExt;
use hyper::body::{Body, Frame, Incoming};

use super::Reply;

/// `grpc.health.v1.HealthCheckResponse.ServingStatus.SERVING`.
const SERVING: u8 = 1;
/// How many statuses `Watch` sends, and how far apart.
pub const WATCH_MESSAGES: usize = 3;
const WATCH_GAP: Duration = Duration::from_millis(100);
const MAX_REQUEST: usize = 64 * 1024;

/// A body of frames sent one by one, `gap` apart: a stream a client sees arrive over time.
pub struct Frames {
    frames: VecDeque<Frame<Bytes>>,
    gap: Duration,
    wait: Option<Pin<Box<tokio::time::Sleep>>>,
}

impl Body for Frames {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        if let Some(wait) = self.wait.as_mut() {
            if wait.as_mut().poll(cx).is_pending() {
                return Poll::Pending;
            }
            self.wait = None;
        }
        let next = self.frames.pop_front();
        if next.as_ref().is_some_and(Frame::is_data) && !self.frames.is_empty() {
            let gap = self.gap;
            self.wait = Some(Box::pin(tokio::time::sleep(gap)));
        }
        Poll::Ready(next.map(Ok))
    }

    fn is_end_stream(&self) -> bool {
        self.frames.is_empty()
    }
}

/// One length-prefixed gRPC message (uncompressed).
pub fn message(payload: &[u8]) -> Bytes {
    let mut out = BytesMut::with_capacity(5 + payload.len());
    out.put_u8(0);
    out.put_u32(payload.len() as u32);
    out.put_slice(payload);
    out.freeze()
}

fn trailers(status: u32, text: &str) -> HeaderMap {
    let mut t = HeaderMap::new();
    t.insert("grpc-status", HeaderValue::from(status));
    if !text.is_empty()
        && let Ok(v) = HeaderValue::from_str(text)
    {
        t.insert("grpc-message", v);
    }
    t
}

fn grpc_response(frames: VecDeque<Frame<Bytes>>, gap: Duration) -> Response<Reply> {
    let mut response = Response::new(super::boxed(Frames {
        frames,
        gap,
        wait: None,
    }));
    *response.status_mut() = StatusCode::OK;
    response.headers_mut().insert(
        http::header::CONTENT_TYPE,
        HeaderValue::from_static("application/grpc"),
    );
    response
}

/// The `service` field (1, a string) of a `HealthCheckRequest` in one gRPC message.
fn service_name(body: &[u8]) -> Option<String> {
    let message = body.get(5..)?;
    let mut at = 0;
    while at < message.len() {
        let key = message[at];
        let len = usize::from(*message.get(at + 1)?);
        let value = message.get(at + 2..at + 2 + len)?;
        if key == 0x0a {
            return Some(String::from_utf8_lossy(value).into_owned());
        }
        at += 2 + len;
    }
    Some(String::new())
}

/// `POST /grpc.health.v1.Health/{Check,Watch}`.
pub async fn respond(method: &str, body: Incoming) -> Response<Reply> {
    let body = match http_body_util::Limited::new(body, MAX_REQUEST)
        .collect()
        .await
    {
        Ok(collected) => collected.to_bytes(),
        Err(_) => Bytes::new(),
    };
    let status = message(&[0x08, SERVING]);
    let mut frames = VecDeque::new();
    match (method, service_name(&body).as_deref()) {
        (_, None) => {
            frames.push_back(Frame::trailers(trailers(13, "malformed request")));
        }
        (_, Some(name)) if !name.is_empty() && name != "httpbin" => {
            frames.push_back(Frame::trailers(trailers(5, "unknown service")));
        }
        ("Check", _) => {
            frames.push_back(Frame::data(status));
            frames.push_back(Frame::trailers(trailers(0, "")));
        }
        ("Watch", _) => {
            for _ in 0..WATCH_MESSAGES {
                frames.push_back(Frame::data(status.clone()));
            }
            frames.push_back(Frame::trailers(trailers(0, "")));
        }
        _ => frames.push_back(Frame::trailers(trailers(12, "unknown method"))),
    }
    grpc_response(frames, WATCH_GAP)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_service_name_is_read_from_the_request() {
        assert_eq!(service_name(&message(b"")).as_deref(), Some(""));
        assert_eq!(
            service_name(&message(b"\x0a\x07httpbin")).as_deref(),
            Some("httpbin")
        );
        assert_eq!(service_name(b"\0\0\0"), None);
        assert_eq!(&message(&[8, 1])[..], &[0, 0, 0, 0, 2, 8, 1]);
    }
}
