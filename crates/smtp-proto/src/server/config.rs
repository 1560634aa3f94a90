//! The server's configuration: policy, limits and the ESMTP extensions it offers.

use core::time::Duration;
use mail_core::line::BareNewline;
use mail_core::sasl::authenticator::DEFAULT_MAX_AUTH_FAILURES;
use mail_core::sasl::{Mechanism, Nonce};

use crate::capability::Capability;
use crate::command::EnvelopeSyntax;

/// Which ESMTP extensions the server offers in its EHLO reply.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Extensions {
    /// `PIPELINING` (RFC 2920). Default on.
    pub pipelining: bool,
    /// `8BITMIME` (RFC 6152). Default on.
    pub eight_bit_mime: bool,
    /// `SMTPUTF8` (RFC 6531). Default on.
    pub smtputf8: bool,
    /// `CHUNKING` (RFC 3030): `BDAT`. Default on.
    pub chunking: bool,
    /// `BINARYMIME` (RFC 3030); only offered with `chunking`. Default off.
    pub binarymime: bool,
    /// `DSN` (RFC 3461): accept `RET`, `ENVID`, `NOTIFY`, `ORCPT`. Default on.
    pub dsn: bool,
    /// `ENHANCEDSTATUSCODES` (RFC 2034): the server's own replies carry them. Default on.
    pub enhanced_status_codes: bool,
    /// `STARTTLS` (RFC 3207), offered until TLS is active. Default off: turn it on when
    /// the adapter has a certificate.
    pub starttls: bool,
    /// `REQUIRETLS` (RFC 8689), offered only once TLS is active. Default off.
    pub requiretls: bool,
    /// `HELP`. Default on.
    pub help: bool,
    /// Keywords the application offers itself, appended to the EHLO reply.
    pub other: Vec<Capability>,
}

impl Default for Extensions {
    fn default() -> Self {
        Self {
            pipelining: true,
            eight_bit_mime: true,
            smtputf8: true,
            chunking: true,
            binarymime: false,
            dsn: true,
            enhanced_status_codes: true,
            starttls: false,
            requiretls: false,
            help: true,
            other: Vec::new(),
        }
    }
}

/// The server's policy and limits. [`Config::default`] gives RFC 5321 values.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Config {
    /// The server's own name, in the greeting and the EHLO reply.
    pub hostname: String,
    /// Text after the name in the greeting. Default `ESMTP` (`LMTP` in LMTP mode).
    pub greeting: String,
    /// LMTP (RFC 2033): `LHLO` instead of `HELO`/`EHLO`, and one reply per recipient after
    /// the message.
    pub lmtp: bool,
    /// The longest command line, CRLF included (RFC 5321 §4.5.3.1.4: 512).
    pub max_command_line: usize,
    /// The longest line during an AUTH exchange, CRLF included (RFC 4954 §4: 12288).
    pub max_auth_line: usize,
    /// The largest message, in octets; `0` for no limit. Declared as `SIZE`.
    pub max_message_size: u64,
    /// The most recipients per transaction (RFC 5321 §4.5.3.1.8: at least 100).
    pub max_recipients: usize,
    /// Consecutive errors after which the server answers `421` and closes.
    pub max_errors: usize,
    /// What to do with a bare CR or LF, in commands and in message data.
    pub bare_newline: BareNewline,
    /// The ESMTP extensions offered.
    pub extensions: Extensions,
    /// The SASL mechanisms offered with `AUTH`; empty for no `AUTH` at all. Mechanisms the
    /// library does not implement, and CRAM-MD5 and SCRAM-SHA-256 without a [`nonce`](Self::nonce),
    /// are never offered.
    pub sasl_mechanisms: Vec<Mechanism>,
    /// A fresh random nonce for this connection, for CRAM-MD5 and SCRAM-SHA-256
    /// (RFC 2195 §2, RFC 5802 §5.1); each `AUTH` on the connection appends a counter so no
    /// exchange reuses it. Give every connection its own, from the operating system's random
    /// source. `None`: those two mechanisms are not offered.
    pub nonce: Option<Nonce>,
    /// Failed authentications after which the server answers `421 4.7.0` and closes. Unlike
    /// [`max_errors`](Self::max_errors), successful commands in between do not reset the
    /// count. `0`: no limit.
    pub max_auth_failures: u32,
    /// Refuse `MAIL` until the client has authenticated (`530 5.7.0`), as a submission
    /// server (RFC 6409) does. Default off.
    pub require_auth: bool,
    /// Offer and accept `AUTH` on a connection without TLS. Default off (RFC 4954 §4:
    /// credentials must not cross an unprotected channel).
    pub allow_plaintext_auth: bool,
    /// The connection starts inside TLS (implicit TLS, RFC 8314 submissions on port 465).
    pub tls_active: bool,
    /// Hand `VRFY` to the application instead of answering `252` (RFC 5321 §3.5.3).
    pub application_vrfy: bool,
    /// Hand `EXPN` to the application instead of answering `502`.
    pub application_expn: bool,
    /// Hand `ETRN` to the application instead of answering `502`.
    pub application_etrn: bool,
    /// Hand unknown verbs to the application instead of answering `500`.
    pub application_unknown: bool,
    /// Accept `MAIL`/`RCPT` parameters the server does not know (they reach the
    /// application in `other`); off by default: `555` (RFC 5321 §4.1.1.11).
    pub accept_unknown_parameters: bool,
    /// How long to wait for the client (RFC 5321 §4.5.3.2.7: at least 5 minutes).
    pub timeout: Duration,
    /// Output octets above which [`next_event`](mail_core::connection::Connection::next_event) reads no
    /// further commands until the output is taken: a client that pipelines without reading
    /// cannot make the server's memory grow. `0`: no limit. Default 16 KiB: an SMTP
    /// server writes only replies (hundreds fit), so a connection that pipelines without
    /// reading holds 16 KiB of output, not the 256 KiB a POP3 or IMAP server needs for
    /// message content.
    pub output_high_water: usize,
    /// The `HELP` text.
    pub help: String,
    /// Which `MAIL FROM:` / `RCPT TO:` forms outside RFC 5321 are accepted; default
    /// [`EnvelopeSyntax::postfix`] (a space after the colon, a path without brackets).
    pub envelope_syntax: EnvelopeSyntax,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            hostname: String::from("localhost"),
            greeting: String::from("ESMTP"),
            lmtp: false,
            max_command_line: 512,
            max_auth_line: 12288,
            max_message_size: 35 * 1024 * 1024,
            max_recipients: 100,
            max_errors: 20,
            bare_newline: BareNewline::Reject,
            extensions: Extensions::default(),
            sasl_mechanisms: Vec::new(),
            nonce: None,
            max_auth_failures: DEFAULT_MAX_AUTH_FAILURES,
            require_auth: false,
            allow_plaintext_auth: false,
            tls_active: false,
            application_vrfy: false,
            application_expn: false,
            application_etrn: false,
            application_unknown: false,
            accept_unknown_parameters: false,
            timeout: Duration::from_secs(300),
            output_high_water: 16 * 1024,
            help: String::from("See RFC 5321"),
            envelope_syntax: EnvelopeSyntax::postfix(),
        }
    }
}

impl Config {
    /// Returns the default configuration for LMTP (RFC 2033).
    pub fn lmtp() -> Self {
        Self {
            lmtp: true,
            greeting: String::from("LMTP"),
            ..Self::default()
        }
    }
}
