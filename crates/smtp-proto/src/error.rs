//! The error enums of this crate, one per boundary.

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
