//! Sans-IO SMTP (RFC 5321) with its ESMTP extensions, and LMTP (RFC 2033).
//!
//! Every SMTP command and reply, parsed and encoded in both directions, and a server and a
//! client state machine driven only with bytes: bytes in, events out, bytes out. Nothing here
//! opens a socket, spawns a task or reads a clock; the caller owns the socket, TLS, timers
//! and storage. Addresses, line framing, dot-stuffing and SASL come from [`mail_core`].
//!
//! | module         | what it holds                                  | RFCs |
//! |----------------|------------------------------------------------|------|
//! | [`command`]    | commands and their ESMTP parameters            | 5321 §4.1, 1870, 1985, 2033, 2852, 3030, 3207, 3461, 4865, 4954, 6152, 6531, 6710, 7293, 8689 |
//! | [`reply`]      | replies, reply codes, enhanced status codes    | 5321 §4.2, 2034, 3463 |
//! | [`capability`] | EHLO keywords, typed                           | 5321 §4.1.1.1, 1870, 2852, 2920, 3030, 3207, 3461, 4865, 4954, 6152, 6531, 6710, 8689, 9422 |
//! | [`server`]     | the server state machine (SMTP and LMTP)       | 5321, 2033, 2920, 3030, 3207, 4954 |
//! | [`client`]     | the client state machine (SMTP and LMTP)       | 5321, 2033, 2920, 3030, 3207, 4954 |
//! | [`error`]      | the error enums                                | |
//!
//! # Extensions
//!
//! | extension | server | client |
//! |---|---|---|
//! | PIPELINING (RFC 2920) | replies strictly in order | MAIL, RCPT… and DATA in one write |
//! | SIZE (RFC 1870) | declared, enforced (552 5.3.4, data still consumed) | declared when offered |
//! | 8BITMIME, SMTPUTF8 (RFC 6152, 6531) | offered, checked | sent when needed and offered |
//! | CHUNKING, BINARYMIME (RFC 3030) | BDAT counted exactly, consumed when refused | BDAT when configured or binary |
//! | DSN (RFC 3461) | RET, ENVID, NOTIFY, ORCPT parsed | sent when offered |
//! | ENHANCEDSTATUSCODES (RFC 2034) | on every reply of its own | read from replies |
//! | STARTTLS (RFC 3207) | input purge, session reset | drops bytes after the 220, EHLO again |
//! | AUTH (RFC 4954) | through `mail_core::sasl`, application checks | strongest shared mechanism |
//! | LMTP (RFC 2033) | LHLO, one reply per recipient | per-recipient results |
//!
//! # A server, driven
//!
//! The whole driving loop of a server, with the socket replaced by a byte string:
//!
//! ```
//! use smtp_proto::prelude::*; // the driving contract: receive, next_event, take_output…
//! use smtp_proto::server::{Config, Connection, Event};
//!
//! # fn main() -> Result<(), smtp_proto::error::SendError> {
//! let mut config = Config::default();
//! config.hostname = "mx.example".into();
//! let mut conn = Connection::new(config);
//! let mut wire = conn.take_output().to_vec(); // the 220 greeting
//!
//! let client_bytes = b"EHLO client.example\r\nMAIL FROM:<a@client.example>\r\n\
//!     RCPT TO:<b@mx.example>\r\nDATA\r\nSubject: hi\r\n\r\nHello\r\n.\r\nQUIT\r\n";
//! conn.receive(client_bytes); // whatever the socket gave, in any pieces
//! // (or `conn.receive_buf(&mut read_buf)`: the read buffer is taken over without a copy,
//! // and message data events are slices of it)
//! let mut message = Vec::new();
//! let mut ended = None;
//! while let Some(event) = conn.next_event() {
//!     match event {
//!         Event::MessageData(chunk) => message.extend_from_slice(&chunk),
//!         Event::MessageEnd { envelope } => {
//!             assert_eq!(envelope.recipients.len(), 1);
//!             conn.accept()?; // stored: 250
//!         }
//!         Event::Closed { reason } => ended = Some(reason),
//!         e if e.needs_answer() => conn.accept()?, // HELO, MAIL, RCPT: all fine here
//!         _ => {}
//!     }
//! }
//! wire.extend_from_slice(&conn.take_output()); // write this to the socket
//! assert_eq!(message, b"Subject: hi\r\n\r\nHello\r\n");
//! assert_eq!(ended, Some(CloseReason::Quit));
//! assert!(conn.is_closed());
//! let wire = String::from_utf8_lossy(&wire);
//! assert!(wire.starts_with("220 mx.example ESMTP\r\n250-mx.example\r\n"));
//! assert!(wire.ends_with("250 2.0.0 Ok: queued\r\n221 2.0.0 mx.example Bye\r\n"));
//! # Ok(())
//! # }
//! ```
//!
//! # A tokio server with STARTTLS
//!
//! The same loop over a socket: read into a buffer the connection takes over, answer events,
//! write what it says, and when it wants the TLS handshake, hand the socket to your TLS
//! library and go on over the encrypted stream. `examples/src/session.rs` in the repository is
//! the full version (time limits, backpressure, connection caps), shared by every protocol.
//!
//! ```no_run
//! use smtp_proto::prelude::*;
//! use smtp_proto::server::{Config, Connection, Event};
//! use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
//!
//! /// Any stream: a TCP socket, then the TLS stream over it.
//! trait Io: AsyncRead + AsyncWrite + Unpin + Send {}
//! impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}
//!
//! /// Serves one client. `starttls` runs the server side of a TLS handshake over the socket
//! /// (with tokio-rustls: `TlsAcceptor::accept`).
//! async fn serve<F>(socket: tokio::net::TcpStream, starttls: F) -> std::io::Result<()>
//! where
//!     F: AsyncFn(Box<dyn Io>) -> std::io::Result<Box<dyn Io>>,
//! {
//!     let mut config = Config::default();
//!     config.extensions.starttls = true; // offered until TLS is active
//!     let mut conn = Connection::new(config);
//!     let mut stream: Box<dyn Io> = Box::new(socket);
//!     let mut buf = bytes::BytesMut::with_capacity(64 * 1024);
//!     loop {
//!         while let Some(event) = conn.next_event() {
//!             match event {
//!                 Event::MessageData(_chunk) => { /* store it */ }
//!                 Event::Closed { reason } => eprintln!("session over: {reason}"),
//!                 e if e.needs_answer() => conn.accept().map_err(std::io::Error::other)?,
//!                 _ => {}
//!             }
//!         }
//!         stream.write_all(&conn.take_output()).await?;
//!         if conn.is_closed() {
//!             return Ok(());
//!         }
//!         if conn.wants_tls_handshake() {
//!             stream = starttls(stream).await?;
//!             conn.tls_established().map_err(std::io::Error::other)?;
//!             continue;
//!         }
//!         if conn.wants_write() {
//!             continue; // the output was full: events may flow again
//!         }
//!         let read = tokio::time::timeout(conn.timeout(), stream.read_buf(&mut buf)).await;
//!         match read {
//!             Err(_elapsed) => conn.timed_out(),
//!             Ok(Ok(0)) => conn.receive_eof(),
//!             Ok(Ok(_)) => conn.receive_buf(&mut buf),
//!             Ok(Err(e)) => return Err(e),
//!         }
//!     }
//! }
//! ```
//!
//! # A client, driven
//!
//! ```
//! use smtp_proto::prelude::*;
//! use smtp_proto::client::{Config, Connection, Event, MailTransaction};
//! use smtp_proto::command::HeloDomain;
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let mut conn = Connection::new(Config::new(HeloDomain::parse(b"client.example")?));
//! let mut sent = String::new();
//! // Each server reply the socket delivers, in order:
//! for server_bytes in [
//!     &b"220 mx.example ESMTP\r\n"[..],
//!     b"250-mx.example\r\n250 PIPELINING\r\n",
//!     b"250 ok\r\n250 ok\r\n354 go\r\n",
//!     b"250 queued\r\n",
//!     b"221 bye\r\n",
//! ] {
//!     conn.receive(server_bytes);
//!     while let Some(event) = conn.next_event() {
//!         match event {
//!             Event::Ready(_) => conn.send_mail(MailTransaction::new(
//!                 "<a@client.example>".parse()?,
//!                 ["<b@mx.example>".parse()?],
//!             ))?,
//!             Event::SendBody => {
//!                 conn.send_body(b"Subject: hi\r\n\r\n.Hello\r\n")?;
//!                 conn.finish_body()?;
//!             }
//!             Event::MessageSent { .. } => conn.quit()?,
//!             Event::Closed { reason, .. } => assert_eq!(reason, CloseReason::Quit),
//!             _ => {}
//!         }
//!     }
//!     sent.push_str(std::str::from_utf8(&conn.take_output())?);
//! }
//! assert_eq!(
//!     sent,
//!     "EHLO client.example\r\nMAIL FROM:<a@client.example>\r\nRCPT TO:<b@mx.example>\r\n\
//!      DATA\r\nSubject: hi\r\n\r\n..Hello\r\n.\r\nQUIT\r\n"
//! );
//! # Ok(())
//! # }
//! ```
#![forbid(unsafe_code)]
#![cfg_attr(
    test,
    allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::indexing_slicing,
        clippy::panic
    )
)]

pub mod capability;
pub mod client;
pub mod command;
pub mod error;
pub mod reply;
pub mod server;

pub use mail_core;

/// The driving contract that every connection of this crate implements, and the reason a
/// session ended: `use smtp_proto::prelude::*;` to call `receive`, `next_event`,
/// `take_output` and the rest on a connection.
pub mod prelude {
    pub use mail_core::connection::{CloseReason, Connection as _};
}
