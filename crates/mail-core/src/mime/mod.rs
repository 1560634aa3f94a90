//! MIME structure of a message (RFC 2045, RFC 2046, RFC 2231): the part tree, the
//! header-field grammar, transfer decoding and charsets, shared by every protocol.
//!
//! | item | what it holds | RFCs |
//! |---|---|---|
//! | [`MimeTree`] | the walker: parts with byte offsets, sizes, line counts and raw header fields | 2045, 2046 §5, 5322 §2 |
//! | [`grammar`] | `Content-Type`, `Content-Disposition`, `Content-Language`, RFC 2231 parameters (nom) | 2045 §5.1, 2183, 3282, 2231 |
//! | [`decode`] | streaming base64 and quoted-printable decoders | 2045 §6.7, §6.8 |
//! | [`charset`] | UTF-8, US-ASCII, ISO-8859-1/15 and Windows-1252 to UTF-8 | 2046 §4.1.2 |
//!
//! The walker reads a message as Dovecot does, so that an IMAP server built on it answers
//! BODYSTRUCTURE and body sections as Dovecot would (imap-proto's `message` module turns the
//! tree into those answers). It never recurses, never panics on input, and bounds nesting
//! and part count with [`Limits`].

pub mod charset;
pub mod decode;
pub mod grammar;
mod tree;

pub use tree::{Children, Field, Limits, MimeTree, Part, PartKind, Size};
