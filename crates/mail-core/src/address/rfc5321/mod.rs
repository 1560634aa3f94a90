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
//! variants take [`Limits`]. Offsets in every [`ParseError`](crate::ParseError) point at the offending byte.
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

mod domain;
mod literal;
mod local_part;
mod mailbox;
mod parse;
mod path;
#[cfg(test)]
mod tests;
mod text;

pub use domain::{Domain, Host};
pub use literal::{AddressLiteral, GeneralAddressLiteral};
pub use local_part::LocalPart;
pub use mailbox::Mailbox;
pub use path::{ForwardPath, ReversePath};

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
pub(super) fn mailbox_limit(limits: &Limits) -> usize {
    limits.max_path.saturating_sub(2)
}

/// Appends `value`'s `Display` output to `out`.
pub(super) fn write_display(out: &mut Vec<u8>, value: &dyn fmt::Display) {
    use std::io::Write as _;
    // Writing into a Vec cannot fail.
    let _ = write!(out, "{value}");
}
