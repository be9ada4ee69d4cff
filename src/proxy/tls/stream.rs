//! A downstream TLS session on rustls' unbuffered API: the ciphertext and plaintext buffers are
//! ours and held only while bytes are in flight, so an idle connection keeps none of them.
//! Reads take one record's room at a time, and 64 KiB once data streams in.
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};

use rustls::ServerConfig;
use rustls::server::{Acceptor, ClientHello, ServerConnectionData, UnbufferedServerConnection};
use rustls::unbuffered::{
    ConnectionState, EncodeError, EncodeTlsData, EncryptError, InsufficientSizeError, ReadTraffic,
    WriteTraffic,
};
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::TcpStream;

/// Room for the largest record rustls accepts (2^14 bytes, 2,048 of expansion, the header).
const RECORD: usize = 16 * 1024 + 2048 + 5;
/// How much one read takes from the socket while data streams in.
pub const AHEAD: usize = 64 * 1024;
/// The most plaintext one write encrypts (four full records).
const WRITE_CHUNK: usize = 64 * 1024;
/// Plaintext gathered from a vectored write into one record, rather than a record each.
const GATHER: usize = 16 * 1024;
/// A record's header, AEAD tag and TLS 1.3 content type, with room to spare.
const RECORD_OVERHEAD: usize = 64;
/// How many alert records a failed session may still send.
const MAX_ALERTS: usize = 4;

/// A server-side TLS session over a TCP stream.
pub struct TlsStream {
    tcp: TcpStream,
    conn: UnbufferedServerConnection,
    /// Ciphertext read: `incoming[consumed..]` not yet processed by rustls.
    incoming: Vec<u8>,
    consumed: usize,
    /// Plaintext decrypted but not yet handed out: `plain[plain_at..]`.
    plain: Vec<u8>,
    plain_at: usize,
    /// Ciphertext to send: `outgoing[sent..queued]`; beyond `queued`, room already zeroed.
    outgoing: Vec<u8>,
    sent: usize,
    queued: usize,
    /// Whether the last read filled what it offered: read ahead.
    streaming_in: bool,
    /// The client's close_notify arrived (reads end cleanly), or its socket reached EOF.
    peer_closed: bool,
    eof: bool,
    /// Our close_notify is queued.
    closing: bool,
}

/// What one pass over the records read so far came to.
enum Progress {
    /// Plaintext was handed out or kept.
    Plaintext,
    /// The client closed the session (close_notify).
    Closed,
    /// rustls needs more ciphertext.
    NeedData,
}

fn tls_error(error: rustls::Error) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, error)
}

/// Reads more bytes from the socket onto the end of `buf`, into its spare capacity.
async fn read_more(tcp: &TcpStream, buf: &mut Vec<u8>) -> io::Result<usize> {
    loop {
        tcp.readable().await?;
        buf.reserve(RECORD);
        match tcp.try_read_buf(buf) {
            Ok(n) => return Ok(n),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => continue,
            Err(e) => return Err(e),
        }
    }
}

/// Takes the decrypted records: into `out` as far as it has room (and nothing is kept ahead of
/// them), the rest onto `kept`.
fn take_records(
    traffic: &mut ReadTraffic<'_, '_, ServerConnectionData>,
    mut out: Option<&mut ReadBuf<'_>>,
    kept: &mut Vec<u8>,
) -> io::Result<()> {
    while let Some(record) = traffic.next_record() {
        let payload = record.map_err(tls_error)?.payload;
        let direct = match out.as_deref_mut() {
            Some(out) if kept.is_empty() => {
                let n = payload.len().min(out.remaining());
                out.put_slice(&payload[..n]);
                n
            }
            _ => 0,
        };
        kept.extend_from_slice(&payload[direct..]);
    }
    Ok(())
}

/// Encodes one handshake or alert record into `out` from `queued`, growing it as needed.
fn encode_into(
    encode: &mut EncodeTlsData<'_, ServerConnectionData>,
    out: &mut Vec<u8>,
    queued: &mut usize,
) -> io::Result<()> {
    loop {
        match encode.encode(&mut out[*queued..]) {
            Ok(n) => {
                *queued += n;
                return Ok(());
            }
            Err(EncodeError::InsufficientSize(InsufficientSizeError { required_size })) => {
                out.resize(*queued + required_size, 0);
            }
            Err(e) => return Err(io::Error::other(e)),
        }
    }
}

impl TlsStream {
    /// Reads the ClientHello, lets `choose` pick the config from it, and completes the handshake
    /// on that config. A failed handshake sends rustls' alert first, as a buffered session would.
    pub async fn accept(
        mut tcp: TcpStream,
        choose: impl FnOnce(&ClientHello<'_>) -> Arc<ServerConfig>,
    ) -> io::Result<(TlsStream, String)> {
        let mut incoming = Vec::new();
        let mut acceptor = Acceptor::default();
        let mut fed = 0;
        // The ClientHello's choice of config, and the session's server name.
        let (config, sni) = loop {
            if read_more(&tcp, &mut incoming).await? == 0 {
                return Err(io::ErrorKind::UnexpectedEof.into());
            }
            while fed < incoming.len() {
                match acceptor.read_tls(&mut &incoming[fed..])? {
                    0 => break,
                    n => fed += n,
                }
            }
            match acceptor.accept() {
                Ok(None) => continue,
                Ok(Some(accepted)) => {
                    let hello = accepted.client_hello();
                    let sni = hello.server_name().unwrap_or("").to_string();
                    break (choose(&hello), sni);
                }
                Err((error, mut alert)) => {
                    let mut bytes = Vec::new();
                    let _ = alert.write(&mut bytes);
                    let _ = tcp.write_all(&bytes).await;
                    return Err(tls_error(error));
                }
            }
        };
        // The ClientHello is read again by the session itself, from the same bytes.
        let conn = UnbufferedServerConnection::new(config).map_err(tls_error)?;
        let mut stream = TlsStream {
            tcp,
            conn,
            incoming,
            consumed: 0,
            plain: Vec::new(),
            plain_at: 0,
            outgoing: Vec::new(),
            sent: 0,
            queued: 0,
            streaming_in: false,
            peer_closed: false,
            eof: false,
            closing: false,
        };
        match stream.handshake().await {
            Ok(()) => Ok((stream, sni)),
            Err(error) => {
                stream.send_alerts().await;
                Err(error)
            }
        }
    }

    async fn handshake(&mut self) -> io::Result<()> {
        loop {
            let status = self
                .conn
                .process_tls_records(&mut self.incoming[self.consumed..]);
            let discard = status.discard;
            // Whether rustls has nothing more to send for now: what it needs next decides.
            let settled = match status.state.map_err(tls_error)? {
                ConnectionState::EncodeTlsData(mut encode) => {
                    encode_into(&mut encode, &mut self.outgoing, &mut self.queued)?;
                    false
                }
                ConnectionState::TransmitTlsData(transmit) => {
                    transmit.done();
                    self.send_queued().await?;
                    false
                }
                // Application data right behind the client's Finished (or, while still
                // handshaking, a state rustls does not reach without early data).
                ConnectionState::ReadTraffic(_)
                | ConnectionState::BlockedHandshake
                | ConnectionState::WriteTraffic(_) => true,
                ConnectionState::PeerClosed | ConnectionState::Closed => {
                    return Err(io::ErrorKind::UnexpectedEof.into());
                }
                // No early data is configured; anything else is not a state this handles.
                _ => return Err(io::Error::other("unexpected TLS state in the handshake")),
            };
            self.discard(discard);
            if !settled {
                continue;
            }
            if !self.conn.is_handshaking() {
                // The session tickets, when the client's first request came with its Finished
                // (rustls yields that request before asking for them to be sent).
                self.send_queued().await?;
                self.outgoing = Vec::new();
                return Ok(());
            }
            self.compact();
            if read_more(&self.tcp, &mut self.incoming).await? == 0 {
                return Err(io::ErrorKind::UnexpectedEof.into());
            }
        }
    }

    /// After a failure, sends the alerts rustls queued for it, best effort.
    async fn send_alerts(&mut self) {
        for _ in 0..MAX_ALERTS {
            let status = self
                .conn
                .process_tls_records(&mut self.incoming[self.consumed..]);
            match status.state {
                Ok(ConnectionState::EncodeTlsData(mut encode)) => {
                    if encode_into(&mut encode, &mut self.outgoing, &mut self.queued).is_err() {
                        break;
                    }
                }
                Ok(ConnectionState::TransmitTlsData(transmit)) => transmit.done(),
                _ => break,
            }
        }
        let _ = self.send_queued().await;
    }

    /// Writes the queued ciphertext out in full (handshake flights and alerts).
    async fn send_queued(&mut self) -> io::Result<()> {
        self.tcp
            .write_all(&self.outgoing[self.sent..self.queued])
            .await?;
        self.sent = 0;
        self.queued = 0;
        Ok(())
    }

    /// The negotiated session: version, cipher, ALPN, the client's certificates.
    pub fn session(&self) -> &UnbufferedServerConnection {
        &self.conn
    }

    /// The bytes of buffers this holds right now: what an idle connection costs here.
    #[cfg(test)]
    fn buffered_capacity(&self) -> usize {
        self.incoming.capacity() + self.plain.capacity() + self.outgoing.capacity()
    }

    /// Moves the unprocessed ciphertext to the front (a partial record at most).
    fn compact(&mut self) {
        if self.consumed > 0 {
            self.incoming.drain(..self.consumed);
            self.consumed = 0;
        }
    }

    /// Hands out kept plaintext; whether there was any.
    fn hand_out(&mut self, out: &mut ReadBuf<'_>) -> bool {
        if self.plain_at == self.plain.len() {
            return false;
        }
        let n = (self.plain.len() - self.plain_at).min(out.remaining());
        out.put_slice(&self.plain[self.plain_at..self.plain_at + n]);
        self.plain_at += n;
        if self.plain_at == self.plain.len() {
            self.plain = Vec::new();
            self.plain_at = 0;
        }
        true
    }

    /// Runs rustls over the ciphertext read so far, until it yields plaintext, the close, or
    /// needs more. Plaintext goes to `out` first and what does not fit is kept.
    fn process(&mut self, out: &mut ReadBuf<'_>) -> io::Result<Progress> {
        loop {
            let status = self
                .conn
                .process_tls_records(&mut self.incoming[self.consumed..]);
            let discard = status.discard;
            let progress = match status.state.map_err(tls_error)? {
                ConnectionState::ReadTraffic(mut traffic) => {
                    take_records(&mut traffic, Some(&mut *out), &mut self.plain)?;
                    Some(Progress::Plaintext)
                }
                ConnectionState::EncodeTlsData(mut encode) => {
                    encode_into(&mut encode, &mut self.outgoing, &mut self.queued)?;
                    None
                }
                // Sent with the next write or flush, or below when reading.
                ConnectionState::TransmitTlsData(transmit) => {
                    transmit.done();
                    None
                }
                ConnectionState::PeerClosed | ConnectionState::Closed => {
                    self.peer_closed = true;
                    self.streaming_in = false;
                    Some(Progress::Closed)
                }
                ConnectionState::BlockedHandshake | ConnectionState::WriteTraffic(_) => {
                    Some(Progress::NeedData)
                }
                _ => return Err(io::Error::other("unexpected TLS state after the handshake")),
            };
            self.discard(discard);
            if self.peer_closed && self.incoming.is_empty() {
                // Nothing more will be read.
                self.incoming = Vec::new();
            }
            if let Some(progress) = progress {
                return Ok(progress);
            }
        }
    }

    /// Reads more ciphertext; `false` at EOF. While the socket has nothing, holds no buffer.
    fn poll_fill(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<bool>> {
        self.compact();
        loop {
            if self.tcp.poll_read_ready(cx)?.is_pending() {
                if self.incoming.is_empty() {
                    self.incoming = Vec::new();
                    self.streaming_in = false;
                }
                if self.sent == self.queued {
                    self.outgoing = Vec::new();
                }
                return Poll::Pending;
            }
            let want = if self.streaming_in { AHEAD } else { RECORD };
            self.incoming.reserve(want);
            let offered = self.incoming.capacity() - self.incoming.len();
            match self.tcp.try_read_buf(&mut self.incoming) {
                Ok(0) => return Poll::Ready(Ok(false)),
                Ok(n) => {
                    self.streaming_in = n == offered;
                    return Poll::Ready(Ok(true));
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => continue,
                Err(e) => return Poll::Ready(Err(e)),
            }
        }
    }

    /// Sends the queued ciphertext.
    fn poll_send(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while self.sent < self.queued {
            let n = ready!(
                Pin::new(&mut self.tcp).poll_write(cx, &self.outgoing[self.sent..self.queued])
            )?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            self.sent += n;
        }
        // The room stays (zeroed once) for the next record; the wait for the client frees it.
        self.sent = 0;
        self.queued = 0;
        Poll::Ready(Ok(()))
    }

    /// Runs rustls until it takes application data (keeping any plaintext it decrypts on the
    /// way for the reader), then lets `write` queue records.
    fn when_writable<T>(
        &mut self,
        write: impl FnOnce(
            &mut WriteTraffic<'_, ServerConnectionData>,
            &mut Vec<u8>,
            &mut usize,
        ) -> io::Result<T>,
    ) -> io::Result<T> {
        let mut write = Some(write);
        loop {
            let status = self
                .conn
                .process_tls_records(&mut self.incoming[self.consumed..]);
            let discard = status.discard;
            let done = match status.state.map_err(tls_error)? {
                ConnectionState::WriteTraffic(mut traffic) => write
                    .take()
                    .map(|write| write(&mut traffic, &mut self.outgoing, &mut self.queued)),
                ConnectionState::EncodeTlsData(mut encode) => {
                    encode_into(&mut encode, &mut self.outgoing, &mut self.queued)?;
                    None
                }
                ConnectionState::TransmitTlsData(transmit) => {
                    transmit.done();
                    None
                }
                ConnectionState::ReadTraffic(mut traffic) => {
                    take_records(&mut traffic, None, &mut self.plain)?;
                    None
                }
                ConnectionState::PeerClosed => {
                    self.peer_closed = true;
                    None
                }
                _ => Some(Err(io::ErrorKind::BrokenPipe.into())),
            };
            self.discard(discard);
            if let Some(done) = done {
                return done;
            }
        }
    }

    /// Encrypts up to one chunk of `plain` onto the queue; how much it took.
    fn encrypt(&mut self, plain: &[u8]) -> io::Result<usize> {
        let plain = &plain[..plain.len().min(WRITE_CHUNK)];
        self.when_writable(|traffic, out, queued| {
            let room = plain.len() + RECORD_OVERHEAD * (1 + plain.len() / (16 * 1024));
            if out.len() < *queued + room {
                out.resize(*queued + room, 0);
            }
            loop {
                match traffic.encrypt(plain, &mut out[*queued..]) {
                    Ok(n) => {
                        *queued += n;
                        return Ok(plain.len());
                    }
                    Err(EncryptError::InsufficientSize(InsufficientSizeError {
                        required_size,
                    })) => {
                        out.resize(*queued + required_size, 0);
                    }
                    Err(e) => return Err(io::Error::other(e)),
                }
            }
        })
    }

    /// Queues our close_notify once.
    fn queue_close(&mut self) -> io::Result<()> {
        if self.closing {
            return Ok(());
        }
        self.closing = true;
        let queued = self.when_writable(|traffic, out, queued| {
            if out.len() < *queued + RECORD_OVERHEAD {
                out.resize(*queued + RECORD_OVERHEAD, 0);
            }
            *queued += traffic
                .queue_close_notify(&mut out[*queued..])
                .map_err(io::Error::other)?;
            Ok(())
        });
        match queued {
            // Closed both ways already.
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
            other => other,
        }
    }

    /// Drops what rustls has processed from the front of the ciphertext.
    fn discard(&mut self, discard: usize) {
        self.consumed += discard;
        if self.consumed == self.incoming.len() {
            self.incoming.clear();
            self.consumed = 0;
        }
    }
}

impl AsyncRead for TlsStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        out: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if this.hand_out(out) || out.remaining() == 0 {
            return Poll::Ready(Ok(()));
        }
        loop {
            if this.peer_closed {
                return Poll::Ready(Ok(()));
            }
            let progress = this.process(out)?;
            // What rustls queued while reading (a KeyUpdate's answer) goes out when it can.
            if this.sent < this.queued
                && let Poll::Ready(Err(e)) = this.poll_send(cx)
            {
                return Poll::Ready(Err(e));
            }
            match progress {
                Progress::Plaintext => {
                    this.hand_out(out);
                    return Poll::Ready(Ok(()));
                }
                Progress::Closed => return Poll::Ready(Ok(())),
                Progress::NeedData if this.eof => {
                    // rustls' buffered reader says the same of a peer gone without close_notify.
                    return Poll::Ready(Err(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        "peer closed connection without sending TLS close_notify",
                    )));
                }
                Progress::NeedData => {
                    if !ready!(this.poll_fill(cx))? {
                        this.eof = true;
                    }
                }
            }
        }
    }
}

impl AsyncWrite for TlsStream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        ready!(this.poll_send(cx))?;
        if buf.is_empty() {
            return Poll::Ready(Ok(0));
        }
        let n = this.encrypt(buf)?;
        // Sent now if the socket takes it; otherwise it is queued, and the next call sends it.
        if let Poll::Ready(Err(e)) = this.poll_send(cx) {
            return Poll::Ready(Err(e));
        }
        Poll::Ready(Ok(n))
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let mut pieces = bufs.iter().filter(|b| !b.is_empty());
        let Some(first) = pieces.next() else {
            return self.poll_write(cx, &[]);
        };
        if first.len() >= GATHER {
            return self.poll_write(cx, first);
        }
        // Small pieces (a head, then its body) share records instead of one record each.
        let mut gathered = Vec::with_capacity(GATHER);
        gathered.extend_from_slice(first);
        for piece in pieces {
            let take = piece.len().min(GATHER - gathered.len());
            gathered.extend_from_slice(&piece[..take]);
            if gathered.len() == GATHER {
                break;
            }
        }
        self.poll_write(cx, &gathered)
    }

    fn is_write_vectored(&self) -> bool {
        true
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.get_mut().poll_send(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        this.queue_close()?;
        ready!(this.poll_send(cx))?;
        this.outgoing = Vec::new();
        match ready!(Pin::new(&mut this.tcp).poll_shutdown(cx)) {
            Err(e) if e.kind() != io::ErrorKind::NotConnected => Poll::Ready(Err(e)),
            _ => Poll::Ready(Ok(())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer, ServerName};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio_rustls::client::TlsStream as ClientStream;

    /// A server config for `localhost` and a client config that trusts its CA.
    fn configs() -> (Arc<ServerConfig>, Arc<rustls::ClientConfig>) {
        let ca_key = rcgen::KeyPair::generate().expect("CA key");
        let mut ca_params = rcgen::CertificateParams::new(Vec::new()).expect("CA params");
        ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        let ca = ca_params.self_signed(&ca_key).expect("CA");
        let issuer = rcgen::Issuer::from_ca_cert_der(ca.der(), &ca_key).expect("issuer");
        let key = rcgen::KeyPair::generate().expect("key");
        let leaf = rcgen::CertificateParams::new(vec!["localhost".to_string()])
            .expect("params")
            .signed_by(&key, &issuer)
            .expect("leaf");
        let provider = crate::tls::provider();
        let server = ServerConfig::builder_with_provider(Arc::clone(&provider))
            .with_safe_default_protocol_versions()
            .expect("versions")
            .with_no_client_auth()
            .with_single_cert(
                vec![leaf.der().clone()],
                PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
            )
            .expect("server config");
        let mut roots = rustls::RootCertStore::empty();
        roots.add(ca.der().clone()).expect("root");
        let client = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("versions")
            .with_root_certificates(roots)
            .with_no_client_auth();
        (Arc::new(server), Arc::new(client))
    }

    /// A handshaken pair over loopback: our session and a rustls client's.
    async fn pair_with(
        server: Arc<ServerConfig>,
        client: Arc<rustls::ClientConfig>,
    ) -> (
        io::Result<(TlsStream, String)>,
        io::Result<ClientStream<TcpStream>>,
    ) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("binds");
        let addr = listener.local_addr().expect("address");
        let connector = tokio_rustls::TlsConnector::from(client);
        let name = ServerName::try_from("localhost").expect("name");
        let connecting = async {
            let tcp = TcpStream::connect(addr).await?;
            connector.connect(name, tcp).await
        };
        let accepting = async {
            let (tcp, _) = listener.accept().await.expect("accepts");
            TlsStream::accept(tcp, |_| server).await
        };
        let (accepted, connected) = tokio::join!(accepting, connecting);
        (accepted, connected)
    }

    async fn pair() -> (TlsStream, ClientStream<TcpStream>) {
        let (server, client) = configs();
        let (accepted, connected) = pair_with(server, client).await;
        let (stream, sni) = accepted.expect("handshake");
        assert_eq!(sni, "localhost");
        (stream, connected.expect("client handshake"))
    }

    fn pattern(len: usize) -> Vec<u8> {
        (0..len).map(|i| (i % 251) as u8).collect()
    }

    #[tokio::test]
    async fn a_megabyte_each_way_arrives_whole_and_in_order() {
        let (server, client) = pair().await;
        let sent = pattern(1_000_000);
        let (to_server, to_client) = (sent.clone(), sent.clone());
        let client_side = tokio::spawn(async move {
            let (mut read, mut write) = tokio::io::split(client);
            let writer = async {
                write.write_all(&to_server).await.expect("client writes");
                write.shutdown().await.expect("client closes");
            };
            let reader = async {
                let mut got = Vec::new();
                read.read_to_end(&mut got).await.expect("client reads");
                got
            };
            let ((), got) = tokio::join!(writer, reader);
            got
        });
        let (mut read, mut write) = tokio::io::split(server);
        let reader = async {
            let mut got = Vec::new();
            let mut chunk = [0u8; 3000];
            loop {
                let n = read.read(&mut chunk).await.expect("server reads");
                if n == 0 {
                    return got;
                }
                got.extend_from_slice(&chunk[..n]);
            }
        };
        let writer = async {
            write.write_all(&to_client).await.expect("server writes");
            write.shutdown().await.expect("server closes");
        };
        let (got, ()) = tokio::join!(reader, writer);
        let server = read.unsplit(write);
        assert_eq!(got, sent, "the client's megabyte");
        assert_eq!(client_side.await.expect("client ends"), sent, "ours");
        assert_eq!(server.buffered_capacity(), 0, "nothing held at the end");
    }

    /// Every record split across many small TCP reads: the ClientHello (which the `Acceptor`
    /// and then the session read), the rest of the handshake and the data after it.
    #[tokio::test]
    async fn records_split_into_small_pieces_arrive_whole() {
        let (server_config, client_config) = configs();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("binds");
        let addr = listener.local_addr().expect("address");
        let relay_listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("relay binds");
        let relay_addr = relay_listener.local_addr().expect("relay address");
        // Client to server in 7-byte pieces, paced for the first 4 KiB; back as it comes.
        let relay = tokio::spawn(async move {
            let (mut downstream, _) = relay_listener.accept().await.expect("relay accepts");
            let mut upstream = TcpStream::connect(addr).await.expect("relay connects");
            upstream.set_nodelay(true).expect("nodelay");
            let (mut down_read, mut down_write) = downstream.split();
            let (mut up_read, mut up_write) = upstream.split();
            let forward = async {
                let mut piece = [0u8; 7];
                let mut forwarded = 0;
                loop {
                    let n = down_read.read(&mut piece).await?;
                    if n == 0 {
                        return up_write.shutdown().await;
                    }
                    up_write.write_all(&piece[..n]).await?;
                    forwarded += n;
                    if forwarded < 4096 {
                        tokio::time::sleep(std::time::Duration::from_millis(1)).await;
                    } else {
                        tokio::task::yield_now().await;
                    }
                }
            };
            let back = tokio::io::copy(&mut up_read, &mut down_write);
            let _ = tokio::join!(forward, back);
        });
        let connector = tokio_rustls::TlsConnector::from(client_config);
        let name = ServerName::try_from("localhost").expect("name");
        let sent = pattern(20_000);
        let to_server = sent.clone();
        let client = tokio::spawn(async move {
            let tcp = TcpStream::connect(relay_addr).await.expect("connects");
            let mut tls = connector
                .connect(name, tcp)
                .await
                .expect("client handshake");
            tls.write_all(&to_server).await.expect("client writes");
            let mut answer = [0u8; 2];
            tls.read_exact(&mut answer).await.expect("client reads");
            answer
        });
        let (tcp, _) = listener.accept().await.expect("accepts");
        let (mut server, sni) = TlsStream::accept(tcp, |_| server_config)
            .await
            .expect("handshake over small pieces");
        assert_eq!(sni, "localhost");
        let mut got = vec![0u8; sent.len()];
        server.read_exact(&mut got).await.expect("server reads");
        assert_eq!(got, sent);
        server.write_all(b"ok").await.expect("answers");
        server.flush().await.expect("flushes");
        assert_eq!(&client.await.expect("client ends"), b"ok");
        relay.abort();
    }

    #[tokio::test]
    async fn an_idle_session_holds_no_buffer() {
        let (mut server, mut client) = pair().await;
        client.write_all(&pattern(200_000)).await.expect("writes");
        let mut chunk = [0u8; 4096];
        let mut total = 0;
        while total < 200_000 {
            total += server.read(&mut chunk).await.expect("reads");
        }
        server.write_all(&pattern(100_000)).await.expect("answers");
        server.flush().await.expect("flushes");
        let mut answer = vec![0u8; 100_000];
        client.read_exact(&mut answer).await.expect("client reads");
        let waited = tokio::time::timeout(
            std::time::Duration::from_millis(50),
            server.read(&mut chunk),
        )
        .await;
        assert!(waited.is_err(), "no more bytes");
        assert_eq!(server.buffered_capacity(), 0, "idle: no buffer of ours");
        client.write_all(b"more").await.expect("writes again");
        let n = server.read(&mut chunk).await.expect("reads again");
        assert_eq!(&chunk[..n], b"more");
    }

    #[tokio::test]
    async fn close_notify_is_a_clean_end_and_a_bare_eof_is_not() {
        let (mut server, mut client) = pair().await;
        client.shutdown().await.expect("close_notify");
        let mut chunk = [0u8; 64];
        assert_eq!(server.read(&mut chunk).await.expect("clean end"), 0);
        let (mut server, client) = pair().await;
        let (mut tcp, _) = client.into_inner();
        tcp.shutdown().await.expect("FIN without close_notify");
        let error = server.read(&mut chunk).await.expect_err("truncated");
        assert_eq!(error.kind(), io::ErrorKind::UnexpectedEof);
    }

    #[tokio::test]
    async fn a_key_update_mid_stream_is_answered() {
        let (mut server, mut client) = pair().await;
        client.write_all(b"before").await.expect("writes");
        client
            .get_mut()
            .1
            .refresh_traffic_keys()
            .expect("key update");
        client
            .write_all(b" after")
            .await
            .expect("writes after the update");
        let mut got = Vec::new();
        let mut chunk = [0u8; 64];
        while got.len() < 12 {
            let n = server.read(&mut chunk).await.expect("reads");
            assert!(n > 0, "no early end");
            got.extend_from_slice(&chunk[..n]);
        }
        assert_eq!(got, b"before after");
        server
            .write_all(b"answer")
            .await
            .expect("answers under new keys");
        server.flush().await.expect("flushes");
        let mut answer = [0u8; 6];
        client.read_exact(&mut answer).await.expect("client reads");
        assert_eq!(&answer, b"answer");
    }

    #[tokio::test]
    async fn a_failed_handshake_sends_rustls_alert() {
        let (server, _) = configs();
        // A client that trusts another CA: it is the one that refuses; with ALPN no server
        // protocol matches, the server refuses and the client hears its alert.
        let (_, other_client) = configs();
        let mut picky = (*other_client).clone();
        picky.alpn_protocols = vec![b"nothing-we-speak".to_vec()];
        let mut strict = (*server).clone();
        strict.alpn_protocols = vec![b"h2".to_vec()];
        let (accepted, connected) = pair_with(Arc::new(strict), Arc::new(picky)).await;
        let Err(server_error) = accepted else {
            panic!("the server accepted a client it cannot serve");
        };
        assert!(
            server_error
                .get_ref()
                .and_then(|e| e.downcast_ref::<rustls::Error>())
                .is_some(),
            "the rustls error is kept: {server_error}"
        );
        let client_error = connected.expect_err("client refused").to_string();
        assert!(
            client_error.contains("NoApplicationProtocol"),
            "the client got the alert: {client_error}"
        );
    }
}
