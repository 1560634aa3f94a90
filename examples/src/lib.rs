//! Code shared by the example adapters: the connection loop, TLS setup, Maildir storage,
//! the user table, the SMTP, POP3 and IMAP sessions of the `mail-server` example, and the
//! client sessions of `pop3-fetch` and `imap-fetch`.
//!
//! Every adapter is thin: read from the socket → `receive` → `next_event` loop → storage →
//! `take_output` → write. The protocol crates do the protocol; this crate only moves bytes,
//! upgrades to TLS when a session asks for it, and stores mail.
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

pub mod guard;
pub mod imap;
pub mod imap_fetch;
pub mod maildir;
pub mod mailstore;
pub mod pop3;
pub mod session;
pub mod smtp;
pub mod sort;
pub mod stream;
pub mod tls;
pub mod users;

/// The error type of the examples: anything, with a message.
pub type Error = Box<dyn std::error::Error + Send + Sync>;

/// Starts logging to stderr; `RUST_LOG` selects the level (default `info`).
pub fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .try_init();
}
