//! Sans-IO SMTP (RFC 5321) with its ESMTP extensions, and LMTP (RFC 2033).
//!
//! This crate holds SMTP commands and replies, parsed and encoded in both directions, and
//! (as the smtp-proto issue progresses) a server and a client state machine driven only with
//! bytes: bytes in, events out, bytes out. It builds on [`mail_core`] for addresses, line
//! framing, dot-stuffing and SASL.
//!
//! | module      | what it holds                                       | RFCs |
//! |-------------|-----------------------------------------------------|------|
//! | [`reply`]   | replies, reply codes, enhanced status codes         | 5321 §4.2, 2034, 3463 |
//! | [`error`]   | the error enums                                     | |
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

pub mod error;
pub mod reply;

pub use mail_core;
