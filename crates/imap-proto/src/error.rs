//! The error enums of this crate, one per boundary.

use crate::types::Tag;

/// Why bytes are not a valid IMAP command, type or argument (RFC 9051 §9).
///
/// `offset` counts bytes from the start of the input given to the parser (for
/// [`Command::parse`](crate::command::Command::parse), the start of the frame), so that a
/// server can say where a command went wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ParseError {
    /// The input breaks the grammar at `offset`.
    #[error("{expected} expected at byte {offset}")]
    Syntax {
        /// Byte offset of the first byte that fits no alternative.
        offset: usize,
        /// What the grammar allowed there, e.g. `"SP"` or `"nz-number"`.
        expected: &'static str,
    },
    /// Parenthesised lists or search keys nest deeper than the depth budget.
    #[error("nesting deeper than {max} levels at byte {offset}")]
    TooDeep {
        /// Byte offset of the opening that crossed the budget.
        offset: usize,
        /// The budget.
        max: usize,
    },
    /// A value is well-formed but out of range (a date, a number over its limit, …).
    #[error("invalid {what} at byte {offset}")]
    Invalid {
        /// Byte offset of the value.
        offset: usize,
        /// What the value was meant to be.
        what: &'static str,
    },
}

impl ParseError {
    /// Returns a syntax error at `offset`.
    pub const fn syntax(offset: usize, expected: &'static str) -> Self {
        Self::Syntax { offset, expected }
    }

    /// Returns the byte offset the error points at.
    pub const fn offset(&self) -> usize {
        match self {
            Self::Syntax { offset, .. }
            | Self::TooDeep { offset, .. }
            | Self::Invalid { offset, .. } => *offset,
        }
    }
}

/// A value that cannot be built because the wire grammar does not allow it, returned by the
/// validating constructors (`TryFrom`, `FromStr`, `new`) of the types in [`crate::types`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ValueError {
    /// The value is empty where the grammar needs at least one character.
    #[error("empty {0}")]
    Empty(&'static str),
    /// The value holds a byte the grammar forbids (CR, LF, NUL, a space in an atom, …).
    #[error("byte {byte:#04x} at offset {offset} is not allowed in {what}")]
    Byte {
        /// What was being built.
        what: &'static str,
        /// The offending byte.
        byte: u8,
        /// Its offset in the value.
        offset: usize,
    },
    /// The value is out of range (a zero where `nz-number` is required, a day 32, …).
    #[error("{0} out of range")]
    Range(&'static str),
    /// The value is not valid modified UTF-7 or UTF-8.
    #[error("invalid {0} encoding")]
    Encoding(&'static str),
}

/// What went wrong in [`Framer::next_frame`](crate::framing::Framer::next_frame).
///
/// The framer has already recovered when it returns one of these: it dropped the offending
/// message (and will drop the bytes of any non-synchronising literal the peer still sends),
/// and framing continues with the next message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FramingErrorKind {
    /// A line, CRLF included, is longer than the configured limit. Everything up to the next
    /// LF is discarded, however late it arrives.
    #[error("line longer than {max} octets")]
    LineTooLong {
        /// The limit.
        max: usize,
    },
    /// A literal announces more octets than the configured limit, or a non-synchronising
    /// literal is over the 4096-octet LITERAL- limit (RFC 7888 §5).
    #[error("literal of {size} octets over the limit of {max}")]
    LiteralTooLarge {
        /// The announced size.
        size: u64,
        /// The limit that was crossed.
        max: u64,
    },
    /// The message (lines plus literals) would be longer than the configured limit.
    #[error("message longer than {max} octets")]
    MessageTooLarge {
        /// The limit.
        max: u64,
    },
    /// A line ended with an LF not preceded by CR, and the policy rejects it.
    #[error("line ended by a bare LF")]
    BareLf,
    /// A line holds a CR not followed by LF.
    #[error("bare CR in a line")]
    BareCr,
}

/// A message the framer refused, with the tag of the command when one could be read, so that
/// a server can answer `tag BAD` (RFC 9051 §7.1.3) and a client can tell which command failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{kind}")]
#[non_exhaustive]
pub struct FramingError {
    /// The tag at the start of the refused message, if it is a valid tag.
    pub tag: Option<Tag>,
    /// What went wrong.
    pub kind: FramingErrorKind,
}

/// Local misuse of a connection: an answer that does not fit the pending event, or a call in
/// a state that does not allow it. Nothing changed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SendError {
    /// Not allowed now (no such event is pending, or the state forbids it).
    #[error("not allowed in the current state")]
    NotAllowed,
    /// The message is not in the selected mailbox as the client knows it.
    #[error("no such message")]
    NoSuchMessage,
    /// AUTHENTICATE cannot go ahead: the server offers no mechanism that the configuration
    /// allows and the credentials fit.
    #[error("no usable SASL mechanism")]
    NoMechanism,
    /// A value cannot be sent (a user name or password the grammar cannot carry).
    #[error("invalid value: {0}")]
    Value(#[source] ValueError),
}

/// What the server did wrong, when it broke the protocol; the client's session then ends
/// (its [`Event::Closed`](crate::client::Event::Closed) carries it).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ClientError {
    /// A response could not be framed: over a limit, or a bare CR or LF.
    #[error("response framing: {0}")]
    Framing(#[source] FramingError),
    /// A response is malformed.
    #[error("bad response: {0}")]
    Parse(#[source] ParseError),
    /// The first response is no greeting (RFC 9051 §7.1.1: `* OK`, `* PREAUTH` or `* BYE`).
    #[error("no greeting")]
    BadGreeting,
    /// A tagged response names no command in flight.
    #[error("response for unknown tag {0}")]
    UnknownTag(Tag),
    /// A continuation request (`+`) came while no command waits for one.
    #[error("unexpected continuation request")]
    UnexpectedContinuation,
    /// Bytes came after the tagged OK to STARTTLS, before the TLS handshake: they may be
    /// injected plaintext (RFC 9051 §6.2.1, CVE-2011-0411 and kin), so the session ends.
    #[error("data received after the STARTTLS response, before TLS")]
    DataAfterStartTls,
    /// An `EXPUNGE` named a message number beyond the mailbox as the server reported it
    /// (RFC 9051 §7.5.1).
    #[error("message number {0} beyond the mailbox")]
    NoSuchMessage(u32),
    /// An `EXISTS` announced more messages than the client keeps a view of (its
    /// `Config::max_messages`): the view costs memory per message, so a count from a hostile
    /// server must not size it.
    #[error("mailbox of {0} messages, over the client's limit")]
    TooManyMessages(u32),
    /// A literal too large to buffer came outside a FETCH body item (only FETCH bodies are
    /// streamed; see the client's `Config::stream_literals_over`).
    #[error("literal of {0} octets outside a FETCH body")]
    LiteralTooLarge(u64),
    /// The SASL exchange failed on the client side (a bad challenge, or the server could
    /// not prove itself).
    #[error("authentication: {0}")]
    Sasl(#[source] mail_core::sasl::client::Error),
}
