//! What the server reports to the application, and where the session is.

use bytes::Bytes;
use mail_core::address::rfc5321::{ForwardPath, ReversePath};
use mail_core::connection::CloseReason;
use mail_core::message::Envelope;
use mail_core::sasl::Mechanism;
use mail_core::sasl::server::Verification;

use crate::command::{Argument, HeloDomain, MailParameters, RcptParameters};

/// What the server has done, or what the application must decide.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event {
    /// `HELO`, `EHLO` or `LHLO`. Answer with [`Connection::accept`](super::Connection::accept) (the server builds the
    /// EHLO reply from [`Config::extensions`](super::Config::extensions)) or [`Connection::send`](super::Connection::send) a rejection.
    Helo {
        /// The client's name for itself.
        domain: HeloDomain,
        /// `EHLO`/`LHLO` rather than `HELO`.
        extended: bool,
    },
    /// `MAIL FROM`. Accept to start the transaction.
    Mail {
        /// The reverse path.
        reverse_path: ReversePath,
        /// Its parameters, already checked against the offered extensions.
        parameters: MailParameters,
    },
    /// `RCPT TO`. Accept to add the recipient.
    Rcpt {
        /// The recipient.
        forward_path: ForwardPath,
        /// Its parameters, already checked against the offered extensions.
        parameters: RcptParameters,
    },
    /// The message content starts (after `354`, or with the first `BDAT` chunk): the
    /// envelope is complete, so storage can be chosen now. No answer.
    MessageStart {
        /// The transaction's envelope, with the accepted recipients.
        envelope: Envelope,
    },
    /// A piece of the message content, in order: un-stuffed after `DATA`, as sent with
    /// `BDAT`. The message is never buffered whole by the server. No answer.
    MessageData(Bytes),
    /// The message is complete. Answer with [`Connection::accept`](super::Connection::accept) or [`Connection::send`](super::Connection::send)
    /// (`250` = accepted for delivery); in LMTP mode send one reply per accepted recipient,
    /// in recipient order.
    MessageEnd {
        /// The transaction's envelope, with the accepted recipients.
        envelope: Envelope,
    },
    /// The message in progress is void: it was too large, held bare newlines, the client
    /// sent `RSET` between `BDAT` chunks, or the connection ended. The server has replied;
    /// discard what was stored. No answer.
    MessageAborted {
        /// Why.
        reason: AbortReason,
    },
    /// `AUTH`: check these credentials and call [`Connection::auth_answer`](super::Connection::auth_answer).
    AuthVerify(Verification),
    /// The client authenticated (the server sent `235`). No answer.
    Authenticated {
        /// The mechanism used.
        mechanism: Mechanism,
        /// The identity to act as, if different from the authentication identity.
        authorization_identity: Option<String>,
        /// The identity whose credentials were checked, when the mechanism has one.
        authentication_identity: Option<String>,
    },
    /// `STARTTLS` was accepted and `220` queued: write the output, do the TLS handshake,
    /// then call [`tls_established`](mail_core::connection::Connection::tls_established).
    StartTls,
    /// Plaintext that arrived after `STARTTLS` and before the TLS handshake was discarded
    /// (RFC 3207 §4.2; CVE-2011-0411). No answer; worth logging.
    InputDiscarded {
        /// How many octets.
        len: usize,
    },
    /// `VRFY` (only with [`Config::application_vrfy`](super::Config::application_vrfy)): send the answer.
    Vrfy(Argument),
    /// `EXPN` (only with [`Config::application_expn`](super::Config::application_expn)): send the answer.
    Expn(Argument),
    /// `ETRN` (only with [`Config::application_etrn`](super::Config::application_etrn)): send the answer.
    Etrn(Argument),
    /// An unknown verb (only with [`Config::application_unknown`](super::Config::application_unknown)): send the answer.
    Unknown {
        /// The verb.
        verb: String,
        /// Its arguments.
        arguments: Option<Argument>,
    },
    /// The session is over: the last event, exactly once. Write the output that is left
    /// (the `221` or `421`), then close the socket. A message in progress was reported
    /// aborted before this. No answer.
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
            Self::MessageStart { .. }
                | Self::MessageData(_)
                | Self::MessageAborted { .. }
                | Self::Authenticated { .. }
                | Self::StartTls
                | Self::InputDiscarded { .. }
                | Self::Closed { .. }
        )
    }
}

/// Why a message was abandoned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AbortReason {
    /// Larger than [`Config::max_message_size`](super::Config::max_message_size); the server answered `552 5.3.4`.
    TooLarge,
    /// A bare CR or LF under [`BareNewline::Reject`](mail_core::line::BareNewline::Reject); the server answered `550 5.5.2`.
    BareNewline,
    /// `RSET` (or `HELO`/`EHLO`) between `BDAT` chunks.
    Reset,
    /// The connection ended inside the message.
    ConnectionClosed,
}

/// Where the session is (RFC 5321 §4.1.4 command order).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum State {
    /// Greeting sent; no `HELO`/`EHLO` yet.
    Greeted,
    /// `HELO`/`EHLO` done; no transaction.
    Ready,
    /// `MAIL` accepted; no recipient yet.
    Mail,
    /// At least one recipient accepted.
    Rcpt,
    /// Reading message content after `DATA` or `BDAT`.
    Data,
    /// In a SASL exchange.
    Auth,
    /// `220` to `STARTTLS` sent; waiting for the TLS handshake.
    TlsHandshake,
    /// `221` or `421` sent: close the connection once the output is written.
    Closed,
}
