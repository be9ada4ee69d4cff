//! `meshtls httpbin --tcp-echo ADDR`: a TCP listener that sends back every byte it reads, the
//! app behind a `TCP` or `TLS` port in the demo and the tests.
use tokio::io::AsyncWriteExt;
use tokio::net::TcpListener;

/// Echoes on every accepted connection until the runtime stops.
pub async fn serve(listener: TcpListener) {
    loop {
        let Ok((mut stream, _)) = listener.accept().await else {
            continue;
        };
        tokio::spawn(async move {
            let (mut read, mut write) = stream.split();
            let _ = tokio::io::copy(&mut read, &mut write).await;
            let _ = write.shutdown().await;
        });
    }
}
