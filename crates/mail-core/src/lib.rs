//! Building blocks that SMTP, POP3 and IMAP share.
//!
//! `mail-core` holds what at least two of the `mail-proto` protocol crates need, plus the
//! message and address types that all of them exchange:
//!
//! | module        | what it holds                                                        | RFCs |
//! |---------------|----------------------------------------------------------------------|------|
//! | [`address`]   | SMTP paths and mailboxes; RFC 5322 addresses, groups, address lists  | 5321, 5322, 6531, 6532, 2047 |
//! | [`line`](mod@line) | CRLF line framing with a length limit and a bare-newline policy      | 5321 §2.3.8, 1939 §3 |
//! | [`dot`]       | streaming dot-stuffing encoder and decoder                           | 5321 §4.5.2, 1939 §3 |
//! | [`connection`] | the driving contract of every server and client connection, and its shared core | |
//! | [`buffer`]    | handing a read buffer over without copying; numbers without allocating | |
//! | [`sasl`]      | SASL mechanisms, client and server side, and base64 framing          | 4422, 4616, 2195, 5802, 7677, 7628, 4954, 5034, 4959 |
//! | [`secret`]    | [`Secret`], a value whose `Debug` never shows it                     | |
//! | [`text`]      | [`CompactText`](text::CompactText), short UTF-8 text without a heap allocation | |
//! | [`message`]   | a raw message with header access, and the SMTP envelope              | 5322, 5321 |
//! | [`mime`]      | the MIME part tree, header-field grammar, transfer decoding, charsets | 2045, 2046, 2231 |
//!
//! Nothing here performs I/O, spawns tasks or reads a clock. Parsed values own their data
//! (`bytes::Bytes` or `String`) and have no lifetime parameters.
#![forbid(unsafe_code)]
#![cfg_attr(
    test,
    allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::indexing_slicing,
        clippy::panic
    )
)]

pub mod address;
pub mod buffer;
pub mod connection;
pub mod date;
pub mod dot;
pub mod error;
pub mod line;
pub mod message;
pub mod mime;
pub mod sasl;
pub mod secret;
pub mod text;

pub use error::ParseError;
pub use secret::Secret;

/// The README's examples, compiled and run as doc tests so they cannot go stale.
#[doc = include_str!("../../../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
