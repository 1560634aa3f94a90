//! `Domain` and the `Domain / address-literal` alternative after the `@` (RFC 5321 §4.1.2).

use core::fmt;
use core::hash::{Hash, Hasher};
use core::str::FromStr;

use crate::ParseError;

use super::parse::{self, bounded, complete};
use super::text::Text;
use super::{AddressLiteral, Limits};

/// A `Domain` (RFC 5321 §4.1.2, RFC 6531 §3.3).
///
/// ```abnf
/// Domain         = sub-domain *("." sub-domain)
/// sub-domain     = Let-dig [Ldh-str]
/// sub-domain     =/ U-label            ; RFC 6531 §3.3
/// Let-dig        = ALPHA / DIGIT
/// Ldh-str        = *( ALPHA / DIGIT / "-" ) Let-dig
/// ```
///
/// ASCII labels are also held to the 63-octet DNS limit (RFC 1035 §2.3.4). A U-label is
/// taken as UTF-8 letters, digits and hyphens that neither start nor end with a hyphen; no
/// IDNA validation or conversion is done. The whole domain is at most 255 bytes.
///
/// Equality and `Hash` ignore ASCII case (RFC 5321 §2.4); non-ASCII characters compare
/// exactly. `Display` keeps the case that was received.
#[derive(Debug, Clone)]
pub struct Domain(pub(super) Text);

impl Domain {
    /// Parses a complete domain such as `mail.example.com`.
    ///
    /// # Errors
    /// [`ParseError`] at the first byte that is not allowed, or at byte 255 if it is longer.
    pub fn parse(input: &[u8]) -> Result<Self, ParseError> {
        Self::parse_with(input, &Limits::default())
    }

    /// Like [`Domain::parse`], with the given limits (and trailing-dot tolerance).
    ///
    /// # Errors
    /// As [`Domain::parse`].
    pub fn parse_with(input: &[u8], limits: &Limits) -> Result<Self, ParseError> {
        let limit = if limits.allow_trailing_dot {
            limits.max_domain.saturating_add(1)
        } else {
            limits.max_domain
        };
        complete(input, |i| {
            bounded(
                i,
                limit,
                "end of domain within the length limit (RFC 5321 §4.5.3.1.2)",
                |w| parse::domain(w, 0, limits),
            )
        })
    }

    /// Returns the domain as received (without a tolerated trailing dot).
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    /// Returns the labels (`sub-domain`s), left to right.
    pub fn labels(&self) -> impl Iterator<Item = &str> {
        self.0.as_str().split('.')
    }

    /// Returns whether the domain contains a U-label (RFC 6531 §3.4).
    pub fn needs_smtputf8(&self) -> bool {
        !self.0.is_ascii()
    }
}

impl PartialEq for Domain {
    fn eq(&self, other: &Self) -> bool {
        self.0.as_bytes().eq_ignore_ascii_case(other.0.as_bytes())
    }
}

impl Eq for Domain {}

impl Hash for Domain {
    fn hash<H: Hasher>(&self, state: &mut H) {
        // Consistent with the ASCII-case-insensitive `eq`.
        state.write_usize(self.0.len());
        for &b in self.0.as_bytes() {
            state.write_u8(b.to_ascii_lowercase());
        }
    }
}

impl fmt::Display for Domain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.as_str())
    }
}

impl FromStr for Domain {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, ParseError> {
        Self::parse(s.as_bytes())
    }
}

impl TryFrom<&[u8]> for Domain {
    type Error = ParseError;
    fn try_from(input: &[u8]) -> Result<Self, ParseError> {
        Self::parse(input)
    }
}

/// What follows the `@` of a [`Mailbox`](super::Mailbox): `Domain / address-literal` (RFC 5321 §4.1.2).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Host {
    /// A domain name, `example.com`.
    Domain(Domain),
    /// An address literal, `[192.0.2.1]`.
    AddressLiteral(AddressLiteral),
}

impl Host {
    /// Parses a complete domain or bracketed address literal.
    ///
    /// # Errors
    /// [`ParseError`] at the first byte that is not allowed.
    #[inline]
    pub fn parse(input: &[u8]) -> Result<Self, ParseError> {
        let limits = Limits::default();
        // The common case, an ASCII domain and nothing else, without the general scanners;
        // they read it the same way.
        if parse::ascii_domain_len(input, &limits) == Some(input.len())
            && let Some(text) = Text::from_scanned_ascii(input)
        {
            return Ok(Self::Domain(Domain(text)));
        }
        complete(input, |i| {
            bounded(
                i,
                limits.max_domain,
                "end of domain within the length limit (RFC 5321 §4.5.3.1.2)",
                |w| parse::host(w, 0, &limits),
            )
        })
    }

    /// Returns the domain, if this is not an address literal.
    pub fn domain(&self) -> Option<&Domain> {
        match self {
            Self::Domain(d) => Some(d),
            Self::AddressLiteral(_) => None,
        }
    }

    /// Returns whether the host contains non-ASCII (a U-label).
    pub fn needs_smtputf8(&self) -> bool {
        match self {
            Self::Domain(d) => d.needs_smtputf8(),
            Self::AddressLiteral(_) => false,
        }
    }

    pub(super) fn encoded_len(&self) -> usize {
        match self {
            Self::Domain(d) => d.0.len(),
            Self::AddressLiteral(a) => a.encoded_len(),
        }
    }
}

impl From<Domain> for Host {
    fn from(d: Domain) -> Self {
        Self::Domain(d)
    }
}

impl From<AddressLiteral> for Host {
    fn from(a: AddressLiteral) -> Self {
        Self::AddressLiteral(a)
    }
}

impl fmt::Display for Host {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Domain(d) => d.fmt(f),
            Self::AddressLiteral(a) => a.fmt(f),
        }
    }
}

impl FromStr for Host {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, ParseError> {
        Self::parse(s.as_bytes())
    }
}
