//! The error enums of this crate, one per boundary.

use crate::response::StatusLine;

/// Why a line from a client is not a valid POP3 command (RFC 1939 §3, RFC 2449 §3).
///
/// A server answers every one of them with `-ERR`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CommandError {
    /// The line breaks the command's grammar.
    #[error("{expected} expected at byte {offset} of the command line")]
    Syntax {
        /// Byte offset in the line.
        offset: usize,
        /// What the grammar allowed there.
        expected: &'static str,
    },
}

impl CommandError {
    /// Returns a syntax error at `offset`.
    pub const fn syntax(offset: usize, expected: &'static str) -> Self {
        Self::Syntax { offset, expected }
    }
}

impl From<mail_core::ParseError> for CommandError {
    fn from(e: mail_core::ParseError) -> Self {
        Self::Syntax {
            offset: e.offset,
            expected: e.expected,
        }
    }
}

/// Why bytes from a server are not the POP3 response that was expected, or a response value
/// cannot be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ResponseError {
    /// A line breaks the response grammar (RFC 1939 §3, RFC 2449 §3).
    #[error("{expected} expected at byte {offset} of the response line")]
    Syntax {
        /// Byte offset in the line.
        offset: usize,
        /// What the grammar allowed there.
        expected: &'static str,
    },
    /// The input ends inside the response: more bytes are needed.
    #[error("incomplete response")]
    Incomplete,
    /// A line, or the whole response, is longer than the limit.
    #[error("response longer than the limit")]
    TooLong,
}

impl ResponseError {
    /// Returns a syntax error at `offset`.
    pub const fn syntax(offset: usize, expected: &'static str) -> Self {
        Self::Syntax { offset, expected }
    }
}

impl From<mail_core::ParseError> for ResponseError {
    fn from(e: mail_core::ParseError) -> Self {
        Self::Syntax {
            offset: e.offset,
            expected: e.expected,
        }
    }
}

/// A value that cannot be built because it would not encode to valid POP3.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum ValueError {
    /// The value is empty where the grammar needs at least one octet.
    #[error("empty value")]
    Empty,
    /// The value is longer than the grammar allows.
    #[error("value too long")]
    TooLong,
    /// The value holds an octet the grammar forbids at this offset (CR, LF, NUL, a space
    /// inside an argument, …).
    #[error("forbidden octet at byte {offset}")]
    Forbidden {
        /// Byte offset of the first forbidden octet.
        offset: usize,
    },
    /// A number is zero or out of range.
    #[error("number out of range")]
    OutOfRange,
    /// Response text without a response code starts with `[` and would read as one.
    #[error("text would read as a response code")]
    AmbiguousText,
}

/// Local misuse of a state machine: an answer or command the current state does not allow.
/// Nothing changes when it is returned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SendError {
    /// Nothing awaits this answer, or the current state does not allow this command.
    #[error("not allowed in the current state")]
    NotAllowed,
    /// The login cannot go ahead: the server offers no method the configuration allows for
    /// these credentials (or none without TLS).
    #[error("no usable login method")]
    NoLoginMethod,
    /// The server did not offer the capability this needs.
    #[error("the server does not offer {0}")]
    NotOffered(&'static str),
    /// The message number is outside the maildrop or the message is deleted.
    #[error("no such message")]
    NoSuchMessage,
}

/// What the server did wrong, when it broke the protocol; the client's session then ends
/// ([`Event::Closed`](crate::client::Event::Closed) carries it).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ClientError {
    /// A response is malformed.
    #[error("bad response")]
    Response(#[source] ResponseError),
    /// A response line is longer than the configured limit.
    #[error("response line too long")]
    LineTooLong,
    /// A response line ended with a bare LF or held a bare CR.
    #[error("bare CR or LF in a response")]
    BareNewline,
    /// A response came that answers no command.
    #[error("unexpected response {0:?}")]
    UnexpectedResponse(StatusLine),
    /// Bytes came with or after the `+OK` to STLS, before the TLS handshake: they may be
    /// injected plaintext (RFC 2595 §4), so the connection must be dropped.
    #[error("data received after the STLS response, before TLS")]
    DataAfterStartTls,
    /// The SASL exchange failed on the client side (a bad challenge, or the server could
    /// not prove itself).
    #[error("authentication")]
    Sasl(#[source] mail_core::sasl::client::Error),
    /// A multi-line listing had more entries than
    /// [`Config::max_listing_entries`](crate::client::Config::max_listing_entries).
    #[error("listing longer than {limit} entries")]
    ListingTooLong {
        /// The limit.
        limit: usize,
    },
}
