//! The connection loop every session runs, server or client, whatever its protocol.
//!
//! read → [`Session::receive`] → [`Session::process`] (the protocol's events against
//! storage or the user's request) → [`Session::take_output`] → write, with the idle timeout
//! the protocol library asks for and the TLS upgrade it announces.

use std::sync::Arc;
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::stream::Stream;

/// What the loop does after a [`Session::process`] call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    /// Write the output and read more.
    Read,
    /// Write the output, then run the TLS handshake (STARTTLS, STLS).
    StartTls,
    /// Write the output and close the connection.
    Close,
}

/// One protocol session (a server's or a client's), as the connection loop drives it.
pub trait Session: Send {
    /// Hands the bytes the peer sent, read into `buf`, to the protocol state machine
    /// without copying them (`receive_buf`); leaves `buf` empty.
    fn receive(&mut self, buf: &mut BytesMut);
    /// Tells the state machine that the peer closed its side.
    fn receive_eof(&mut self);
    /// Handles every event that is ready, with storage, and says what the loop does next.
    fn process(&mut self) -> Next;
    /// Returns the bytes to write.
    fn take_output(&mut self) -> Bytes;
    /// Returns how long the peer may stay silent.
    fn timeout(&self) -> Duration;
    /// Tells the state machine that the peer was silent for too long.
    fn timed_out(&mut self);
    /// Tells the state machine that the TLS handshake it asked for completed.
    fn tls_established(&mut self);
}

/// How a connection upgrades to TLS when its session asks for it.
#[derive(Debug, Clone)]
pub enum Upgrade {
    /// No certificate: the session never offers STARTTLS/STLS.
    None,
    /// The server side of the handshake.
    Server(Arc<rustls::ServerConfig>),
    /// The client side, with the server name to verify.
    Client(Arc<rustls::ClientConfig>, String),
}

/// Runs `session` over `stream` until either side closes, and returns the stream. Errors
/// are logged, never propagated, so one bad peer cannot hurt a server.
pub async fn run<S: Session>(
    mut stream: Stream,
    mut session: S,
    upgrade: Upgrade,
    peer: String,
) -> S {
    // The socket is read straight into a buffer whose filled part the session takes over
    // (zero-copy): message data reaches storage as slices of the bytes the socket filled.
    let mut buf = BytesMut::new();
    loop {
        let next = session.process();
        let output = session.take_output();
        if !output.is_empty()
            && let Err(e) = write_all(&mut stream, &output).await
        {
            tracing::debug!(%peer, error = %e, "write failed");
            return session;
        }
        match next {
            Next::Close => break,
            Next::StartTls => {
                let upgraded = match &upgrade {
                    Upgrade::Server(config) => stream.accept_tls(config.clone()).await,
                    Upgrade::Client(config, host) => stream.connect_tls(config.clone(), host).await,
                    Upgrade::None => {
                        tracing::warn!(%peer, "TLS asked for without a TLS configuration");
                        break;
                    }
                };
                match upgraded {
                    Ok(s) => {
                        stream = s;
                        session.tls_established();
                        tracing::debug!(%peer, "TLS established");
                        continue;
                    }
                    Err(e) => {
                        tracing::info!(%peer, error = %e, "TLS handshake failed");
                        return session;
                    }
                }
            }
            Next::Read => {}
        }
        if buf.capacity() < READ_MIN {
            buf.reserve(READ_SIZE);
        }
        match tokio::time::timeout(session.timeout(), stream.read_buf(&mut buf)).await {
            Err(_) => {
                tracing::info!(%peer, "idle timeout");
                session.timed_out();
                let output = session.take_output();
                let _ = write_all(&mut stream, &output).await;
                break;
            }
            Ok(Ok(0)) => session.receive_eof(),
            Ok(Ok(_)) => session.receive(&mut buf),
            Ok(Err(e)) => {
                tracing::debug!(%peer, error = %e, "read failed");
                session.receive_eof();
            }
        }
    }
    let _ = stream.shutdown().await;
    session
}

/// How much a read asks for.
const READ_SIZE: usize = 64 * 1024;
/// Below this much spare room the read buffer gets a fresh [`READ_SIZE`].
const READ_MIN: usize = 4 * 1024;

async fn write_all(stream: &mut Stream, bytes: &[u8]) -> std::io::Result<()> {
    stream.write_all(bytes).await?;
    stream.flush().await
}

/// How long open sessions may go on after a shutdown was asked for.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// Accepts clients on `listener` until `shutdown` turns true, each in its own task: a TLS
/// handshake first when `implicit_tls` (RFC 8314), then [`run`] with the session `make`
/// returns for the peer. Every protocol's listener is this one loop.
///
/// On shutdown it stops accepting, lets open sessions finish for [`SHUTDOWN_GRACE`], then
/// drops the rest (a Maildir delivery in progress removes its temporary file).
pub async fn accept_loop<S, F>(
    listener: tokio::net::TcpListener,
    tls: Option<Arc<rustls::ServerConfig>>,
    implicit_tls: bool,
    protocol: &'static str,
    make: F,
    mut shutdown: tokio::sync::watch::Receiver<bool>,
) where
    S: Session + 'static,
    F: Fn(String) -> S + Send + Sync + 'static,
{
    let make = Arc::new(make);
    let mut sessions = tokio::task::JoinSet::new();
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = shutdown.wait_for(|stop| *stop) => break,
        };
        let (tcp, peer) = match accepted {
            Ok(x) => x,
            Err(e) => {
                tracing::warn!(error = %e, "accept failed");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let (make, tls) = (make.clone(), tls.clone());
        sessions.spawn(async move {
            let peer = peer.to_string();
            tracing::info!(%peer, protocol, "connection");
            let mut stream = Stream::Plain(tcp);
            if implicit_tls {
                let Some(config) = tls.clone() else { return };
                stream = match stream.accept_tls(config).await {
                    Ok(s) => s,
                    Err(e) => {
                        tracing::info!(%peer, error = %e, "TLS handshake failed");
                        return;
                    }
                };
            }
            let session = make(peer.clone());
            let upgrade = tls.map_or(Upgrade::None, Upgrade::Server);
            run(stream, session, upgrade, peer).await;
        });
        // Reap finished sessions so the set does not grow with the server's age.
        while sessions.try_join_next().is_some() {}
    }
    drop(listener);
    let open = sessions.len();
    if open > 0 {
        tracing::info!(protocol, open, "waiting for open sessions");
    }
    let drained = tokio::time::timeout(SHUTDOWN_GRACE, async {
        while sessions.join_next().await.is_some() {}
    })
    .await;
    if drained.is_err() {
        tracing::info!(
            protocol,
            left = sessions.len(),
            "closing sessions still open"
        );
    }
}

/// Returns a fresh nonce for SASL (CRAM-MD5, SCRAM) and APOP: the time, the process and a
/// counter, hashed. Unpredictable enough for an example; a production server would use a
/// cryptographic random source.
pub fn nonce() -> String {
    use base64::Engine as _;
    use sha2::Digest as _;
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    let seed = format!(
        "{:?}{}{}",
        std::time::SystemTime::now(),
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    );
    let digest = sha2::Sha256::digest(seed.as_bytes());
    base64::engine::general_purpose::STANDARD_NO_PAD.encode(digest.get(..18).unwrap_or_default())
}
