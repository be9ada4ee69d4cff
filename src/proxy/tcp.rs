//! A TCP port (`TCP`, `TLS`, or `HTTPS` that is not terminated): after the handshake, if the
//! port has one, the bytes go to the app as they are, both ways, as Envoy's tcp_proxy filter
//! moves them, with its counters and Istio's access-log line for TCP.
use std::rc::Rc;
use std::time::Instant;

use time::OffsetDateTime;
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt};

use super::access_log::TcpEntry;
use super::listener::{ConnectionInfo, ListenerContext};
use super::splice::{End, splice};
use super::stats::{ListenerStats, TcpStats};
use super::telemetry::TcpConnection;

/// Proxies one established downstream stream to a fresh app connection until both are done.
/// A drain leaves it alone: the worker drops it when the drain timeout is over, as Envoy
/// closes a tcp_proxy connection at the end of its drain.
pub async fn proxy<IO>(mut client: IO, info: Rc<ConnectionInfo>, context: Rc<ListenerContext>)
where
    IO: AsyncRead + AsyncWrite + Unpin,
{
    let started = Instant::now();
    let start = OffsetDateTime::now_utc();
    let tcp = context.stats.tcp.as_ref();
    if let Some(tcp) = tcp {
        ListenerStats::count(&tcp.downstream_cx_total);
    }
    let (flags, failure, spliced, upstream_local) = match context.upstream.dedicated().await {
        Ok((mut app, _slot)) => {
            let upstream_local = app.local_addr();
            let spliced = splice(&mut client, &mut app, context.idle_timeout).await;
            if let Some(tcp) = tcp {
                TcpStats::add(&tcp.downstream_cx_rx_bytes_total, spliced.received);
                TcpStats::add(&tcp.downstream_cx_tx_bytes_total, spliced.sent);
                if spliced.end == End::Idle {
                    ListenerStats::count(&tcp.idle_timeout);
                }
            }
            ("", "", Some(spliced), upstream_local)
        }
        Err(reason) => {
            // Envoy closes the downstream connection with nothing sent: `UF`.
            log::debug!(
                "port {}: the app at {} is unreachable ({})",
                context.port,
                context.upstream.endpoint(),
                reason.envoy_text()
            );
            let _ = client.shutdown().await;
            (reason.flag(), "", None, String::new())
        }
    };
    let (received, sent) = spliced.map_or((0, 0), |s| (s.received, s.sent));
    context.stats.istio.tcp_connection(&TcpConnection {
        source: info.source(),
        flags,
        received,
        sent,
    });
    if let Some(writer) = &context.access_log {
        writer.record_tcp(&TcpEntry {
            start,
            flags,
            transport_failure: failure,
            bytes_received: received,
            bytes_sent: sent,
            duration_ms: started.elapsed().as_millis(),
            upstream_host: &context.upstream_host,
            cluster: &context.cluster,
            upstream_local: &upstream_local,
            local: &info.local,
            remote: &info.remote,
            sni: &info.sni,
        });
    }
}
