//! The client's settings, and the message transaction the application hands it.

use core::time::Duration;
use mail_core::address::rfc5321::{ForwardPath, ReversePath};
use mail_core::connection::DEFAULT_OUTPUT_HIGH_WATER;
use mail_core::sasl::Mechanism;

use crate::command::{HeloDomain, MailParameters, RcptParameters};
use crate::reply::ReplyLimits;

/// The client's settings.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Config {
    /// The name sent with `EHLO`/`HELO`/`LHLO`.
    pub hostname: HeloDomain,
    /// Speak LMTP (RFC 2033): `LHLO`, and one final reply per recipient.
    pub lmtp: bool,
    /// The longest reply line accepted, CRLF included (RFC 5321 §4.5.3.1.5 says 512;
    /// real servers send longer ones, so the default is 2048).
    pub max_reply_line: usize,
    /// Limits on one reply.
    pub reply_limits: ReplyLimits,
    /// Pipeline MAIL, RCPT and DATA when the server offers PIPELINING (RFC 2920).
    pub pipelining: bool,
    /// Send content with `BDAT` when the server offers CHUNKING (RFC 3030), instead of
    /// `DATA`. Always used for `BODY=BINARYMIME`.
    pub chunking: bool,
    /// The mechanisms [`authenticate`](super::Connection::authenticate) may use; it picks
    /// the strongest that the server offers.
    pub sasl_mechanisms: Vec<Mechanism>,
    /// Let [`authenticate`](super::Connection::authenticate) send credentials without TLS. Default off.
    pub allow_plaintext_auth: bool,
    /// The connection starts inside TLS (implicit TLS, RFC 8314).
    pub tls_active: bool,
    /// How long to wait for a reply when RFC 5321 §4.5.3.2 names no time of its own; the
    /// RFC's per-command times apply to the greeting, MAIL, RCPT, DATA and the content.
    pub timeout: Duration,
    /// Output octets above which `wants_write` asks the application to write before it
    /// sends more content. `0`: no limit.
    pub output_high_water: usize,
}

impl Config {
    /// Returns the default settings for a client that calls itself `hostname`.
    pub fn new(hostname: HeloDomain) -> Self {
        Self {
            hostname,
            lmtp: false,
            max_reply_line: 2048,
            reply_limits: ReplyLimits::default(),
            pipelining: true,
            chunking: false,
            sasl_mechanisms: vec![
                Mechanism::ScramSha256,
                Mechanism::CramMd5,
                Mechanism::OAuthBearer,
                Mechanism::XOAuth2,
                Mechanism::Plain,
                Mechanism::Login,
                Mechanism::External,
            ],
            allow_plaintext_auth: false,
            tls_active: false,
            timeout: Duration::from_secs(5 * 60),
            output_high_water: DEFAULT_OUTPUT_HIGH_WATER,
        }
    }
}

/// A message to send: the envelope and what the content needs.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct MailTransaction {
    /// The reverse path (`<>` for bounces).
    pub reverse_path: ReversePath,
    /// The recipients, each with its `RCPT` parameters.
    pub recipients: Vec<(ForwardPath, RcptParameters)>,
    /// `MAIL` parameters to send as given (SIZE, BODY and SMTPUTF8 are added from the
    /// fields below when the server offers them).
    pub parameters: MailParameters,
    /// The content's size in octets, declared with `SIZE` when offered (RFC 1870).
    pub size: Option<u64>,
    /// The content has 8-bit octets: `BODY=8BITMIME` (RFC 6152).
    pub eight_bit: bool,
    /// The content is binary: `BODY=BINARYMIME` with `BDAT` (RFC 3030).
    pub binary: bool,
}

impl MailTransaction {
    /// Returns a transaction from `reverse_path` to `recipients`, no parameters.
    pub fn new(
        reverse_path: ReversePath,
        recipients: impl IntoIterator<Item = ForwardPath>,
    ) -> Self {
        Self {
            reverse_path,
            recipients: recipients
                .into_iter()
                .map(|r| (r, RcptParameters::default()))
                .collect(),
            parameters: MailParameters::default(),
            size: None,
            eight_bit: false,
            binary: false,
        }
    }
}
