//! An h2 client's bodiless GETs and HEADs sent on the lean path's raw app connections: the request
//! head written straight from its parts, the response head checked once into hyper's response
//! parts, the body handed on as the app framed it, the connection pooled.
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, ready};

use bytes::Bytes;
use http::header::CONTENT_LENGTH;
use http::{Method, Request, Response};
use hyper::body::{Body, Frame, SizeHint};
use tokio::io::AsyncWriteExt;

use super::chunked::{Decoder, Step};
use super::exchange::{BODY_ROOM, HeadRead, read_response_head};
use super::request::HEAD_ROOM;
use super::response::{self, Framing, ResponseHead};
use crate::proxy::forward::{Failure, RawConnection, ResetReason, Upstream};

/// Whether `request`, which came in over `downstream`, goes on a raw connection: an h2 client's
/// GET or HEAD with no body (hyper's client writes those with no framing header either, so the
/// app sees the same head). An HTTP/1.1 request that hyper serves is one the lean path handed
/// over, and its connection keeps to hyper's client: one connection to the app, as the lean
/// path's (or Envoy's) would be, rather than one in each pool.
pub fn suits<B: Body>(request: &Request<B>, downstream: http::Version) -> bool {
    downstream == http::Version::HTTP_2
        && (request.method() == Method::GET || request.method() == Method::HEAD)
        && request.body().is_end_stream()
        && request
            .headers()
            .get(CONTENT_LENGTH)
            .is_none_or(|v| v.as_bytes() == b"0")
}

/// The request head as hyper's client writes it: origin-form target, the headers in order.
fn write_head(parts: &http::request::Parts, out: &mut Vec<u8>) {
    out.extend_from_slice(parts.method.as_str().as_bytes());
    out.push(b' ');
    let target = parts.uri.path_and_query().map_or("/", |p| p.as_str());
    out.extend_from_slice(target.as_bytes());
    out.extend_from_slice(b" HTTP/1.1\r\n");
    for (name, value) in &parts.headers {
        out.extend_from_slice(name.as_str().as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(value.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"\r\n");
}

/// Sends a request `suits` chose and reads the response head. A reused connection that turns
/// out closed before any answer is retried once on a fresh one (GET and HEAD are safe to
/// repeat), as the lean path does.
pub async fn send<B: Body>(
    upstream: &Rc<Upstream>,
    request: Request<B>,
) -> Result<Response<RawBody>, Failure> {
    let (parts, _) = request.into_parts();
    let request_is_head = parts.method == Method::HEAD;
    let mut head = Vec::with_capacity(HEAD_ROOM);
    write_head(&parts, &mut head);
    for attempt in 0..2 {
        let mut app = upstream.raw().await.map_err(Failure::App)?;
        let retry = attempt == 0 && app.reused;
        if app.stream.write_all(&head).await.is_err() {
            if retry {
                continue;
            }
            break;
        }
        let parse = |buf: &[u8]| {
            response::parse_parts(buf, request_is_head).map(|(head, parts)| {
                let len = head.len;
                ((head, parts), len)
            })
        };
        match read_response_head(&mut app, retry, parse).await {
            HeadRead::Read((head, parts)) => {
                let body = RawBody::new(app, &head, upstream);
                return Ok(Response::from_parts(parts, body));
            }
            HeadRead::Retry => continue,
            HeadRead::Failed => {
                log::debug!(
                    "the app at {} sent no valid response head",
                    upstream.endpoint()
                );
                break;
            }
        }
    }
    upstream.count_reset();
    Err(Failure::App(ResetReason::ConnectionTermination))
}

#[derive(Debug)]
enum State {
    /// This many body bytes are still to come.
    Length(u64),
    Chunked(Decoder),
    UntilClose,
    Done,
}

/// The app's response body on a raw connection, handed to hyper frame by frame without a copy;
/// the connection goes back to the pool once the body has been read to its end.
pub struct RawBody {
    app: Option<RawConnection>,
    state: State,
    keep_alive: bool,
    upstream: Rc<Upstream>,
}

impl RawBody {
    fn new(app: RawConnection, head: &ResponseHead, upstream: &Rc<Upstream>) -> RawBody {
        let state = match head.framing {
            Framing::Empty | Framing::Length(0) => State::Done,
            Framing::Length(n) => State::Length(n),
            Framing::Chunked => State::Chunked(Decoder::default()),
            Framing::UntilClose => State::UntilClose,
        };
        let mut body = RawBody {
            app: Some(app),
            state,
            keep_alive: head.app_keeps_alive,
            upstream: Rc::clone(upstream),
        };
        if matches!(body.state, State::Done) {
            body.finish();
        }
        body
    }

    /// The body has been read to its end: the connection is pooled if the app keeps it open.
    fn finish(&mut self) {
        self.state = State::Done;
        if let Some(app) = self.app.take()
            && self.keep_alive
        {
            self.upstream.checkin_raw(app);
        }
    }
}

type BodyError = Box<dyn std::error::Error + Send + Sync>;

impl Body for RawBody {
    type Data = Bytes;
    type Error = BodyError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BodyError>>> {
        let this = self.get_mut();
        loop {
            let Some(app) = this.app.as_mut() else {
                return Poll::Ready(None);
            };
            match &mut this.state {
                State::Done => return Poll::Ready(None),
                State::Length(left) if !app.unread.is_empty() => {
                    let n = usize::try_from(*left)
                        .unwrap_or(usize::MAX)
                        .min(app.unread.len());
                    let data = app.unread.split_to(n).freeze();
                    *left -= n as u64;
                    if *left == 0 {
                        this.finish();
                    }
                    return Poll::Ready(Some(Ok(Frame::data(data))));
                }
                State::Chunked(decoder) => match decoder.step(&mut app.unread) {
                    Ok(Step::Data(n)) => {
                        let data = app.unread.split_to(n).freeze();
                        return Poll::Ready(Some(Ok(Frame::data(data))));
                    }
                    Ok(Step::Done) => {
                        this.finish();
                        return Poll::Ready(None);
                    }
                    Ok(Step::NeedMore) => {}
                    Err(e) => {
                        this.app = None;
                        return Poll::Ready(Some(Err(Box::new(e))));
                    }
                },
                State::UntilClose if !app.unread.is_empty() => {
                    let data = app.unread.split().freeze();
                    return Poll::Ready(Some(Ok(Frame::data(data))));
                }
                State::Length(_) | State::UntilClose => {}
            }
            app.unread.reserve(BODY_ROOM);
            match ready!(tokio_util::io::poll_read_buf(
                Pin::new(&mut app.stream),
                cx,
                &mut app.unread
            )) {
                Ok(0) if matches!(this.state, State::UntilClose) => {
                    this.state = State::Done;
                    this.app = None;
                    return Poll::Ready(None);
                }
                Ok(0) => {
                    this.app = None;
                    let closed = std::io::Error::from(std::io::ErrorKind::UnexpectedEof);
                    return Poll::Ready(Some(Err(Box::new(closed))));
                }
                Ok(_) => {}
                Err(e) => {
                    this.app = None;
                    return Poll::Ready(Some(Err(Box::new(e))));
                }
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        matches!(self.state, State::Done)
    }

    fn size_hint(&self) -> SizeHint {
        match self.state {
            State::Length(left) => SizeHint::with_exact(left),
            State::Done => SizeHint::with_exact(0),
            State::Chunked(_) | State::UntilClose => SizeHint::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use http_body_util::BodyExt;
    use tokio::io::AsyncReadExt;
    use tokio::net::TcpListener;

    use super::*;
    use crate::proxy::config::{Endpoint, Protocol, UpstreamLimits};
    use crate::proxy::stats::ListenerStats;
    use crate::proxy::telemetry::tests::metrics;

    fn request(method: Method) -> Request<http_body_util::Empty<Bytes>> {
        let mut request = Request::new(http_body_util::Empty::new());
        *request.method_mut() = method;
        *request.uri_mut() = http::Uri::from_static("/a?b=c");
        let h = request.headers_mut();
        h.insert(http::header::HOST, "httpbin.test".parse().expect("value"));
        h.append("x-two", "1".parse().expect("value"));
        h.append("x-two", "2".parse().expect("value"));
        request
    }

    #[test]
    fn only_bodiless_gets_and_heads_suit() {
        let h2 = http::Version::HTTP_2;
        assert!(suits(&request(Method::GET), h2));
        assert!(suits(&request(Method::HEAD), h2));
        assert!(!suits(&request(Method::GET), http::Version::HTTP_11));
        assert!(!suits(&request(Method::POST), h2));
        let mut with_length = request(Method::GET);
        with_length
            .headers_mut()
            .insert(CONTENT_LENGTH, "3".parse().expect("value"));
        assert!(!suits(&with_length, h2));
        let with_body = Request::new(http_body_util::Full::new(Bytes::from_static(b"x")));
        assert!(!suits(&with_body, h2));
    }

    #[test]
    fn the_head_is_written_as_hyper_writes_it() {
        let (parts, _) = request(Method::GET).into_parts();
        let mut out = Vec::new();
        write_head(&parts, &mut out);
        assert_eq!(
            String::from_utf8(out).expect("ascii"),
            "GET /a?b=c HTTP/1.1\r\nhost: httpbin.test\r\nx-two: 1\r\nx-two: 2\r\n\r\n"
        );
    }

    /// An app that answers each request on one connection with the next of `answers`, and
    /// reports the heads it read.
    async fn scripted_app(
        answers: Vec<&'static str>,
    ) -> (std::net::SocketAddr, tokio::task::JoinHandle<Vec<String>>) {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let task = tokio::task::spawn_local(async move {
            let (mut stream, _) = listener.accept().await.expect("accept");
            let mut heads = Vec::new();
            for answer in answers {
                let mut buf = Vec::new();
                while !buf.ends_with(b"\r\n\r\n") {
                    let mut byte = [0u8; 1];
                    if stream.read(&mut byte).await.expect("read") == 0 {
                        return heads;
                    }
                    buf.push(byte[0]);
                }
                heads.push(String::from_utf8(buf).expect("ascii"));
                stream.write_all(answer.as_bytes()).await.expect("write");
            }
            heads
        });
        (addr, task)
    }

    fn upstream(addr: std::net::SocketAddr) -> Rc<Upstream> {
        let stats = Arc::new(ListenerStats::new(false, metrics(None)));
        Upstream::new(
            Endpoint::Tcp(addr),
            Protocol::Http,
            UpstreamLimits::default(),
            4,
            stats,
        )
    }

    /// Runs `test` as a proxy worker runs: one thread, local tasks.
    fn on_one_worker(test: impl std::future::Future<Output = ()>) {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        tokio::task::LocalSet::new().block_on(&runtime, test);
    }

    async fn body_of(response: Response<RawBody>) -> Result<Vec<u8>, BodyError> {
        Ok(response.into_body().collect().await?.to_bytes().to_vec())
    }

    #[test]
    fn framed_bodies_come_through_and_the_connection_is_reused() {
        on_one_worker(async {
            let (addr, app) = scripted_app(vec![
                "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: x-hop\r\nX-Hop: 1\r\nServer: app\r\n\r\nhello",
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-App: 1\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\nTrailer: x\r\n\r\n",
                "HTTP/1.1 204 No Content\r\nContent-Length: 7\r\n\r\n",
                "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nhead",
            ])
            .await;
            let upstream = upstream(addr);
            let first = send(&upstream, request(Method::GET)).await.expect("first");
            assert_eq!(first.status(), 200);
            assert!(first.headers().get("x-hop").is_none());
            // Kept where it stands, for the sidecar's own to overwrite in place, as Envoy does.
            assert_eq!(first.headers()["server"], "app");
            assert_eq!(first.headers()["content-length"], "5");
            assert_eq!(body_of(first).await.expect("body"), b"hello");

            let second = send(&upstream, request(Method::GET)).await.expect("second");
            assert!(second.headers().get("transfer-encoding").is_none());
            assert_eq!(second.headers()["x-app"], "1");
            assert_eq!(body_of(second).await.expect("body"), b"abcde");

            let third = send(&upstream, request(Method::GET)).await.expect("third");
            assert_eq!(third.status(), 204);
            assert!(third.body().is_end_stream());
            assert!(third.headers().get("content-length").is_none());

            // A HEAD answer's length announces a body that never comes.
            let fourth = send(&upstream, request(Method::HEAD))
                .await
                .expect("fourth");
            assert!(fourth.body().is_end_stream());
            assert_eq!(fourth.headers()["content-length"], "4");
            drop(fourth);

            let heads = app.await.expect("app");
            assert_eq!(heads.len(), 4, "one connection carried all four: {heads:?}");
            assert!(heads[3].starts_with("HEAD /a?b=c HTTP/1.1\r\n"));
            assert_eq!(
                upstream
                    .stats()
                    .upstream_rq_reset
                    .load(std::sync::atomic::Ordering::Relaxed),
                0
            );
        });
    }

    #[test]
    fn broken_answers_are_resets_and_a_cut_body_is_an_error() {
        on_one_worker(async {
            let (addr, _app) = scripted_app(vec![
                "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n",
            ])
            .await;
            let upstream = upstream(addr);
            let refused = send(&upstream, request(Method::GET)).await;
            assert!(matches!(
                refused,
                Err(Failure::App(ResetReason::ConnectionTermination))
            ));
            assert_eq!(
                upstream
                    .stats()
                    .upstream_rq_reset
                    .load(std::sync::atomic::Ordering::Relaxed),
                1
            );

            let (addr, app) =
                scripted_app(vec!["HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort"]).await;
            let upstream = self::upstream(addr);
            let cut = send(&upstream, request(Method::GET)).await.expect("head");
            let done = app.await.expect("app");
            drop(done);
            assert!(body_of(cut).await.is_err(), "a body cut short is an error");

            let (addr, app) = scripted_app(vec!["HTTP/1.1 200 OK\r\n\r\nuntil close"]).await;
            let upstream = self::upstream(addr);
            let until_close = send(&upstream, request(Method::GET)).await.expect("head");
            drop(app.await.expect("app"));
            assert_eq!(body_of(until_close).await.expect("body"), b"until close");
        });
    }
}
