//! `Local-part`: the decoded dot-string or quoted-string before the `@` (RFC 5321 §4.1.2).

use core::fmt;
use core::str::FromStr;

use crate::ParseError;
use crate::address::{is_atext, is_utf8_non_ascii};

use super::Limits;
use super::parse::{self, bounded, complete};
use super::text::Text;

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
    /// The decoded content. Whether its canonical form is quoted is derived from it when
    /// asked ([`LocalPart::needs_quoting`]), not stored: a stored flag would make every
    /// mailbox a word longer to move.
    pub(super) content: Text,
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
        let value = Self::from_valid_content(Text::new(content));
        if value.encoded_len() > limits.max_local_part {
            return Err(ParseError::new(
                limits.max_local_part,
                "end of local part within the length limit (RFC 5321 §4.5.3.1.1)",
            ));
        }
        Ok(value)
    }

    /// Builds a value from content already known to hold only qtextSMTP characters.
    pub(super) fn from_valid_content(content: Text) -> Self {
        Self { content }
    }

    /// Returns the decoded content (without quotes or backslashes).
    pub fn as_str(&self) -> &str {
        self.content.as_str()
    }

    /// Returns whether the canonical form is a quoted string.
    pub fn needs_quoting(&self) -> bool {
        !is_dot_string(self.content.as_str())
    }

    /// Returns whether this is `Postmaster`, which RFC 5321 §4.1.1.3 compares
    /// case-insensitively ("in a departure from the usual rules for local-parts").
    pub fn is_postmaster(&self) -> bool {
        self.content.as_bytes().eq_ignore_ascii_case(b"postmaster")
    }

    /// Returns whether the local part contains non-ASCII characters (RFC 6531 §3.4).
    pub fn needs_smtputf8(&self) -> bool {
        !self.content.is_ascii()
    }

    /// Returns the length in bytes of the canonical form.
    pub(super) fn encoded_len(&self) -> usize {
        if self.needs_quoting() {
            let escapes = self
                .content
                .as_bytes()
                .iter()
                .filter(|b| matches!(b, b'"' | b'\\'))
                .count();
            self.content.len().saturating_add(escapes).saturating_add(2)
        } else {
            self.content.len()
        }
    }
}

/// Returns whether `s` is a `Dot-string` (with RFC 6531 UTF-8 atext).
pub(super) fn is_dot_string(s: &str) -> bool {
    !s.is_empty()
        && s.split('.').all(|atom| {
            !atom.is_empty() && atom.bytes().all(|b| is_atext(b) || is_utf8_non_ascii(b))
        })
}

impl fmt::Display for LocalPart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.needs_quoting() {
            return f.write_str(self.content.as_str());
        }
        f.write_str("\"")?;
        for part in self.content.as_str().split_inclusive(['"', '\\']) {
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
