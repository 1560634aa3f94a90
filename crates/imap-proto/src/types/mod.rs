//! The core types of IMAP (RFC 9051 §4 and §9): strings, numbers, sequence sets, flags,
//! mailbox names, dates, capabilities and section specifiers.
//!
//! Every type validates on construction (`TryFrom`, `FromStr`, `new`), so a value that
//! exists can be encoded, and none can carry CR, LF or NUL where the wire forbids them.
//! Every type parses from bytes (`parse`) and encodes through [`Encode`], choosing the wire
//! form the value needs (atom, then quoted, then literal).

mod capability;
mod datetime;
mod flag;
mod mailbox;
pub(crate) mod parser;
pub(crate) mod section;
mod sequence;
mod string;

pub use capability::Capability;
pub use datetime::{Date, DateTime};
pub use flag::{Flag, FlagPerm};
pub use mailbox::{ListMailbox, Mailbox, MailboxName, decode_modified_utf7, encode_modified_utf7};
pub use parser::{DEFAULT_MAX_DEPTH, Encode, Encoder, Fragment, fragments_to_bytes};
pub(crate) use section::encode_part;
pub use section::{Partial, Section, SectionText};
pub use sequence::{PartialRange, SeqNumber, SeqRange, SequenceSet};
pub(crate) use string::short_text;
pub use string::{AString, Atom, IString, Literal, Literal8, NString, ObjectId, Quoted, Tag};

/// Parses a whole input as `number` (RFC 9051 §9: an unsigned 32-bit integer).
///
/// # Errors
/// [`crate::error::ParseError`] for anything but 1 to 10 digits whose value fits.
pub fn parse_number(input: &[u8]) -> Result<u32, crate::error::ParseError> {
    parser::parse_all(input, |p| p.number())
}

/// Parses a whole input as `nz-number` (RFC 9051 §9).
///
/// # Errors
/// [`crate::error::ParseError`] for zero or anything that is not a `number`.
pub fn parse_nz_number(input: &[u8]) -> Result<core::num::NonZeroU32, crate::error::ParseError> {
    parser::parse_all(input, |p| p.nz_number())
}

/// Parses a whole input as `number64` (RFC 9051 §9: up to 2^63 - 1).
///
/// # Errors
/// [`crate::error::ParseError`] for anything but digits whose value fits.
pub fn parse_number64(input: &[u8]) -> Result<u64, crate::error::ParseError> {
    parser::parse_all(input, |p| p.number64())
}
