//! The server's configuration: what it offers, its limits and its timeouts.

use core::time::Duration;
use mail_core::connection::DEFAULT_OUTPUT_HIGH_WATER;
use mail_core::line::BareNewline;
use mail_core::sasl::authenticator::DEFAULT_MAX_AUTH_FAILURES;
use mail_core::sasl::{Mechanism, Nonce};

use crate::framing::{DEFAULT_MAX_LINE, DEFAULT_MAX_LITERAL};
use crate::types::Capability;

/// How the server lets clients send literals without waiting for `+` (RFC 7888).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum LiteralPlus {
    /// Neither: every literal is synchronising.
    None,
    /// `LITERAL+`: non-synchronising literals of any size.
    Plus,
    /// `LITERAL-`: non-synchronising literals up to 4096 octets (RFC 7888 §5).
    Minus,
}

/// The greeting (RFC 9051 §7.1).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Greeting {
    /// `* OK`: the client must authenticate.
    Ok,
    /// `* PREAUTH`: the connection is already authenticated (e.g. over a Unix socket) as this
    /// user.
    PreAuth(String),
    /// `* BYE`: the server refuses the connection.
    Bye,
}

/// The server's policy and limits. [`Config::default`] gives RFC 9051 values.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Config {
    /// The greeting.
    pub greeting: Greeting,
    /// The text of the greeting.
    pub greeting_text: String,
    /// The server's name, for CRAM-MD5 (RFC 2195 §2).
    pub hostname: String,
    /// The extensions the application serves, advertised in CAPABILITY beside those the
    /// library implements itself (IMAP4rev1, IMAP4rev2, ENABLE, IDLE, ID, UNSELECT, SASL-IR,
    /// AUTH=…, STARTTLS, LOGINDISABLED, LITERAL+/LITERAL-, and, when listed here,
    /// CONDSTORE, QRESYNC, ESEARCH, SEARCHRES, UIDPLUS, MOVE, MULTIAPPEND, UTF8=ACCEPT).
    pub capabilities: Vec<Capability>,
    /// The SASL mechanisms for AUTHENTICATE (CRAM-MD5 and SCRAM-SHA-256 only with a nonce).
    pub sasl_mechanisms: Vec<Mechanism>,
    /// A fresh random nonce for this connection (RFC 2195 §2, RFC 5802 §5.1).
    pub nonce: Option<Nonce>,
    /// Accept LOGIN and AUTHENTICATE without TLS. Default off: `LOGINDISABLED` and no `AUTH=`
    /// before TLS (RFC 9051 §6.2.3, §7.2.2).
    pub allow_plaintext_auth: bool,
    /// Failed authentications after which the server says `BYE` and closes; not reset by
    /// other commands. `0`: no limit.
    pub max_auth_failures: u32,
    /// Offer STARTTLS (RFC 9051 §6.2.1) until TLS is active.
    pub starttls: bool,
    /// The connection starts inside TLS (port 993, RFC 8314).
    pub tls_active: bool,
    /// Non-synchronising literals.
    pub literal_plus: LiteralPlus,
    /// The longest command line, CRLF included (real clients send 30 KiB UID sets).
    pub max_line: usize,
    /// The largest literal of a command other than APPEND.
    pub max_literal: u64,
    /// The largest literal before the client has authenticated (LOGIN's user name and
    /// password, ID's values): [`max_literal`](Self::max_literal) is only granted to a
    /// client the application knows, so that an anonymous peer cannot make the application
    /// hold megabytes. Larger ones are refused before `+` (`BAD`), without an event.
    pub max_literal_unauthenticated: u64,
    /// The largest message APPEND accepts (streamed, never held whole). `0`: no limit.
    pub max_append: u64,
    /// How deep lists and search keys may nest.
    pub max_depth: usize,
    /// Consecutive `BAD` commands after which the server says `BYE` and closes. `0`: no limit.
    pub max_bad_commands: usize,
    /// What to do with a bare LF ending a command line.
    pub bare_newline: BareNewline,
    /// How long a client that has not authenticated may stay silent.
    pub timeout_unauthenticated: Duration,
    /// How long an authenticated client may stay silent (RFC 9051 §5.4: at least 30
    /// minutes).
    pub timeout_authenticated: Duration,
    /// Output octets above which the server reads no further commands until the output is
    /// taken. `0`: no limit.
    pub output_high_water: usize,
    /// Hand commands the library does not know to the application ([`Event::Command`]
    /// with [`CommandBody::Other`]) instead of answering `BAD`.
    ///
    /// [`Event::Command`]: super::Event::Command
    /// [`CommandBody::Other`]: crate::command::CommandBody::Other
    pub application_unknown: bool,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            greeting: Greeting::Ok,
            greeting_text: String::from("IMAP4rev2 server ready"),
            hostname: String::from("localhost"),
            capabilities: Vec::new(),
            sasl_mechanisms: Vec::new(),
            nonce: None,
            allow_plaintext_auth: false,
            max_auth_failures: DEFAULT_MAX_AUTH_FAILURES,
            starttls: false,
            tls_active: false,
            literal_plus: LiteralPlus::Plus,
            max_line: DEFAULT_MAX_LINE,
            max_literal: DEFAULT_MAX_LITERAL,
            max_literal_unauthenticated: 8 * 1024,
            max_append: 64 * 1024 * 1024,
            max_depth: crate::types::parser::DEFAULT_MAX_DEPTH,
            max_bad_commands: 10,
            bare_newline: BareNewline::Reject,
            timeout_unauthenticated: Duration::from_secs(3 * 60),
            timeout_authenticated: Duration::from_secs(30 * 60),
            output_high_water: DEFAULT_OUTPUT_HIGH_WATER,
            application_unknown: false,
        }
    }
}

impl Config {
    /// Returns whether the application listed `capability`.
    pub(super) fn serves(&self, capability: &Capability) -> bool {
        self.capabilities.contains(capability)
    }
}
