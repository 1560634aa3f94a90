//! The server's configuration, and what the application hands it: the maildrop.

use core::time::Duration;
use mail_core::connection::DEFAULT_OUTPUT_HIGH_WATER;
use mail_core::line::BareNewline;
use mail_core::sasl::authenticator::DEFAULT_MAX_AUTH_FAILURES;
use mail_core::sasl::{Mechanism, Nonce};

use crate::capability::Expire;
use crate::command::UniqueId;
use crate::response::Language;

/// The server's policy and limits. [`Config::default`] gives RFC values.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Config {
    /// The server's name, used by CRAM-MD5 (RFC 2195 §2).
    pub hostname: String,
    /// The greeting text after `+OK` (the APOP timestamp is appended).
    pub greeting: String,
    /// The APOP timestamp for this connection, angle brackets included, e.g.
    /// `<1896.697170952@dbc.mtview.ca.us>` (RFC 1939 §7: "MUST be different each time the
    /// POP3 server issues a banner greeting"). `None`: no `APOP`.
    pub apop_timestamp: Option<String>,
    /// A fresh random nonce for this connection, for CRAM-MD5 and SCRAM-SHA-256
    /// (RFC 2195 §2, RFC 5802 §5.1); each `AUTH` on the connection appends a counter so no
    /// exchange reuses it. Give every connection its own, from the operating system's random
    /// source. `None`: those two mechanisms are not offered.
    pub nonce: Option<Nonce>,
    /// The longest command line, CRLF included (RFC 2449 §4: 255).
    pub max_command_line: usize,
    /// The longest SASL continuation line, CRLF included (RFC 5034 §4: not subject to the
    /// 255-octet limit).
    pub max_auth_line: usize,
    /// Failed logins (`PASS`, `APOP` and `AUTH` alike) after which the server answers
    /// `-ERR [AUTH]` and closes. Other commands in between do not reset the count. `0`: no
    /// limit.
    pub max_auth_failures: u32,
    /// Errors (bad syntax, unknown commands, wrong state) after which the server closes.
    pub max_errors: usize,
    /// What to do with a bare CR or LF in a command line.
    pub bare_newline: BareNewline,
    /// Accept `USER`/`PASS` (offered as the `USER` capability).
    pub user_pass: bool,
    /// The SASL mechanisms offered with `AUTH`; empty for none.
    pub sasl_mechanisms: Vec<Mechanism>,
    /// Accept `USER`, `PASS`, `APOP` and `AUTH` without TLS. Default off (RFC 2595 §2.2).
    pub allow_plaintext_auth: bool,
    /// The connection starts inside TLS (RFC 8314 implicit TLS, port 995).
    pub tls_active: bool,
    /// Offer `STLS` (RFC 2595). Default off: turn it on when the adapter has a certificate.
    pub stls: bool,
    /// Offer `PIPELINING` (RFC 2449 §6.6). Default on.
    pub pipelining: bool,
    /// Offer and accept `UTF8` (RFC 6856 §2). Default off.
    pub utf8: bool,
    /// The languages for `LANG` (RFC 6856 §3), the first being the default; empty for no
    /// `LANG`.
    pub languages: Vec<Language>,
    /// The `EXPIRE` capability (RFC 2449 §6.7), if any.
    pub expire: Option<Expire>,
    /// The `LOGIN-DELAY` capability in seconds (RFC 2449 §6.5), if any.
    pub login_delay: Option<u32>,
    /// The `IMPLEMENTATION` capability (RFC 2449 §6.9), if any.
    pub implementation: Option<String>,
    /// The inactivity autologout time (RFC 1939 §3: at least 10 minutes).
    pub timeout: Duration,
    /// Output octets above which `next_event` reads no further commands until the output
    /// is taken: a client that pipelines `RETR` or `UIDL` without reading cannot make the
    /// server's memory grow. `0`: no limit.
    pub output_high_water: usize,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            hostname: String::from("localhost"),
            greeting: String::from("POP3 server ready"),
            apop_timestamp: None,
            nonce: None,
            max_command_line: 255,
            max_auth_line: 24 * 1024,
            max_auth_failures: DEFAULT_MAX_AUTH_FAILURES,
            max_errors: 10,
            bare_newline: BareNewline::Reject,
            user_pass: true,
            sasl_mechanisms: Vec::new(),
            allow_plaintext_auth: false,
            tls_active: false,
            stls: false,
            pipelining: true,
            utf8: false,
            languages: Vec::new(),
            expire: None,
            login_delay: None,
            implementation: None,
            timeout: Duration::from_secs(600),
            output_high_water: DEFAULT_OUTPUT_HIGH_WATER,
        }
    }
}

/// One message of a maildrop, as the application lists it at login.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct MaildropEntry {
    /// The exact size in octets, as the message will be sent: CRLF line ends, before
    /// dot-stuffing (RFC 1939 §5).
    pub size: u64,
    /// The unique-id (RFC 1939 §7).
    pub uid: UniqueId,
}

/// The maildrop the application opened (and locked) for the session (RFC 1939 §4).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Maildrop {
    /// The messages; message number `n` is entry `n - 1`.
    pub messages: Vec<MaildropEntry>,
}

impl MaildropEntry {
    /// Returns the entry of a message of `size` octets (CRLF line ends, before
    /// dot-stuffing) with unique-id `uid`.
    pub const fn new(size: u64, uid: UniqueId) -> Self {
        Self { size, uid }
    }
}

impl Maildrop {
    /// Returns a maildrop of these messages.
    pub fn new(messages: Vec<MaildropEntry>) -> Self {
        Self { messages }
    }
}

/// How the client authenticated.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum LoginMethod {
    /// `USER` and `PASS`.
    UserPass,
    /// `APOP`.
    Apop,
    /// `AUTH` with this mechanism.
    Sasl(Mechanism),
}

/// Why the application refuses to open the maildrop.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Refusal {
    /// The maildrop is locked by another session: `-ERR [IN-USE]` (RFC 2449 §8.1.1).
    InUse,
    /// The user logged in too recently: `-ERR [LOGIN-DELAY]` (RFC 2449 §8.1.2).
    LoginDelay,
    /// A temporary problem: `-ERR [SYS/TEMP]` (RFC 3206 §4).
    SysTemp,
    /// A permanent problem: `-ERR [SYS/PERM]` (RFC 3206 §4).
    SysPerm,
    /// The user may not log in: `-ERR [AUTH]` (RFC 3206 §5); counts as a failed login.
    Auth,
}
