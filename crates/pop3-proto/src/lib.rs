//! Sans-IO POP3 (RFC 1939) with CAPA (RFC 2449), STLS (RFC 2595), AUTH (RFC 5034), response
//! codes (RFC 2449, 3206) and UTF8/LANG (RFC 6856).
//!
//! Every POP3 command and response, parsed and encoded in both directions, and a server and
//! a client state machine driven only with bytes: bytes in, events out, bytes out. Nothing
//! here opens a socket, spawns a task or reads a clock; the caller owns the socket, TLS,
//! timers and the maildrop. Line framing, dot-stuffing and SASL come from [`mail_core`].
//!
//! | module         | what it holds                                   | RFCs |
//! |----------------|-------------------------------------------------|------|
//! | [`command`]    | commands, message numbers, unique-ids, APOP     | 1939 §4–7, 2449 §5, 2595 §4, 5034 §4, 6856 §2–3 |
//! | [`response`]   | status lines, response codes, listings, bodies  | 1939 §3–7, 2449 §3 §8, 3206, 5034 §4, 6856 §5 |
//! | [`capability`] | CAPA tags, typed                                | 2449 §6, 2595 §4, 3206 §6, 5034 §5, 6856 |
//! | [`server`]     | the server state machine                        | 1939, 2449, 2595, 5034, 6856 |
//! | [`client`]     | the client state machine                        | 1939, 2449, 2595, 5034, 6856 |
//! | [`error`]      | the error enums                                 | |
//!
//! # Extensions
//!
//! | extension | server | client |
//! |---|---|---|
//! | APOP (RFC 1939 §7) | timestamp in the greeting; digest compared in constant time | used when the greeting has a timestamp and SASL is not possible |
//! | TOP, UIDL (RFC 1939 §7) | TOP's line count applied to the application's chunks | typed listings, un-stuffed bodies |
//! | CAPA, RESP-CODES, AUTH-RESP-CODE (RFC 2449, 3206) | built from the configuration and the state | typed [`capability::Capabilities`] |
//! | PIPELINING (RFC 2449 §6.6) | answers strictly in order | commands written at once when offered |
//! | STLS (RFC 2595) | input purge, AUTHORIZATION restarts | refuses bytes after the `+OK`; forgets CAPA |
//! | SASL (RFC 5034) | through `mail_core::sasl`; the application checks | strongest shared mechanism |
//! | UTF8, LANG (RFC 6856) | from the configuration | typed results |
//! | LOGIN-DELAY, EXPIRE, IMPLEMENTATION (RFC 2449) | advertised from the configuration | parsed |
//!
//! # A server, driven
//!
//! ```
//! use pop3_proto::prelude::*; // the driving contract: receive, next_event, take_output…
//! use pop3_proto::server::{Config, Connection, Event, Maildrop, MaildropEntry};
//! use pop3_proto::mail_core::sasl::server::Answer;
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let mut config = Config::default();
//! config.allow_plaintext_auth = true; // a test without TLS
//! let mut conn = Connection::new(config);
//! let mut wire = conn.take_output().to_vec(); // the +OK greeting
//!
//! let message = b"Subject: hi\r\n\r\n.leading dot\r\n";
//! conn.receive(b"USER alice\r\nPASS open sesame\r\nSTAT\r\nRETR 1\r\nDELE 1\r\nQUIT\r\n");
//! while let Some(event) = conn.next_event() {
//!     match event {
//!         Event::CheckPassword { user, password } => {
//!             let good = user.as_str() == "alice" && password.expose() == "open sesame";
//!             conn.auth_answer(if good { Answer::Accept } else { Answer::Reject })?;
//!         }
//!         Event::Authorized { .. } => {
//!             let entry = MaildropEntry::new(message.len() as u64, "msg-1".parse()?);
//!             conn.open_maildrop(Maildrop::new(vec![entry]))?;
//!         }
//!         Event::Retrieve { .. } => {
//!             conn.message_data(message)?; // in as many pieces as you like
//!             conn.message_end()?;
//!         }
//!         Event::Update { deleted } => {
//!             assert_eq!(deleted.len(), 1); // remove it from storage here
//!             conn.update_done()?;
//!         }
//!         Event::Closed { reason } => assert_eq!(reason, CloseReason::Quit),
//!         _ => {}
//!     }
//! }
//! wire.extend_from_slice(&conn.take_output()); // write this to the socket
//! let wire = String::from_utf8_lossy(&wire);
//! assert!(wire.contains("+OK 1 29\r\n+OK 29 octets\r\nSubject: hi\r\n\r\n..leading dot\r\n.\r\n"));
//! assert!(conn.is_closed());
//! # Ok(())
//! # }
//! ```
//!
//! # A client, driven
//!
//! ```
//! use pop3_proto::prelude::*;
//! use pop3_proto::client::{Config, Connection, Event, Login};
//! use pop3_proto::command::MessageNumber;
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let mut config = Config::default();
//! config.allow_plaintext_auth = true; // a test without TLS
//! let mut conn = Connection::new(config);
//! let mut sent = String::new();
//! let mut message = Vec::new();
//! let one = MessageNumber::new(1).ok_or("message 1")?;
//! // Each server response the socket delivers, in order:
//! for server_bytes in [
//!     &b"+OK POP3 ready <1896.697170952@dbc.mtview.ca.us>\r\n"[..],
//!     b"+OK maildrop locked and ready\r\n",
//!     b"+OK 1 29\r\n",
//!     b"+OK 29 octets\r\nSubject: hi\r\n\r\n..leading dot\r\n.\r\n",
//!     b"+OK bye\r\n",
//! ] {
//!     conn.receive(server_bytes);
//!     while let Some(event) = conn.next_event() {
//!         match event {
//!             Event::Greeting(_) => conn.login(Login::new("mrose", "tanstaaf"))?,
//!             Event::LoggedIn { .. } => conn.stat()?,
//!             Event::Stat { count, .. } if count > 0 => conn.retr(one)?,
//!             Event::MessageData(chunk) => message.extend_from_slice(&chunk),
//!             Event::MessageEnd { .. } => conn.quit()?,
//!             Event::Closed { reason, .. } => assert_eq!(reason, CloseReason::Quit),
//!             _ => {}
//!         }
//!     }
//!     sent.push_str(std::str::from_utf8(&conn.take_output())?);
//! }
//! assert_eq!(
//!     sent,
//!     "APOP mrose c4c9334bac560ecc979e58001b3e22fb\r\nSTAT\r\nRETR 1\r\nQUIT\r\n"
//! );
//! assert_eq!(message, b"Subject: hi\r\n\r\n.leading dot\r\n");
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
pub mod response;
pub mod server;

pub use mail_core;

/// The driving contract that every connection of this crate implements, and the reason a
/// session ended: `use pop3_proto::prelude::*;` to call `receive`, `next_event`,
/// `take_output` and the rest on a connection.
pub mod prelude {
    pub use mail_core::connection::{CloseReason, Connection as _};
}
