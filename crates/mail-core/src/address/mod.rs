//! Mail addresses in the two grammars mail uses.
//!
//! - [`rfc5321`]: what SMTP puts on the wire: `ReversePath`, `ForwardPath`, `Mailbox`,
//!   `LocalPart`, `Domain`, address literals (RFC 5321 §4.1.2–4.1.3), with the UTF-8 forms of
//!   RFC 6531.
//! - [`rfc5322`]: what message headers carry: `Address` (a mailbox with an optional display
//!   name, or a group) and `AddressList`, with comments, quoted strings, the obsolete forms of
//!   RFC 5322 §4.4 and RFC 2047 encoded words in display names ([`encoded_word`]).
//!
//! Two grammars, two sets of types: an SMTP path is stricter than a header address (no
//! comments, no folding white space) and the types say which one a value passed.

pub mod encoded_word;
pub mod rfc5321;
pub mod rfc5322;

// `Mailbox` and the error type stay under `rfc5322::`: `rfc5321` has a `Mailbox` of its own.
pub use rfc5322::{AddrSpec, Address, AddressList, Group, MailboxList};

/// Returns whether `b` is an `atext` character (RFC 5322 §3.2.3, RFC 5321 §4.1.2 `atext`).
///
/// ```abnf
/// atext = ALPHA / DIGIT / "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "/" /
///         "=" / "?" / "^" / "_" / "`" / "{" / "|" / "}" / "~"
/// ```
///
/// Non-ASCII bytes (RFC 6531 §3.3 / RFC 6532 §3.2 `UTF8-non-ascii`) are not `atext` here;
/// the parsers that accept UTF-8 check them separately with [`is_utf8_non_ascii`].
pub const fn is_atext(b: u8) -> bool {
    matches!(b,
        b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9'
        | b'!' | b'#' | b'$' | b'%' | b'&' | b'\'' | b'*' | b'+' | b'-' | b'/'
        | b'=' | b'?' | b'^' | b'_' | b'`' | b'{' | b'|' | b'}' | b'~')
}

/// Returns whether `b` is a byte of a non-ASCII UTF-8 sequence (RFC 6532 §3.1 `UTF8-non-ascii`).
///
/// Whether the sequence as a whole is valid UTF-8 is checked once per token with
/// [`core::str::from_utf8`], not byte by byte.
pub const fn is_utf8_non_ascii(b: u8) -> bool {
    b >= 0x80
}
