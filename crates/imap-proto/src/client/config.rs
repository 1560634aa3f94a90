//! The client's settings.

use core::time::Duration;

use mail_core::connection::DEFAULT_OUTPUT_HIGH_WATER;
use mail_core::line::BareNewline;
use mail_core::sasl::Mechanism;

use crate::framing::{DEFAULT_MAX_STREAMED_LITERAL, FramerConfig};
use crate::types::DEFAULT_MAX_DEPTH;

/// The client's settings and limits.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Config {
    /// What generated tags start with: `A` gives `A001`, `A002`, … (RFC 9051 §2.2.1: a
    /// different tag for every command). Must be valid `tag` characters; an invalid prefix
    /// falls back to `A`.
    pub tag_prefix: String,
    /// The longest response line, CRLF included. Default 1 MiB: a SEARCH of a large mailbox
    /// answers with one long line.
    pub max_response_line: usize,
    /// Literals up to this size are buffered with their response; larger ones in FETCH
    /// bodies (`BODY[…]`, `BINARY[…]`, `RFC822…`) are streamed as
    /// [`Event::FetchBodyStart`](super::Event::FetchBodyStart) /
    /// [`FetchBodyData`](super::Event::FetchBodyData) / [`FetchBodyEnd`](super::Event::FetchBodyEnd),
    /// never held whole. A larger literal anywhere else ends the session
    /// ([`ClientError::LiteralTooLarge`](crate::error::ClientError::LiteralTooLarge)).
    /// Default 64 KiB.
    pub stream_literals_over: u64,
    /// The largest streamed literal. Default 16 GiB.
    pub max_streamed_literal: u64,
    /// The most octets one response may buffer (lines plus buffered literals). Default
    /// 16 MiB.
    pub max_response: u64,
    /// The most messages a selected mailbox may hold: the client keeps a view of each
    /// (UID, flags, mod-sequence), so an `EXISTS` above this ends the session with
    /// [`ClientError::TooManyMessages`](crate::error::ClientError::TooManyMessages) rather
    /// than letting the server size the client's memory. Default 4 000 000 (about 200 MB of
    /// view at most).
    pub max_messages: u32,
    /// How deep lists and BODYSTRUCTURE may nest.
    pub max_depth: usize,
    /// What to do with a response line ended by a bare LF.
    pub bare_newline: BareNewline,
    /// The SASL mechanisms [`authenticate`](super::Connection::authenticate) may use, any
    /// order (the strongest one the server offers and the credentials fit is picked).
    pub sasl_mechanisms: Vec<Mechanism>,
    /// Send credentials (LOGIN, AUTHENTICATE) without TLS. Default off (RFC 9051 §11.1).
    pub allow_plaintext_auth: bool,
    /// The connection starts inside TLS (RFC 8314 implicit TLS, port 993).
    pub tls_active: bool,
    /// How long to wait for the server. Default 30 minutes (RFC 9051 §5.4's inactivity
    /// timer; an IDLE is renewed before it).
    pub timeout: Duration,
    /// Output octets above which `wants_write` asks the application to write first (an
    /// APPEND streams its message through it). `0`: no limit.
    pub output_high_water: usize,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            tag_prefix: "A".to_owned(),
            max_response_line: 1024 * 1024,
            stream_literals_over: 64 * 1024,
            max_streamed_literal: DEFAULT_MAX_STREAMED_LITERAL,
            max_response: 16 * 1024 * 1024,
            max_messages: 4_000_000,
            max_depth: DEFAULT_MAX_DEPTH,
            bare_newline: BareNewline::Reject,
            sasl_mechanisms: vec![
                Mechanism::ScramSha256,
                Mechanism::CramMd5,
                Mechanism::Plain,
                Mechanism::Login,
                Mechanism::OAuthBearer,
                Mechanism::XOAuth2,
            ],
            allow_plaintext_auth: false,
            tls_active: false,
            timeout: Duration::from_secs(30 * 60),
            output_high_water: DEFAULT_OUTPUT_HIGH_WATER,
        }
    }
}

impl Config {
    /// The framer configuration these limits give.
    pub(super) fn framer(&self) -> FramerConfig {
        let mut f = FramerConfig::client();
        f.max_line = self.max_response_line;
        f.max_literal = self.stream_literals_over;
        f.max_message = self.max_response;
        f.bare_newline = self.bare_newline;
        f.stream_literals_over = Some(self.stream_literals_over);
        f.max_streamed_literal = self.max_streamed_literal;
        f
    }
}
