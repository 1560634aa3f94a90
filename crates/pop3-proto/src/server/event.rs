//! What the server reports to the application, and where the session is.

use mail_core::Secret;
use mail_core::connection::CloseReason;
use mail_core::sasl::server::Verification;

use super::{LoginMethod, MaildropEntry};
use crate::command::{Argument, MessageNumber};

/// What the server has done, or what the application must decide.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event {
    /// `PASS` after `USER`: check the password and answer with
    /// [`Connection::auth_answer`](super::Connection::auth_answer) ([`Answer::Accept`](mail_core::sasl::server::Answer::Accept) or [`Answer::Reject`](mail_core::sasl::server::Answer::Reject)).
    CheckPassword {
        /// The `USER` name.
        user: Argument,
        /// The password.
        password: Secret<String>,
    },
    /// `APOP`: answer with [`Connection::auth_answer`](super::Connection::auth_answer): [`Answer::Password`](mail_core::sasl::server::Answer::Password) with the
    /// user's shared secret (the connection compares digests in constant time), or
    /// [`Answer::Reject`](mail_core::sasl::server::Answer::Reject) for an unknown user.
    ApopSecret {
        /// The user name.
        user: Argument,
    },
    /// `AUTH`: check these credentials and answer with [`Connection::auth_answer`](super::Connection::auth_answer).
    AuthVerify(Verification),
    /// The credentials are good: open and lock the maildrop with
    /// [`Connection::open_maildrop`](super::Connection::open_maildrop) or [`Connection::refuse`](super::Connection::refuse) (e.g. [`Refusal::InUse`](super::Refusal::InUse)).
    Authorized {
        /// The user (for SASL: the authorization identity, else the authentication
        /// identity; empty for EXTERNAL and ANONYMOUS without one).
        user: String,
        /// How the user authenticated.
        method: LoginMethod,
    },
    /// `RETR` (`lines: None`) or `TOP` (`lines: Some(n)`): send the message with
    /// [`Connection::message_data`](super::Connection::message_data) and [`Connection::message_end`](super::Connection::message_end), or refuse it with
    /// [`Connection::send`](super::Connection::send) (`-ERR`). The message exists and is not deleted.
    Retrieve {
        /// The message number.
        msg: MessageNumber,
        /// Its zero-based index in the [`Maildrop`](super::Maildrop).
        index: usize,
        /// For `TOP`: the number of body lines.
        lines: Option<u32>,
    },
    /// `QUIT` in TRANSACTION (RFC 1939 §6): remove these messages and release the lock,
    /// then call [`Connection::update_done`](super::Connection::update_done) (or [`Connection::send`](super::Connection::send) a `-ERR`).
    Update {
        /// The messages marked as deleted, with their maildrop entries.
        deleted: Vec<(MessageNumber, MaildropEntry)>,
    },
    /// The session ended in TRANSACTION without `QUIT` (connection closed, timeout, too many
    /// errors): release the lock and delete nothing (RFC 1939 §6). No answer.
    Aborted,
    /// `STLS` was accepted and `+OK` queued: write the output, do the TLS handshake, then
    /// call [`tls_established`](mail_core::connection::Connection::tls_established). No answer.
    StartTls,
    /// Plaintext that arrived after `STLS` and before the TLS handshake was discarded
    /// (RFC 2595 §4; CVE-2011-0411). No answer; worth logging.
    InputDiscarded {
        /// How many octets.
        len: usize,
    },
    /// The session is over: the last event, exactly once ([`Event::Aborted`] came first if
    /// a maildrop was open without `QUIT`). Write the output that is left, then close the
    /// socket. No answer.
    Closed {
        /// Why.
        reason: CloseReason,
    },
}

impl Event {
    /// Returns whether the application must answer this event before the server goes on.
    pub fn needs_answer(&self) -> bool {
        !matches!(
            self,
            Self::Aborted | Self::StartTls | Self::InputDiscarded { .. } | Self::Closed { .. }
        )
    }
}

/// Where the session is (RFC 1939 §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum State {
    /// AUTHORIZATION: the client must identify itself (RFC 1939 §4).
    Authorization,
    /// TRANSACTION: the maildrop is open (RFC 1939 §5).
    Transaction,
    /// UPDATE: `QUIT` was sent; the application expunges (RFC 1939 §6).
    Update,
    /// `+OK` to `STLS` sent; waiting for [`tls_established`](mail_core::connection::Connection::tls_established).
    TlsHandshake,
    /// The session is over: close the connection once the output is written.
    Closed,
}
