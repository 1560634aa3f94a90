//! What the client reports to the application, and where the session is.

use mail_core::address::rfc5321::ForwardPath;
use mail_core::connection::CloseReason;
use mail_core::sasl::Mechanism;

use crate::capability::EhloReply;
use crate::error::ClientError;
use crate::reply::Reply;

/// What the client learned, or what the application should do now.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event {
    /// The server's greeting arrived (the client answers it with EHLO by itself).
    Greeting(Reply),
    /// The session is usable: EHLO (or HELO) succeeded, after the greeting or after
    /// STARTTLS. `capabilities` is empty after a HELO fallback.
    Ready(EhloReply),
    /// The server agreed to STARTTLS: write the output, do the TLS handshake, then call
    /// [`tls_established`](mail_core::connection::Connection::tls_established).
    StartTls,
    /// STARTTLS was refused; the session goes on in plaintext.
    StartTlsRefused(Reply),
    /// Authentication succeeded with this mechanism.
    Authenticated(Mechanism),
    /// Authentication failed, with the server's reply (or the client gave up, e.g. the
    /// SCRAM server signature did not verify: `reply` is then the server's `235`).
    AuthenticationFailed {
        /// The final reply.
        reply: Reply,
        /// The local reason, when the client rejected the exchange itself.
        reason: Option<String>,
    },
    /// A recipient's result, in the order the recipients were given.
    Recipient {
        /// The recipient.
        forward_path: ForwardPath,
        /// The server's reply to `RCPT`.
        reply: Reply,
    },
    /// The server waits for the content: call [`Connection::send_body`](super::Connection::send_body) and
    /// [`Connection::finish_body`](super::Connection::finish_body).
    SendBody,
    /// The message was answered. In SMTP `replies` has one entry, for all accepted
    /// recipients; in LMTP one per accepted recipient.
    MessageSent {
        /// Each accepted recipient's final reply.
        replies: Vec<(ForwardPath, Reply)>,
    },
    /// The transaction failed before the content: `MAIL` refused, no recipient accepted,
    /// or `DATA` refused. The client has reset the server's state if needed.
    TransactionFailed(Reply),
    /// The reply to a command sent with [`Connection::send`](super::Connection::send), [`Connection::reset`](super::Connection::reset) or
    /// [`Connection::noop`](super::Connection::noop).
    Reply(Reply),
    /// The session is over: the last event, exactly once. Close the socket.
    Closed {
        /// Why: [`CloseReason::Quit`] after our `QUIT`, [`CloseReason::ServerClosed`] for a
        /// `421` or a refused greeting, [`CloseReason::ProtocolViolation`] with `error`.
        reason: CloseReason,
        /// The server's last reply (`221`, `421`, the refused greeting), if one ended it.
        reply: Option<Reply>,
        /// What the server did wrong, when it broke the protocol.
        error: Option<ClientError>,
    },
}

/// Where the session is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum State {
    /// Waiting for the greeting, or for the EHLO/HELO reply.
    Connecting,
    /// Idle: an operation may start.
    Ready,
    /// An operation is in progress: wait for its event.
    Busy,
    /// The server waits for message content.
    Body,
    /// `220` to STARTTLS received: do the handshake.
    TlsHandshake,
    /// The session is over.
    Closed,
}
