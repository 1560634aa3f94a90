//! What the client reports to the application, and where the session is.

use bytes::Bytes;
use mail_core::connection::CloseReason;

use super::LoginMethod;
use crate::capability::Capabilities;
use crate::command::MessageNumber;
use crate::error::ClientError;
use crate::response::{Greeting, Language, ScanListing, StatusLine, UidListing};

/// What the server said, or what the application must do.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event {
    /// The server's `+OK` greeting (RFC 1939 §4), with its APOP timestamp if any.
    Greeting(Greeting),
    /// The answer to `CAPA` (RFC 2449 §5).
    Capabilities(Capabilities),
    /// `+OK` to `STLS`: do the TLS handshake, then call [`tls_established`](mail_core::connection::Connection::tls_established).
    StartTls,
    /// The login succeeded; the session is in TRANSACTION.
    LoggedIn {
        /// How.
        method: LoginMethod,
        /// The server's `+OK`.
        line: StatusLine,
    },
    /// The login failed (see the line's [`ResponseCode`](crate::response::ResponseCode):
    /// `[AUTH]`, `[IN-USE]`, …); the session stays in AUTHORIZATION.
    LoginFailed(StatusLine),
    /// `STAT`'s drop listing.
    Stat {
        /// Messages, deleted ones excluded.
        count: u32,
        /// Their size in octets.
        size: u64,
    },
    /// `LIST msg`'s scan listing.
    ScanListing(ScanListing),
    /// `LIST`'s scan listings.
    ScanList(Vec<ScanListing>),
    /// `UIDL msg`'s unique-id listing.
    UidListing(UidListing),
    /// `UIDL`'s unique-id listings.
    UidList(Vec<UidListing>),
    /// `RETR`/`TOP` succeeded; the content follows as [`Event::MessageData`].
    MessageStart {
        /// The message.
        msg: MessageNumber,
        /// The `+OK` line.
        line: StatusLine,
    },
    /// Un-stuffed message content, in order.
    MessageData(Bytes),
    /// The message is complete.
    MessageEnd {
        /// The message.
        msg: MessageNumber,
    },
    /// `DELE` succeeded.
    Deleted(MessageNumber),
    /// `RSET` succeeded.
    Reset,
    /// `NOOP` succeeded.
    Noop,
    /// `UTF8` succeeded (RFC 6856 §2.1).
    Utf8,
    /// `LANG tag` succeeded (RFC 6856 §3).
    LanguageChanged(StatusLine),
    /// `LANG`'s language list.
    Languages(Vec<Language>),
    /// The answer to a command sent with [`Connection::send`](super::Connection::send) that has no typed result.
    Status(StatusLine),
    /// A command failed with `-ERR`.
    Failed {
        /// The command's keyword.
        command: &'static str,
        /// The `-ERR` line.
        line: StatusLine,
    },
    /// The session is over: the last event, exactly once. Close the socket.
    Closed {
        /// Why: [`CloseReason::Quit`] after `QUIT` (RFC 1939 §6; a `-ERR` to it comes as
        /// [`Event::Failed`] first), [`CloseReason::ServerClosed`] for a `-ERR` greeting,
        /// [`CloseReason::ProtocolViolation`] with `error`, [`CloseReason::PeerClosed`]
        /// when the server closed the connection.
        reason: CloseReason,
        /// The server's status line that ended the session, if one did.
        line: Option<StatusLine>,
        /// What the server did wrong, when it broke the protocol.
        error: Option<ClientError>,
    },
}

/// Where the session is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum State {
    /// Waiting for the greeting.
    Connecting,
    /// AUTHORIZATION (RFC 1939 §4).
    Authorization,
    /// TRANSACTION (RFC 1939 §5).
    Transaction,
    /// `+OK` to `STLS` received; waiting for [`tls_established`](mail_core::connection::Connection::tls_established).
    TlsHandshake,
    /// The session is over.
    Closed,
}
