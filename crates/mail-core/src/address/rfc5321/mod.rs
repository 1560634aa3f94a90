//! SMTP paths and mailboxes: the arguments of `MAIL FROM:` and `RCPT TO:` (RFC 5321 §4.1.2,
//! §4.1.3), with the UTF-8 extensions of RFC 6531 §3.3.
//!
//! ```abnf
//! Reverse-path   = Path / "<>"
//! Forward-path   = Path
//! Path           = "<" [ A-d-l ":" ] Mailbox ">"
//! A-d-l          = At-domain *( "," At-domain )
//! At-domain      = "@" Domain
//! Mailbox        = Local-part "@" ( Domain / address-literal )
//! rcpt = "RCPT TO:" ( "<Postmaster@" Domain ">" / "<Postmaster>" /
//!             Forward-path ) [SP Rcpt-parameters] CRLF
//! ```
//!
//! | type | holds |
//! |------|-------|
//! | [`ReversePath`] | `<>` or a [`Mailbox`] (the `MAIL FROM:` argument) |
//! | [`ForwardPath`] | `<Postmaster>` or a [`Mailbox`] (the `RCPT TO:` argument) |
//! | [`Mailbox`] | [`LocalPart`] `@` [`Host`] |
//! | [`LocalPart`] | the decoded dot-string or quoted-string |
//! | [`Host`] | a [`Domain`] or an [`AddressLiteral`] |
//!
//! # Parsing
//!
//! Each type has `parse` (the whole input must be the value) and, for the paths and
//! [`Mailbox`], `parse_prefix`, which returns the value and the number of bytes it used so that
//! an SMTP command parser can go on with the parameters (`<a@b> SIZE=100`). The `_with`
//! variants take [`Limits`]. Offsets in every [`ParseError`] point at the offending byte.
//! The parsers are hand-written, never recurse, never look further than the length limit
//! allows, and never accept CR, LF, NUL or any other control character.
//!
//! # Canonical form and equality
//!
//! `Display` writes the canonical form: the local part as a dot-string when its content is
//! one, otherwise as a quoted string that escapes only `"` and `\` (the "minimum quoting" of
//! §4.1.2); a source route is never written; IPv6 literals use the RFC 5952 text form.
//! `parse(display(x)) == x` holds for every value (under the same [`Limits`]).
//!
//! Local parts compare by content, case-sensitively (§2.4: "The local-part of a mailbox MUST
//! BE treated as case sensitive", and §4.1.2: "all quoted forms MUST be treated as
//! equivalent"), so `"abc"@x` equals `abc@x`. Domains compare ASCII-case-insensitively
//! ("Mailbox domains follow normal DNS rules and are hence not case sensitive"), and that is
//! what `==` and `Hash` on [`Domain`] (and so on [`Mailbox`] and the paths) do; `Display`
//! keeps the case that was received.
//!
//! # Internationalized addresses (RFC 6531)
//!
//! UTF-8 is accepted in local parts (`atext` and `qtextSMTP` extended with `UTF8-non-ascii`)
//! and in domains (U-labels); invalid UTF-8 is refused. `needs_smtputf8()` says whether a
//! value contains non-ASCII, i.e. whether `MAIL` must carry the `SMTPUTF8` parameter
//! (RFC 6531 §3.4). No IDNA processing is done (no punycode conversion, no NFC or IDNA2008
//! code-point checks): a U-label is taken as UTF-8 letters, digits and hyphens that neither
//! start nor end with a hyphen. Convert to A-labels with an IDNA crate where DNS needs them.
//!
//! # Tolerances (off by default, see [`Limits`])
//!
//! - `allow_missing_brackets`: `MAIL FROM:user@example.com` without `<>`, which some clients
//!   send. The omitted brackets still count towards the path length limit.
//! - `allow_trailing_dot`: a domain ending in `.` (`user@example.com.`), as in DNS absolute
//!   names. The dot is dropped, so the value is re-emitted without it.
//!
//! Source routes (`<@a,@b:user@c>`) are always accepted and dropped, as RFC 5321 §4.1.1.3 and
//! Appendix C require ("MUST BE accepted, SHOULD NOT be generated, and SHOULD be ignored").

use core::fmt;
use core::hash::{Hash, Hasher};
use core::str::FromStr;

use crate::ParseError;
use crate::address::{is_atext, is_utf8_non_ascii};

mod literal;
mod parse;
#[cfg(test)]
mod tests;

pub use literal::{AddressLiteral, GeneralAddressLiteral};
use parse::{PathKind, PathValue, bounded, complete};

/// Length limits and tolerances for the parsers of this module.
///
/// `Default` gives the RFC 5321 §4.5.3.1 limits and no tolerance. All lengths count bytes
/// (octets), not characters, as §4.5.3.1 says for UTF-8 ("this section therefore specifies
/// lengths in octets"). Real MTAs sometimes accept longer local parts: raise
/// `max_local_part` to follow them.
///
/// ```
/// use mail_core::address::rfc5321::{Limits, ReversePath};
///
/// let mut limits = Limits::default();
/// limits.allow_missing_brackets = true;
/// let (path, used) = ReversePath::parse_prefix_with(b"user@example.com SIZE=100", &limits)?;
/// assert_eq!(path.to_string(), "<user@example.com>");
/// assert_eq!(used, 16);
/// # Ok::<(), mail_core::ParseError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Limits {
    /// Longest local part in bytes, quotes and backslashes included (RFC 5321 §4.5.3.1.1: 64).
    pub max_local_part: usize,
    /// Longest domain or address literal in bytes (RFC 5321 §4.5.3.1.2: 255).
    pub max_domain: usize,
    /// Longest path in bytes, angle brackets and any source route included
    /// (RFC 5321 §4.5.3.1.3: 256 "including the punctuation and element separators").
    pub max_path: usize,
    /// Accept a path without its angle brackets (`MAIL FROM:user@example.com`), and a bare
    /// `Postmaster` as a forward path. The path then ends at the first byte that cannot
    /// continue the mailbox (typically the space before the parameters).
    pub allow_missing_brackets: bool,
    /// Accept one trailing dot at the end of a domain (`user@example.com.`) and drop it.
    pub allow_trailing_dot: bool,
}

impl Limits {
    /// The limits of RFC 5321 §4.5.3.1, with no tolerance.
    pub const RFC: Self = Self {
        max_local_part: 64,
        max_domain: 255,
        max_path: 256,
        allow_missing_brackets: false,
        allow_trailing_dot: false,
    };
}

impl Default for Limits {
    fn default() -> Self {
        Self::RFC
    }
}

/// The bound on a bracketless mailbox: the path limit minus the two brackets it will be
/// written with.
fn mailbox_limit(limits: &Limits) -> usize {
    limits.max_path.saturating_sub(2)
}

// ---------------------------------------------------------------------------------------------
// LocalPart

/// A `Local-part` (RFC 5321 §4.1.2, RFC 6531 §3.3), holding its decoded content.
///
/// ```abnf
/// Local-part     = Dot-string / Quoted-string
/// Dot-string     = Atom *("."  Atom)
/// Atom           = 1*atext
/// Quoted-string  = DQUOTE *QcontentSMTP DQUOTE
/// QcontentSMTP   = qtextSMTP / quoted-pairSMTP
/// quoted-pairSMTP  = %d92 %d32-126
/// qtextSMTP      = %d32-33 / %d35-91 / %d93-126
/// atext          =/ UTF8-non-ascii   ; RFC 6531 §3.3
/// qtextSMTP      =/ UTF8-non-ascii   ; RFC 6531 §3.3
/// ```
///
/// The content is what the quoting stands for: `"Joe\,Smith"` holds `Joe,Smith`. Equality is
/// on the content and case-sensitive. `Display` writes the dot-string form when the content
/// is a valid dot-string, otherwise a quoted string escaping only `"` and `\`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct LocalPart {
    content: String,
    /// Whether the canonical form is a quoted string; derived from `content`.
    quoted: bool,
}

impl LocalPart {
    /// Parses a complete local part in wire form (dot-string or quoted-string).
    ///
    /// # Errors
    /// [`ParseError`] at the first byte that is not allowed, or at byte 64 if it is longer.
    pub fn parse(input: &[u8]) -> Result<Self, ParseError> {
        Self::parse_with(input, &Limits::default())
    }

    /// Like [`LocalPart::parse`], with the given limits.
    ///
    /// # Errors
    /// As [`LocalPart::parse`].
    pub fn parse_with(input: &[u8], limits: &Limits) -> Result<Self, ParseError> {
        complete(input, |i| {
            bounded(
                i,
                limits.max_local_part,
                "end of local part within the length limit (RFC 5321 §4.5.3.1.1)",
                |w| parse::local_part(w, 0, limits),
            )
        })
    }

    /// Returns a local part with the given decoded content, which may need quoting.
    ///
    /// Any printable ASCII, space and non-ASCII UTF-8 is allowed; the content may be empty
    /// (written `""`).
    ///
    /// # Errors
    /// [`ParseError`] at the byte offset (in `content`) of a control character, or of the byte
    /// where the canonical form would pass 64 bytes.
    pub fn from_content(content: &str) -> Result<Self, ParseError> {
        Self::from_content_with(content, &Limits::default())
    }

    /// Like [`LocalPart::from_content`], with the given limits.
    ///
    /// # Errors
    /// As [`LocalPart::from_content`].
    pub fn from_content_with(content: &str, limits: &Limits) -> Result<Self, ParseError> {
        if let Some(pos) = content
            .bytes()
            .position(|b| !((32..=126).contains(&b) || is_utf8_non_ascii(b)))
        {
            return Err(ParseError::new(
                pos,
                "printable character (no control characters)",
            ));
        }
        let value = Self::from_valid_content(content.to_owned());
        if value.encoded_len() > limits.max_local_part {
            return Err(ParseError::new(
                limits.max_local_part,
                "end of local part within the length limit (RFC 5321 §4.5.3.1.1)",
            ));
        }
        Ok(value)
    }

    /// Builds a value from content already known to hold only qtextSMTP characters.
    fn from_valid_content(content: String) -> Self {
        let quoted = !is_dot_string(&content);
        Self { content, quoted }
    }

    /// Returns the decoded content (without quotes or backslashes).
    pub fn as_str(&self) -> &str {
        &self.content
    }

    /// Returns whether the canonical form is a quoted string.
    pub fn needs_quoting(&self) -> bool {
        self.quoted
    }

    /// Returns whether this is `Postmaster`, which RFC 5321 §4.1.1.3 compares
    /// case-insensitively ("in a departure from the usual rules for local-parts").
    pub fn is_postmaster(&self) -> bool {
        self.content.eq_ignore_ascii_case("postmaster")
    }

    /// Returns whether the local part contains non-ASCII characters (RFC 6531 §3.4).
    pub fn needs_smtputf8(&self) -> bool {
        !self.content.is_ascii()
    }

    /// Returns the length in bytes of the canonical form.
    fn encoded_len(&self) -> usize {
        if self.quoted {
            let escapes = self
                .content
                .bytes()
                .filter(|b| matches!(b, b'"' | b'\\'))
                .count();
            self.content.len().saturating_add(escapes).saturating_add(2)
        } else {
            self.content.len()
        }
    }
}

/// Returns whether `s` is a `Dot-string` (with RFC 6531 UTF-8 atext).
fn is_dot_string(s: &str) -> bool {
    !s.is_empty()
        && s.split('.').all(|atom| {
            !atom.is_empty() && atom.bytes().all(|b| is_atext(b) || is_utf8_non_ascii(b))
        })
}

impl fmt::Display for LocalPart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.quoted {
            return f.write_str(&self.content);
        }
        f.write_str("\"")?;
        for part in self.content.split_inclusive(['"', '\\']) {
            match part.strip_suffix(['"', '\\']) {
                Some(head) => {
                    f.write_str(head)?;
                    f.write_str("\\")?;
                    f.write_str(part.get(head.len()..).unwrap_or_default())?;
                }
                None => f.write_str(part)?,
            }
        }
        f.write_str("\"")
    }
}

impl FromStr for LocalPart {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, ParseError> {
        Self::parse(s.as_bytes())
    }
}

impl TryFrom<&[u8]> for LocalPart {
    type Error = ParseError;
    fn try_from(input: &[u8]) -> Result<Self, ParseError> {
        Self::parse(input)
    }
}

// ---------------------------------------------------------------------------------------------
// Domain

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
pub struct Domain(String);

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
        &self.0
    }

    /// Returns the labels (`sub-domain`s), left to right.
    pub fn labels(&self) -> impl Iterator<Item = &str> {
        self.0.split('.')
    }

    /// Returns whether the domain contains a U-label (RFC 6531 §3.4).
    pub fn needs_smtputf8(&self) -> bool {
        !self.0.is_ascii()
    }
}

impl PartialEq for Domain {
    fn eq(&self, other: &Self) -> bool {
        self.0.eq_ignore_ascii_case(&other.0)
    }
}

impl Eq for Domain {}

impl Hash for Domain {
    fn hash<H: Hasher>(&self, state: &mut H) {
        // Consistent with the ASCII-case-insensitive `eq`.
        state.write_usize(self.0.len());
        for b in self.0.bytes() {
            state.write_u8(b.to_ascii_lowercase());
        }
    }
}

impl fmt::Display for Domain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
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

// ---------------------------------------------------------------------------------------------
// Host

/// What follows the `@` of a [`Mailbox`]: `Domain / address-literal` (RFC 5321 §4.1.2).
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
    pub fn parse(input: &[u8]) -> Result<Self, ParseError> {
        let limits = Limits::default();
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

    fn encoded_len(&self) -> usize {
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

// ---------------------------------------------------------------------------------------------
// Mailbox

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
    local_part: LocalPart,
    host: Host,
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

fn write_display(out: &mut Vec<u8>, value: &dyn fmt::Display) {
    use std::io::Write as _;
    // Writing into a Vec cannot fail.
    let _ = write!(out, "{value}");
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

// ---------------------------------------------------------------------------------------------
// ReversePath

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
    pub fn parse_prefix_with(input: &[u8], limits: &Limits) -> Result<(Self, usize), ParseError> {
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

// ---------------------------------------------------------------------------------------------
// ForwardPath

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
/// is an ordinary mailbox ([`LocalPart::is_postmaster`] recognises it). A source route is
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
    pub fn parse_prefix_with(input: &[u8], limits: &Limits) -> Result<(Self, usize), ParseError> {
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
