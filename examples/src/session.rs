//! The connection loop every session runs, server or client, whatever its protocol.
//!
//! The loop drives a protocol connection through the contract every mail-proto connection
//! implements ([`mail_core::connection::Connection`]): read → `receive_buf` →
//! [`Session::process`] (the protocol's events against storage or the user's request) →
//! `take_output` → write, with the TLS upgrade the connection asks for and the time limits
//! below. An IMAP session plugs in unchanged; [`Session::wake`] lets it hear of mailbox changes
//! (IDLE) while it waits for input.
//!
//! What a peer cannot do to a server built on this loop:
//!
//! - **Grow its memory.** The output is written whenever the connection says it is full
//!   (`wants_write`), and nothing more is read until it is written: a client that pipelines
//!   commands without reading the answers blocks itself, not the server.
//! - **Hold a connection forever.** Every read waits at most the protocol's `timeout`; every
//!   write and TLS handshake has its own limit; and each request (from one answer to the next)
//!   has a deadline that grows only with the data it brings, at [`Limits::min_data_rate`]
//!   (Postfix's `smtpd_per_request_deadline` and `smtpd_min_data_rate`), so one byte every few
//!   minutes does not keep a connection open.
//! - **Lock others out.** [`accept_loop`] caps connections in all and per client address,
//!   answering the protocol's "busy" reply beyond the cap (see [`Limits`]).

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::BytesMut;
use mail_core::connection::{CloseReason, Connection};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::stream::Stream;

/// What [`Session::process`] left to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// Everything ready is handled: write the output, then read.
    NeedInput,
    /// Work is left that needs no input (a message being sent in pieces): write the output,
    /// then process again before reading.
    MoreWork,
}

/// One protocol session (a server's or a client's), as the connection loop drives it: a
/// mail-proto connection and what the application does with its events.
pub trait Session: Send {
    /// The protocol connection.
    type Connection: Connection + Send;

    /// Returns the protocol connection.
    fn connection(&self) -> &Self::Connection;
    /// Returns the protocol connection, mutably.
    fn connection_mut(&mut self) -> &mut Self::Connection;
    /// Handles every event that is ready (with storage, or the user's request). Stops early
    /// when the connection's output is full (`wants_write`) and says whether work is left.
    fn process(&mut self) -> Progress;
    /// Returns a pause to make before the output is written (a failed login is answered
    /// late, so that guessing passwords is slow). `None` by default.
    fn take_delay(&mut self) -> Option<Duration> {
        None
    }
    /// Returns a receiver that changes when the session may have something to say without
    /// any input (an IMAP mailbox changed by another session or a delivery): the loop stops
    /// waiting for input then and processes again. `None` by default.
    fn wake(&self) -> Option<tokio::sync::watch::Receiver<u64>> {
        None
    }
    /// Returns how often to process again while waiting for input, for changes that nobody
    /// announces through [`wake`](Self::wake): another program (Dovecot, a delivery agent, a
    /// user's shell) changing the mailbox an IMAP session is IDLE in. `None` by default.
    fn poll_interval(&self) -> Option<Duration> {
        None
    }
    /// Called once the TLS handshake the connection asked for completed. Tells the
    /// connection by default.
    fn tls_established(&mut self) {
        if let Err(e) = self.connection_mut().tls_established() {
            tracing::debug!(error = %e, "tls_established refused");
        }
    }
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

/// The time and connection limits of the loop. [`Limits::default`] gives the values the
/// README states.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// How long a client's TCP connection to its server may take to open. Default 30 s.
    pub connect: Duration,
    /// How long a TLS handshake may take (implicit TLS, STARTTLS, STLS). Default 30 s.
    pub tls_handshake: Duration,
    /// How long writing one batch of output may take; a peer that does not read is dropped
    /// after it. Default 60 s.
    pub write: Duration,
    /// The slowest a request's data may arrive, in octets per second: a request may take
    /// the protocol's timeout plus its size divided by this. Default 500 (Postfix's
    /// `smtpd_min_data_rate`).
    pub min_data_rate: u64,
    /// The most connections a listener serves at once. Default: 1 000, or fewer when the
    /// process may open fewer files (half of what is left after 128 kept for storage).
    pub max_connections: usize,
    /// The most connections one client address may hold at once. Default 20.
    pub max_connections_per_address: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            connect: Duration::from_secs(30),
            tls_handshake: Duration::from_secs(30),
            write: Duration::from_secs(60),
            min_data_rate: 500,
            max_connections: default_max_connections(),
            max_connections_per_address: 20,
        }
    }
}

/// Returns 1 000, or half of the file descriptors left after 128 reserved for storage
/// (Maildir files, the listener, logs) when the process may open fewer.
fn default_max_connections() -> usize {
    let soft = std::fs::read_to_string("/proc/self/limits")
        .ok()
        .and_then(|limits| {
            limits
                .lines()
                .find(|l| l.starts_with("Max open files"))
                .and_then(|l| l.split_whitespace().nth(3).map(str::to_owned))
        })
        .and_then(|n| n.parse::<usize>().ok());
    match soft {
        Some(n) => (n.saturating_sub(128) / 2).clamp(1, 1000),
        None => 1000,
    }
}

/// Runs `session` over `stream` until the session ends, and returns the session. Errors
/// are logged, never propagated, so one bad peer cannot hurt a server.
pub async fn run<S: Session>(
    mut stream: Stream,
    mut session: S,
    upgrade: Upgrade,
    limits: Limits,
    peer: String,
) -> S {
    // The socket is read straight into a buffer whose filled part the connection takes
    // over (zero-copy): message data reaches storage as slices of the bytes the socket filled.
    let mut buf = BytesMut::new();
    // The current request: when it started (the last time we answered) and what it brought.
    let mut request_start = Instant::now();
    let mut request_bytes: u64 = 0;
    loop {
        let progress = session.process();
        // Output over the high-water mark means the connection stopped early: more may be
        // ready once this is written.
        let more = progress == Progress::MoreWork || session.connection().wants_write();
        if let Some(delay) = session.take_delay() {
            tokio::time::sleep(delay).await;
        }
        let output = session.connection_mut().take_output();
        if !output.is_empty() {
            match tokio::time::timeout(limits.write, write_all(&mut stream, &output)).await {
                Ok(Ok(())) => {}
                Ok(Err(e)) => {
                    tracing::debug!(%peer, error = %e, "write failed");
                    return session;
                }
                Err(_) => {
                    tracing::info!(%peer, "write timed out: the peer does not read");
                    return session;
                }
            }
            request_start = Instant::now();
            request_bytes = 0;
        }
        let conn = session.connection();
        if conn.is_closed() {
            let reason = conn.close_reason().unwrap_or(CloseReason::Local);
            tracing::debug!(%peer, %reason, "session over");
            break;
        }
        if conn.wants_tls_handshake() {
            let handshake = async {
                match &upgrade {
                    Upgrade::Server(config) => stream.accept_tls(config.clone()).await,
                    Upgrade::Client(config, host) => stream.connect_tls(config.clone(), host).await,
                    Upgrade::None => Err(std::io::Error::other("no TLS configuration")),
                }
            };
            match tokio::time::timeout(limits.tls_handshake, handshake).await {
                Ok(Ok(s)) => {
                    stream = s;
                    session.tls_established();
                    tracing::debug!(%peer, "TLS established");
                    continue;
                }
                Ok(Err(e)) => {
                    tracing::info!(%peer, error = %e, "TLS handshake failed");
                    return session;
                }
                Err(_) => {
                    tracing::info!(%peer, "TLS handshake timed out");
                    return session;
                }
            }
        }
        if more {
            continue;
        }
        // The request's deadline grows with the data it brings (at least the minimum rate).
        let allowance = Duration::from_secs(request_bytes / limits.min_data_rate.max(1));
        let deadline = request_start + conn.timeout() + allowance;
        let wait = conn
            .timeout()
            .min(deadline.saturating_duration_since(Instant::now()));
        if buf.capacity() < READ_MIN {
            buf.reserve(READ_SIZE);
        }
        let read = tokio::time::timeout(wait, stream.read_buf(&mut buf));
        // A copy of the session's receiver: the session still sees the change.
        let wake = session.wake();
        let poll = session.poll_interval();
        let read = if wake.is_none() && poll.is_none() {
            read.await
        } else {
            let woken = async move {
                match wake {
                    Some(mut w) => w.changed().await.is_ok(),
                    None => std::future::pending().await,
                }
            };
            let polled = async move {
                match poll {
                    Some(every) => tokio::time::sleep(every).await,
                    None => std::future::pending().await,
                }
            };
            // Reading from a socket is cancel-safe: nothing read is lost by going around.
            tokio::select! {
                r = read => r,
                true = woken => continue,
                () = polled => continue,
            }
        };
        match read {
            Err(_) => {
                tracing::info!(%peer, "timed out");
                session.connection_mut().timed_out();
            }
            Ok(Ok(0)) => session.connection_mut().receive_eof(),
            Ok(Ok(n)) => {
                request_bytes = request_bytes.saturating_add(n as u64);
                session.connection_mut().receive_buf(&mut buf);
            }
            Ok(Err(e)) => {
                tracing::debug!(%peer, error = %e, "read failed");
                session.connection_mut().receive_eof();
            }
        }
    }
    let _ = tokio::time::timeout(limits.write, stream.shutdown()).await;
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

/// Connects a client to `server` (`HOST:PORT`): TCP, then the TLS handshake at once when
/// `implicit_tls` (RFC 8314). Returns the stream and how to upgrade it later (STARTTLS,
/// STLS). Certificates are verified against the system's roots plus `ca`, with the host
/// name checked, unless `insecure`, which prints [`tls::INSECURE_WARNING`] on stderr.
///
/// # Errors
/// When no TLS configuration can be built, the connection fails or takes longer than
/// [`Limits::connect`], or the handshake fails or takes longer than [`Limits::tls_handshake`].
///
/// [`tls::INSECURE_WARNING`]: crate::tls::INSECURE_WARNING
pub async fn connect_client(
    server: &str,
    implicit_tls: bool,
    ca: Option<&std::path::Path>,
    insecure: bool,
) -> Result<(Stream, Upgrade), crate::Error> {
    use crate::tls;
    let host = server
        .rsplit_once(':')
        .map_or(server, |(h, _)| h)
        .to_owned();
    let verify = if insecure {
        #[allow(clippy::print_stderr)]
        {
            eprintln!("{}", tls::INSECURE_WARNING);
        }
        tls::Verify::Insecure
    } else {
        tls::Verify::Roots(ca)
    };
    let config = tls::client(verify)?;
    let limits = Limits::default();
    let tcp = tokio::time::timeout(limits.connect, tokio::net::TcpStream::connect(server))
        .await
        .map_err(|_| "connecting timed out")??;
    let mut stream = Stream::Plain(tcp);
    if implicit_tls {
        let handshake = stream.connect_tls(config.clone(), &host);
        stream = tokio::time::timeout(limits.tls_handshake, handshake)
            .await
            .map_err(|_| "TLS handshake timed out")??;
    }
    Ok((stream, Upgrade::Client(config, host)))
}

/// How long open sessions may go on after a shutdown was asked for.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// Counts the connections a listener serves, in all and per client address.
#[derive(Debug, Default)]
struct Occupancy {
    total: usize,
    per_address: HashMap<IpAddr, usize>,
}

/// A place taken in the [`Occupancy`]; given back when dropped.
struct Place {
    occupancy: Arc<Mutex<Occupancy>>,
    address: IpAddr,
}

impl Place {
    /// Takes a place for `address`, or returns `None` when a cap is reached.
    fn take(occupancy: &Arc<Mutex<Occupancy>>, address: IpAddr, limits: &Limits) -> Option<Self> {
        let mut o = occupancy.lock().ok()?;
        let here = o.per_address.get(&address).copied().unwrap_or(0);
        if o.total >= limits.max_connections || here >= limits.max_connections_per_address {
            return None;
        }
        o.total += 1;
        o.per_address.insert(address, here + 1);
        Some(Self {
            occupancy: occupancy.clone(),
            address,
        })
    }
}

impl Drop for Place {
    fn drop(&mut self) {
        if let Ok(mut o) = self.occupancy.lock() {
            o.total = o.total.saturating_sub(1);
            if let Some(n) = o.per_address.get_mut(&self.address) {
                *n = n.saturating_sub(1);
                if *n == 0 {
                    o.per_address.remove(&self.address);
                }
            }
        }
    }
}

/// What a listener serves: its protocol's name, the reply for a client turned away, and
/// the sessions it makes.
pub struct Listener<F> {
    /// The protocol's name, for logs (`SMTP`, `POP3S`, …).
    pub protocol: &'static str,
    /// Implicit TLS (RFC 8314): the handshake comes first.
    pub implicit_tls: bool,
    /// What a client beyond the connection caps gets before the connection is closed:
    /// `421 4.3.2 …` (SMTP), `-ERR [SYS/TEMP] …` (POP3).
    pub busy: &'static [u8],
    /// Makes the session for a client, given its address.
    pub make: F,
}

/// Accepts clients on `listener` until `shutdown` turns true, each in its own task: a TLS
/// handshake first when `implicit_tls` (RFC 8314), then [`run`] with the session `make`
/// returns for the peer. Every protocol's listener is this one loop.
///
/// A client beyond [`Limits::max_connections`] or [`Limits::max_connections_per_address`]
/// gets the `busy` reply (on a plaintext listener) and is closed at once.
///
/// On shutdown it stops accepting, lets open sessions finish for [`SHUTDOWN_GRACE`], then
/// drops the rest (a Maildir delivery in progress removes its temporary file).
pub async fn accept_loop<S, F>(
    listener: tokio::net::TcpListener,
    tls: Option<Arc<rustls::ServerConfig>>,
    serve: Listener<F>,
    limits: Limits,
    mut shutdown: tokio::sync::watch::Receiver<bool>,
) where
    S: Session + 'static,
    F: Fn(String) -> S + Send + Sync + 'static,
{
    let Listener {
        protocol,
        implicit_tls,
        busy,
        make,
    } = serve;
    let make = Arc::new(make);
    let occupancy = Arc::new(Mutex::new(Occupancy::default()));
    let mut sessions = tokio::task::JoinSet::new();
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = shutdown.wait_for(|stop| *stop) => break,
        };
        let (mut tcp, peer) = match accepted {
            Ok(x) => x,
            Err(e) => {
                // Out of file descriptors, most likely: wait for sessions to end.
                tracing::warn!(error = %e, "accept failed");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let Some(place) = Place::take(&occupancy, peer.ip(), &limits) else {
            tracing::warn!(peer = %peer, protocol, "connection refused: too many connections");
            if !implicit_tls {
                sessions.spawn(async move {
                    let _ = tokio::time::timeout(Duration::from_secs(5), tcp.write_all(busy)).await;
                });
            }
            while sessions.try_join_next().is_some() {}
            continue;
        };
        let (make, tls) = (make.clone(), tls.clone());
        sessions.spawn(async move {
            let _place = place;
            let peer = peer.to_string();
            tracing::info!(%peer, protocol, "connection");
            let mut stream = Stream::Plain(tcp);
            if implicit_tls {
                let Some(config) = tls.clone() else { return };
                stream = match tokio::time::timeout(limits.tls_handshake, stream.accept_tls(config))
                    .await
                {
                    Ok(Ok(s)) => s,
                    Ok(Err(e)) => {
                        tracing::info!(%peer, error = %e, "TLS handshake failed");
                        return;
                    }
                    Err(_) => {
                        tracing::info!(%peer, "TLS handshake timed out");
                        return;
                    }
                };
            }
            let session = make(peer.clone());
            let upgrade = tls.map_or(Upgrade::None, Upgrade::Server);
            run(stream, session, upgrade, limits, peer).await;
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

/// Returns a fresh nonce for SASL (CRAM-MD5, SCRAM) and APOP: 18 octets from the operating
/// system's random source, base64.
///
/// # Panics
/// Never in practice: only if the operating system has no random source, in which case no
/// server should run.
pub fn nonce() -> String {
    use base64::Engine as _;
    let mut raw = [0u8; 18];
    #[allow(clippy::expect_used)]
    getrandom::fill(&mut raw).expect("the operating system's random source");
    base64::engine::general_purpose::STANDARD_NO_PAD.encode(raw)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn nonces_are_random_and_24_base64_characters() {
        use base64::Engine as _;
        let (a, b) = (nonce(), nonce());
        assert_ne!(a, b);
        for n in [&a, &b] {
            assert_eq!(n.len(), 24, "{n}");
            let raw = base64::engine::general_purpose::STANDARD_NO_PAD
                .decode(n)
                .unwrap();
            assert_eq!(raw.len(), 18);
        }
    }
}
