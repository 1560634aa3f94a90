//! Generic values: the free text of responses and the tagged extension values that
//! unknown items carry (RFC 4466 §2.1).

use bytes::Bytes;

use crate::error::ValueError;
use crate::types::IString;
use crate::types::parser::{Encoder, PResult, Parser};

/// Human-readable text of a status response or continuation request (RFC 9051 §9): any
/// octets but CR, LF and NUL.
///
/// ```abnf
/// text      = 1*(TEXT-CHAR / UTF8-2 / UTF8-3 / UTF8-4)
/// TEXT-CHAR = <any CHAR except CR and LF>
/// ```
///
/// May be empty: RFC 9051 made the text of `resp-text` optional. It never starts with a
/// space: the separator before it absorbs any number of spaces, so a leading space could not
/// be read back. Tolerance: any 8-bit octet (IMAP4rev1 servers send Latin-1 in texts).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Text(Bytes);

impl Text {
    /// Returns the octets.
    pub const fn as_bytes(&self) -> &Bytes {
        &self.0
    }

    /// Returns the text when it is UTF-8.
    pub fn to_str(&self) -> Option<&str> {
        core::str::from_utf8(&self.0).ok()
    }

    /// Returns whether the text is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Reads the rest of the line as text.
    pub(crate) fn read_rest(p: &mut Parser<'_>) -> PResult<Self> {
        let start = p.pos();
        let rest = p.rest();
        // A vector search: the text runs to the end of the frame but for a stray control.
        if let Some(bad) = memchr::memchr3(0, b'\r', b'\n', rest) {
            p.advance(bad);
            return Err(p.err("TEXT-CHAR"));
        }
        p.advance(rest.len());
        Ok(Self(p.slice(start, p.pos())))
    }
}

impl TryFrom<Bytes> for Text {
    type Error = ValueError;
    fn try_from(value: Bytes) -> Result<Self, ValueError> {
        if value.first() == Some(&b' ') {
            return Err(ValueError::Byte {
                what: "text (leading space)",
                byte: b' ',
                offset: 0,
            });
        }
        match value.iter().position(|&b| matches!(b, 0 | b'\r' | b'\n')) {
            Some(offset) => Err(ValueError::Byte {
                what: "text",
                byte: value.get(offset).copied().unwrap_or_default(),
                offset,
            }),
            None => Ok(Self(value)),
        }
    }
}

impl TryFrom<&str> for Text {
    type Error = ValueError;
    fn try_from(value: &str) -> Result<Self, ValueError> {
        Self::try_from(Bytes::copy_from_slice(value.as_bytes()))
    }
}

impl core::fmt::Display for Text {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(&String::from_utf8_lossy(&self.0))
    }
}

/// Whether `b` may appear in an [`ExtValue::Token`]: a visible ASCII character other than
/// the list and string delimiters.
const fn is_token_char(b: u8) -> bool {
    matches!(b, 0x21..=0x7e) && !matches!(b, b'(' | b')' | b'"' | b'{')
}

/// A value of an item this crate does not know: an unknown FETCH item (`X-GM-LABELS`), an
/// unknown ESEARCH return item, an unknown LIST extended item, a body extension, or an
/// unknown untagged response. It keeps the value's structure so that it encodes back.
///
/// ```abnf
/// tagged-ext-val     = tagged-ext-simple / "(" [tagged-ext-comp] ")"   ; RFC 4466 §2.1
/// tagged-ext-simple  = sequence-set / number / number64
/// tagged-ext-comp    = astring / tagged-ext-comp *(SP tagged-ext-comp) / "(" tagged-ext-comp ")"
/// body-extension     = nstring / number / number64 / "(" body-extension *(SP body-extension) ")"
/// ```
///
/// Tolerance: a token is any run of visible ASCII characters but `(`, `)`, `"` and `{`,
/// which covers atoms, numbers, sequence sets, `NIL` and flags such as `\Inbox`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ExtValue {
    /// An atom, number, sequence set, `NIL` or flag, as sent.
    Token(Bytes),
    /// A quoted string or literal.
    String(IString),
    /// A parenthesised list.
    List(Vec<ExtValue>),
}

impl ExtValue {
    /// Returns a token value.
    ///
    /// # Errors
    /// [`ValueError`] when `token` is empty or holds a byte tokens cannot hold.
    pub fn token(token: &str) -> Result<Self, ValueError> {
        if token.is_empty() {
            return Err(ValueError::Empty("token"));
        }
        match token.bytes().position(|b| !is_token_char(b)) {
            Some(offset) => Err(ValueError::Byte {
                what: "token",
                byte: token.as_bytes().get(offset).copied().unwrap_or_default(),
                offset,
            }),
            None => Ok(Self::Token(Bytes::copy_from_slice(token.as_bytes()))),
        }
    }

    /// Reads one value; lists nest within the parser's depth budget.
    pub(crate) fn read(p: &mut Parser<'_>) -> PResult<Self> {
        match p.peek() {
            Some(b'(') => p.list(false, Self::read).map(Self::List),
            Some(b'"' | b'{') => IString::read(p).map(Self::String),
            Some(b'~') if p.peek_at(1) == Some(b'{') => Err(p.err("a value other than literal8")),
            _ => {
                let start = p.pos();
                if p.take_while(is_token_char).is_empty() {
                    return Err(p.err("value"));
                }
                Ok(Self::Token(p.slice(start, p.pos())))
            }
        }
    }

    /// Writes the value.
    pub(crate) fn write(&self, e: &mut Encoder) {
        match self {
            Self::Token(t) => e.raw(t),
            Self::String(s) => crate::types::Encode::encode(s, e),
            Self::List(items) => {
                e.raw(b"(");
                write_sp_separated(e, items, Self::write);
                e.raw(b")");
            }
        }
    }
}

/// Writes `items` separated by single spaces.
pub(crate) fn write_sp_separated<T>(e: &mut Encoder, items: &[T], f: impl Fn(&T, &mut Encoder)) {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            e.sp();
        }
        f(item, e);
    }
}

/// Opens a parenthesised level: checks the `(`, spends one unit of the depth budget (so a
/// [`crate::error::ParseError::TooDeep`] points at the `(` that crossed it), then consumes
/// it. The caller calls `leave` after the `)`.
pub(crate) fn open(p: &mut Parser<'_>, expected: &'static str) -> PResult<()> {
    if p.peek() != Some(b'(') {
        return Err(p.err(expected));
    }
    p.enter()?;
    p.advance(1);
    Ok(())
}
