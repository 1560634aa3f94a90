//! The client's settings, and what [`login`](super::Connection::login) needs.

use core::time::Duration;
use mail_core::Secret;
use mail_core::connection::DEFAULT_OUTPUT_HIGH_WATER;
use mail_core::line::BareNewline;
use mail_core::sasl::{Mechanism, Nonce};

/// The client's settings.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Config {
    /// The longest response line accepted outside message bodies, CRLF included (RFC 2449
    /// §4 says 512; real servers send longer ones, so the default is 4096).
    pub max_response_line: usize,
    /// The longest SASL challenge line, CRLF included.
    pub max_auth_line: usize,
    /// What to do with a bare CR or LF: in response lines, `Reject` fails the connection;
    /// in message bodies, `Normalize` rewrites it to CRLF and `Reject` fails the connection
    /// after the message.
    pub bare_newline: BareNewline,
    /// The SASL mechanisms the client may use, any order (the strongest shared one is
    /// picked; see [`Mechanism::strongest`]). Default: SCRAM-SHA-256, CRAM-MD5, PLAIN, LOGIN.
    pub sasl_mechanisms: Vec<Mechanism>,
    /// Use `APOP` when the greeting carries a timestamp and SASL is not possible. Default on.
    pub apop: bool,
    /// Use `USER`/`PASS` as the last resort. Default on.
    pub user_pass: bool,
    /// Send credentials without TLS. Default off (RFC 2595 §2.2).
    pub allow_plaintext_auth: bool,
    /// The connection starts inside TLS (RFC 8314 implicit TLS, port 995).
    pub tls_active: bool,
    /// The most entries a `LIST`, `UIDL`, `CAPA` or `LANG` listing may have: a server that
    /// streams an endless listing ends the session ([`ClientError::ListingTooLong`]) instead
    /// of filling the client's memory. Default 500 000.
    ///
    /// [`ClientError::ListingTooLong`]: crate::error::ClientError::ListingTooLong
    pub max_listing_entries: usize,
    /// How long to wait for the server's next response (RFC 1939 §3 gives servers at least
    /// ten minutes of patience; a client waits as long). Default 10 minutes.
    pub timeout: Duration,
    /// Output octets above which `wants_write` asks the application to write before it
    /// issues more commands. `0`: no limit.
    pub output_high_water: usize,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            max_response_line: 4096,
            max_auth_line: 24 * 1024,
            bare_newline: BareNewline::Reject,
            sasl_mechanisms: vec![
                Mechanism::ScramSha256,
                Mechanism::CramMd5,
                Mechanism::Plain,
                Mechanism::Login,
            ],
            apop: true,
            user_pass: true,
            allow_plaintext_auth: false,
            tls_active: false,
            max_listing_entries: 500_000,
            timeout: Duration::from_secs(600),
            output_high_water: DEFAULT_OUTPUT_HIGH_WATER,
        }
    }
}

/// What [`Connection::login`](super::Connection::login) needs.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Login {
    /// The user name.
    pub user: String,
    /// The password (or shared secret for APOP).
    pub password: Secret<String>,
    /// A fresh random nonce for SCRAM-SHA-256 (RFC 5802 §5.1); without one SCRAM is not
    /// used.
    pub nonce: Option<Nonce>,
}

impl Login {
    /// Returns login data for a user name and password, without a SCRAM nonce.
    pub fn new(user: impl Into<String>, password: impl Into<String>) -> Self {
        Self {
            user: user.into(),
            password: Secret::new(password.into()),
            nonce: None,
        }
    }
}
