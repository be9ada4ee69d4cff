//! HTTP/1.1 upgrades as Istio's HTTP connection manager does them (`upgrade_configs:
//! [websocket]`): a WebSocket upgrade goes to the app on a connection of its own, with its
//! `Connection`/`Upgrade` headers, and after the app's 101 the bytes are spliced both ways. An
//! `h2c` upgrade is stripped and served as a plain request (Envoy's codec drops it); any other
//! upgrade type is refused with Envoy's 403 `upgrade_failed`.
use std::time::Duration;

use http::header::{CONNECTION, UPGRADE};
use http::{HeaderMap, HeaderValue, Request, Response, StatusCode, Version};
use hyper::body::Incoming;

use super::body::RequestBody;
use hyper::upgrade::OnUpgrade;
use hyper_util::rt::TokioIo;

use super::forward::{Failure, ResetReason, Upstream};
use super::listener::InFlight;
use super::splice::splice;

/// What a request asks for by way of an upgrade.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Upgrade {
    /// No upgrade (or one Envoy strips: `h2c`, or `Upgrade` without `Connection: upgrade`).
    None,
    /// `Upgrade: websocket`, the value as sent.
    WebSocket(HeaderValue),
    /// An upgrade type the listener does not allow: Envoy answers 403.
    Refused,
}

/// Whether `value` (a `Connection` header) lists `token`.
fn lists(value: &HeaderValue, token: &str) -> bool {
    value
        .as_bytes()
        .split(|&b| b == b',')
        .any(|t| t.trim_ascii().eq_ignore_ascii_case(token.as_bytes()))
}

/// The upgrade a request head asks for. Only HTTP/1.1 has one: h2's extended CONNECT is not
/// enabled on Istio's inbound listeners, as here.
pub fn requested(version: Version, headers: &HeaderMap) -> Upgrade {
    if version != Version::HTTP_11 {
        return Upgrade::None;
    }
    let Some(value) = headers.get(UPGRADE) else {
        return Upgrade::None;
    };
    if !headers
        .get_all(CONNECTION)
        .iter()
        .any(|c| lists(c, "upgrade"))
    {
        return Upgrade::None;
    }
    let first = value
        .as_bytes()
        .split(|&b| b == b',')
        .next()
        .unwrap_or_default()
        .trim_ascii();
    if first.eq_ignore_ascii_case(b"websocket") {
        Upgrade::WebSocket(value.clone())
    } else if first.eq_ignore_ascii_case(b"h2c") {
        Upgrade::None
    } else {
        Upgrade::Refused
    }
}

/// Puts back the headers of a WebSocket upgrade (hop-by-hop ones, stripped on the way):
/// `Connection` as the other side wrote it (Envoy passes the app's `Upgrade` on as it is),
/// `upgrade` when it wrote none.
pub fn restore(headers: &mut HeaderMap, connection: Option<HeaderValue>, value: HeaderValue) {
    let connection = connection.unwrap_or(HeaderValue::from_static("upgrade"));
    headers.insert(CONNECTION, connection);
    headers.insert(UPGRADE, value);
}

/// The `Connection` header of an upgrade, when it is one value that lists `upgrade`.
pub fn connection_of(headers: &HeaderMap) -> Option<HeaderValue> {
    headers
        .get(CONNECTION)
        .filter(|c| lists(c, "upgrade"))
        .cloned()
}

/// Sends an upgrade request to the app on a connection of its own. On a 101 the response
/// goes back to the client, and a task splices the two upgraded streams once hyper has
/// written it; any other answer is an ordinary response.
pub async fn send(
    upstream: &Upstream,
    request: Request<RequestBody>,
    downstream: OnUpgrade,
    idle: Duration,
    in_flight: InFlight,
) -> Result<Response<Incoming>, Failure> {
    let (stream, slot) = upstream.dedicated().await.map_err(Failure::App)?;
    let (mut sender, connection) = hyper::client::conn::http1::Builder::new()
        .handshake(TokioIo::new(stream))
        .await
        .map_err(|_| Failure::App(ResetReason::ConnectionFailure))?;
    tokio::task::spawn_local(async move {
        if let Err(e) = connection.with_upgrades().await {
            log::debug!("upgrade connection to the app ended: {e}");
        }
    });
    let mut response = match sender.send_request(request).await {
        Ok(response) => response,
        Err(e) if e.is_user() => return Err(Failure::RequestBody),
        Err(_) => {
            upstream.count_reset();
            return Err(Failure::App(ResetReason::ConnectionTermination));
        }
    };
    if response.status() == StatusCode::SWITCHING_PROTOCOLS {
        let app = hyper::upgrade::on(&mut response);
        tokio::task::spawn_local(async move {
            let (client, app) = match (downstream.await, app.await) {
                (Ok(client), Ok(app)) => (client, app),
                (Err(e), _) | (_, Err(e)) => {
                    log::debug!("upgrade not completed: {e}");
                    return;
                }
            };
            let (mut client, mut app) = (TokioIo::new(client), TokioIo::new(app));
            let spliced = splice(&mut client, &mut app, idle).await;
            log::debug!("upgraded stream ended: {spliced:?}");
            drop((slot, in_flight));
        });
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (name, value) in pairs {
            h.append(*name, HeaderValue::from_static(value));
        }
        h
    }

    #[test]
    fn websocket_passes_h2c_is_stripped_and_others_are_refused() {
        let v11 = Version::HTTP_11;
        let ws = head(&[
            ("connection", "keep-alive, Upgrade"),
            ("upgrade", "WebSocket"),
        ]);
        assert_eq!(
            requested(v11, &ws),
            Upgrade::WebSocket(HeaderValue::from_static("WebSocket"))
        );
        assert_eq!(requested(Version::HTTP_2, &ws), Upgrade::None);
        let h2c = head(&[
            ("connection", "Upgrade, HTTP2-Settings"),
            ("upgrade", "h2c"),
        ]);
        assert_eq!(requested(v11, &h2c), Upgrade::None);
        let other = head(&[("connection", "upgrade"), ("upgrade", "foo/2")]);
        assert_eq!(requested(v11, &other), Upgrade::Refused);
        let no_connection = head(&[("upgrade", "websocket")]);
        assert_eq!(requested(v11, &no_connection), Upgrade::None);
        assert_eq!(requested(v11, &HeaderMap::new()), Upgrade::None);
    }
}
