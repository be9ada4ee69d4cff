//! The embedded app: enough of httpbin (kennethreitz/httpbin, the page's image) for the task,
//! its checks and the benchmarks, on one lightweight thread; plus what other ports need with
//! no outside app: a WebSocket echo, gRPC health over h2c, and a TCP echo.
mod grpc;
mod tcp_echo;
mod websocket;

pub use grpc::{WATCH_MESSAGES, message as grpc_message};
use std::collections::BTreeMap;
use std::convert::Infallible;
use std::net::{SocketAddr, TcpListener as StdListener};
use std::thread::JoinHandle;
use std::time::Duration;
pub use websocket::accept_key as websocket_accept_key;

use bytes::Bytes;
use http::header::{self, HeaderName, HeaderValue};
use http::{Method, Request, Response, StatusCode};
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use serde_json::{Map, Value, json};
use tokio::net::TcpListener;
use tokio::sync::watch;

/// Longest `/delay/{n}` (seconds) and largest `/bytes/{n}` and request body we serve.
pub const MAX_DELAY_SECONDS: u64 = 10;
pub const MAX_BYTES: usize = 100 * 1024;
const MAX_REQUEST_BODY: usize = 1024 * 1024;
/// Largest `/fixed/{n}` response and `/discard` request body (the benchmark's large bodies).
pub const MAX_FIXED_BYTES: u64 = 64 * 1024 * 1024;
/// What `/fixed/{n}` sends, again and again: no copy, no random numbers, nothing to compute.
static FILL: [u8; 64 * 1024] = [b'x'; 64 * 1024];

const SERVER: HeaderValue = HeaderValue::from_static("gunicorn/19.9.0");

/// What every route answers with.
pub type Reply = BoxBody<Bytes, Infallible>;

fn boxed<B>(body: B) -> Reply
where
    B: hyper::body::Body<Data = Bytes, Error = Infallible> + Send + Sync + 'static,
{
    BoxBody::new(body)
}

/// A running httpbin; `shutdown` stops it.
pub struct RunningHttpbin {
    pub address: SocketAddr,
    /// The TCP echo's address, when one was asked for.
    pub tcp_echo: Option<SocketAddr>,
    stop: watch::Sender<bool>,
    thread: JoinHandle<()>,
}

impl RunningHttpbin {
    pub fn shutdown(self) {
        let _ = self.stop.send(true);
        let _ = self.thread.join();
    }
}

/// Binds `address` and serves httpbin on a thread of its own.
pub fn start(address: SocketAddr) -> std::io::Result<RunningHttpbin> {
    start_with(address, None)
}

/// `start`, and a TCP echo on `tcp_echo` when given.
pub fn start_with(
    address: SocketAddr,
    tcp_echo: Option<SocketAddr>,
) -> std::io::Result<RunningHttpbin> {
    let socket = StdListener::bind(address)?;
    socket.set_nonblocking(true)?;
    let address = socket.local_addr()?;
    let echo_socket = match tcp_echo {
        Some(echo) => {
            let echo = StdListener::bind(echo)?;
            echo.set_nonblocking(true)?;
            Some(echo)
        }
        None => None,
    };
    let tcp_echo = match &echo_socket {
        Some(echo) => Some(echo.local_addr()?),
        None => None,
    };
    let (stop, mut stopped) = watch::channel(false);
    let thread =
        std::thread::Builder::new()
            .name("httpbin".to_string())
            .spawn(move || {
                let runtime = match tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    Ok(runtime) => runtime,
                    Err(e) => {
                        log::error!("httpbin runtime: {e}");
                        return;
                    }
                };
                runtime.block_on(async move {
            let Ok(listener) = TcpListener::from_std(socket) else { return };
            if let Some(echo) = echo_socket.and_then(|e| TcpListener::from_std(e).ok()) {
                tokio::spawn(tcp_echo::serve(echo));
            }
            loop {
                tokio::select! {
                    accepted = listener.accept() => {
                        let Ok((stream, remote)) = accepted else { continue };
                        let _ = stream.set_nodelay(true);
                        tokio::spawn(async move {
                            let service = service_fn(move |request| respond(request, remote));
                            let builder = hyper_util::server::conn::auto::Builder::new(
                                hyper_util::rt::TokioExecutor::new(),
                            );
                            let _ = builder
                                .serve_connection_with_upgrades(TokioIo::new(stream), service)
                                .await;
                        });
                    }
                    _ = stopped.wait_for(|s| *s) => break,
                }
            }
        });
            })?;
    Ok(RunningHttpbin {
        address,
        tcp_echo,
        stop,
        thread,
    })
}

fn response(status: StatusCode, content_type: &'static str, body: Bytes) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(body));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(header::SERVER, SERVER);
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_CREDENTIALS,
        HeaderValue::from_static("true"),
    );
    response
}

fn json_response(value: &Value) -> Response<Full<Bytes>> {
    let mut text = serde_json::to_string_pretty(value).unwrap_or_default();
    text.push('\n');
    response(StatusCode::OK, "application/json", Bytes::from(text))
}

/// httpbin's view of headers: `Title-Case` names, one value each.
fn headers_object(request_headers: &http::HeaderMap) -> Value {
    let mut map = BTreeMap::new();
    for (name, value) in request_headers {
        map.insert(title_case(name), Value::from(value.to_str().unwrap_or("")));
    }
    Value::Object(map.into_iter().collect())
}

fn title_case(name: &HeaderName) -> String {
    name.as_str()
        .split('-')
        .map(|part| {
            let mut chars = part.chars();
            match chars.next() {
                Some(first) => first.to_uppercase().chain(chars).collect(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join("-")
}

fn args_object(query: Option<&str>) -> Value {
    let mut map = Map::new();
    for pair in query.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        map.insert(key.to_string(), Value::from(value));
    }
    Value::Object(map)
}

fn url(parts: &http::request::Parts) -> String {
    let host = parts
        .headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .or_else(|| parts.uri.authority().map(|a| a.as_str()))
        .unwrap_or("localhost");
    let scheme = parts
        .headers
        .get("x-forwarded-proto")
        .and_then(|h| h.to_str().ok())
        .unwrap_or("http");
    format!(
        "{scheme}://{host}{}",
        parts
            .uri
            .path_and_query()
            .map(|p| p.as_str())
            .unwrap_or("/")
    )
}

fn not_found() -> Response<Full<Bytes>> {
    response(
        StatusCode::NOT_FOUND,
        "text/html",
        Bytes::from_static(b"<h1>Not Found</h1>\n"),
    )
}

/// What `/get` and `/delay/N` answer: the query, headers, caller and URL of the request.
fn echo(parts: &http::request::Parts, origin: String) -> Value {
    json!({
        "args": args_object(parts.uri.query()),
        "headers": headers_object(&parts.headers),
        "origin": origin,
        "url": url(parts),
    })
}

async fn respond(
    request: Request<Incoming>,
    remote: SocketAddr,
) -> Result<Response<Reply>, Infallible> {
    let path = request.uri().path();
    let grpc = request
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/grpc"));
    if request.method() == Method::GET && path == "/websocket/echo" {
        return Ok(websocket::respond(request));
    }
    if matches!(*request.method(), Method::GET | Method::HEAD)
        && let Some(n) = path.strip_prefix("/fixed/")
    {
        return Ok(fixed(n));
    }
    if request.method() == Method::POST && path == "/discard" {
        return Ok(discard(request.into_body()).await);
    }
    if grpc
        && request.method() == Method::POST
        && let Some(method) = path.strip_prefix("/grpc.health.v1.Health/")
    {
        let method = method.to_string();
        return Ok(grpc::respond(&method, request.into_body()).await);
    }
    Ok(respond_plain(request, remote).await?.map(boxed))
}

async fn respond_plain(
    request: Request<Incoming>,
    remote: SocketAddr,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let path = request.uri().path().to_string();
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let origin = remote.ip().to_string();
    // As in httpbin (Flask), every GET route answers HEAD; hyper leaves the body out.
    let method = match request.method() {
        &Method::HEAD => Method::GET,
        other => other.clone(),
    };
    Ok(match (&method, segments.as_slice()) {
        (_, ["status", codes]) => status(codes),
        (&Method::GET, ["headers"]) => {
            json_response(&json!({ "headers": headers_object(request.headers()) }))
        }
        (&Method::GET, ["ip"]) => json_response(&json!({ "origin": origin })),
        (&Method::GET, ["get"]) => json_response(&echo(&request.into_parts().0, origin)),
        (_, ["anything", ..]) => anything(request, origin).await,
        (_, ["delay", n]) => match n.parse::<u64>() {
            Ok(seconds) => {
                tokio::time::sleep(Duration::from_secs(seconds.min(MAX_DELAY_SECONDS))).await;
                json_response(&echo(&request.into_parts().0, origin))
            }
            Err(_) => not_found(),
        },
        (&Method::GET, ["bytes", n]) => match n.parse::<usize>() {
            Ok(count) => {
                let mut bytes = vec![0u8; count.min(MAX_BYTES)];
                let _ = aws_lc_rs::rand::fill(&mut bytes);
                response(
                    StatusCode::OK,
                    "application/octet-stream",
                    Bytes::from(bytes),
                )
            }
            Err(_) => not_found(),
        },
        _ => not_found(),
    })
}

/// A body of `left` bytes of `FILL`, 64 KiB a frame.
struct Fixed {
    left: u64,
}

impl hyper::body::Body for Fixed {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<hyper::body::Frame<Bytes>, Infallible>>> {
        if self.left == 0 {
            return std::task::Poll::Ready(None);
        }
        let n = usize::try_from(self.left).map_or(FILL.len(), |left| left.min(FILL.len()));
        self.left -= n as u64;
        let chunk = Bytes::from_static(&FILL[..n]);
        std::task::Poll::Ready(Some(Ok(hyper::body::Frame::data(chunk))))
    }

    fn is_end_stream(&self) -> bool {
        self.left == 0
    }

    fn size_hint(&self) -> hyper::body::SizeHint {
        hyper::body::SizeHint::with_exact(self.left)
    }
}

/// `/fixed/{n}` (not in httpbin; for the benchmark): `n` bytes of `x`, at most 64 MiB, sent
/// from one static buffer, so the app costs next to nothing per byte.
fn fixed(n: &str) -> Response<Reply> {
    let Ok(count) = n.parse::<u64>() else {
        return not_found().map(boxed);
    };
    let count = count.min(MAX_FIXED_BYTES);
    let mut reply = response(StatusCode::OK, "application/octet-stream", Bytes::new()).map(boxed);
    *reply.body_mut() = boxed(Fixed { left: count });
    reply
        .headers_mut()
        .insert(header::CONTENT_LENGTH, HeaderValue::from(count));
    reply
}

/// `POST /discard` (not in httpbin; for the benchmark): reads the request body and drops it,
/// answering with its size; a body over 64 MiB gets a 413.
async fn discard(mut body: Incoming) -> Response<Reply> {
    let mut total = 0u64;
    while let Some(frame) = body.frame().await {
        let Ok(frame) = frame else {
            return response(StatusCode::BAD_REQUEST, "text/html", Bytes::new()).map(boxed);
        };
        if let Some(data) = frame.data_ref() {
            total += data.len() as u64;
        }
        if total > MAX_FIXED_BYTES {
            let text = Bytes::from_static(b"request body too large\n");
            return response(StatusCode::PAYLOAD_TOO_LARGE, "text/html", text).map(boxed);
        }
    }
    let text = format!("{{\"bytes\": {total}}}\n");
    response(StatusCode::OK, "application/json", Bytes::from(text)).map(boxed)
}

/// `/status/{code}` or `/status/{a,b,…}` (one picked at random, as httpbin does).
fn status(codes: &str) -> Response<Full<Bytes>> {
    let choices: Vec<&str> = codes.split(',').collect();
    let pick = if choices.len() > 1 {
        let mut byte = [0u8; 1];
        let _ = aws_lc_rs::rand::fill(&mut byte);
        choices[usize::from(byte[0]) % choices.len()]
    } else {
        choices[0]
    };
    let Some(code) = pick
        .trim()
        .parse::<u16>()
        .ok()
        .and_then(|c| StatusCode::from_u16(c).ok())
    else {
        return response(
            StatusCode::BAD_REQUEST,
            "text/html; charset=utf-8",
            Bytes::from_static(b"Invalid status code\n"),
        );
    };
    let body = if code == StatusCode::IM_A_TEAPOT {
        Bytes::from_static(b"\n    -=[ teapot ]=-\n\n       _...._\n     .'  _ _ `.\n    | .\"` ^ `\". _,\n    \\_;`\"---\"`|//\n      |       ;/\n      \\_     _/\n        `\"\"\"`\n")
    } else {
        Bytes::new()
    };
    response(code, "text/html; charset=utf-8", body)
}

async fn anything(request: Request<Incoming>, origin: String) -> Response<Full<Bytes>> {
    let (parts, body) = request.into_parts();
    let data = match Limited::new(body, MAX_REQUEST_BODY).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(_) => {
            return response(
                StatusCode::PAYLOAD_TOO_LARGE,
                "text/html",
                Bytes::from_static(b"request body too large\n"),
            );
        }
    };
    let text = String::from_utf8_lossy(&data).into_owned();
    let parsed: Value = serde_json::from_slice(&data).unwrap_or(Value::Null);
    json_response(&json!({
        "args": args_object(parts.uri.query()),
        "data": text,
        "files": {},
        "form": {},
        "headers": headers_object(&parts.headers),
        "json": parsed,
        "method": parts.method.as_str(),
        "origin": origin,
        "url": url(&parts),
    }))
}
