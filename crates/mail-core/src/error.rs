//! The error type shared by the parsers of this crate.

/// A parse failure: where it happened and what the parser expected there.
///
/// `offset` counts bytes from the start of the input given to the parser, so that a caller
/// can point at the offending byte of a command line or header field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{expected} expected at byte {offset}")]
#[non_exhaustive]
pub struct ParseError {
    /// Byte offset of the first byte that fits no alternative.
    pub offset: usize,
    /// What the grammar allowed at that offset, e.g. `"'>' closing the path"`.
    pub expected: &'static str,
}

impl ParseError {
    /// Returns an error at `offset` saying that `expected` was expected there.
    pub const fn new(offset: usize, expected: &'static str) -> Self {
        Self { offset, expected }
    }

    /// Returns the same error with its offset moved by `base` bytes, for a parser that ran on
    /// a sub-slice starting `base` bytes into the caller's input.
    #[must_use]
    pub const fn shifted(self, base: usize) -> Self {
        Self {
            offset: self.offset.saturating_add(base),
            expected: self.expected,
        }
    }
}
