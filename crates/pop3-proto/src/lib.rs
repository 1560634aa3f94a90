//! Sans-IO POP3 (RFC 1939) with CAPA (RFC 2449), STLS (RFC 2595), AUTH (RFC 5034) and UTF8
//! (RFC 6856).
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
pub mod response;
pub mod server;

pub use mail_core;
