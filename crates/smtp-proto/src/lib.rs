//! Sans-IO SMTP (RFC 5321) with its ESMTP extensions, and LMTP (RFC 2033).
//!
//! This crate holds SMTP commands and replies, parsed and encoded in both directions, and
//! (as the smtp-proto issue progresses) a server and a client state machine driven only with
//! bytes: bytes in, events out, bytes out. It builds on [`mail_core`] for addresses, line
//! framing, dot-stuffing and SASL.
//!
//! | module      | what it holds                                       | RFCs |
//! |-------------|-----------------------------------------------------|------|
//! | [`capability`] | EHLO keywords, typed                              | 5321 §4.1.1.1, 1870, 2920, 3030, 3207, 3461, 4954, 6152, 6531, 8689, 2852, 4865, 6710, 9422 |
//! | [`command`] | commands and their ESMTP parameters                | 5321 §4.1, 1870, 2852, 3030, 3207, 3461, 4865, 4954, 6152, 6531, 6710, 7293, 8689, 1985, 2033 |
//! | [`reply`]   | replies, reply codes, enhanced status codes         | 5321 §4.2, 2034, 3463 |
//! | [`server`]  | the server state machine (SMTP and LMTP)           | 5321, 2033, 2920, 3030, 3207, 4954 |
//! | [`client`]  | the client state machine (SMTP and LMTP)           | 5321, 2033, 2920, 3030, 3207, 4954 |
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

pub mod capability;
pub mod client;
pub mod command;
pub mod error;
pub mod reply;
pub mod server;

pub use mail_core;
