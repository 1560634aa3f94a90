//! `Mailbox = Local-part "@" ( Domain / address-literal )` (RFC 5321 §4.1.2).

use core::fmt;
use core::str::FromStr;

use crate::ParseError;

use super::parse::{self, bounded, complete};
use super::{Domain, Host, Limits, LocalPart, mailbox_limit, write_display};

/// A `Mailbox`: `Local-part "@" ( Domain / address-literal )` (RFC 5321 §4.1.2).
///
/// Every value fits in a path: its canonical form plus the two angle brackets is within the
/// path limit it was built with.
///
/// ```
/// use mail_core::address::rfc5321::Mailbox;
///
/// let m: Mailbox = "\"Joe\\,Smith\"@Example.COM".parse()?;
/// assert_eq!(m.local_part().as_str(), "Joe,Smith");
/// assert_eq!(m, "\"Joe,Smith\"@example.com".parse()?); // domains ignore case
/// assert_eq!(m.to_string(), "\"Joe,Smith\"@Example.COM");
/// # Ok::<(), mail_core::ParseError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Mailbox {
    pub(super) local_part: LocalPart,
    pub(super) host: Host,
}

impl Mailbox {
    /// Returns the mailbox `local_part@host`, checked against the RFC limits.
    ///
    /// # Errors
    /// [`ParseError`] whose offset counts bytes of the canonical `local@host` form: at byte
    /// 64 if the local part is too long, within the host if it passes 255 bytes, at byte 254
    /// if the whole would make a path longer than 256 bytes.
    pub fn new(local_part: LocalPart, host: impl Into<Host>) -> Result<Self, ParseError> {
        Self::new_with(local_part, host, &Limits::default())
    }

    /// Like [`Mailbox::new`], with the given limits.
    ///
    /// # Errors
    /// As [`Mailbox::new`].
    pub fn new_with(
        local_part: LocalPart,
        host: impl Into<Host>,
        limits: &Limits,
    ) -> Result<Self, ParseError> {
        let host = host.into();
        let local_len = local_part.encoded_len();
        if local_len > limits.max_local_part {
            return Err(ParseError::new(
                limits.max_local_part,
                "end of local part within the length limit (RFC 5321 §4.5.3.1.1)",
            ));
        }
        let host_start = local_len.saturating_add(1);
        if host.encoded_len() > limits.max_domain {
            return Err(ParseError::new(
                host_start.saturating_add(limits.max_domain),
                "end of domain within the length limit (RFC 5321 §4.5.3.1.2)",
            ));
        }
        if host_start.saturating_add(host.encoded_len()) > mailbox_limit(limits) {
            return Err(ParseError::new(mailbox_limit(limits), parse::PATH_TOO_LONG));
        }
        Ok(Self { local_part, host })
    }

    /// Parses a complete mailbox `local@domain` (no angle brackets).
    ///
    /// # Errors
    /// [`ParseError`] at the first byte that is not allowed, or where a limit is passed.
    pub fn parse(input: &[u8]) -> Result<Self, ParseError> {
        Self::parse_with(input, &Limits::default())
    }

    /// Like [`Mailbox::parse`], with the given limits.
    ///
    /// # Errors
    /// As [`Mailbox::parse`].
    pub fn parse_with(input: &[u8], limits: &Limits) -> Result<Self, ParseError> {
        complete(input, |i| Self::parse_prefix_with(i, limits))
    }

    /// Parses a mailbox at the start of `input`; returns it and the number of bytes used.
    ///
    /// # Errors
    /// As [`Mailbox::parse`].
    pub fn parse_prefix(input: &[u8]) -> Result<(Self, usize), ParseError> {
        Self::parse_prefix_with(input, &Limits::default())
    }

    /// Like [`Mailbox::parse_prefix`], with the given limits.
    ///
    /// # Errors
    /// As [`Mailbox::parse`].
    pub fn parse_prefix_with(input: &[u8], limits: &Limits) -> Result<(Self, usize), ParseError> {
        bounded(input, mailbox_limit(limits), parse::PATH_TOO_LONG, |w| {
            parse::mailbox(w, 0, limits)
        })
    }

    /// Returns the local part.
    pub fn local_part(&self) -> &LocalPart {
        &self.local_part
    }

    /// Returns the domain or address literal.
    pub fn host(&self) -> &Host {
        &self.host
    }

    /// Returns the domain, if the host is not an address literal.
    pub fn domain(&self) -> Option<&Domain> {
        self.host.domain()
    }

    /// Returns the local part and the host.
    pub fn into_parts(self) -> (LocalPart, Host) {
        (self.local_part, self.host)
    }

    /// Returns whether the mailbox contains non-ASCII, so that `MAIL` needs the `SMTPUTF8`
    /// parameter (RFC 6531 §3.4).
    pub fn needs_smtputf8(&self) -> bool {
        self.local_part.needs_smtputf8() || self.host.needs_smtputf8()
    }

    /// Appends the canonical form to `out`.
    pub fn encode(&self, out: &mut Vec<u8>) {
        write_display(out, self);
    }
}

impl fmt::Display for Mailbox {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}@{}", self.local_part, self.host)
    }
}

impl FromStr for Mailbox {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, ParseError> {
        Self::parse(s.as_bytes())
    }
}

impl TryFrom<&[u8]> for Mailbox {
    type Error = ParseError;
    fn try_from(input: &[u8]) -> Result<Self, ParseError> {
        Self::parse(input)
    }
}
