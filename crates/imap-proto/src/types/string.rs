//! Tags, atoms and strings (RFC 9051 §4.1–§4.5, §9).

use bytes::Bytes;

use super::parser::{
    Encode, Encoder, PResult, Parser, class, is_astring_char, is_atom_char, parse_all,
};
use crate::error::{ParseError, ValueError};

/// Checks `value` byte by byte with `ok`.
fn check(value: &[u8], what: &'static str, ok: impl Fn(u8) -> bool) -> Result<(), ValueError> {
    if value.is_empty() {
        return Err(ValueError::Empty(what));
    }
    if what == "objectid" && value.len() > 255 {
        return Err(ValueError::Range("objectid longer than 255"));
    }
    match value.iter().position(|&b| !ok(b)) {
        Some(offset) => Err(ValueError::Byte {
            what,
            byte: value.get(offset).copied().unwrap_or_default(),
            offset,
        }),
        None => Ok(()),
    }
}

/// Checks that `value` holds no NUL.
fn check_no_nul(value: &[u8], what: &'static str) -> Result<(), ValueError> {
    match memchr::memchr(0, value) {
        Some(offset) => Err(ValueError::Byte {
            what,
            byte: 0,
            offset,
        }),
        None => Ok(()),
    }
}

/// The text of a [`Tag`] or an [`Atom`]: ASCII, inline up to 22 octets (no allocation for
/// `A001`, `\\Seen` or `IMAP4rev1`).
pub(crate) type ShortText = mail_core::text::CompactText<22>;

/// Returns `bytes`, which a scanner found to be ASCII, as [`ShortText`].
pub(crate) fn short_text(bytes: &[u8]) -> ShortText {
    // Only ASCII gets here; were it not, the replacement keeps it valid UTF-8.
    ShortText::from_ascii(bytes)
        .unwrap_or_else(|| ShortText::from_string(String::from_utf8_lossy(bytes).into_owned()))
}

/// The text of a newtype built from octets its check found to be ASCII.
trait FromCheckedAscii {
    fn from_checked_ascii(bytes: &[u8]) -> Self;
}

impl FromCheckedAscii for String {
    fn from_checked_ascii(bytes: &[u8]) -> Self {
        String::from_utf8_lossy(bytes).into_owned()
    }
}

impl FromCheckedAscii for ShortText {
    fn from_checked_ascii(bytes: &[u8]) -> Self {
        short_text(bytes)
    }
}

fn value_text<T: FromCheckedAscii>(bytes: &[u8]) -> T {
    T::from_checked_ascii(bytes)
}

macro_rules! text_newtype {
    ($name:ident, $what:literal, $ok:expr) => {
        impl $name {
            /// Returns the text.
            pub fn as_str(&self) -> &str {
                self.0.as_str()
            }
        }

        impl TryFrom<&[u8]> for $name {
            type Error = ValueError;
            fn try_from(value: &[u8]) -> Result<Self, ValueError> {
                check(value, $what, $ok)?;
                Ok(Self(value_text(value)))
            }
        }

        impl TryFrom<&str> for $name {
            type Error = ValueError;
            fn try_from(value: &str) -> Result<Self, ValueError> {
                Self::try_from(value.as_bytes())
            }
        }

        impl core::str::FromStr for $name {
            type Err = ValueError;
            fn from_str(value: &str) -> Result<Self, ValueError> {
                Self::try_from(value.as_bytes())
            }
        }

        impl core::fmt::Display for $name {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.write_str(self.0.as_str())
            }
        }

        impl Encode for $name {
            fn encode(&self, out: &mut Encoder) {
                out.raw(self.0.as_bytes());
            }
        }
    };
}

/// A command tag (RFC 9051 §2.2.1).
///
/// ```abnf
/// tag = 1*<any ASTRING-CHAR except "+">
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Tag(pub(crate) ShortText);

text_newtype!(Tag, "tag", |b| is_astring_char(b) && b != b'+');

impl Tag {
    /// Parses a whole input as a tag.
    ///
    /// # Errors
    /// [`ParseError`] at the first byte that is not a tag character.
    pub fn parse(input: &[u8]) -> Result<Self, ParseError> {
        parse_all(input, Self::read)
    }

    pub(crate) fn read(p: &mut Parser<'_>) -> PResult<Self> {
        let t = p.take_class(class::TAG);
        if t.is_empty() {
            return Err(p.err("tag"));
        }
        Ok(Self(short_text(t)))
    }
}

/// An atom (RFC 9051 §4.1): one or more non-special 7-bit characters.
///
/// ```abnf
/// atom = 1*ATOM-CHAR
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Atom(pub(crate) ShortText);

text_newtype!(Atom, "atom", is_atom_char);

impl Atom {
    /// Parses a whole input as an atom.
    ///
    /// # Errors
    /// [`ParseError`] at the first byte that is not an `ATOM-CHAR`.
    pub fn parse(input: &[u8]) -> Result<Self, ParseError> {
        parse_all(input, Self::read)
    }

    pub(crate) fn read(p: &mut Parser<'_>) -> PResult<Self> {
        p.atom().map(|a| Self(short_text(a)))
    }

    /// Returns whether the atom is `other`, ignoring ASCII case.
    pub fn eq_ignore_case(&self, other: &str) -> bool {
        self.0.as_str().eq_ignore_ascii_case(other)
    }
}

/// An object identifier of OBJECTID (RFC 8474 §7): a mailbox, email or thread id.
///
/// ```abnf
/// objectid = 1*255(ALPHA / DIGIT / "_" / "-")
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ObjectId(pub(crate) String);

text_newtype!(ObjectId, "objectid", |b: u8| b.is_ascii_alphanumeric()
    || b == b'_'
    || b == b'-');

impl ObjectId {
    /// Parses a whole input as an object id.
    ///
    /// # Errors
    /// [`ParseError`] for anything but 1 to 255 letters, digits, `_` and `-`.
    pub fn parse(input: &[u8]) -> Result<Self, ParseError> {
        parse_all(input, Self::read)
    }

    pub(crate) fn read(p: &mut Parser<'_>) -> PResult<Self> {
        let at = p.pos();
        let id = p.take_while(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
        if id.is_empty() || id.len() > 255 {
            return Err(ParseError::syntax(at, "objectid"));
        }
        Ok(Self(String::from_utf8_lossy(id).into_owned()))
    }
}

/// A quoted string's content (RFC 9051 §4.3): text without CR, LF or NUL. Encoded between
/// double quotes with `"` and `\` escaped.
///
/// ```abnf
/// quoted          = DQUOTE *QUOTED-CHAR DQUOTE
/// QUOTED-CHAR     = <any TEXT-CHAR except quoted-specials> / "\" quoted-specials / UTF8-2 / UTF8-3 / UTF8-4
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Quoted(String);

impl Quoted {
    /// Parses a whole input as a quoted string (with its quotes).
    ///
    /// # Errors
    /// [`ParseError`] at the first byte that breaks the grammar, or for invalid UTF-8.
    pub fn parse(input: &[u8]) -> Result<Self, ParseError> {
        parse_all(input, |p| {
            let at = p.pos();
            let b = p.quoted()?;
            String::from_utf8(b.to_vec())
                .map(Self)
                .map_err(|_| p.invalid(at, "UTF-8 quoted string"))
        })
    }

    /// Returns the text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<&str> for Quoted {
    type Error = ValueError;
    fn try_from(value: &str) -> Result<Self, ValueError> {
        if let Some(offset) = value.bytes().position(|b| matches!(b, 0 | b'\r' | b'\n')) {
            return Err(ValueError::Byte {
                what: "quoted string",
                byte: value.as_bytes().get(offset).copied().unwrap_or_default(),
                offset,
            });
        }
        Ok(Self(value.to_owned()))
    }
}

impl Encode for Quoted {
    fn encode(&self, out: &mut Encoder) {
        out.quoted(self.0.as_bytes());
    }
}

macro_rules! bytes_newtype {
    ($name:ident, $what:literal) => {
        impl $name {
            /// Returns the octets.
            pub fn as_bytes(&self) -> &Bytes {
                &self.0
            }

            /// Returns the content as text when it is UTF-8.
            pub fn to_str(&self) -> Option<&str> {
                core::str::from_utf8(&self.0).ok()
            }

            /// Returns the octets, consuming the value.
            pub fn into_bytes(self) -> Bytes {
                self.0
            }
        }

        impl TryFrom<Bytes> for $name {
            type Error = ValueError;
            fn try_from(value: Bytes) -> Result<Self, ValueError> {
                check_no_nul(&value, $what)?;
                Ok(Self(value))
            }
        }

        impl TryFrom<&[u8]> for $name {
            type Error = ValueError;
            fn try_from(value: &[u8]) -> Result<Self, ValueError> {
                Self::try_from(Bytes::copy_from_slice(value))
            }
        }

        impl TryFrom<&str> for $name {
            type Error = ValueError;
            fn try_from(value: &str) -> Result<Self, ValueError> {
                Self::try_from(Bytes::copy_from_slice(value.as_bytes()))
            }
        }

        impl core::str::FromStr for $name {
            type Err = ValueError;
            fn from_str(value: &str) -> Result<Self, ValueError> {
                Self::try_from(value)
            }
        }
    };
}

/// An `astring` (RFC 9051 §9): any octets but NUL. Encoded as an atom when every byte is an
/// `ASTRING-CHAR`, else quoted when it is 7-bit text, else as a literal.
///
/// ```abnf
/// astring = 1*ASTRING-CHAR / string
/// string  = quoted / literal
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AString(pub(crate) Bytes);

bytes_newtype!(AString, "astring");

impl AString {
    /// Parses a whole input as an astring.
    ///
    /// # Errors
    /// [`ParseError`] at the first byte that breaks the grammar.
    pub fn parse(input: &[u8]) -> Result<Self, ParseError> {
        parse_all(input, Self::read)
    }

    pub(crate) fn read(p: &mut Parser<'_>) -> PResult<Self> {
        p.astring_bytes().map(Self)
    }
}

impl Encode for AString {
    fn encode(&self, out: &mut Encoder) {
        out.astring(&self.0);
    }
}

/// A `string` (RFC 9051 §4.3): quoted or literal, any octets but NUL. Unlike [`AString`] it
/// is never sent as an atom (an atom `NIL` would read as nil in an `nstring`).
///
/// ```abnf
/// string = quoted / literal
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IString(pub(crate) Bytes);

bytes_newtype!(IString, "string");

impl IString {
    /// Parses a whole input as a string.
    ///
    /// # Errors
    /// [`ParseError`] at the first byte that breaks the grammar.
    pub fn parse(input: &[u8]) -> Result<Self, ParseError> {
        parse_all(input, Self::read)
    }

    pub(crate) fn read(p: &mut Parser<'_>) -> PResult<Self> {
        p.string().map(Self)
    }
}

impl Encode for IString {
    fn encode(&self, out: &mut Encoder) {
        out.string(&self.0);
    }
}

/// An `nstring` (RFC 9051 §4.5): a string or `NIL`.
///
/// ```abnf
/// nstring = string / nil
/// nil     = "NIL"
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct NString(pub Option<IString>);

impl NString {
    /// Parses a whole input as an nstring. `NIL` is matched case-insensitively.
    ///
    /// # Errors
    /// [`ParseError`] at the first byte that breaks the grammar.
    pub fn parse(input: &[u8]) -> Result<Self, ParseError> {
        parse_all(input, Self::read)
    }

    #[inline]
    pub(crate) fn read(p: &mut Parser<'_>) -> PResult<Self> {
        Ok(Self(p.nstring_bytes()?.map(IString)))
    }
}

impl Encode for NString {
    fn encode(&self, out: &mut Encoder) {
        match &self.0 {
            Some(s) => s.encode(out),
            None => out.raw(b"NIL"),
        }
    }
}

/// A `literal` (RFC 9051 §4.3): octets without NUL, always sent as a literal.
///
/// ```abnf
/// literal = "{" number64 ["+"] "}" CRLF *CHAR8
/// CHAR8   = %x01-ff
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Literal(pub(crate) Bytes);

bytes_newtype!(Literal, "literal");

impl Literal {
    /// Parses a whole input as a literal.
    ///
    /// # Errors
    /// [`ParseError`] at the first byte that breaks the grammar.
    pub fn parse(input: &[u8]) -> Result<Self, ParseError> {
        parse_all(input, |p| p.literal(false).map(|(d, _)| Self(d)))
    }
}

impl Encode for Literal {
    fn encode(&self, out: &mut Encoder) {
        out.literal(&self.0, false);
    }
}

/// A `literal8` (RFC 3516 §4.2, RFC 9051 §4.3.1): any octets, NUL included.
///
/// ```abnf
/// literal8 = "~{" number64 ["+"] "}" CRLF *OCTET
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Literal8(pub Bytes);

impl Literal8 {
    /// Parses a whole input as a literal8.
    ///
    /// # Errors
    /// [`ParseError`] at the first byte that breaks the grammar.
    pub fn parse(input: &[u8]) -> Result<Self, ParseError> {
        parse_all(input, |p| {
            if p.peek() != Some(b'~') {
                return Err(p.err("literal8"));
            }
            p.literal(true).map(|(d, _)| Self(d))
        })
    }
}

impl Encode for Literal8 {
    fn encode(&self, out: &mut Encoder) {
        out.literal(&self.0, true);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tag_refuses_plus_and_specials() {
        assert!(Tag::try_from("A001").is_ok());
        assert!(Tag::try_from("A+1").is_err());
        assert!(Tag::try_from("A 1").is_err());
        assert!(Tag::try_from("").is_err());
        assert!(Tag::try_from("a]b").is_ok());
    }

    #[test]
    fn astring_forms() {
        assert_eq!(AString::parse(b"abc").unwrap().as_bytes(), "abc");
        assert_eq!(AString::parse(b"\"a\\\"b\"").unwrap().as_bytes(), "a\"b");
        assert_eq!(AString::parse(b"{3}\r\na\r\n").unwrap().as_bytes(), "a\r\n");
        assert!(AString::parse(b"{3}\r\na").is_err());
        assert!(AString::parse(b"{1}\r\n\0").is_err());
        assert!(AString::parse(b"\"a\rb\"").is_err());
        assert_eq!(AString::try_from("").unwrap().to_wire(), b"\"\"");
        assert_eq!(AString::try_from("a b").unwrap().to_wire(), b"\"a b\"");
        assert_eq!(AString::try_from("a]b").unwrap().to_wire(), b"a]b");
        assert_eq!(
            AString::try_from("a\r\n").unwrap().to_wire(),
            b"{3}\r\na\r\n"
        );
        assert_eq!(
            AString::try_from("é").unwrap().to_wire(),
            "{2}\r\né".as_bytes()
        );
        assert!(AString::try_from("a\0").is_err());
    }

    #[test]
    fn nstring_nil_and_string() {
        assert_eq!(NString::parse(b"NIL").unwrap(), NString(None));
        assert_eq!(NString::parse(b"nil").unwrap(), NString(None));
        let s = NString(Some(IString::try_from("NIL").unwrap()));
        assert_eq!(s.to_wire(), b"\"NIL\"");
        assert_eq!(NString::parse(&s.to_wire()).unwrap(), s);
    }

    #[test]
    fn quoted_escapes() {
        let q = Quoted::try_from("say \"hi\" \\ bye").unwrap();
        assert_eq!(q.to_wire(), br#""say \"hi\" \\ bye""#);
        assert_eq!(Quoted::parse(&q.to_wire()).unwrap(), q);
        assert!(Quoted::try_from("a\nb").is_err());
        assert!(Quoted::parse(br#""a\b""#).is_err());
    }

    #[test]
    fn literal8_holds_nul() {
        let l = Literal8::parse(b"~{3}\r\na\0b").unwrap();
        assert_eq!(&l.0[..], b"a\0b");
        assert_eq!(l.to_wire(), b"~{3}\r\na\0b");
        assert!(Literal::parse(b"~{1}\r\na").is_err());
    }
}
