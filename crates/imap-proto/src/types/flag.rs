//! Message flags (RFC 9051 §2.3.2, §9).

use super::parser::{Encode, Encoder, PResult, Packed, Parser, class, is_atom_char, kw, parse_all};
use super::string::{Atom, short_text};
use crate::error::ParseError;

/// A message flag (RFC 9051 §2.3.2).
///
/// ```abnf
/// flag           = "\Answered" / "\Flagged" / "\Deleted" / "\Seen" / "\Draft" / flag-keyword / flag-extension
/// flag-keyword   = "$MDNSent" / "$Forwarded" / "$Junk" / "$NotJunk" / "$Phishing" / atom
/// flag-extension = "\" atom
/// ```
///
/// System flags are matched case-insensitively (RFC 9051 §2.3.2: "flags are
/// case-insensitive"). `\Recent` is the IMAP4rev1 session flag (RFC 3501 §2.3.2), gone from
/// IMAP4rev2 but still sent by rev1 peers. [`Flag::Extension`] must not carry the name of a
/// system flag (it would read back as that flag).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Flag {
    /// `\Answered`.
    Answered,
    /// `\Flagged`.
    Flagged,
    /// `\Deleted`.
    Deleted,
    /// `\Seen`.
    Seen,
    /// `\Draft`.
    Draft,
    /// `\Recent` (RFC 3501 only).
    Recent,
    /// A keyword such as `$Forwarded` or `NonJunk`, as sent.
    Keyword(Atom),
    /// An unknown `\Name` flag; the atom is the name without the backslash.
    Extension(Atom),
}

impl Flag {
    /// Parses a whole input as a flag.
    ///
    /// # Errors
    /// [`ParseError`] at the first byte that breaks the grammar.
    pub fn parse(input: &[u8]) -> Result<Self, ParseError> {
        parse_all(input, Self::read)
    }

    /// Returns the keyword flag for `name`.
    ///
    /// # Errors
    /// [`crate::error::ValueError`] when `name` is not an atom.
    pub fn keyword(name: &str) -> Result<Self, crate::error::ValueError> {
        Atom::try_from(name).map(Self::Keyword)
    }

    pub(crate) fn read(p: &mut Parser<'_>) -> PResult<Self> {
        if p.eat(b'\\') {
            let at = p.pos();
            let (name, word) = p.take_keyword(class::ATOM);
            if name.is_empty() {
                return Err(ParseError::syntax(at, "flag name after '\\'"));
            }
            Ok(Self::system_packed(word).unwrap_or_else(|| Self::Extension(atom(name))))
        } else {
            Atom::read(p).map(Self::Keyword)
        }
    }

    /// Returns the system flag a packed name (without the backslash) names.
    fn system_packed(name: Packed) -> Option<Self> {
        const ANSWERED: u128 = kw(b"ANSWERED");
        const FLAGGED: u128 = kw(b"FLAGGED");
        const DELETED: u128 = kw(b"DELETED");
        const SEEN: u128 = kw(b"SEEN");
        const DRAFT: u128 = kw(b"DRAFT");
        const RECENT: u128 = kw(b"RECENT");
        Some(match name.0 {
            ANSWERED => Self::Answered,
            FLAGGED => Self::Flagged,
            DELETED => Self::Deleted,
            SEEN => Self::Seen,
            DRAFT => Self::Draft,
            RECENT => Self::Recent,
            _ => return None,
        })
    }

    pub(crate) fn read_list(p: &mut Parser<'_>) -> PResult<Vec<Self>> {
        // Room for the four a first push would reserve, without growing into it.
        p.list_with_capacity(false, 4, Self::read)
    }
}

/// Returns the atom of bytes the parser already read as `1*ATOM-CHAR`.
fn atom(name: &[u8]) -> Atom {
    Atom(short_text(name))
}

impl Encode for Flag {
    fn encode(&self, out: &mut Encoder) {
        match self {
            Self::Answered => out.raw(b"\\Answered"),
            Self::Flagged => out.raw(b"\\Flagged"),
            Self::Deleted => out.raw(b"\\Deleted"),
            Self::Seen => out.raw(b"\\Seen"),
            Self::Draft => out.raw(b"\\Draft"),
            Self::Recent => out.raw(b"\\Recent"),
            Self::Keyword(a) => a.encode(out),
            Self::Extension(a) => {
                out.raw(b"\\");
                a.encode(out);
            }
        }
    }
}

impl core::fmt::Display for Flag {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(&String::from_utf8_lossy(&self.to_wire()))
    }
}

/// A `flag-perm` of a `PERMANENTFLAGS` response code (RFC 9051 §7.1): a flag, or `\*`
/// ("new keywords can be created").
///
/// ```abnf
/// flag-perm = flag / "\*"
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum FlagPerm {
    /// A flag that can be changed permanently.
    Flag(Flag),
    /// `\*`.
    Wildcard,
}

impl FlagPerm {
    /// Parses a whole input as a flag-perm.
    ///
    /// # Errors
    /// [`ParseError`] at the first byte that breaks the grammar.
    pub fn parse(input: &[u8]) -> Result<Self, ParseError> {
        parse_all(input, |p| {
            if p.rest().starts_with(b"\\*") && !p.peek_at(2).is_some_and(is_atom_char) {
                p.advance(2);
                Ok(Self::Wildcard)
            } else {
                Flag::read(p).map(Self::Flag)
            }
        })
    }
}

impl Encode for FlagPerm {
    fn encode(&self, out: &mut Encoder) {
        match self {
            Self::Flag(f) => f.encode(out),
            Self::Wildcard => out.raw(b"\\*"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn system_flags_ignore_case() {
        assert_eq!(Flag::parse(b"\\seen").unwrap(), Flag::Seen);
        assert_eq!(Flag::parse(b"\\SEEN").unwrap().to_string(), "\\Seen");
        assert_eq!(Flag::parse(b"\\Recent").unwrap(), Flag::Recent);
        assert_eq!(
            Flag::parse(b"$Forwarded").unwrap(),
            Flag::keyword("$Forwarded").unwrap()
        );
        assert_eq!(
            Flag::parse(b"\\Foo").unwrap(),
            Flag::Extension(Atom::try_from("Foo").unwrap())
        );
        assert!(Flag::parse(b"\\").is_err());
        assert!(Flag::parse(b"a b").is_err());
        assert_eq!(FlagPerm::parse(b"\\*").unwrap(), FlagPerm::Wildcard);
        assert_eq!(FlagPerm::Wildcard.to_wire(), b"\\*");
    }
}
