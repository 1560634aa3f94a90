//! `Reverse-path` and `Forward-path`, the arguments of `MAIL` and `RCPT` (RFC 5321 §4.1.2).

use core::fmt;
use core::str::FromStr;

use crate::ParseError;

use super::parse::{self, PathKind, PathValue, complete};
use super::{Limits, Mailbox, write_display};

/// A `Reverse-path`, the argument of `MAIL FROM:` (RFC 5321 §4.1.2).
///
/// ```abnf
/// Reverse-path   = Path / "<>"
/// Path           = "<" [ A-d-l ":" ] Mailbox ">"
/// A-d-l          = At-domain *( "," At-domain )
/// At-domain      = "@" Domain
/// ```
///
/// A source route (`A-d-l`) is accepted and dropped (§4.1.1.3, Appendix C). `Display` writes
/// `<>` or `<mailbox>`.
///
/// ```
/// use mail_core::address::rfc5321::ReversePath;
///
/// let (path, used) = ReversePath::parse_prefix(b"<@a.example:Smith@bar.com> SIZE=100")?;
/// assert_eq!(path.to_string(), "<Smith@bar.com>");
/// assert_eq!(used, 26);
/// assert!(ReversePath::parse(b"<>")?.is_null());
/// # Ok::<(), mail_core::ParseError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ReversePath {
    /// `<>`: no return path (bounces, RFC 5321 §4.5.5).
    Null,
    /// `<mailbox>`
    Mailbox(Mailbox),
}

impl ReversePath {
    /// Parses a complete reverse path.
    ///
    /// # Errors
    /// [`ParseError`] at the first byte that fits no alternative, or at byte 256 if the path
    /// is longer than 256 bytes.
    pub fn parse(input: &[u8]) -> Result<Self, ParseError> {
        Self::parse_with(input, &Limits::default())
    }

    /// Like [`ReversePath::parse`], with the given limits and tolerances.
    ///
    /// # Errors
    /// As [`ReversePath::parse`].
    pub fn parse_with(input: &[u8], limits: &Limits) -> Result<Self, ParseError> {
        complete(input, |i| Self::parse_prefix_with(i, limits))
    }

    /// Parses a reverse path at the start of `input` (for instance what follows `MAIL FROM:`);
    /// returns it and the number of bytes used, so the caller can go on with the parameters.
    ///
    /// # Errors
    /// As [`ReversePath::parse`].
    pub fn parse_prefix(input: &[u8]) -> Result<(Self, usize), ParseError> {
        Self::parse_prefix_with(input, &Limits::default())
    }

    /// Like [`ReversePath::parse_prefix`], with the given limits and tolerances.
    ///
    /// # Errors
    /// As [`ReversePath::parse`].
    // Inline across crates: the SMTP command parser's result is then written in place.
    #[inline]
    pub fn parse_prefix_with(input: &[u8], limits: &Limits) -> Result<(Self, usize), ParseError> {
        if let Some((mailbox, used)) = parse::ascii_bracketed_mailbox(input, limits) {
            return Ok((Self::Mailbox(mailbox), used));
        }
        let (value, used) = parse::path(input, limits, PathKind::Reverse)?;
        match value {
            PathValue::Null => Ok((Self::Null, used)),
            PathValue::Mailbox(m) => Ok((Self::Mailbox(m), used)),
            // `PathKind::Reverse` never yields Postmaster; report it as the missing '@'.
            PathValue::Postmaster => Err(ParseError::new(used, "'@' after the local part")),
        }
    }

    /// Returns whether this is the null path `<>`.
    pub fn is_null(&self) -> bool {
        matches!(self, Self::Null)
    }

    /// Returns the mailbox, unless this is `<>`.
    pub fn mailbox(&self) -> Option<&Mailbox> {
        match self {
            Self::Null => None,
            Self::Mailbox(m) => Some(m),
        }
    }

    /// Returns whether the path contains non-ASCII (RFC 6531 §3.4).
    pub fn needs_smtputf8(&self) -> bool {
        self.mailbox().is_some_and(Mailbox::needs_smtputf8)
    }

    /// Appends the canonical form, `<>` or `<mailbox>`, to `out`.
    pub fn encode(&self, out: &mut Vec<u8>) {
        write_display(out, self);
    }
}

impl From<Mailbox> for ReversePath {
    fn from(m: Mailbox) -> Self {
        Self::Mailbox(m)
    }
}

impl fmt::Display for ReversePath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Null => f.write_str("<>"),
            Self::Mailbox(m) => write!(f, "<{m}>"),
        }
    }
}

impl FromStr for ReversePath {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, ParseError> {
        Self::parse(s.as_bytes())
    }
}

impl TryFrom<&[u8]> for ReversePath {
    type Error = ParseError;
    fn try_from(input: &[u8]) -> Result<Self, ParseError> {
        Self::parse(input)
    }
}

/// A `Forward-path`, the argument of `RCPT TO:` (RFC 5321 §4.1.1.3, §4.1.2).
///
/// ```abnf
/// rcpt = "RCPT TO:" ( "<Postmaster@" Domain ">" / "<Postmaster>" /
///             Forward-path ) [SP Rcpt-parameters] CRLF
/// Forward-path   = Path
/// Path           = "<" [ A-d-l ":" ] Mailbox ">"
/// ```
///
/// `<Postmaster>` (any case, no domain) is [`ForwardPath::Postmaster`]; `<Postmaster@domain>`
/// is an ordinary mailbox ([`LocalPart::is_postmaster`](super::LocalPart::is_postmaster) recognises it). A source route is
/// accepted and dropped. `Display` writes `<Postmaster>` or `<mailbox>`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ForwardPath {
    /// `<Postmaster>` without a domain: the postmaster of the receiving host.
    Postmaster,
    /// `<mailbox>`
    Mailbox(Mailbox),
}

impl ForwardPath {
    /// Parses a complete forward path.
    ///
    /// # Errors
    /// [`ParseError`] at the first byte that fits no alternative, or at byte 256 if the path
    /// is longer than 256 bytes.
    pub fn parse(input: &[u8]) -> Result<Self, ParseError> {
        Self::parse_with(input, &Limits::default())
    }

    /// Like [`ForwardPath::parse`], with the given limits and tolerances.
    ///
    /// # Errors
    /// As [`ForwardPath::parse`].
    pub fn parse_with(input: &[u8], limits: &Limits) -> Result<Self, ParseError> {
        complete(input, |i| Self::parse_prefix_with(i, limits))
    }

    /// Parses a forward path at the start of `input` (for instance what follows `RCPT TO:`);
    /// returns it and the number of bytes used, so the caller can go on with the parameters.
    ///
    /// # Errors
    /// As [`ForwardPath::parse`].
    pub fn parse_prefix(input: &[u8]) -> Result<(Self, usize), ParseError> {
        Self::parse_prefix_with(input, &Limits::default())
    }

    /// Like [`ForwardPath::parse_prefix`], with the given limits and tolerances.
    ///
    /// # Errors
    /// As [`ForwardPath::parse`].
    // Inline across crates: the SMTP command parser's result is then written in place.
    #[inline]
    pub fn parse_prefix_with(input: &[u8], limits: &Limits) -> Result<(Self, usize), ParseError> {
        if let Some((mailbox, used)) = parse::ascii_bracketed_mailbox(input, limits) {
            return Ok((Self::Mailbox(mailbox), used));
        }
        let (value, used) = parse::path(input, limits, PathKind::Forward)?;
        match value {
            PathValue::Postmaster => Ok((Self::Postmaster, used)),
            PathValue::Mailbox(m) => Ok((Self::Mailbox(m), used)),
            // `PathKind::Forward` never yields `<>`.
            PathValue::Null => Err(ParseError::new(1, "local part (atext or '\"')")),
        }
    }

    /// Returns whether this is `<Postmaster>` without a domain.
    pub fn is_postmaster(&self) -> bool {
        matches!(self, Self::Postmaster)
    }

    /// Returns the mailbox, unless this is `<Postmaster>`.
    pub fn mailbox(&self) -> Option<&Mailbox> {
        match self {
            Self::Postmaster => None,
            Self::Mailbox(m) => Some(m),
        }
    }

    /// Returns whether the path contains non-ASCII (RFC 6531 §3.4).
    pub fn needs_smtputf8(&self) -> bool {
        self.mailbox().is_some_and(Mailbox::needs_smtputf8)
    }

    /// Appends the canonical form, `<Postmaster>` or `<mailbox>`, to `out`.
    pub fn encode(&self, out: &mut Vec<u8>) {
        write_display(out, self);
    }
}

impl From<Mailbox> for ForwardPath {
    fn from(m: Mailbox) -> Self {
        Self::Mailbox(m)
    }
}

impl fmt::Display for ForwardPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Postmaster => f.write_str("<Postmaster>"),
            Self::Mailbox(m) => write!(f, "<{m}>"),
        }
    }
}

impl FromStr for ForwardPath {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, ParseError> {
        Self::parse(s.as_bytes())
    }
}

impl TryFrom<&[u8]> for ForwardPath {
    type Error = ParseError;
    fn try_from(input: &[u8]) -> Result<Self, ParseError> {
        Self::parse(input)
    }
}
