//! The error enums of this crate, one per boundary.

use crate::reply::Reply;

/// Why bytes from a server are not an SMTP reply, or a reply cannot be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ReplyError {
    /// A line breaks the reply grammar of RFC 5321 §4.2.
    #[error("{expected} expected at byte {offset} of the reply line")]
    Syntax {
        /// Byte offset in the line.
        offset: usize,
        /// What the grammar allowed there.
        expected: &'static str,
    },
    /// A continuation line carries another reply code than the first line.
    #[error("reply line with code {line} inside a reply with code {first}")]
    CodeMismatch {
        /// The code of the reply's first line.
        first: u16,
        /// The code of the offending line.
        line: u16,
    },
    /// The reply has more lines or bytes than the configured limits.
    #[error("reply longer than the configured limit")]
    TooLong,
    /// The input ended inside a reply.
    #[error("incomplete reply")]
    Incomplete,
    /// Reply text to be sent holds CR, LF or another control character.
    #[error("reply text holds a control character")]
    Text,
}

/// Why a line from a client is not a valid SMTP command.
///
/// A server answers [`CommandError::Syntax`] and [`CommandError::Parameter`] with `501`
/// (RFC 5321 §4.2.2 "Syntax error in parameters or arguments") and
/// [`CommandError::DuplicateParameter`] with `501` as well.
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
    /// A known ESMTP parameter has a value its extension does not allow.
    #[error("bad {keyword} parameter: {reason}")]
    Parameter {
        /// The parameter keyword.
        keyword: &'static str,
        /// What was wrong.
        reason: &'static str,
    },
    /// An ESMTP parameter appears twice.
    #[error("{keyword} parameter given twice")]
    DuplicateParameter {
        /// The parameter keyword.
        keyword: &'static str,
    },
}

impl CommandError {
    /// Returns a syntax error at `offset`.
    pub const fn syntax(offset: usize, expected: &'static str) -> Self {
        Self::Syntax { offset, expected }
    }

    /// Returns the error with a syntax offset moved by `base` bytes.
    #[must_use]
    pub const fn shifted(self, base: usize) -> Self {
        match self {
            Self::Syntax { offset, expected } => Self::Syntax {
                offset: offset.saturating_add(base),
                expected,
            },
            other => other,
        }
    }
}

/// Local misuse of a state machine: an answer or command the current state does not allow.
/// Nothing changes when it is returned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SendError {
    /// Nothing awaits this answer, or the current state does not allow this command.
    #[error("not allowed in the current state")]
    NotAllowed,
    /// The reply could not be built (a control character in configured text).
    #[error("invalid reply text")]
    InvalidReply,
    /// No SASL mechanism fits: the server offers none that the configuration allows for
    /// these credentials.
    #[error("no usable authentication mechanism")]
    NoMechanism,
    /// The message needs an extension the server did not offer.
    #[error("the server does not offer {0}")]
    NotOffered(&'static str),
    /// The declared size is over the server's `SIZE` limit.
    #[error("message of {size} octets exceeds the server's limit of {max}")]
    TooLarge {
        /// The message size.
        size: u64,
        /// The server's limit.
        max: u64,
    },
}

/// What the server did wrong, when it broke the protocol; the client's session then ends
/// ([`Event::Closed`](crate::client::Event::Closed) carries it).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ClientError {
    /// A reply line is malformed, or a reply crosses the configured limits.
    #[error("bad reply")]
    Reply(#[source] ReplyError),
    /// A reply line is longer than the configured limit.
    #[error("reply line too long")]
    LineTooLong,
    /// A reply line ended with a bare LF or held a bare CR.
    #[error("bare CR or LF in a reply")]
    BareNewline,
    /// A reply came that answers no command.
    #[error("unexpected reply {0}")]
    UnexpectedReply(Reply),
    /// The server refused `EHLO`/`HELO`.
    #[error("refused: {0}")]
    Refused(Reply),
    /// Bytes came with or after the `220` to STARTTLS, before the TLS handshake: they may
    /// be injected plaintext (RFC 3207 §4.2), so the connection is dropped.
    #[error("data received after the STARTTLS reply, before TLS")]
    DataAfterStartTls,
}
